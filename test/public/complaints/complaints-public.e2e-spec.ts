import { ComplaintsPublic } from '../../../src/modules/public/complaints/complaints-public';
import { RequestContext } from '../../../src/api/context/request-context';
import { startTestApp, type TestApp } from '../../support/test-app';
import { complaintsCast, type ComplaintsCast, filer } from './complaints-fixtures';

/** Issue 13 §2: hot spots for supervisors and the Open311 service layer (ComplaintsPublic). */
let t: TestApp;
let cast: ComplaintsCast;

const file = filer(
  () => t,
  () => cast,
);

beforeAll(async () => {
  t = await startTestApp();
  cast = await complaintsCast(t);
});

afterAll(() => t?.close());

describe('hot spots and the Open311 service layer', () => {
  it('counts by category × region × week and lists map cells, for supervisors in scope', async () => {
    await file({ lat: 31.2301, long: 121.4701 }, cast.citizen);
    await file({ lat: 31.2302, long: 121.4702 }, cast.stranger);
    const counts = await t.http
      .get(`/v1/complaints/hotspots?categoryCode=${cast.codes.road}`)
      .set(cast.tok(cast.supervisor))
      .expect(200);
    const total = (
      counts.body as Array<{ categoryCode: string; regionCode: string; week: string; count: number }>
    ).reduce((n, r) => n + r.count, 0);
    const expected = await t.db.query<{ n: string }>(
      'SELECT count(*) AS n FROM complaint WHERE category_code = $1 AND duplicate_of_id IS NULL',
      [cast.codes.road],
    );
    expect(total).toBe(Number(expected[0].n));
    expect(counts.body[0]).toMatchObject({
      categoryCode: cast.codes.road,
      regionCode: '990000',
      week: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
    });
    const map = await t.http
      .get(`/v1/complaints/hotspots/map?categoryCode=${cast.codes.road}&cell=0.01`)
      .set(cast.tok(cast.supervisor))
      .expect(200);
    expect(map.body).toContainEqual({
      lat: 31.235,
      long: 121.475,
      count: 2,
      topCategoryCode: cast.codes.road,
    });
    await t.http.get('/v1/complaints/hotspots').set(cast.tok(cast.dispatcher)).expect(403);
    await t.http.get('/v1/complaints/hotspots').expect(401);
    await t.http.get('/v1/complaints/hotspots?from=2026-13-01').set(cast.tok(cast.supervisor)).expect(400);
    await t.http
      .get('/v1/complaints/hotspots?from=2020-01-01T00:00:00Z&to=2026-01-01T00:00:00Z')
      .set(cast.tok(cast.supervisor))
      .expect(400);
    const gql = await t.http
      .post('/graphql')
      .set(cast.tok(cast.supervisor))
      .send({
        query: `query($c: String) { complaintHotspotMap(categoryCode: $c) { lat long count } }`,
        variables: { c: cast.codes.road },
      })
      .expect(200);
    expect(gql.body.data.complaintHotspotMap).toContainEqual({ lat: 31.235, long: 121.475, count: 2 });
  });

  it('files, lists, reads and follows up through ComplaintsPublic with no personal data out', async () => {
    const api = t.app.get(ComplaintsPublic);
    const ctx = new RequestContext('test-open311', 'en');
    const categories = await api.categories(ctx);
    expect(categories.find((k) => k.code === cast.codes.road)).toMatchObject({
      name: 'Damaged road',
      attributes: [{ code: 'size', variable: true, datatype: 'singlevaluelist', required: true }],
    });
    expect(await api.category(ctx, 'no.such')).toBeNull();
    await expect(
      api.file(ctx, { categoryCode: cast.codes.road, description: '', anonymous: true, channel: 'open311' }),
    ).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    const filed = await api.file(ctx, {
      categoryCode: cast.codes.road,
      description: '井盖缺失 call me 13800001111',
      lat: 30.1,
      long: 120.1,
      attributes: { size: 'small' },
      anonymous: false,
      firstName: 'Li',
      lastName: 'Si',
      email: 'li.si@example.com',
      channel: 'open311',
      deviceId: 'device-1',
    });
    expect(filed).toMatchObject({
      id: expect.stringMatching(/^GD/),
      trackingCode: expect.any(String),
      serviceNotice: null,
    });
    expect(await api.byToken(ctx, filed.trackingCode)).toEqual({ id: filed.id });
    expect(await api.byToken(ctx, 'nonsense')).toBeNull();
    const view = await api.get(ctx, filed.id);
    expect(view).toMatchObject({
      id: filed.id,
      status: 'open',
      extendedStatus: 'open',
      categoryName: 'Damaged road',
      lat: 30.1,
      long: 120.1,
    });
    expect(JSON.stringify(view)).not.toMatch(/13800001111|li\.si|"Li"/);
    expect((await api.list(ctx, { ids: [filed.id], limit: 10, offset: 0 })).map((v) => v.id)).toEqual([
      filed.id,
    ]);
    expect(await api.get(ctx, 'GD-none')).toBeNull();
    const update = await api.postUpdate(ctx, filed.id, {
      description: 'still there',
      email: 'li.si@example.com',
    });
    expect(update).toEqual({ updateId: expect.any(String) });
    expect(await api.postUpdate(ctx, 'GD-none', { description: 'x' })).toBeNull();
    await expect(
      api.postUpdate(ctx, filed.id, { description: 'reopen', status: 'reopen' }),
    ).rejects.toMatchObject({ code: 'COMPLAINT_NOT_REOPENABLE' });
    const updates = await api.updates(ctx, { from: new Date(Date.now() - 60_000), limit: 1000 });
    expect(updates.filter((u) => u.requestId === filed.id).map((u) => u.description)).toContain(
      'still there',
    );
    expect(JSON.stringify(updates)).not.toContain('li.si');
  });
});
