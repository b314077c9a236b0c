import { Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { contextStore } from '../context/context-store';
import { hashedTag } from './etag.interceptor';
import { Representation, representationOf, withRepresentation } from './representation';
import { Db } from '../../database/db';

/** What a cached entry holds: the body handed to the transports, tagged once with its ETag and JSON. */
export interface CachedRead<T> {
  body: T;
  etag: string;
  expiresAt: number;
}

export interface ReadCacheOptions {
  /** most entries kept; past it the least recently used is dropped */
  maxEntries?: number;
  /** safety net: an entry is reloaded after this long even if no invalidation arrived */
  ttlMs?: number;
  now?: () => number;
}

/** Cache-Control of shared public reads: short freshness, then serve stale while revalidating. */
export const PUBLISHED_CACHE_CONTROL = 'public, max-age=30, stale-while-revalidate=300';

/**
 * In-process cache of public reads that are the same for every caller (the published catalogue,
 * the organisation directory), keyed by the normalised query. Such content changes only through a
 * few writes (publish/retire, an organisation edit), which clear the whole cache (in this process
 * at once, in the others through PostgreSQL NOTIFY: see NotifiedReadCache); the TTL only bounds
 * how long a missed notification could serve stale content.
 *
 * Each entry's JSON and strong ETag are computed once when it is stored, so a warm read hashes
 * and serialises nothing. Bodies are shared between requests: callers must not mutate them
 * (they are frozen to make a mistake loud).
 */
export class ReadCache {
  private readonly entries = new Map<string, CachedRead<unknown>>();
  private readonly loading = new Map<string, Promise<CachedRead<unknown>>>();
  private readonly maxEntries: number;
  private readonly ttlMs: number;
  private readonly now: () => number;
  /** Bumped by clear(): a load that started before an invalidation must not store its result. */
  private generation = 0;
  hits = 0;
  misses = 0;
  /** While false every read loads through and nothing is stored (no invalidation channel yet). */
  enabled = true;

  constructor(options: ReadCacheOptions = {}) {
    this.maxEntries = options.maxEntries ?? 2000;
    this.ttlMs = options.ttlMs ?? 5 * 60_000;
    this.now = options.now ?? Date.now;
  }

  get size(): number {
    return this.entries.size;
  }

  /** The cached read for `key`, loading it once (concurrent misses share one load). */
  async get<T extends object>(key: string, load: () => Promise<T>): Promise<T> {
    if (!this.enabled) return (await this.fill(key, load, false)).body;
    const hit = this.entries.get(key);
    if (hit && hit.expiresAt > this.now()) {
      // Re-insert: Map order is the recency order the LRU evicts by.
      this.entries.delete(key);
      this.entries.set(key, hit);
      this.hits++;
      noteSharedRead(hit.body);
      return hit.body as T;
    }
    if (hit) this.retire(key, hit);
    this.misses++;
    let pending = this.loading.get(key);
    if (!pending) {
      pending = this.fill(key, load);
      this.loading.set(key, pending);
      const clean = () => {
        if (this.loading.get(key) === pending) this.loading.delete(key);
      };
      pending.then(clean, clean);
    }
    const { body } = await pending;
    noteSharedRead(body);
    return body as T;
  }

  /** Drops everything (publish, retire, a NOTIFY from another instance, a lost listener). */
  clear(): void {
    this.generation++;
    for (const [key, entry] of this.entries) this.retire(key, entry);
    this.loading.clear();
  }

  /** Removes an entry and tells whoever replays its representation (the front) that it is gone. */
  private retire(key: string, entry: CachedRead<unknown>): void {
    this.entries.delete(key);
    const representation = representationOf(entry.body);
    if (representation) representation.liveUntil = 0;
  }

  private async fill<T extends object>(
    key: string,
    load: () => Promise<T>,
    store = true,
  ): Promise<CachedRead<T>> {
    const generation = this.generation;
    const body = await load();
    const json = JSON.stringify(body);
    const etag = hashedTag(json);
    const representation: Representation = { json, etag, cacheControl: PUBLISHED_CACHE_CONTROL };
    const entry: CachedRead<T> = {
      // Shared between requests (stored, or awaited by concurrent misses): frozen. A pass-through
      // load (cache off) belongs to its one request.
      body: store
        ? deepFreeze(withRepresentation(body, representation))
        : withRepresentation(body, representation),
      etag,
      expiresAt: this.now() + this.ttlMs,
    };
    if (store && this.enabled && generation === this.generation) {
      while (this.entries.size >= this.maxEntries) {
        const oldest = this.entries.keys().next().value as string;
        this.retire(oldest, this.entries.get(oldest)!);
      }
      this.entries.set(key, entry);
      representation.liveUntil = entry.expiresAt;
    }
    return entry;
  }
}

/** A stable key from a query object: undefined/empty fields dropped, keys sorted. */
export function cacheKey(kind: string, language: string, query: object): string {
  const parts = Object.entries(query)
    .filter(([, v]) => v !== undefined && v !== null && v !== '')
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(',') : String(v)}`);
  return `${kind}|${language}|${parts.join('&')}`;
}

/** Tells the request's context which shared representation its answer is built from (GraphQL replay). */
function noteSharedRead(body: unknown): void {
  const representation = representationOf(body);
  if (representation) contextStore.current()?.sharedReads.push(representation);
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

const RECONNECT_MIN_MS = 500;
const RECONNECT_MAX_MS = 30_000;

export interface NotifiedReadCacheOptions {
  /** the PostgreSQL NOTIFY channel its writers signal on (the payload is informative only) */
  channel: string;
  /** false: every read goes to the database (the bench's "cold" runs; an incident switch) */
  enabled: boolean;
  /** for logs and the listener's application_name */
  name: string;
}

/**
 * A ReadCache with its invalidation across instances.
 *
 * - Same process: the writing service clears it once its change has committed (Db.afterCommit: the
 *   change may run inside a larger transaction, e.g. one an Idempotency-Key holds), and again when
 *   the write is over.
 * - Other instances: the writing transaction runs `pg_notify` (notifyChanged; delivered on commit
 *   only, so no instance reloads before the change is visible); every instance LISTENs on a
 *   dedicated pg.Client and clears on each notification but its own (the payload names the
 *   instance), which it has handled at commit: acting on it again, whenever it arrives, would only
 *   drop entries loaded after the change. When that client drops, the cache is
 *   cleared and switched off (reads go to the database) until it has reconnected and LISTENs
 *   again, so a notification missed meanwhile cannot leave stale content behind.
 * - Switched off by configuration: reads go to the database, ETags are still computed once per read.
 * - Embedded PGlite: its socket server takes ONE connection, which the app's pool of one holds,
 *   so a listener could never connect; and there is only ever one instance on it anyway. There
 *   the cache runs without LISTEN/NOTIFY, cleared in-process only.
 */
export abstract class NotifiedReadCache extends ReadCache implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly log: Logger;
  private listener: Client | null = null;
  private embedded = false;
  private stopped = false;
  private retryMs = RECONNECT_MIN_MS;
  private retryTimer: NodeJS.Timeout | null = null;
  /** names this instance in its notifications, so it can tell its own from other instances' */
  private readonly instance = randomUUID();

  protected constructor(
    private readonly db: Db,
    private readonly options: NotifiedReadCacheOptions,
  ) {
    super();
    this.log = new Logger(`ReadCache:${options.name}`);
    // Off until we know how invalidations reach us (bootstrap decides).
    this.enabled = false;
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.options.enabled) return;
    const [row] = await this.db.query<{ version: string }>('SELECT version() AS version');
    this.embedded = /PGlite/i.test(row?.version ?? '');
    if (this.embedded) {
      this.enabled = true;
      return;
    }
    await this.listen();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    const client = this.listener;
    this.listener = null;
    this.enabled = false;
    this.clear();
    await client?.end().catch(() => undefined);
  }

  /**
   * A change to the cached content: `write` runs it in its transaction and calls notifyChanged()
   * inside, so other instances drop their cache on commit; this one is cleared once it is over,
   * also after a failure (cheap, and a half-known outcome must not leave a stale entry).
   */
  async changing<T>(write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } finally {
      this.clear();
    }
  }

  /** Inside the writing transaction: clears this instance and tells every other one on commit. */
  async notifyChanged(what: string): Promise<void> {
    await this.db.afterCommit(() => Promise.resolve(this.clear()));
    if (this.embedded) return;
    await this.db.query('SELECT pg_notify($1, $2)', [this.options.channel, `${this.instance} ${what}`]);
  }

  get listening(): boolean {
    return this.listener !== null && this.enabled;
  }

  private async listen(): Promise<void> {
    const { channel, name } = this.options;
    const url = (this.db.dataSource.options as { url?: string }).url;
    const client = new Client({ connectionString: url, application_name: `onewindow-${name}-listener` });
    client.on('notification', (msg) => {
      if (msg.channel === channel && !msg.payload?.startsWith(`${this.instance} `)) this.clear();
    });
    // Idle errors would otherwise be unhandled; 'end' follows and schedules the reconnect.
    client.on('error', (err) => this.log.warn(`listener lost: ${err.message}`));
    client.on('end', () => this.lost(client));
    try {
      await client.connect();
      await client.query(`LISTEN ${channel}`);
    } catch (err) {
      this.log.warn(`listener could not connect: ${(err as Error).message}`);
      client.removeAllListeners('end');
      await client.end().catch(() => undefined);
      this.scheduleReconnect();
      return;
    }
    if (this.stopped) {
      await client.end().catch(() => undefined);
      return;
    }
    this.listener = client;
    this.retryMs = RECONNECT_MIN_MS;
    // Anything changed while we were not listening is unknown: start from empty.
    this.clear();
    this.enabled = true;
  }

  private lost(client: Client): void {
    if (this.listener !== client) return;
    this.listener = null;
    this.enabled = false;
    this.clear();
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.stopped || this.retryTimer) return;
    const delay = this.retryMs;
    this.retryMs = Math.min(this.retryMs * 2, RECONNECT_MAX_MS);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.listen();
    }, delay);
    this.retryTimer.unref();
  }
}
