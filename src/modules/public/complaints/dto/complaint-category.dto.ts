import { Field, ID, InputType, Int } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
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
import { JsonObjectScalar } from '../../../../api/graphql/scalars';
import { CATEGORY_KINDS, type CategoryKind, URGENCIES } from '../complaint-rules';
import { CATEGORY_CODE_RE, REGION_RE } from './complaint-input.dto';

/** 办理时限 of a region (or everywhere) for a category or a kind and an urgency. */
@InputType('ComplaintTimeLimitInput')
export class ComplaintTimeLimitDto {
  @Field({ nullable: true })
  @ApiPropertyOptional({ pattern: REGION_RE.source, nullable: true })
  @IsOptional()
  @Matches(REGION_RE)
  regionCode?: string;

  @Field(() => String)
  @ApiProperty({ enum: URGENCIES })
  @IsIn(URGENCIES)
  urgency: (typeof URGENCIES)[number];

  @Field(() => Int)
  @ApiProperty({ minimum: 1, maximum: 3650 })
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(3650)
  amount: number;

  @Field(() => String)
  @ApiProperty({ enum: ['working_days', 'hours', 'natural_days'] })
  @IsIn(['working_days', 'hours', 'natural_days'])
  unit: 'working_days' | 'hours' | 'natural_days';
}

/** A text in both languages (GraphQL: a JSON object with `zh-CN` and `en`). */
export class TextsDto {
  @ApiProperty({ minLength: 1, maxLength: 200 })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  'zh-CN': string;

  @ApiProperty({ minLength: 1, maxLength: 200 })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  en: string;
}

/** A node of the category tree; a leaf (`assignable`) gets the default workflow, active at once. */
@InputType('CreateComplaintCategoryInput')
export class CreateComplaintCategoryDto {
  @Field()
  @ApiProperty({ maxLength: 84, pattern: CATEGORY_CODE_RE.source })
  @Matches(CATEGORY_CODE_RE)
  code: string;

  @Field({ nullable: true })
  @ApiPropertyOptional({ maxLength: 84, pattern: CATEGORY_CODE_RE.source })
  @IsOptional()
  @Matches(CATEGORY_CODE_RE)
  parentCode?: string;

  @Field()
  @ApiProperty()
  @IsBoolean()
  assignable: boolean;

  @Field(() => String)
  @ApiProperty({ enum: CATEGORY_KINDS })
  @IsIn(CATEGORY_KINDS)
  kind: CategoryKind;

  @Field(() => JsonObjectScalar, { description: '{ "zh-CN": …, "en": … }' })
  @ApiProperty({ type: TextsDto })
  @ValidateNested()
  @Type(() => TextsDto)
  name: TextsDto;

  @Field(() => JsonObjectScalar, { description: '{ "zh-CN": …, "en": … }' })
  @ApiProperty({ type: TextsDto })
  @ValidateNested()
  @Type(() => TextsDto)
  description: TextsDto;

  @Field(() => JsonObjectScalar, { description: '{ "zh-CN": …, "en": … }' })
  @ApiProperty({ type: TextsDto })
  @ValidateNested()
  @Type(() => TextsDto)
  groupName: TextsDto;

  @Field(() => [String], { nullable: true })
  @ApiPropertyOptional({ type: [String], maxItems: 20 })
  @IsOptional()
  @ArrayMaxSize(20)
  @IsString({ each: true })
  @MaxLength(50, { each: true })
  keywords?: string[];

  /** Open311 attributes: code, datatype, required, order, description {zh-CN, en}, values [{key, name}] */
  @Field(() => [JsonObjectScalar], { nullable: true })
  @ApiPropertyOptional({ type: 'array', items: { type: 'object', additionalProperties: true }, maxItems: 30 })
  @IsOptional()
  @IsArray()
  attributes?: Record<string, unknown>[];

  /** the dispatch centre receiving its orders (complaint:manage over it) */
  @Field(() => ID)
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  organisationId: string;

  @Field()
  @ApiProperty({ pattern: REGION_RE.source })
  @Matches(REGION_RE)
  regionCode: string;

  /** where the default workflow may dispatch (absent: any unit below the dispatch centre) */
  @Field(() => [ID], { nullable: true })
  @ApiPropertyOptional({ type: [String], maxItems: 50 })
  @IsOptional()
  @ArrayMaxSize(50)
  @IsUUID('all', { each: true })
  dispatchUnits?: string[];
}
