import type { Response } from 'supertest';
import { ErrorCode, problemType } from '../../src/api/errors/error-code';
import { startTestApp, TestApp } from '../support/test-app';

const PORTAL = 'https://portal.example.gov';
// Anything that looks like a leaked stack trace or source location.
const STACK_RE = /\bat \S+ \(|\.[jt]s:\d+|node_modules|\bError: /;

/** Every refusal is RFC 9457 problem+json with our extensions and nothing from the server's insides. */
function expectProblem(res: Response, status: number, code: ErrorCode): Record<string, unknown> {
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  const body = JSON.parse(res.text) as Record<string, unknown>;
  expect(body).toMatchObject({
    type: problemType(code),
    code,
    status,
    title: expect.any(String),
    detail: expect.any(String),
  });
  expect(body.requestId).toBe(res.headers['x-request-id']);
  expect(body.requestId).toEqual(expect.any(String));
  expect(res.text).not.toMatch(STACK_RE);
  return body;
}

describe('HTTP conventions', () => {
  let t: TestApp;
  beforeAll(async () => (t = await startTestApp({ BODY_LIMIT_KB: '1', CORS_ORIGINS: PORTAL })));
  afterAll(() => t.close());

  describe('errors are problem+json', () => {
    it('answers malformed JSON with 400 MALFORMED_JSON', async () => {
      const res = await t.http
        .post('/health/live')
        .set('Content-Type', 'application/json')
        .send('{"name": "x",');
      const body = expectProblem(res, 400, ErrorCode.MalformedJson);
      // body-parser's own message ("Unexpected end of JSON input") must not leak.
      expect(res.text).not.toMatch(/Unexpected|position/i);
      expect(body.instance).toBe('/health/live');
    });

    it('answers a body over BODY_LIMIT_KB with 413 PAYLOAD_TOO_LARGE', async () => {
      const big = JSON.stringify({ text: 'x'.repeat(2048) });
      const res = await t.http.post('/health/live').set('Content-Type', 'application/json').send(big);
      const body = expectProblem(res, 413, ErrorCode.PayloadTooLarge);
      expect(body.detail).toContain('1024');
    });

    it('still accepts a body under the limit (the 413 is about size, not the route)', async () => {
      const res = await t.http
        .post('/health/live')
        .set('Content-Type', 'application/json')
        .send({ text: 'x'.repeat(100) });
      // /health/live has no POST: the body parsed fine and routing answered.
      expectProblem(res, 405, ErrorCode.MethodNotAllowed);
    });

    it('answers an unknown route with 404 ROUTE_NOT_FOUND naming method and path', async () => {
      const res = await t.http.get('/v1/no-such-thing/42?x=1').set('Accept-Language', 'en');
      const body = expectProblem(res, 404, ErrorCode.RouteNotFound);
      expect(body.detail).toBe('No endpoint matches GET /v1/no-such-thing/42.');
      expect(body.instance).toBe('/v1/no-such-thing/42');
    });

    it('answers a wrong method on an existing path with 405 and Allow', async () => {
      const res = await t.http.delete('/health/live');
      expectProblem(res, 405, ErrorCode.MethodNotAllowed);
      expect(res.headers.allow).toBe('GET, HEAD');
    });
  });

  describe('language', () => {
    it('defaults to zh-CN and switches to en by Accept-Language, with Content-Language', async () => {
      const zh = await t.http.get('/nope');
      const en = await t.http.get('/nope').set('Accept-Language', 'en-GB,en;q=0.9');
      const fr = await t.http.get('/nope').set('Accept-Language', 'fr-FR, en;q=0.5');
      expect(expectProblem(zh, 404, ErrorCode.RouteNotFound).title).toBe('接口不存在');
      expect(expectProblem(en, 404, ErrorCode.RouteNotFound).title).toBe('No such endpoint');
      expect(expectProblem(fr, 404, ErrorCode.RouteNotFound).title).toBe('No such endpoint');
      expect(zh.headers['content-language']).toBe('zh-CN');
      expect(en.headers['content-language']).toBe('en');
      // type and code stay language-neutral
      expect(JSON.parse(zh.text).type).toBe(JSON.parse(en.text).type);
      expect(en.headers.vary).toMatch(/Accept-Language/i);
    });

    it('sets Content-Language on successful responses too', async () => {
      const res = await t.http.get('/health/live').set('Accept-Language', 'en').expect(200);
      expect(res.headers['content-language']).toBe('en');
    });
  });

  describe('request id', () => {
    it('echoes a well-formed X-Request-Id in the header and the problem body', async () => {
      const res = await t.http.get('/nope').set('X-Request-Id', 'portal-7f3a.01:9');
      expect(res.headers['x-request-id']).toBe('portal-7f3a.01:9');
      expect(expectProblem(res, 404, ErrorCode.RouteNotFound).requestId).toBe('portal-7f3a.01:9');
    });

    it('replaces a malformed or oversized X-Request-Id with a generated one', async () => {
      for (const bad of ['has spaces<script>', 'x'.repeat(129)]) {
        const res = await t.http.get('/nope').set('X-Request-Id', bad);
        expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
        expect(expectProblem(res, 404, ErrorCode.RouteNotFound).requestId).toBe(res.headers['x-request-id']);
      }
    });

    it('keeps the request id on errors raised while parsing the body', async () => {
      const res = await t.http
        .post('/nope')
        .set('X-Request-Id', 'parse-err-1')
        .set('Content-Type', 'application/json')
        .send('{');
      expect(expectProblem(res, 400, ErrorCode.MalformedJson).requestId).toBe('parse-err-1');
    });
  });

  describe('security headers', () => {
    it.each([
      ['a success', '/health/live', 200],
      ['a problem', '/nope', 404],
    ])('are present on %s', async (_what, path, status) => {
      const res = await t.http.get(path).expect(status);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
      expect(res.headers['strict-transport-security']).toMatch(/max-age=\d+/);
      expect(res.headers['referrer-policy']).toBe('no-referrer');
      expect(res.headers['content-security-policy']).toContain("default-src 'self'");
      expect(res.headers['cross-origin-opener-policy']).toBe('same-origin');
      expect(res.headers['x-powered-by']).toBeUndefined();
      // never Express's weak ETags: they are not concurrency tokens
      expect(res.headers.etag ?? '').not.toMatch(/^W\//);
    });
  });

  describe('CORS', () => {
    it('answers a preflight from an allowed origin', async () => {
      const res = await t.http
        .options('/health/live')
        .set('Origin', PORTAL)
        .set('Access-Control-Request-Method', 'GET')
        .set('Access-Control-Request-Headers', 'Authorization, Idempotency-Key');
      expect(res.status).toBe(204);
      expect(res.headers['access-control-allow-origin']).toBe(PORTAL);
      expect(res.headers['access-control-allow-credentials']).toBe('true');
      expect(res.headers['access-control-max-age']).toBe('600');
      expect(res.headers.vary).toMatch(/Origin/);
    });

    it('lets an allowed origin read the response and our headers', async () => {
      const res = await t.http.get('/health/live').set('Origin', PORTAL).expect(200);
      expect(res.headers['access-control-allow-origin']).toBe(PORTAL);
      const exposed = String(res.headers['access-control-expose-headers']).split(/,\s*/);
      expect(exposed).toEqual(
        expect.arrayContaining(['X-Request-Id', 'RateLimit', 'RateLimit-Policy', 'Retry-After', 'ETag']),
      );
    });

    it('gives any other origin no Access-Control-Allow-Origin, preflight or not', async () => {
      for (const origin of ['https://evil.example', 'https://portal.example.gov.evil.example', 'null']) {
        const pre = await t.http
          .options('/health/live')
          .set('Origin', origin)
          .set('Access-Control-Request-Method', 'GET');
        expect(pre.headers['access-control-allow-origin']).toBeUndefined();
        const get = await t.http.get('/health/live').set('Origin', origin).expect(200);
        expect(get.headers['access-control-allow-origin']).toBeUndefined();
        expect(get.headers['access-control-allow-credentials']).toBeUndefined();
      }
    });
  });

  // Validation failures (unknown fields refused by forbidNonWhitelisted, wrong types) need a body-accepting
  // endpoint; they are covered against POST /v1/organisations by the organisations specs.
});
