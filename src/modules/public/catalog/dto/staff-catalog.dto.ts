import { ArgsType, Field, ID, InputType, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEnum, IsNotEmpty, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { IsInstant } from '../../../../api/errors/validation';
import { ConnectionArgs } from '../../../../api/graphql/connection';
import { PageQuery } from '../../../../api/http/pagination';
import { DateTimeScalar, JsonObjectScalar } from '../../../../api/graphql/scalars';
import { ServiceStatus, ServiceTarget, ServiceType, ServiceVersionState } from '../service.entity';
import { CreateServiceDto, ServiceContentDto } from './catalog.dto';

registerEnumType(ServiceStatus, { name: 'ServiceStatus' });
registerEnumType(ServiceVersionState, { name: 'ServiceVersionState' });

/** The states a version can be open (unpublished) in. */
export type OpenVersionState = ServiceVersionState.Draft | ServiceVersionState.InReview;

/** Filters of the staff catalogue list, shared by REST (query string) and GraphQL (arguments). */
class StaffServiceFilters {
  status?: ServiceStatus;
  q?: string;
  organisationId?: string;
  updatedSince?: string;
}

/** `GET /v1/catalog/services`: the services of the caller's units, in any state. */
export class StaffServiceQueryDto extends PageQuery implements StaffServiceFilters {
  @ApiPropertyOptional({ enum: ServiceStatus, enumName: 'ServiceStatus' })
  @IsOptional()
  @IsEnum(ServiceStatus)
  status?: ServiceStatus;

  /** text in the implementation code or the title (open or published version, either language) */
  @ApiPropertyOptional({ minLength: 1, maxLength: 100 })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  q?: string;

  /** a unit in the caller's scope: its services and those of the units below it */
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  organisationId?: string;

  /** changed at or after this instant */
  @ApiPropertyOptional({ format: 'date-time' })
  @IsOptional()
  @IsInstant()
  updatedSince?: string;
}

@ArgsType()
export class StaffServicesArgs extends ConnectionArgs implements StaffServiceFilters {
  @Field(() => ServiceStatus, { nullable: true })
  @IsOptional()
  @IsEnum(ServiceStatus)
  status?: ServiceStatus;

  @Field(() => String, {
    nullable: true,
    description: 'text in the implementation code or the title (open or published version, either language)',
  })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  q?: string;

  @Field(() => ID, { nullable: true, description: 'a unit in scope: its services and those below it' })
  @IsOptional()
  @IsUUID()
  organisationId?: string;

  @Field(() => DateTimeScalar, { nullable: true, description: 'changed at or after this instant' })
  @IsOptional()
  @IsInstant()
  updatedSince?: string;
}

/** One service as the staff list shows it (REST item and GraphQL node). */
@ObjectType('CatalogueService', { description: "A service of the caller's units, in any state." })
export class StaffServiceDto {
  @ApiProperty({ format: 'uuid' })
  @Field(() => ID)
  id: string;

  @ApiProperty({ format: 'uuid' })
  @Field(() => ID)
  organisationId: string;

  @ApiProperty()
  @Field({ description: '实施编码' })
  implementationCode: string;

  /** the open version's title, else the published one's, in the caller's language */
  @ApiProperty()
  @Field({ description: "the open version's title, else the published one's, in the caller's language" })
  title: string;

  @ApiProperty({ enum: ServiceType, enumName: 'ServiceType' })
  @Field(() => ServiceType)
  type: ServiceType;

  @ApiProperty({ enum: ServiceTarget, enumName: 'ServiceTarget' })
  @Field(() => ServiceTarget)
  target: ServiceTarget;

  @ApiProperty({ enum: ServiceStatus, enumName: 'ServiceStatus' })
  @Field(() => ServiceStatus)
  status: ServiceStatus;

  /** the unpublished version's number and state (draft or in_review), if one is open */
  @ApiProperty({ type: Number, nullable: true })
  @Field(() => Int, { nullable: true, description: 'the open (unpublished) version, if any' })
  openVersionNumber: number | null;

  @ApiProperty({ enum: [ServiceVersionState.Draft, ServiceVersionState.InReview], nullable: true })
  @Field(() => ServiceVersionState, { nullable: true })
  openVersionState: OpenVersionState | null;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  @Field(() => ID, { nullable: true })
  currentPublishedVersionId: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  @Field(() => DateTimeScalar, { nullable: true })
  publishedAt: string | null;

  @ApiProperty({ format: 'date-time' })
  @Field(() => DateTimeScalar)
  updatedAt: string;

  /** the ETag / If-Match version (expectedVersion in GraphQL) */
  @ApiProperty()
  @Field(() => Int, { description: 'the If-Match version (expectedVersion)' })
  version: number;
}

export class StaffServicePageDto {
  @ApiProperty({ type: [StaffServiceDto] })
  items: StaffServiceDto[];

  @ApiProperty({ type: String, nullable: true })
  nextCursor: string | null;
}

// ---- GraphQL: the staff view and the inputs of the staff operations ----

@ObjectType('ServiceVersion', { description: 'One guide version of a service.' })
export class ServiceVersionNode {
  @Field(() => ID)
  id: string;

  @Field(() => Int)
  number: number;

  @Field(() => ServiceVersionState)
  state: ServiceVersionState;

  @Field(() => JsonObjectScalar, { description: 'the content, as REST ServiceContentDto' })
  content: ServiceContentDto;

  @Field(() => DateTimeScalar, { nullable: true })
  publishedAt: string | null;
}

@ObjectType('ServiceAdmin', {
  description:
    'The staff view of a service: lifecycle, open draft and published version (REST: GET /v1/catalog/services/{id}).',
})
export class ServiceAdminNode {
  @Field(() => ID)
  id: string;

  @Field(() => ID)
  organisationId: string;

  @Field()
  implementationCode: string;

  @Field(() => ServiceType)
  type: ServiceType;

  @Field(() => ServiceTarget)
  target: ServiceTarget;

  @Field(() => ServiceStatus)
  status: ServiceStatus;

  @Field(() => ID, { nullable: true })
  currentPublishedVersionId: string | null;

  @Field(() => ServiceVersionNode, { nullable: true })
  draft: ServiceVersionNode | null;

  @Field(() => ServiceVersionNode, { nullable: true })
  published: ServiceVersionNode | null;

  @Field(() => Int, { description: 'the If-Match version (expectedVersion)' })
  version: number;
}

/**
 * The body of POST /v1/catalog/services as a GraphQL input: the same class-validator rules
 * (inherited), so the same bad input gets the same pointers, under `/input`.
 */
@InputType('CreateCatalogueServiceInput')
export class CreateServiceInput extends CreateServiceDto {
  @Field(() => ID)
  declare organisationId: string;

  @Field({ description: '实施编码' })
  declare implementationCode: string;

  @Field(() => ServiceType)
  declare type: ServiceType;

  @Field(() => ServiceTarget)
  declare target: ServiceTarget;

  @Field(() => JsonObjectScalar, { description: 'the first draft, as REST ServiceContentDto' })
  declare draft: ServiceContentDto;
}
