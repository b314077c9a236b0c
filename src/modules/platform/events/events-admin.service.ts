import { Injectable } from '@nestjs/common';
import type { RequestContext } from '../../../api/context/request-context';
import { DomainError, notFound } from '../../../api/errors/domain-error';
import { ErrorCode } from '../../../api/errors/error-code';
import { Db } from '../../../database/db';
import { AuditService } from '../audit/audit.service';
import { DeadEventDto, DeadEventQueryDto, ReplayedDeliveryDto, SubscriberLagDto } from './events.dto';
import { EventsService } from './events.service';

/** Operators' view of the outbox: lag per durable subscriber, dead deliveries, replay and retention. */
@Injectable()
export class EventsAdminService {
  constructor(
    private readonly db: Db,
    private readonly events: EventsService,
    private readonly audit: AuditService,
  ) {}

  async lag(_ctx: RequestContext, now = new Date()): Promise<SubscriberLagDto[]> {
    const rows = await this.db.query<{
      subscriber: string;
      pending: number;
      running: number;
      dead: number;
      oldest: Date | null;
    }>(
      `SELECT d.subscriber,
         count(*) FILTER (WHERE d.status = 'pending')::int AS pending,
         count(*) FILTER (WHERE d.status = 'running')::int AS running,
         count(*) FILTER (WHERE d.status = 'dead')::int AS dead,
         min(e.occurred_at) AS oldest
       FROM event_delivery d JOIN domain_event e ON e.id = d.event_id
       WHERE d.status <> 'done' GROUP BY d.subscriber`,
    );
    const bySubscriber = new Map(rows.map((r) => [r.subscriber, r]));
    return this.events
      .durableSubscribers()
      .map((s) => {
        const r = bySubscriber.get(s.name);
        const oldest = r?.oldest ? new Date(r.oldest) : null;
        return {
          name: s.name,
          types: [...s.types].sort(),
          pending: r?.pending ?? 0,
          running: r?.running ?? 0,
          dead: r?.dead ?? 0,
          oldestOpenAt: oldest,
          lagSeconds: oldest ? Math.max(0, Math.floor((now.getTime() - oldest.getTime()) / 1000)) : 0,
        };
      })
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  dead(_ctx: RequestContext, query: DeadEventQueryDto): Promise<DeadEventDto[]> {
    return this.db.query<DeadEventDto>(
      `SELECT d.subscriber, d.event_id AS "eventId", e.type, e.aggregate_type AS "aggregateType",
         e.aggregate_id AS "aggregateId", e.sequence, d.attempts, d.last_error AS "lastError",
         e.occurred_at AS "occurredAt"
       FROM event_delivery d JOIN domain_event e ON e.id = d.event_id
       WHERE d.status = 'dead' AND ($1::varchar IS NULL OR d.subscriber = $1)
       ORDER BY e.occurred_at, e.sequence LIMIT $2`,
      [query.subscriber ?? null, query.limit ?? 50],
    );
  }

  /** A dead delivery becomes due again with its attempts reset; audited (an operator re-runs a side effect). */
  async replay(ctx: RequestContext, subscriber: string, eventId: string): Promise<ReplayedDeliveryDto> {
    const replayed = await this.db.transaction(async (m) => {
      const rows: Array<{ status: string }> = await m.query(
        `SELECT status FROM event_delivery WHERE subscriber = $1 AND event_id = $2 FOR UPDATE`,
        [subscriber, eventId],
      );
      if (!rows.length) throw notFound('event delivery');
      if (rows[0].status !== 'dead')
        throw new DomainError(ErrorCode.InvalidTransition, {
          reason: `only a dead delivery can be replayed; this one is ${rows[0].status}`,
        });
      await m.query(
        `UPDATE event_delivery SET status = 'pending', attempts = 0, run_at = now(), locked_until = NULL
         WHERE subscriber = $1 AND event_id = $2`,
        [subscriber, eventId],
      );
      await this.audit.append(ctx, {
        action: 'event.replay',
        resourceType: 'domain_event',
        resourceId: eventId,
      });
      return { subscriber, eventId, status: 'pending' as const };
    });
    this.events.onDeliveriesCommitted();
    return replayed;
  }

  /**
   * Deletes events older than the retention whose every delivery is done (their delivery rows go
   * with them, ON DELETE CASCADE); events still owed to a subscriber stay, however old.
   */
  async purge(retentionDays: number, now = new Date()): Promise<number> {
    const cutoff = new Date(now.getTime() - retentionDays * 86_400_000);
    const [, count]: [unknown, number] = await this.db.manager.query(
      `DELETE FROM domain_event e WHERE e.occurred_at < $1
         AND NOT EXISTS (SELECT 1 FROM event_delivery d WHERE d.event_id = e.id AND d.status <> 'done')`,
      [cutoff],
    );
    return count;
  }
}
