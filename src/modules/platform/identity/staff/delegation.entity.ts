import { Column, Entity, Index } from 'typeorm';
import { References } from '../../../../database/references';
import { Account } from '../account.entity';
import { Organisation } from '../../organisations/organisation.entity';
import { BaseEntity } from '../../../../database/base.entity';

/**
 * 代理: a staff member lets a colleague exercise one role they hold in one unit for a bounded
 * window (leave, secondment). Resolved at request time, never by a background job, and only while
 * the delegator still holds the role and is active; a delegate cannot pass it on.
 */
@Entity('delegation')
@Index(['toAccountId', 'validUntil'])
export class Delegation extends BaseEntity {
  @Index()
  @Column({ type: 'uuid' })
  fromAccountId: string;
  /**
   * FK, ON DELETE CASCADE: a delegation dies with either party. For the constraint only: code reads and
   * writes fromAccountId.
   */
  @References(() => Account, 'CASCADE', 'from_account_id')
  readonly fromAccount?: never;

  @Column({ type: 'uuid' })
  toAccountId: string;
  /**
   * FK, ON DELETE CASCADE: a delegation dies with either party. For the constraint only: code reads and
   * writes toAccountId.
   */
  @References(() => Account, 'CASCADE', 'to_account_id')
  readonly toAccount?: never;

  @Column({ type: 'varchar', length: 32 })
  role: string;

  @Column({ type: 'uuid' })
  organisationId: string;
  /**
   * FK, ON DELETE CASCADE: a delegation in a unit dies with the unit. For the constraint only: code reads and
   * writes organisationId.
   */
  @References(() => Organisation, 'CASCADE', 'organisation_id')
  readonly organisation?: never;

  @Column({ type: 'timestamptz' })
  validFrom: Date;

  @Column({ type: 'timestamptz' })
  validUntil: Date;

  @Column({ type: 'varchar', length: 500 })
  reason: string;

  @Column({ type: 'timestamptz', nullable: true })
  revokedAt: Date | null;
}
