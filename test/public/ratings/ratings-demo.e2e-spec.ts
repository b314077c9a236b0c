import { DEMO_PASSWORD, seedDemoData } from '../../../src/modules/platform/demo/demo-seed';
import { startTestApp, TestApp } from '../../support/test-app';

/** The demo ratings: four rated hall visits of the registration section, one bad and real-name. */
describe('ratings demo data', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMIT_ANONYMOUS: '100000', RATE_LIMIT_AUTHENTICATED: '100000' });
  });
  afterAll(() => t?.close());

  it('seeds rated visits and a rectification the demo clerk works, idempotently', async () => {
    await seedDemoData(t.app);
    await seedDemoData(t.app);
    const [unit] = await t.db.query<{ organisation_id: string; n: number; bad: number }>(
      `SELECT rc.organisation_id, count(*)::int AS n, count(*) FILTER (WHERE r.score <= 2)::int AS bad
       FROM rating r JOIN rating_code rc ON rc.id::text = r.item_id
       JOIN organisation o ON o.id = rc.organisation_id AND o.name LIKE '%登记注册科%'
       GROUP BY rc.organisation_id`,
    );
    expect(unit).toMatchObject({ n: 4, bad: 1 });
    const figures = await t.http.get(`/v1/rating-figures/units/${unit.organisation_id}`).expect(200);
    expect(figures.body).toMatchObject({ total: 4, bad: 1, satisfactionRate: 0.75, rectificationsDue: 1 });
    const login = await t.http
      .post('/v1/auth/login')
      .send({ login: 'clerk.a', password: DEMO_PASSWORD })
      .expect(200);
    const tasks = await t.http
      .get('/v1/tasks')
      .set('Authorization', `Bearer ${login.body.accessToken}`)
      .expect(200);
    expect(tasks.body.items.some((task: { caseNumber: string }) => task.caseNumber.startsWith('ZG-'))).toBe(
      true,
    );
  });
});
