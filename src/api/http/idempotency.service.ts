import { Inject, Injectable, Logger } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { APP_CONFIG, AppConfig } from '../../config/config';
import { Db } from '../../database/db';
import type { RequestContext } from '../context/request-context';
import { DomainError } from '../errors/domain-error';
import { ErrorCode } from '../errors/error-code';
import { idempotencyScope, parseIdempotencyKey, requestFingerprint } from './idempotency';
import { IDEMPOTENCY_CIPHER, IdempotencyCipher, responseAad } from './idempotency-cipher';
import { injectFault } from './idempotency-faults';

/** Expired keys are pruned at most this often per process, a bounded batch at a time. */
const PRUNE_EVERY_MS = 60_000;
const PRUNE_BATCH = 1000;

/** What a request answered, as stored for replays: status, JSON body, Location. */
export interface IdempotentAnswer {
  status: number;
  body: unknown;
  location: string | null;
}

export interface IdempotentOutcome {
  /** true when the answer is the stored one of an earlier request that committed */
  replayed: boolean;
  answer: IdempotentAnswer;
}

interface StoredRow {
  request_hash: string;
  response_status: number;
  response_body: string | null;
  location: string | null;
}

/**
 * The transaction lock of one (scope, key): 64 bits of sha256, so two keys share a lock only by a
 * 2^-64 accident (and then one of them waits with a 409, nothing worse).
 */
function lockId(scope: string, key: string): string {
  return createHash('sha256').update(`${scope}\n${key}`).digest().readBigInt64BE(0).toString();
}

const inFlight = () => new DomainError(ErrorCode.IdempotencyKeyInFlight, {}, [], { 'Retry-After': '1' });

/**
 * Idempotency-Key records in PostgreSQL, written in the same transaction as the request's effect,
 * so that "the effect committed" and "its answer is stored" are one fact (Stripe's atomic phase):
 *
 * 1. outside a transaction, a committed record of the key answers at once (replay, or 422 for
 *    another request under the key);
 * 2. otherwise one transaction holds the whole request: a transaction-scoped advisory lock on the
 *    key (busy: 409 with Retry-After), a second look (a twin committed meanwhile: replay), the
 *    handler (its services' transactions join this one), and the record, then COMMIT.
 *
 * A crash or a lost connection anywhere before COMMIT leaves neither effect nor record, and the
 * retry runs once; after COMMIT both exist, and the retry gets the stored answer. No row says "in
 * progress", so nothing can be stranded and nothing is ever taken over. Failed requests roll back
 * their record with their effect: the client may fix the request and retry under the same key.
 */
@Injectable()
export class IdempotencyService {
  private readonly log = new Logger('Idempotency');
  private lastPrune = 0;
  /** contexts whose last keyed call was answered from the store (read by deferred REST routes) */
  private readonly replays = new WeakSet<RequestContext>();

  constructor(
    private readonly db: Db,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(IDEMPOTENCY_CIPHER) private readonly cipher: IdempotencyCipher,
  ) {}

  /** Runs `work` at most once per (scope, key) with its answer, or replays the stored answer. */
  async execute(
    scope: string,
    key: string,
    requestHash: string,
    work: () => Promise<IdempotentAnswer>,
  ): Promise<IdempotentOutcome> {
    await this.pruneExpired();
    const stored = await this.find(scope, key, requestHash);
    if (stored) return { replayed: true, answer: stored };
    const outcome = await this.db.transaction(async (): Promise<IdempotentOutcome> => {
      const [lock] = await this.db.query<{ locked: boolean }>(
        'SELECT pg_try_advisory_xact_lock($1::bigint) AS locked',
        [lockId(scope, key)],
      );
      if (!lock.locked) throw inFlight();
      // Read committed: this statement sees what a twin committed while we waited for the lock.
      const twin = await this.find(scope, key, requestHash);
      if (twin) return { replayed: true, answer: twin };
      const answer = await work();
      await this.save(scope, key, requestHash, answer);
      await injectFault(this.config, 'idempotency-before-commit', this.db);
      return { replayed: false, answer };
    });
    if (!outcome.replayed) await injectFault(this.config, 'idempotency-after-commit', this.db);
    return outcome;
  }

  /**
   * The same promise for callers without an Idempotency-Key header (GraphQL mutations take the key
   * as an argument): `run` once per caller and key, a retry with the same key and request gets the
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
    const hash = requestFingerprint(request.method, request.path, request.body);
    const { replayed, answer } = await this.execute(idempotencyScope(ctx), parsed, hash, async () => ({
      status: request.status,
      body: await run(),
      location: null,
    }));
    if (replayed) this.replays.add(ctx);
    else this.replays.delete(ctx);
    return answer.body as T;
  }

  /** Whether the last once() of this request context replayed a stored answer. */
  wasReplayed(ctx: RequestContext): boolean {
    return this.replays.has(ctx);
  }

  /** The live record of the key: its answer, 422 when it was another request's, null when none. */
  private async find(scope: string, key: string, requestHash: string): Promise<IdempotentAnswer | null> {
    const [row] = await this.db.query<StoredRow>(
      `SELECT request_hash, response_status, response_body, location
       FROM idempotency_key WHERE scope = $1 AND "key" = $2 AND expires_at > now()`,
      [scope, key],
    );
    if (!row) return null;
    if (row.request_hash !== requestHash) throw new DomainError(ErrorCode.IdempotencyKeyReused);
    const json =
      row.response_body === null ? null : this.cipher.decrypt(row.response_body, responseAad(scope, key));
    return {
      status: row.response_status,
      body: json === null ? undefined : (JSON.parse(json) as unknown),
      location: row.location,
    };
  }

  /**
   * The record, inside the request's transaction; an expired record of the key is replaced. A live
   * one cannot be there (the key's lock is held and it was looked for): should it be, the request
   * is rolled back rather than committed without its record.
   */
  private async save(
    scope: string,
    key: string,
    requestHash: string,
    answer: IdempotentAnswer,
  ): Promise<void> {
    const json = answer.body === undefined ? undefined : JSON.stringify(answer.body);
    const sealed = json === undefined ? null : this.cipher.encrypt(json, responseAad(scope, key));
    const saved = await this.db.query(
      `INSERT INTO idempotency_key AS k
         (scope, "key", request_hash, response_status, response_body, cipher_key_id, location, expires_at, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, now() + ($8::int * interval '1 hour'), now())
       ON CONFLICT (scope, "key") DO UPDATE
         SET request_hash = EXCLUDED.request_hash, response_status = EXCLUDED.response_status,
             response_body = EXCLUDED.response_body, cipher_key_id = EXCLUDED.cipher_key_id,
             location = EXCLUDED.location, expires_at = EXCLUDED.expires_at, created_at = EXCLUDED.created_at
         WHERE k.expires_at <= now()
       RETURNING 1 AS saved`,
      [
        scope,
        key,
        requestHash,
        answer.status,
        sealed,
        sealed === null ? null : this.cipher.activeKeyId,
        answer.location,
        this.config.idempotencyTtlHours,
      ],
    );
    if (!saved.length) throw inFlight();
  }

  /**
   * Re-seals stored answers written under a retired key with the active one (after a FIELD_KEYS
   * rotation, before the old key is dropped); returns how many it rewrote. Batches, so it can run
   * while requests go on.
   */
  async reEncrypt(batch = 500): Promise<number> {
    let total = 0;
    for (;;) {
      const rows = await this.db.query<{ scope: string; key: string; response_body: string }>(
        `SELECT scope, "key", response_body FROM idempotency_key
         WHERE cipher_key_id IS NOT NULL AND cipher_key_id <> $1 LIMIT ${batch}`,
        [this.cipher.activeKeyId],
      );
      for (const r of rows) {
        const aad = responseAad(r.scope, r.key);
        const sealed = this.cipher.encrypt(this.cipher.decrypt(r.response_body, aad), aad);
        await this.db.query(
          `UPDATE idempotency_key SET response_body = $3, cipher_key_id = $4
           WHERE scope = $1 AND "key" = $2 AND response_body = $5`,
          [r.scope, r.key, sealed, this.cipher.activeKeyId, r.response_body],
        );
      }
      total += rows.length;
      if (rows.length < batch) return total;
    }
  }

  /** Expired rows are already ignored by find(); this only keeps the table small. */
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
