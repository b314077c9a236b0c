import { Column, Entity, Index } from 'typeorm';
import { References } from '../../../../database/references';
import { Account } from '../account.entity';
import { Organisation } from '../../organisations/organisation.entity';
import { BaseEntity } from '../../../../database/base.entity';

/**
 * An integrator's key, `owk_<publicId>_<secret>`. Only the SHA-256 of the whole key is stored;
 * the key itself is shown once, at creation.
 */
@Entity('api_key')
export class ApiKey extends BaseEntity {
  /** 8 characters, the part of the key shown in lists and logs */
  @Index({ unique: true })
  @Column({ type: 'varchar', length: 8 })
  publicId: string;

  /** SHA-256 (hex) of the whole key; 256 random bits, so a fast hash suffices */
  @Column({ type: 'varchar', length: 64, select: false })
  keyHash: string;

  @Column({ type: 'varchar', length: 200 })
  name: string;

  /** the unit whose subtree the scopes are held in; null: scopes held in no unit (unit-free reads only) */
  @Index()
  @Column({ type: 'uuid', nullable: true })
  organisationId: string | null;
  /**
   * FK, ON DELETE RESTRICT: a unit with API keys cannot be deleted until they are revoked. For the constraint
   * only: code reads and writes organisationId.
   */
  @References(() => Organisation, 'RESTRICT', 'organisation_id')
  readonly organisation?: never;

  /** the staff account that issued the key and answers for it */
  @Index()
  @Column({ type: 'uuid' })
  ownerAccountId: string;
  /**
   * FK, ON DELETE CASCADE: a key dies with its owner. For the constraint only: code reads and writes
   * ownerAccountId.
   */
  @References(() => Account, 'CASCADE', 'owner_account_id')
  readonly ownerAccount?: never;

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  scopes: string[];

  @Column({ type: 'timestamptz', nullable: true })
  expiresAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  revokedAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  lastUsedAt: Date | null;
}
