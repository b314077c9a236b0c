import { ArgsType, Field, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional, IntersectionType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsEnum,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { DateTimeScalar } from '../../../../api/graphql/scalars';
import { PageQuery } from '../../../../api/http/pagination';
import { IdentityAssurance } from '../../../platform/identity/identity-assurance.graphql';
import { ServiceTarget, ServiceType } from '../service-kinds';
import { GuideDto, TAG } from './service-content.dto';

// The public side of the catalogue: list filters, summaries, guides, search, form pre-validation.
// Classes used by both transports carry both decorators (comments are the REST descriptions).

registerEnumType(ServiceType, { name: 'ServiceType' });
registerEnumType(ServiceTarget, { name: 'ServiceTarget' });

// The guide content moved to service-content.dto.ts; re-exported for the entity, demo data and tests.
export {
  ElderGuideDto,
  FaqDto,
  FeeDto,
  GuideDto,
  HandlingType,
  LocalizedTextDto,
  MaterialDto,
  MaterialForm,
  PlaceDto,
  ServiceContentDto,
  TimeLimitDto,
  TimeUnit,
  TranslationsDto,
} from './service-content.dto';

/** Filters of the published list, for both transports: GET /v1/services and `services(...)`. */
@ArgsType()
export class ServiceFilters {
  @ApiPropertyOptional({ format: 'uuid' })
  @Field(() => ID, { nullable: true })
  @IsOptional()
  @IsUUID()
  organisationId?: string;

  /** region code prefix (e.g. 4403 for 深圳市): services of that region and below */
  @ApiPropertyOptional({ pattern: '^\\d{2,12}$' })
  @Field(() => String, { nullable: true, description: 'region code prefix' })
  @IsOptional()
  @Matches(/^\d{2,12}$/)
  region?: string;

  @ApiPropertyOptional({ enum: ServiceType, enumName: 'ServiceType' })
  @Field(() => ServiceType, { nullable: true })
  @IsOptional()
  @IsEnum(ServiceType)
  type?: ServiceType;

  /** person or business also matches services for both */
  @ApiPropertyOptional({ enum: ServiceTarget, enumName: 'ServiceTarget' })
  @Field(() => ServiceTarget, { nullable: true })
  @IsOptional()
  @IsEnum(ServiceTarget)
  target?: ServiceTarget;

  @ApiPropertyOptional({ maxLength: 50 })
  @Field(() => String, { nullable: true })
  @IsOptional()
  @Matches(TAG)
  lifeEvent?: string;

  @ApiPropertyOptional({ maxLength: 50 })
  @Field(() => String, { nullable: true })
  @IsOptional()
  @Matches(TAG)
  topic?: string;
}

export class ServiceQueryDto extends IntersectionType(PageQuery, ServiceFilters) {}

export class GuideQueryDto {
  /** `elder` returns the simplified variant (same as `Prefer: return=elder`) */
  @ApiPropertyOptional({ enum: ['standard', 'elder'] })
  @IsOptional()
  @IsIn(['standard', 'elder'])
  mode?: 'standard' | 'elder';
}

@ObjectType('ServiceSummary', { description: 'A published catalogue item (办事事项), as listed.' })
export class ServiceSummaryDto {
  @ApiProperty({ format: 'uuid' })
  @Field(() => ID)
  id: string;

  @ApiProperty()
  @Field({ description: '实施编码' })
  implementationCode: string;

  @ApiProperty()
  @Field()
  title: string;

  @ApiProperty({ enum: ServiceType, enumName: 'ServiceType' })
  @Field(() => ServiceType)
  type: ServiceType;

  @ApiProperty({ enum: ServiceTarget, enumName: 'ServiceTarget' })
  @Field(() => ServiceTarget)
  target: ServiceTarget;

  @ApiProperty({ format: 'uuid' })
  @Field(() => ID)
  organisationId: string;

  @ApiProperty()
  @Field()
  regionCode: string;

  @ApiProperty({ type: [String] })
  @Field(() => [String])
  lifeEvents: string[];

  @ApiProperty({ type: [String] })
  @Field(() => [String])
  topics: string[];

  /** real_name: sign in with the national eID (or be verified at a counter) before applying */
  @ApiProperty({ enum: IdentityAssurance, enumName: 'IdentityAssurance' })
  @Field(() => IdentityAssurance, {
    description: 'real_name: sign in with the national eID (or be verified at a counter) before submitting',
  })
  requiredAssurance: IdentityAssurance;

  @ApiProperty({ format: 'date-time' })
  @Field(() => DateTimeScalar)
  publishedAt: string;
}

export class ServicePageDto {
  @ApiProperty({ type: [ServiceSummaryDto] })
  items: ServiceSummaryDto[];

  @ApiProperty({ type: String, nullable: true })
  nextCursor: string | null;
}

/** The published guide in the caller's language. */
export class PublicGuideDto {
  @ApiProperty({ enum: ['standard'] })
  mode: 'standard';

  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty()
  implementationCode: string;

  @ApiProperty({ enum: ServiceType, enumName: 'ServiceType' })
  type: ServiceType;

  @ApiProperty({ enum: ServiceTarget, enumName: 'ServiceTarget' })
  target: ServiceTarget;

  @ApiProperty({ format: 'uuid' })
  organisationId: string;

  @ApiProperty()
  language: string;

  @ApiProperty()
  versionNumber: number;

  @ApiProperty({ format: 'date-time' })
  publishedAt: string;

  @ApiProperty()
  title: string;

  @ApiProperty({ type: String, nullable: true })
  summary: string | null;

  /** real_name: the applicant must sign in with the national eID (or be verified at a counter) to submit */
  @ApiProperty({ enum: IdentityAssurance, enumName: 'IdentityAssurance' })
  requiredAssurance: IdentityAssurance;

  @ApiProperty({ type: GuideDto })
  guide: GuideDto;

  @ApiProperty({ type: 'object', additionalProperties: true })
  form: Record<string, unknown>;
}

/** 长辈版: plain fields, short enough to be read aloud. */
export class ElderPublicGuideDto {
  @ApiProperty({ enum: ['elder'] })
  mode: 'elder';

  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty()
  language: string;

  @ApiProperty()
  versionNumber: number;

  @ApiProperty()
  title: string;

  @ApiProperty()
  summary: string;

  @ApiProperty({ type: [String], maxItems: 5 })
  steps: string[];

  /** real_name: the applicant must sign in with the national eID (or be verified at a counter) to submit */
  @ApiProperty({ enum: IdentityAssurance, enumName: 'IdentityAssurance' })
  requiredAssurance: IdentityAssurance;

  /** material names only */
  @ApiProperty({ type: [String] })
  materials: string[];

  /** e.g. "承诺 5 个工作日内办结" */
  @ApiProperty()
  timeLimit: string;

  /** e.g. "最多跑 1 次" */
  @ApiProperty()
  visits: string;

  /** e.g. "不收费" */
  @ApiProperty()
  fees: string;

  @ApiProperty({ type: [String] })
  places: string[];

  @ApiProperty()
  consultPhone: string;
}

export class FormValidationErrorDto {
  @ApiProperty({ description: 'JSON pointer into the submitted data' })
  pointer: string;

  @ApiProperty({
    description: 'the rule that failed: form.<keyword>, e.g. form.required, form.pattern, form.minLength',
    example: 'form.required',
  })
  code: string;

  @ApiProperty({ description: "what is wrong, for the citizen, in the caller's language" })
  message: string;
}

export class FormValidationResultDto {
  @ApiProperty()
  valid: boolean;

  @ApiProperty({ type: [FormValidationErrorDto] })
  errors: FormValidationErrorDto[];
}

export class FormDataDto {
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'the form data to check' })
  @IsObject()
  data: Record<string, unknown>;
}

export class ServiceSearchQueryDto {
  @ApiProperty({ minLength: 1, maxLength: 100, description: 'words to look for (Chinese or English)' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  q: string;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 50, default: 20 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(50)
  limit?: number;
}

@ObjectType('ServiceSearchHit', { description: 'A published service matching a search, with its score.' })
export class ServiceSearchHitDto extends ServiceSummaryDto {
  /** matched terms, title matches counted three times */
  @ApiProperty()
  @Field(() => Int, { description: 'matched terms, title matches counted three times' })
  score: number;
}

export class ServiceSearchResultDto {
  @ApiProperty({ type: [ServiceSearchHitDto] })
  items: ServiceSearchHitDto[];
}
