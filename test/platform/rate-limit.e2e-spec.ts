import { Controller, Get, Module, VERSION_NEUTRAL } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import request from 'supertest';
import type { Response } from 'supertest';
import { Allow, Public } from '../../src/api/auth/allow.decorator';
import { Permission } from '../../src/api/auth/permission';
import { ErrorCode, problemType } from '../../src/api/errors/error-code';
import { afterInit, configureHttp } from '../../src/api/http/configure-http';
import { SkipRateLimit } from '../../src/api/http/rate-limit.guard';
import { AppModule } from '../../src/app.module';
import { loadConfig } from '../../src/config/config';
import { Db } from '../../src/database/db';
import type { TestApp } from '../support/test-app';
import { scopedToken } from '../support/tokens';

// No REST endpoint yet is both rate-limited and answerable without data (health and metrics are
// exempt), so the real app is booted with one extra probe controller. Everything else is the app.
@Controller({ path: 'rate-limit-probe', version: VERSION_NEUTRAL })
class ProbeController {
  @Public()
  @Get('open')
  open() {
    return { ok: true };
  }

  @Allow(Permission.AccountRead)
  @Get('account')
  account() {
    return { ok: true };
  }

  @Public()
  @SkipRateLimit()
  @Get('exempt')
  exempt() {
    return { ok: true };
  }
}

async function startWithProbe(env: Record<string, string>): Promise<TestApp> {
  const config = loadConfig({ NODE_ENV: 'test', ...env });
  @Module({})
  class ProbeRoot {}
  const app = await NestFactory.create(
    {
      module: ProbeRoot,
      imports: [
        AppModule.forRoot(
          config,
          process.env.OW_TEST_DATABASE_URL!,
          Number(process.env.OW_TEST_POOL_SIZE ?? 1),
        ),
      ],
      controllers: [ProbeController],
    },
    { bodyParser: false, abortOnError: false, logger: false },
  );
  configureHttp(app, config);
  await app.init();
  afterInit(app);
  return { app, http: request(app.getHttpServer()), db: app.get(Db), config, close: () => app.close() };
}

const ANON_QUOTA = 5;
const AUTH_QUOTA = 3;

/** Parses `"default";r=4;t=57` into its parameters. */
function field(res: Response, name: string): Record<string, string> {
  const raw = res.headers[name.toLowerCase()] as string | undefined;
  expect(raw).toMatch(/^"default"(;[a-z]+=\d+)+$/);
  return Object.fromEntries(
    raw!
      .split(';')
      .slice(1)
      .map((p) => p.split('=')),
  );
}

describe('rate limiting', () => {
  let t: TestApp;
  beforeAll(
    async () =>
      (t = await startWithProbe({
        RATE_LIMIT_ANONYMOUS: String(ANON_QUOTA),
        RATE_LIMIT_AUTHENTICATED: String(AUTH_QUOTA),
        TRUST_PROXY: 'loopback',
      })),
  );
  afterAll(() => t.close());

  // X-Forwarded-For is honoured because supertest connects over loopback and TRUST_PROXY is 'loopback';
  // each test uses its own documentation-range address so tests do not share a bucket.
  const from = (ip: string) => ({ get: (path: string) => t.http.get(path).set('X-Forwarded-For', ip) });

  it('announces the policy and the remaining quota on every counted 200', async () => {
    const caller = from('198.51.100.10');
    for (let i = 1; i <= ANON_QUOTA; i++) {
      const res = await caller.get('/rate-limit-probe/open').expect(200);
      expect(res.headers['ratelimit-policy']).toBe(`"default";q=${ANON_QUOTA};w=60`);
      const rl = field(res, 'RateLimit');
      expect(Number(rl.r)).toBe(ANON_QUOTA - i);
      expect(Number(rl.t)).toBeGreaterThanOrEqual(1);
      expect(Number(rl.t)).toBeLessThanOrEqual(60);
      expect(res.headers['retry-after']).toBeUndefined();
    }
  });

  it('refuses the request over quota with 429 problem+json, Retry-After and the RateLimit fields', async () => {
    const caller = from('198.51.100.11');
    for (let i = 0; i < ANON_QUOTA; i++) await caller.get('/rate-limit-probe/open').expect(200);
    const res = await caller.get('/rate-limit-probe/open').set('Accept-Language', 'en');
    expect(res.status).toBe(429);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    const body = JSON.parse(res.text);
    expect(body).toMatchObject({
      type: problemType(ErrorCode.RateLimited),
      code: ErrorCode.RateLimited,
      status: 429,
      title: 'Too many requests',
      requestId: res.headers['x-request-id'],
    });
    const retryAfter = Number(res.headers['retry-after']);
    expect(Number.isInteger(retryAfter)).toBe(true);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(body.detail).toBe(`Retry after ${retryAfter} seconds.`);
    expect(res.headers['ratelimit-policy']).toBe(`"default";q=${ANON_QUOTA};w=60`);
    expect(field(res, 'RateLimit')).toEqual({ r: '0', t: String(retryAfter) });
    // still refused on the next try: the window has not moved
    await caller.get('/rate-limit-probe/open').expect(429);
  });

  it('keeps other addresses unaffected, proving X-Forwarded-For from the loopback proxy is honoured', async () => {
    const exhausted = from('198.51.100.12');
    for (let i = 0; i < ANON_QUOTA; i++) await exhausted.get('/rate-limit-probe/open').expect(200);
    await exhausted.get('/rate-limit-probe/open').expect(429);
    const other = await from('198.51.100.13').get('/rate-limit-probe/open').expect(200);
    expect(field(other, 'RateLimit').r).toBe(String(ANON_QUOTA - 1));
    // the last hop before our trusted proxy is the client: a spoofed first entry changes nothing
    const spoofed = await t.http
      .get('/rate-limit-probe/open')
      .set('X-Forwarded-For', '203.0.113.99, 198.51.100.12');
    expect(spoofed.status).toBe(429);
    // an entry that is not an address gets a bucket of its own, not a 500
    await from('not-an-address').get('/rate-limit-probe/open').expect(200);
  });

  it('counts authenticated callers by actor, with their own quota, after the AuthGuard resolved them', async () => {
    const ip = '198.51.100.14';
    for (let i = 0; i < ANON_QUOTA; i++) await from(ip).get('/rate-limit-probe/open').expect(200);
    await from(ip).get('/rate-limit-probe/open').expect(429);

    // Same address, but signed in: a separate bucket with the authenticated quota (and the guard
    // order matters: were the limit checked before the AuthGuard, this would still be the IP's 429).
    const alice = await scopedToken(t, 'citizen', [Permission.AccountRead]);
    const bob = await scopedToken(t, 'citizen', [Permission.AccountRead]);
    for (let i = 1; i <= AUTH_QUOTA; i++) {
      const res = await from(ip)
        .get('/rate-limit-probe/account')
        .set('Authorization', `Bearer ${alice}`)
        .expect(200);
      expect(res.headers['ratelimit-policy']).toBe(`"default";q=${AUTH_QUOTA};w=60`);
      expect(field(res, 'RateLimit').r).toBe(String(AUTH_QUOTA - i));
    }
    // Public routes count against the same actor bucket when a token is presented.
    const over = await from('198.51.100.15')
      .get('/rate-limit-probe/open')
      .set('Authorization', `Bearer ${alice}`);
    expect(over.status).toBe(429);
    expect(JSON.parse(over.text).code).toBe(ErrorCode.RateLimited);
    // Another citizen from the very same address is unaffected.
    const other = await from(ip)
      .get('/rate-limit-probe/account')
      .set('Authorization', `Bearer ${bob}`)
      .expect(200);
    expect(field(other, 'RateLimit').r).toBe(String(AUTH_QUOTA - 1));
  });

  it('exempts health, metrics and @SkipRateLimit routes, and sends them no RateLimit fields', async () => {
    const caller = from('198.51.100.16');
    for (let i = 0; i < ANON_QUOTA + 2; i++) {
      for (const path of ['/health/live', '/metrics', '/rate-limit-probe/exempt']) {
        const res = await caller.get(path).expect(200);
        expect(res.headers.ratelimit).toBeUndefined();
        expect(res.headers['ratelimit-policy']).toBeUndefined();
      }
    }
    // ...and those requests did not eat into the caller's quota.
    const res = await caller.get('/rate-limit-probe/open').expect(200);
    expect(field(res, 'RateLimit').r).toBe(String(ANON_QUOTA - 1));
  });

  it('limits GraphQL too, counting one HTTP request once however many root fields it has', async () => {
    const gql = (ip: string) =>
      t.http
        .post('/graphql')
        .set('X-Forwarded-For', ip)
        .set('Content-Type', 'application/json')
        .send({ query: '{ a: apiInfo { name } b: apiInfo { version } }' });
    const ip = '198.51.100.17';
    for (let i = 1; i <= ANON_QUOTA; i++) {
      const res = await gql(ip).expect(200);
      expect(res.body.data).toEqual({ a: { name: 'OneWindow' }, b: { version: '1' } });
      expect(field(res, 'RateLimit').r).toBe(String(ANON_QUOTA - i));
    }
    const refused = await gql(ip);
    expect(refused.body.errors?.[0]?.extensions?.code).toBe(ErrorCode.RateLimited);
    expect(refused.body.data ?? null).toBeNull();
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(field(refused, 'RateLimit').r).toBe('0');
  });
});
