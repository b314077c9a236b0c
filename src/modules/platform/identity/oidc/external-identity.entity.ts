import { Column, Entity, Index } from 'typeorm';
import { References } from '../../../../database/references';
import { Account } from '../account.entity';
import { BaseEntity } from '../../../../database/base.entity';

/**
 * An account's identity at an external OpenID Connect provider: the provider's issuer and its
 * stable subject identifier (`sub`, unique per issuer, OIDC Core §5.7). One account may hold several
 * (one per provider); a (issuer, subject) pair belongs to exactly one account.
 */
@Entity('external_identity')
@Index(['issuer', 'subject'], { unique: true })
export class ExternalIdentity extends BaseEntity {
  @Column({ type: 'varchar', length: 255 })
  issuer: string;

  /** the provider's `sub`: at most 255 ASCII characters (OIDC Core §2) */
  @Column({ type: 'varchar', length: 255 })
  subject: string;

  @Index()
  @Column({ type: 'uuid' })
  accountId: string;
  /**
   * FK, ON DELETE CASCADE: a linked sign-in is the account's own. For the constraint only: code reads and
   * writes accountId.
   */
  @References(() => Account, 'CASCADE', 'account_id')
  readonly account?: never;

  @Column({ type: 'timestamptz', nullable: true })
  lastLoginAt: Date | null;
}
