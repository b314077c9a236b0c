import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Matches, Max, MaxLength, Min } from 'class-validator';

export class SubscriberLagDto {
  @ApiProperty({ maxLength: 100, description: 'the durable subscriber, e.g. `notifications.applicant`' })
  name: string;

  @ApiProperty({ type: [String], maxItems: 100, description: 'event types it consumes' })
  types: string[];

  @ApiProperty({ type: 'integer', minimum: 0, description: 'deliveries waiting (first tries and retries)' })
  pending: number;

  @ApiProperty({ type: 'integer', minimum: 0, description: 'deliveries being handled now' })
  running: number;

  @ApiProperty({ type: 'integer', minimum: 0, description: 'deliveries given up after max attempts' })
  dead: number;

  @ApiProperty({
    type: 'string',
    format: 'date-time',
    nullable: true,
    description: 'when the oldest event not yet handled was published',
  })
  oldestOpenAt: Date | null;

  @ApiProperty({ type: 'integer', minimum: 0, description: 'seconds since oldestOpenAt (0 when caught up)' })
  lagSeconds: number;
}

export class SubscriberLagListDto {
  @ApiProperty({ type: [SubscriberLagDto], maxItems: 100 })
  items: SubscriberLagDto[];
}

export class DeadEventQueryDto {
  /** only this subscriber's dead deliveries */
  @IsOptional()
  @MaxLength(100)
  @Matches(/^[a-z][a-z0-9._:-]*$/)
  subscriber?: string;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 100, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit?: number;
}

/** A dead delivery; the payload is left out (ids of citizens' records are no operator's business). */
export class DeadEventDto {
  @ApiProperty({ maxLength: 100 })
  subscriber: string;

  @ApiProperty({ format: 'uuid' })
  eventId: string;

  @ApiProperty({ maxLength: 100 })
  type: string;

  @ApiProperty({ maxLength: 50 })
  aggregateType: string;

  @ApiProperty({ maxLength: 100 })
  aggregateId: string;

  @ApiProperty({ type: 'integer', minimum: 1 })
  sequence: number;

  @ApiProperty({ type: 'integer', minimum: 0 })
  attempts: number;

  @ApiProperty({ type: 'string', nullable: true, maxLength: 500 })
  lastError: string | null;

  occurredAt: Date;
}

export class DeadEventListDto {
  @ApiProperty({ type: [DeadEventDto], maxItems: 100 })
  items: DeadEventDto[];
}

export class ReplayedDeliveryDto {
  @ApiProperty({ maxLength: 100 })
  subscriber: string;

  @ApiProperty({ format: 'uuid' })
  eventId: string;

  @ApiProperty({ enum: ['pending'], description: 'due again now, with its attempts reset' })
  status: 'pending';
}
