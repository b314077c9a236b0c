import { Field, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsDefined,
  IsEnum,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  MaxLength,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { JsonObjectScalar } from '../../../../api/graphql/scalars';
import { PageQuery } from '../../../../api/http/pagination';
import { PLAIN_TEXT } from '../../../platform/identity/auth/dto/validators';
import { ApplicationStatus } from '../application.entity';
import { DateTimeScalar } from '../../../../api/graphql/scalars';

registerEnumType(ApplicationStatus, {
  name: 'ApplicationStatus',
  description: 'the applicant-side status of an application',
});

const FORM_DATA_SCHEMA = {
  type: 'object' as const,
  maxProperties: 200,
  additionalProperties: true,
  description: 'the application form data, checked against the service form (JSON Schema) on submit',
};

// ---- inputs ----

/** `unmask=idNumber,phone` or `unmask=idNumber&unmask=phone` → ['idNumber', 'phone'] */
const toList = ({ value }: { value: unknown }): unknown => {
  if (typeof value === 'string') return value.split(',').map((s) => s.trim());
  if (Array.isArray(value) && value.every((v) => typeof v === 'string'))
    return value.flatMap((v: string) => v.split(',').map((s) => s.trim()));
  return value;
};

/** Staff reading an application: personal form fields (x-personal) in clear, each audited. */
export class ApplicationReadQueryDto {
  /** personal form fields to show in clear (their keys); needs personal-data:unmask and a reason */
  @ApiPropertyOptional({ type: 'string', maxLength: 2000, example: 'idNumber,phone' })
  @IsOptional()
  @Transform(toList)
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(20)
  @ArrayUnique()
  @IsString({ each: true })
  @MaxLength(100, { each: true })
  unmask?: string[];

  /** required with unmask; shown to the applicant in GET /v1/me/data-access */
  @ApiPropertyOptional({ minLength: 5, maxLength: 200 })
  @ValidateIf((o: ApplicationReadQueryDto) => o.unmask !== undefined || o.reason !== undefined)
  @IsDefined()
  @IsString()
  @Length(5, 200)
  @Matches(PLAIN_TEXT)
  reason?: string;
}

export class CreateApplicationDto {
  @ApiProperty({ format: 'uuid', description: 'a published catalogue service' })
  @IsUUID()
  serviceId: string;

  @ApiPropertyOptional(FORM_DATA_SCHEMA)
  @IsOptional()
  @IsObject()
  formData?: Record<string, unknown>;

  /** apply for this business: the caller's own business account, or one the caller represents (授权经办人) */
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  businessAccountId?: string;
}

export class UpdateApplicationDto {
  @ApiProperty(FORM_DATA_SCHEMA)
  @IsObject()
  formData: Record<string, unknown>;
}

export class AttachmentInputDto {
  /** an uploaded file of the caller's (POST /v1/files) not attached anywhere yet */
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  fileId: string;

  /** the name of one of the service guide's materials */
  @ApiProperty({ maxLength: 200, example: '身份证' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  material: string;
}

export class SupplementAnswerDto {
  /** corrected or added fields (merged into the form data; the whole form is checked again) */
  @ApiPropertyOptional(FORM_DATA_SCHEMA)
  @IsOptional()
  @IsObject()
  formData?: Record<string, unknown>;

  /** files for the materials the notice lists (besides any attached while answering) */
  @ApiPropertyOptional({ type: [AttachmentInputDto], maxItems: 50 })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => AttachmentInputDto)
  attachments?: AttachmentInputDto[];
}

export class WithdrawApplicationDto {
  @ApiPropertyOptional({ maxLength: 500 })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  reason?: string;
}

export class ApplicationQueryDto extends PageQuery {
  @ApiPropertyOptional({ enum: ApplicationStatus, enumName: 'ApplicationStatus' })
  @IsOptional()
  @IsEnum(ApplicationStatus)
  status?: ApplicationStatus;
}

// ---- outputs ----

@ObjectType('ApplicationAttachment')
export class ApplicationAttachmentDto {
  @Field(() => ID)
  @ApiProperty({ format: 'uuid' })
  id: string;

  @Field()
  @ApiProperty({ maxLength: 200 })
  material: string;

  @Field(() => ID)
  @ApiProperty({ format: 'uuid' })
  fileId: string;

  @Field()
  @ApiProperty({ maxLength: 255 })
  name: string;

  @Field()
  @ApiProperty({ maxLength: 100 })
  contentType: string;

  @Field(() => Int)
  @ApiProperty({ minimum: 0 })
  size: number;

  @Field()
  @ApiProperty({ maxLength: 64 })
  sha256: string;

  @Field({ description: 'application (with the draft) or supplement (answering a 补正 notice)' })
  @ApiProperty({ enum: ['application', 'supplement'] })
  phase: string;

  @Field(() => DateTimeScalar)
  @ApiProperty({ format: 'date-time' })
  createdAt: string;
}

@ObjectType('ApplicationSupplementItem')
export class ApplicationSupplementItemDto {
  @Field(() => String, { nullable: true, description: 'a material of the guide to hand in again' })
  @ApiPropertyOptional({ type: 'string', nullable: true })
  material: string | null;

  @Field(() => String, { nullable: true, description: 'a form field to correct' })
  @ApiPropertyOptional({ type: 'string', nullable: true })
  field: string | null;

  @Field()
  @ApiProperty()
  description: string;
}

@ObjectType('ApplicationSupplement', { description: '一次性告知: everything to supplement, at once' })
export class ApplicationSupplementDto {
  @Field(() => [ApplicationSupplementItemDto])
  @ApiProperty({ type: [ApplicationSupplementItemDto] })
  items: ApplicationSupplementItemDto[];

  @Field(() => String, { nullable: true })
  @ApiPropertyOptional({ type: 'string', nullable: true })
  reason: string | null;

  @Field(() => DateTimeScalar)
  @ApiProperty({ format: 'date-time' })
  requestedAt: string;

  @Field(() => DateTimeScalar, { nullable: true })
  @ApiPropertyOptional({ type: 'string', format: 'date-time', nullable: true })
  answeredAt: string | null;
}

@ObjectType('ApplicationLicence', { description: 'the e-licence issued as the result' })
export class ApplicationLicenceDto {
  @Field(() => ID)
  @ApiProperty({ format: 'uuid' })
  id: string;

  @Field()
  @ApiProperty({ description: 'where anyone can check the licence' })
  verificationUrl: string;
}

@ObjectType('Application')
export class ApplicationDto {
  @Field(() => ID)
  @ApiProperty({ format: 'uuid' })
  id: string;

  @Field(() => String, { nullable: true, description: '申请编号, once submitted' })
  @ApiPropertyOptional({ type: 'string', nullable: true })
  number: string | null;

  @Field(() => ID)
  @ApiProperty({ format: 'uuid' })
  serviceId: string;

  @Field(() => ID)
  @ApiProperty({ format: 'uuid' })
  serviceVersionId: string;

  @Field({ description: 'the service title in the caller language' })
  @ApiProperty()
  serviceTitle: string;

  @Field(() => ID)
  @ApiProperty({ format: 'uuid' })
  organisationId: string;

  @Field()
  @ApiProperty()
  regionCode: string;

  @Field(() => ID)
  @ApiProperty({ format: 'uuid' })
  applicantAccountId: string;

  @Field(() => ID, { nullable: true })
  @ApiPropertyOptional({ type: 'string', format: 'uuid', nullable: true })
  businessAccountId: string | null;

  @Field(() => ApplicationStatus)
  @ApiProperty({ enum: ApplicationStatus, enumName: 'ApplicationStatus' })
  status: ApplicationStatus;

  @Field(() => JsonObjectScalar, { description: 'the form data (personal fields masked for staff)' })
  @ApiProperty(FORM_DATA_SCHEMA)
  formData: Record<string, unknown>;

  @Field(() => DateTimeScalar, { nullable: true })
  @ApiPropertyOptional({ type: 'string', format: 'date-time', nullable: true })
  submittedAt: string | null;

  @Field(() => DateTimeScalar, { nullable: true, description: '承诺办结时间' })
  @ApiPropertyOptional({ type: 'string', format: 'date-time', nullable: true })
  promisedDueAt: string | null;

  @Field({ description: 'the due date runs into a year whose holidays are not published yet' })
  @ApiProperty()
  dueProvisional: boolean;

  @Field(() => ApplicationSupplementDto, { nullable: true })
  @ApiPropertyOptional({ type: ApplicationSupplementDto, nullable: true })
  supplement: ApplicationSupplementDto | null;

  @Field(() => String, { nullable: true, description: 'approved | denied | refused' })
  @ApiPropertyOptional({ type: 'string', enum: ['approved', 'denied', 'refused'], nullable: true })
  decision: string | null;

  @Field(() => String, { nullable: true })
  @ApiPropertyOptional({ type: 'string', nullable: true })
  decisionReason: string | null;

  @Field(() => ApplicationLicenceDto, { nullable: true })
  @ApiPropertyOptional({ type: ApplicationLicenceDto, nullable: true })
  licence: ApplicationLicenceDto | null;

  @Field(() => DateTimeScalar, { nullable: true })
  @ApiPropertyOptional({ type: 'string', format: 'date-time', nullable: true })
  withdrawnAt: string | null;

  @Field(() => [ApplicationAttachmentDto])
  @ApiProperty({ type: [ApplicationAttachmentDto] })
  attachments: ApplicationAttachmentDto[];

  @Field(() => DateTimeScalar)
  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @Field(() => DateTimeScalar)
  @ApiProperty({ format: 'date-time' })
  updatedAt: string;

  @Field(() => Int, { description: 'for If-Match' })
  @ApiProperty()
  version: number;
}

export class ApplicationPageDto {
  @ApiProperty({ type: [ApplicationDto] })
  items: ApplicationDto[];

  @ApiPropertyOptional({ type: 'string', nullable: true })
  nextCursor: string | null;
}

@ObjectType('ApplicationTimelineEntry')
export class ApplicationTimelineEntryDto {
  @Field(() => DateTimeScalar)
  @ApiProperty({ format: 'date-time' })
  at: string;

  @Field({
    description: 'created, submitted, or the engine effect (accept, request_supplement, decide, ...)',
  })
  @ApiProperty()
  kind: string;

  @Field({ description: 'plain text in the caller language' })
  @ApiProperty()
  title: string;

  @Field(() => String, { nullable: true, description: 'the reason given to the applicant, if any' })
  @ApiPropertyOptional({ type: 'string', nullable: true })
  detail: string | null;

  @Field(() => [ApplicationSupplementItemDto], { nullable: true })
  @ApiPropertyOptional({ type: [ApplicationSupplementItemDto], nullable: true })
  items: ApplicationSupplementItemDto[] | null;

  @Field(() => String, { nullable: true, description: 'decide: approved | denied' })
  @ApiPropertyOptional({ type: 'string', nullable: true })
  decision: string | null;

  @Field(() => Int, { nullable: true, description: 'extension: the amount in the case clock unit' })
  @ApiPropertyOptional({ type: 'integer', nullable: true })
  amount: number | null;

  @Field(() => ApplicationLicenceDto, { nullable: true })
  @ApiPropertyOptional({ type: ApplicationLicenceDto, nullable: true })
  licence: ApplicationLicenceDto | null;
}
