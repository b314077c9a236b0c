import { Field, ID, ObjectType } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { DateTimeScalar } from '../../../../api/graphql/scalars';

@ObjectType('TimelineItem', { description: 'One of my items with the government, as the timeline lists it.' })
export class TimelineItemDto {
  @Field({ description: 'application (later: consultation, complaint, rating)' })
  @ApiProperty({ example: 'application' })
  kind: string;

  @Field(() => ID)
  @ApiProperty({ format: 'uuid' })
  id: string;

  @Field({ description: 'in the caller language' })
  @ApiProperty()
  title: string;

  @Field({ description: 'the item state in its own vocabulary (e.g. an application status)' })
  @ApiProperty()
  state: string;

  @Field(() => DateTimeScalar, { nullable: true, description: 'the next date that matters, if any' })
  @ApiPropertyOptional({ type: 'string', format: 'date-time', nullable: true })
  nextDeadline: string | null;

  @Field(() => DateTimeScalar)
  @ApiProperty({ format: 'date-time' })
  updatedAt: string;
}

export class TimelinePageDto {
  @ApiProperty({ type: [TimelineItemDto] })
  items: TimelineItemDto[];

  @ApiPropertyOptional({ type: 'string', nullable: true })
  nextCursor: string | null;
}
