/**
 * The domain events of the bare submission twin (bench/bare-submission.ts), with the API's texts
 * (captured, whitespace aside): the transaction's events written just before its audit step, in
 * one statement pair for the whole batch (EventsService.writeBatch), and the durable delivery the
 * commit kicks (EventDeliveryWorker: one claim statement, then each claimed delivery's handler and
 * its "done" mark in a transaction of their own; rounds repeat while a claim comes back full).
 * The twin does not poll: the API's poll timer is background work beside the submission path.
 */
import type { Pool, PoolClient } from 'pg';

export interface Row {
  [column: string]: unknown;
}

export type Q = (sql: string, values?: unknown[]) => Promise<Row[]>;

export async function inTransaction<T>(pool: Pool, work: (c: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('START TRANSACTION');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  } finally {
    client.release();
  }
}

/** An event as the twin publishes it: what the API's batch write sends for it. */
export interface TwinEvent {
  id: string;
  type: string;
  aggregateType: string;
  aggregateId: string;
  payload: Record<string, unknown>;
  actorKind: string;
  actorId: string;
  occurredAt: Date;
  /** durable subscribers of the type: name and max attempts */
  subscribers: Array<[string, number]>;
}

const LOCKS_SQL = `SELECT pg_advisory_xact_lock(hashtext(k)) FROM unnest($1::text[]) AS k ORDER BY k`;
const EVENTS_SQL = `WITH input AS ( SELECT * FROM unnest($1::uuid[], $2::varchar[], $3::int[], $4::varchar[],
  $5::varchar[], $6::text[], $7::varchar[], $8::varchar[], $9::timestamptz[]) WITH ORDINALITY AS i(id, type,
  version, aggregate_type, aggregate_id, payload, actor_kind, actor_id, occurred_at, ord) ), ev AS ( INSERT INTO
  domain_event (id, type, version, aggregate_type, aggregate_id, sequence, payload, actor_kind, actor_id,
  occurred_at) SELECT i.id, i.type, i.version, i.aggregate_type, i.aggregate_id, COALESCE((SELECT MAX(e.sequence)
  FROM domain_event e WHERE e.aggregate_type = i.aggregate_type AND e.aggregate_id = i.aggregate_id), 0) +
  row_number() OVER (PARTITION BY i.aggregate_type, i.aggregate_id ORDER BY i.ord), i.payload::jsonb,
  i.actor_kind, i.actor_id, i.occurred_at FROM input i ORDER BY i.ord RETURNING id, aggregate_type,
  aggregate_id, sequence ), deliveries AS ( INSERT INTO event_delivery (subscriber, event_id, aggregate_type,
  aggregate_id, sequence, max_attempts) SELECT s.name, ev.id, ev.aggregate_type, ev.aggregate_id, ev.sequence,
  s.max_attempts FROM unnest($10::uuid[], $11::varchar[], $12::int[]) AS s(event_id, name, max_attempts) JOIN ev
  ON ev.id = s.event_id ) SELECT id, sequence FROM ev`;

/** The batch write: the aggregates' locks in key order, then the events and deliveries. */
export async function writeEvents(q: Q, events: TwinEvent[]): Promise<void> {
  const keys = [...new Set(events.map((e) => `event:${e.aggregateType}:${e.aggregateId}`))].sort();
  await q(LOCKS_SQL, [keys]);
  const deliveries = events.flatMap((e) => e.subscribers.map(([name, max]) => [e.id, name, max] as const));
  await q(EVENTS_SQL, [
    events.map((e) => e.id),
    events.map((e) => e.type),
    events.map(() => 1),
    events.map((e) => e.aggregateType),
    events.map((e) => e.aggregateId),
    events.map((e) => JSON.stringify(e.payload)),
    events.map((e) => e.actorKind),
    events.map((e) => e.actorId),
    events.map((e) => e.occurredAt),
    deliveries.map((d) => d[0]),
    deliveries.map((d) => d[1]),
    deliveries.map((d) => d[2]),
  ]);
}

const CLAIM_SQL = `WITH due AS ( SELECT d.subscriber, d.event_id FROM event_delivery d WHERE d.subscriber =
  ANY($2::varchar[]) AND ((d.status = 'pending' AND d.run_at <= COALESCE($1::timestamptz, now())) OR (d.status =
  'running' AND d.locked_until <= COALESCE($1::timestamptz, now()))) AND NOT EXISTS ( SELECT 1 FROM
  event_delivery e WHERE e.subscriber = d.subscriber AND e.aggregate_type = d.aggregate_type AND e.aggregate_id =
  d.aggregate_id AND e.sequence < d.sequence AND e.status <> 'done') ORDER BY d.run_at, d.created_at, d.sequence
  LIMIT $3 FOR UPDATE OF d SKIP LOCKED ), claimed AS ( UPDATE event_delivery SET status = 'running', attempts =
  event_delivery.attempts + 1, locked_until = COALESCE($1::timestamptz, now()) + make_interval(secs => $4) FROM
  due WHERE event_delivery.subscriber = due.subscriber AND event_delivery.event_id = due.event_id RETURNING
  event_delivery.subscriber, event_delivery.event_id, event_delivery.attempts, event_delivery.max_attempts )
  SELECT c.subscriber, c.attempts, c.max_attempts AS "maxAttempts", ev.id, ev.type, ev.version,
  ev.aggregate_type AS "aggregateType", ev.aggregate_id AS "aggregateId", ev.sequence, ev.payload, ev.actor_kind
  AS "actorKind", ev.actor_id AS "actorId", ev.occurred_at AS "occurredAt" FROM claimed c JOIN domain_event ev ON
  ev.id = c.event_id ORDER BY ev.occurred_at, ev.sequence`;
const DONE_SQL = `UPDATE event_delivery SET status = 'done', delivered_at = now(), locked_until = NULL, last_error =
  NULL WHERE subscriber = $1 AND event_id = $2 AND status = 'running' AND attempts = $3`;
const BATCH_SIZE = 20;
const LOCK_SECONDS = 120;

/**
 * The API's delivery worker, for the twin's one subscriber: kicked after each commit that wrote
 * deliveries; one round at a time (a kick during a round runs another right after it).
 */
export class DeliveryTwin {
  private running = false;
  private again = false;

  constructor(
    private readonly pool: Pool,
    private readonly subscriber: string,
    /** the subscriber's handler, inside the delivery's transaction */
    private readonly handle: (q: Q, delivery: Row) => Promise<void>,
  ) {}

  kick(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    setTimeout(() => void this.round(), 0);
  }

  private async round(): Promise<void> {
    this.again = false;
    try {
      let claimed: Row[];
      do {
        claimed = (await this.pool.query<Row>(CLAIM_SQL, [null, [this.subscriber], BATCH_SIZE, LOCK_SECONDS]))
          .rows;
        for (const d of claimed)
          await inTransaction(this.pool, async (c) => {
            const q: Q = (sql, values = []) => c.query<Row>(sql, values).then((r) => r.rows);
            await this.handle(q, d);
            await c.query(DONE_SQL, [d.subscriber, d.id, d.attempts]);
          }).catch(() => undefined);
      } while (claimed.length >= BATCH_SIZE);
    } catch {
      // as the API's worker: logged there, retried by the next round
    }
    this.running = false;
    if (this.again) this.kick();
  }
}
