import { Field, Float, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsEnum,
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
import { IdentityAssurance } from '../../../platform/identity/identity-assurance';

// What one guide version holds (ServiceContentDto): the guide, its translations, the elder variant
// and the application form. Staff write it (REST bodies); the public reads parts of it.

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
/** A life event or topic tag. */
export const TAG = /^[\p{L}\p{N}_-]{1,50}$/u;

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
