import { Column, Entity, Index } from 'typeorm';
import { References } from '../../../../database/references';
import { Account } from '../account.entity';
import { BaseEntity } from '../../../../database/base.entity';
import { NotificationChannel } from '../../notifications/notification.entity';

export enum CodePurpose {
  Register = 'register',
  PasswordReset = 'password_reset',
}

/**
 * A 6-digit one-time code sent to an account's phone or e-mail. Only a keyed hash (HMAC with the
 * blind-index key, bound to the row id) is stored: a plain hash of a million possible codes would
 * be reversed at once from a database dump. Valid 10 minutes, 5 tries, once.
 */
@Entity('verification_code')
@Index(['accountId', 'purpose', 'createdAt'])
export class VerificationCode extends BaseEntity {
  @Column({ type: 'uuid' })
  accountId: string;
  /**
   * FK, ON DELETE CASCADE: credentials die with the account. For the constraint only: code reads and writes
   * accountId.
   */
  @References(() => Account, 'CASCADE', 'account_id')
  readonly account?: never;

  @Column({ type: 'enum', enum: CodePurpose, enumName: 'verification_code_purpose' })
  purpose: CodePurpose;

  /** sms | email (varchar rather than a second use of the notification_channel enum type) */
  @Column({ type: 'varchar', length: 8 })
  channel: NotificationChannel;

  @Column({ type: 'varchar', length: 64 })
  codeHash: string;

  @Column({ type: 'timestamptz' })
  expiresAt: Date;

  @Column({ type: 'int', default: 0 })
  attempts: number;

  @Column({ type: 'timestamptz', nullable: true })
  consumedAt: Date | null;

  /**
   * Registration: the password given with the registration that sent this code. Verifying the code
   * sets it, so whoever proves they hold the contact decides the password (no pre-registration
   * hijack by someone who registered the number first).
   */
  @Column({ type: 'varchar', length: 255, nullable: true, select: false })
  pendingPasswordHash: string | null;
}
