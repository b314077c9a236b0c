import { HealthService } from '../../src/modules/platform/health/health.service';
import { startTestApp, TestApp } from '../support/test-app';

describe('health', () => {
  let t: TestApp;
  beforeAll(async () => (t = await startTestApp()));
  afterAll(() => t.close());

  it('answers liveness without touching the database', async () => {
    const res = await t.http.get('/health/live').expect(200);
    expect(res.body.status).toBe('ok');
  });

  it('answers readiness after checking the database', async () => {
    const res = await t.http.get('/health/ready').expect(200);
    expect(res.body).toMatchObject({ status: 'ok', checks: { database: 'up' } });
  });

  it('echoes a given request id and generates one otherwise', async () => {
    const given = await t.http.get('/health/live').set('X-Request-Id', 'abc-123').expect(200);
    expect(given.headers['x-request-id']).toBe('abc-123');
    const generated = await t.http.get('/health/live').expect(200);
    expect(generated.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('health while draining (after SIGTERM, before the listener closes)', () => {
  let t: TestApp;
  beforeAll(async () => (t = await startTestApp()));
  afterAll(() => t.close());
  // supertest asks for Connection: close unless told otherwise; a browser or a proxy asks for keep-alive.
  const get = (path: string) => t.http.get(path).set('Connection', 'keep-alive');

  it('answers readiness 503 with Retry-After, keeps serving, and asks every client to close its connection', async () => {
    const before = await get('/health/ready').expect(200);
    expect(before.headers.connection).toBe('keep-alive');

    t.app.get(HealthService).markShuttingDown();

    const ready = await get('/health/ready').set('Accept-Language', 'en');
    expect(ready.status).toBe(503);
    expect(ready.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(JSON.parse(ready.text)).toMatchObject({ status: 503, code: 'SERVICE_UNAVAILABLE' });
    expect(ready.headers['retry-after']).toBe('5');
    expect(ready.headers.connection).toBe('close');
    // still serving meanwhile, success and errors alike, each telling the client to reconnect
    const live = await get('/health/live').expect(200);
    expect(live.headers.connection).toBe('close');
    const gql = await t.http
      .post('/graphql')
      .set('Connection', 'keep-alive')
      .send({ query: '{ apiInfo { name } }' })
      .expect(200);
    expect(gql.body.data.apiInfo.name).toBe('OneWindow');
    expect(gql.headers.connection).toBe('close');
    const missing = await get('/no/such/route').expect(404);
    expect(missing.headers.connection).toBe('close');
  });
});
