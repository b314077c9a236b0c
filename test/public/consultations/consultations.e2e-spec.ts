import { RatingTargets } from '../../../src/modules/public/ratings/rating-target';
import { startTestApp, TestApp } from '../../support/test-app';
import { answer, ask, Cast, ConsultationBody, makeCast, question } from './consultation-fixtures';

describe('consultations (咨询): asking, answering on the engine, follow-ups, access', () => {
  let t: TestApp;
  let cast: Cast;
  const count = async (sql: string, params: unknown[]): Promise<number> =>
    (await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${sql}`, params))[0].n;
  const gql = (query: string, variables: Record<string, unknown>, h: Record<string, string>) =>
    t.http.post('/graphql').set('Content-Type', 'application/json').set(h).send({ query, variables });

  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMIT_ANONYMOUS: '100000', RATE_LIMIT_AUTHENTICATED: '100000' });
    cast = await makeCast(t);
  });
  afterAll(() => t?.close());

  describe('asking', () => {
    it('files a question of a service on its own case, sealed, idempotent per key', async () => {
      const text = question();
      const key = `ask-${Date.now()}`;
      const body = { serviceId: cast.serviceId, question: text };
      const res = await t.http
        .post('/v1/consultations')
        .set(cast.asker.h)
        .set('Idempotency-Key', key)
        .send(body);
      expect(res.status).toBe(201);
      const c = res.body as ConsultationBody;
      expect(res.headers.location).toBe(`/v1/consultations/${c.id}`);
      expect(c).toMatchObject({
        status: 'open',
        organisationId: cast.X,
        serviceId: cast.serviceId,
        followUps: 0,
      });
      expect(c.number).toMatch(/^ZX\d{14}$/);
      expect(c.messages).toEqual([expect.objectContaining({ seq: 1, kind: 'question', text })]);
      expect(c.openCaseId).toBeNull(); // the asker is not shown case ids
      // The question is stored only sealed; its case runs on the engine in unit X.
      expect(await count(`consultation_message WHERE body_enc LIKE $1`, [`%${text.slice(0, 6)}%`])).toBe(0);
      const [kase] = await t.db.query<{
        case_type: string;
        organisation_id: string;
        status: string;
        due_at: Date | null;
      }>(
        `SELECT cf.case_type, cf.organisation_id, cf.status, cf.due_at FROM case_file cf
         JOIN consultation_message m ON m.case_id = cf.id WHERE m.consultation_id = $1`,
        [c.id],
      );
      expect(kase).toMatchObject({ case_type: 'consultation', organisation_id: cast.X, status: 'open' });
      expect(kase.due_at).not.toBeNull();
      expect(
        await count(
          `workflow_definition WHERE case_type = 'consultation' AND subject_key = $1 AND state = 'active'`,
          [cast.serviceId],
        ),
      ).toBe(1);
      const replay = await t.http
        .post('/v1/consultations')
        .set(cast.asker.h)
        .set('Idempotency-Key', key)
        .send(body);
      expect(replay.status).toBe(201);
      expect(replay.headers['idempotent-replayed']).toBe('true');
      expect(replay.body.id).toBe(c.id);
      expect(await count('consultation WHERE asker_account_id = $1 AND id = $2', [cast.asker.id, c.id])).toBe(
        1,
      );
    });

    it('asks a unit directly; a second unit question reuses its workflow', async () => {
      const a = await ask(t, cast.asker.h, { organisationId: cast.Y, question: question('周六上班吗') });
      await ask(t, cast.asker.h, { organisationId: cast.Y, question: question('周日上班吗') });
      expect(a).toMatchObject({ organisationId: cast.Y, serviceId: null, status: 'open' });
      expect(
        await count(`workflow_definition WHERE case_type = 'consultation' AND subject_key = $1`, [
          `unit:${cast.Y}`,
        ]),
      ).toBe(1);
    });

    it.each([
      [
        'both targets',
        () => ({ serviceId: cast.serviceId, organisationId: cast.X, question: 'q' }),
        '/serviceId',
      ],
      ['no target', () => ({ question: 'q' }), '/serviceId'],
      ['a blank question', () => ({ serviceId: cast.serviceId, question: '   ' }), '/question'],
      ['a control character', () => ({ serviceId: cast.serviceId, question: 'a\u0000b' }), '/question'],
      ['a question too long', () => ({ serviceId: cast.serviceId, question: 'x'.repeat(2001) }), '/question'],
      ['a malformed id', () => ({ serviceId: 'nope', question: 'q' }), '/serviceId'],
      [
        'an unknown field',
        () => ({ serviceId: cast.serviceId, question: 'q', askerId: cast.other.id }),
        '/askerId',
      ],
    ])('refuses %s with 400 and writes nothing', async (_what, body, pointer) => {
      const before = await count('consultation', []);
      const res = await t.http.post('/v1/consultations').set(cast.asker.h).send(body());
      expect(res.status).toBe(400);
      expect(res.headers['content-type']).toMatch(/problem\+json/);
      expect(res.body.errors.map((e: { pointer: string }) => e.pointer)).toContain(pointer);
      expect(await count('consultation', [])).toBe(before);
    });

    it('answers 404 for an unknown service or unit, 401 without a token, 403 to staff', async () => {
      const missing = '0190a0a0-0000-7000-8000-000000000000';
      expect(
        (await t.http.post('/v1/consultations').set(cast.asker.h).send({ serviceId: missing, question: 'q' }))
          .status,
      ).toBe(404);
      expect(
        (
          await t.http
            .post('/v1/consultations')
            .set(cast.asker.h)
            .send({ organisationId: missing, question: 'q' })
        ).status,
      ).toBe(404);
      expect(
        (await t.http.post('/v1/consultations').send({ serviceId: cast.serviceId, question: 'q' })).status,
      ).toBe(401);
      expect(
        (
          await t.http
            .post('/v1/consultations')
            .set(cast.handlerX.h)
            .send({ serviceId: cast.serviceId, question: 'q' })
        ).status,
      ).toBe(403);
    });
  });

  describe('who sees and answers it', () => {
    let c: ConsultationBody;
    beforeAll(async () => {
      c = await ask(t, cast.asker.h, { serviceId: cast.serviceId, question: question('可以代办吗') });
    });

    it('shows it to the asker and the unit (audited), 404 to anyone else', async () => {
      expect((await t.http.get(`/v1/consultations/${c.id}`).set(cast.asker.h)).status).toBe(200);
      const staff = await t.http.get(`/v1/consultations/${c.id}`).set(cast.handlerX.h);
      expect(staff.status).toBe(200);
      expect(staff.body.messages[0].text).toBe(c.messages[0].text);
      expect(staff.body.openCaseId).toEqual(expect.any(String));
      expect(
        await count(
          `audit_leaf WHERE action = 'consultation.read' AND resource_id = $1 AND subject_id = $2`,
          [c.id, cast.asker.id],
        ),
      ).toBeGreaterThanOrEqual(1);
      expect((await t.http.get(`/v1/consultations/${c.id}`).set(cast.supervisorX)).status).toBe(200);
      for (const h of [cast.other.h, cast.handlerY, cast.handlerX2, cast.supervisorY])
        expect((await t.http.get(`/v1/consultations/${c.id}`).set(h)).status).toBe(404);
      expect((await t.http.get(`/v1/consultations/${c.id}`)).status).toBe(401);
      expect((await t.http.get(`/v1/consultations/${c.id}`).set(cast.auditorX)).status).toBe(403);
      expect((await t.http.get('/v1/consultations/not-a-uuid').set(cast.asker.h)).status).toBe(400);
    });

    it('lists it for the unit only, and in the asker’s own list without texts', async () => {
      const ids = async (path: string, h: Record<string, string>): Promise<string[]> => {
        const res = await t.http.get(path).set(h);
        expect(res.status).toBe(200);
        return (res.body.items as Array<{ id: string }>).map((i) => i.id);
      };
      expect(await ids('/v1/consultations?status=open&limit=100', cast.handlerX.h)).toContain(c.id);
      expect(await ids('/v1/consultations?limit=100', cast.handlerY)).not.toContain(c.id);
      const mine = await t.http.get('/v1/me/consultations').set(cast.asker.h);
      expect(mine.body.items.map((i: { id: string }) => i.id)).toContain(c.id);
      expect(JSON.stringify(mine.body)).not.toContain(c.messages[0].text);
      expect(await ids('/v1/me/consultations', cast.other.h)).not.toContain(c.id);
      expect((await t.http.get('/v1/consultations').set(cast.asker.h)).status).toBe(403);
      expect((await t.http.get('/v1/consultations?cursor=forged').set(cast.handlerX.h)).status).toBe(400);
    });

    it('refuses answers from other units, citizens and bad input, then the unit answers', async () => {
      const post = (h: Record<string, string>, body: Record<string, unknown>) =>
        t.http.post(`/v1/consultations/${c.id}/answer`).set(h).send(body);
      expect((await post(cast.handlerY, { text: '越权答复' })).status).toBe(404);
      expect((await post(cast.asker.h, { text: '自问自答' })).status).toBe(403);
      expect((await post(cast.handlerX.h, { text: '' })).status).toBe(400);
      expect((await post(cast.handlerX.h, { text: 'a', templateId: c.id })).status).toBe(400);
      expect((await post(cast.handlerX.h, { text: 'x'.repeat(1001) })).status).toBe(400);
      const neither = await post(cast.handlerX.h, {});
      expect(neither.status).toBe(400);
      expect(neither.body.errors[0].pointer).toBe('/text');
      expect(await count(`consultation_message WHERE consultation_id = $1`, [c.id])).toBe(1);
      const done = await answer(t, cast.handlerX.h, c.id, { text: '可以，需提供委托书和双方身份证。' });
      expect(done.status).toBe('answered');
      expect(done.messages.map((m) => m.kind)).toEqual(['question', 'answer']);
      expect(done.messages[1].text).toBe('可以，需提供委托书和双方身份证。');
      const [row] = await t.db.query<{ answered_by: string; status: string }>(
        'SELECT answered_by, status FROM consultation WHERE id = $1',
        [c.id],
      );
      expect(row).toEqual({ answered_by: cast.handlerX.id, status: 'answered' });
      expect(
        await count(
          `case_file cf JOIN consultation_message m ON m.case_id = cf.id WHERE m.consultation_id = $1 AND cf.status = 'closed'`,
          [c.id],
        ),
      ).toBe(1);
      expect(
        await count(
          `inbox_message WHERE account_id = $1 AND template = 'consultation.answered' AND link = $2`,
          [cast.asker.id, `/consultations/${c.id}`],
        ),
      ).toBe(1);
      // Nothing is waiting any more: a second answer is a conflict.
      expect((await post(cast.handlerX.h, { text: '再答一次' })).status).toBe(409);
    });

    it('shows on the asker’s timeline and is rateable', async () => {
      const res = await t.http.get('/v1/me/timeline?limit=100').set(cast.asker.h);
      expect(res.body.items).toContainEqual(
        expect.objectContaining({ kind: 'consultation', id: c.id, state: 'answered' }),
      );
      const item = await t.app.get(RatingTargets).get('consultation')!.load(c.id);
      expect(item).toMatchObject({
        raterAccountId: cast.asker.id,
        organisationId: cast.X,
        serviceId: cast.serviceId,
        handlerAccountId: cast.handlerX.id,
      });
      expect(item!.handledAt).toBeInstanceOf(Date);
      expect(await t.app.get(RatingTargets).get('consultation')!.load('nope')).toBeNull();
    });

    it('takes bounded follow-ups from the asker only, each on a new clocked case', async () => {
      const follow = (h: Record<string, string>, text = question('追问')) =>
        t.http.post(`/v1/consultations/${c.id}/follow-ups`).set(h).send({ question: text });
      expect((await follow(cast.other.h)).status).toBe(404);
      expect((await follow(cast.handlerX.h)).status).toBe(403);
      expect((await follow(cast.asker.h, '')).status).toBe(400);
      for (let i = 1; i <= 3; i++) {
        const res = await follow(cast.asker.h);
        expect(res.status).toBe(200);
        expect(res.body).toMatchObject({ status: 'open', followUps: i, followUpsLeft: 0 });
        const again = await follow(cast.asker.h);
        expect(again.status).toBe(409);
        expect(again.body.code).toBe('CONSULTATION_FOLLOW_UP_REFUSED');
        await answer(t, cast.handlerX.h, c.id, { text: `第 ${i} 次追问的答复` });
      }
      const over = await follow(cast.asker.h);
      expect(over.status).toBe(409);
      expect(
        await count(`consultation_message WHERE consultation_id = $1 AND kind = 'follow_up'`, [c.id]),
      ).toBe(3);
      expect(
        await count(`case_file WHERE case_type = 'consultation' AND number LIKE $1`, [`${c.number}-%`]),
      ).toBe(4);
      const view = await t.http.get(`/v1/consultations/${c.id}`).set(cast.asker.h);
      expect(view.body.messages.map((m: { kind: string }) => m.kind)).toEqual([
        'question',
        'answer',
        'follow_up',
        'answer',
        'follow_up',
        'answer',
        'follow_up',
        'answer',
      ]);
    });
  });

  it('transfers a question to the competent unit, which then answers it', async () => {
    const c = await ask(t, cast.asker.h, { organisationId: cast.X, question: question('这事归谁管') });
    const move = (h: Record<string, string>, body: Record<string, unknown>) =>
      t.http.post(`/v1/consultations/${c.id}/transfer`).set(h).send(body);
    expect((await move(cast.handlerX.h, { organisationId: cast.X2 })).status).toBe(400);
    expect((await move(cast.handlerY, { organisationId: cast.X2, reason: '转' })).status).toBe(404);
    const res = await move(cast.handlerX.h, { organisationId: cast.X2, reason: '属于甲区二职责' });
    expect(res.status).toBe(200);
    expect(res.body.organisationId).toBe(cast.X2);
    expect(res.body.messages).toEqual([]); // the sender no longer sees the thread
    expect((await t.http.get(`/v1/consultations/${c.id}`).set(cast.handlerX.h)).status).toBe(404);
    const done = await answer(t, cast.handlerX2, c.id, { text: '由我单位答复。' });
    expect(done).toMatchObject({ status: 'answered', organisationId: cast.X2 });
  });

  it('offers the same through GraphQL, with the same access rules', async () => {
    const asked = await gql(
      `mutation($input: AskConsultationInput!, $key: String) { askConsultation(input: $input, idempotencyKey: $key) { id status messages { kind text } } }`,
      { input: { serviceId: cast.serviceId, question: '图形接口提问' }, key: `gql-${Date.now()}` },
      cast.asker.h,
    );
    expect(asked.body.errors).toBeUndefined();
    const id = asked.body.data.askConsultation.id as string;
    const read = `query($id: ID!) { consultation(id: $id) { id status topic messages { kind text } } }`;
    expect((await gql(read, { id }, cast.asker.h)).body.data.consultation.messages[0].text).toBe(
      '图形接口提问',
    );
    expect((await gql(read, { id }, cast.other.h)).body.errors[0].extensions.code).toBe('NOT_FOUND');
    const answered = await gql(
      `mutation($id: ID!, $input: AnswerConsultationInput!) { answerConsultation(id: $id, input: $input) { status } }`,
      { id, input: { text: '图形接口答复' } },
      cast.handlerX.h,
    );
    expect(answered.body.data.answerConsultation.status).toBe('answered');
    const mine = await gql(
      `{ myConsultations(first: 100) { totalCount edges { node { id } } } }`,
      {},
      cast.asker.h,
    );
    expect(mine.body.data.myConsultations.edges.map((e: { node: { id: string } }) => e.node.id)).toContain(
      id,
    );
  });
});
