import { Args, ID, Int, Mutation, ObjectType, Query, Resolver } from '@nestjs/graphql';
import { Allow } from '../../../api/auth/allow.decorator';
import { Permission } from '../../../api/auth/permission';
import { Ctx } from '../../../api/context/ctx.decorator';
import type { RequestContext } from '../../../api/context/request-context';
import { Connection, ConnectionShape, toConnection } from '../../../api/graphql/connection';
import { UuidParam } from '../../../api/http/uuid-param';
import { IdempotentMutation } from '../../../api/graphql/idempotent-mutation';
import { JsonObjectScalar } from '../../../api/graphql/scalars';
import { CatalogStaffService, STAFF_SERVICE_CURSOR } from './catalog-staff.service';
import { ServiceContentDto } from './dto/service-content.dto';
import {
  CreateServiceInput,
  ServiceAdminDto,
  StaffServiceDto,
  StaffServicesArgs,
} from './dto/staff-catalog.dto';

@ObjectType()
export class CatalogueServiceConnection extends Connection(StaffServiceDto, 'CatalogueService') {}

/** The key argument; @IdempotentMutation reads it, the resolvers do not. */
const KEY = {
  type: () => String,
  nullable: true,
  description: 'as the Idempotency-Key header of the REST twin',
};
const EXPECTED = {
  type: () => Int,
  nullable: true,
  description: 'the version last read (If-Match): another one is PRECONDITION_FAILED',
};

/** GraphQL twins of the staff catalogue (REST: /v1/catalog/services): same rules, one service. */
@Resolver(() => ServiceAdminDto)
export class StaffCatalogResolver {
  constructor(private readonly catalog: CatalogStaffService) {}

  @Allow(Permission.CatalogManage, Permission.CatalogReview)
  @Query(() => CatalogueServiceConnection, {
    description: "The services of the caller's units in any state (REST: GET /v1/catalog/services).",
  })
  async catalogueServices(
    @Ctx() ctx: RequestContext,
    @Args() args: StaffServicesArgs,
  ): Promise<ConnectionShape<StaffServiceDto>> {
    const { first, after, ...filters } = args;
    const page = await this.catalog.listStaff(ctx, { ...filters, limit: first, cursor: after ?? undefined });
    return toConnection(page.items, {
      cursorOf: (s) => STAFF_SERVICE_CURSOR.encode([s.id]),
      hasNextPage: page.nextCursor !== null,
      totalCount: page.count,
      hasPreviousPage: !!after,
    });
  }

  @Allow(Permission.CatalogManage, Permission.CatalogReview)
  @Query(() => ServiceAdminDto, {
    description: 'The staff view of one service (REST: GET /v1/catalog/services/{id}).',
  })
  catalogueService(
    @Ctx() ctx: RequestContext,
    @Args('id', { type: () => ID }, UuidParam) id: string,
  ): Promise<ServiceAdminDto> {
    return this.catalog.getAdmin(ctx, id);
  }

  @Allow(Permission.CatalogManage)
  @IdempotentMutation({ twin: 'POST /v1/catalog/services', status: 201, body: (args) => args.input })
  @Mutation(() => ServiceAdminDto, {
    description: 'Creates a service with its first draft (REST: POST /v1/catalog/services).',
  })
  createCatalogueService(
    @Ctx() ctx: RequestContext,
    @Args('input', { type: () => CreateServiceInput }) input: CreateServiceInput,
    @Args('idempotencyKey', KEY) _idempotencyKey?: string | null,
  ): Promise<ServiceAdminDto> {
    return this.catalog.create(ctx, input);
  }

  @Allow(Permission.CatalogManage)
  @Mutation(() => ServiceAdminDto, {
    description: 'Replaces the open draft (REST: PUT /v1/catalog/services/{id}/draft, If-Match required).',
  })
  updateCatalogueServiceDraft(
    @Ctx() ctx: RequestContext,
    @Args('id', { type: () => ID }, UuidParam) id: string,
    @Args('expectedVersion', { type: () => Int, description: 'the version last read (If-Match)' })
    expectedVersion: number,
    @Args('input', {
      type: () => JsonObjectScalar,
      description: 'the new draft content, as the body of the REST twin (ServiceContentDto)',
    })
    input: ServiceContentDto,
  ): Promise<ServiceAdminDto> {
    return this.catalog.updateDraft(ctx, id, expectedVersion, input);
  }

  @Allow(Permission.CatalogManage)
  @IdempotentMutation({ twin: 'POST /v1/catalog/services/:id/revise', status: 200 })
  @Mutation(() => ServiceAdminDto, { description: 'Opens a new draft, a copy of the published version.' })
  reviseCatalogueService(
    @Ctx() ctx: RequestContext,
    @Args('id', { type: () => ID }, UuidParam) id: string,
    @Args('expectedVersion', EXPECTED) expectedVersion?: number | null,
    @Args('idempotencyKey', KEY) _idempotencyKey?: string | null,
  ): Promise<ServiceAdminDto> {
    return this.catalog.revise(ctx, id, expectedVersion ?? undefined);
  }

  @Allow(Permission.CatalogManage)
  @IdempotentMutation({ twin: 'POST /v1/catalog/services/:id/submit', status: 200 })
  @Mutation(() => ServiceAdminDto, { description: 'Draft → in review.' })
  submitCatalogueService(
    @Ctx() ctx: RequestContext,
    @Args('id', { type: () => ID }, UuidParam) id: string,
    @Args('expectedVersion', EXPECTED) expectedVersion?: number | null,
    @Args('idempotencyKey', KEY) _idempotencyKey?: string | null,
  ): Promise<ServiceAdminDto> {
    return this.catalog.submit(ctx, id, expectedVersion ?? undefined);
  }

  @Allow(Permission.CatalogReview)
  @IdempotentMutation({ twin: 'POST /v1/catalog/services/:id/reject', status: 200 })
  @Mutation(() => ServiceAdminDto, { description: 'In review → back to draft (审核退回).' })
  rejectCatalogueService(
    @Ctx() ctx: RequestContext,
    @Args('id', { type: () => ID }, UuidParam) id: string,
    @Args('expectedVersion', EXPECTED) expectedVersion?: number | null,
    @Args('idempotencyKey', KEY) _idempotencyKey?: string | null,
  ): Promise<ServiceAdminDto> {
    return this.catalog.reject(ctx, id, expectedVersion ?? undefined);
  }

  @Allow(Permission.CatalogReview)
  @IdempotentMutation({ twin: 'POST /v1/catalog/services/:id/publish', status: 200 })
  @Mutation(() => ServiceAdminDto, { description: 'In review → published (the publication rules apply).' })
  publishCatalogueService(
    @Ctx() ctx: RequestContext,
    @Args('id', { type: () => ID }, UuidParam) id: string,
    @Args('expectedVersion', EXPECTED) expectedVersion?: number | null,
    @Args('idempotencyKey', KEY) _idempotencyKey?: string | null,
  ): Promise<ServiceAdminDto> {
    return this.catalog.publish(ctx, id, expectedVersion ?? undefined);
  }

  @Allow(Permission.CatalogReview)
  @IdempotentMutation({ twin: 'POST /v1/catalog/services/:id/retire', status: 200 })
  @Mutation(() => ServiceAdminDto, { description: 'Withdraws the service from the public catalogue.' })
  retireCatalogueService(
    @Ctx() ctx: RequestContext,
    @Args('id', { type: () => ID }, UuidParam) id: string,
    @Args('expectedVersion', EXPECTED) expectedVersion?: number | null,
    @Args('idempotencyKey', KEY) _idempotencyKey?: string | null,
  ): Promise<ServiceAdminDto> {
    return this.catalog.retire(ctx, id, expectedVersion ?? undefined);
  }
}
