import { Field, Float, ID, Int, ObjectType } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEnum, IsOptional, IsUUID } from 'class-validator';
import { PageQuery } from '../../../../api/http/pagination';
import { DateTimeScalar } from '../../../../api/graphql/scalars';
import {
  AppealStatus,
  RatingChannel,
  RatingLevel,
  RatingSource,
  RectificationOutcome,
  RectificationSatisfaction,
  RectificationStatus,
} from '../rating-levels';
import { AppealGround } from './rating-input.dto';
import { IsCalendarDate } from '../../licences/dto/licence-validators';

const uuidOrNull = { type: 'string', format: 'uuid', nullable: true } as const;
const instantOrNull = { type: 'string', format: 'date-time', nullable: true } as const;

/** A rating as its rater sees it (with their comment), or as the unit's staff see it (comment only when asked, audited). */
@ObjectType('Rating')
export class RatingDto {
  @Field(() => ID)
  @ApiProperty({ format: 'uuid' })
  id: string;

  @Field()
  @ApiProperty({ maxLength: 32 })
  kind: string;

  @Field()
  @ApiProperty({ maxLength: 64 })
  itemId: string;

  /** the item as the rater knows it, in the caller's language */
  @Field()
  @ApiProperty({ maxLength: 200 })
  title: string;

  @Field(() => RatingLevel)
  @ApiProperty({ enum: RatingLevel, enumName: 'RatingLevel' })
  level: RatingLevel;

  /** 5 非常满意 … 1 非常不满意 */
  @Field(() => Int)
  @ApiProperty({ type: 'integer', minimum: 1, maximum: 5 })
  score: number;

  @Field(() => RatingChannel)
  @ApiProperty({ enum: RatingChannel, enumName: 'RatingChannel' })
  channel: RatingChannel;

  /** rater, or default: recorded as 基本满意 by the silence rule */
  @Field(() => RatingSource)
  @ApiProperty({ enum: RatingSource, enumName: 'RatingSource' })
  source: RatingSource;

  /** given by a signed-in account (实名): a bad real-name rating opens a rectification */
  @Field()
  realName: boolean;

  /** the rater's own words: for the rater; staff get null (see GET /v1/ratings/{id}?comment=true) */
  @Field(() => String, { nullable: true })
  @ApiProperty({ type: 'string', nullable: true, maxLength: 500 })
  comment: string | null;

  @Field(() => ID)
  @ApiProperty({ format: 'uuid' })
  organisationId: string;

  @Field(() => ID, { nullable: true })
  @ApiProperty(uuidOrNull)
  serviceId: string | null;

  @Field(() => DateTimeScalar)
  @ApiProperty({ format: 'date-time' })
  handledAt: string;

  @Field(() => DateTimeScalar)
  @ApiProperty({ format: 'date-time' })
  ratedAt: string;

  /** left out of the figures after an upheld appeal */
  @Field()
  excluded: boolean;

  @Field(() => String, { nullable: true })
  @ApiProperty({ type: 'string', nullable: true, maxLength: 1000 })
  exclusionReason: string | null;

  /** the rectification a bad real-name rating opened */
  @Field(() => ID, { nullable: true })
  @ApiProperty(uuidOrNull)
  rectificationId: string | null;
}

export class RatingPageDto {
  @ApiProperty({ type: [RatingDto], maxItems: 100 })
  items: RatingDto[];

  @ApiProperty({ type: 'string', nullable: true, maxLength: 512 })
  nextCursor: string | null;
}

/** A hall rating code as the window shows it: print `url` or show it as the QR code. */
@ObjectType('RatingCode')
export class RatingCodeDto {
  @Field()
  @ApiProperty({ maxLength: 16, pattern: '^[0-9A-HJKMNP-TV-Z]{16}$' })
  code: string;

  /** what the QR code encodes: the rating page for the code */
  @Field()
  @ApiProperty({ format: 'uri', maxLength: 2048 })
  url: string;

  @Field(() => ID)
  @ApiProperty({ format: 'uuid' })
  organisationId: string;

  @Field(() => String)
  @ApiProperty({ maxLength: 200 })
  organisationName: string;

  @Field(() => ID, { nullable: true })
  @ApiProperty(uuidOrNull)
  serviceId: string | null;

  @Field(() => DateTimeScalar)
  @ApiProperty({ format: 'date-time' })
  expiresAt: string;

  /** true once the visitor has rated */
  @Field()
  rated: boolean;
}

@ObjectType('RatingAppeal')
export class RatingAppealDto {
  @Field(() => ID)
  @ApiProperty({ format: 'uuid' })
  id: string;

  @Field(() => ID)
  @ApiProperty({ format: 'uuid' })
  ratingId: string;

  @Field(() => ID)
  @ApiProperty({ format: 'uuid' })
  organisationId: string;

  @Field(() => AppealGround)
  @ApiProperty({ enum: AppealGround, enumName: 'RatingAppealGround' })
  ground: AppealGround;

  @Field()
  @ApiProperty({ maxLength: 1000 })
  reason: string;

  @Field(() => AppealStatus)
  @ApiProperty({ enum: AppealStatus, enumName: 'RatingAppealStatus' })
  status: AppealStatus;

  @Field(() => ID)
  @ApiProperty({ format: 'uuid' })
  filedBy: string;

  @Field(() => ID, { nullable: true })
  @ApiProperty(uuidOrNull)
  decidedBy: string | null;

  @Field(() => String, { nullable: true })
  @ApiProperty({ type: 'string', nullable: true, maxLength: 1000 })
  decisionReason: string | null;

  @Field(() => DateTimeScalar, { nullable: true })
  @ApiProperty(instantOrNull)
  decidedAt: string | null;

  @Field(() => DateTimeScalar)
  @ApiProperty({ format: 'date-time' })
  createdAt: string;
}

export class RatingAppealPageDto {
  @ApiProperty({ type: [RatingAppealDto], maxItems: 100 })
  items: RatingAppealDto[];

  @ApiProperty({ type: 'string', nullable: true, maxLength: 512 })
  nextCursor: string | null;
}

/** A rectification as the public sees it (公开): no rater, no comment. */
@ObjectType('Rectification')
export class RectificationDto {
  @Field(() => ID)
  @ApiProperty({ format: 'uuid' })
  id: string;

  @Field()
  @ApiProperty({ maxLength: 40 })
  number: string;

  @Field(() => ID)
  @ApiProperty({ format: 'uuid' })
  organisationId: string;

  @Field(() => ID, { nullable: true })
  @ApiProperty(uuidOrNull)
  serviceId: string | null;

  @Field()
  @ApiProperty({ maxLength: 32 })
  kind: string;

  @Field(() => RatingLevel)
  @ApiProperty({ enum: RatingLevel, enumName: 'RatingLevel' })
  level: RatingLevel;

  @Field(() => RectificationStatus)
  @ApiProperty({ enum: RectificationStatus, enumName: 'RectificationStatus' })
  status: RectificationStatus;

  /** verify, rectify, answer or closed (the unit's own workflow may name others) */
  @Field()
  @ApiProperty({ maxLength: 64 })
  stage: string;

  @Field(() => RectificationOutcome, { nullable: true })
  @ApiProperty({ enum: RectificationOutcome, enumName: 'RectificationOutcome', nullable: true })
  outcome: RectificationOutcome | null;

  /** the answer given to the rater: the published result */
  @Field(() => String, { nullable: true })
  @ApiProperty({ type: 'string', nullable: true, maxLength: 4000 })
  publicAnswer: string | null;

  @Field(() => DateTimeScalar, { nullable: true })
  @ApiProperty(instantOrNull)
  answeredAt: string | null;

  /** the rater's judgement of the result */
  @Field(() => RectificationSatisfaction, { nullable: true })
  @ApiProperty({ enum: RectificationSatisfaction, enumName: 'RectificationSatisfaction', nullable: true })
  raterSatisfaction: RectificationSatisfaction | null;

  @Field(() => DateTimeScalar)
  @ApiProperty({ format: 'date-time' })
  createdAt: string;
}

export class RectificationPageDto {
  @ApiProperty({ type: [RectificationDto], maxItems: 100 })
  items: RectificationDto[];

  @ApiProperty({ type: 'string', nullable: true, maxLength: 512 })
  nextCursor: string | null;
}

@ObjectType('RatingLevelCounts')
export class LevelCountsDto {
  @Field(() => Int) @ApiProperty({ type: 'integer', minimum: 0 }) very_satisfied: number;
  @Field(() => Int) @ApiProperty({ type: 'integer', minimum: 0 }) satisfied: number;
  @Field(() => Int) @ApiProperty({ type: 'integer', minimum: 0 }) basically_satisfied: number;
  @Field(() => Int) @ApiProperty({ type: 'integer', minimum: 0 }) dissatisfied: number;
  @Field(() => Int) @ApiProperty({ type: 'integer', minimum: 0 }) very_dissatisfied: number;
}

/** Public figures of a unit or a service (GB/T 39734-2020 App. B): what counts, and how it was put right. */
@ObjectType('RatingFigures')
export class RatingFiguresDto {
  @Field(() => ID)
  @ApiProperty({ format: 'uuid' })
  id: string;

  @Field(() => LevelCountsDto)
  counts: LevelCountsDto;

  /** ratings counted (excluded ones left out) */
  @Field(() => Int)
  @ApiProperty({ type: 'integer', minimum: 0 })
  total: number;

  /** of them recorded by the silence rule */
  @Field(() => Int)
  @ApiProperty({ type: 'integer', minimum: 0 })
  defaulted: number;

  /** 差评: 不满意 + 非常不满意 */
  @Field(() => Int)
  @ApiProperty({ type: 'integer', minimum: 0 })
  bad: number;

  /** (非常满意 + 满意 + 基本满意) / total, 0…1; null without ratings */
  @Field(() => Float, { nullable: true })
  @ApiProperty({ type: 'number', minimum: 0, maximum: 1, nullable: true })
  satisfactionRate: number | null;

  /** bad real-name ratings, each of which opens a rectification */
  @Field(() => Int)
  @ApiProperty({ type: 'integer', minimum: 0 })
  rectificationsDue: number;

  /** of them answered to the rater */
  @Field(() => Int)
  @ApiProperty({ type: 'integer', minimum: 0 })
  rectificationsAnswered: number;

  /** answered / due, 0…1 (the rule asks for 1); null when none is due */
  @Field(() => Float, { nullable: true })
  @ApiProperty({ type: 'number', minimum: 0, maximum: 1, nullable: true })
  rectificationRate: number | null;

  /** ratings left out after an upheld appeal */
  @Field(() => Int)
  @ApiProperty({ type: 'integer', minimum: 0 })
  excluded: number;
}

@ObjectType('StaffRatingFigures')
export class StaffFiguresDto {
  /** the staff member who handled the items (null: items without a known handler) */
  @Field(() => ID, { nullable: true })
  @ApiProperty(uuidOrNull)
  accountId: string | null;

  @Field(() => String, { nullable: true })
  @ApiProperty({ type: 'string', nullable: true, maxLength: 100 })
  displayName: string | null;

  @Field(() => LevelCountsDto)
  counts: LevelCountsDto;

  @Field(() => Int)
  @ApiProperty({ type: 'integer', minimum: 0 })
  total: number;

  @Field(() => Int)
  @ApiProperty({ type: 'integer', minimum: 0 })
  bad: number;

  @Field(() => Float, { nullable: true })
  @ApiProperty({ type: 'number', minimum: 0, maximum: 1, nullable: true })
  satisfactionRate: number | null;
}

/** Staff figures of a unit (and its sub-units) over a period of rating days (China Standard Time). */
export class StaffFiguresQuery {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  organisationId: string;

  @ApiPropertyOptional({ format: 'date', description: 'first day, inclusive' })
  @IsOptional()
  @IsCalendarDate()
  from?: string;

  @ApiPropertyOptional({ format: 'date', description: 'last day, inclusive' })
  @IsOptional()
  @IsCalendarDate()
  to?: string;
}

export class StaffRatingQuery extends PageQuery {
  @ApiPropertyOptional({
    format: 'uuid',
    description: 'one unit in my scope (with its sub-units); default: all of them',
  })
  @IsOptional()
  @IsUUID()
  organisationId?: string;

  @ApiPropertyOptional({ enum: RatingLevel, enumName: 'RatingLevel' })
  @IsOptional()
  @IsEnum(RatingLevel)
  level?: RatingLevel;
}

export class AppealQuery extends PageQuery {
  @ApiPropertyOptional({ enum: AppealStatus, enumName: 'RatingAppealStatus' })
  @IsOptional()
  @IsEnum(AppealStatus)
  status?: AppealStatus;
}

export class RectificationQuery extends PageQuery {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  organisationId?: string;
}
