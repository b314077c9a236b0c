import { ArgsType, Field, Float, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEnum, IsISO8601, IsOptional, IsUUID, Matches } from 'class-validator';
import { DateScalar } from '../../../../api/graphql/scalars';
import { CASE_TYPE_RE } from '../../workflow/dto/case.dto';

export enum StatisticsGroupBy {
  /** per handling unit */
  Unit = 'unit',
  /** per service */
  Service = 'service',
  /** per unit and service */
  UnitService = 'unit_service',
  /** per case type (service cases, complaints, consultations, …) */
  CaseType = 'case_type',
  /** per unit and case type */
  UnitCaseType = 'unit_case_type',
}
registerEnumType(StatisticsGroupBy, { name: 'StatisticsGroupBy' });

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
/** at most this many groups are returned (units × services of one province stay far below it) */
export const MAX_STATISTICS_ROWS = 2000;

/** `GET /v1/statistics/cases` and the `caseStatistics` query. */
@ArgsType()
export class CaseStatisticsQueryDto {
  /** first Beijing day of the period (inclusive) */
  @Field(() => DateScalar)
  @ApiProperty({ format: 'date', example: '2026-01-01', maxLength: 10, pattern: ISO_DATE.source })
  @Matches(ISO_DATE, { message: 'from must be YYYY-MM-DD' })
  @IsISO8601({ strict: true })
  from: string;

  /** Beijing day after the period (exclusive); at most five years after `from` */
  @Field(() => DateScalar)
  @ApiProperty({ format: 'date', example: '2026-07-01', maxLength: 10, pattern: ISO_DATE.source })
  @Matches(ISO_DATE, { message: 'to must be YYYY-MM-DD' })
  @IsISO8601({ strict: true })
  to: string;

  @Field(() => StatisticsGroupBy, { nullable: true })
  @ApiPropertyOptional({
    enum: StatisticsGroupBy,
    enumName: 'StatisticsGroupBy',
    default: StatisticsGroupBy.Unit,
  })
  @IsOptional()
  @IsEnum(StatisticsGroupBy)
  groupBy?: StatisticsGroupBy;

  /** only this unit and the units below it (must be within the caller's scope, else 404) */
  @Field(() => ID, { nullable: true })
  @ApiPropertyOptional({ format: 'uuid', maxLength: 36 })
  @IsOptional()
  @IsUUID()
  organisationId?: string;

  /** only this service */
  @Field(() => ID, { nullable: true })
  @ApiPropertyOptional({ format: 'uuid', maxLength: 36 })
  @IsOptional()
  @IsUUID()
  serviceId?: string;

  /** only cases of this case type (GET /v1/case-types) */
  @Field(() => String, { nullable: true })
  @ApiPropertyOptional({ pattern: CASE_TYPE_RE.source, maxLength: 32 })
  @IsOptional()
  @Matches(CASE_TYPE_RE)
  caseType?: string;
}

@ObjectType('CaseFigures')
export class CaseFiguresDto {
  /** cases received (收件) in the period */
  @Field(() => Int)
  @ApiProperty({ type: 'integer', format: 'int32', minimum: 0, maximum: 2147483647 })
  received: number;

  /** cases accepted (受理) in the period */
  @Field(() => Int)
  @ApiProperty({ type: 'integer', format: 'int32', minimum: 0, maximum: 2147483647 })
  accepted: number;

  /** cases open, waiting for the applicant or suspended now */
  @Field(() => Int)
  @ApiProperty({ type: 'integer', format: 'int32', minimum: 0, maximum: 2147483647 })
  inProgress: number;

  /**
   * cases completed in the period: a service case closed with a decision (approved or denied); a
   * case of another type (work order, consultation) closed neither refused nor withdrawn
   */
  @Field(() => Int)
  @ApiProperty({ type: 'integer', format: 'int32', minimum: 0, maximum: 2147483647 })
  completed: number;

  /** of those, closed by their due time */
  @Field(() => Int)
  @ApiProperty({ type: 'integer', format: 'int32', minimum: 0, maximum: 2147483647 })
  completedOnTime: number;

  /** completedOnTime / completed, to 4 decimals; null when nothing was completed */
  @Field(() => Float, { nullable: true })
  @ApiPropertyOptional({ type: 'number', format: 'double', minimum: 0, maximum: 1, nullable: true })
  onTimeRate: number | null;

  /** cases not closed whose due time has passed */
  @Field(() => Int)
  @ApiProperty({ type: 'integer', format: 'int32', minimum: 0, maximum: 2147483647 })
  overdueNow: number;

  /**
   * mean working days from receipt to closure of the completed cases (days after the receipt day
   * up to the closing day, weekends and holidays left out, 调休 days counted), to 2 decimals;
   * null when none
   */
  @Field(() => Float, { nullable: true })
  @ApiPropertyOptional({ type: 'number', format: 'double', minimum: 0, maximum: 100000, nullable: true })
  averageHandlingWorkingDays: number | null;
}

@ObjectType('CaseStatisticsRow')
export class CaseStatisticsRowDto extends CaseFiguresDto {
  /** the handling unit (null when grouped by service only) */
  @Field(() => ID, { nullable: true })
  @ApiPropertyOptional({ format: 'uuid', nullable: true, maxLength: 36 })
  organisationId: string | null;

  @Field(() => String, { nullable: true })
  @ApiPropertyOptional({ type: 'string', nullable: true, maxLength: 300 })
  organisationName: string | null;

  /** the service (null when grouped by unit only) */
  @Field(() => ID, { nullable: true })
  @ApiPropertyOptional({ format: 'uuid', nullable: true, maxLength: 36 })
  serviceId: string | null;

  @Field(() => String, { nullable: true })
  @ApiPropertyOptional({ type: 'string', nullable: true, maxLength: 300 })
  serviceTitle: string | null;

  /** the case type (null when grouped by unit only) */
  @Field(() => String, { nullable: true })
  @ApiPropertyOptional({ type: 'string', nullable: true, maxLength: 32 })
  caseType: string | null;

  @Field(() => String, { nullable: true })
  @ApiPropertyOptional({ type: 'string', nullable: true, maxLength: 300 })
  caseTypeTitle: string | null;
}

@ObjectType('CaseStatistics')
export class CaseStatisticsDto {
  @Field(() => DateScalar)
  @ApiProperty({ format: 'date', maxLength: 10 })
  from: string;

  @Field(() => DateScalar)
  @ApiProperty({ format: 'date', maxLength: 10 })
  to: string;

  @Field(() => StatisticsGroupBy)
  @ApiProperty({ enum: StatisticsGroupBy, enumName: 'StatisticsGroupBy' })
  groupBy: StatisticsGroupBy;

  /** one row per group with any figure, by unit name then service title */
  @Field(() => [CaseStatisticsRowDto])
  @ApiProperty({ type: [CaseStatisticsRowDto], maxItems: MAX_STATISTICS_ROWS })
  rows: CaseStatisticsRowDto[];

  /** the same figures over every case in scope (not a sum of the rows' rates) */
  @Field(() => CaseFiguresDto)
  @ApiProperty({ type: CaseFiguresDto })
  totals: CaseFiguresDto;
}
