/*
 * Why a home-made job table instead of pg-boss or graphile-worker: both open their own pg pool and a
 * LISTEN connection, and the embedded PGlite is a single session (pool of one), so neither can run
 * there. A job row inserted with db.manager commits or rolls back with the business change that needs
 * it (transactional outbox), and JobWorker claims rows with FOR UPDATE SKIP LOCKED, which stays safe
 * with several instances on a real PostgreSQL. Borrowed semantics: graphile-worker's run_at and
 * job_key "replace" (our dedupeKey), exponential backoff, a dead state after max attempts.
 */
import { Injectable } from '@nestjs/common';
import type { RequestContext } from '../../../api/context/request-context';
import { cursorCodec, keysetPage } from '../../../api/http/pagination';
import { Db } from '../../../database/db';
import { uuidv7 } from '../../../database/uuid';
import { DEDUPE_SCOPE, Job } from './job.entity';
import { JobPageDto, JobQueryDto } from './jobs.dto';

export type JobPayload = Record<string, unknown>;
export type JobHandler<P = JobPayload> = (payload: P, ctx: RequestContext) => Promise<void>;

export interface EnqueueOptions {
  /** not before this instant (default: now) */
  runAt?: Date;
  /** at most one pending job per key: enqueueing again replaces its payload and run_at */
  dedupeKey?: string;
  /** attempts before the job is dead (default 12, about an hour of retries) */
  maxAttempts?: number;
}

const NAME_RE = /^[a-z][a-z0-9._:-]{0,99}$/;

const INSERT_SQL = `
  INSERT INTO job (id, name, payload, status, run_at, attempts, max_attempts, dedupe_key, created_at)
  VALUES ($1, $2, $3::jsonb, 'pending', COALESCE($4::timestamptz, now()), 0, $5, $6, now())
  ON CONFLICT (dedupe_key) WHERE ${DEDUPE_SCOPE}
  DO UPDATE SET name = EXCLUDED.name, payload = EXCLUDED.payload, run_at = EXCLUDED.run_at,
    max_attempts = EXCLUDED.max_attempts, attempts = 0, last_error = NULL
  WHERE job.status = 'pending'
  RETURNING id`;

/** Job list pages by id. */
export const JOB_CURSOR = cursorCodec<[string]>('jobs', 'uuid');

/** Enqueues jobs inside the caller's transaction and holds the handlers the worker runs. */
@Injectable()
export class JobsService {
  private readonly handlers = new Map<string, JobHandler>();

  constructor(private readonly db: Db) {}

  /**
   * Called by modules in onModuleInit. The handler runs in its own transaction with a system context;
   * it must reach the database through Db (db.manager / db.repo), which joins that transaction: on
   * the embedded database the transaction holds the only connection.
   */
  register<P = JobPayload>(name: string, handler: JobHandler<P>): void {
    if (!NAME_RE.test(name)) throw new Error(`job name "${name}" must match ${NAME_RE}`);
    if (this.handlers.has(name)) throw new Error(`job handler "${name}" is already registered`);
    this.handlers.set(name, handler as JobHandler);
  }

  handler(name: string): JobHandler | undefined {
    return this.handlers.get(name);
  }

  handlerNames(): string[] {
    return [...this.handlers.keys()];
  }

  /**
   * Writes the job with db.manager, so it commits with the caller's open transaction or not at all.
   * With a dedupeKey, a pending job holding that key is updated in place (same id); a running one
   * lets go of the key and a new pending job is added, so a deadline moved mid-run still fires.
   */
  async enqueue<P extends object = JobPayload>(
    name: string,
    payload: P,
    options: EnqueueOptions = {},
  ): Promise<string> {
    const { runAt, dedupeKey = null, maxAttempts = 12 } = options;
    if (!NAME_RE.test(name)) throw new Error(`job name "${name}" must match ${NAME_RE}`);
    if (runAt && Number.isNaN(runAt.getTime())) throw new Error('runAt is not a valid date');
    if (!Number.isInteger(maxAttempts) || maxAttempts < 1 || maxAttempts > 100)
      throw new Error('maxAttempts must be 1..100');
    if (dedupeKey !== null && (dedupeKey.length < 1 || dedupeKey.length > 200))
      throw new Error('dedupeKey must be 1..200 characters');
    const manager = this.db.manager;
    const params = [uuidv7(), name, JSON.stringify(payload), runAt ?? null, maxAttempts, dedupeKey];
    // A worker may claim the pending row between the two statements; the guarded DO UPDATE then
    // returns nothing and the next round detaches the now running job.
    for (let round = 0; round < 3; round++) {
      if (dedupeKey !== null) {
        await manager.query(`UPDATE job SET dedupe_key = NULL WHERE dedupe_key = $1 AND status = 'running'`, [
          dedupeKey,
        ]);
      }
      const rows: { id: string }[] = await manager.query(INSERT_SQL, params);
      if (rows.length) return rows[0].id;
    }
    throw new Error(`could not enqueue job "${name}": its dedupe key stays taken by a running job`);
  }

  /** Removes the pending job holding the key (a running one finishes); returns how many were removed. */
  async cancel(dedupeKey: string): Promise<number> {
    const [, count]: [unknown, number] = await this.db.manager.query(
      `DELETE FROM job WHERE dedupe_key = $1 AND status = 'pending'`,
      [dedupeKey],
    );
    return count;
  }

  /** Operators' view, newest first; payloads stay out of it (they may name citizens' records). */
  async list(_ctx: RequestContext, query: JobQueryDto): Promise<JobPageDto> {
    const qb = this.db
      .repo(Job)
      .createQueryBuilder('j')
      .select([
        'j.id',
        'j.name',
        'j.status',
        'j.runAt',
        'j.attempts',
        'j.maxAttempts',
        'j.lastError',
        'j.dedupeKey',
        'j.createdAt',
        'j.finishedAt',
      ]);
    if (query.status) qb.andWhere('j.status = :status', { status: query.status });
    if (query.name) qb.andWhere('j.name = :name', { name: query.name });
    // UUIDv7 ids sort by creation time, so the id alone is the keyset.
    return keysetPage(qb, query, {
      cursor: JOB_CURSOR,
      idColumn: 'j.id',
      direction: 'DESC',
      keyOf: (j) => [j.id],
    });
  }
}
