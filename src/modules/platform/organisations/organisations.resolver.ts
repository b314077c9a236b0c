import { Args, ID, Int, Mutation, ObjectType, Query, Resolver } from '@nestjs/graphql';
import { ParseUUIDPipe } from '@nestjs/common';
import { Allow, Public } from '../../../api/auth/allow.decorator';
import { Permission } from '../../../api/auth/permission';
import { IdempotentMutation } from '../../../api/graphql/idempotent-mutation';
import { Ctx } from '../../../api/context/ctx.decorator';
import type { RequestContext } from '../../../api/context/request-context';
import { Connection, ConnectionShape, toConnection } from '../../../api/graphql/connection';
import { SHARED_QUERY_FIELDS } from '../../../api/graphql/shared-answer';
import { OrganisationArgs } from './dto/organisation-args.dto';
import {
  CreateOrganisationDto,
  CreateRegionDto,
  OrganisationDto,
  RegionDto,
  UpdateOrganisationDto,
} from './dto/organisation.dto';
import { ORGANISATION_CURSOR, OrganisationsService } from './organisations.service';

// Answered from the directory cache only, so anonymous answers may be replayed.
SHARED_QUERY_FIELDS.add('organisations');

@ObjectType()
export class OrganisationConnection extends Connection(OrganisationDto, 'Organisation') {}

@Resolver(() => OrganisationDto)
export class OrganisationsResolver {
  constructor(private readonly service: OrganisationsService) {}

  @Public()
  @Query(() => OrganisationConnection, { description: 'The public directory of agencies and departments.' })
  async organisations(
    @Ctx() ctx: RequestContext,
    @Args() args: OrganisationArgs,
  ): Promise<ConnectionShape<OrganisationDto>> {
    const { first, after, ...filters } = args;
    const page = await this.service.list(ctx, { ...filters, limit: first, cursor: after ?? undefined });
    return toConnection(page.items, {
      cursorOf: (o) => ORGANISATION_CURSOR.encode([o.id]),
      hasNextPage: page.nextCursor !== null,
      totalCount: page.count,
    });
  }

  @Public()
  @Query(() => OrganisationDto)
  organisation(
    @Ctx() ctx: RequestContext,
    @Args('id', { type: () => ID }, ParseUUIDPipe) id: string,
  ): Promise<OrganisationDto> {
    return this.service.get(ctx, id);
  }

  @Public()
  @Query(() => [RegionDto])
  regions(
    @Ctx() ctx: RequestContext,
    @Args('parentCode', { nullable: true }) parentCode?: string,
  ): Promise<RegionDto[]> {
    return this.service.listRegions(ctx, parentCode);
  }

  @Allow(Permission.OrganisationManage)
  @IdempotentMutation<{ input: CreateOrganisationDto }>({
    twin: 'POST /v1/organisations',
    status: 201,
    body: (args) => args.input,
  })
  @Mutation(() => OrganisationDto, {
    description:
      'Creates a unit below one the caller manages (top-level agencies need province-wide rights). A retry with the same idempotencyKey returns the first answer.',
  })
  createOrganisation(
    @Ctx() ctx: RequestContext,
    @Args('input') input: CreateOrganisationDto,
    @Args('idempotencyKey', { type: () => String, nullable: true }) _idempotencyKey?: string,
  ): Promise<OrganisationDto> {
    return this.service.create(ctx, input);
  }

  /** `expectedVersion` plays the part of If-Match: a stale version is refused (PRECONDITION_FAILED). */
  @Allow(Permission.OrganisationManage)
  @Mutation(() => OrganisationDto)
  updateOrganisation(
    @Ctx() ctx: RequestContext,
    @Args('id', { type: () => ID }, ParseUUIDPipe) id: string,
    @Args('expectedVersion', { type: () => Int }) expectedVersion: number,
    @Args('input') input: UpdateOrganisationDto,
  ): Promise<OrganisationDto> {
    return this.service.update(ctx, id, expectedVersion, input);
  }

  @Allow(Permission.OrganisationManage)
  @IdempotentMutation<{ input: CreateRegionDto }>({
    twin: 'POST /v1/regions',
    status: 201,
    body: (args) => args.input,
  })
  @Mutation(() => RegionDto, {
    description:
      'Adds a region (organisation:manage without a unit limit). A retry with the same idempotencyKey returns the first answer.',
  })
  createRegion(
    @Ctx() ctx: RequestContext,
    @Args('input') input: CreateRegionDto,
    @Args('idempotencyKey', { type: () => String, nullable: true }) _idempotencyKey?: string,
  ): Promise<RegionDto> {
    return this.service.createRegion(ctx, input);
  }
}
