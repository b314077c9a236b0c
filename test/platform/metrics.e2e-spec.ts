import { startTestApp, TestApp } from '../support/test-app';

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
