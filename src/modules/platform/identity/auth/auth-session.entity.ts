import { Column, Entity, Index } from 'typeorm';
import { References } from '../../../../database/references';
import { Account } from '../account.entity';
import { BaseEntity } from '../../../../database/base.entity';

/**
 * One sign-in: the family of refresh tokens rotated from one login. Its id is the access tokens'
 * `sid`, so revoking the row (logout, reuse detected, password changed) refuses the family's
 * refresh tokens and its still-unexpired access tokens alike.
 */
@Entity('auth_session')
export class AuthSession extends BaseEntity {
  @Index()
  @Column({ type: 'uuid' })
  accountId: string;
  /**
   * FK, ON DELETE CASCADE: a session is the account's own. For the constraint only: code reads and writes
   * accountId.
   */
  @References(() => Account, 'CASCADE', 'account_id')
  readonly account?: never;

  /** the channel the login came through (web, app, miniprogram, kiosk), from X-Channel */
  @Column({ type: 'varchar', length: 32, nullable: true })
  channel: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  lastRefreshedAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  revokedAt: Date | null;

  /** logout | reuse | password_change | password_reset */
  @Column({ type: 'varchar', length: 32, nullable: true })
  revokedReason: string | null;
}
