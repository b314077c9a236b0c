import { Inject, Injectable, OnApplicationBootstrap, OnModuleInit, Optional } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../../../config/config';
import { LessThan, MoreThan } from 'typeorm';
import type { Language, RequestContext } from '../../../api/context/request-context';
import { Db } from '../../../database/db';
import { describeFailure, retryDelaySeconds } from '../jobs/job-failure';
import { JobsService } from '../jobs/jobs.service';
import { DomainError } from '../../../api/errors/domain-error';
import { ErrorCode } from '../../../api/errors/error-code';
import { Account } from '../identity/account.entity';
import { InboxMessage } from './inbox-message.entity';
import { NotificationChannel, NotificationOutbox, NotificationStatus } from './notification.entity';
import { NotificationPreference } from './notification-preference.entity';
import {
  isTemplateName,
  renderTemplate,
  secretParamsOf,
  TemplateName,
  TemplateParams,
  toHtml,
} from './templates';
import { NOTIFICATION_TRANSPORT, NotificationTransport, PermanentDeliveryError } from './transport';

export const DELIVER_JOB = 'notification.deliver';
export const PURGE_JOB = 'notification.purge';
/** attempts before a message is given up as failed (about an hour of backoff) */
export const MAX_DELIVERY_ATTEMPTS = 8;
/** how long delivered rows (and their addresses) are kept for support questions */
export const NOTIFICATION_RETENTION_DAYS = 30;

export interface NewNotification {
  channel: NotificationChannel;
  recipient: string;
  accountId?: string | null;
  template: TemplateName;
  params?: Record<string, string | number>;
  /** default: the caller's language */
  language?: Language;
}

export type NotifyChannel = 'inapp' | 'email' | 'sms';

export interface NotifyOptions {
  /** a frontend path for the inbox entry, e.g. `/applications/<id>` */
  link?: string;
  /** the recipient's language; default: the caller's when the caller is the recipient, else zh-CN */
  language?: Language;
}

export interface NotifyResult {
  inboxMessageId: string | null;
  outboxIds: string[];
}

/**
 * Queues messages in the caller's transaction and delivers them from a job, so a message is sent
 * if and only if the change that caused it committed. With NOTIFY_TRANSPORT=none nothing is
 * scheduled: rows wait, pending, for a provider adapter.
 */
@Injectable()
export class NotificationsService implements OnModuleInit, OnApplicationBootstrap {
  constructor(
    private readonly db: Db,
    private readonly jobs: JobsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Optional() @Inject(NOTIFICATION_TRANSPORT) private readonly transport: NotificationTransport | null,
  ) {}

  onModuleInit(): void {
    this.jobs.register<{ id: string }>(DELIVER_JOB, (payload) => this.deliver(payload.id));
    // Daily retention sweep; the handler schedules its next run.
    this.jobs.register(PURGE_JOB, async () => {
      await this.purgeDelivered();
      await this.schedulePurge(new Date(Date.now() + 86_400_000));
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.jobs.enabled) await this.schedulePurge(new Date(Date.now() + 60_000));
  }

  private async schedulePurge(runAt: Date): Promise<void> {
    await this.jobs.enqueue(PURGE_JOB, {}, { runAt, dedupeKey: PURGE_JOB, maxAttempts: 5 });
  }

  async enqueue(ctx: RequestContext, n: NewNotification): Promise<string> {
    return this.db.transaction(async () => {
      const row = this.db.repo(NotificationOutbox).create({
        channel: n.channel,
        recipient: n.recipient,
        accountId: n.accountId ?? null,
        template: n.template,
        language: n.language ?? ctx.language,
        params: n.params ?? {},
        status: NotificationStatus.Pending,
        attempts: 0,
        lastError: null,
        sentAt: null,
      });
      await this.db.repo(NotificationOutbox).save(row);
      if (this.transport)
        await this.jobs.enqueue(DELIVER_JOB, { id: row.id }, { dedupeKey: `notification:${row.id}` });
      return row.id;
    });
  }

  /**
   * Tells an account about something on the channels asked for, in the caller's transaction: the
   * in-app inbox entry is written now (always, when asked for: the inbox cannot be turned off),
   * e-mail and SMS are queued in the outbox when the account has that address and has not turned
   * the channel off. Used by the workflow (status changes, supplement requests, licences).
   */
  async notify(
    ctx: RequestContext,
    accountId: string,
    template: TemplateName,
    params: TemplateParams,
    channels: NotifyChannel[],
    options: NotifyOptions = {},
  ): Promise<NotifyResult> {
    if (!isTemplateName(template)) throw new Error(`unknown notification template ${String(template)}`);
    return this.db.transaction(async () => {
      const account = await this.db
        .repo(Account)
        .findOne({ where: { id: accountId }, select: { id: true, email: true, phone: true } });
      if (!account) throw new DomainError(ErrorCode.NotFound);
      const language: Language = options.language ?? (ctx.actor.id === accountId ? ctx.language : 'zh-CN');
      // Preferences only matter for a channel the account has an address for (read once, if at all).
      let prefs: Promise<NotificationPreference[]> | null = null;
      const enabled = async (c: NotificationChannel) => {
        prefs ??= this.db.repo(NotificationPreference).find({ where: { accountId } });
        return (await prefs).find((p) => p.channel === c)?.enabled ?? true;
      };
      const result: NotifyResult = { inboxMessageId: null, outboxIds: [] };
      const wanted = new Set(channels);
      if (wanted.has('inapp')) {
        const { subject, text } = renderTemplate(template, language, params, 'inapp');
        const row = this.db.repo(InboxMessage).create({
          accountId,
          template,
          title: subject.slice(0, 200),
          body: text,
          link: options.link ?? null,
          readAt: null,
        });
        // A new row: insert() writes the same statement as save() and fills in id and defaults.
        await this.db.repo(InboxMessage).insert(row);
        result.inboxMessageId = row.id;
      }
      const queue = async (channel: NotificationChannel, recipient: string | null) => {
        if (!wanted.has(channel) || !recipient || !(await enabled(channel))) return;
        result.outboxIds.push(
          await this.enqueue(ctx, { channel, recipient, accountId, template, params, language }),
        );
      };
      await queue(NotificationChannel.Email, account.email);
      await queue(NotificationChannel.Sms, account.phone);
      return result;
    });
  }

  /**
   * Queues the message unless the same template went to the same account within `windowMs`:
   * for notices a stranger can trigger, so they cannot be used to flood someone's phone.
   */
  async enqueueOnce(
    ctx: RequestContext,
    n: NewNotification & { accountId: string },
    windowMs: number,
  ): Promise<string | null> {
    return this.db.transaction(async () => {
      const recent = await this.db.repo(NotificationOutbox).exists({
        where: {
          accountId: n.accountId,
          template: n.template,
          createdAt: MoreThan(new Date(Date.now() - windowMs)),
        },
      });
      return recent ? null : this.enqueue(ctx, n);
    });
  }

  /**
   * One delivery attempt, inside the job's transaction. Never throws for a provider failure: the
   * attempt is recorded on the row and the retry is scheduled in the same commit, so the row's
   * attempts and last error stay true.
   */
  async deliver(id: string): Promise<void> {
    const transport = this.transport;
    if (!transport) return;
    await this.db.transaction(async () => {
      const repo = this.db.repo(NotificationOutbox);
      const row = await repo.findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!row || row.status !== NotificationStatus.Pending) return;
      row.attempts += 1;
      try {
        if (!isTemplateName(row.template))
          throw new PermanentDeliveryError(`unknown template ${row.template}`);
        const language = row.language as Language;
        const rendered = renderTemplate(row.template, language, row.params, row.channel);
        await transport.send({
          id: row.id,
          channel: row.channel,
          recipient: row.recipient,
          subject: rendered.subject,
          text: rendered.text,
          html: row.channel === NotificationChannel.Email ? toHtml(rendered, language) : undefined,
          template: row.template,
          language: row.language,
        });
        row.status = NotificationStatus.Sent;
        row.sentAt = new Date();
        row.lastError = null;
      } catch (err) {
        row.lastError = describeFailure(err);
        if (err instanceof PermanentDeliveryError || row.attempts >= MAX_DELIVERY_ATTEMPTS) {
          row.status = NotificationStatus.Failed;
        } else {
          const runAt = new Date(Date.now() + retryDelaySeconds(row.attempts) * 1000);
          await this.jobs.enqueue(
            DELIVER_JOB,
            { id: row.id },
            { runAt, dedupeKey: `notification:${row.id}` },
          );
        }
      }
      // A one-time code has no use once it has been sent (or given up on); keep no copy of it.
      if (row.status !== NotificationStatus.Pending)
        row.params = scrub(
          row.params,
          isTemplateName(row.template) ? secretParamsOf(row.template) : Object.keys(row.params),
        );
      await repo.save(row);
    });
  }

  /** Deletes sent and failed rows older than the cut-off; for a periodic retention job. */
  async purgeDelivered(
    before: Date = new Date(Date.now() - NOTIFICATION_RETENTION_DAYS * 86_400_000),
  ): Promise<number> {
    const res = await this.db
      .repo(NotificationOutbox)
      .delete({ status: NotificationStatus.Sent, createdAt: LessThan(before) });
    const failed = await this.db
      .repo(NotificationOutbox)
      .delete({ status: NotificationStatus.Failed, createdAt: LessThan(before) });
    return (res.affected ?? 0) + (failed.affected ?? 0);
  }
}

function scrub(params: Record<string, string | number>, secret: string[]): Record<string, string | number> {
  const out = { ...params };
  for (const k of secret) if (k in out) out[k] = '[scrubbed]';
  return out;
}
