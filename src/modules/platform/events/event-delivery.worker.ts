import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnModuleInit,
} from '@nestjs/common';
import { contextStore } from '../../../api/context/context-store';
import { RequestContext } from '../../../api/context/request-context';
import { APP_CONFIG, AppConfig } from '../../../config/config';
import { Db } from '../../../database/db';
import { describeFailure, retryDelaySeconds } from '../jobs/job-failure';
import { EventsService, PublishedEvent } from './events.service';
import { nextAfterFailure } from './delivery-rules';

export const BATCH_SIZE = 20;
/** A delivery still running after this long is presumed abandoned (its worker died) and taken over. */
export const LOCK_SECONDS = 120;

interface Claimed {
  subscriber: string;
  attempts: number;
  maxAttempts: number;
  id: string;
  type: string;
  version: number;
  aggregateType: string;
  aggregateId: string;
  sequence: number;
  payload: Record<string, unknown>;
  actorKind: string;
  actorId: string | null;
  occurredAt: Date;
}

/**
 * Claims due deliveries in one short statement (FOR UPDATE SKIP LOCKED: two instances never take the
 * same row). A delivery is due only when no earlier event of the same aggregate is still open for
 * the same subscriber (pending, running or dead), so an aggregate's events are handled in order and
 * a dead one holds back the later ones until it is replayed. `$1` is the clock: now() in production,
 * a given instant in tests.
 */
const CLAIM_SQL = `
  WITH due AS (
    SELECT d.subscriber, d.event_id FROM event_delivery d
    WHERE d.subscriber = ANY($2::varchar[])
      AND ((d.status = 'pending' AND d.run_at <= COALESCE($1::timestamptz, now()))
        OR (d.status = 'running' AND d.locked_until <= COALESCE($1::timestamptz, now())))
      AND NOT EXISTS (
        SELECT 1 FROM event_delivery e
        WHERE e.subscriber = d.subscriber AND e.aggregate_type = d.aggregate_type
          AND e.aggregate_id = d.aggregate_id AND e.sequence < d.sequence AND e.status <> 'done')
    ORDER BY d.run_at, d.created_at, d.sequence
    LIMIT $3
    FOR UPDATE OF d SKIP LOCKED
  ), claimed AS (
    UPDATE event_delivery SET status = 'running', attempts = event_delivery.attempts + 1,
      locked_until = COALESCE($1::timestamptz, now()) + make_interval(secs => $4)
    FROM due WHERE event_delivery.subscriber = due.subscriber AND event_delivery.event_id = due.event_id
    RETURNING event_delivery.subscriber, event_delivery.event_id, event_delivery.attempts,
      event_delivery.max_attempts
  )
  SELECT c.subscriber, c.attempts, c.max_attempts AS "maxAttempts", ev.id, ev.type, ev.version,
    ev.aggregate_type AS "aggregateType", ev.aggregate_id AS "aggregateId", ev.sequence, ev.payload,
    ev.actor_kind AS "actorKind", ev.actor_id AS "actorId", ev.occurred_at AS "occurredAt"
  FROM claimed c JOIN domain_event ev ON ev.id = c.event_id
  ORDER BY ev.occurred_at, ev.sequence`;

/** Raised inside the handler's transaction when another worker took the delivery over. */
class LockLost extends Error {}

/**
 * Runs durable subscribers. Kicked right after a commit that wrote deliveries (low latency), and
 * polls every JOBS_POLL_MS for what a crash, a retry or another instance left. Off when
 * JOBS_ENABLED is off (tests call drain() instead of waiting for timers).
 */
@Injectable()
export class EventDeliveryWorker implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly log = new Logger('EventDelivery');
  private timer?: NodeJS.Timeout;
  private tick?: Promise<void>;
  private stopped = true;
  private again = false;

  constructor(
    private readonly db: Db,
    private readonly events: EventsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.events.onDeliveriesCommitted = () => this.kick();
  }

  onApplicationBootstrap(): void {
    if (this.config.jobs.enabled) this.start();
  }

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
    while (this.tick) await this.tick;
  }

  /** Deliver soon: now if idle, or right after the running round. */
  kick(): void {
    if (this.stopped) return;
    if (this.tick) {
      this.again = true;
      return;
    }
    clearTimeout(this.timer);
    this.schedule(0);
  }

  /** Claims and runs one batch of due deliveries, one after another; returns how many were claimed. */
  async runDue(now?: Date): Promise<number> {
    if (contextStore.transaction()) throw new Error('runDue must not be called inside a transaction');
    const names = this.events.durableSubscribers().map((s) => s.name);
    if (!names.length) return 0;
    const claimed = await contextStore.run(RequestContext.system('events'), () =>
      this.db.query<Claimed>(CLAIM_SQL, [now ?? null, names, BATCH_SIZE, LOCK_SECONDS]),
    );
    for (const d of claimed) await this.runOne(d, now);
    return claimed.length;
  }

  /** Runs batches until nothing is due (bounded, in case handlers keep publishing). */
  async drain(now?: Date, maxBatches = 100): Promise<number> {
    let total = 0;
    for (let i = 0; i < maxBatches; i++) {
      const n = await this.runDue(now);
      if (!n) break;
      total += n;
    }
    return total;
  }

  private async runOne(d: Claimed, now?: Date): Promise<void> {
    const subscriber = this.events.durableSubscriber(d.subscriber)!;
    const ctx = RequestContext.system(`events:${d.subscriber}`);
    const event: PublishedEvent = {
      id: d.id,
      type: d.type,
      version: d.version,
      aggregate: { type: d.aggregateType, id: d.aggregateId },
      sequence: d.sequence,
      payload: d.payload,
      actor: { kind: d.actorKind, id: d.actorId },
      occurredAt: new Date(d.occurredAt),
    };
    await contextStore.run(ctx, async () => {
      if (d.attempts > d.maxAttempts)
        return this.recordFailure(d, new Error('the worker stopped during the last attempt'), now);
      try {
        await this.db.transaction(async (m) => {
          await subscriber.handler(event, ctx);
          const [, marked]: [unknown, number] = await m.query(
            `UPDATE event_delivery SET status = 'done', delivered_at = now(), locked_until = NULL, last_error = NULL
             WHERE subscriber = $1 AND event_id = $2 AND status = 'running' AND attempts = $3`,
            [d.subscriber, d.id, d.attempts],
          );
          if (marked !== 1) throw new LockLost();
        });
      } catch (err) {
        if (err instanceof LockLost)
          return this.log.warn(`delivery of ${d.id} to ${d.subscriber} was taken over by another worker`);
        await this.recordFailure(d, err, now);
      }
    });
  }

  /** Outside the rolled-back transaction: back to pending after a backoff, or dead. */
  private async recordFailure(d: Claimed, err: unknown, now?: Date): Promise<void> {
    const status = nextAfterFailure(d.attempts, d.maxAttempts);
    const delay = status === 'pending' ? retryDelaySeconds(d.attempts) : 0;
    const lastError = describeFailure(err);
    await this.db.query(
      `UPDATE event_delivery SET status = $4::varchar, last_error = $5, locked_until = NULL,
         run_at = CASE WHEN $4::varchar = 'pending' THEN COALESCE($6::timestamptz, now()) + make_interval(secs => $7) ELSE run_at END
       WHERE subscriber = $1 AND event_id = $2 AND status = 'running' AND attempts = $3`,
      [d.subscriber, d.id, d.attempts, status, lastError, now ?? null, delay],
    );
    const line = `${d.type} ${d.id} to ${d.subscriber}: attempt ${d.attempts}/${d.maxAttempts} failed → ${status}: ${lastError}`;
    if (status === 'pending') this.log.warn(line);
    else this.log.error(line);
  }

  private schedule(ms: number): void {
    this.timer = setTimeout(() => {
      this.again = false;
      this.tick = this.drain()
        .catch((err: unknown) => (this.log.error(`event delivery failed: ${describeFailure(err)}`), 0))
        .then(() => {
          this.tick = undefined;
          if (!this.stopped) this.schedule(this.again ? 0 : this.config.jobs.pollMs);
        });
    }, ms);
    this.timer.unref();
  }
}
