import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';
import { BaseEntity } from '../../../database/base.entity';
import { References } from '../../../database/references';
import { uuidv7 } from '../../../database/uuid';
import { CaseFile } from '../../internal/workflow/case.entity';
import { Account } from '../../platform/identity/account.entity';
import { Organisation } from '../../platform/organisations/organisation.entity';
import { Service } from '../catalog/service.entity';

export enum ConsultationStatus {
  /** a question (the first or a follow-up) waits for its answer */
  Open = 'open',
  /** every question so far is answered */
  Answered = 'answered',
}

export enum MessageKind {
  Question = 'question',
  Answer = 'answer',
  FollowUp = 'follow_up',
}

/**
 * A consultation (咨询): a citizen's question of a service (its guide) or of a unit, answered by the
 * responsible unit within the working-day limit of the workflow engine. Each question of the thread
 * (the first and every follow-up) is one case of the case type `consultation`, whose subject is that
 * message; the consultation follows the unit the latest case was transferred to.
 */
@Entity('consultation')
@Index('consultation_asker_idx', ['askerAccountId', 'updatedAt'])
@Index('consultation_unit_idx', ['organisationId', 'status'])
export class Consultation extends BaseEntity {
  @Index('consultation_number_uq', { unique: true })
  @Column({ length: 40 })
  number: string;

  @Column({ type: 'uuid' })
  askerAccountId: string;
  /** FK, ON DELETE RESTRICT: an asker with consultations cannot be deleted. For the constraint only. */
  @References(() => Account, 'RESTRICT', 'asker_account_id')
  readonly askerAccount?: never;

  /** the service asked about (its guide), or null for a question of a unit */
  @Column({ type: 'uuid', nullable: true })
  serviceId: string | null;
  /** FK, ON DELETE RESTRICT: a service asked about cannot be deleted. For the constraint only. */
  @References(() => Service, 'RESTRICT', 'service_id')
  readonly service?: never;

  /** the unit answering now (the service's unit, the unit asked, or where a transfer sent it) */
  @Column({ type: 'uuid' })
  organisationId: string;
  /** FK, ON DELETE RESTRICT. For the constraint only: code reads and writes organisationId. */
  @References(() => Organisation, 'RESTRICT', 'organisation_id')
  readonly organisation?: never;

  /** the workflow subject key the cases start on: the service id, or `unit:<unit id>` */
  @Column({ length: 64 })
  subjectKey: string;

  @Column({
    type: 'enum',
    enum: ConsultationStatus,
    enumName: 'consultation_status',
    default: ConsultationStatus.Open,
  })
  status: ConsultationStatus;

  /** follow-up questions asked so far (bounded) */
  @Column({ type: 'int', default: 0 })
  followUps: number;

  /** the asker's language when asking (notices are written in it) */
  @Column({ length: 5 })
  language: string;

  /** the latest answer, and who gave it (the ratings module's "handled") */
  @Column({ type: 'timestamptz', nullable: true })
  answeredAt: Date | null;

  @Column({ type: 'uuid', nullable: true })
  answeredBy: string | null;
}

/**
 * One message of the thread: the question, each answer, each follow-up. The text is the asker's or
 * the staff member's own words and may hold personal data: only its AES-256-GCM envelope is stored.
 */
@Entity('consultation_message')
@Index('consultation_message_seq_uq', ['consultationId', 'seq'], { unique: true })
export class ConsultationMessage {
  @PrimaryColumn('uuid')
  id: string = uuidv7();

  @Column({ type: 'uuid' })
  consultationId: string;
  /** FK, ON DELETE CASCADE: messages go with their consultation. For the constraint only. */
  @References(() => Consultation, 'CASCADE', 'consultation_id')
  readonly consultation?: never;

  /** 1, 2, 3 … in the thread's order */
  @Column({ type: 'int' })
  seq: number;

  @Column({ length: 16 })
  kind: MessageKind;

  /** the text, sealed (PersonalField.ConsultationText) */
  @Column({ type: 'text' })
  bodyEnc: string;

  /** the staff member who answered (null for the asker's own messages); no FK, like case history's actor */
  @Column({ type: 'uuid', nullable: true })
  authorAccountId: string | null;

  /** the case that clocks a question (null for answers) */
  @Column({ type: 'uuid', nullable: true })
  caseId: string | null;
  /** FK, ON DELETE RESTRICT: a question's case stays while the thread does. For the constraint only. */
  @References(() => CaseFile, 'RESTRICT', 'case_id')
  readonly caseFile?: never;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}

/** A unit's answer template (答复模板): staff pick one when answering and may edit it. */
@Entity('consultation_template')
@Index('consultation_template_title_uq', ['organisationId', 'title'], { unique: true })
export class ConsultationTemplate extends BaseEntity {
  @Column({ type: 'uuid' })
  organisationId: string;
  /** FK, ON DELETE CASCADE: templates go with their unit. For the constraint only. */
  @References(() => Organisation, 'CASCADE', 'organisation_id')
  readonly organisation?: never;

  @Column({ length: 200 })
  title: string;

  @Column({ type: 'text' })
  body: string;
}

/**
 * An answered consultation published as a question and answer on its service's guide (常见问题), in
 * the public wording staff wrote: never the asker's text, name, phone or ids.
 */
@Entity('consultation_faq')
@Index('consultation_faq_service_idx', ['serviceId', 'createdAt'])
export class ConsultationFaq extends BaseEntity {
  @Index('consultation_faq_consultation_uq', { unique: true })
  @Column({ type: 'uuid' })
  consultationId: string;
  /** FK, ON DELETE CASCADE. For the constraint only: code reads and writes consultationId. */
  @References(() => Consultation, 'CASCADE', 'consultation_id')
  readonly consultation?: never;

  @Column({ type: 'uuid' })
  serviceId: string;
  /** FK, ON DELETE CASCADE: the FAQ goes with the service. For the constraint only. */
  @References(() => Service, 'CASCADE', 'service_id')
  readonly service?: never;

  /** zh-CN or en: the guide language it is shown in */
  @Column({ length: 5 })
  language: string;

  @Column({ length: 500 })
  question: string;

  @Column({ length: 4000 })
  answer: string;

  @Column({ type: 'uuid' })
  publishedBy: string;
}
