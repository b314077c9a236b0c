import { ArgsType, Field, Float, ID, InputType, IntersectionType } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional, IntersectionType as ApiIntersectionType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsBoolean,
  IsEmail,
  IsIn,
  IsISO8601,
  IsLatitude,
  IsLongitude,
  IsObject,
  IsOptional,
  IsString,
  IsUrl,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
} from 'class-validator';
import { JsonObjectScalar } from '../../../../api/graphql/scalars';
import { ConnectionArgs } from '../../../../api/graphql/connection';
import { PageQuery } from '../../../../api/http/pagination';
import { CHANNELS, SUPERVISION_TIERS, URGENCIES } from '../complaint-rules';

export const CATEGORY_CODE_RE = /^[a-z][a-z0-9_]{0,20}(\.[a-z0-9_]{1,20}){0,3}$/;
const PHONE_RE = /^\+?[0-9][0-9 -]{4,19}$/;
export const REGION_RE = /^\d{6}$/;

/** A work order as filed on any channel (portal, app, mini-program, hotline operator, Open311). */
@InputType('FileComplaintInput')
export class FileComplaintDto {
  /** a leaf of the category tree (GET /v1/complaint-categories) */
  @Field()
  @ApiProperty({ maxLength: 84, pattern: CATEGORY_CODE_RE.source, example: 'city.road.pothole' })
  @IsString()
  @Matches(CATEGORY_CODE_RE)
  categoryCode: string;

  /** what happened, where, since when: 1–4000 characters, public once filed (no names or phone numbers please) */
  @Field()
  @ApiProperty({ minLength: 1, maxLength: 4000 })
  @IsString()
  @MinLength(1)
  @MaxLength(4000)
  description: string;

  @Field(() => Float, { nullable: true })
  @ApiPropertyOptional({ minimum: -90, maximum: 90 })
  @IsOptional()
  @IsLatitude()
  lat?: number;

  @Field(() => Float, { nullable: true })
  @ApiPropertyOptional({ minimum: -180, maximum: 180 })
  @IsOptional()
  @IsLongitude()
  long?: number;

  @Field({ nullable: true })
  @ApiPropertyOptional({ maxLength: 300 })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(300)
  addressString?: string;

  /** an address register id; one starting with a region code (990102-…) places the order in that region */
  @Field({ nullable: true })
  @ApiPropertyOptional({ maxLength: 100, pattern: '^[A-Za-z0-9_.:-]{1,100}$' })
  @IsOptional()
  @Matches(/^[A-Za-z0-9_.:-]{1,100}$/)
  addressId?: string;

  /** answers to the category's attributes, by attribute code */
  @Field(() => JsonObjectScalar, { nullable: true })
  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  @IsOptional()
  @IsObject()
  attributes?: Record<string, string | string[]>;

  @Field(() => [String], { nullable: true })
  @ApiPropertyOptional({ type: [String], maxItems: 10 })
  @IsOptional()
  @ArrayMaxSize(10)
  @IsUrl({ protocols: ['https', 'http'], require_protocol: true }, { each: true })
  @MaxLength(2048, { each: true })
  mediaUrls?: string[];

  /** photos uploaded first (POST /v1/files) by the same caller */
  @Field(() => [ID], { nullable: true })
  @ApiPropertyOptional({ type: [String], maxItems: 10 })
  @IsOptional()
  @ArrayMaxSize(10)
  @IsUUID('all', { each: true })
  mediaFileIds?: string[];

  /** anonymous: nobody, staff included, learns who filed; follow it with the tracking code */
  @Field()
  @ApiProperty()
  @IsBoolean()
  anonymous: boolean;

  @Field({ nullable: true })
  @ApiPropertyOptional({ maxLength: 50 })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(50)
  firstName?: string;

  @Field({ nullable: true })
  @ApiPropertyOptional({ maxLength: 50 })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(50)
  lastName?: string;

  @Field({ nullable: true })
  @ApiPropertyOptional({ maxLength: 254, format: 'email' })
  @IsOptional()
  @IsEmail()
  @MaxLength(254)
  email?: string;

  @Field({ nullable: true })
  @ApiPropertyOptional({ maxLength: 20, pattern: PHONE_RE.source })
  @IsOptional()
  @Matches(PHONE_RE)
  phone?: string;

  @Field({ nullable: true })
  @ApiPropertyOptional({ maxLength: 100, pattern: '^[A-Za-z0-9_.:-]{1,100}$' })
  @IsOptional()
  @Matches(/^[A-Za-z0-9_.:-]{1,100}$/)
  deviceId?: string;

  @Field(() => String, { nullable: true })
  @ApiPropertyOptional({ enum: URGENCIES, default: 'normal' })
  @IsOptional()
  @IsIn(URGENCIES)
  urgency?: (typeof URGENCIES)[number];

  @Field(() => String)
  @ApiProperty({ enum: CHANNELS })
  @IsIn(CHANNELS)
  channel: (typeof CHANNELS)[number];
}

/** The staff list's filters. */
@ArgsType()
export class ComplaintFilterDto {
  @Field(() => String, { nullable: true })
  @ApiPropertyOptional({ enum: ['open', 'closed'] })
  @IsOptional()
  @IsIn(['open', 'closed'])
  status?: 'open' | 'closed';

  @Field({ nullable: true })
  @ApiPropertyOptional({ maxLength: 84, pattern: CATEGORY_CODE_RE.source })
  @IsOptional()
  @Matches(CATEGORY_CODE_RE)
  categoryCode?: string;

  @Field({ nullable: true })
  @ApiPropertyOptional({ pattern: REGION_RE.source })
  @IsOptional()
  @Matches(REGION_RE)
  regionCode?: string;
}

/** Staff list of work orders (REST: limit and cursor). */
export class ComplaintQueryDto extends ApiIntersectionType(PageQuery, ComplaintFilterDto) {}

/** Staff list of work orders (GraphQL: first and after). */
@ArgsType()
export class ComplaintsArgs extends IntersectionType(ConnectionArgs, ComplaintFilterDto, ArgsType) {}

/** `unmask=contact` shows the complainant's contact (dispatch centre and handling unit only; audited). */
export class ComplaintReadQueryDto {
  @ApiPropertyOptional({ enum: ['contact'] })
  @IsOptional()
  @IsIn(['contact'])
  unmask?: 'contact';

  @ApiPropertyOptional({ maxLength: 200 })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  reason?: string;
}

@InputType('MergeComplaintInput')
export class MergeComplaintDto {
  /** the order about the same matter that is handled (and answers this one) */
  @Field(() => ID)
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  intoId: string;

  @Field()
  @ApiProperty({ minLength: 1, maxLength: 1000 })
  @IsString()
  @MinLength(1)
  @MaxLength(1000)
  reason: string;
}

@InputType('SuperviseComplaintInput')
export class SuperviseComplaintDto {
  /** blue 提醒 / orange 警示 / red 黄牌 (final notice) */
  @Field(() => String)
  @ApiProperty({ enum: SUPERVISION_TIERS })
  @IsIn(SUPERVISION_TIERS)
  tier: (typeof SUPERVISION_TIERS)[number];

  @Field()
  @ApiProperty({ minLength: 1, maxLength: 1000 })
  @IsString()
  @MinLength(1)
  @MaxLength(1000)
  reason: string;
}

/** A follow-up from the public on an order it tracks; `reopen` asks for 重办 of a closed, dissatisfied order. */
@InputType('ComplaintFollowUpInput')
export class ComplaintFollowUpDto {
  @Field()
  @ApiProperty({ minLength: 1, maxLength: 4000 })
  @IsString()
  @MinLength(1)
  @MaxLength(4000)
  description: string;

  @Field({ nullable: true })
  @ApiPropertyOptional({ maxLength: 2048, format: 'uri' })
  @IsOptional()
  @IsUrl({ protocols: ['https', 'http'], require_protocol: true })
  @MaxLength(2048)
  mediaUrl?: string;

  @Field({ nullable: true })
  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  reopen?: boolean;
}

/** Hot spots: a period (default the last 8 weeks) and optional filters. */
@ArgsType()
export class HotspotQueryDto {
  @Field({ nullable: true })
  @ApiPropertyOptional({ format: 'date-time' })
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  @Field({ nullable: true })
  @ApiPropertyOptional({ format: 'date-time' })
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;

  @Field({ nullable: true })
  @ApiPropertyOptional({ maxLength: 84, pattern: CATEGORY_CODE_RE.source })
  @IsOptional()
  @Matches(CATEGORY_CODE_RE)
  categoryCode?: string;

  @Field({ nullable: true })
  @ApiPropertyOptional({ pattern: REGION_RE.source })
  @IsOptional()
  @Matches(REGION_RE)
  regionCode?: string;

  /** map list: grid cell size in degrees (0.001–1, default 0.01 ≈ 1 km) */
  @Field(() => Float, { nullable: true })
  @ApiPropertyOptional({ minimum: 0.001, maximum: 1, default: 0.01 })
  @IsOptional()
  @Type(() => Number)
  @Min(0.001)
  @Max(1)
  cell?: number;
}
