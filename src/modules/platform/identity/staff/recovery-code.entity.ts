import { Column, Entity, Index } from 'typeorm';
import { References } from '../../../../database/references';
import { Account } from '../account.entity';
import { BaseEntity } from '../../../../database/base.entity';

/**
 * One of the single-use codes handed out when a TOTP authenticator is confirmed, usable once in
 * place of a TOTP code (a lost phone). Only a keyed hash is stored; the codes are shown once.
 */
@Entity('recovery_code')
export class RecoveryCode extends BaseEntity {
  @Index()
  @Column({ type: 'uuid' })
  accountId: string;
  /**
   * FK, ON DELETE CASCADE: credentials die with the account. For the constraint only: code reads and writes
   * accountId.
   */
  @References(() => Account, 'CASCADE', 'account_id')
  readonly account?: never;

  /** HMAC-SHA256 (blind-index key) of the normalised code, hex */
  @Column({ type: 'varchar', length: 64 })
  codeHash: string;

  @Column({ type: 'timestamptz', nullable: true })
  usedAt: Date | null;
}
