import { Column, Entity, Index } from 'typeorm';
import { BaseEntity } from '../../../../database/base.entity';

/**
 * A staff account holds a role in an organisation unit (and so in every unit below it), optionally
 * within a validity window. One person can hold different roles in different units.
 * `organisationId` null means held globally; only the 'admin' role is assigned that way.
 */
@Entity('role_assignment')
@Index(['accountId', 'role', 'organisationId'], { unique: true, where: 'organisation_id IS NOT NULL' })
@Index(['accountId', 'role'], { unique: true, where: 'organisation_id IS NULL' })
export class RoleAssignment extends BaseEntity {
  @Index()
  @Column({ type: 'uuid' })
  accountId: string;

  /** a RoleName from the catalogue in code */
  @Column({ type: 'varchar', length: 32 })
  role: string;

  @Index()
  @Column({ type: 'uuid', nullable: true })
  organisationId: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  validFrom: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  validUntil: Date | null;

  /** the account that granted it (null for seeded and system grants) */
  @Column({ type: 'uuid', nullable: true })
  grantedBy: string | null;
}
