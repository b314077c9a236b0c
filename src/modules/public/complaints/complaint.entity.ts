import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';
import { BaseEntity } from '../../../database/base.entity';
import { References } from '../../../database/references';
import { CaseFile } from '../../internal/workflow/case.entity';
import { Account } from '../../platform/identity/account.entity';
import { Organisation } from '../../platform/organisations/organisation.entity';
import { ComplaintCategory } from './complaint-category.entity';

export type ComplaintStatus = 'open' | 'closed';

/**
 * A work order (12345 工单) as filed: what the public sees of it (category, description, place,
 * media, status) and, sealed, who filed it. Its procedure runs as a `complaint` case on the workflow
 * engine; the status columns mirror the case after every transition (ComplaintCaseType), so public
 * lists and hot spots read one table.
 */
@Entity('complaint')
@Index(['categoryCode', 'createdAt'])
@Index(['regionCode', 'createdAt'])
@Index(['contentKey', 'createdAt'])
export class Complaint extends BaseEntity {
  /** the public work-order number, also the case number */
  @Index({ unique: true })
  @Column({ type: 'varchar', length: 32 })
  number: string;

  /** what an anonymous complainant keeps to follow the order (Crockford base32, 16 characters) */
  @Index({ unique: true })
  @Column({ type: 'varchar', length: 16 })
  trackingCode: string;

  @Column({ type: 'uuid' })
  categoryId: string;
  /** FK, ON DELETE RESTRICT: a category with work orders stays (it is deactivated instead). */
  @References(() => ComplaintCategory, 'RESTRICT', 'category_id')
  readonly category?: never;

  @Column({ type: 'varchar', length: 64 })
  categoryCode: string;

  @Column({ type: 'text' })
  description: string;

  /** normal | urgent | life_safety */
  @Column({ type: 'varchar', length: 16 })
  urgency: string;

  /** portal | app | mini_program | hotline | open311 */
  @Column({ type: 'varchar', length: 16 })
  channel: string;

  @Column({ type: 'double precision', nullable: true })
  lat: number | null;

  @Column({ type: 'double precision', nullable: true })
  long: number | null;

  @Column({ type: 'varchar', length: 300, nullable: true })
  address: string | null;

  @Column({ type: 'varchar', length: 100, nullable: true })
  addressId: string | null;

  /** the region the place resolves to (the category's region when no place was given) */
  @Column({ type: 'varchar', length: 12 })
  regionCode: string;

  @Column({ type: 'jsonb', default: () => "'{}'" })
  attributes: Record<string, string | string[]>;

  /** uploaded files (POST /v1/files) attached to the order */
  @Column({ type: 'jsonb', default: () => "'[]'" })
  mediaFileIds: string[];

  /** media the filer linked (Open311 media_url) */
  @Column({ type: 'jsonb', default: () => "'[]'" })
  mediaUrls: string[];

  @Column({ type: 'boolean' })
  anonymous: boolean;

  /** the real-name complainant's account; null when anonymous or filed without an account */
  @Index()
  @Column({ type: 'uuid', nullable: true })
  complainantAccountId: string | null;
  /** FK, ON DELETE RESTRICT: the complainant of a work order cannot be deleted. */
  @References(() => Account, 'RESTRICT', 'complainant_account_id')
  readonly complainantAccount?: never;

  /** the complainant's contact (names, e-mail, phone) as one sealed JSON object; never for anonymous orders */
  @Column({ type: 'text', nullable: true, select: false })
  contactEnc: string | null;

  /** keyed hash of (filer, category, normalised text): a second filing within the window answers the first */
  @Column({ type: 'varchar', length: 64 })
  contentKey: string;

  /** the dispatch centre (the category's unit) */
  @Column({ type: 'uuid' })
  dispatchOrganisationId: string;
  /** FK, ON DELETE RESTRICT */
  @References(() => Organisation, 'RESTRICT', 'dispatch_organisation_id')
  readonly dispatchOrganisation?: never;

  /** the unit handling it now (the dispatch centre until a unit signs) */
  @Column({ type: 'uuid' })
  handlingOrganisationId: string;
  /** FK, ON DELETE RESTRICT */
  @References(() => Organisation, 'RESTRICT', 'handling_organisation_id')
  readonly handlingOrganisation?: never;

  @Index({ unique: true, where: 'case_id IS NOT NULL' })
  @Column({ type: 'uuid', nullable: true })
  caseId: string | null;
  /** FK, ON DELETE RESTRICT: the case is the order's procedure record. */
  @References(() => CaseFile, 'RESTRICT', 'case_id')
  readonly caseFile?: never;

  @Column({ type: 'varchar', length: 8, default: 'open' })
  status: ComplaintStatus;

  /** Open311 extended status (open, in_progress, fixed, closed, duplicate, reopen, …) */
  @Column({ type: 'varchar', length: 32, default: 'open' })
  extendedStatus: string;

  /** the last public answer (答复) */
  @Column({ type: 'text', nullable: true })
  statusNotes: string | null;

  /** the case's due date */
  @Column({ type: 'timestamptz', nullable: true })
  expectedAt: Date | null;

  /** merged into another order about the same matter (handled there, answered from there) */
  @Index()
  @Column({ type: 'uuid', nullable: true })
  duplicateOfId: string | null;
  /** FK, ON DELETE RESTRICT */
  @References(() => Complaint, 'RESTRICT', 'duplicate_of_id')
  readonly duplicateOf?: never;

  /** 回访 result: satisfied | basically_satisfied | dissatisfied */
  @Column({ type: 'varchar', length: 24, nullable: true })
  satisfaction: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  closedAt: Date | null;
}

/**
 * One entry of a work order's public (and internal) record: every transition, follow-ups from the
 * public, supervision notices, merges. `public` entries are what Open311 lists as updates.
 */
@Entity('complaint_update')
@Index(['complaintId', 'createdAt'])
@Index(['public', 'createdAt'])
export class ComplaintUpdate {
  @PrimaryColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  complaintId: string;
  /** FK, ON DELETE CASCADE: the record goes with its order. */
  @References(() => Complaint, 'CASCADE', 'complaint_id')
  readonly complaint?: never;

  /** transition | follow_up | supervision | merge | callback_request */
  @Column({ type: 'varchar', length: 24 })
  kind: string;

  @Column({ type: 'boolean' })
  public: boolean;

  @Column({ type: 'varchar', length: 8 })
  status: ComplaintStatus;

  @Column({ type: 'varchar', length: 32 })
  extendedStatus: string;

  @Column({ type: 'text' })
  description: string;

  @Column({ type: 'varchar', length: 2048, nullable: true })
  mediaUrl: string | null;

  /** supervision only: blue | orange | red */
  @Column({ type: 'varchar', length: 8, nullable: true })
  tier: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
