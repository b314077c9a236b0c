import { ArgsType, Field, ID, InputType, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { ApiProperty } from '@nestjs/swagger';
import { IsObject, IsUUID } from 'class-validator';
import { ConnectionArgs } from '../../../../api/graphql/connection';
import { DateTimeScalar, JsonObjectScalar } from '../../../../api/graphql/scalars';
import { WorkflowDefinitionState } from '../workflow-definition.entity';
import type { WorkflowSpec } from '../workflow-spec';

registerEnumType(WorkflowDefinitionState, { name: 'WorkflowDefinitionState' });

// The JSON object scalar is the API's one (api/graphql/scalars.ts); re-exported for the DTOs importing it from here.
export { JsonObjectScalar };

const SPEC_DOC = {
  type: 'object',
  additionalProperties: true,
  description:
    'The workflow spec: { start, stages[{ key, title, assignee, approval?, limit?, final?, actions[{ key, effect, ' +
    'title, to?, deniedTo?, reasonRequired?, guard? }] }], clock{ limit?, supplementNoticeWithin, yellowWithin, ' +
    'escalateOverdue }, separationOfDuties? }. Validated on save; errors point into it (/spec/stages/0/...).',
} as const;

/** A new draft version (POST /v1/services/{serviceId}/workflows) or the draft's replacement (PUT). */
@InputType('WorkflowDefinitionInput')
export class WorkflowDefinitionInputDto {
  @Field(() => JsonObjectScalar)
  @ApiProperty(SPEC_DOC)
  @IsObject()
  spec: WorkflowSpec;
}

@ObjectType('WorkflowDefinition', { description: "One version of a service's workflow (办件流程)." })
export class WorkflowDefinitionDto {
  @Field(() => ID)
  @ApiProperty({ format: 'uuid' })
  id: string;

  /** the case type the definition belongs to ('service' for the catalogue) */
  @Field()
  @ApiProperty({ maxLength: 32 })
  caseType: string;

  /** the subject within the case type (for 'service': the service id) */
  @Field()
  @ApiProperty({ maxLength: 64 })
  subjectKey: string;

  /** the catalogue service ('service' definitions); null for other case types */
  @Field(() => ID, { nullable: true })
  @ApiProperty({ type: 'string', format: 'uuid', nullable: true })
  serviceId: string | null;

  /** the subject's handling unit */
  @Field(() => ID)
  @ApiProperty({ format: 'uuid' })
  organisationId: string;

  /** 1, 2, … per service */
  @Field(() => Int)
  @ApiProperty({ minimum: 1, maximum: 2147483647 })
  number: number;

  @Field(() => WorkflowDefinitionState)
  @ApiProperty({ enum: WorkflowDefinitionState, enumName: 'WorkflowDefinitionState' })
  state: WorkflowDefinitionState;

  @Field(() => JsonObjectScalar)
  @ApiProperty(SPEC_DOC)
  spec: WorkflowSpec;

  @Field(() => ID, { nullable: true })
  @ApiProperty({ type: 'string', format: 'uuid', nullable: true })
  createdBy: string | null;

  @Field(() => DateTimeScalar, { nullable: true })
  @ApiProperty({ type: 'string', format: 'date-time', nullable: true })
  activatedAt: string | null;

  @Field(() => DateTimeScalar)
  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  /** the ETag's number; send it back as If-Match (REST) or expectedVersion (GraphQL) */
  @Field(() => Int)
  @ApiProperty({ minimum: 1, maximum: 2147483647 })
  version: number;
}

export class WorkflowDefinitionPageDto {
  @ApiProperty({ type: [WorkflowDefinitionDto], maxItems: 100 })
  items: WorkflowDefinitionDto[];

  @ApiProperty({ type: 'string', nullable: true, maxLength: 512 })
  nextCursor: string | null;
}

@ArgsType()
export class WorkflowDefinitionsArgs extends ConnectionArgs {
  @Field(() => ID)
  @IsUUID()
  serviceId: string;
}
