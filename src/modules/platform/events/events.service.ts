import { Injectable, Logger } from '@nestjs/common';
import type { RequestContext } from '../../../api/context/request-context';
import { Db } from '../../../database/db';
import { uuidv7 } from '../../../database/uuid';
import { describeFailure } from '../jobs/job-failure';
import { EventCatalogue } from './event-catalogue';

/** An event as subscribers receive it. */
export interface PublishedEvent<P = Record<string, unknown>> {
  id: string;
  type: string;
  version: number;
  aggregate: { type: string; id: string };
  /** 1, 2, 3 … per aggregate */
  sequence: number;
  payload: P;
  actor: { kind: string; id: string | null };
  occurredAt: Date;
}

export interface NewEvent<P = Record<string, unknown>> {
  type: string;
  aggregate: { type: string; id: string };
  payload: P;
}

export type EventHandler<P = Record<string, unknown>> = (
  event: PublishedEvent<P>,
  ctx: RequestContext,
) => Promise<void> | void;

export interface DurableSubscriber {
  name: string;
  types: ReadonlySet<string>;
  handler: EventHandler;
  maxAttempts: number;
}

export interface DurableOptions {
  /** attempts before a delivery is dead (default 12: about an hour and a half of backoff) */
  maxAttempts?: number;
}

const NAME_RE = /^[a-z][a-z0-9._:-]{0,99}$/;

/**
 * Publishes domain events into the outbox (domain_event, plus one event_delivery row per durable
 * subscriber of the type) inside the caller's transaction, and holds the subscribers. In-process
 * subscribers run once the transaction has committed; durable ones are run by EventDeliveryWorker.
 */
@Injectable()
export class EventsService {
  private readonly log = new Logger('Events');
  private readonly inProcess: Array<{ types: ReadonlySet<string>; handler: EventHandler }> = [];
  private readonly durable = new Map<string, DurableSubscriber>();
  /** Set by the delivery worker: asks it to run soon (after a commit that wrote deliveries). */
  onDeliveriesCommitted: () => void = () => undefined;

  constructor(
    private readonly db: Db,
    readonly catalogue: EventCatalogue,
  ) {}

  /**
   * Writes the event with the caller's open transaction (or one of its own), after checking the
   * type is in the catalogue and the payload meets its schema (a programming error otherwise).
   */
  async publish<P extends object>(ctx: RequestContext, input: NewEvent<P>): Promise<PublishedEvent<P>> {
    const def = this.catalogue.check(input.type, input.payload);
    const { type: aggregateType, id: aggregateId } = input.aggregate;
    if (!aggregateType || !aggregateId)
      throw new Error(`event "${input.type}" needs an aggregate type and id`);
    return this.db.transaction(async (m) => {
      // Serialises publishers of one aggregate until commit, so sequence numbers never collide.
      await m.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`event:${aggregateType}:${aggregateId}`]);
      const subscribers = [...this.durable.values()].filter((s) => s.types.has(def.type));
      const id = uuidv7();
      const occurredAt = new Date();
      // One statement after the lock (its snapshot is taken once the lock is held, so it sees every
      // event of the aggregate committed before): the next sequence, the event and its deliveries.
      const [{ sequence }] = await m.query<Array<{ sequence: number }>>(
        `WITH ev AS (
           INSERT INTO domain_event (id, type, version, aggregate_type, aggregate_id, sequence, payload, actor_kind, actor_id, occurred_at)
           SELECT $1::uuid, $2, $3, $4::varchar, $5::varchar, COALESCE(MAX(sequence), 0) + 1, $6::jsonb, $7, $8, $9
           FROM domain_event WHERE aggregate_type = $4::varchar AND aggregate_id = $5::varchar
           RETURNING sequence
         ), deliveries AS (
           INSERT INTO event_delivery (subscriber, event_id, aggregate_type, aggregate_id, sequence, max_attempts)
           SELECT s.name, $1::uuid, $4::varchar, $5::varchar, ev.sequence, s.max_attempts
           FROM ev, unnest($10::varchar[], $11::int[]) AS s(name, max_attempts)
         )
         SELECT sequence FROM ev`,
        [
          id,
          def.type,
          def.version,
          aggregateType,
          aggregateId,
          JSON.stringify(input.payload),
          ctx.actor.kind,
          ctx.actor.id,
          occurredAt,
          subscribers.map((s) => s.name),
          subscribers.map((s) => s.maxAttempts),
        ],
      );
      const event: PublishedEvent<P> = {
        id,
        type: def.type,
        version: def.version,
        aggregate: { type: aggregateType, id: aggregateId },
        sequence: Number(sequence),
        payload: input.payload,
        actor: { kind: ctx.actor.kind, id: ctx.actor.id },
        occurredAt,
      };
      await this.db.afterCommit(async () => {
        await this.runInProcess(event as PublishedEvent, ctx);
        if (subscribers.length) this.onDeliveriesCommitted();
      });
      return event;
    });
  }

  /**
   * An in-process subscriber: runs after the publishing transaction commits (never inside it, never
   * if it rolls back), in the publisher's process only, at most once. A failure is logged, not
   * propagated: the write it reacts to has happened. For work that must not be lost, use durable().
   */
  subscribe<P = Record<string, unknown>>(types: string | string[], handler: EventHandler<P>): void {
    const set = new Set(Array.isArray(types) ? types : [types]);
    this.inProcess.push({ types: set, handler: handler as EventHandler });
  }

  /**
   * A durable subscriber, named once for the whole deployment: every event of `types` published
   * from now on is delivered to it at least once, in order per aggregate, with retries and backoff.
   * The handler runs in a transaction of its own through Db; its writes commit together with the
   * delivery's "done" mark, which is what makes a redelivery harmless.
   */
  durableSubscribe<P = Record<string, unknown>>(
    name: string,
    types: string | string[],
    handler: EventHandler<P>,
    options: DurableOptions = {},
  ): void {
    const { maxAttempts = 12 } = options;
    if (!NAME_RE.test(name)) throw new Error(`subscriber name "${name}" must match ${NAME_RE}`);
    if (this.durable.has(name)) throw new Error(`durable subscriber "${name}" is already registered`);
    if (!Number.isInteger(maxAttempts) || maxAttempts < 1 || maxAttempts > 100)
      throw new Error('maxAttempts must be 1..100');
    const set = new Set(Array.isArray(types) ? types : [types]);
    this.durable.set(name, { name, types: set, handler: handler as EventHandler, maxAttempts });
  }

  durableSubscriber(name: string): DurableSubscriber | undefined {
    return this.durable.get(name);
  }

  durableSubscribers(): DurableSubscriber[] {
    return [...this.durable.values()];
  }

  private async runInProcess(event: PublishedEvent, ctx: RequestContext): Promise<void> {
    for (const s of this.inProcess) {
      if (!s.types.has(event.type)) continue;
      try {
        await s.handler(event, ctx);
      } catch (err) {
        this.log.error(
          `in-process subscriber of ${event.type} failed on ${event.id}: ${describeFailure(err)}`,
        );
      }
    }
  }
}
