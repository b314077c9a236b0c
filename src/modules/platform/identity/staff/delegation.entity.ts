import { Column, Entity, Index } from 'typeorm';
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

  @Column({ type: 'uuid' })
  toAccountId: string;

  @Column({ type: 'varchar', length: 32 })
  role: string;

  @Column({ type: 'uuid' })
  organisationId: string;

  @Column({ type: 'timestamptz' })
  validFrom: Date;

  @Column({ type: 'timestamptz' })
  validUntil: Date;

  @Column({ type: 'varchar', length: 500 })
  reason: string;

  @Column({ type: 'timestamptz', nullable: true })
  revokedAt: Date | null;
}
