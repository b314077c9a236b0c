import { CaseFile } from '../../../src/modules/internal/workflow/case.entity';
import { Complaint } from '../../../src/modules/public/complaints/complaint.entity';
import { uniq } from '../../identity/staff-fixtures';
import { startTestApp, type TestApp } from '../../support/test-app';
import { complaintsCast, type ComplaintsCast, roadFiling } from './complaints-fixtures';

/**
 * Issue 13 §2, categories: the tree (public), new categories with their default workflow and the
 * time limits per category × urgency × region (complaint:manage over the dispatch centre).
 */
let t: TestApp;
let cast: ComplaintsCast;

interface Filed {
  id: string;
  number: string;
  trackingCode: string;
  duplicate: boolean;
}

const count = async (sql: string, params: unknown[] = []) =>
  Number((await t.db.query<{ n: string }>(`SELECT count(*) AS n FROM ${sql}`, params))[0].n);

async function file(body: Record<string, unknown>, headers: Record<string, string> = {}): Promise<Filed> {
  const res = await t.http.post('/v1/complaints').set(headers).send(body);
  if (res.status !== 201) throw new Error(`file: ${res.status} ${res.text}`);
  return res.body as Filed;
}

beforeAll(async () => {
  t = await startTestApp();
  cast = await complaintsCast(t);
});

afterAll(() => t?.close());

describe('complaint categories and their time limits', () => {
  it('takes the time limit from the table: urgency, category, region', async () => {
    const life = await file(roadFiling(cast, { urgency: 'life_safety' }), cast.tok(cast.citizen));
    const policy = await file(
      { ...roadFiling(cast), categoryCode: cast.codes.policy, attributes: {} },
      cast.tok(cast.citizen),
    );
    const limitOf = async (id: string) => {
      const { caseId } = await t.db.repo(Complaint).findOneByOrFail({ id });
      return (await t.db.repo(CaseFile).findOneByOrFail({ id: caseId! })).limit;
    };
    expect(await limitOf(life.id)).toEqual({ amount: 2, unit: 'hours' });
    expect(await limitOf(policy.id)).toEqual({ amount: 3, unit: 'working_days' });
    // the manager sets 5 working days for the road category in the region
    const set = await t.http
      .post(`/v1/complaint-categories/${cast.codes.road}/time-limits`)
      .set(cast.tok(cast.manager))
      .send({ regionCode: '990000', urgency: 'normal', amount: 5, unit: 'working_days' })
      .expect(200);
    expect(set.body).toEqual({ regionCode: '990000', urgency: 'normal', amount: 5, unit: 'working_days' });
    const road = await file(roadFiling(cast), cast.tok(cast.citizen));
    expect(await limitOf(road.id)).toEqual({ amount: 5, unit: 'working_days' });
    // nobody else sets limits
    for (const p of [cast.dispatcher, cast.citizen, cast.supervisor])
      await t.http
        .post(`/v1/complaint-categories/${cast.codes.road}/time-limits`)
        .set(cast.tok(p))
        .send({ urgency: 'normal', amount: 1, unit: 'hours' })
        .expect(403);
    await t.http
      .post(`/v1/complaint-categories/${cast.codes.road}/time-limits`)
      .set(cast.tok(cast.manager))
      .send({ urgency: 'normal', amount: 0, unit: 'hours' })
      .expect(400);
  });

  it('lets the dispatch centre manager add a category, which takes orders at once', async () => {
    const code = `m${uniq()}.leak`;
    const texts = { 'zh-CN': '漏水', en: 'Leak' };
    const body = {
      code,
      assignable: true,
      kind: 'help',
      name: texts,
      description: texts,
      groupName: texts,
      keywords: ['水'],
      attributes: [
        {
          code: 'floor',
          datatype: 'number',
          required: true,
          order: 1,
          description: { 'zh-CN': '楼层', en: 'Floor' },
          values: [],
        },
      ],
      organisationId: cast.units.hotline,
      regionCode: '990000',
      dispatchUnits: [cast.units.housing],
    };
    const bad: Array<[Record<string, unknown>, string]> = [
      [
        {
          attributes: [
            {
              code: 'Bad Code',
              datatype: 'number',
              required: true,
              order: 1,
              description: texts,
              values: [],
            },
          ],
        },
        '/attributes/0',
      ],
      [
        {
          attributes: [
            {
              code: 'x',
              datatype: 'singlevaluelist',
              required: true,
              order: 1,
              description: texts,
              values: [],
            },
          ],
        },
        '/attributes/0',
      ],
      [{ dispatchUnits: ['01900000-0000-7000-8000-000000000000'] }, '/dispatchUnits/0'],
      [{ parentCode: 'no.parent' }, '/parentCode'],
      [{ name: { 'zh-CN': '', en: 'x' } }, '/name/zh-CN'],
      [{ kind: 'rant' }, '/kind'],
    ];
    for (const [over, pointer] of bad) {
      const res = await t.http
        .post('/v1/complaint-categories')
        .set(cast.tok(cast.manager))
        .send({ ...body, ...over });
      expect([res.status, (res.body.errors as Array<{ pointer: string }>).map((e) => e.pointer)]).toEqual([
        400,
        expect.arrayContaining([pointer]),
      ]);
    }
    const before = await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM complaint_category');
    const outside = await t.http
      .post('/v1/complaint-categories')
      .set(cast.tok(cast.manager))
      .send({ ...body, organisationId: cast.units.other });
    expect([outside.status, outside.body.code]).toEqual([404, 'NOT_FOUND']);
    expect(await t.db.query('SELECT count(*)::int AS n FROM complaint_category')).toEqual(before);
    for (const p of [cast.dispatcher, cast.supervisor, cast.citizen])
      await t.http.post('/v1/complaint-categories').set(cast.tok(p)).send(body).expect(403);
    await t.http.post('/v1/complaint-categories').send(body).expect(401);
    expect(await count('complaint_category WHERE code = $1', [code])).toBe(0);
    const created = await t.http
      .post('/v1/complaint-categories')
      .set(cast.tok(cast.manager))
      .send(body)
      .expect(201);
    expect(created.body).toMatchObject({ code, kind: 'help', name: '漏水', assignable: true });
    await t.http.post('/v1/complaint-categories').set(cast.tok(cast.manager)).send(body).expect(409);
    const filed = await file(
      {
        categoryCode: code,
        description: '楼上漏水',
        attributes: { floor: '3' },
        anonymous: true,
        channel: 'portal',
      },
      cast.tok(cast.citizen),
    );
    const { caseId } = await t.db.repo(Complaint).findOneByOrFail({ id: filed.id });
    expect((await t.db.repo(CaseFile).findOneByOrFail({ id: caseId! })).limit).toEqual({
      amount: 3,
      unit: 'working_days',
    });
    const bad2 = await t.http.post('/v1/complaints').send({
      categoryCode: code,
      description: 'x',
      attributes: { floor: 'third' },
      anonymous: true,
      channel: 'portal',
    });
    expect((bad2.body.errors as Array<{ pointer: string }>).map((e) => e.pointer)).toEqual([
      '/attributes/floor',
    ]);
  });

  it('lists the category tree to anyone, in the caller language', async () => {
    const zh = await t.http.get('/v1/complaint-categories').expect(200);
    const road = (zh.body as Array<{ code: string }>).find((k) => k.code === cast.codes.road);
    expect(road).toMatchObject({ name: '道路破损', kind: 'complaint', assignable: true });
    const en = await t.http
      .get(`/v1/complaint-categories/${cast.codes.road}`)
      .set('Accept-Language', 'en')
      .expect(200);
    expect(en.body).toMatchObject({
      name: 'Damaged road',
      attributes: [
        {
          code: 'size',
          required: true,
          values: [
            { key: 'small', name: 'small' },
            { key: 'large', name: 'large' },
          ],
        },
      ],
    });
    await t.http.get('/v1/complaint-categories/nothing.here').expect(404);
  });
});
