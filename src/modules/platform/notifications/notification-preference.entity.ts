import { Column, Entity, PrimaryColumn } from 'typeorm';
import { References } from '../../../database/references';
import { Account } from '../identity/account.entity';
import { NotificationChannel } from './notification.entity';

/** A channel a citizen turned on or off; no row means the default (on). The in-app inbox cannot be turned off. */
@Entity('notification_preference')
export class NotificationPreference {
  @PrimaryColumn('uuid')
  accountId: string;
  /**
   * FK, ON DELETE CASCADE: the account's own settings. For the constraint only: code reads and writes
   * accountId.
   */
  @References(() => Account, 'CASCADE', 'account_id')
  readonly account?: never;

  @PrimaryColumn({ type: 'enum', enum: NotificationChannel, enumName: 'notification_preference_channel' })
  channel: NotificationChannel;

  @Column({ type: 'boolean' })
  enabled: boolean;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  updatedAt: Date;
}
