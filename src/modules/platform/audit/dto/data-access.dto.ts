import { ArgsType, Field, Float, ID, ObjectType } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional } from 'class-validator';
import { IsInstant } from '../../../../api/errors/validation';
import { ConnectionArgs } from '../../../../api/graphql/connection';
import { PageQuery } from '../../../../api/http/pagination';
import { DateTimeScalar } from '../../../../api/graphql/scalars';

/** `?since=&until=&limit=&cursor=`, newest first (the Estonian Data Tracker's findUsage, paged by cursor). */
export class DataAccessQueryDto extends PageQuery {
  /** only accesses at or after this instant (ISO 8601) */
  @ApiPropertyOptional({ format: 'date-time' })
  @IsOptional()
  @IsInstant()
  since?: string;

  /** only accesses before this instant (ISO 8601) */
  @ApiPropertyOptional({ format: 'date-time' })
  @IsOptional()
  @IsInstant()
  until?: string;
}

/** GraphQL twin of DataAccessQueryDto: `first`/`after` plus the same period filters. */
@ArgsType()
export class DataAccessArgs extends ConnectionArgs {
  @Field(() => DateTimeScalar, {
    nullable: true,
    description: 'only accesses at or after this instant (ISO 8601)',
  })
  @IsOptional()
  @IsInstant()
  since?: string;

  @Field(() => DateTimeScalar, {
    nullable: true,
    description: 'only accesses before this instant (ISO 8601)',
  })
  @IsOptional()
  @IsInstant()
  until?: string;
}

/** The agency (or unit) whose staff or system accessed the data. */
@ObjectType('DataAccessAgency')
export class DataAccessAgencyDto {
  @Field(() => ID)
  @ApiProperty({ format: 'uuid' })
  id: string;

  /** in the caller's language where a translation exists */
  @Field({ description: "in the caller's language where a translation exists" })
  name: string;
}

/** Which kind of system accessed the data; for staff only the agency is shown, never the person. */
@ObjectType('DataAccessSystem')
export class DataAccessSystemDto {
  @Field({ description: 'staff, client or apikey' })
  @ApiProperty({ enum: ['staff', 'client', 'apikey'] })
  kind: 'staff' | 'client' | 'apikey';

  /** the machine client or API key, for client and apikey accesses */
  @Field(() => ID, {
    nullable: true,
    description: 'the machine client or API key, for client and apikey accesses',
  })
  @ApiProperty({ type: 'string', nullable: true })
  clientId: string | null;
}

@ObjectType('DataAccess', { description: 'One access to my personal data by an agency or another system.' })
export class DataAccessItemDto {
  /** audit log position: quote it when asking the agency about this access */
  @Field(() => Float, {
    description: 'audit log position (an integer): quote it when asking the agency about this access',
  })
  @ApiProperty({ type: 'integer', minimum: 0 })
  seq: number;

  @Field(() => DateTimeScalar)
  @ApiProperty({ format: 'date-time' })
  at: string;

  /** what was done, e.g. account.read */
  @Field({ description: 'what was done, e.g. account.read' })
  action: string;

  /** the reason the agency stated */
  @Field(() => String, { nullable: true, description: 'the reason the agency stated' })
  @ApiProperty({ type: 'string', nullable: true })
  purpose: string | null;

  @Field(() => String, { nullable: true })
  @ApiProperty({ type: 'string', nullable: true })
  legalBasis: string | null;

  @Field(() => DataAccessAgencyDto, { nullable: true })
  @ApiProperty({ type: DataAccessAgencyDto, nullable: true })
  agency: DataAccessAgencyDto | null;

  @Field(() => DataAccessSystemDto)
  system: DataAccessSystemDto;

  /** the channel the access came through, when declared */
  @Field(() => String, { nullable: true, description: 'the channel the access came through, when declared' })
  @ApiProperty({ type: 'string', nullable: true })
  channel: string | null;
}

export class DataAccessPageDto {
  @ApiProperty({ type: [DataAccessItemDto], maxItems: 100 })
  items: DataAccessItemDto[];

  @ApiProperty({ type: 'string', nullable: true, maxLength: 512 })
  nextCursor: string | null;
}
