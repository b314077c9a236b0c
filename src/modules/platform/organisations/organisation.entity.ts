import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { References } from '../../../database/references';
import { BaseEntity } from '../../../database/base.entity';

export enum OrganisationKind {
  Agency = 'agency',
  Department = 'department',
  ServiceCentre = 'service_centre',
  Office = 'office',
}

export enum RegionLevel {
  Province = 'province',
  City = 'city',
  District = 'district',
  Street = 'street',
}

/** A jurisdiction: administrative division code (GB/T 2260 style, 6 or 12 digits) in a tree. */
@Entity('region')
export class Region {
  @PrimaryColumn({ length: 12 })
  code: string;

  @Column({ length: 100 })
  name: string;

  @Column({ type: 'varchar', length: 200, nullable: true })
  nameEn: string | null;

  @Column({ type: 'enum', enum: RegionLevel, enumName: 'region_level' })
  level: RegionLevel;

  @Index()
  @Column({ type: 'varchar', length: 12, nullable: true })
  parentCode: string | null;
}

export interface ContactChannels {
  phone?: string;
  email?: string;
  address?: string;
  website?: string;
  hours?: string;
  /** complaints and supervision line, e.g. 12345 */
  supervisionPhone?: string;
}

/** An agency, department or service centre; units form a tree within and across regions. */
@Entity('organisation')
export class Organisation extends BaseEntity {
  @Column({ length: 200 })
  name: string;

  @Column({ type: 'varchar', length: 300, nullable: true })
  nameEn: string | null;

  @Column({ type: 'enum', enum: OrganisationKind, enumName: 'organisation_kind' })
  kind: OrganisationKind;

  @Index()
  @Column({ length: 12 })
  regionCode: string;

  @Index()
  @Column({ type: 'uuid', nullable: true })
  parentId: string | null;
  /**
   * FK, ON DELETE RESTRICT: a unit with sub-units cannot be deleted. For the constraint only: code reads and
   * writes parentId.
   */
  @References(() => Organisation, 'RESTRICT', 'parent_id')
  readonly parent?: never;

  /** unified social credit code of an agency (GB 32100), when it has its own */
  @Index({ unique: true, where: 'uscc IS NOT NULL' })
  @Column({ type: 'varchar', length: 18, nullable: true })
  uscc: string | null;

  @Column({ type: 'jsonb', default: {} })
  contacts: ContactChannels;

  @Column({ default: true })
  active: boolean;
}

/**
 * Closure table: one row per (ancestor, descendant) pair including each unit with itself, so
 * "this unit and all below it" is a single indexed join.
 */
@Entity('organisation_closure')
@Index(['descendantId', 'ancestorId'])
export class OrganisationClosure {
  @PrimaryColumn('uuid')
  ancestorId: string;
  /**
   * FK, ON DELETE CASCADE: closure rows are derived from the tree. For the constraint only: code reads and
   * writes ancestorId.
   */
  @References(() => Organisation, 'CASCADE', 'ancestor_id')
  readonly ancestor?: never;

  @PrimaryColumn('uuid')
  descendantId: string;
  /**
   * FK, ON DELETE CASCADE: closure rows are derived from the tree. For the constraint only: code reads and
   * writes descendantId.
   */
  @References(() => Organisation, 'CASCADE', 'descendant_id')
  readonly descendant?: never;

  @Column({ type: 'int' })
  depth: number;
}
