import { Column, Entity, Index } from 'typeorm';
import { References } from '../../../../database/references';
import { Account } from '../account.entity';
import { Organisation } from '../../organisations/organisation.entity';
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
  /**
   * FK, ON DELETE CASCADE: a grant dies with its holder. For the constraint only: code reads and writes
   * accountId.
   */
  @References(() => Account, 'CASCADE', 'account_id')
  readonly account?: never;

  /** a RoleName from the catalogue in code */
  @Column({ type: 'varchar', length: 32 })
  role: string;

  @Index()
  @Column({ type: 'uuid', nullable: true })
  organisationId: string | null;
  /**
   * FK, ON DELETE CASCADE: a grant in a unit dies with the unit. For the constraint only: code reads and
   * writes organisationId.
   */
  @References(() => Organisation, 'CASCADE', 'organisation_id')
  readonly organisation?: never;

  @Column({ type: 'timestamptz', nullable: true })
  validFrom: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  validUntil: Date | null;

  /** the account that granted it (null for seeded and system grants) */
  @Column({ type: 'uuid', nullable: true })
  grantedBy: string | null;
  /**
   * FK, ON DELETE SET NULL: who granted is history (the audit log keeps it); the grant stays. For the
   * constraint only: code reads and writes grantedBy.
   */
  @References(() => Account, 'SET NULL', 'granted_by')
  readonly grantedByAccount?: never;
}
