import { ArgsType, Field, ID, Int, ObjectType } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Equals, IsBoolean, IsIn, IsOptional } from 'class-validator';
import { ConnectionArgs } from '../../../../api/graphql/connection';
import { PageQuery } from '../../../../api/http/pagination';

/** `?unread=true` lists only unread messages. */
export class InboxQueryDto extends PageQuery {
  @ApiPropertyOptional({ enum: ['true', 'false'], description: 'true: only unread messages' })
  @IsOptional()
  @IsIn(['true', 'false'])
  unread?: 'true' | 'false';
}

@ArgsType()
export class InboxArgs extends ConnectionArgs {
  @Field(() => Boolean, { nullable: true, description: 'true: only unread messages' })
  @IsOptional()
  @IsBoolean()
  unread?: boolean | null;
}

/** One message in the signed-in account's in-app inbox. */
@ObjectType('InboxMessage', { description: "A message in the signed-in account's in-app inbox." })
export class InboxMessageDto {
  @Field(() => ID)
  @ApiProperty({ format: 'uuid' })
  id: string;

  /** what the message is about, e.g. `application.status_changed` */
  @Field({ description: 'what the message is about, e.g. application.status_changed' })
  @ApiProperty({ maxLength: 64, example: 'application.status_changed' })
  template: string;

  @Field()
  @ApiProperty({ maxLength: 200 })
  title: string;

  @Field()
  @ApiProperty()
  body: string;

  /** a frontend path to open, e.g. /applications/0190… */
  @Field(() => String, { nullable: true, description: 'a frontend path to open' })
  @ApiPropertyOptional({ type: 'string', nullable: true, maxLength: 500 })
  link: string | null;

  @Field(() => Date, { nullable: true })
  @ApiPropertyOptional({ type: 'string', format: 'date-time', nullable: true })
  readAt: Date | null;

  @Field(() => Date)
  @ApiProperty({ type: 'string', format: 'date-time' })
  createdAt: Date;
}

export class InboxPageDto {
  @ApiProperty({ type: [InboxMessageDto], maxItems: 100 })
  items: InboxMessageDto[];

  @ApiProperty({ type: 'string', nullable: true, maxLength: 512 })
  nextCursor: string | null;
}

export class UnreadCountDto {
  @ApiProperty({ type: 'integer', minimum: 0 })
  count: number;
}

export class ReadAllDto {
  /** messages that were unread and are now read */
  @ApiProperty({ type: 'integer', minimum: 0 })
  updated: number;
}

/** Which channels may carry notices besides the inbox; PUT sends the whole set. */
export class NotificationPreferencesDto {
  /** the in-app inbox is always on */
  @ApiPropertyOptional({ enum: [true], description: 'the in-app inbox is always on; false is refused' })
  @IsOptional()
  @Equals(true)
  inapp?: boolean;

  @ApiProperty({ description: 'e-mail notices, when the account has an e-mail address' })
  @IsBoolean()
  email: boolean;

  @ApiProperty({ description: 'SMS notices, when the account has a phone number' })
  @IsBoolean()
  sms: boolean;
}

@ObjectType('InboxUnreadCount')
export class UnreadCountGql {
  @Field(() => Int)
  count: number;
}
