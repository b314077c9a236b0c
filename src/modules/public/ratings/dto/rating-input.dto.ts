import { Field, ID, InputType, registerEnumType } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEnum, IsIn, IsOptional, IsUUID, Matches, ValidateBy, ValidationOptions } from 'class-validator';
import {
  AppealStatus,
  RatingChannel,
  RatingLevel,
  RatingSource,
  RectificationOutcome,
  RectificationSatisfaction,
  RectificationStatus,
  textRule,
} from '../rating-levels';

registerEnumType(RatingLevel, {
  name: 'RatingLevel',
  description: '非常满意 … 非常不满意 (the last two are bad)',
});
registerEnumType(RatingChannel, { name: 'RatingChannel' });
registerEnumType(RatingSource, { name: 'RatingSource' });
registerEnumType(RectificationSatisfaction, { name: 'RectificationSatisfaction' });
registerEnumType(RectificationStatus, { name: 'RectificationStatus' });
registerEnumType(RectificationOutcome, { name: 'RectificationOutcome' });
registerEnumType(AppealStatus, { name: 'RatingAppealStatus' });

/** Channels a rater may name (`system` is the silence rule's). */
export const RATER_CHANNELS = Object.values(RatingChannel).filter((c) => c !== RatingChannel.System);
export const KIND_PATTERN = /^[a-z][a-z0-9_]{0,31}$/;
export const ITEM_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/;

/** 1…max characters of plain text (newlines allowed, no control characters). */
export function IsPlainText(max: number, options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'plainText',
      validator: {
        validate: (v: unknown) => textRule(v, max) === null,
        defaultMessage: (a) => `$property ${textRule(a?.value, max) ?? 'is invalid'}`,
      },
    },
    options,
  );
}

@InputType('RatingCodeRatingInput')
export class RateWithCodeDto {
  @Field(() => RatingLevel)
  @ApiProperty({ enum: RatingLevel, enumName: 'RatingLevel' })
  @IsEnum(RatingLevel)
  level: RatingLevel;

  /** where the rating is given (default hall: the window's 评价器 or the visitor's phone) */
  @Field(() => RatingChannel, { nullable: true })
  @ApiPropertyOptional({ enum: RATER_CHANNELS, enumName: 'RaterChannel', nullable: true })
  @IsOptional()
  @IsIn(RATER_CHANNELS)
  channel?: RatingChannel | null;

  /** the rater's words: seen by the rater and, audited, by the unit; never published */
  @Field(() => String, { nullable: true })
  @ApiPropertyOptional({ type: 'string', maxLength: 500, nullable: true })
  @IsOptional()
  @IsPlainText(500)
  comment?: string | null;
}

@InputType('RateInput')
export class RateDto extends RateWithCodeDto {
  /** the kind of item: application, consultation, work_order, … (hall visits are rated with their code) */
  @Field()
  @ApiProperty({ maxLength: 32, pattern: KIND_PATTERN.source, example: 'application' })
  @Matches(KIND_PATTERN)
  kind: string;

  @Field()
  @ApiProperty({ maxLength: 64, pattern: ITEM_ID_PATTERN.source })
  @Matches(ITEM_ID_PATTERN)
  itemId: string;
}

@InputType('IssueRatingCodeInput')
export class IssueRatingCodeDto {
  /** the hall or window unit the visit was at (in the caller's rating:issue-code scope) */
  @Field(() => ID)
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  organisationId: string;

  /** the catalogue service the visit was about, when there was one */
  @Field(() => ID, { nullable: true })
  @ApiPropertyOptional({ type: 'string', format: 'uuid', nullable: true })
  @IsOptional()
  @IsUUID()
  serviceId?: string | null;
}

export enum AppealGround {
  Malicious = 'malicious',
  Mistaken = 'mistaken',
}
registerEnumType(AppealGround, { name: 'RatingAppealGround' });

@InputType('RatingAppealInput')
export class AppealDto {
  @Field(() => AppealGround)
  @ApiProperty({ enum: AppealGround, enumName: 'RatingAppealGround' })
  @IsEnum(AppealGround)
  ground: AppealGround;

  /** why the rating should not count (kept with the decision, audited) */
  @Field()
  @ApiProperty({ minLength: 5, maxLength: 1000 })
  @IsPlainText(1000)
  @Matches(/^[\s\S]{5,}$/, { message: 'reason must be at least 5 characters' })
  reason: string;
}

export enum AppealDecision {
  Upheld = 'upheld',
  Rejected = 'rejected',
}
registerEnumType(AppealDecision, { name: 'RatingAppealDecision' });

@InputType('RatingAppealDecisionInput')
export class AppealDecisionDto {
  @Field(() => AppealDecision)
  @ApiProperty({ enum: AppealDecision, enumName: 'RatingAppealDecision' })
  @IsEnum(AppealDecision)
  decision: AppealDecision;

  @Field()
  @ApiProperty({ minLength: 5, maxLength: 1000 })
  @IsPlainText(1000)
  @Matches(/^[\s\S]{5,}$/, { message: 'reason must be at least 5 characters' })
  reason: string;
}

@InputType('RectificationSatisfactionInput')
export class RectificationSatisfactionDto {
  @Field(() => RectificationSatisfaction)
  @ApiProperty({ enum: RectificationSatisfaction, enumName: 'RectificationSatisfaction' })
  @IsEnum(RectificationSatisfaction)
  satisfaction: RectificationSatisfaction;
}
