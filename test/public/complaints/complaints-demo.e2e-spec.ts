import { Complaint } from '../../../src/modules/public/complaints/complaint.entity';
import { DEMO_PASSWORD, seedDemoData } from '../../../src/modules/platform/demo/demo-seed';
import { startTestApp, type TestApp } from '../../support/test-app';

/** Issue 13 §2: the 12345 demo (dispatch centre, units, staff, categories, open and closed orders). */
let t: TestApp;

beforeAll(async () => {
  t = await startTestApp({ RATE_LIMIT_ANONYMOUS: '100000' });
  await seedDemoData(t.app);
});

afterAll(() => t?.close());

const login = async (login: string) => {
  const res = await t.http.post('/v1/auth/login').send({ login, password: DEMO_PASSWORD }).expect(200);
  return { Authorization: `Bearer ${res.body.accessToken as string}` };
};

it('seeds the hotline, its categories with active workflows, and orders in every state, once', async () => {
  const demoOrders = () =>
    t.db.repo(Complaint).find({
      where: [
        { categoryCode: 'urban.road_damage' },
        { categoryCode: 'urban.noise' },
        { categoryCode: 'housing.property' },
      ],
    });
  const orders = await demoOrders();
  expect(orders.map((o) => [o.categoryCode, o.status, o.anonymous]).sort()).toEqual([
    ['housing.property', 'open', false],
    ['urban.noise', 'open', true],
    ['urban.road_damage', 'closed', false],
  ]);
  const active = await t.db.query<{ subject_key: string }>(
    "SELECT subject_key FROM workflow_definition WHERE case_type = 'complaint' AND state = 'active' AND subject_key LIKE ANY(ARRAY['urban.%', 'housing.%']) ORDER BY 1",
  );
  expect(active.map((r) => r.subject_key)).toEqual([
    'housing.policy',
    'housing.property',
    'urban.noise',
    'urban.road_damage',
    'urban.suggestion',
  ]);
  await seedDemoData(t.app);
  expect(await demoOrders()).toHaveLength(3);
  // the dispatcher works the open ones; the supervisor sees the hot spots; a handler of the road order unmasks it
  const dispatcher = await login('dispatcher.12345');
  const list = await t.http.get('/v1/complaints?limit=100').set(dispatcher).expect(200);
  expect((list.body.items as Array<{ number: string }>).length).toBeGreaterThanOrEqual(3);
  const supervisor = await login('supervisor.12345');
  const hot = await t.http.get('/v1/complaints/hotspots').set(supervisor).expect(200);
  expect((hot.body as Array<{ categoryCode: string }>).map((h) => h.categoryCode)).toEqual(
    expect.arrayContaining(['urban.road_damage', 'urban.noise']),
  );
  const road = orders.find((o) => o.categoryCode === 'urban.road_damage')!;
  const handler = await login('handler.urban');
  const seen = await t.http.get(`/v1/complaints/${road.id}?unmask=contact`).set(handler).expect(200);
  expect(seen.body).toMatchObject({
    status: 'closed',
    satisfaction: 'satisfied',
    contact: { name: '张三', masked: false },
  });
});
