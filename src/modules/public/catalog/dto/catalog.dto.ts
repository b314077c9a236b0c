import { Field, Float, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsEnum,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { PageQuery } from '../../../../api/http/pagination';
import { IdentityAssurance } from '../../../platform/identity/identity-assurance';
import { ServiceStatus, ServiceTarget, ServiceType, ServiceVersionState } from '../service.entity';

export enum TimeUnit {
  WorkingDays = 'working_days',
  NaturalDays = 'natural_days',
  Hours = 'hours',
}

/** 即办 (handled on the spot) or 承诺 (handled within a promised time). */
export enum HandlingType {
  Immediate = 'immediate',
  Promised = 'promised',
}

export enum MaterialForm {
  Paper = 'paper',
  Electronic = 'electronic',
  Both = 'both',
}

// The guide is also a GraphQL object (ServiceGuide.guide), field for field the REST GuideDto.
registerEnumType(TimeUnit, { name: 'TimeUnit' });
registerEnumType(HandlingType, { name: 'HandlingType', description: '即办 (immediate) or 承诺 (promised)' });
registerEnumType(MaterialForm, { name: 'MaterialForm' });

@ObjectType('GuideTimeLimit')
export class TimeLimitDto {
  @Field(() => Int)
  @ApiProperty({ minimum: 0, maximum: 3650 })
  @IsInt()
  @Min(0)
  @Max(3650)
  amount: number;

  @Field(() => TimeUnit)
  @ApiProperty({ enum: TimeUnit, enumName: 'TimeUnit' })
  @IsEnum(TimeUnit)
  unit: TimeUnit;
}

/** 申报材料 */
@ObjectType('GuideMaterial')
export class MaterialDto {
  @Field()
  @ApiProperty({ maxLength: 200 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name: string;

  /** 来源: e.g. 申请人自备, 政府部门核发 */
  @Field({ description: '来源, e.g. 申请人自备' })
  @ApiProperty({ maxLength: 200 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  source: string;

  @Field(() => Int)
  @ApiProperty({ minimum: 0, maximum: 100 })
  @IsInt()
  @Min(0)
  @Max(100)
  copies: number;

  @Field(() => MaterialForm)
  @ApiProperty({ enum: MaterialForm, enumName: 'MaterialForm' })
  @IsEnum(MaterialForm)
  form: MaterialForm;

  @Field()
  @ApiProperty()
  @IsBoolean()
  required: boolean;

  /** 空表 */
  @Field(() => ID, { nullable: true, description: '空表 (a file id)' })
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  templateFileId?: string;

  /** 样表 */
  @Field(() => ID, { nullable: true, description: '样表 (a file id)' })
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  sampleFileId?: string;
}

@ObjectType('GuideFee')
export class FeeDto {
  @Field()
  @ApiProperty({ maxLength: 200 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name: string;

  /** in yuan */
  @Field(() => Float, { description: 'in yuan' })
  @ApiProperty({ minimum: 0, maximum: 100000000 })
  @Min(0)
  @Max(100000000)
  @IsNumber({ maxDecimalPlaces: 2, allowNaN: false, allowInfinity: false })
  amount: number;

  /** 收费依据 */
  @Field({ description: '收费依据' })
  @ApiProperty({ maxLength: 500 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(500)
  basis: string;
}

@ObjectType('GuidePlace')
export class PlaceDto {
  @Field()
  @ApiProperty({ maxLength: 200 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name: string;

  @Field()
  @ApiProperty({ maxLength: 300 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(300)
  address: string;

  @Field()
  @ApiProperty({ maxLength: 300 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(300)
  hours: string;
}

@ObjectType('GuideFaq')
export class FaqDto {
  @Field()
  @ApiProperty({ maxLength: 500 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(500)
  q: string;

  @Field()
  @ApiProperty({ maxLength: 4000 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(4000)
  a: string;
}

const PHONE = /^[0-9+()\- ]{3,30}$/;
const TAG = /^[\p{L}\p{N}_-]{1,50}$/u;

/** The 办事指南 fields (g2c.md §3). Texts are in Chinese; `translations.en` overrides title, summary and conditions. */
@ObjectType('Guide')
export class GuideDto {
  /** 设定依据 */
  @Field({ description: '设定依据' })
  @ApiProperty({ maxLength: 4000 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(4000)
  legalBasis: string;

  /** 申请(受理)条件 */
  @Field({ description: '申请(受理)条件' })
  @ApiProperty({ maxLength: 4000 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(4000)
  conditions: string;

  @Field(() => [MaterialDto])
  @ApiProperty({ type: [MaterialDto], maxItems: 100 })
  @IsArray()
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => MaterialDto)
  materials: MaterialDto[];

  /** 法定办结时限 */
  @Field(() => TimeLimitDto, { description: '法定办结时限' })
  @ApiProperty({ type: TimeLimitDto })
  @IsObject()
  @ValidateNested()
  @Type(() => TimeLimitDto)
  legalLimit: TimeLimitDto;

  /** 承诺办结时限 (required for promised items) */
  @Field(() => TimeLimitDto, { nullable: true, description: '承诺办结时限' })
  @ApiPropertyOptional({ type: TimeLimitDto })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => TimeLimitDto)
  promisedLimit?: TimeLimitDto;

  @Field(() => HandlingType)
  @ApiProperty({ enum: HandlingType, enumName: 'HandlingType' })
  @IsEnum(HandlingType)
  handlingType: HandlingType;

  /** 到现场次数 (0 = 一趟不用跑, 1 = 最多跑一次) */
  @Field(() => Int, { description: '到现场次数 (0 = 一趟不用跑)' })
  @ApiProperty({ minimum: 0, maximum: 10 })
  @IsInt()
  @Min(0)
  @Max(10)
  visitsRequired: number;

  @Field(() => [FeeDto])
  @ApiProperty({ type: [FeeDto], maxItems: 50 })
  @IsArray()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => FeeDto)
  fees: FeeDto[];

  /** 网办深度 1-4 */
  @Field(() => Int, { description: '网办深度 1-4' })
  @ApiProperty({ minimum: 1, maximum: 4 })
  @IsInt()
  @Min(1)
  @Max(4)
  onlineDepth: number;

  @Field(() => [PlaceDto])
  @ApiProperty({ type: [PlaceDto], maxItems: 50 })
  @IsArray()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => PlaceDto)
  places: PlaceDto[];

  /** 办理流程 */
  @Field(() => [String], { description: '办理流程' })
  @ApiProperty({ type: [String], maxItems: 30 })
  @IsArray()
  @ArrayMaxSize(30)
  @IsString({ each: true })
  @MaxLength(500, { each: true })
  steps: string[];

  @Field(() => [FaqDto])
  @ApiProperty({ type: [FaqDto], maxItems: 100 })
  @IsArray()
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => FaqDto)
  faq: FaqDto[];

  @Field()
  @ApiProperty({ maxLength: 30, pattern: PHONE.source })
  @Matches(PHONE)
  consultPhone: string;

  @Field()
  @ApiProperty({ maxLength: 30, pattern: PHONE.source })
  @Matches(PHONE)
  supervisionPhone: string;

  @Field(() => [String])
  @ApiProperty({ type: [String], maxItems: 20 })
  @IsArray()
  @ArrayMaxSize(20)
  @Matches(TAG, { each: true })
  lifeEvents: string[];

  @Field(() => [String])
  @ApiProperty({ type: [String], maxItems: 20 })
  @IsArray()
  @ArrayMaxSize(20)
  @Matches(TAG, { each: true })
  topics: string[];
}

export class LocalizedTextDto {
  @ApiProperty({ maxLength: 200 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  title: string;

  @ApiPropertyOptional({ maxLength: 2000 })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  summary?: string;

  @ApiPropertyOptional({ maxLength: 4000 })
  @IsOptional()
  @IsString()
  @MaxLength(4000)
  conditions?: string;
}

export class TranslationsDto {
  @ApiProperty({ type: LocalizedTextDto })
  @IsObject()
  @ValidateNested()
  @Type(() => LocalizedTextDto)
  'zh-CN': LocalizedTextDto;

  @ApiPropertyOptional({ type: LocalizedTextDto })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => LocalizedTextDto)
  en?: LocalizedTextDto;
}

/** 简版/长辈版指南 (适老化): a plain summary and at most five short steps. */
export class ElderGuideDto {
  @ApiProperty({ maxLength: 300 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(300)
  summary: string;

  @ApiProperty({ type: [String], minItems: 1, maxItems: 5 })
  @IsArray()
  @ArrayMaxSize(5)
  @IsString({ each: true })
  @IsNotEmpty({ each: true })
  @MaxLength(60, { each: true })
  steps: string[];
}

/** Everything a version holds. `form` is a JSON Schema (2020-12 subset, `x-ui` hints, `x-personal` marks) checked with ajv on save. */
export class ServiceContentDto {
  @ApiProperty({ type: GuideDto })
  @IsObject()
  @ValidateNested()
  @Type(() => GuideDto)
  guide: GuideDto;

  @ApiProperty({ type: TranslationsDto })
  @IsObject()
  @ValidateNested()
  @Type(() => TranslationsDto)
  translations: TranslationsDto;

  @ApiProperty({ type: ElderGuideDto })
  @IsObject()
  @ValidateNested()
  @Type(() => ElderGuideDto)
  elder: ElderGuideDto;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description:
      'JSON Schema (draft 2020-12) of the application form. `x-ui` gives rendering hints; `x-personal` ' +
      '(nationalId, phone, email, address, name) on a top-level property marks personal data: stored ' +
      'only encrypted, masked for staff, never copied into cases or licences. `x-identity` (realName, ' +
      "nationalId) on a top-level property marked `x-personal` name / nationalId binds it to the applicant's " +
      'verified identity: prefilled and locked for verified accounts.',
  })
  @IsObject()
  form: Record<string, unknown>;

  /**
   * The identity assurance an applicant needs to submit (default none): `real_name` admits only
   * accounts whose real name and ID number the national eID or a counter clerk vouched for.
   */
  @ApiPropertyOptional({
    enum: IdentityAssurance,
    enumName: 'IdentityAssurance',
    default: IdentityAssurance.None,
    description:
      'identity assurance needed to submit: none, or real_name (verified through the national eID or at a counter)',
  })
  @IsOptional()
  @IsEnum(IdentityAssurance)
  requiredAssurance?: IdentityAssurance;
}

export class CreateServiceDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  organisationId: string;

  /** 实施编码 */
  @ApiProperty({ maxLength: 64, pattern: '^[A-Za-z0-9-]{4,64}$' })
  @Matches(/^[A-Za-z0-9-]{4,64}$/)
  implementationCode: string;

  @ApiProperty({ enum: ServiceType, enumName: 'ServiceType' })
  @IsEnum(ServiceType)
  type: ServiceType;

  @ApiProperty({ enum: ServiceTarget, enumName: 'ServiceTarget' })
  @IsEnum(ServiceTarget)
  target: ServiceTarget;

  @ApiProperty({ type: ServiceContentDto })
  @IsObject()
  @ValidateNested()
  @Type(() => ServiceContentDto)
  draft: ServiceContentDto;
}

export class ServiceVersionDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty()
  number: number;

  @ApiProperty({ enum: ServiceVersionState, enumName: 'ServiceVersionState' })
  state: ServiceVersionState;

  @ApiProperty({ type: ServiceContentDto })
  content: ServiceContentDto;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  publishedAt: string | null;
}

/** The staff view of a service: its lifecycle, the open draft and the published version. */
export class ServiceAdminDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ format: 'uuid' })
  organisationId: string;

  @ApiProperty()
  implementationCode: string;

  @ApiProperty({ enum: ServiceType, enumName: 'ServiceType' })
  type: ServiceType;

  @ApiProperty({ enum: ServiceTarget, enumName: 'ServiceTarget' })
  target: ServiceTarget;

  @ApiProperty({ enum: ServiceStatus, enumName: 'ServiceStatus' })
  status: ServiceStatus;

  /** the identity assurance in force (the published version's; none before the first publication) */
  @ApiProperty({ enum: IdentityAssurance, enumName: 'IdentityAssurance' })
  requiredAssurance: IdentityAssurance;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  currentPublishedVersionId: string | null;

  @ApiProperty({ type: ServiceVersionDto, nullable: true })
  draft: ServiceVersionDto | null;

  @ApiProperty({ type: ServiceVersionDto, nullable: true })
  published: ServiceVersionDto | null;

  /** the ETag / If-Match version */
  @ApiProperty()
  version: number;
}

export class ServiceQueryDto extends PageQuery {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  organisationId?: string;

  /** region code prefix (e.g. 4403 for 深圳市): services of that region and below */
  @ApiPropertyOptional({ pattern: '^\\d{2,12}$' })
  @IsOptional()
  @Matches(/^\d{2,12}$/)
  region?: string;

  @ApiPropertyOptional({ enum: ServiceType, enumName: 'ServiceType' })
  @IsOptional()
  @IsEnum(ServiceType)
  type?: ServiceType;

  /** person or business also matches services for both */
  @ApiPropertyOptional({ enum: ServiceTarget, enumName: 'ServiceTarget' })
  @IsOptional()
  @IsEnum(ServiceTarget)
  target?: ServiceTarget;

  @ApiPropertyOptional({ maxLength: 50 })
  @IsOptional()
  @Matches(TAG)
  lifeEvent?: string;

  @ApiPropertyOptional({ maxLength: 50 })
  @IsOptional()
  @Matches(TAG)
  topic?: string;
}

export class GuideQueryDto {
  /** `elder` returns the simplified variant (same as `Prefer: return=elder`) */
  @ApiPropertyOptional({ enum: ['standard', 'elder'] })
  @IsOptional()
  @IsIn(['standard', 'elder'])
  mode?: 'standard' | 'elder';
}

export class ServiceSummaryDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty()
  implementationCode: string;

  @ApiProperty()
  title: string;

  @ApiProperty({ enum: ServiceType, enumName: 'ServiceType' })
  type: ServiceType;

  @ApiProperty({ enum: ServiceTarget, enumName: 'ServiceTarget' })
  target: ServiceTarget;

  @ApiProperty({ format: 'uuid' })
  organisationId: string;

  @ApiProperty()
  regionCode: string;

  @ApiProperty({ type: [String] })
  lifeEvents: string[];

  @ApiProperty({ type: [String] })
  topics: string[];

  /** real_name: sign in with the national eID (or be verified at a counter) before applying */
  @ApiProperty({ enum: IdentityAssurance, enumName: 'IdentityAssurance' })
  requiredAssurance: IdentityAssurance;

  @ApiProperty({ format: 'date-time' })
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

export class ServiceSearchHitDto extends ServiceSummaryDto {
  /** matched terms, title matches counted three times */
  @ApiProperty()
  score: number;
}

export class ServiceSearchResultDto {
  @ApiProperty({ type: [ServiceSearchHitDto] })
  items: ServiceSearchHitDto[];
}
