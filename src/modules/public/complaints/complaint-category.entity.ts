import { Column, Entity, Index } from 'typeorm';
import { BaseEntity } from '../../../database/base.entity';
import { References } from '../../../database/references';
import { Organisation } from '../../platform/organisations/organisation.entity';
import type { CategoryAttribute, CategoryKind } from './complaint-rules';

export interface BothTexts {
  'zh-CN': string;
  en: string;
}

/**
 * A node of the category tree (分类): `code` is dotted by level (e.g. `city.road.pothole`) and
 * `parentCode` names the node above. Only leaves (`assignable`) take work orders. `kind` picks the
 * default time limit (咨询/求助/投诉/建议); the dispatch centre that receives its orders is
 * `organisationId`, in the calendar region `regionCode`.
 */
@Entity('complaint_category')
export class ComplaintCategory extends BaseEntity {
  @Index({ unique: true })
  @Column({ type: 'varchar', length: 64 })
  code: string;

  @Column({ type: 'varchar', length: 64, nullable: true })
  parentCode: string | null;

  @Column({ type: 'boolean', default: true })
  assignable: boolean;

  /** consultation | help | complaint | suggestion */
  @Column({ type: 'varchar', length: 16 })
  kind: CategoryKind;

  @Column({ type: 'jsonb' })
  name: BothTexts;

  @Column({ type: 'jsonb' })
  description: BothTexts;

  @Column({ type: 'jsonb' })
  groupName: BothTexts;

  @Column({ type: 'jsonb', default: () => "'[]'" })
  keywords: string[];

  @Column({ type: 'jsonb', default: () => "'[]'" })
  attributes: CategoryAttribute[];

  @Column({ type: 'uuid' })
  organisationId: string;
  /** FK, ON DELETE RESTRICT: a dispatch centre with categories stays. */
  @References(() => Organisation, 'RESTRICT', 'organisation_id')
  readonly organisation?: never;

  @Column({ type: 'varchar', length: 12 })
  regionCode: string;

  @Column({ type: 'boolean', default: true })
  active: boolean;
}

/**
 * 办理时限 per region, category (or kind) and urgency: the most specific row wins (category before
 * kind, a region before its parents before everywhere). Amount in `unit` (working_days or hours).
 */
@Entity('complaint_time_limit')
@Index(['regionCode', 'categoryCode', 'kind', 'urgency'])
export class ComplaintTimeLimit extends BaseEntity {
  /** null: everywhere */
  @Column({ type: 'varchar', length: 12, nullable: true })
  regionCode: string | null;

  /** null: every category of `kind` */
  @Column({ type: 'varchar', length: 64, nullable: true })
  categoryCode: string | null;

  /** null: any kind (with a category code, or a catch-all) */
  @Column({ type: 'varchar', length: 16, nullable: true })
  kind: string | null;

  /** normal | urgent | life_safety */
  @Column({ type: 'varchar', length: 16 })
  urgency: string;

  @Column({ type: 'int' })
  amount: number;

  /** working_days | hours | natural_days */
  @Column({ type: 'varchar', length: 16 })
  unit: string;
}
