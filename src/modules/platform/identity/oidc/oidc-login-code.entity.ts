import { Column, Entity, Index } from 'typeorm';
import { References } from '../../../../database/references';
import { Account } from '../account.entity';
import { BaseEntity } from '../../../../database/base.entity';

/**
 * A finished browser sign-in waiting for the frontend (OIDC_FRONTEND_REDIRECT_URI): the callback
 * redirects there with a one-time code instead of putting tokens in a URL, and POST
 * /v1/auth/oidc/exchange trades the code, once, within a minute, from the browser that started the
 * sign-in, for a token pair. Only hashes are kept, so a read of this table cannot finish a login.
 */
@Entity('oidc_login_code')
export class OidcLoginCode extends BaseEntity {
  /** SHA-256 of the one-time code (256 random bits) */
  @Index({ unique: true })
  @Column({ type: 'varchar', length: 64 })
  codeHash: string;

  /** SHA-256 of the browser binding cookie set at /authorize: only that browser can exchange the code */
  @Column({ type: 'varchar', length: 64 })
  bindingHash: string;

  /** the account signed in (linked or created at the callback); the session starts at the exchange */
  @Column({ type: 'uuid' })
  accountId: string;
  /**
   * FK, ON DELETE CASCADE: credentials die with the account. For the constraint only: code reads and writes
   * accountId.
   */
  @References(() => Account, 'CASCADE', 'account_id')
  readonly account?: never;

  @Column({ type: 'varchar', length: 8 })
  linked: 'existing' | 'created';

  @Column({ type: 'varchar', length: 2048, nullable: true })
  returnTo: string | null;

  @Index()
  @Column({ type: 'timestamptz' })
  expiresAt: Date;

  /** set by the one exchange that succeeds (UPDATE … WHERE used_at IS NULL) */
  @Column({ type: 'timestamptz', nullable: true })
  usedAt: Date | null;
}
