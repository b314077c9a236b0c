import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * pending → running → done; a failed attempt goes back to pending with a later run_at, or to dead once
 * max_attempts is used up; `failed` is a permanent failure (PermanentJobError) that is not retried.
 */
export type JobStatus = 'pending' | 'running' | 'done' | 'failed' | 'dead';
export const JOB_STATUSES: JobStatus[] = ['pending', 'running', 'done', 'failed', 'dead'];

/** Partial unique index predicate; enqueue's ON CONFLICT repeats it verbatim so Postgres can infer the index. */
export const DEDUPE_SCOPE = `status IN ('pending', 'running')`;

/** A unit of background work, written in the business transaction that makes it necessary (outbox style). */
@Entity('job')
@Index('job_due_idx', ['status', 'runAt'])
@Index('job_dedupe_key_uq', ['dedupeKey'], { unique: true, where: DEDUPE_SCOPE })
export class Job {
  /** UUIDv7, assigned by JobsService (rows are inserted with SQL, so no entity hook runs). */
  @PrimaryColumn('uuid')
  id: string;

  /** Handler name, e.g. `case.sla-warning`. */
  @Column({ type: 'varchar', length: 100 })
  name: string;

  /** Ids and small facts only; handlers load the rest, so no personal data is copied here. */
  @Column({ type: 'jsonb', default: {} })
  payload: Record<string, unknown>;

  @Column({ type: 'varchar', length: 16, default: 'pending' })
  status: JobStatus;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  runAt: Date;

  /** Attempts started so far (incremented when a worker claims the job). */
  @Column({ type: 'int', default: 0 })
  attempts: number;

  @Column({ type: 'int', default: 12 })
  maxAttempts: number;

  /** Error name and scrubbed message of the last failed attempt: no stack, no long digit runs, no e-mails. */
  @Column({ type: 'text', nullable: true })
  lastError: string | null;

  /** While running: after this instant another worker may take the job over (the first one died). */
  @Column({ type: 'timestamptz', nullable: true })
  lockedUntil: Date | null;

  /** At most one pending or running job per key; enqueueing again replaces the pending one. */
  @Column({ type: 'varchar', length: 200, nullable: true })
  dedupeKey: string | null;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  finishedAt: Date | null;
}
