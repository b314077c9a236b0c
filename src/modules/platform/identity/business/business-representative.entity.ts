import { Column, Entity, Index } from 'typeorm';
import { References } from '../../../../database/references';
import { Account } from '../account.entity';
import { BaseEntity } from '../../../../database/base.entity';

/** What a representative may do for the business. */
export enum RepresentativeScope {
  /** submit and follow the business's applications (办事) */
  Apply = 'apply',
  /** everything the business account itself may do through the API */
  All = 'all',
}

/**
 * 授权经办人: a business account authorises a citizen account to act for it, within a scope and a
 * window of at most a year. Rows are never deleted: a revocation or expiry stays on record, so
 * what a representative did can always be traced to the authorisation in force at the time.
 */
@Entity('business_representative')
@Index(['businessAccountId', 'createdAt'])
@Index(['representativeAccountId', 'validUntil'])
export class BusinessRepresentative extends BaseEntity {
  @Column({ type: 'uuid' })
  businessAccountId: string;
  /**
   * FK, ON DELETE CASCADE: a mandate dies with either party. For the constraint only: code reads and writes
   * businessAccountId.
   */
  @References(() => Account, 'CASCADE', 'business_account_id')
  readonly businessAccount?: never;

  @Column({ type: 'uuid' })
  representativeAccountId: string;
  /**
   * FK, ON DELETE CASCADE: a mandate dies with either party. For the constraint only: code reads and writes
   * representativeAccountId.
   */
  @References(() => Account, 'CASCADE', 'representative_account_id')
  readonly representativeAccount?: never;

  @Column({ type: 'enum', enum: RepresentativeScope, enumName: 'representative_scope' })
  scope: RepresentativeScope;

  @Column({ type: 'timestamptz' })
  validFrom: Date;

  @Column({ type: 'timestamptz' })
  validUntil: Date;

  @Column({ type: 'timestamptz', nullable: true })
  revokedAt: Date | null;
}
