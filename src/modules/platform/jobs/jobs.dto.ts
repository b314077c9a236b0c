import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, Matches, MaxLength } from 'class-validator';
import { PageQuery } from '../../../api/http/pagination';
import { JOB_STATUSES, type JobStatus } from './job.entity';

export class JobQueryDto extends PageQuery {
  @ApiPropertyOptional({ enum: JOB_STATUSES, description: 'only jobs in this state' })
  @IsOptional()
  @IsIn(JOB_STATUSES)
  status?: JobStatus;

  /** only jobs of this handler, e.g. `case.sla-warning` */
  @IsOptional()
  @MaxLength(100)
  @Matches(/^[a-z][a-z0-9._:-]*$/)
  name?: string;
}

export class JobDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ maxLength: 100, description: 'handler name' })
  name: string;

  @ApiProperty({ enum: JOB_STATUSES })
  status: JobStatus;

  /** not run before this instant; for a pending retry, when the next attempt is due */
  runAt: Date;

  @ApiProperty({ type: 'integer', minimum: 0, maximum: 101 })
  attempts: number;

  @ApiProperty({ type: 'integer', minimum: 1, maximum: 100 })
  maxAttempts: number;

  @ApiProperty({
    type: 'string',
    nullable: true,
    maxLength: 500,
    description: 'error name and scrubbed message of the last failed attempt',
  })
  lastError: string | null;

  @ApiProperty({ type: 'string', nullable: true, maxLength: 200 })
  dedupeKey: string | null;

  createdAt: Date;

  @ApiProperty({ type: 'string', format: 'date-time', nullable: true })
  finishedAt: Date | null;
}

export class JobPageDto {
  @ApiProperty({ type: [JobDto], maxItems: 100 })
  items: JobDto[];

  @ApiProperty({ type: 'string', nullable: true, maxLength: 512 })
  nextCursor: string | null;
}
