import { Column, Entity, Index } from 'typeorm';
import { References } from '../../../database/references';
import { Account } from '../../platform/identity/account.entity';
import { Licence } from '../licences/licence.entity';
import { Organisation } from '../../platform/organisations/organisation.entity';
import { Service, ServiceVersion } from '../catalog/service.entity';
import { StoredFile } from '../../platform/files/stored-file.entity';
import { BaseEntity } from '../../../database/base.entity';

/**
 * What the applicant sees of an application. The case (case_file) is the back office's view; the
 * transition listener keeps this status in step with it.
 */
export enum ApplicationStatus {
  Draft = 'draft',
  /** 已提交 (收件), not yet accepted */
  Submitted = 'submitted',
  /** 已受理 / 办理中 */
  Accepted = 'accepted',
  /** 待补正: the one-time supplement notice waits for the applicant */
  SupplementRequired = 'supplement_required',
  /** 特别程序 (hearing, testing, expert review): the clock is stopped */
  Suspended = 'suspended',
  /** 准予 (the result is being issued) */
  Approved = 'approved',
  /** 不予许可 */
  Denied = 'denied',
  /** 不予受理 */
  Refused = 'refused',
  /** 已出证 */
  Issued = 'issued',
  /** 已送达 */
  Delivered = 'delivered',
  /** 已办结 */
  Completed = 'completed',
  /** 已撤回 */
  Withdrawn = 'withdrawn',
}

/** Statuses after which nothing changes for the applicant (no withdrawal, no supplement). */
export const FINAL_STATUSES: readonly ApplicationStatus[] = [
  ApplicationStatus.Denied,
  ApplicationStatus.Refused,
  ApplicationStatus.Completed,
  ApplicationStatus.Withdrawn,
];

/** The 补正 notice as the applicant sees it (items come from the staff's request_supplement). */
export interface ApplicationSupplement {
  items: Array<{ material?: string; field?: string; description: string }>;
  reason: string | null;
  requestedAt: string;
  answeredAt: string | null;
}

/** A citizen's or business's application (申请) for a catalogue service: a draft, then a case. */
@Entity('application')
@Index(['applicantAccountId', 'id'])
@Index(['businessAccountId', 'id'])
export class Application extends BaseEntity {
  /** 申请编号, assigned on submission: `YYYYMMDD` + region + 6-digit daily sequence */
  @Index({ unique: true })
  @Column({ type: 'varchar', length: 40, nullable: true })
  number: string | null;

  @Index()
  @Column({ type: 'uuid' })
  serviceId: string;
  /**
   * FK, ON DELETE RESTRICT: a service with applications cannot be deleted. For the constraint only: code
   * reads and writes serviceId.
   */
  @References(() => Service, 'RESTRICT', 'service_id')
  readonly service?: never;

  /** the published guide version the form was (last) validated against */
  @Column({ type: 'uuid' })
  serviceVersionId: string;
  /**
   * FK, ON DELETE RESTRICT: the version an application was made on stays. For the constraint only: code reads
   * and writes serviceVersionId.
   */
  @References(() => ServiceVersion, 'RESTRICT', 'service_version_id')
  readonly serviceVersion?: never;

  /** the service's implementing unit (the case may be transferred later; staff scope uses the case) */
  @Column({ type: 'uuid' })
  organisationId: string;
  /**
   * FK, ON DELETE RESTRICT: a unit with applications cannot be deleted. For the constraint only: code reads
   * and writes organisationId.
   */
  @References(() => Organisation, 'RESTRICT', 'organisation_id')
  readonly organisation?: never;

  @Column({ length: 12 })
  regionCode: string;

  /** the person who applies (a citizen, a business account, or a business's representative) */
  @Column({ type: 'uuid' })
  applicantAccountId: string;
  /**
   * FK, ON DELETE RESTRICT: an applicant with applications cannot be deleted. For the constraint only: code
   * reads and writes applicantAccountId.
   */
  @References(() => Account, 'RESTRICT', 'applicant_account_id')
  readonly applicantAccount?: never;

  /** the business applied for (the business account itself, or the one a representative acts for) */
  @Column({ type: 'uuid', nullable: true })
  businessAccountId: string | null;
  /**
   * FK, ON DELETE RESTRICT: a business with applications cannot be deleted. For the constraint only: code
   * reads and writes businessAccountId.
   */
  @References(() => Account, 'RESTRICT', 'business_account_id')
  readonly businessAccount?: never;

  @Index()
  @Column({
    type: 'enum',
    enum: ApplicationStatus,
    enumName: 'application_status',
    default: ApplicationStatus.Draft,
  })
  status: ApplicationStatus;

  /** the form's answers except its personal fields (x-personal), which are never stored here */
  @Column({ type: 'jsonb', default: {} })
  formData: Record<string, unknown>;

  /**
   * The personal fields (x-personal), one AES-256-GCM envelope (`v1.<keyId>.…`) of
   * `{ field: { kind, value } }`; null when the form holds none. See application-form.ts.
   */
  @Column({ type: 'text', nullable: true })
  formPersonal: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  submittedAt: Date | null;

  /** 承诺办结时间 from the case; null while its clock is stopped */
  @Column({ type: 'timestamptz', nullable: true })
  promisedDueAt: Date | null;

  @Column({ default: false })
  dueProvisional: boolean;

  @Column({ type: 'jsonb', nullable: true })
  supplement: ApplicationSupplement | null;

  /** approved | denied | refused */
  @Column({ type: 'varchar', length: 16, nullable: true })
  decision: string | null;

  @Column({ type: 'text', nullable: true })
  decisionReason: string | null;

  @Column({ type: 'uuid', nullable: true })
  licenceId: string | null;
  /**
   * FK, ON DELETE SET NULL: an optional pointer to the result. For the constraint only: code reads and writes
   * licenceId.
   */
  @References(() => Licence, 'SET NULL', 'licence_id')
  readonly licence?: never;

  @Column({ type: 'varchar', length: 16, nullable: true })
  licenceVerificationCode: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  withdrawnAt: Date | null;

  @Column({ type: 'text', nullable: true })
  withdrawalReason: string | null;

  /** case event id → engine effect, so the timeline can say in plain words what each step was */
  @Column({ type: 'jsonb', default: {} })
  eventEffects: Record<string, string>;
}

/** A file handed in for one of the guide's materials (申报材料). */
@Entity('application_attachment')
@Index(['applicationId', 'createdAt'])
export class ApplicationAttachment extends BaseEntity {
  @Column({ type: 'uuid' })
  applicationId: string;
  /**
   * FK, ON DELETE CASCADE: attachment records are the application's own (discarding a draft removes them).
   * For the constraint only: code reads and writes applicationId.
   */
  @References(() => Application, 'CASCADE', 'application_id')
  readonly application?: never;

  /** the material's name in the guide */
  @Column({ length: 200 })
  material: string;

  @Index({ unique: true })
  @Column({ type: 'uuid' })
  fileId: string;
  /**
   * FK, ON DELETE RESTRICT: a file cannot be deleted while an application lists it. For the constraint only:
   * code reads and writes fileId.
   */
  @References(() => StoredFile, 'RESTRICT', 'file_id')
  readonly file?: never;

  @Column({ length: 255 })
  name: string;

  @Column({ length: 64 })
  sha256: string;

  @Column({ type: 'bigint', transformer: { to: (v: number) => v, from: (v: string | number) => Number(v) } })
  size: number;

  @Column({ length: 100 })
  contentType: string;

  /** application: handed in with the draft; supplement: handed in to answer the 补正 notice */
  @Column({ length: 16, default: 'application' })
  phase: string;
}
