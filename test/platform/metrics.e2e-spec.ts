import { get as httpGet } from 'node:http';
import { ConfigError, loadConfig } from '../../src/config/config';
import { MetricsServer } from '../../src/modules/platform/metrics/metrics-server';
import { startTestApp, startTestAppOnFreshDatabase, TestApp } from '../support/test-app';
import { productionEnv } from '../support/production-env';

/** The value of one sample line, e.g. `name{a="b"} 3`, or undefined when the series is absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

const liveCount = 'http_request_duration_seconds_count{method="GET",route="/health/live",status="200"}';

describe('metrics', () => {
  let t: TestApp;
  beforeAll(async () => (t = await startTestApp({ RATE_LIMIT_ANONYMOUS: '1' })));
  afterAll(() => t?.close());

  it('serves Prometheus text with default process metrics', async () => {
    const res = await t.http.get('/metrics').expect(200);
    expect(res.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.text).toContain('# TYPE process_cpu_user_seconds_total counter');
    expect(res.text).toContain('# TYPE nodejs_heap_size_used_bytes gauge');
    expect(res.text).toContain('# TYPE http_request_duration_seconds histogram');
  });

  it('times requests by route pattern, method and status, never by raw URL', async () => {
    const before = sample((await t.http.get('/metrics')).text, liveCount) ?? 0;
    await t.http.get('/health/live?cache-buster=1').expect(200);
    await t.http.get('/health/live').expect(200);
    await t.http.delete('/health/live').expect(405);
    await t.http.get('/no/such/path/0190a0b6-1234').expect(404);
    const id = 'not-a-uuid-7f3a';
    await t.http.get(`/v1/organisations/${id}`);

    const text = (await t.http.get('/metrics')).text;
    expect(sample(text, liveCount)).toBe(before + 2);
    expect(
      sample(text, 'http_request_duration_seconds_count{method="DELETE",route="unmatched",status="405"}'),
    ).toBeGreaterThanOrEqual(1);
    expect(
      sample(text, 'http_request_duration_seconds_count{method="GET",route="unmatched",status="404"}'),
    ).toBeGreaterThanOrEqual(1);
    expect(text).toMatch(
      /http_request_duration_seconds_count\{method="GET",route="\/v1\/organisations\/:id",status="\d{3}"\} \d+/,
    );
    expect(text).toContain(
      'http_request_duration_seconds_bucket{le="0.005",method="GET",route="/health/live",status="200"}',
    );
    // nothing from the raw URLs leaks into label values
    expect(text).not.toMatch(/cache-buster|no\/such|0190a0b6|not-a-uuid/);
  });

  it('counts GraphQL requests under the /graphql route', async () => {
    await t.http
      .post('/graphql')
      .set('Content-Type', 'application/json')
      .send({ query: '{ apiInfo { name } }' })
      .expect(200);
    const text = (await t.http.get('/metrics')).text;
    expect(
      sample(text, 'http_request_duration_seconds_count{method="POST",route="/graphql",status="200"}'),
    ).toBeGreaterThanOrEqual(1);
  });

  it('is public, exempt from the rate limit, and absent from the OpenAPI document', async () => {
    // RATE_LIMIT_ANONYMOUS=1, and this file has scraped several times already
    for (let i = 0; i < 3; i++) {
      const res = await t.http.get('/metrics').expect(200);
      expect(res.headers.ratelimit).toBeUndefined();
    }
    const doc = (await t.http.get('/openapi.json').expect(200)).body as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths).length).toBeGreaterThan(0);
    expect(Object.keys(doc.paths).filter((p) => p.includes('metrics'))).toEqual([]);
  });

  it("keeps one registry per app: a fresh app does not report the previous one's requests", async () => {
    for (let i = 0; i < 3; i++) await t.http.get('/health/live').expect(200);
    expect(sample((await t.http.get('/metrics')).text, liveCount)).toBeGreaterThanOrEqual(5);
    await t.close();
    t = await startTestApp();
    await t.http.get('/health/live').expect(200);
    expect(sample((await t.http.get('/metrics')).text, liveCount)).toBe(1);
  });
});

// Production boots run on a database of their own (startTestAppOnFreshDatabase): production
// refuses one holding the demo credentials, which the run's shared database may by then hold.

const TOKEN = 'scrape-0123456789abcdef0123456789';

/** GET on the separate listener, with Node's own client (supertest would need an app). */
function scrape(port: number, headers: Record<string, string> = {}, path = '/metrics') {
  return new Promise<{ status: number; headers: Record<string, unknown>; text: string }>(
    (resolve, reject) => {
      const req = httpGet({ host: '127.0.0.1', port, path, headers, agent: false }, (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (s: string) => (text += s));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, text }));
      });
      req.on('error', reject);
    },
  );
}

describe('who may scrape /metrics', () => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('in production, without METRICS_TOKEN or METRICS_PORT, is nobody on the main port (404 problem+json)', async () => {
    t = await startTestAppOnFreshDatabase(productionEnv());
    for (const headers of [{}, { Authorization: 'Bearer anything' }]) {
      const res = await t.http.get('/metrics').set(headers).set('Accept-Language', 'en');
      expect(res.status).toBe(404);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(JSON.parse(res.text)).toMatchObject({ code: 'ROUTE_NOT_FOUND', status: 404 });
      expect(res.text).not.toContain('http_request_duration_seconds');
    }
    // the rest of the API is served as usual
    await t.http.get('/health/live').expect(200);
  });

  it('with METRICS_TOKEN, is whoever presents it as a bearer token (401 otherwise)', async () => {
    t = await startTestAppOnFreshDatabase(productionEnv({ METRICS_TOKEN: TOKEN }));
    for (const authorization of [
      undefined,
      `Bearer ${TOKEN}x`,
      `Bearer ${TOKEN.slice(1)}`,
      `Basic ${TOKEN}`,
      TOKEN,
    ]) {
      const req = t.http.get('/metrics');
      const res = await (authorization ? req.set('Authorization', authorization) : req);
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Bearer realm="metrics"');
      expect(JSON.parse(res.text)).toMatchObject({ code: 'UNAUTHENTICATED', status: 401 });
      expect(res.text).not.toContain('http_request_duration_seconds');
    }
    await t.http.get('/health/live').expect(200);
    const res = await t.http.get('/metrics').set('Authorization', `Bearer ${TOKEN}`).expect(200);
    expect(res.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(res.text).toMatch(
      /^http_request_duration_seconds_count\{method="GET",route="\/health\/live",status="200"\} 1$/m,
    );
    expect(res.text).toContain('# TYPE process_cpu_user_seconds_total counter');
  });

  it('with METRICS_PORT, is served on its own listener and not on the main port', async () => {
    t = await startTestApp({ METRICS_PORT: '0' });
    const port = t.app.get(MetricsServer).port!;
    expect(port).toBeGreaterThan(0);
    const main = await t.http.get('/metrics');
    expect(main.status).toBe(404);
    expect(JSON.parse(main.text)).toMatchObject({ code: 'ROUTE_NOT_FOUND' });
    await t.http.get('/health/live').expect(200);

    const res = await scrape(port);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(res.headers['cache-control']).toBe('no-store');
    // the same registry: it counted the main port's requests
    expect(sample(res.text, liveCount)).toBe(1);
    expect((await scrape(port, {}, '/health/live')).status).toBe(404);
    expect((await scrape(port, {}, '/v1/services')).status).toBe(404);

    await t.close();
    t = undefined;
    await expect(scrape(port)).rejects.toThrow(/ECONNREFUSED/);
  });

  it('with METRICS_PORT and METRICS_TOKEN, the listener asks for the token too', async () => {
    t = await startTestAppOnFreshDatabase(productionEnv({ METRICS_PORT: '0', METRICS_TOKEN: TOKEN }));
    const port = t.app.get(MetricsServer).port!;
    expect((await scrape(port)).status).toBe(401);
    expect((await scrape(port, { Authorization: `Bearer ${TOKEN}x` })).status).toBe(401);
    const res = await scrape(port, { Authorization: `Bearer ${TOKEN}` });
    expect(res.status).toBe(200);
    expect(res.text).toContain('# TYPE http_request_duration_seconds histogram');
    // and the main port takes the token as well
    await t.http.get('/metrics').set('Authorization', `Bearer ${TOKEN}`).expect(200);
  });

  it('validates its settings at boot', () => {
    const load = (env: Record<string, string>) => () => loadConfig({ NODE_ENV: 'test', ...env });
    expect(load({ METRICS_TOKEN: 'short' })).toThrow(ConfigError);
    expect(load({ METRICS_TOKEN: `${TOKEN} space` })).toThrow(ConfigError);
    expect(load({ METRICS_PORT: '3000', PORT: '3000' })).toThrow('METRICS_PORT must differ from PORT (3000)');
    expect(load({ METRICS_PORT: 'x' })).toThrow(ConfigError);
    expect(load({ METRICS_HOST: 'metrics.internal', METRICS_PORT: '9100' })).toThrow(ConfigError);
    expect(load({ METRICS_PORT: '9100', METRICS_HOST: '0.0.0.0' })().metrics).toEqual({
      port: 9100,
      host: '0.0.0.0',
      token: null,
    });
  });
});
