import { Logger, OnModuleDestroy } from '@nestjs/common';
import { Redis } from 'ioredis';
import type { DataSource } from 'typeorm';
import type { AppConfig } from '../../config/config';
import { MemoryRateLimitStore, RateLimitHit, RateLimitStore } from './rate-limit.store';

/** How often a shared store may log that it fell back (a dead store must not flood the log). */
const WARN_EVERY_MS = 60_000;

/**
 * A store whose counters live outside the process. While it cannot answer (database or Redis
 * down, a timeout), hits are counted in process instead, so the quota degrades to per-instance
 * rather than refusing every caller or letting every request wait on a dead dependency.
 */
abstract class SharedRateLimitStore implements RateLimitStore, OnModuleDestroy {
  protected readonly log = new Logger('RateLimit');
  private readonly fallback = new MemoryRateLimitStore();
  private warnedAt = 0;

  async hit(key: string, windowMs: number, now = Date.now()): Promise<RateLimitHit> {
    try {
      return await this.sharedHit(key, windowMs, now);
    } catch (err) {
      if (now - this.warnedAt >= WARN_EVERY_MS) {
        this.warnedAt = now;
        this.log.warn(
          `${this.constructor.name} unavailable, counting in process: ${err instanceof Error ? err.message : String(err)}`,
        );
      }
      return this.fallback.hit(key, windowMs, now);
    }
  }

  protected abstract sharedHit(key: string, windowMs: number, now: number): Promise<RateLimitHit>;

  async onModuleDestroy(): Promise<void> {
    this.fallback.onModuleDestroy();
    await this.close();
  }

  protected abstract close(): Promise<void>;
}

interface PendingHits {
  windowMs: number;
  waiters: Array<{ resolve(hit: RateLimitHit): void; reject(err: unknown): void; now: number }>;
}

/**
 * Counters in rate_limit_counter (see its entity), incremented by atomic upserts whose row locks
 * serialise every instance's hits on one caller; windows are timed by the database clock.
 *
 * Hits are coalesced, not approximated: one statement is in flight per instance, and the hits that
 * arrive meanwhile go together in the next one (one row per caller, incremented by its number of
 * hits, each hit handed its own exact count). An idle instance pays one round trip per request;
 * a busy one, one per round trip, whatever the request rate (README "Rate limits" has the figures).
 * Callers are locked in key order, so two instances' batches cannot deadlock. Rows of callers
 * gone quiet are swept once a minute by every instance (idempotent, cheap).
 */
export class PostgresRateLimitStore extends SharedRateLimitStore {
  private readonly sweeper: NodeJS.Timeout;
  private pending = new Map<string, PendingHits>();
  private flushing = false;
  /** statements sent (tests and the bench: how well hits coalesce) */
  statements = 0;

  constructor(
    private readonly dataSource: DataSource,
    sweepMs = 60_000,
  ) {
    super();
    this.sweeper = setInterval(() => void this.sweep().catch(() => undefined), sweepMs);
    this.sweeper.unref();
  }

  protected sharedHit(key: string, windowMs: number, now: number): Promise<RateLimitHit> {
    return new Promise((resolve, reject) => {
      let entry = this.pending.get(key);
      if (!entry) this.pending.set(key, (entry = { windowMs, waiters: [] }));
      entry.waiters.push({ resolve, reject, now });
      if (!this.flushing) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    while (this.pending.size) {
      const batch = this.pending;
      this.pending = new Map();
      const keys = [...batch.keys()].sort();
      try {
        this.statements++;
        // statement_timestamp(): one instant for every expression of the statement.
        const rows = await this.dataSource.query<{ caller: string; hits: number; ms_left: number }[]>(
          `INSERT INTO rate_limit_counter AS c (caller, hits, reset_at)
           SELECT k, n, statement_timestamp() + w * interval '1 millisecond'
             FROM unnest($1::varchar[], $2::int[], $3::int[]) AS t(k, n, w) ORDER BY k
           ON CONFLICT (caller) DO UPDATE SET
             hits = CASE WHEN c.reset_at <= statement_timestamp() THEN EXCLUDED.hits ELSE c.hits + EXCLUDED.hits END,
             reset_at = CASE WHEN c.reset_at <= statement_timestamp() THEN EXCLUDED.reset_at ELSE c.reset_at END
           RETURNING caller, hits, ceil(extract(epoch FROM reset_at - statement_timestamp()) * 1000)::int AS ms_left`,
          [keys, keys.map((k) => batch.get(k)!.waiters.length), keys.map((k) => batch.get(k)!.windowMs)],
        );
        for (const row of rows) {
          const { waiters } = batch.get(row.caller)!;
          const last = Number(row.hits);
          // The batch's hits are the last ones counted: the first of them got last - (n - 1).
          waiters.forEach((w, i) =>
            w.resolve({ count: last - (waiters.length - 1 - i), resetAt: w.now + Number(row.ms_left) }),
          );
        }
      } catch (err) {
        for (const { waiters } of batch.values()) for (const w of waiters) w.reject(err);
      }
    }
    this.flushing = false;
  }

  /** Deletes windows that ended over a minute ago; returns how many. */
  async sweep(): Promise<number> {
    const result: unknown = await this.dataSource.query(
      `DELETE FROM rate_limit_counter WHERE reset_at < statement_timestamp() - interval '1 minute'`,
    );
    return Array.isArray(result) && typeof result[1] === 'number' ? result[1] : 0;
  }

  protected close(): Promise<void> {
    clearInterval(this.sweeper);
    return Promise.resolve();
  }
}

/** INCR, PEXPIRE on the first hit, PTTL: one round trip, atomic in Redis. */
const HIT_SCRIPT = `
local n = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {n, ttl}`;

/** Counters as Redis keys `onewindow:rl:<caller>` that expire with their window. */
export class RedisRateLimitStore extends SharedRateLimitStore {
  private readonly redis: Redis;

  constructor(url: string) {
    super();
    this.redis = new Redis(url, {
      // Fail fast into the fallback rather than queue requests behind a reconnect.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      commandTimeout: 500,
      connectTimeout: 2000,
      lazyConnect: true,
      // Hits issued in the same tick go to Redis as one pipeline (one write, one read).
      enableAutoPipelining: true,
    });
    this.redis.defineCommand('owRateLimitHit', { numberOfKeys: 1, lua: HIT_SCRIPT });
    // Errors surface per command (and are logged by hit()); without a listener ioredis logs each one.
    this.redis.on('error', () => undefined);
  }

  /** Connects before the first request; an unreachable Redis is logged, not fatal. */
  async connect(): Promise<void> {
    try {
      await this.redis.connect();
    } catch (err) {
      this.log.warn(
        `Redis unreachable at start, counting in process until it answers: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
  }

  protected async sharedHit(key: string, windowMs: number, now: number): Promise<RateLimitHit> {
    const [count, ttl] = await (
      this.redis as unknown as {
        owRateLimitHit(key: string, windowMs: number): Promise<[number, number]>;
      }
    ).owRateLimitHit(`onewindow:rl:${key}`, windowMs);
    return { count, resetAt: now + ttl };
  }

  protected async close(): Promise<void> {
    if (this.redis.status === 'ready') await this.redis.quit().catch(() => undefined);
    this.redis.disconnect();
  }
}

/**
 * RATE_LIMIT_STORE, or its default: redis when REDIS_URL is set, postgres when DATABASE_URL names
 * a real PostgreSQL (several instances may share it), memory on the embedded database (one
 * instance) and in tests (each test app counts on its own unless a spec asks otherwise).
 */
export function rateLimitStoreKind(config: Pick<AppConfig, 'env' | 'databaseUrl' | 'rateLimit'>) {
  if (config.rateLimit.store) return config.rateLimit.store;
  if (config.env === 'test') return 'memory';
  if (config.rateLimit.redisUrl) return 'redis';
  return config.databaseUrl ? 'postgres' : 'memory';
}

export async function createRateLimitStore(
  config: Pick<AppConfig, 'env' | 'databaseUrl' | 'rateLimit'>,
  dataSource: DataSource,
): Promise<RateLimitStore> {
  switch (rateLimitStoreKind(config)) {
    case 'postgres':
      return new PostgresRateLimitStore(dataSource);
    case 'redis': {
      const store = new RedisRateLimitStore(config.rateLimit.redisUrl!);
      await store.connect();
      return store;
    }
    default:
      return new MemoryRateLimitStore();
  }
}
