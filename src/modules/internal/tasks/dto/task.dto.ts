import { ArgsType, Field, ID, InputType, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsEnum,
  IsISO8601,
  IsOptional,
  IsUUID,
  Matches,
  MaxLength,
  ValidateBy,
  ValidationOptions,
} from 'class-validator';
import { ConnectionArgs } from '../../../../api/graphql/connection';
import { PageQuery } from '../../../../api/http/pagination';
import { TaskStatus } from '../../workflow/case.entity';
import { WarningLight } from '../../workflow/dto/case.dto';
import { DateTimeScalar } from '../../../../api/graphql/scalars';

/** The order of a queue: deadline first (no deadline last), newest first, or red warnings first. */
export enum TaskSort {
  DueAt = 'dueAt',
  NewestFirst = '-createdAt',
  Warning = 'warning',
}
registerEnumType(TaskSort, {
  name: 'TaskSort',
  description:
    'dueAt: earliest deadline first, tasks without one last; createdAt_desc: newest first (REST -createdAt); ' +
    'warning: red, yellow, green, then by deadline',
});

export enum TaskAssignedFilter {
  Me = 'me',
  Unassigned = 'unassigned',
  Any = 'any',
}
registerEnumType(TaskAssignedFilter, { name: 'TaskAssignedFilter' });

export enum TaskStatusFilter {
  Open = 'open',
  Completed = 'completed',
}
registerEnumType(TaskStatusFilter, { name: 'TaskStatusFilter' });

registerEnumType(TaskStatus, { name: 'TaskStatus' });

const STAGE_RE = /^[a-z][a-z0-9_]{0,63}$/;
// Control characters other than tab and line breaks cannot be meant in a note, and NUL cannot be stored.
// eslint-disable-next-line no-control-regex
const CONTROL_RE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

/** 1…max characters with something besides spaces; no control characters. */
export function textProblem(v: unknown, max: number): string | null {
  if (typeof v !== 'string') return 'must be a string';
  if (!v.trim()) return 'must not be empty';
  if (v.length > max) return `must be at most ${max} characters`;
  if (CONTROL_RE.test(v)) return 'must not contain control characters';
  return null;
}

export function IsPlainText(max: number, options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'plainText',
      validator: {
        validate: (v: unknown) => textProblem(v, max) === null,
        defaultMessage: (a) => `$property ${textProblem(a?.value, max) ?? 'is invalid'}`,
      },
    },
    options,
  );
}

/** The queue filters, shared by REST and GraphQL. */
export interface TaskFilters {
  status?: TaskStatusFilter;
  assigned?: TaskAssignedFilter;
  serviceId?: string;
  organisationId?: string;
  stage?: string;
  warningLevel?: WarningLight;
  dueBefore?: string;
  sort?: TaskSort;
}

export class TaskQuery extends PageQuery implements TaskFilters {
  @ApiPropertyOptional({ enum: TaskStatusFilter, default: TaskStatusFilter.Open })
  @IsOptional()
  @IsEnum(TaskStatusFilter)
  status?: TaskStatusFilter;

  @ApiPropertyOptional({
    enum: TaskAssignedFilter,
    default: TaskAssignedFilter.Any,
    description:
      "me: assigned to me; unassigned: waiting to be claimed; any: both and colleagues' (supervisors)",
  })
  @IsOptional()
  @IsEnum(TaskAssignedFilter)
  assigned?: TaskAssignedFilter;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  serviceId?: string;

  @ApiPropertyOptional({
    format: 'uuid',
    description: 'a unit within my scope: its tasks and those of its sub-units',
  })
  @IsOptional()
  @IsUUID()
  organisationId?: string;

  @ApiPropertyOptional({ maxLength: 64, pattern: STAGE_RE.source })
  @IsOptional()
  @Matches(STAGE_RE)
  stage?: string;

  @ApiPropertyOptional({ enum: WarningLight })
  @IsOptional()
  @IsEnum(WarningLight)
  warningLevel?: WarningLight;

  @ApiPropertyOptional({ format: 'date-time', maxLength: 40, description: 'tasks due before this instant' })
  @IsOptional()
  @MaxLength(40)
  @IsISO8601({ strict: true })
  dueBefore?: string;

  @ApiPropertyOptional({ enum: TaskSort, default: TaskSort.DueAt })
  @IsOptional()
  @IsEnum(TaskSort)
  sort?: TaskSort;
}

@ArgsType()
export class TasksArgs extends ConnectionArgs implements TaskFilters {
  @Field(() => TaskStatusFilter, { nullable: true })
  @IsOptional()
  @IsEnum(TaskStatusFilter)
  status?: TaskStatusFilter;

  @Field(() => TaskAssignedFilter, { nullable: true })
  @IsOptional()
  @IsEnum(TaskAssignedFilter)
  assigned?: TaskAssignedFilter;

  @Field(() => ID, { nullable: true })
  @IsOptional()
  @IsUUID()
  serviceId?: string;

  @Field(() => ID, { nullable: true })
  @IsOptional()
  @IsUUID()
  organisationId?: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @Matches(STAGE_RE)
  stage?: string;

  @Field(() => WarningLight, { nullable: true })
  @IsOptional()
  @IsEnum(WarningLight)
  warningLevel?: WarningLight;

  @Field(() => DateTimeScalar, { nullable: true, description: 'ISO 8601 instant' })
  @IsOptional()
  @MaxLength(40)
  @IsISO8601({ strict: true })
  dueBefore?: string;

  @Field(() => TaskSort, { nullable: true })
  @IsOptional()
  @IsEnum(TaskSort)
  sort?: TaskSort;
}

@ObjectType('TaskService')
export class TaskServiceDto {
  @Field(() => ID)
  @ApiProperty({ format: 'uuid' })
  id: string;

  /** in the caller's language when the guide has it; null for a service never published */
  @Field(() => String, { nullable: true })
  @ApiProperty({ type: 'string', nullable: true, maxLength: 300 })
  title: string | null;
}

@ObjectType('TaskUnit')
export class TaskUnitDto {
  @Field(() => ID)
  @ApiProperty({ format: 'uuid' })
  id: string;

  @Field()
  @ApiProperty({ maxLength: 300 })
  name: string;
}

/** A staff member as queues and notes name them: id and display name, nothing else. */
@ObjectType('StaffRef')
export class StaffRefDto {
  @Field(() => ID)
  @ApiProperty({ format: 'uuid' })
  id: string;

  @Field(() => String, { nullable: true })
  @ApiProperty({ type: 'string', nullable: true, maxLength: 100 })
  displayName: string | null;
}

/** A task in a work queue: the case's number and service, never the applicant's personal data. */
@ObjectType('Task')
export class TaskDto {
  @Field(() => ID)
  @ApiProperty({ format: 'uuid' })
  id: string;

  @Field(() => ID)
  @ApiProperty({ format: 'uuid' })
  caseId: string;

  /** the application's public number (申请编号) */
  @Field()
  @ApiProperty({ maxLength: 40 })
  caseNumber: string;

  /** the catalogue service of the case; null for a case of another type (a work order, a consultation, …) */
  @Field(() => TaskServiceDto, { nullable: true })
  @ApiProperty({ type: TaskServiceDto, nullable: true })
  service: TaskServiceDto | null;

  /** the case's type (service, complaint, consultation, rectification, …: GET /v1/case-types) */
  @Field()
  @ApiProperty({ maxLength: 32 })
  caseType: string;

  @Field()
  @ApiProperty({ maxLength: 64 })
  stage: string;

  /** work, approval or extension */
  @Field()
  @ApiProperty({ maxLength: 16 })
  kind: string;

  /** approval level within the stage, 0 otherwise */
  @Field(() => Int)
  @ApiProperty({ type: 'integer', minimum: 0, maximum: 100 })
  level: number;

  /** the unit whose staff (holding `permission` there or above) may claim it */
  @Field(() => TaskUnitDto)
  candidateUnit: TaskUnitDto;

  /** case:handle, case:review or case:approve */
  @Field()
  @ApiProperty({ maxLength: 40 })
  permission: string;

  @Field(() => StaffRefDto, { nullable: true })
  @ApiProperty({ type: StaffRefDto, nullable: true })
  assignee: StaffRefDto | null;

  @Field(() => TaskStatus)
  @ApiProperty({ enum: TaskStatus, enumName: 'TaskStatus' })
  status: TaskStatus;

  @Field(() => DateTimeScalar, { nullable: true })
  @ApiProperty({ type: 'string', format: 'date-time', nullable: true })
  dueAt: string | null;

  @Field(() => WarningLight)
  @ApiProperty({ enum: WarningLight, enumName: 'WarningLight' })
  warningLevel: WarningLight;

  /** the whole case's promised completion (承诺办结时间) */
  @Field(() => DateTimeScalar, { nullable: true })
  @ApiProperty({ type: 'string', format: 'date-time', nullable: true })
  caseDueAt: string | null;

  @Field(() => WarningLight)
  @ApiProperty({ enum: WarningLight, enumName: 'WarningLight' })
  caseWarningLevel: WarningLight;

  @Field(() => DateTimeScalar)
  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @Field(() => DateTimeScalar, { nullable: true })
  @ApiProperty({ type: 'string', format: 'date-time', nullable: true })
  claimedAt: string | null;

  @Field(() => DateTimeScalar, { nullable: true })
  @ApiProperty({ type: 'string', format: 'date-time', nullable: true })
  completedAt: string | null;

  /** send it back as If-Match "v<version>" */
  @Field(() => Int)
  @ApiProperty({ type: 'integer', minimum: 1 })
  version: number;
}

export class TaskPageDto {
  @ApiProperty({ type: [TaskDto], maxItems: 100 })
  items: TaskDto[];

  @ApiProperty({ type: 'string', nullable: true, maxLength: 512 })
  nextCursor: string | null;
}

export class AssignTaskDto {
  /** a colleague holding the task's permission in its unit or above (directly or by delegation) */
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  assigneeId: string;
}

export class TransferTaskDto {
  /** the new candidate unit */
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  organisationId: string;

  @ApiProperty({ minLength: 1, maxLength: 500, example: '属地不符，转至辖区窗口办理' })
  @IsPlainText(500)
  reason: string;
}

export class DelegateTaskDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  assigneeId: string;

  @ApiPropertyOptional({ minLength: 1, maxLength: 500, example: '休假期间请代为办理' })
  @IsOptional()
  @IsPlainText(500)
  reason?: string;
}

@InputType()
export class TransferTaskInput {
  @Field(() => ID)
  @IsUUID()
  organisationId: string;

  @Field()
  @IsPlainText(500)
  reason: string;
}

@InputType()
export class DelegateTaskInput {
  @Field(() => ID)
  @IsUUID()
  assigneeId: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsPlainText(500)
  reason?: string;
}
