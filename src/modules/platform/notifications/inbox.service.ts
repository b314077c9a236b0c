import { Injectable, Optional } from '@nestjs/common';
import { IsNull } from 'typeorm';
import type { RequestContext } from '../../../api/context/request-context';
import { DomainError } from '../../../api/errors/domain-error';
import { ErrorCode } from '../../../api/errors/error-code';
import { cursorCodec, keysetPage, Page, PageQuery } from '../../../api/http/pagination';
import { Db } from '../../../database/db';
import { AuditService } from '../audit/audit.service';
import {
  InboxMessageDto,
  NotificationPreferencesDto,
  ReadAllDto,
  UnreadCountDto,
} from './dto/notifications.dto';
import { InboxMessage } from './inbox-message.entity';
import { NotificationChannel } from './notification.entity';
import { NotificationPreference } from './notification-preference.entity';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Inbox pages by id. */
export const INBOX_CURSOR = cursorCodec<[string]>('notifications', 'uuid');

/** The signed-in account's own inbox and channel preferences; every query is filtered by its id. */
@Injectable()
export class InboxService {
  constructor(
    private readonly db: Db,
    @Optional() private readonly audit?: AuditService,
  ) {}

  private self(ctx: RequestContext): string {
    if (!ctx.actor.id) throw new DomainError(ErrorCode.Unauthenticated);
    return ctx.actor.id;
  }

  /** Newest first (UUIDv7 ids sort by creation). */
  async list(ctx: RequestContext, query: PageQuery & { unread?: boolean }): Promise<Page<InboxMessageDto>> {
    const qb = this.db
      .repo(InboxMessage)
      .createQueryBuilder('m')
      .where('m.accountId = :accountId', { accountId: this.self(ctx) });
    if (query.unread) qb.andWhere('m.readAt IS NULL');
    const page = await keysetPage(qb, query, {
      cursor: INBOX_CURSOR,
      idColumn: 'm.id',
      direction: 'DESC',
      keyOf: (m) => [m.id],
    });
    return { items: page.items.map(toDto), nextCursor: page.nextCursor, count: page.count };
  }

  async unreadCount(ctx: RequestContext): Promise<UnreadCountDto> {
    const count = await this.db
      .repo(InboxMessage)
      .count({ where: { accountId: this.self(ctx), readAt: IsNull() } });
    return { count };
  }

  /** Marks one message read (again is a no-op); another account's message is not found. */
  async markRead(ctx: RequestContext, id: string): Promise<InboxMessageDto> {
    if (!UUID_RE.test(id)) throw new DomainError(ErrorCode.NotFound);
    return this.db.transaction(async () => {
      const repo = this.db.repo(InboxMessage);
      const row = await repo.findOne({ where: { id, accountId: this.self(ctx) } });
      if (!row) throw new DomainError(ErrorCode.NotFound);
      if (!row.readAt) {
        row.readAt = new Date();
        await repo.update({ id: row.id }, { readAt: row.readAt });
      }
      return toDto(row);
    });
  }

  async markAllRead(ctx: RequestContext): Promise<ReadAllDto> {
    const res = await this.db
      .repo(InboxMessage)
      .update({ accountId: this.self(ctx), readAt: IsNull() }, { readAt: new Date() });
    return { updated: res.affected ?? 0 };
  }

  async preferences(ctx: RequestContext): Promise<NotificationPreferencesDto> {
    const rows = await this.db.repo(NotificationPreference).find({ where: { accountId: this.self(ctx) } });
    const on = (c: NotificationChannel) => rows.find((r) => r.channel === c)?.enabled ?? true;
    return { inapp: true, email: on(NotificationChannel.Email), sms: on(NotificationChannel.Sms) };
  }

  async setPreferences(
    ctx: RequestContext,
    dto: NotificationPreferencesDto,
  ): Promise<NotificationPreferencesDto> {
    const accountId = this.self(ctx);
    return this.db.transaction(async () => {
      await this.db.repo(NotificationPreference).upsert(
        [
          { accountId, channel: NotificationChannel.Email, enabled: dto.email, updatedAt: new Date() },
          { accountId, channel: NotificationChannel.Sms, enabled: dto.sms, updatedAt: new Date() },
        ],
        ['accountId', 'channel'],
      );
      await this.audit?.append(ctx, {
        action: 'notification.preferences.update',
        resourceType: 'account',
        resourceId: accountId,
        subjectId: accountId,
      });
      return this.preferences(ctx);
    });
  }
}

function toDto(m: InboxMessage): InboxMessageDto {
  return {
    id: m.id,
    template: m.template,
    title: m.title,
    body: m.body,
    link: m.link,
    readAt: m.readAt,
    createdAt: m.createdAt,
  };
}
