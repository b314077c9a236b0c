import { ArgsType, Field, InputType, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, TransformFnParams } from 'class-transformer';
import {
  IsBoolean,
  IsEnum,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { CalendarSource } from '../calendar.entity';
import { ClockUnit } from '../deadline';
import { DateScalar, DateTimeScalar } from '../../../../api/graphql/scalars';

export enum CalendarDayType {
  /** day off by notice or override (放假) */
  Holiday = 'holiday',
  /** working day by 调休 notice or override (调休上班) */
  Makeup = 'makeup',
  /** Saturday or Sunday without an exception */
  Weekend = 'weekend',
  /** Monday to Friday without an exception */
  Normal = 'normal',
}

registerEnumType(CalendarDayType, { name: 'CalendarDayType' });
registerEnumType(CalendarSource, { name: 'CalendarSource' });
registerEnumType(ClockUnit, { name: 'ClockUnit' });

export const MIN_YEAR = 2000;
export const MAX_YEAR = 2099;
/** amounts above this are mistakes (1000 working days is about four years) */
export const MAX_AMOUNT = 1000;
export const MAX_EXTENSION = 365;

const REGION_CODE = /^\d{6}(\d{6})?$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
/** a Beijing day, or an instant with its offset */
const RECEIVED_AT = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2}))?$/;
const PLAIN_TEXT = /^[^\p{Cc}\p{Cf}]+$/u;

/** Path and query values arrive as text: only canonical decimals become numbers; anything else fails @IsInt. */
const toInteger = ({ value }: TransformFnParams): unknown =>
  typeof value === 'string' && /^-?(0|[1-9][0-9]{0,8})$/.test(value) ? Number(value) : value;

/** `/calendar/{regionCode}`: a GB/T 2260 division code; 000000 is the national calendar. */
@ArgsType()
export class RegionParamsDto {
  /** administrative division code, 6 or 12 digits; 000000 = national */
  @Field()
  @ApiProperty({ example: '000000', maxLength: 12, pattern: REGION_CODE.source })
  @Matches(REGION_CODE, { message: 'regionCode must be a 6- or 12-digit division code' })
  regionCode: string;
}

@ArgsType()
export class YearParamsDto extends RegionParamsDto {
  @Field(() => Int)
  @ApiProperty({ type: 'integer', format: 'int32', minimum: MIN_YEAR, maximum: MAX_YEAR })
  @Transform(toInteger)
  @IsInt()
  @Min(MIN_YEAR)
  @Max(MAX_YEAR)
  year: number;
}

export class DayParamsDto extends RegionParamsDto {
  /** Beijing calendar day */
  @ApiProperty({ format: 'date', example: '2025-10-01', maxLength: 10, pattern: ISO_DATE.source })
  @Matches(ISO_DATE, { message: 'date must be YYYY-MM-DD' })
  @IsISO8601({ strict: true })
  date: string;
}

@ObjectType('WorkCalendarDay')
export class CalendarDayDto {
  /** Beijing calendar day */
  @Field(() => DateScalar)
  @ApiProperty({ format: 'date', maxLength: 10, pattern: ISO_DATE.source })
  date: string;

  @Field()
  isWorkday: boolean;

  @Field(() => CalendarDayType)
  @ApiProperty({ enum: CalendarDayType, enumName: 'CalendarDayType' })
  kind: CalendarDayType;

  /** holiday name in the caller's language, e.g. 春节 */
  @Field(() => String, { nullable: true })
  @ApiPropertyOptional({ type: 'string', nullable: true, maxLength: 100 })
  name: string | null;

  /** the region whose row decided the day (000000 = national); null for plain weekdays and weekends */
  @Field(() => String, { nullable: true })
  @ApiPropertyOptional({ type: 'string', nullable: true, maxLength: 12, pattern: REGION_CODE.source })
  decidedBy: string | null;

  @Field(() => CalendarSource, { nullable: true })
  @ApiPropertyOptional({ enum: CalendarSource, enumName: 'CalendarSource', nullable: true })
  source: CalendarSource | null;
}

@ObjectType('WorkCalendar')
export class WorkCalendarDto {
  @Field()
  @ApiProperty({ maxLength: 12, pattern: REGION_CODE.source })
  regionCode: string;

  @Field(() => Int)
  @ApiProperty({ type: 'integer', format: 'int32', minimum: MIN_YEAR, maximum: MAX_YEAR })
  year: number;

  /** false: the year's holidays are not announced yet, so deadlines through it are provisional */
  @Field()
  published: boolean;

  /** the notice the arrangement comes from */
  @Field(() => String, { nullable: true })
  @ApiPropertyOptional({ type: 'string', format: 'uri', nullable: true, maxLength: 300 })
  noticeUrl: string | null;

  /** every holiday and make-up working day, in date order (weekends and plain weekdays are left out) */
  @Field(() => [CalendarDayDto])
  @ApiProperty({ type: [CalendarDayDto], maxItems: 366 })
  days: CalendarDayDto[];
}

/** `GET /calendar/{regionCode}/deadline`: when a period that starts with a receipt ends. */
@ArgsType()
export class DeadlineQueryDto {
  /** receipt (受理) time: an instant with offset, or a Beijing day; default now */
  @Field({ nullable: true })
  @ApiPropertyOptional({ example: '2025-01-24T10:00:00+08:00', maxLength: 35, pattern: RECEIVED_AT.source })
  @IsOptional()
  @Matches(RECEIVED_AT, { message: 'receivedAt must be YYYY-MM-DD or an ISO 8601 date-time with offset' })
  @IsISO8601({ strict: true })
  receivedAt?: string;

  @Field(() => ClockUnit)
  @ApiProperty({ enum: ClockUnit, enumName: 'ClockUnit' })
  @IsEnum(ClockUnit)
  unit: ClockUnit;

  /** the period, counted from the day after receipt (hours: from receipt) */
  @Field(() => Int)
  @ApiProperty({ type: 'integer', format: 'int32', minimum: 1, maximum: MAX_AMOUNT })
  @Transform(toInteger)
  @IsInt()
  @Min(1)
  @Max(MAX_AMOUNT)
  amount: number;

  /** approved extension (延期) in the same unit */
  @Field(() => Int, { nullable: true })
  @ApiPropertyOptional({ type: 'integer', format: 'int32', minimum: 0, maximum: MAX_EXTENSION })
  @IsOptional()
  @Transform(toInteger)
  @IsInt()
  @Min(0)
  @Max(MAX_EXTENSION)
  extension?: number;
}

@ArgsType()
export class DeadlineArgs extends DeadlineQueryDto {
  @Field()
  @Matches(REGION_CODE, { message: 'regionCode must be a 6- or 12-digit division code' })
  regionCode: string;
}

@ObjectType('CalendarDeadline')
export class DeadlineDto {
  @Field()
  @ApiProperty({ maxLength: 12, pattern: REGION_CODE.source })
  regionCode: string;

  @Field(() => DateTimeScalar)
  @ApiProperty({ format: 'date-time', maxLength: 64 })
  receivedAt: string;

  @Field(() => ClockUnit)
  @ApiProperty({ enum: ClockUnit, enumName: 'ClockUnit' })
  unit: ClockUnit;

  @Field(() => Int)
  @ApiProperty({ type: 'integer', format: 'int32', minimum: 1, maximum: MAX_AMOUNT })
  amount: number;

  @Field(() => Int)
  @ApiProperty({ type: 'integer', format: 'int32', minimum: 0, maximum: MAX_EXTENSION })
  extension: number;

  /** end of the period: 23:59:59 Beijing time of the last day for day units */
  @Field(() => DateTimeScalar)
  @ApiProperty({ format: 'date-time', maxLength: 64 })
  dueAt: string;

  /** the Beijing day dueAt falls on */
  @Field(() => DateScalar)
  @ApiProperty({ format: 'date', maxLength: 10, pattern: ISO_DATE.source })
  dueDate: string;

  /** true when the count runs through a year whose holidays are not announced: the date may still move */
  @Field()
  provisional: boolean;

  @Field(() => [Int])
  @ApiProperty({
    type: 'array',
    items: { type: 'integer', format: 'int32', minimum: MIN_YEAR, maximum: MAX_YEAR + 10 },
    maxItems: 20,
  })
  unpublishedYears: number[];
}

/** PUT body: the whole state of the region's exception for the day (idempotent replacement). */
@InputType('SetCalendarDayInput')
export class SetCalendarDayDto {
  /** false: a day off (holiday); true: a working day (e.g. 调休上班, or a holiday cancelled locally) */
  @Field()
  @IsBoolean()
  isWorkday: boolean;

  /** e.g. 三月三 */
  @Field({ nullable: true })
  @IsOptional()
  @IsString()
  @Length(1, 50)
  @Matches(PLAIN_TEXT)
  name?: string;

  @Field({ nullable: true })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  @Matches(PLAIN_TEXT)
  nameEn?: string;
}

@InputType('SetCalendarYearInput')
export class SetCalendarYearDto {
  /** true once the region's arrangement for the year is announced */
  @Field()
  @IsBoolean()
  published: boolean;

  /** the announcing notice (https) */
  @Field({ nullable: true })
  @IsOptional()
  @MaxLength(300)
  @Matches(/^https:\/\/[^\s]{3,292}$/)
  noticeUrl?: string;
}
