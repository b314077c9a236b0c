import { Redis } from 'ioredis';
import type { Response } from 'supertest';
import { PublicReadFront } from '../../src/api/http/public-read-front';
import { PostgresRateLimitStore } from '../../src/api/http/rate-limit.shared-stores';
import { RATE_LIMIT_STORE } from '../../src/api/http/rate-limit.store';
import { ErrorCode } from '../../src/api/errors/error-code';
import { ConfigError, loadConfig } from '../../src/config/config';
import { describeOnPostgres, onPostgres, startTestApp, TestApp } from '../support/test-app';

/**
 * Rate limits shared across instances (RATE_LIMIT_STORE=postgres|redis) and whose address counts
 * (TRUST_PROXY). Two app instances on one database stand for two replicas behind a balancer.
 */

const QUOTA = 6;
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A documentation-range address no other run or test shares (Redis outlives the test database). */
const freshIp = () => `198.18.${Math.floor(Math.random() * 256)}.${Math.floor(Math.random() * 254) + 1}`;

/** Parses `"default";r=4;t=57` into its parameters. */
function limit(res: Response): { r: number; t: number } {
  const raw = res.headers.ratelimit;
  expect(raw).toMatch(/^"default";r=\d+;t=\d+$/);
  const [, r, t] = /r=(\d+);t=(\d+)/.exec(raw)!;
  return { r: Number(r), t: Number(t) };
}

const start = (env: Record<string, string>) =>
  startTestApp({
    RATE_LIMIT_ANONYMOUS: String(QUOTA),
    RATE_LIMIT_AUTHENTICATED: '100000',
    TRUST_PROXY: 'loopback',
    ...env,
  });

/** A public REST read (answered by the public-read front once cached) and a GraphQL query, by turns. */
function read(app: TestApp, ip: string, i: number) {
  return i % 3 === 2
    ? app.http.post('/graphql').set('X-Forwarded-For', ip).send({ query: '{ apiInfo { name } }' })
    : app.http.get('/v1/services').set('X-Forwarded-For', ip);
}

/**
 * Spends one caller's quota across two instances by turns: every answer counts down the one shared
 * quota, then both instances refuse the caller with 429, Retry-After and r=0; another caller is fresh.
 */
async function expectSharedQuota(a: TestApp, b: TestApp, ip: string): Promise<void> {
  const fronts = [a, b].map((x) => x.app.get(PublicReadFront));
  const replayedBefore = fronts[0].hits + fronts[1].hits;
  for (let i = 1; i <= QUOTA; i++) {
    const res = await read(i % 2 ? a : b, ip, i);
    expect(res.status).toBe(200);
    expect(res.headers['ratelimit-policy']).toBe(`"default";q=${QUOTA};w=60`);
    expect(limit(res).r).toBe(QUOTA - i);
  }
  // the front answered some of them: its counting is shared too
  expect(fronts[0].hits + fronts[1].hits).toBeGreaterThan(replayedBefore);
  for (const app of [a, b, a]) {
    const res = await app.http.get('/v1/services').set('X-Forwarded-For', ip);
    expect(res.status).toBe(429);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(JSON.parse(res.text)).toMatchObject({ code: ErrorCode.RateLimited, status: 429 });
    const retryAfter = Number(res.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(limit(res)).toEqual({ r: 0, t: retryAfter });
  }
  const gql = await b.http
    .post('/graphql')
    .set('X-Forwarded-For', ip)
    .send({ query: '{ apiInfo { name } }' });
  expect(gql.body.errors?.[0]?.extensions?.code).toBe(ErrorCode.RateLimited);
  const other = await b.http.get('/v1/services').set('X-Forwarded-For', freshIp()).expect(200);
  expect(limit(other).r).toBe(QUOTA - 1);
}

describeOnPostgres(
  `rate limits shared through PostgreSQL${onPostgres ? '' : ' (skipped: needs PostgreSQL, run npm run test:pg)'}`,
  () => {
    let a: TestApp;
    let b: TestApp;
    beforeAll(async () => {
      a = await start({ RATE_LIMIT_STORE: 'postgres' });
      b = await start({ RATE_LIMIT_STORE: 'postgres' });
    });
    afterAll(async () => {
      await a?.close();
      await b?.close();
    });

    it('refuses a caller after the shared quota, whichever instance it reaches', async () => {
      const ip = freshIp();
      await expectSharedQuota(a, b, ip);
      // one row for the caller, counting every request either instance saw (the refused ones too)
      const rows = await a.db.query<{ hits: number; left: string }>(
        `SELECT hits, extract(epoch FROM reset_at - now()) AS left FROM rate_limit_counter WHERE caller = $1`,
        [`ip:${ip}`],
      );
      expect(rows).toHaveLength(1);
      expect(rows[0].hits).toBe(QUOTA + 4);
      expect(Number(rows[0].left)).toBeGreaterThan(0);
      expect(Number(rows[0].left)).toBeLessThanOrEqual(60);
    });

    it('counts concurrent requests exactly: no lost updates between instances', async () => {
      const ip = freshIp();
      const answers = await Promise.all(
        Array.from({ length: 2 * QUOTA }, (_, i) =>
          (i % 2 ? a : b).http.get('/v1/services').set('X-Forwarded-For', ip),
        ),
      );
      expect(answers.filter((r) => r.status === 200)).toHaveLength(QUOTA);
      expect(answers.filter((r) => r.status === 429)).toHaveLength(QUOTA);
      // every remaining count from QUOTA-1 down to 0 was handed out once
      expect(
        answers
          .filter((r) => r.status === 200)
          .map((r) => limit(r).r)
          .sort(),
      ).toEqual(Array.from({ length: QUOTA }, (_, i) => i));
      const [row] = await a.db.query<{ hits: number }>(
        `SELECT hits FROM rate_limit_counter WHERE caller = $1`,
        [`ip:${ip}`],
      );
      expect(row.hits).toBe(2 * QUOTA);
    });

    it('coalesces concurrent hits into few statements, each hit still getting its own exact count', async () => {
      const store = a.app.get<PostgresRateLimitStore>(RATE_LIMIT_STORE);
      expect(store).toBeInstanceOf(PostgresRateLimitStore);
      const key = `test:${freshIp()}`;
      const before = store.statements;
      const hits = await Promise.all(Array.from({ length: 50 }, () => store.hit(key, 60_000)));
      expect(hits.map((h) => h.count).sort((x, y) => x - y)).toEqual(
        Array.from({ length: 50 }, (_, i) => i + 1),
      );
      expect(store.statements - before).toBeLessThanOrEqual(2);
      const [row] = await a.db.query<{ hits: number }>(
        `SELECT hits FROM rate_limit_counter WHERE caller = $1`,
        [key],
      );
      expect(row.hits).toBe(50);
    });

    it('starts a new window once the old one ended', async () => {
      const ip = freshIp();
      for (let i = 0; i < QUOTA; i++) await a.http.get('/v1/services').set('X-Forwarded-For', ip).expect(200);
      await b.http.get('/v1/services').set('X-Forwarded-For', ip).expect(429);
      await a.db.query(
        `UPDATE rate_limit_counter SET reset_at = now() - interval '1 second' WHERE caller = $1`,
        [`ip:${ip}`],
      );
      const res = await b.http.get('/v1/services').set('X-Forwarded-For', ip).expect(200);
      expect(limit(res).r).toBe(QUOTA - 1);
      expect(limit(res).t).toBeGreaterThanOrEqual(59);
    });

    it('sweeps the rows of windows that ended over a minute ago, and only those', async () => {
      const store = a.app.get<PostgresRateLimitStore>(RATE_LIMIT_STORE);
      const [old, recent] = [`test:${freshIp()}`, `test:${freshIp()}`];
      await a.db.query(
        `INSERT INTO rate_limit_counter (caller, hits, reset_at)
         VALUES ($1, 3, now() - interval '2 minutes'), ($2, 3, now() - interval '10 seconds')`,
        [old, recent],
      );
      expect(await store.sweep()).toBeGreaterThanOrEqual(1);
      const left = await a.db.query<{ caller: string }>(
        `SELECT caller FROM rate_limit_counter WHERE caller = ANY($1)`,
        [[old, recent]],
      );
      expect(left.map((r) => r.caller)).toEqual([recent]);
    });

    it('each instance counts alone with RATE_LIMIT_STORE=memory (what the shared store fixes)', async () => {
      const m1 = await start({ RATE_LIMIT_STORE: 'memory' });
      const m2 = await start({ RATE_LIMIT_STORE: 'memory' });
      try {
        const ip = freshIp();
        for (let i = 0; i < QUOTA; i++)
          await m1.http.get('/v1/services').set('X-Forwarded-For', ip).expect(200);
        await m1.http.get('/v1/services').set('X-Forwarded-For', ip).expect(429);
        const elsewhere = await m2.http.get('/v1/services').set('X-Forwarded-For', ip).expect(200);
        expect(limit(elsewhere).r).toBe(QUOTA - 1);
        const rows = await m1.db.query(`SELECT 1 FROM rate_limit_counter WHERE caller = $1`, [`ip:${ip}`]);
        expect(rows).toHaveLength(0);
      } finally {
        await m1.close();
        await m2.close();
      }
    });
  },
);

// Two instances need two database connections at once, which the embedded test database does not serve.
describeOnPostgres(
  `rate limits shared through Redis${onPostgres ? '' : ' (skipped: needs PostgreSQL, run npm run test:pg)'}`,
  () => {
    let reachable = false;
    let redis: Redis;
    let a: TestApp;
    let b: TestApp;
    beforeAll(async () => {
      redis = new Redis(REDIS_URL, { lazyConnect: true, enableOfflineQueue: false, connectTimeout: 1000 });
      redis.on('error', () => undefined);
      try {
        await redis.connect();
        reachable = (await redis.ping()) === 'PONG';
      } catch {
        reachable = false;
      }
      if (!reachable) {
        process.stderr.write(`Redis not reachable at ${REDIS_URL}: the Redis rate-limit tests are skipped\n`);
        return;
      }
      a = await start({ RATE_LIMIT_STORE: 'redis', REDIS_URL });
      b = await start({ RATE_LIMIT_STORE: 'redis', REDIS_URL });
    });
    afterAll(async () => {
      await a?.close();
      await b?.close();
      redis.disconnect();
    });

    it('refuses a caller after the shared quota, whichever instance it reaches', async () => {
      if (!reachable) return;
      const ip = freshIp();
      await expectSharedQuota(a, b, ip);
      const key = `onewindow:rl:ip:${ip}`;
      expect(Number(await redis.get(key))).toBe(QUOTA + 4);
      const ttl = await redis.pttl(key);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(60_000);
    });

    it('counts concurrent requests exactly across instances', async () => {
      if (!reachable) return;
      const ip = freshIp();
      const answers = await Promise.all(
        Array.from({ length: 2 * QUOTA }, (_, i) =>
          (i % 2 ? a : b).http.get('/v1/services').set('X-Forwarded-For', ip),
        ),
      );
      expect(answers.filter((r) => r.status === 200)).toHaveLength(QUOTA);
      expect(answers.filter((r) => r.status === 429)).toHaveLength(QUOTA);
      expect(Number(await redis.get(`onewindow:rl:ip:${ip}`))).toBe(2 * QUOTA);
    });

    it('keeps answering, counting in process, while Redis is unreachable', async () => {
      if (!reachable) return;
      // a port nothing listens on: every hit falls back to the instance's own counter
      const down = await start({ RATE_LIMIT_STORE: 'redis', REDIS_URL: 'redis://127.0.0.1:1' });
      try {
        const ip = freshIp();
        for (let i = 1; i <= QUOTA; i++) {
          const res = await down.http.get('/v1/services').set('X-Forwarded-For', ip).expect(200);
          expect(limit(res).r).toBe(QUOTA - i);
        }
        await down.http.get('/v1/services').set('X-Forwarded-For', ip).expect(429);
      } finally {
        await down.close();
      }
    });
  },
);

describe('TRUST_PROXY: whose address a request counts against', () => {
  /** Spends the quota of the caller `first` names, then asks as `second`: the answer's remaining count. */
  async function remainingAfterSwitch(env: Record<string, string>): Promise<number | 'refused'> {
    const t = await startTestApp({
      RATE_LIMIT_ANONYMOUS: String(QUOTA),
      RATE_LIMIT_AUTHENTICATED: '100000',
      ...env,
    });
    try {
      for (let i = 0; i < QUOTA; i++)
        await t.http.get('/v1/services').set('X-Forwarded-For', freshIp()).expect(200);
      const res = await t.http.get('/v1/services').set('X-Forwarded-For', freshIp());
      return res.status === 429 ? 'refused' : limit(res).r;
    } finally {
      await t.close();
    }
  }

  it('is off by default: X-Forwarded-For cannot change the caller, so a new address per request is still refused', async () => {
    expect(await remainingAfterSwitch({})).toBe('refused');
  });

  it('ignores X-Forwarded-For from a peer that is not the configured proxy', async () => {
    expect(await remainingAfterSwitch({ TRUST_PROXY: '10.0.0.0/8, 192.0.2.1' })).toBe('refused');
  });

  it("honours X-Forwarded-For from the configured proxy's address, CIDR or hop count", async () => {
    for (const value of ['127.0.0.1', '127.0.0.0/8', '::ffff:127.0.0.1', '1', 'loopback'])
      expect(await remainingAfterSwitch({ TRUST_PROXY: value })).toBe(QUOTA - 1);
  });

  it('is validated at boot', () => {
    const load = (v: string) => () => loadConfig({ NODE_ENV: 'test', TRUST_PROXY: v });
    expect(load('')().trustProxy).toBe(false);
    expect(load('off')().trustProxy).toBe(false);
    expect(load('2')().trustProxy).toBe(2);
    expect(load('10.0.0.1, 172.16.0.0/12,loopback')().trustProxy).toEqual([
      '10.0.0.1',
      '172.16.0.0/12',
      'loopback',
    ]);
    for (const bad of ['true', 'proxy.example', '10.0.0.0/33', '10.0.0.1/8/1', '11', '::1/129'])
      expect(load(bad)).toThrow(ConfigError);
    expect(load('true')).toThrow(/hop count/);
    expect(() => loadConfig({ NODE_ENV: 'test', RATE_LIMIT_STORE: 'redis' })).toThrow(
      'RATE_LIMIT_STORE=redis needs REDIS_URL',
    );
    expect(() => loadConfig({ NODE_ENV: 'test', RATE_LIMIT_STORE: 'disk' })).toThrow(ConfigError);
    expect(() => loadConfig({ NODE_ENV: 'test', REDIS_URL: 'http://x' })).toThrow(ConfigError);
  });
});
