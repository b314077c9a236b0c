import { Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
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

/** An event waiting in its transaction for the before-commit write, with its durable subscribers. */
interface Queued {
  event: PublishedEvent;
  subscribers: DurableSubscriber[];
}

export interface DurableOptions {
  /** attempts before a delivery is dead (default 12: about an hour and a half of backoff) */
  maxAttempts?: number;
}

const NAME_RE = /^[a-z][a-z0-9._:-]{0,99}$/;

/**
 * Publishes domain events into the outbox (domain_event, plus one event_delivery row per durable
 * subscriber of the type) inside the caller's transaction, all of a transaction's events in one
 * write just before its commit, and holds the subscribers. In-process
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
   * Queues the event in the caller's open transaction (or one of its own), after checking the type
   * is in the catalogue and the payload meets its schema (a programming error otherwise: it throws
   * here, at the call site). The events of one transaction are written together just before it
   * commits (writeBatch): one statement takes their aggregates' locks, one inserts them all with
   * their deliveries. The returned event has its id at once; its `sequence` is 0 until that write,
   * which sets it on the same object (so it is known once the transaction has committed, and at once
   * when publish() opened the transaction itself).
   */
  async publish<P extends object>(ctx: RequestContext, input: NewEvent<P>): Promise<PublishedEvent<P>> {
    const def = this.catalogue.check(input.type, input.payload);
    const { type: aggregateType, id: aggregateId } = input.aggregate;
    if (!aggregateType || !aggregateId)
      throw new Error(`event "${input.type}" needs an aggregate type and id`);
    const event: PublishedEvent<P> = {
      id: uuidv7(),
      type: def.type,
      version: def.version,
      aggregate: { type: aggregateType, id: aggregateId },
      sequence: 0,
      payload: input.payload,
      actor: { kind: ctx.actor.kind, id: ctx.actor.id },
      occurredAt: new Date(),
    };
    const subscribers = [...this.durable.values()].filter((s) => s.types.has(def.type));
    await this.db.transaction(async (m) => {
      let batch = this.batches.get(m);
      if (!batch) {
        this.batches.set(m, (batch = []));
        // Ahead of the audit sequencer's hook: its contended lock is then held for less.
        await this.db.deferToCommit(() => this.writeBatch(m), { first: true });
      }
      batch.push({ event: event as PublishedEvent, subscribers });
      await this.db.afterCommit(async () => {
        await this.runInProcess(event as PublishedEvent, ctx);
        if (subscribers.length) this.onDeliveriesCommitted();
      });
    });
    return event;
  }

  /** The events published in each open transaction, written by its before-commit hook. */
  private readonly batches = new WeakMap<EntityManager, Queued[]>();

  /**
   * Writes a transaction's events in two statements, whatever their number. First the advisory lock
   * of each aggregate, in the order of their keys (PostgreSQL evaluates the locks above the sort, so
   * two transactions never take two locks in opposite orders), held until commit: publishers of one
   * aggregate are serialised and sequence numbers never collide. Then, with a snapshot taken once
   * the locks are held (it sees every event of those aggregates committed before), each event's
   * sequence (its aggregate's highest + its rank among the batch's events of that aggregate, in
   * publishing order), the events and their deliveries in one statement.
   */
  private async writeBatch(m: EntityManager): Promise<void> {
    const batch = this.batches.get(m) ?? [];
    // A later before-commit hook that publishes again starts a new batch (and hook).
    this.batches.delete(m);
    if (!batch.length) return;
    const keys = [...new Set(batch.map(({ event: e }) => `event:${e.aggregate.type}:${e.aggregate.id}`))];
    await m.query('SELECT pg_advisory_xact_lock(hashtext(k)) FROM unnest($1::text[]) AS k ORDER BY k', [
      keys.sort(),
    ]);
    const events = batch.map((q) => q.event);
    const deliveries = batch.flatMap((q) => q.subscribers.map((s) => ({ id: q.event.id, s })));
    const written = await m.query<Array<{ id: string; sequence: number }>>(
      `WITH input AS (
         SELECT * FROM unnest($1::uuid[], $2::varchar[], $3::int[], $4::varchar[], $5::varchar[], $6::text[],
           $7::varchar[], $8::varchar[], $9::timestamptz[]) WITH ORDINALITY
           AS i(id, type, version, aggregate_type, aggregate_id, payload, actor_kind, actor_id, occurred_at, ord)
       ), ev AS (
         INSERT INTO domain_event (id, type, version, aggregate_type, aggregate_id, sequence, payload, actor_kind, actor_id, occurred_at)
         SELECT i.id, i.type, i.version, i.aggregate_type, i.aggregate_id,
           COALESCE((SELECT MAX(e.sequence) FROM domain_event e
             WHERE e.aggregate_type = i.aggregate_type AND e.aggregate_id = i.aggregate_id), 0)
             + row_number() OVER (PARTITION BY i.aggregate_type, i.aggregate_id ORDER BY i.ord),
           i.payload::jsonb, i.actor_kind, i.actor_id, i.occurred_at
         FROM input i ORDER BY i.ord
         RETURNING id, aggregate_type, aggregate_id, sequence
       ), deliveries AS (
         INSERT INTO event_delivery (subscriber, event_id, aggregate_type, aggregate_id, sequence, max_attempts)
         SELECT s.name, ev.id, ev.aggregate_type, ev.aggregate_id, ev.sequence, s.max_attempts
         FROM unnest($10::uuid[], $11::varchar[], $12::int[]) AS s(event_id, name, max_attempts)
         JOIN ev ON ev.id = s.event_id
       )
       SELECT id, sequence FROM ev`,
      [
        events.map((e) => e.id),
        events.map((e) => e.type),
        events.map((e) => e.version),
        events.map((e) => e.aggregate.type),
        events.map((e) => e.aggregate.id),
        events.map((e) => JSON.stringify(e.payload)),
        events.map((e) => e.actor.kind),
        events.map((e) => e.actor.id),
        events.map((e) => e.occurredAt),
        deliveries.map((d) => d.id),
        deliveries.map((d) => d.s.name),
        deliveries.map((d) => d.s.maxAttempts),
      ],
    );
    const sequences = new Map(written.map((r) => [r.id, Number(r.sequence)]));
    for (const e of events) e.sequence = sequences.get(e.id)!;
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
