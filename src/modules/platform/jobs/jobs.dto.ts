import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, Matches } from 'class-validator';
import { PageQuery } from '../../../api/http/pagination';
import { JOB_STATUSES, type JobStatus } from './job.entity';

export class JobQueryDto extends PageQuery {
  @ApiPropertyOptional({ enum: JOB_STATUSES, description: 'only jobs in this state' })
  @IsOptional()
  @IsIn(JOB_STATUSES)
  status?: JobStatus;

  /** only jobs of this handler, e.g. `case.sla-warning` */
  @IsOptional()
  @Matches(/^[a-z][a-z0-9._:-]{0,99}$/)
  name?: string;
}

export class JobDto {
  id: string;
  /** handler name */
  name: string;
  @ApiProperty({ enum: JOB_STATUSES })
  status: JobStatus;
  /** not run before this instant; for a pending retry, when the next attempt is due */
  runAt: Date;
  attempts: number;
  maxAttempts: number;
  /** error name and scrubbed message of the last failed attempt */
  lastError: string | null;
  dedupeKey: string | null;
  createdAt: Date;
  finishedAt: Date | null;
}

export class JobPageDto {
  @ApiProperty({ type: [JobDto], maxItems: 100 })
  items: JobDto[];

  @ApiProperty({ type: 'string', nullable: true, maxLength: 512 })
  nextCursor: string | null;
}
