import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../../config/config';
import { Db } from '../../database/db';
import { DomainError } from '../errors/domain-error';
import type { RequestContext } from '../context/request-context';
import { ErrorCode } from '../errors/error-code';
import { idempotencyScope, parseIdempotencyKey, requestFingerprint } from './idempotency';

/** How long a claim holds before it is presumed abandoned (its process died mid-request). */
export const CLAIM_LOCK_SECONDS = 60;
/** Expired keys are pruned at most this often per process, a bounded batch at a time. */
const PRUNE_EVERY_MS = 60_000;
const PRUNE_BATCH = 1000;

export type ClaimResult =
  { kind: 'claimed' } | { kind: 'replay'; status: number; body: unknown; location: string | null };

interface StoredRow {
  status: 'processing' | 'done';
  request_hash: string;
  response_status: number | null;
  response_body: unknown;
  location: string | null;
}

/*
 * The claim is one autocommitted statement: a fresh key is inserted; an existing one is taken over
 * only when it expired, or when it is an abandoned claim of the same request. Anything else
 * conflicts and the caller reads the row to say why. Under concurrency Postgres serialises the
 * upsert on the row, so exactly one of two simultaneous requests gets RETURNING a row.
 */
const CLAIM_SQL = `
  INSERT INTO idempotency_key AS k (scope, "key", status, request_hash, locked_until, expires_at, created_at)
  VALUES ($1, $2, 'processing', $3, now() + ($4::int * interval '1 second'), now() + ($5::int * interval '1 hour'), now())
  ON CONFLICT (scope, "key") DO UPDATE
    SET status = 'processing', request_hash = EXCLUDED.request_hash, response_status = NULL, response_body = NULL,
        location = NULL, locked_until = EXCLUDED.locked_until, expires_at = EXCLUDED.expires_at, created_at = now()
    WHERE k.expires_at <= now()
       OR (k.status = 'processing' AND k.locked_until <= now() AND k.request_hash = EXCLUDED.request_hash)
  RETURNING 1 AS claimed`;

/**
 * Idempotency-Key records in PostgreSQL. Every statement is short and commits on its own: the
 * handler runs between claim and complete in its own transaction, and in embedded mode (one
 * connection) holding a transaction across it would deadlock.
 */
@Injectable()
export class IdempotencyService {
  private readonly log = new Logger('Idempotency');
  private lastPrune = 0;

  constructor(
    private readonly db: Db,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * Claims the key for this request, or tells why not: 422 when the key was used for another
   * request, 409 while the first is still running, a replay once it finished.
   */
  async claim(scope: string, key: string, requestHash: string): Promise<ClaimResult> {
    await this.pruneExpired();
    // The row can vanish between the two statements (the first request failed and let go): try again.
    for (let attempt = 0; attempt < 3; attempt++) {
      const claimed = await this.db.query(CLAIM_SQL, [
        scope,
        key,
        requestHash,
        CLAIM_LOCK_SECONDS,
        this.config.idempotencyTtlHours,
      ]);
      if (claimed.length) return { kind: 'claimed' };
      const [row] = await this.db.query<StoredRow>(
        `SELECT status, request_hash, response_status, response_body, location
         FROM idempotency_key WHERE scope = $1 AND "key" = $2 AND expires_at > now()`,
        [scope, key],
      );
      if (!row) continue;
      if (row.request_hash !== requestHash) throw new DomainError(ErrorCode.IdempotencyKeyReused);
      if (row.status === 'processing')
        throw new DomainError(ErrorCode.IdempotencyKeyInFlight, {}, [], { 'Retry-After': '1' });
      return {
        kind: 'replay',
        status: row.response_status ?? 200,
        body: row.response_body,
        location: row.location,
      };
    }
    throw new DomainError(ErrorCode.IdempotencyKeyInFlight, {}, [], { 'Retry-After': '1' });
  }

  /** Stores the handler's response for replays. */
  async complete(
    scope: string,
    key: string,
    requestHash: string,
    status: number,
    body: unknown,
    location: string | null,
  ): Promise<void> {
    await this.db.query(
      `UPDATE idempotency_key
       SET status = 'done', response_status = $4, response_body = $5::jsonb, location = $6, locked_until = NULL
       WHERE scope = $1 AND "key" = $2 AND request_hash = $3 AND status = 'processing'`,
      [scope, key, requestHash, status, body === undefined ? null : JSON.stringify(body), location],
    );
  }

  /** Drops the claim of a failed request, so the client may retry with the same key. */
  async release(scope: string, key: string, requestHash: string): Promise<void> {
    await this.db.query(
      `DELETE FROM idempotency_key WHERE scope = $1 AND "key" = $2 AND request_hash = $3 AND status = 'processing'`,
      [scope, key, requestHash],
    );
  }

  /**
   * The same rules for callers without an Idempotency-Key header (GraphQL mutations take the key
   * as an argument): `run` once per caller and key; a retry with the same key and request gets the
   * stored answer, with another request 422, while the first is running 409. Without a key, `run`
   * simply runs; a malformed one (the empty string too, as in the header) is refused. `request`
   * names the REST twin (method, path, body, success status), so a key means the same on both
   * transports.
   */
  async once<T>(
    ctx: RequestContext,
    key: string | null | undefined,
    request: { method: string; path: string; body: unknown; status: number },
    run: () => Promise<T>,
  ): Promise<T> {
    if (key === undefined || key === null) return run();
    const parsed = parseIdempotencyKey(key) as string;
    const scope = idempotencyScope(ctx);
    const hash = requestFingerprint(request.method, request.path, request.body);
    const claim = await this.claim(scope, parsed, hash);
    if (claim.kind === 'replay') return claim.body as T;
    let result: T;
    try {
      result = await run();
    } catch (err) {
      // Failed requests are not kept: the client may fix the request and retry under the same key.
      await this.release(scope, parsed, hash);
      throw err;
    }
    // As in the interceptor: the work has committed, so the caller gets its answer even if storing
    // it fails; the claim then stays 'processing' until stale rather than inviting a re-run.
    await this.complete(scope, parsed, hash, request.status, result, null).catch((err: unknown) =>
      this.log.error({ err, requestId: ctx.requestId }, 'idempotency record update failed'),
    );
    return result;
  }

  /** Expired rows are already ignored by claim(); this only keeps the table small. */
  async pruneExpired(force = false): Promise<number> {
    const now = Date.now();
    if (!force && now - this.lastPrune < PRUNE_EVERY_MS) return 0;
    this.lastPrune = now;
    try {
      // For DELETE, TypeORM's query() answers [rows, affected count].
      const result = (await this.db.query(
        `DELETE FROM idempotency_key WHERE (scope, "key") IN (
           SELECT scope, "key" FROM idempotency_key WHERE expires_at <= now() LIMIT ${PRUNE_BATCH})`,
      )) as unknown as [unknown, number];
      return result[1] ?? 0;
    } catch (err) {
      this.log.warn({ err }, 'pruning expired idempotency keys failed');
      return 0;
    }
  }
}
