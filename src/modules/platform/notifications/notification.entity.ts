import { Column, Entity, Index } from 'typeorm';
import { References } from '../../../database/references';
import { Account } from '../identity/account.entity';
import { BaseEntity } from '../../../database/base.entity';

export enum NotificationChannel {
  Sms = 'sms',
  Email = 'email',
  InApp = 'inapp',
}

export enum NotificationStatus {
  Pending = 'pending',
  Sent = 'sent',
  Failed = 'failed',
}

/**
 * Transactional outbox of messages to people: a row commits with the change that caused it (a
 * registration, a case decision) and a job delivers it afterwards through the configured transport.
 *
 * Retention (PIPL Art. 19): `recipient` is the address delivery needs and nothing more; secret
 * params (one-time codes) are blanked as soon as the message is sent, and delivered rows are meant
 * to be purged after NOTIFICATION_RETENTION_DAYS by NotificationsService.purgeDelivered().
 */
@Entity('notification_outbox')
@Index(['status', 'createdAt'])
export class NotificationOutbox extends BaseEntity {
  @Column({ type: 'enum', enum: NotificationChannel, enumName: 'notification_channel' })
  channel: NotificationChannel;

  /** normalised phone, e-mail address, or the account id for the in-app inbox */
  @Column({ type: 'varchar', length: 254 })
  recipient: string;

  /** the account the message is for, when there is one */
  @Index()
  @Column({ type: 'uuid', nullable: true })
  accountId: string | null;
  /**
   * FK, ON DELETE SET NULL: the delivery record keeps its address without the account. For the constraint
   * only: code reads and writes accountId.
   */
  @References(() => Account, 'SET NULL', 'account_id')
  readonly account?: never;

  @Column({ type: 'varchar', length: 64 })
  template: string;

  @Column({ type: 'varchar', length: 8 })
  language: string;

  @Column({ type: 'jsonb', default: {} })
  params: Record<string, string | number>;

  @Column({
    type: 'enum',
    enum: NotificationStatus,
    enumName: 'notification_status',
    default: NotificationStatus.Pending,
  })
  status: NotificationStatus;

  @Column({ type: 'int', default: 0 })
  attempts: number;

  /** scrubbed error of the last failed attempt (never the address) */
  @Column({ type: 'varchar', length: 500, nullable: true })
  lastError: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  sentAt: Date | null;
}
