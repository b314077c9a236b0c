import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnModuleInit,
} from '@nestjs/common';
import { RequestContext } from '../../../api/context/request-context';
import { APP_CONFIG, AppConfig } from '../../../config/config';
import { Db } from '../../../database/db';
import { ClaimWorker } from '../jobs/claim-worker';
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

/**
 * Runs durable subscribers. Kicked right after a commit that wrote deliveries (low latency), and
 * polls every JOBS_POLL_MS for what a crash, a retry or another instance left. Off when
 * JOBS_ENABLED is off (tests call drain() instead of waiting for timers).
 */
@Injectable()
export class EventDeliveryWorker
  extends ClaimWorker<Claimed>
  implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown
{
  protected readonly log = new Logger('EventDelivery');

  constructor(
    db: Db,
    private readonly events: EventsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    super(db, config.jobs.pollMs, 'events', BATCH_SIZE);
  }

  onModuleInit(): void {
    this.events.onDeliveriesCommitted = () => this.kick();
  }

  onApplicationBootstrap(): void {
    if (this.config.jobs.enabled) this.start();
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.stop();
  }

  protected async claim(now: Date | undefined): Promise<Claimed[]> {
    const names = this.events.durableSubscribers().map((s) => s.name);
    if (!names.length) return [];
    return this.db.query<Claimed>(CLAIM_SQL, [now ?? null, names, BATCH_SIZE, LOCK_SECONDS]);
  }

  protected contextOf(d: Claimed): RequestContext {
    return RequestContext.system(`events:${d.subscriber}`);
  }

  protected describe(d: Claimed): string {
    return `delivery of ${d.id} to ${d.subscriber}`;
  }

  protected async handle(d: Claimed, ctx: RequestContext): Promise<void> {
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
    await this.events.durableSubscriber(d.subscriber)!.handler(event, ctx);
  }

  protected async markDone(
    d: Claimed,
    query: (sql: string, params: unknown[]) => Promise<unknown>,
  ): Promise<number> {
    const [, marked] = (await query(
      `UPDATE event_delivery SET status = 'done', delivered_at = now(), locked_until = NULL, last_error = NULL
       WHERE subscriber = $1 AND event_id = $2 AND status = 'running' AND attempts = $3`,
      [d.subscriber, d.id, d.attempts],
    )) as [unknown, number];
    return marked;
  }

  /** Outside the rolled-back transaction: back to pending after a backoff, or dead. */
  protected async recordFailure(d: Claimed, err: unknown, now?: Date): Promise<void> {
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
}
