import { ArgsType, Field, ID, InputType, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEnum, IsIn, IsOptional, IsString, IsUUID, Matches, MaxLength, MinLength } from 'class-validator';
import { DateTimeScalar } from '../../../../api/graphql/scalars';
import { ConnectionArgs } from '../../../../api/graphql/connection';
import { PageQuery } from '../../../../api/http/pagination';
import { ApiExactlyOneOf } from '../../../../api/http/openapi-conventions';
import { ConsultationStatus, MessageKind } from '../consultation.entity';

registerEnumType(ConsultationStatus, { name: 'ConsultationStatus' });
registerEnumType(MessageKind, { name: 'ConsultationMessageKind' });

/** Text that is not blank, without control or format characters (line breaks allowed). */
const TEXT = /^(?=[\s\S]*\S)(?:[^\p{Cc}\p{Cf}]|\r?\n)*$/u;
const TEXT_MESSAGE = { message: 'must be text, not blank, without control characters' };

// ---------------------------------------------------------------- inputs

@InputType('AskConsultationInput')
@ApiExactlyOneOf('serviceId', 'organisationId')
export class AskConsultationDto {
  /** the service asked about (its unit answers); give it or organisationId */
  @Field(() => ID, { nullable: true, description: 'the service asked about; give it or organisationId' })
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  serviceId?: string;

  /** the unit asked (it answers) */
  @Field(() => ID, { nullable: true, description: 'the unit asked; give it or serviceId' })
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  organisationId?: string;

  @Field({ description: 'the question, 1–2000 characters' })
  @ApiProperty({ minLength: 1, maxLength: 2000 })
  @IsString()
  @MinLength(1)
  @MaxLength(2000)
  @Matches(TEXT, TEXT_MESSAGE)
  question: string;
}

@InputType('ConsultationFollowUpInput')
export class FollowUpDto {
  @Field({ description: 'the follow-up question, 1–2000 characters' })
  @ApiProperty({ minLength: 1, maxLength: 2000 })
  @IsString()
  @MinLength(1)
  @MaxLength(2000)
  @Matches(TEXT, TEXT_MESSAGE)
  question: string;
}

@InputType('AnswerConsultationInput')
@ApiExactlyOneOf('text', 'templateId')
export class AnswerConsultationDto {
  @Field({ nullable: true, description: 'the answer (public to the asker), 1–1000 characters' })
  @ApiPropertyOptional({ minLength: 1, maxLength: 1000 })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(1000)
  @Matches(TEXT, TEXT_MESSAGE)
  text?: string;

  @Field(() => ID, { nullable: true, description: "one of the answering unit's templates, sent as it is" })
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  templateId?: string;
}

@InputType('TransferConsultationInput')
export class TransferConsultationDto {
  @Field(() => ID, { description: 'the competent unit (active, same region)' })
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  organisationId: string;

  @Field({ description: 'why it goes there (internal)' })
  @ApiProperty({ minLength: 1, maxLength: 1000 })
  @IsString()
  @MinLength(1)
  @MaxLength(1000)
  @Matches(TEXT, TEXT_MESSAGE)
  reason: string;
}

@InputType('ConsultationTemplateContentInput')
export class TemplateContentDto {
  @Field()
  @ApiProperty({ minLength: 1, maxLength: 200 })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  @Matches(TEXT, TEXT_MESSAGE)
  title: string;

  @Field({ description: 'the answer text, 1–1000 characters' })
  @ApiProperty({ minLength: 1, maxLength: 1000 })
  @IsString()
  @MinLength(1)
  @MaxLength(1000)
  @Matches(TEXT, TEXT_MESSAGE)
  body: string;
}

@InputType('CreateConsultationTemplateInput')
export class CreateTemplateDto extends TemplateContentDto {
  @Field(() => ID)
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  organisationId: string;
}

@InputType('PublishConsultationFaqInput')
export class PublishFaqDto {
  @Field({ description: "the question in public wording (staff's, never the asker's text)" })
  @ApiProperty({ minLength: 1, maxLength: 500 })
  @IsString()
  @MinLength(1)
  @MaxLength(500)
  @Matches(TEXT, TEXT_MESSAGE)
  question: string;

  @Field({ description: 'the answer in public wording' })
  @ApiProperty({ minLength: 1, maxLength: 4000 })
  @IsString()
  @MinLength(1)
  @MaxLength(4000)
  @Matches(TEXT, TEXT_MESSAGE)
  answer: string;

  @Field({ nullable: true, description: 'the guide language it shows in (default zh-CN)' })
  @ApiPropertyOptional({ enum: ['zh-CN', 'en'], default: 'zh-CN' })
  @IsOptional()
  @IsIn(['zh-CN', 'en'])
  language?: 'zh-CN' | 'en';
}

export class StaffConsultationQueryDto extends PageQuery {
  @ApiPropertyOptional({ enum: ConsultationStatus })
  @IsOptional()
  @IsEnum(ConsultationStatus)
  status?: ConsultationStatus;
}

export class TemplateQueryDto extends PageQuery {
  @ApiProperty({ format: 'uuid', description: 'the unit whose templates are listed' })
  @IsUUID()
  organisationId: string;
}

@ArgsType()
export class StaffConsultationArgs extends ConnectionArgs {
  @Field(() => ConsultationStatus, { nullable: true })
  @IsOptional()
  @IsEnum(ConsultationStatus)
  status?: ConsultationStatus;
}

@ArgsType()
export class TemplateArgs extends ConnectionArgs {
  @Field(() => ID)
  @IsUUID()
  organisationId: string;
}

// ---------------------------------------------------------------- outputs

@ObjectType('ConsultationMessage')
export class ConsultationMessageDto {
  @Field(() => Int)
  @ApiProperty()
  seq: number;

  @Field(() => MessageKind)
  @ApiProperty({ enum: MessageKind })
  kind: MessageKind;

  @Field()
  @ApiProperty()
  text: string;

  @Field(() => DateTimeScalar)
  @ApiProperty({ format: 'date-time' })
  createdAt: string;
}

@ObjectType('ConsultationFaq')
export class ConsultationFaqDto {
  @Field(() => ID)
  @ApiProperty({ format: 'uuid' })
  id: string;

  @Field(() => ID)
  @ApiProperty({ format: 'uuid' })
  serviceId: string;

  @Field()
  @ApiProperty({ enum: ['zh-CN', 'en'] })
  language: string;

  @Field()
  @ApiProperty()
  question: string;

  @Field()
  @ApiProperty()
  answer: string;

  @Field(() => DateTimeScalar)
  @ApiProperty({ format: 'date-time' })
  createdAt: string;
}

@ObjectType('ConsultationSummary')
export class ConsultationSummaryDto {
  @Field(() => ID)
  @ApiProperty({ format: 'uuid' })
  id: string;

  @Field()
  @ApiProperty({ example: 'ZX20261208123456' })
  number: string;

  @Field(() => ConsultationStatus)
  @ApiProperty({ enum: ConsultationStatus })
  status: ConsultationStatus;

  @Field(() => ID, { nullable: true })
  @ApiProperty({ format: 'uuid', nullable: true, type: 'string' })
  serviceId: string | null;

  @Field(() => ID, { description: 'the unit answering' })
  @ApiProperty({ format: 'uuid' })
  organisationId: string;

  @Field(() => Int)
  @ApiProperty()
  followUps: number;

  @Field(() => DateTimeScalar, { nullable: true })
  @ApiProperty({ format: 'date-time', nullable: true, type: 'string' })
  answeredAt: string | null;

  @Field(() => DateTimeScalar)
  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @Field(() => DateTimeScalar)
  @ApiProperty({ format: 'date-time' })
  updatedAt: string;
}

@ObjectType('Consultation')
export class ConsultationDto extends ConsultationSummaryDto {
  @Field({ description: "the service's title or the unit's name" })
  @ApiProperty()
  topic: string;

  @Field(() => Int, { description: 'follow-up questions still possible now' })
  @ApiProperty()
  followUpsLeft: number;

  @Field(() => ID, {
    nullable: true,
    description: 'staff only: the case of the question waiting for its answer',
  })
  @ApiProperty({ format: 'uuid', nullable: true, type: 'string' })
  openCaseId: string | null;

  @Field(() => [ConsultationMessageDto], { description: 'the thread, oldest first' })
  @ApiProperty({ type: [ConsultationMessageDto] })
  messages: ConsultationMessageDto[];

  @Field(() => ConsultationFaqDto, { nullable: true })
  @ApiProperty({ type: ConsultationFaqDto, nullable: true })
  faq: ConsultationFaqDto | null;

  @Field(() => Int)
  @ApiProperty()
  version: number;
}

export class ConsultationPageDto {
  @ApiProperty({ type: [ConsultationSummaryDto] })
  items: ConsultationSummaryDto[];

  @ApiPropertyOptional({ type: 'string', nullable: true })
  nextCursor: string | null;
}

@ObjectType('ConsultationTemplate')
export class ConsultationTemplateDto {
  @Field(() => ID)
  @ApiProperty({ format: 'uuid' })
  id: string;

  @Field(() => ID)
  @ApiProperty({ format: 'uuid' })
  organisationId: string;

  @Field()
  @ApiProperty()
  title: string;

  @Field()
  @ApiProperty()
  body: string;

  @Field(() => Int)
  @ApiProperty()
  version: number;

  @Field(() => DateTimeScalar)
  @ApiProperty({ format: 'date-time' })
  updatedAt: string;
}

export class ConsultationTemplatePageDto {
  @ApiProperty({ type: [ConsultationTemplateDto] })
  items: ConsultationTemplateDto[];

  @ApiPropertyOptional({ type: 'string', nullable: true })
  nextCursor: string | null;
}
