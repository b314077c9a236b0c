import { Args, ID, Mutation, ObjectType, Query, Resolver } from '@nestjs/graphql';
import { Allow, Public } from '../../../api/auth/allow.decorator';
import { Permission } from '../../../api/auth/permission';
import { Ctx } from '../../../api/context/ctx.decorator';
import type { RequestContext } from '../../../api/context/request-context';
import { Connection, ConnectionShape, toConnection } from '../../../api/graphql/connection';
import { IdempotentMutation } from '../../../api/graphql/idempotent-mutation';
import { ComplaintActionsService } from './complaint-actions.service';
import { ComplaintCategoriesService } from './complaint-categories.service';
import { ComplaintPermission } from './complaint-declarations';
import { ComplaintHotspotsService } from './complaint-hotspots.service';
import { COMPLAINT_STAFF } from './complaints.controller';
import { ComplaintsPublicService } from './complaints-public.service';
import { COMPLAINT_CURSOR, ComplaintsService } from './complaints.service';
import {
  ComplaintFollowUpDto,
  ComplaintsArgs,
  FileComplaintDto,
  HotspotQueryDto,
  MergeComplaintDto,
  SuperviseComplaintDto,
} from './dto/complaint-input.dto';
import { ComplaintTimeLimitDto, CreateComplaintCategoryDto } from './dto/complaint-category.dto';
import {
  ComplaintCategoryDto,
  ComplaintDto,
  ComplaintUpdateRefDto,
  FiledComplaintDto,
  HotspotDto,
  HotspotPointDto,
  TrackedComplaintDto,
} from './dto/complaint.dto';

@ObjectType()
export class ComplaintConnection extends Connection(ComplaintDto, 'Complaint') {}

/** The REST body of a GraphQL input: fields left out or null are absent, as in JSON. */
const body = <T extends object>(input: T): Partial<T> =>
  Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined && v !== null)) as Partial<T>;

@Resolver(() => ComplaintDto)
export class ComplaintsResolver {
  constructor(
    private readonly service: ComplaintsService,
    private readonly actions: ComplaintActionsService,
    private readonly publicReads: ComplaintsPublicService,
    private readonly hotspots: ComplaintHotspotsService,
    private readonly categories: ComplaintCategoriesService,
  ) {}

  @Public()
  @Query(() => [ComplaintCategoryDto], {
    description: 'The complaint category tree (leaves take work orders).',
  })
  complaintCategories(@Ctx() ctx: RequestContext): Promise<ComplaintCategoryDto[]> {
    return this.categories.list(ctx);
  }

  @Public()
  @IdempotentMutation<{ input: FileComplaintDto }>({
    twin: 'POST /v1/complaints',
    status: 201,
    body: (a) => body(a.input),
  })
  @Mutation(() => FiledComplaintDto, {
    description:
      'Files a work order (anyone). A retry with the same idempotencyKey returns the first answer.',
  })
  fileComplaint(
    @Ctx() ctx: RequestContext,
    @Args('input') input: FileComplaintDto,
    @Args('idempotencyKey', { type: () => String, nullable: true }) _idempotencyKey?: string,
  ): Promise<FiledComplaintDto> {
    return this.service.file(ctx, body(input) as FileComplaintDto);
  }

  @Allow(...COMPLAINT_STAFF)
  @Query(() => ComplaintConnection, {
    description: 'Work orders of my dispatch centres and handling units, newest first.',
  })
  async complaints(
    @Ctx() ctx: RequestContext,
    @Args() args: ComplaintsArgs,
  ): Promise<ConnectionShape<ComplaintDto>> {
    const { first, after, ...filters } = args;
    const page = await this.service.list(ctx, { ...body(filters), limit: first, cursor: after ?? undefined });
    return toConnection(page.items, {
      cursorOf: (c) => COMPLAINT_CURSOR.encode([c.id]),
      hasNextPage: page.nextCursor !== null,
      totalCount: page.count,
    });
  }

  @Allow(Permission.SelfService, ...COMPLAINT_STAFF)
  @Query(() => ComplaintDto, {
    description: 'One work order (staff: contact masked unless unmask; audited).',
  })
  complaint(
    @Ctx() ctx: RequestContext,
    @Args('id', { type: () => ID }) id: string,
    @Args('unmask', {
      type: () => String,
      nullable: true,
      description: "'contact': the complainant's contact in clear (handlers only)",
    })
    unmask?: string | null,
    @Args('reason', { type: () => String, nullable: true }) reason?: string | null,
  ): Promise<ComplaintDto> {
    return this.service.get(ctx, id, { unmask: unmask ? 'contact' : undefined, reason: reason ?? undefined });
  }

  @Public()
  @Query(() => TrackedComplaintDto, { description: 'A work order by its tracking code (no personal data).' })
  trackComplaint(@Ctx() ctx: RequestContext, @Args('code') code: string): Promise<TrackedComplaintDto> {
    return this.publicReads.track(ctx, code);
  }

  @Public()
  @IdempotentMutation<{ code: string; input: ComplaintFollowUpDto }>({
    twin: 'POST /v1/complaints/track/:code/follow-ups',
    status: 201,
    body: (a) => body(a.input),
  })
  @Mutation(() => ComplaintUpdateRefDto, {
    description: 'A follow-up (or a reopen request) by tracking code.',
  })
  trackedComplaintFollowUp(
    @Ctx() ctx: RequestContext,
    @Args('code') code: string,
    @Args('input') input: ComplaintFollowUpDto,
    @Args('idempotencyKey', { type: () => String, nullable: true }) _idempotencyKey?: string,
  ): Promise<ComplaintUpdateRefDto> {
    return this.actions.followUpByCode(ctx, code, body(input) as ComplaintFollowUpDto);
  }

  @Allow(Permission.SelfService)
  @IdempotentMutation<{ id: string; input: ComplaintFollowUpDto }>({
    twin: 'POST /v1/complaints/:id/follow-ups',
    status: 201,
    body: (a) => body(a.input),
  })
  @Mutation(() => ComplaintUpdateRefDto, {
    description: 'A follow-up (or a reopen request) by the real-name complainant.',
  })
  addComplaintFollowUp(
    @Ctx() ctx: RequestContext,
    @Args('id', { type: () => ID }) id: string,
    @Args('input') input: ComplaintFollowUpDto,
    @Args('idempotencyKey', { type: () => String, nullable: true }) _idempotencyKey?: string,
  ): Promise<ComplaintUpdateRefDto> {
    return this.actions.followUpMine(ctx, id, body(input) as ComplaintFollowUpDto);
  }

  @Allow(Permission.CaseHandle)
  @IdempotentMutation<{ id: string; input: MergeComplaintDto }>({
    twin: 'POST /v1/complaints/:id/merge',
    status: 200,
    body: (a) => a.input,
  })
  @Mutation(() => ComplaintDto, {
    description: 'Merges a not yet dispatched order into another about the same matter.',
  })
  mergeComplaint(
    @Ctx() ctx: RequestContext,
    @Args('id', { type: () => ID }) id: string,
    @Args('input') input: MergeComplaintDto,
    @Args('idempotencyKey', { type: () => String, nullable: true }) _idempotencyKey?: string,
  ): Promise<ComplaintDto> {
    return this.actions.merge(ctx, id, input);
  }

  @Allow(Permission.CaseSupervise)
  @IdempotentMutation<{ id: string; input: SuperviseComplaintDto }>({
    twin: 'POST /v1/complaints/:id/supervision',
    status: 200,
    body: (a) => a.input,
  })
  @Mutation(() => ComplaintDto, { description: '督办: a supervision notice to the handling unit.' })
  superviseComplaint(
    @Ctx() ctx: RequestContext,
    @Args('id', { type: () => ID }) id: string,
    @Args('input') input: SuperviseComplaintDto,
    @Args('idempotencyKey', { type: () => String, nullable: true }) _idempotencyKey?: string,
  ): Promise<ComplaintDto> {
    return this.actions.supervise(ctx, id, input);
  }

  @Allow(Permission.CaseSupervise)
  @Query(() => [HotspotDto], { description: '热点: work orders per category × region × week.' })
  complaintHotspots(@Ctx() ctx: RequestContext, @Args() q: HotspotQueryDto): Promise<HotspotDto[]> {
    return this.hotspots.counts(ctx, q);
  }

  @Allow(Permission.CaseSupervise)
  @Query(() => [HotspotPointDto], { description: '热点地图: grid cells with their counts.' })
  complaintHotspotMap(@Ctx() ctx: RequestContext, @Args() q: HotspotQueryDto): Promise<HotspotPointDto[]> {
    return this.hotspots.points(ctx, q);
  }

  @Allow(ComplaintPermission.Manage)
  @IdempotentMutation<{ input: CreateComplaintCategoryDto }>({
    twin: 'POST /v1/complaint-categories',
    status: 201,
    body: (a) => body(a.input),
  })
  @Mutation(() => ComplaintCategoryDto, { description: 'A new node of the complaint category tree.' })
  createComplaintCategory(
    @Ctx() ctx: RequestContext,
    @Args('input') input: CreateComplaintCategoryDto,
    @Args('idempotencyKey', { type: () => String, nullable: true }) _idempotencyKey?: string,
  ): Promise<ComplaintCategoryDto> {
    return this.categories.create(ctx, body(input) as CreateComplaintCategoryDto);
  }

  @Allow(ComplaintPermission.Manage)
  @IdempotentMutation<{ code: string; input: ComplaintTimeLimitDto }>({
    twin: 'POST /v1/complaint-categories/:code/time-limits',
    status: 200,
    body: (a) => body(a.input),
  })
  @Mutation(() => Boolean, {
    description: "Sets a category's time limit for one urgency in a region (or everywhere).",
  })
  async setComplaintTimeLimit(
    @Ctx() ctx: RequestContext,
    @Args('code') code: string,
    @Args('input') input: ComplaintTimeLimitDto,
    @Args('idempotencyKey', { type: () => String, nullable: true }) _idempotencyKey?: string,
  ): Promise<boolean> {
    await this.categories.setTimeLimit(ctx, code, body(input) as ComplaintTimeLimitDto);
    return true;
  }
}
