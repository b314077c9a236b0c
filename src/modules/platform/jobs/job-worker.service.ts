import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { RequestContext } from '../../../api/context/request-context';
import { APP_CONFIG, AppConfig } from '../../../config/config';
import { Db } from '../../../database/db';
import { ClaimWorker } from './claim-worker';
import { describeFailure, PermanentJobError, retryDelaySeconds } from './job-failure';
import { JobsService, JobPayload } from './jobs.service';

const BATCH_SIZE = 10;
/** A job still running after this long is presumed abandoned (its worker died) and is taken over. */
const LOCK_SECONDS = 300;

interface ClaimedJob {
  id: string;
  name: string;
  payload: JobPayload;
  attempts: number;
  maxAttempts: number;
}

/**
 * Claims due jobs (and abandoned ones) in one short statement, so no lock or connection is held
 * while handlers run; each job's handler and its "done" mark then commit in one transaction.
 * `$1` is the clock: the database's now() in production, a given instant in tests.
 */
const CLAIM_SQL = `
  WITH due AS (
    SELECT id FROM job
    WHERE name = ANY($2::varchar[])
      AND ((status = 'pending' AND run_at <= COALESCE($1::timestamptz, now()))
        OR (status = 'running' AND locked_until <= COALESCE($1::timestamptz, now())))
    ORDER BY run_at, id
    LIMIT $3
    FOR UPDATE SKIP LOCKED
  ), claimed AS (
    UPDATE job SET status = 'running', attempts = job.attempts + 1,
      locked_until = COALESCE($1::timestamptz, now()) + make_interval(secs => $4)
    FROM due WHERE job.id = due.id
    RETURNING job.id, job.name, job.payload, job.attempts, job.max_attempts AS "maxAttempts", job.run_at
  )
  SELECT * FROM claimed ORDER BY run_at, id`;

/** Polls the job table when JOBS_ENABLED; tests call runDueJobs()/drain() instead of waiting for timers. */
@Injectable()
export class JobWorker
  extends ClaimWorker<ClaimedJob>
  implements OnApplicationBootstrap, BeforeApplicationShutdown
{
  protected readonly log = new Logger('JobWorker');

  constructor(
    db: Db,
    private readonly jobs: JobsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    super(db, config.jobs.pollMs, 'jobs', BATCH_SIZE);
  }

  onApplicationBootstrap(): void {
    if (this.config.jobs.enabled) this.start();
  }

  /** Before TypeORM closes the pool (onApplicationShutdown): let the running batch finish. */
  beforeApplicationShutdown(): Promise<void> {
    return this.stop();
  }

  /** Runs one batch of due jobs, one after another; returns how many were claimed. */
  runDueJobs(now?: Date): Promise<number> {
    return this.runDue(now);
  }

  protected async claim(now: Date | undefined): Promise<ClaimedJob[]> {
    const names = this.jobs.handlerNames();
    if (!names.length) return [];
    return this.db.query<ClaimedJob>(CLAIM_SQL, [now ?? null, names, BATCH_SIZE, LOCK_SECONDS]);
  }

  protected contextOf(job: ClaimedJob): RequestContext {
    return RequestContext.system(job.name);
  }

  protected describe(job: ClaimedJob): string {
    return `job ${job.id} (${job.name})`;
  }

  protected handle(job: ClaimedJob, ctx: RequestContext): Promise<void> {
    return this.jobs.handler(job.name)!(job.payload, ctx);
  }

  protected async markDone(
    job: ClaimedJob,
    query: (sql: string, params: unknown[]) => Promise<unknown>,
  ): Promise<number> {
    const [, marked] = (await query(
      `UPDATE job SET status = 'done', finished_at = now(), locked_until = NULL
       WHERE id = $1 AND status = 'running' AND attempts = $2`,
      [job.id, job.attempts],
    )) as [unknown, number];
    return marked;
  }

  /** Outside the rolled-back transaction: back to pending after a backoff, or failed/dead for good. */
  protected async recordFailure(job: ClaimedJob, err: unknown, now?: Date): Promise<void> {
    const status =
      err instanceof PermanentJobError ? 'failed' : job.attempts >= job.maxAttempts ? 'dead' : 'pending';
    const delay = status === 'pending' ? retryDelaySeconds(job.attempts) : 0;
    const lastError = describeFailure(err);
    await this.db.query(
      `UPDATE job SET status = $3::varchar, last_error = $4, locked_until = NULL,
         run_at = CASE WHEN $3::varchar = 'pending' THEN COALESCE($5::timestamptz, now()) + make_interval(secs => $6) ELSE run_at END,
         finished_at = CASE WHEN $3::varchar = 'pending' THEN NULL ELSE now() END
       WHERE id = $1 AND status = 'running' AND attempts = $2`,
      [job.id, job.attempts, status, lastError, now ?? null, delay],
    );
    const line = `job ${job.id} (${job.name}) attempt ${job.attempts}/${job.maxAttempts} failed → ${status}: ${lastError}`;
    if (status === 'pending') this.log.warn(line);
    else this.log.error(line);
  }
}
