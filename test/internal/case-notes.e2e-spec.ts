import { uuidv7 } from '../../src/database/uuid';
import { CaseFile, CaseStatus, CaseTask, TaskStatus } from '../../src/modules/internal/workflow/case.entity';
import { RoleName } from '../../src/modules/platform/identity/staff/role-catalogue';
import {
  auth,
  makeCitizen,
  makeStaff,
  makeUnit,
  Person,
  signIn,
  TEST_REGION,
  uniq,
} from '../identity/staff-fixtures';
import { expectOncePerKey } from '../support/graphql-idempotency';
import { CaseParents, caseParents } from '../support/case-parents';
import { startTestApp, TestApp } from '../support/test-app';

const DAY = 86_400_000;

describe('internal case notes', () => {
  let t: TestApp;
  let X: string;
  let Y: string;
  let caseId: string;
  let applicant: Person;
  let parents: CaseParents;
  const h: Record<string, Record<string, string>> = {};
  const ids: Record<string, string> = {};

  async function staff(name: string, home: string, role: RoleName | null): Promise<void> {
    const p = await makeStaff(t, home, role ? [{ role, unit: home }] : []);
    ids[name] = p.id;
    h[name] = auth(await signIn(t, p, 'staff'));
  }

  async function openCase(unit: string): Promise<string> {
    const serviceId = uuidv7();
    const c = await t.db.repo(CaseFile).save(
      t.db.repo(CaseFile).create({
        subjectType: 'application',
        subjectId: uuidv7(),
        number: `SQ${TEST_REGION}${uniq().toUpperCase()}`,
        caseType: 'service',
        subjectKey: serviceId,
        serviceId,
        definitionId: parents.definitionId,
        organisationId: unit,
        receivingOrganisationId: unit,
        regionCode: TEST_REGION,
        applicantAccountId: applicant.id,
        stage: 'review',
        status: CaseStatus.Open,
        receivedAt: new Date(Date.now() - DAY),
        acceptedAt: new Date(),
        limit: { amount: 20, unit: 'working_days' },
        dueAt: new Date(Date.now() + 20 * DAY),
        warningLevel: 'green',
      }),
    );
    return c.id;
  }

  const notesInDb = async (id: string) =>
    (await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM case_note WHERE case_id = $1', [id]))[0]
      .n;
  const audited = async (action: string, id: string) =>
    (await t.db.query('SELECT 1 FROM audit_leaf WHERE action = $1 AND resource_id = $2', [action, id]))
      .length;

  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMIT_ANONYMOUS: '100000', RATE_LIMIT_AUTHENTICATED: '100000' });
    parents = await caseParents(t);
    const root = await makeUnit(t, '意见市局');
    X = await makeUnit(t, '甲区审批科', root);
    Y = await makeUnit(t, '乙区审批科', root);
    await staff('clerkX', X, RoleName.Clerk);
    await staff('reviewerX', X, RoleName.Reviewer);
    await staff('supervisorX', X, RoleName.Supervisor);
    await staff('auditorX', X, RoleName.Auditor);
    await staff('clerkY', Y, RoleName.Clerk);
    applicant = await makeCitizen(t);
    h.applicant = auth(await signIn(t, applicant, 'citizen'));
    caseId = await openCase(X);
  });
  afterAll(() => t.close());

  it('lets case staff of the unit write and read notes, audited, oldest first', async () => {
    const res = await t.http
      .post(`/v1/cases/${caseId}/notes`)
      .set(h.clerkX)
      .send({ body: '申请人来电：租赁合同原件下周一补交。\n已核对复印件。' })
      .expect(201);
    expect(res.body).toMatchObject({
      caseId,
      author: { id: ids.clerkX, displayName: expect.stringContaining('测试员') },
      body: '申请人来电：租赁合同原件下周一补交。\n已核对复印件。',
    });
    expect(await audited('case_note.create', res.body.id)).toBe(1);
    await t.http
      .post(`/v1/cases/${caseId}/notes`)
      .set(h.reviewerX)
      .send({ body: '经营场所证明需加盖公章。' })
      .expect(201);

    for (const who of ['clerkX', 'reviewerX', 'supervisorX']) {
      const list = await t.http.get(`/v1/cases/${caseId}/notes`).set(h[who]).expect(200);
      expect(list.body.items.map((n: { body: string }) => n.body)).toEqual([
        '申请人来电：租赁合同原件下周一补交。\n已核对复印件。',
        '经营场所证明需加盖公章。',
      ]);
    }
    expect(await audited('case_note.list', caseId)).toBeGreaterThanOrEqual(3);
    const page = await t.http.get(`/v1/cases/${caseId}/notes?limit=1`).set(h.clerkX).expect(200);
    expect(page.body.items).toHaveLength(1);
    const next = await t.http
      .get(`/v1/cases/${caseId}/notes?limit=1&cursor=${page.body.nextCursor}`)
      .set(h.clerkX)
      .expect(200);
    expect(next.body.items[0].body).toBe('经营场所证明需加盖公章。');
    expect(next.body.nextCursor).toBeNull();
  });

  it('answers 404 to the applicant, other units and other roles, 401 to anonymous; nothing is written', async () => {
    const before = await notesInDb(caseId);
    for (const who of ['applicant', 'clerkY']) {
      await t.http.get(`/v1/cases/${caseId}/notes`).set(h[who]).expect(404);
      await t.http.post(`/v1/cases/${caseId}/notes`).set(h[who]).send({ body: '试探' }).expect(404);
    }
    await t.http.get(`/v1/cases/${caseId}/notes`).set(h.auditorX).expect(403);
    await t.http.post(`/v1/cases/${caseId}/notes`).set(h.auditorX).send({ body: '试探' }).expect(403);
    await t.http.get(`/v1/cases/${caseId}/notes`).expect(401);
    await t.http.post(`/v1/cases/${caseId}/notes`).send({ body: '试探' }).expect(401);
    await t.http.get(`/v1/cases/${uuidv7()}/notes`).set(h.clerkX).expect(404);
    expect(await notesInDb(caseId)).toBe(before);
  });

  it('lets staff of a unit a task was transferred to see the notes while the task is open', async () => {
    const other = await openCase(X);
    await t.http.get(`/v1/cases/${other}/notes`).set(h.clerkY).expect(404);
    await t.db.repo(CaseTask).save(
      t.db.repo(CaseTask).create({
        caseId: other,
        stage: 'review',
        kind: 'work',
        level: 0,
        organisationId: Y,
        permission: 'case:handle',
        status: TaskStatus.Open,
        dueAt: new Date(Date.now() + DAY),
      }),
    );
    await t.http.get(`/v1/cases/${other}/notes`).set(h.clerkY).expect(200);
  });

  it('validates the body and replays an idempotent POST', async () => {
    const before = await notesInDb(caseId);
    for (const body of ['', '   ', 'x'.repeat(4001), 'a\u0000b', 42, null]) {
      const res = await t.http.post(`/v1/cases/${caseId}/notes`).set(h.clerkX).send({ body }).expect(400);
      expect(res.body.errors[0].pointer).toBe('/body');
    }
    await t.http.post(`/v1/cases/${caseId}/notes`).set(h.clerkX).send({ body: 'ok', extra: 1 }).expect(400);
    await t.http
      .post(`/v1/cases/${caseId}/notes`)
      .set(h.clerkX)
      .send({ body: 'x'.repeat(4000) })
      .expect(201);
    const key = `note-${uniq()}`;
    const first = await t.http
      .post(`/v1/cases/${caseId}/notes`)
      .set(h.clerkX)
      .set('Idempotency-Key', key)
      .send({ body: '同一意见只记一次' })
      .expect(201);
    const second = await t.http
      .post(`/v1/cases/${caseId}/notes`)
      .set(h.clerkX)
      .set('Idempotency-Key', key)
      .send({ body: '同一意见只记一次' })
      .expect(201);
    expect(second.body.id).toBe(first.body.id);
    expect(await notesInDb(caseId)).toBe(before + 2);
  });

  it('works over GraphQL and refuses other units there too', async () => {
    const gql = (query: string, variables: Record<string, unknown>, headers: Record<string, string>) =>
      t.http.post('/graphql').set('Content-Type', 'application/json').set(headers).send({ query, variables });
    const added = await gql(
      'mutation($input: AddCaseNoteInput!) { addCaseNote(input: $input) { id body author { id } } }',
      { input: { caseId, body: '图形接口意见' } },
      h.reviewerX,
    ).expect(200);
    expect(added.body.data.addCaseNote).toMatchObject({
      body: '图形接口意见',
      author: { id: ids.reviewerX },
    });
    const listed = await gql(
      'query($id: ID!) { caseNotes(caseId: $id, first: 100) { edges { node { id body } } pageInfo { hasNextPage } } }',
      { id: caseId },
      h.clerkX,
    );
    expect(listed.body.errors).toBeUndefined();
    expect(listed.body.data.caseNotes.edges.map((e: { node: { id: string } }) => e.node.id)).toContain(
      added.body.data.addCaseNote.id,
    );
    const refused = await gql(
      'mutation($input: AddCaseNoteInput!) { addCaseNote(input: $input) { id } }',
      { input: { caseId, body: '越权' } },
      h.clerkY,
    ).expect(200);
    expect(refused.body.errors[0].extensions.code).toBe('NOT_FOUND');
    const hidden = await gql(
      'query($id: ID!) { caseNotes(caseId: $id) { edges { node { id } } } }',
      { id: caseId },
      h.clerkY,
    );
    expect(hidden.body.errors[0].extensions.code).toBe('NOT_FOUND');
  });

  it('adds a note over GraphQL at most once per idempotencyKey and caller', () =>
    expectOncePerKey(t, {
      query: `mutation($input: AddCaseNoteInput!, $key: String) {
        addCaseNote(input: $input, idempotencyKey: $key) { id caseId body createdAt author { id displayName } } }`,
      callers: () => ['clerkX', 'reviewerX'],
      headers: (who) => h[who],
      fresh: async () => ({ input: { caseId, body: `一次意见-${uniq()}` } }),
      changed: (v) => ({ input: { caseId, body: `${(v.input as { body: string }).body}（改）` } }),
      effects: () => notesInDb(caseId),
      rest: (v) => ({
        path: `/v1/cases/${caseId}/notes`,
        body: { body: (v.input as { body: string }).body },
        status: 201,
      }),
    }));
});
