import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { References } from '../../../database/references';

/**
 * The transactional outbox: one row per domain event, written in the transaction of the change it
 * reports, so an event exists if and only if its write committed. `sequence` numbers the events of
 * one aggregate (1, 2, 3 …) and is what durable subscribers are ordered by.
 */
@Entity('domain_event')
@Index('domain_event_aggregate_uq', ['aggregateType', 'aggregateId', 'sequence'], { unique: true })
@Index('domain_event_occurred_idx', ['occurredAt'])
export class DomainEvent {
  /** UUIDv7, assigned by EventsService (rows are inserted with SQL). */
  @PrimaryColumn('uuid')
  id: string;

  /** A type of the catalogue, e.g. `case.transitioned`. */
  @Column({ type: 'varchar', length: 100 })
  type: string;

  /** The payload schema's version in the catalogue when the event was written. */
  @Column({ type: 'int' })
  version: number;

  /** e.g. `case`, `application`, `licence`, `service` */
  @Column({ type: 'varchar', length: 50 })
  aggregateType: string;

  /** No foreign key: polymorphic (a case, an application, a licence, a service, or a later front's). */
  @Column({ type: 'varchar', length: 100 })
  aggregateId: string;

  @Column({ type: 'int' })
  sequence: number;

  /** Ids and codes only, checked against the type's JSON Schema: no personal data in clear. */
  @Column({ type: 'jsonb' })
  payload: Record<string, unknown>;

  @Column({ type: 'varchar', length: 16 })
  actorKind: string;

  /** No foreign key: an account, a client or a system job's name, by actorKind (like the audit's actor). */
  @Column({ type: 'varchar', length: 100, nullable: true })
  actorId: string | null;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  occurredAt: Date;
}

/**
 * pending → running → done; a failed attempt goes back to pending with a later run_at, or to dead
 * once max_attempts is used up (an operator may replay it).
 */
export type DeliveryStatus = 'pending' | 'running' | 'done' | 'dead';
export const DELIVERY_STATUSES: DeliveryStatus[] = ['pending', 'running', 'done', 'dead'];

/**
 * One event for one durable subscriber, written with the event. The row is also the subscriber's
 * processed-events record: it turns `done` in the handler's own transaction, so a handler's writes
 * and the mark commit together and a redelivery after a crash finds nothing done twice.
 */
@Entity('event_delivery')
@Index('event_delivery_due_idx', ['status', 'runAt'])
@Index('event_delivery_order_idx', ['subscriber', 'aggregateType', 'aggregateId', 'sequence'])
export class EventDelivery {
  @PrimaryColumn({ type: 'varchar', length: 100 })
  subscriber: string;

  @PrimaryColumn('uuid')
  eventId: string;

  /** Deleted with its event by the retention purge. */
  @References(() => DomainEvent, 'CASCADE', 'event_id')
  event?: DomainEvent;

  /** Copied from the event so the "earlier event still open" check needs no join. */
  @Column({ type: 'varchar', length: 50 })
  aggregateType: string;

  /** No foreign key: polymorphic, as on domain_event. */
  @Column({ type: 'varchar', length: 100 })
  aggregateId: string;

  @Column({ type: 'int' })
  sequence: number;

  @Column({ type: 'varchar', length: 16, default: 'pending' })
  status: DeliveryStatus;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  runAt: Date;

  @Column({ type: 'int', default: 0 })
  attempts: number;

  @Column({ type: 'int', default: 12 })
  maxAttempts: number;

  /** Error name and scrubbed message of the last failed attempt (describeFailure). */
  @Column({ type: 'text', nullable: true })
  lastError: string | null;

  /** While running: after this instant another worker may take the delivery over (the first died). */
  @Column({ type: 'timestamptz', nullable: true })
  lockedUntil: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  deliveredAt: Date | null;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;
}
