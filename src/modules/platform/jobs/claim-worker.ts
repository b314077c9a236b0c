import { Logger } from '@nestjs/common';
import { contextStore } from '../../../api/context/context-store';
import { RequestContext } from '../../../api/context/request-context';
import type { Db } from '../../../database/db';
import { describeFailure } from './job-failure';

/** A row a worker has claimed: how many attempts it has had, counting the one just claimed. */
export interface ClaimedRow {
  attempts: number;
  maxAttempts: number;
}

/** Raised inside the handler's transaction when another worker took the row over; rolls the run back. */
class LockLost extends Error {}

/**
 * What the job worker and the event-delivery worker share: claim due rows in one short statement
 * (FOR UPDATE SKIP LOCKED in the subclass's SQL, so no lock or connection is held while handlers
 * run), run each row's handler and its "done" mark in one transaction, record a failure outside
 * that rolled-back transaction, and poll every `pollMs` (or at once when kicked or when the last
 * round was busy) while started. Tests call runDue()/drain() instead of waiting for timers.
 */
export abstract class ClaimWorker<T extends ClaimedRow> {
  protected abstract readonly log: Logger;
  private timer?: NodeJS.Timeout;
  private tick?: Promise<void>;
  private stopped = true;
  private again = false;

  protected constructor(
    protected readonly db: Db,
    private readonly pollMs: number,
    /** the actor of the claim statement (RequestContext.system(name)) */
    private readonly name: string,
    /** rows one claim takes at most: a shorter batch means nothing else was due */
    private readonly batchSize: number,
  ) {}

  /** Claims up to one batch of due rows at `now` (the database's clock when absent). */
  protected abstract claim(now: Date | undefined): Promise<T[]>;
  /** Runs the row's handler inside the open transaction. */
  protected abstract handle(row: T, ctx: RequestContext): Promise<void>;
  /** Marks the row done inside the same transaction; answers how many rows it marked (1, or 0 if taken over). */
  protected abstract markDone(
    row: T,
    query: (sql: string, params: unknown[]) => Promise<unknown>,
  ): Promise<number>;
  /** Back to pending after a backoff, or failed/dead for good (outside the rolled-back transaction). */
  protected abstract recordFailure(row: T, err: unknown, now: Date | undefined): Promise<void>;
  /** The context the handler runs under, and how a row is named in logs. */
  protected abstract contextOf(row: T): RequestContext;
  protected abstract describe(row: T): string;

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(0);
  }

  /** Stops polling and waits for the running round (before TypeORM closes the pool). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    while (this.tick) await this.tick;
  }

  /** Work soon: now if idle, or right after the running round. */
  kick(): void {
    if (this.stopped) return;
    if (this.tick) {
      this.again = true;
      return;
    }
    clearTimeout(this.timer);
    this.schedule(0);
  }

  /** Claims and runs one batch of due rows, one after another; returns how many were claimed. */
  async runDue(now?: Date): Promise<number> {
    // On the embedded database the caller's transaction holds the only connection: claiming would wait forever.
    if (contextStore.transaction())
      throw new Error(`${this.name}: runDue must not be called inside a transaction`);
    const claimed = await contextStore.run(RequestContext.system(this.name), () => this.claim(now));
    for (const row of claimed) await this.runOne(row, now);
    return claimed.length;
  }

  /** Runs batches until nothing is due (bounded, in case handlers keep adding due work). */
  async drain(now?: Date, maxBatches = 100): Promise<number> {
    let total = 0;
    for (let i = 0; i < maxBatches; i++) {
      const n = await this.runDue(now);
      if (!n) break;
      total += n;
    }
    return total;
  }

  private async runOne(row: T, now?: Date): Promise<void> {
    const ctx = this.contextOf(row);
    await contextStore.run(ctx, async () => {
      if (row.attempts > row.maxAttempts)
        return this.recordFailure(row, new Error('the worker stopped during the last attempt'), now);
      try {
        await this.db.transaction(async (manager) => {
          await this.handle(row, ctx);
          const marked = await this.markDone(row, (sql, params) => manager.query(sql, params));
          if (marked !== 1) throw new LockLost();
        });
      } catch (err) {
        if (err instanceof LockLost)
          return this.log.warn(`${this.describe(row)} was taken over by another worker; run discarded`);
        await this.recordFailure(row, err, now);
      }
    });
  }

  /**
   * The polling round: batches until one comes back short. Unlike drain() it does not confirm with
   * an empty claim (a statement per round saved): whatever commits meanwhile kicks the worker again.
   */
  private async runWhileBusy(): Promise<void> {
    while ((await this.runDue()) >= this.batchSize && !this.stopped);
  }

  private schedule(ms: number): void {
    this.timer = setTimeout(() => {
      this.again = false;
      this.tick = this.runWhileBusy()
        .catch((err: unknown) => this.log.error(`${this.name} poll failed: ${describeFailure(err)}`))
        .then(() => {
          this.tick = undefined;
          if (!this.stopped) this.schedule(this.again ? 0 : this.pollMs);
        });
    }, ms);
    this.timer.unref();
  }
}
