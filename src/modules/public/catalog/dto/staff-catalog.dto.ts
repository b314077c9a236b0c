import {
  ArgsType,
  Field,
  ID,
  InputType,
  Int,
  IntersectionType as GraphQLIntersection,
  ObjectType,
  registerEnumType,
} from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional, IntersectionType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsEnum,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import { IsInstant } from '../../../../api/errors/validation';
import { ConnectionArgs } from '../../../../api/graphql/connection';
import { PageQuery } from '../../../../api/http/pagination';
import { DateTimeScalar, JsonObjectScalar } from '../../../../api/graphql/scalars';
import { IdentityAssurance } from '../../../platform/identity/identity-assurance';
import { ServiceStatus, ServiceTarget, ServiceType, ServiceVersionState } from '../service-kinds';
import { ServiceContentDto } from './service-content.dto';

registerEnumType(ServiceStatus, { name: 'ServiceStatus' });
registerEnumType(ServiceVersionState, { name: 'ServiceVersionState' });

/** The states a version can be open (unpublished) in. */
export type OpenVersionState = ServiceVersionState.Draft | ServiceVersionState.InReview;

/**
 * Filters of the staff catalogue list, declared once for both transports: REST reads them from the
 * query string (StaffServiceQueryDto), GraphQL from the arguments (StaffServicesArgs). Comments
 * are the REST descriptions (swagger plugin), `@Field` descriptions the GraphQL ones.
 */
@ArgsType()
export class StaffServiceFilters {
  @ApiPropertyOptional({ enum: ServiceStatus, enumName: 'ServiceStatus' })
  @Field(() => ServiceStatus, { nullable: true })
  @IsOptional()
  @IsEnum(ServiceStatus)
  status?: ServiceStatus;

  /** text in the implementation code or the title (open or published version, either language) */
  @ApiPropertyOptional({ minLength: 1, maxLength: 100 })
  @Field(() => String, {
    nullable: true,
    description: 'text in the implementation code or the title (open or published version, either language)',
  })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  q?: string;

  /** a unit in the caller's scope: its services and those of the units below it */
  @ApiPropertyOptional({ format: 'uuid' })
  @Field(() => ID, { nullable: true, description: 'a unit in scope: its services and those below it' })
  @IsOptional()
  @IsUUID()
  organisationId?: string;

  /** changed at or after this instant */
  @ApiPropertyOptional({ format: 'date-time' })
  @Field(() => DateTimeScalar, { nullable: true, description: 'changed at or after this instant' })
  @IsOptional()
  @IsInstant()
  updatedSince?: string;
}

/** `GET /v1/catalog/services`: the services of the caller's units, in any state. */
export class StaffServiceQueryDto extends IntersectionType(PageQuery, StaffServiceFilters) {}

@ArgsType()
export class StaffServicesArgs extends GraphQLIntersection(ConnectionArgs, StaffServiceFilters) {}

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

// ---- the staff view of one service (REST body and GraphQL object) and the staff inputs ----

export class CreateServiceDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  organisationId: string;

  /** 实施编码 */
  @ApiProperty({ maxLength: 64, pattern: '^[A-Za-z0-9-]{4,64}$' })
  @Matches(/^[A-Za-z0-9-]{4,64}$/)
  implementationCode: string;

  @ApiProperty({ enum: ServiceType, enumName: 'ServiceType' })
  @IsEnum(ServiceType)
  type: ServiceType;

  @ApiProperty({ enum: ServiceTarget, enumName: 'ServiceTarget' })
  @IsEnum(ServiceTarget)
  target: ServiceTarget;

  @ApiProperty({ type: ServiceContentDto })
  @IsObject()
  @ValidateNested()
  @Type(() => ServiceContentDto)
  draft: ServiceContentDto;
}

@ObjectType('ServiceVersion', { description: 'One guide version of a service.' })
export class ServiceVersionDto {
  @ApiProperty({ format: 'uuid' })
  @Field(() => ID)
  id: string;

  @ApiProperty()
  @Field(() => Int)
  number: number;

  @ApiProperty({ enum: ServiceVersionState, enumName: 'ServiceVersionState' })
  @Field(() => ServiceVersionState)
  state: ServiceVersionState;

  @ApiProperty({ type: ServiceContentDto })
  @Field(() => JsonObjectScalar, { description: 'the content, as REST ServiceContentDto' })
  content: ServiceContentDto;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  @Field(() => DateTimeScalar, { nullable: true })
  publishedAt: string | null;
}

/** The staff view of a service: its lifecycle, the open draft and the published version. */
@ObjectType('ServiceAdmin', {
  description:
    'The staff view of a service: lifecycle, open draft and published version (REST: GET /v1/catalog/services/{id}).',
})
export class ServiceAdminDto {
  @ApiProperty({ format: 'uuid' })
  @Field(() => ID)
  id: string;

  @ApiProperty({ format: 'uuid' })
  @Field(() => ID)
  organisationId: string;

  @ApiProperty()
  @Field()
  implementationCode: string;

  @ApiProperty({ enum: ServiceType, enumName: 'ServiceType' })
  @Field(() => ServiceType)
  type: ServiceType;

  @ApiProperty({ enum: ServiceTarget, enumName: 'ServiceTarget' })
  @Field(() => ServiceTarget)
  target: ServiceTarget;

  @ApiProperty({ enum: ServiceStatus, enumName: 'ServiceStatus' })
  @Field(() => ServiceStatus)
  status: ServiceStatus;

  /** the identity assurance in force (the published version's; none before the first publication) */
  @ApiProperty({ enum: IdentityAssurance, enumName: 'IdentityAssurance' })
  requiredAssurance: IdentityAssurance;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  @Field(() => ID, { nullable: true })
  currentPublishedVersionId: string | null;

  @ApiProperty({ type: ServiceVersionDto, nullable: true })
  @Field(() => ServiceVersionDto, { nullable: true })
  draft: ServiceVersionDto | null;

  @ApiProperty({ type: ServiceVersionDto, nullable: true })
  @Field(() => ServiceVersionDto, { nullable: true })
  published: ServiceVersionDto | null;

  /** the ETag / If-Match version */
  @ApiProperty()
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
