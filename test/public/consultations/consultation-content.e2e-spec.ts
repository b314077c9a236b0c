import { startTestApp, TestApp } from '../../support/test-app';
import { answer, ask, Cast, ConsultationBody, makeCast, question } from './consultation-fixtures';

describe('consultations (咨询): answer templates and FAQs on the guide', () => {
  let t: TestApp;
  let cast: Cast;
  const count = async (sql: string, params: unknown[]): Promise<number> =>
    (await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${sql}`, params))[0].n;

  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMIT_ANONYMOUS: '100000', RATE_LIMIT_AUTHENTICATED: '100000' });
    cast = await makeCast(t);
  });
  afterAll(() => t?.close());

  describe('answer templates (答复模板)', () => {
    let templateId: string;
    const body = { organisationId: '', title: '材料清单', body: '请携带身份证原件及复印件一份。' };

    it('are managed per unit by its template managers only', async () => {
      const create = (h: Record<string, string>, b: Record<string, unknown>) =>
        t.http.post('/v1/consultation-templates').set(h).send(b);
      expect((await create(cast.supervisorY, { ...body, organisationId: cast.X })).status).toBe(404);
      expect((await create(cast.handlerX.h, { ...body, organisationId: cast.X })).status).toBe(201);
      expect((await create(cast.auditorX, { ...body, organisationId: cast.X })).status).toBe(403);
      expect((await create(cast.asker.h, { ...body, organisationId: cast.X })).status).toBe(403);
      expect((await create(cast.supervisorX, { ...body, organisationId: cast.X, title: '' })).status).toBe(
        400,
      );
      const dup = await create(cast.supervisorX, { ...body, organisationId: cast.X });
      expect(dup.status).toBe(400);
      expect(dup.body.errors[0].pointer).toBe('/title');
      const made = await create(cast.supervisorX, { ...body, organisationId: cast.X, title: '办理时间' });
      expect(made.status).toBe(201);
      templateId = made.body.id as string;
      expect(await count('consultation_template WHERE organisation_id = $1', [cast.X])).toBe(2);
    });

    it('are listed to the unit’s staff, 404 to other units', async () => {
      const list = await t.http
        .get(`/v1/consultation-templates?organisationId=${cast.X}`)
        .set(cast.handlerX.h);
      expect(list.status).toBe(200);
      expect(list.body.items.map((i: { title: string }) => i.title).sort()).toEqual(['办理时间', '材料清单']);
      expect(
        (await t.http.get(`/v1/consultation-templates?organisationId=${cast.X}`).set(cast.handlerY)).status,
      ).toBe(404);
      expect((await t.http.get('/v1/consultation-templates').set(cast.handlerX.h)).status).toBe(400);
    });

    it('are replaced with If-Match and deleted', async () => {
      const put = (h: Record<string, string>, etag?: string) => {
        const req = t.http.put(`/v1/consultation-templates/${templateId}`).set(h);
        return (etag ? req.set('If-Match', etag) : req).send({
          title: '办理时间',
          body: '工作日 9:00-17:00。',
        });
      };
      expect((await put(cast.supervisorX)).status).toBe(428);
      expect((await put(cast.supervisorX, '"v9"')).status).toBe(412);
      expect((await put(cast.supervisorY, '"v1"')).status).toBe(404);
      const ok = await put(cast.supervisorX, '"v1"');
      expect(ok.status).toBe(200);
      expect(ok.body).toMatchObject({ body: '工作日 9:00-17:00。', version: 2 });
      const c = await ask(t, cast.asker.h, { serviceId: cast.serviceId, question: question('几点上班') });
      const done = await answer(t, cast.handlerX.h, c.id, { templateId });
      expect(done.messages[1].text).toBe('工作日 9:00-17:00。');
      // A template of another unit cannot be used.
      const other = await t.http
        .post('/v1/consultation-templates')
        .set(cast.supervisorY)
        .send({ organisationId: cast.Y, title: '乙区模板', body: '乙区答复' });
      const c2 = await ask(t, cast.asker.h, { serviceId: cast.serviceId, question: question() });
      const refused = await t.http
        .post(`/v1/consultations/${c2.id}/answer`)
        .set(cast.handlerX.h)
        .send({ templateId: other.body.id });
      expect(refused.status).toBe(400);
      expect(refused.body.errors[0].pointer).toBe('/templateId');
      expect(
        (await t.http.delete(`/v1/consultation-templates/${templateId}`).set(cast.supervisorY)).status,
      ).toBe(404);
      expect(
        (await t.http.delete(`/v1/consultation-templates/${templateId}`).set(cast.supervisorX)).status,
      ).toBe(204);
      expect(await count('consultation_template WHERE id = $1', [templateId])).toBe(0);
    });
  });

  describe('FAQs on the service guide (常见问题)', () => {
    let c: ConsultationBody;
    const guideFaq = async (): Promise<Array<{ q: string; a: string }>> => {
      const res = await t.http.get(`/v1/services/${cast.serviceId}`);
      expect(res.status).toBe(200);
      return res.body.guide.faq as Array<{ q: string; a: string }>;
    };
    const faq = { question: '可以请家人代办吗？', answer: '可以，代办人需携带委托书和双方身份证。' };

    beforeAll(async () => {
      c = await ask(t, cast.asker.h, {
        serviceId: cast.serviceId,
        question: question('我叫王小明，电话13912345678，可以让我妈代办吗'),
      });
    });

    it('refuses before the answer, to the wrong people and for unit questions', async () => {
      const post = (h: Record<string, string>, id = c.id, body: Record<string, unknown> = faq) =>
        t.http.post(`/v1/consultations/${id}/faq`).set(h).send(body);
      expect((await post(cast.supervisorX)).status).toBe(409);
      await answer(t, cast.handlerX.h, c.id, { text: '可以，需委托书。' });
      expect((await post(cast.handlerX.h)).status).toBe(403);
      expect((await post(cast.asker.h)).status).toBe(403);
      expect((await post(cast.supervisorY)).status).toBe(404);
      expect((await post(cast.supervisorX, c.id, { question: '', answer: 'x' })).status).toBe(400);
      expect((await post(cast.supervisorX, c.id, { ...faq, language: 'fr' })).status).toBe(400);
      const unitQ = await ask(t, cast.asker.h, { organisationId: cast.X, question: question() });
      await answer(t, cast.handlerX.h, unitQ.id, { text: '答复' });
      expect((await post(cast.supervisorX, unitQ.id)).status).toBe(409);
      // none of this test's refusals left an FAQ (other spec files share the database)
      expect(await count('consultation_faq WHERE consultation_id = ANY($1)', [[c.id, unitQ.id]])).toBe(0);
    });

    it('publishes the staff wording on the guide at once (cache dropped), never the asker’s', async () => {
      const before = await guideFaq(); // cached now
      expect(before).not.toContainEqual({ q: faq.question, a: faq.answer });
      const res = await t.http.post(`/v1/consultations/${c.id}/faq`).set(cast.supervisorX).send(faq);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ ...faq, language: 'zh-CN', serviceId: cast.serviceId });
      const after = await guideFaq();
      expect(after).toEqual([...before, { q: faq.question, a: faq.answer }]);
      const page = JSON.stringify(after);
      expect(page).not.toContain('王小明');
      expect(page).not.toContain('13912345678');
      // English guide readers do not get a zh-CN entry.
      const en = await t.http.get(`/v1/services/${cast.serviceId}`).set('Accept-Language', 'en');
      expect(JSON.stringify(en.body.guide.faq)).not.toContain(faq.question);
      // Rewording replaces the entry.
      await t.http
        .post(`/v1/consultations/${c.id}/faq`)
        .set(cast.supervisorX)
        .send({ ...faq, answer: '可以。' });
      expect(await guideFaq()).toContainEqual({ q: faq.question, a: '可以。' });
      expect(await count('consultation_faq WHERE consultation_id = $1', [c.id])).toBe(1);
      const view = await t.http.get(`/v1/consultations/${c.id}`).set(cast.asker.h);
      expect(view.body.faq).toMatchObject({ question: faq.question, answer: '可以。' });
    });

    it('withdraws it from the guide', async () => {
      expect((await t.http.delete(`/v1/consultations/${c.id}/faq`).set(cast.supervisorY)).status).toBe(404);
      expect((await t.http.delete(`/v1/consultations/${c.id}/faq`).set(cast.supervisorX)).status).toBe(204);
      expect(await guideFaq()).not.toContainEqual(expect.objectContaining({ q: faq.question }));
      expect((await t.http.delete(`/v1/consultations/${c.id}/faq`).set(cast.supervisorX)).status).toBe(404);
    });
  });
});
