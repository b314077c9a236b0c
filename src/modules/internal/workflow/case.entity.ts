import { Column, Entity, Index } from 'typeorm';
import { References } from '../../../database/references';
import { Account } from '../../platform/identity/account.entity';
import { Organisation } from '../../platform/organisations/organisation.entity';
import { WorkflowDefinition } from './workflow-definition.entity';
import { BaseEntity } from '../../../database/base.entity';
import type { WarningLevel } from '../../platform/calendar/deadline';

export enum CaseStatus {
  /** being worked by staff */
  Open = 'open',
  /** waiting for the applicant (补正): the clock is paused */
  AwaitingApplicant = 'awaiting_applicant',
  /** a special procedure (听证/检验/鉴定) runs: the clock is stopped */
  Suspended = 'suspended',
  Closed = 'closed',
}

export enum CaseOutcome {
  /** 准予 */
  Approved = 'approved',
  /** 不予许可 */
  Denied = 'denied',
  /** 不予受理 */
  Refused = 'refused',
  /** 撤回 by the applicant */
  Withdrawn = 'withdrawn',
}

/** A pause of the case clock as stored (dates as ISO strings in jsonb). */
export interface StoredPause {
  from: string;
  to: string | null;
  /** supplement | hearing | testing | expert_review | other */
  kind: string;
  reason: string;
  /** 补正: the count restarts from the day after the answer */
  restart?: boolean;
}

export interface StoredExtension {
  amount: number;
  reason: string;
  requestedBy: string;
  requestedAt: string;
  /** pending until a superior decides */
  state: 'pending' | 'granted' | 'denied';
  decidedBy?: string;
  decidedAt?: string;
}

/** A case's work-order routing as stored (jsonb); empty until the first dispatch. */
export interface CaseRouting {
  /** the unit that dispatched last (its staff get returns; 'dispatcher' assignees resolve to it) */
  dispatcherOrganisationId?: string;
  /** the stage the dispatch was made from (a return goes back to it) */
  dispatchStage?: string;
  /** the unit the last dispatch went to, and its co-handling units (协办) */
  targetOrganisationId?: string;
  coOrganisationIds?: string[];
  /** returns (退单) so far; past the action's maxReturns a return goes to arbitration */
  returns?: number;
  /** reopenings (重办) so far */
  reopens?: number;
  /** the last callback's satisfaction (回访) */
  satisfaction?: string;
}

/**
 * A case (办件): the back-office life of one subject (an application today; complaints later) under
 * one workflow definition version. Only the workflow engine writes it.
 */
@Entity('case_file')
@Index(['subjectType', 'subjectId'], { unique: true })
export class CaseFile extends BaseEntity {
  /** what the case is about: 'application', or a case type's own subject ('test-ticket') */
  @Column({ length: 32 })
  subjectType: string;

  /** No foreign key: polymorphic (subject_type names the table, one per case type). */
  @Column({ type: 'uuid' })
  subjectId: string;

  /** the subject's public number (申请编号), for staff screens */
  @Index()
  @Column({ length: 40 })
  number: string;

  /** the registered case type ('service') and the subject's key in it, as the definition has them */
  @Column({ length: 32 })
  caseType: string;

  @Column({ length: 64 })
  subjectKey: string;

  /** the catalogue service ('service' cases), for statistics and supervision; null for other types */
  @Index()
  @Column({ type: 'uuid', nullable: true })
  serviceId: string | null;

  @Column({ type: 'uuid' })
  definitionId: string;
  /**
   * FK, ON DELETE RESTRICT: a definition cases run on cannot be deleted. For the constraint only: code reads
   * and writes definitionId.
   */
  @References(() => WorkflowDefinition, 'RESTRICT', 'definition_id')
  readonly definition?: never;

  /** the current handling unit (changes on transfer); scope checks use it */
  @Index()
  @Column({ type: 'uuid' })
  organisationId: string;
  /**
   * FK, ON DELETE RESTRICT: a unit holding cases cannot be deleted. For the constraint only: code reads and
   * writes organisationId.
   */
  @References(() => Organisation, 'RESTRICT', 'organisation_id')
  readonly organisation?: never;

  /** the unit that received the case, for statistics by receiving unit */
  @Column({ type: 'uuid' })
  receivingOrganisationId: string;
  /**
   * FK, ON DELETE RESTRICT: a unit holding cases cannot be deleted. For the constraint only: code reads and
   * writes receivingOrganisationId.
   */
  @References(() => Organisation, 'RESTRICT', 'receiving_organisation_id')
  readonly receivingOrganisation?: never;

  @Column({ length: 12 })
  regionCode: string;

  /** the applicant's account (the subject's owner), never shown to other applicants */
  @Index()
  @Column({ type: 'uuid' })
  applicantAccountId: string;
  /**
   * FK, ON DELETE RESTRICT: an applicant with cases cannot be deleted. For the constraint only: code reads
   * and writes applicantAccountId.
   */
  @References(() => Account, 'RESTRICT', 'applicant_account_id')
  readonly applicantAccount?: never;

  @Column({ length: 64 })
  stage: string;

  @Index()
  @Column({ type: 'enum', enum: CaseStatus, enumName: 'case_status', default: CaseStatus.Open })
  status: CaseStatus;

  @Column({ type: 'enum', enum: CaseOutcome, enumName: 'case_outcome', nullable: true })
  outcome: CaseOutcome | null;

  @Column({ type: 'text', nullable: true })
  outcomeReason: string | null;

  /** 收件 */
  @Column({ type: 'timestamptz' })
  receivedAt: Date;

  /** 受理; when a supplement notice came late, deemed the receipt time */
  @Column({ type: 'timestamptz', nullable: true })
  acceptedAt: Date | null;

  /** the case clock's limit as resolved at start */
  @Column({ type: 'jsonb' })
  limit: { amount: number; unit: string };

  @Column({ type: 'jsonb', default: [] })
  pauses: StoredPause[];

  @Column({ type: 'jsonb', default: [] })
  extensions: StoredExtension[];

  /** promised completion (承诺办结时间); null while the clock is stopped */
  @Index()
  @Column({ type: 'timestamptz', nullable: true })
  dueAt: Date | null;

  /** the due date runs through a year whose holidays are not published yet */
  @Column({ default: false })
  dueProvisional: boolean;

  @Column({ type: 'varchar', length: 8, default: 'green' })
  warningLevel: WarningLevel;

  /** whether a supplement notice (一次性告知) was already sent: only one per case */
  @Column({ default: false })
  supplementRequested: boolean;

  /** action key → ids of the people who did it (for separation of duties) */
  @Column({ type: 'jsonb', default: {} })
  actors: Record<string, string[]>;

  /** progress of the current approval stage: levels approved so far */
  @Column({ type: 'jsonb', default: {} })
  approval: Record<string, unknown>;

  /** work-order routing (派单/签收/退单/回访/重办): who dispatched, returns, reopens, satisfaction */
  @Column({ type: 'jsonb', default: {} })
  routing: CaseRouting;

  /** the subject's form data as submitted (guards read it) */
  @Column({ type: 'jsonb', default: {} })
  data: Record<string, unknown>;

  @Column({ type: 'timestamptz', nullable: true })
  decidedAt: Date | null;

  @Index()
  @Column({ type: 'timestamptz', nullable: true })
  closedAt: Date | null;

  /** when the overdue case was escalated to the supervisors above (once per case) */
  @Column({ type: 'timestamptz', nullable: true })
  escalatedAt: Date | null;
}

export enum TaskStatus {
  Open = 'open',
  Completed = 'completed',
  Cancelled = 'cancelled',
}

/** A piece of work on a case waiting in a unit's queue (待办). */
@Entity('case_task')
@Index(['organisationId', 'status', 'dueAt'])
export class CaseTask extends BaseEntity {
  @Index()
  @Column({ type: 'uuid' })
  caseId: string;
  /**
   * FK, ON DELETE CASCADE: tasks are the case's own. For the constraint only: code reads and writes caseId.
   */
  @References(() => CaseFile, 'CASCADE', 'case_id')
  readonly caseFile?: never;

  @Column({ length: 64 })
  stage: string;

  /** work (a stage's task), approval (one level of an approval stage), extension (a superior's decision) */
  @Column({ length: 16, default: 'work' })
  kind: string;

  /** approval level index within the stage, 0 for others */
  @Column({ type: 'int', default: 0 })
  level: number;

  /** candidate unit: its staff holding `permission` there (or above it) may claim the task */
  @Column({ type: 'uuid' })
  organisationId: string;
  /**
   * FK, ON DELETE RESTRICT: a unit with tasks cannot be deleted. For the constraint only: code reads and
   * writes organisationId.
   */
  @References(() => Organisation, 'RESTRICT', 'organisation_id')
  readonly organisation?: never;

  @Column({ length: 40 })
  permission: string;

  @Index()
  @Column({ type: 'uuid', nullable: true })
  assigneeId: string | null;
  /**
   * FK, ON DELETE SET NULL: the task goes back to its unit's pool. For the constraint only: code reads and
   * writes assigneeId.
   */
  @References(() => Account, 'SET NULL', 'assignee_id')
  readonly assignee?: never;

  @Column({ type: 'enum', enum: TaskStatus, enumName: 'case_task_status', default: TaskStatus.Open })
  status: TaskStatus;

  @Column({ type: 'timestamptz', nullable: true })
  dueAt: Date | null;

  @Column({ type: 'varchar', length: 8, default: 'green' })
  warningLevel: WarningLevel;

  @Column({ type: 'timestamptz', nullable: true })
  claimedAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  completedAt: Date | null;

  /** No foreign key: the actor's id, of any kind (account, OAuth client, API key). */
  @Column({ type: 'uuid', nullable: true })
  completedBy: string | null;

  /** the action that completed it */
  @Column({ type: 'varchar', length: 64, nullable: true })
  completedAction: string | null;

  /** when the yellow-light reminder went out (once per task) */
  @Column({ type: 'timestamptz', nullable: true })
  remindedAt: Date | null;

  /** when the overdue step was escalated (once per task) */
  @Column({ type: 'timestamptz', nullable: true })
  escalatedAt: Date | null;
}

/**
 * The case history: every action, with who, for whom and why. `public` entries (with their texts)
 * form the applicant's status timeline; the rest are staff-only.
 */
@Entity('case_event')
@Index(['caseId', 'createdAt'])
export class CaseEvent extends BaseEntity {
  @Column({ type: 'uuid' })
  caseId: string;
  /**
   * FK, ON DELETE CASCADE: history is the case's own. For the constraint only: code reads and writes caseId.
   */
  @References(() => CaseFile, 'CASCADE', 'case_id')
  readonly caseFile?: never;

  /** action key, or started / escalated / warned / supplement_answered / withdrawn */
  @Column({ length: 64 })
  action: string;

  @Column({ length: 16 })
  actorKind: string;

  /** No foreign key: the actor of actor_kind (account, client, key, or a system job's name). */
  @Column({ type: 'varchar', length: 64, nullable: true })
  actorId: string | null;

  @Column({ type: 'uuid', nullable: true })
  onBehalfOf: string | null;
  /**
   * FK, ON DELETE RESTRICT: a delegator named in case history cannot be deleted. For the constraint only:
   * code reads and writes onBehalfOf.
   */
  @References(() => Account, 'RESTRICT', 'on_behalf_of')
  readonly onBehalfOfAccount?: never;

  @Column({ type: 'varchar', length: 64, nullable: true })
  fromStage: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  toStage: string | null;

  @Column({ type: 'enum', enum: CaseStatus, enumName: 'case_event_status' })
  status: CaseStatus;

  @Column({ type: 'text', nullable: true })
  reason: string | null;

  /** effect-specific details: supplement items, extension amount, transfer target, decision */
  @Column({ type: 'jsonb', default: {} })
  data: Record<string, unknown>;

  /** shown on the applicant's timeline */
  @Column({ default: false })
  public: boolean;
}

/** An internal note on a case (内部意见): staff of the case's units only, never the applicant. */
@Entity('case_note')
@Index(['caseId', 'createdAt'])
export class CaseNote extends BaseEntity {
  @Column({ type: 'uuid' })
  caseId: string;
  /**
   * FK, ON DELETE CASCADE: notes are the case's own. For the constraint only: code reads and writes caseId.
   */
  @References(() => CaseFile, 'CASCADE', 'case_id')
  readonly caseFile?: never;

  @Column({ type: 'uuid' })
  authorId: string;
  /**
   * FK, ON DELETE RESTRICT: an author of case notes cannot be deleted. For the constraint only: code reads
   * and writes authorId.
   */
  @References(() => Account, 'RESTRICT', 'author_id')
  readonly author?: never;

  @Column({ type: 'text' })
  body: string;
}
