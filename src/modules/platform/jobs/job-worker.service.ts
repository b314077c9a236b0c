import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { contextStore } from '../../../api/context/context-store';
import { RequestContext } from '../../../api/context/request-context';
import { APP_CONFIG, AppConfig } from '../../../config/config';
import { Db } from '../../../database/db';
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

/** Raised inside the job's transaction when another worker took the job over; rolls the run back. */
class LockLost extends Error {}

/** Polls the job table when JOBS_ENABLED; tests call runDueJobs()/drain() instead of waiting for timers. */
@Injectable()
export class JobWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly log = new Logger('JobWorker');
  private timer?: NodeJS.Timeout;
  private tick?: Promise<void>;
  private stopped = true;

  constructor(
    private readonly db: Db,
    private readonly jobs: JobsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.jobs.enabled) this.start();
  }

  /** Before TypeORM closes the pool (onApplicationShutdown): let the running batch finish. */
  beforeApplicationShutdown(): Promise<void> {
    return this.stop();
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.tick;
  }

  /** Runs one batch of due jobs, one after another; returns how many were claimed. */
  async runDueJobs(now?: Date): Promise<number> {
    // On the embedded database the caller's transaction holds the only connection: claiming would wait forever.
    if (contextStore.transaction()) throw new Error('runDueJobs must not be called inside a transaction');
    const names = this.jobs.handlerNames();
    if (!names.length) return 0;
    const claimed = await contextStore.run(RequestContext.system('jobs'), () =>
      this.db.query<ClaimedJob>(CLAIM_SQL, [now ?? null, names, BATCH_SIZE, LOCK_SECONDS]),
    );
    for (const job of claimed) await this.runOne(job, now);
    return claimed.length;
  }

  /** Runs batches until nothing is due (bounded, in case handlers keep enqueueing due work). */
  async drain(now?: Date, maxBatches = 100): Promise<number> {
    let total = 0;
    for (let i = 0; i < maxBatches; i++) {
      const n = await this.runDueJobs(now);
      if (!n) break;
      total += n;
    }
    return total;
  }

  private async runOne(job: ClaimedJob, now?: Date): Promise<void> {
    const ctx = RequestContext.system(job.name);
    await contextStore.run(ctx, async () => {
      if (job.attempts > job.maxAttempts) {
        return this.recordFailure(job, new Error('the worker stopped during the last attempt'), now);
      }
      try {
        await this.db.transaction(async (manager) => {
          await this.jobs.handler(job.name)!(job.payload, ctx);
          const [, marked]: [unknown, number] = await manager.query(
            `UPDATE job SET status = 'done', finished_at = now(), locked_until = NULL
             WHERE id = $1 AND status = 'running' AND attempts = $2`,
            [job.id, job.attempts],
          );
          if (marked !== 1) throw new LockLost();
        });
      } catch (err) {
        if (err instanceof LockLost)
          return this.log.warn(`job ${job.id} (${job.name}) was taken over by another worker; run discarded`);
        await this.recordFailure(job, err, now);
      }
    });
  }

  /** Outside the rolled-back transaction: back to pending after a backoff, or failed/dead for good. */
  private async recordFailure(job: ClaimedJob, err: unknown, now?: Date): Promise<void> {
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

  private schedule(ms: number): void {
    this.timer = setTimeout(() => {
      this.tick = this.runDueJobs()
        .catch((err: unknown) => (this.log.error(`job poll failed: ${describeFailure(err)}`), 0))
        .then((n) => {
          this.tick = undefined;
          if (!this.stopped) this.schedule(n >= BATCH_SIZE ? 0 : this.config.jobs.pollMs);
        });
    }, ms);
    this.timer.unref();
  }
}
