import { ArgsType, Field, ID, InputType, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsBoolean,
  IsEnum,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { Transform } from 'class-transformer';
import { ConnectionArgs } from '../../../../api/graphql/connection';
import { PageQuery } from '../../../../api/http/pagination';
import { CaseOutcome, CaseStatus } from '../case.entity';
import { JsonObjectScalar } from './workflow-definition.dto';
import { DELIVERY_METHODS, MAX_REASON, SATISFACTION_LEVELS, SUSPEND_PROCEDURES } from '../action-input';
import { DateTimeScalar } from '../../../../api/graphql/scalars';

/** A case type's key and subject key as routes and GraphQL arguments carry them. */
export const CASE_TYPE_RE = /^[a-z][a-z0-9_-]{0,31}$/;
export const SUBJECT_KEY_RE = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/;

registerEnumType(CaseStatus, { name: 'CaseStatus' });
registerEnumType(CaseOutcome, { name: 'CaseOutcome' });

export enum WarningLight {
  Green = 'green',
  Yellow = 'yellow',
  Red = 'red',
}
registerEnumType(WarningLight, { name: 'WarningLight', description: '电子监察 light of a case or step' });

@ObjectType('CaseText')
export class TextsDto {
  /** GraphQL names cannot hold a hyphen: zhCN there, zh-CN in REST */
  @Field({ name: 'zhCN' })
  'zh-CN': string;

  @Field()
  en: string;
}

@ObjectType('CaseLimit')
export class CaseLimitDto {
  @Field(() => Int)
  amount: number;

  /** working_days | natural_days | hours */
  @Field()
  unit: string;
}

@ObjectType('CasePause')
export class CasePauseDto {
  @Field(() => DateTimeScalar)
  from: string;

  @Field(() => DateTimeScalar, { nullable: true })
  to: string | null;

  /** supplement | hearing | testing | expert_review | other */
  @Field()
  kind: string;

  @Field()
  reason: string;

  /** the count starts again after it (补正) */
  @Field()
  restart: boolean;
}

@ObjectType('CaseExtension')
export class CaseExtensionDto {
  @Field(() => Int)
  amount: number;

  @Field()
  reason: string;

  /** pending | granted | denied */
  @Field()
  state: string;

  @Field(() => DateTimeScalar)
  requestedAt: string;

  @Field(() => DateTimeScalar, { nullable: true })
  decidedAt: string | null;
}

@ObjectType('CaseTask')
export class CaseTaskDto {
  @Field(() => ID)
  id: string;

  @Field()
  stage: string;

  /** work | approval | extension */
  @Field()
  kind: string;

  @Field(() => Int)
  level: number;

  /** the candidate unit */
  @Field(() => ID)
  organisationId: string;

  @Field()
  permission: string;

  @Field(() => ID, { nullable: true })
  assigneeId: string | null;

  /** open | completed | cancelled */
  @Field()
  status: string;

  @Field(() => DateTimeScalar, { nullable: true })
  dueAt: string | null;

  @Field(() => WarningLight)
  warningLevel: WarningLight;

  @Field(() => DateTimeScalar, { nullable: true })
  completedAt: string | null;

  @Field(() => ID, { nullable: true })
  completedBy: string | null;

  @Field(() => String, { nullable: true })
  completedAction: string | null;
}

@ObjectType('CaseEvent')
export class CaseEventDto {
  @Field(() => ID)
  id: string;

  /** action key, or started / escalated / supplement_answered / withdrawn */
  @Field()
  action: string;

  @Field()
  actorKind: string;

  @Field(() => String, { nullable: true })
  actorId: string | null;

  @Field(() => ID, { nullable: true })
  onBehalfOf: string | null;

  @Field(() => String, { nullable: true })
  fromStage: string | null;

  @Field(() => String, { nullable: true })
  toStage: string | null;

  @Field(() => CaseStatus)
  status: CaseStatus;

  @Field(() => String, { nullable: true })
  reason: string | null;

  /** shown on the applicant's timeline */
  @Field()
  public: boolean;

  /** effect details: supplement items, extension amount, transfer target, decision */
  @ApiProperty({ type: 'object', additionalProperties: true })
  @Field(() => JsonObjectScalar, {
    description: 'Effect details: supplement items, extension amount, transfer target, decision.',
  })
  data: Record<string, unknown>;

  @Field(() => DateTimeScalar)
  createdAt: string;
}

@ObjectType('CaseAvailableAction')
export class AvailableActionDto {
  @Field()
  key: string;

  @Field()
  effect: string;

  @Field(() => TextsDto)
  title: TextsDto;

  @Field()
  reasonRequired: boolean;

  /** the task the action would complete */
  @Field(() => ID)
  taskId: string;
}

/** A case for staff screens: no applicant personal data beyond the case number. */
@ObjectType('Case')
export class CaseDto {
  @Field(() => ID)
  id: string;

  /** the subject's public number (申请编号) */
  @Field()
  number: string;

  @Field()
  subjectType: string;

  @Field(() => ID)
  subjectId: string;

  /** the case type its module registered ('service' for the catalogue) */
  @Field()
  caseType: string;

  /** the subject within the case type (for 'service': the service id) */
  @Field()
  subjectKey: string;

  /** the catalogue service ('service' cases); null for other case types */
  @Field(() => ID, { nullable: true })
  serviceId: string | null;

  @Field(() => ID)
  definitionId: string;

  /** the handling unit */
  @Field(() => ID)
  organisationId: string;

  @Field(() => ID)
  receivingOrganisationId: string;

  @Field()
  regionCode: string;

  @Field()
  stage: string;

  @Field(() => TextsDto, { nullable: true })
  stageTitle: TextsDto | null;

  @Field(() => CaseStatus)
  status: CaseStatus;

  @Field(() => CaseOutcome, { nullable: true })
  outcome: CaseOutcome | null;

  @Field(() => String, { nullable: true })
  outcomeReason: string | null;

  @Field(() => DateTimeScalar)
  receivedAt: string;

  @Field(() => DateTimeScalar, { nullable: true })
  acceptedAt: string | null;

  @Field(() => CaseLimitDto)
  limit: CaseLimitDto;

  /** promised completion; null while the clock is stopped */
  @Field(() => DateTimeScalar, { nullable: true })
  dueAt: string | null;

  @Field()
  dueProvisional: boolean;

  @Field(() => WarningLight)
  warningLevel: WarningLight;

  @Field()
  supplementRequested: boolean;

  @Field(() => DateTimeScalar, { nullable: true })
  decidedAt: string | null;

  @Field(() => DateTimeScalar, { nullable: true })
  closedAt: string | null;

  @Field(() => DateTimeScalar, { nullable: true })
  escalatedAt: string | null;

  @Field(() => Int)
  version: number;

  @Field(() => DateTimeScalar)
  createdAt: string;

  @Field(() => DateTimeScalar)
  updatedAt: string;
}

/** One case with its clock, tasks, full history and what the caller may do next. */
@ObjectType('CaseDetail')
export class CaseDetailDto extends CaseDto {
  @Field(() => [CasePauseDto])
  pauses: CasePauseDto[];

  @Field(() => [CaseExtensionDto])
  extensions: CaseExtensionDto[];

  @Field(() => [CaseTaskDto])
  tasks: CaseTaskDto[];

  @Field(() => [CaseEventDto])
  history: CaseEventDto[];

  @Field(() => [AvailableActionDto])
  availableActions: AvailableActionDto[];
}

export class CasePageDto {
  @ApiProperty({ type: [CaseDto], maxItems: 100 })
  items: CaseDto[];

  @ApiProperty({ type: String, nullable: true, maxLength: 512 })
  nextCursor: string | null;
}

const toBool = ({ value }: { value: unknown }) =>
  value === 'true' || value === true ? true : value === 'false' || value === false ? false : value;

/** Filters of GET /v1/cases (sorted by due date, soonest first; stopped clocks last). */
export class CaseQueryDto extends PageQuery {
  @IsOptional()
  @IsEnum(CaseStatus)
  status?: CaseStatus;

  @IsOptional()
  @IsString()
  @MaxLength(64)
  @Matches(/^[a-z][a-z0-9_]{0,63}$/)
  stage?: string;

  @IsOptional()
  @IsUUID()
  serviceId?: string;

  /** only cases of this case type (service, complaint, consultation, …: GET /v1/case-types) */
  @ApiPropertyOptional({ pattern: CASE_TYPE_RE.source, maxLength: 32 })
  @IsOptional()
  @Matches(CASE_TYPE_RE)
  caseType?: string;

  @IsOptional()
  @IsUUID()
  organisationId?: string;

  @IsOptional()
  @IsEnum(WarningLight)
  warningLevel?: WarningLight;

  /** only open cases past their due date */
  @ApiPropertyOptional({ type: Boolean })
  @IsOptional()
  @Transform(toBool)
  @IsBoolean()
  overdue?: boolean;
}

@ArgsType()
export class CaseConnectionArgs extends ConnectionArgs {
  @Field(() => CaseStatus, { nullable: true })
  @IsOptional()
  @IsEnum(CaseStatus)
  status?: CaseStatus;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  stage?: string;

  @Field(() => ID, { nullable: true })
  @IsOptional()
  @IsUUID()
  serviceId?: string;

  @Field(() => String, { nullable: true, description: 'only cases of this case type' })
  @IsOptional()
  @Matches(CASE_TYPE_RE)
  caseType?: string;

  @Field(() => ID, { nullable: true })
  @IsOptional()
  @IsUUID()
  organisationId?: string;

  @Field(() => WarningLight, { nullable: true })
  @IsOptional()
  @IsEnum(WarningLight)
  warningLevel?: WarningLight;

  @Field(() => Boolean, { nullable: true })
  @IsOptional()
  @IsBoolean()
  overdue?: boolean;
}

@InputType('CaseSupplementItemInput')
export class SupplementItemDto {
  /** the guide's material concerned */
  @Field({ nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  material?: string;

  /** the form field concerned (a JSON pointer or name) */
  @Field({ nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  field?: string;

  /** what is missing or wrong, in words the applicant understands */
  @Field()
  @IsString()
  @MinLength(1)
  @MaxLength(500)
  description: string;
}

/** Body of POST /v1/cases/{id}/actions/{action}: which fields are needed depends on the action. */
@InputType('CaseActionInput')
export class CaseActionDto {
  @Field({ nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(MAX_REASON)
  reason?: string;

  /** request_supplement: every missing or faulty item at once (一次性告知) */
  @Field(() => [SupplementItemDto], { nullable: true })
  @IsOptional()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => SupplementItemDto)
  items?: SupplementItemDto[];

  /** transfer: the receiving unit */
  @Field(() => ID, { nullable: true })
  @IsOptional()
  @IsUUID()
  organisationId?: string;

  /** suspend: hearing | testing | expert_review | other */
  @ApiPropertyOptional({ enum: SUSPEND_PROCEDURES })
  @Field({ nullable: true })
  @IsOptional()
  @IsIn(SUSPEND_PROCEDURES)
  procedure?: string;

  /** request_extension: amount in the case clock's unit */
  @Field(() => Int, { nullable: true })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(365)
  amount?: number;

  /** decide */
  @ApiPropertyOptional({ enum: ['approved', 'denied'] })
  @Field({ nullable: true })
  @IsOptional()
  @IsIn(['approved', 'denied'])
  decision?: 'approved' | 'denied';

  /** deliver: online | post | window */
  @ApiPropertyOptional({ enum: DELIVERY_METHODS })
  @Field({ nullable: true })
  @IsOptional()
  @IsIn(DELIVERY_METHODS)
  method?: string;

  /** dispatch: the co-handling units (协办), each gets its own opinion task */
  @Field(() => [ID], { nullable: true })
  @IsOptional()
  @ArrayMaxSize(10)
  @IsUUID('all', { each: true })
  coOrganisationIds?: string[];

  /** callback: the requester's satisfaction (回访) */
  @ApiPropertyOptional({ enum: SATISFACTION_LEVELS })
  @Field({ nullable: true })
  @IsOptional()
  @IsIn(SATISFACTION_LEVELS)
  satisfaction?: 'satisfied' | 'basically_satisfied' | 'dissatisfied';

  /** the task being worked (default: the caller's open task of the stage) */
  @Field(() => ID, { nullable: true })
  @IsOptional()
  @IsUUID()
  taskId?: string;
}

/** Action keys as workflow definitions name them. */
export const ACTION_KEY_RE = /^[a-z][a-z0-9_]{0,63}$/;
