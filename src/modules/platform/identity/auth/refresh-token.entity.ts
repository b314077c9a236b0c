import { Column, Entity, Index } from 'typeorm';
import { References } from '../../../../database/references';
import { Account } from '../account.entity';
import { AuthSession } from './auth-session.entity';
import { BaseEntity } from '../../../../database/base.entity';

/**
 * An opaque refresh token, stored only as its SHA-256 (the token is 256 random bits, so a plain
 * hash cannot be reversed). Single use: rotating marks it used and issues its child in the same
 * session; presenting a used token again revokes the whole session (RFC 9700 §4.14.2).
 */
@Entity('refresh_token')
export class RefreshToken extends BaseEntity {
  /** the family: auth_session.id, the access tokens' sid */
  @Index()
  @Column({ type: 'uuid' })
  sessionId: string;
  /**
   * FK, ON DELETE CASCADE: tokens die with their session. For the constraint only: code reads and writes
   * sessionId.
   */
  @References(() => AuthSession, 'CASCADE', 'session_id')
  readonly session?: never;

  @Index()
  @Column({ type: 'uuid' })
  accountId: string;
  /**
   * FK, ON DELETE CASCADE: credentials die with the account. For the constraint only: code reads and writes
   * accountId.
   */
  @References(() => Account, 'CASCADE', 'account_id')
  readonly account?: never;

  /** the token this one was rotated from; null for the first of a session */
  @Column({ type: 'uuid', nullable: true })
  parentId: string | null;
  /**
   * FK, ON DELETE SET NULL: the retention purge removes expired parents while their rotated children live on.
   * For the constraint only: code reads and writes parentId.
   */
  @References(() => RefreshToken, 'SET NULL', 'parent_id')
  readonly parent?: never;

  @Index({ unique: true })
  @Column({ type: 'varchar', length: 64 })
  tokenHash: string;

  @Column({ type: 'timestamptz' })
  expiresAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  usedAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  revokedAt: Date | null;
}
