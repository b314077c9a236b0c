import { Body, Controller, Get, Header, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiParam, ApiTags } from '@nestjs/swagger';
import { Allow, Public } from '../../../api/auth/allow.decorator';
import { Permission } from '../../../api/auth/permission';
import { Ctx } from '../../../api/context/ctx.decorator';
import type { RequestContext } from '../../../api/context/request-context';
import { Idempotent } from '../../../api/http/idempotency';
import { Page } from '../../../api/http/pagination';
import { UuidParam } from '../../../api/http/uuid-param';
import { ComplaintActionsService } from './complaint-actions.service';
import { ComplaintCategoriesService } from './complaint-categories.service';
import { ComplaintPermission } from './complaint-declarations';
import { ComplaintHotspotsService } from './complaint-hotspots.service';
import { ComplaintsPublicService } from './complaints-public.service';
import { ComplaintsService } from './complaints.service';
import {
  ComplaintFollowUpDto,
  ComplaintQueryDto,
  ComplaintReadQueryDto,
  FileComplaintDto,
  HotspotQueryDto,
  MergeComplaintDto,
  SuperviseComplaintDto,
} from './dto/complaint-input.dto';
import { ComplaintTimeLimitDto, CreateComplaintCategoryDto } from './dto/complaint-category.dto';
import {
  ComplaintCategoryDto,
  ComplaintDto,
  ComplaintPageDto,
  ComplaintUpdateRefDto,
  FiledComplaintDto,
  HotspotDto,
  HotspotPointDto,
  TrackedComplaintDto,
} from './dto/complaint.dto';

/** Case staff who may see work orders in their units (the policy decides which). */
export const COMPLAINT_STAFF = [
  Permission.CaseHandle,
  Permission.CaseReview,
  Permission.CaseApprove,
  Permission.CaseAssign,
  Permission.CaseSupervise,
];

const TRACKING_PARAM = ApiParam({
  name: 'code',
  description: 'the tracking code given at filing (16 Crockford base32 characters)',
  schema: { type: 'string', maxLength: 40 },
});

@ApiTags('complaints')
@Controller({ path: 'complaints', version: '1' })
export class ComplaintsController {
  constructor(
    private readonly complaints: ComplaintsService,
    private readonly actions: ComplaintActionsService,
    private readonly publicReads: ComplaintsPublicService,
    private readonly hotspots: ComplaintHotspotsService,
  ) {}

  /** Files a work order (anyone; real-name when signed in as a citizen and not anonymous). */
  @Public()
  @Post()
  @Idempotent()
  @HttpCode(201)
  @Header('Cache-Control', 'no-store')
  @ApiCreatedResponse({ type: FiledComplaintDto })
  file(@Ctx() ctx: RequestContext, @Body() dto: FileComplaintDto): Promise<FiledComplaintDto> {
    return this.complaints.file(ctx, dto);
  }

  /** Work orders of my dispatch centres and handling units, newest first (no contact data). */
  @Allow(...COMPLAINT_STAFF)
  @Get()
  @Header('Cache-Control', 'private, no-store')
  @ApiOkResponse({ type: ComplaintPageDto })
  list(@Ctx() ctx: RequestContext, @Query() q: ComplaintQueryDto): Promise<Page<ComplaintDto>> {
    return this.complaints.list(ctx, q);
  }

  /** 热点: counts per category × region × week (supervisors). */
  @Allow(Permission.CaseSupervise)
  @Get('hotspots')
  @Header('Cache-Control', 'private, no-store')
  @ApiOkResponse({ type: [HotspotDto] })
  hotspotCounts(@Ctx() ctx: RequestContext, @Query() q: HotspotQueryDto): Promise<HotspotDto[]> {
    return this.hotspots.counts(ctx, q);
  }

  /** 热点地图: grid cells with their counts, for a map (supervisors). */
  @Allow(Permission.CaseSupervise)
  @Get('hotspots/map')
  @Header('Cache-Control', 'private, no-store')
  @ApiOkResponse({ type: [HotspotPointDto] })
  hotspotMap(@Ctx() ctx: RequestContext, @Query() q: HotspotQueryDto): Promise<HotspotPointDto[]> {
    return this.hotspots.points(ctx, q);
  }

  /** The order and its public record for whoever holds the tracking code (no personal data). */
  @Public()
  @Get('track/:code')
  @TRACKING_PARAM
  @Header('Cache-Control', 'private, no-store')
  @ApiOkResponse({ type: TrackedComplaintDto })
  track(@Ctx() ctx: RequestContext, @Param('code') code: string): Promise<TrackedComplaintDto> {
    return this.publicReads.track(ctx, code);
  }

  /** A follow-up (or, with reopen, a 重办 request) by whoever holds the tracking code. */
  @Public()
  @Post('track/:code/follow-ups')
  @TRACKING_PARAM
  @Idempotent()
  @HttpCode(201)
  @Header('Cache-Control', 'no-store')
  @ApiCreatedResponse({ type: ComplaintUpdateRefDto })
  followUpByCode(
    @Ctx() ctx: RequestContext,
    @Param('code') code: string,
    @Body() dto: ComplaintFollowUpDto,
  ): Promise<ComplaintUpdateRefDto> {
    return this.actions.followUpByCode(ctx, code, dto);
  }

  /** One order: staff in scope (contact masked; `unmask=contact` for its handlers, audited) or its complainant. */
  @Allow(Permission.SelfService, ...COMPLAINT_STAFF)
  @Get(':id')
  @Header('Cache-Control', 'private, no-store')
  @ApiOkResponse({ type: ComplaintDto })
  get(
    @Ctx() ctx: RequestContext,
    @Param('id', UuidParam) id: string,
    @Query() q: ComplaintReadQueryDto,
  ): Promise<ComplaintDto> {
    return this.complaints.get(ctx, id, q);
  }

  /** A follow-up (or a 重办 request) by the real-name complainant. */
  @Allow(Permission.SelfService)
  @Post(':id/follow-ups')
  @Idempotent()
  @HttpCode(201)
  @Header('Cache-Control', 'no-store')
  @ApiCreatedResponse({ type: ComplaintUpdateRefDto })
  followUp(
    @Ctx() ctx: RequestContext,
    @Param('id', UuidParam) id: string,
    @Body() dto: ComplaintFollowUpDto,
  ): Promise<ComplaintUpdateRefDto> {
    return this.actions.followUpMine(ctx, id, dto);
  }

  /** 合并: closes a not yet dispatched order as a duplicate of another (dispatch centre handlers). */
  @Allow(Permission.CaseHandle)
  @Post(':id/merge')
  @Idempotent()
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @ApiOkResponse({ type: ComplaintDto })
  merge(
    @Ctx() ctx: RequestContext,
    @Param('id', UuidParam) id: string,
    @Body() dto: MergeComplaintDto,
  ): Promise<ComplaintDto> {
    return this.actions.merge(ctx, id, dto);
  }

  /** 督办: a supervision notice (blue / orange / red) to the handling unit (supervisors). */
  @Allow(Permission.CaseSupervise)
  @Post(':id/supervision')
  @Idempotent()
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @ApiOkResponse({ type: ComplaintDto })
  supervise(
    @Ctx() ctx: RequestContext,
    @Param('id', UuidParam) id: string,
    @Body() dto: SuperviseComplaintDto,
  ): Promise<ComplaintDto> {
    return this.actions.supervise(ctx, id, dto);
  }
}

@ApiTags('complaints')
@Controller({ path: 'complaint-categories', version: '1' })
export class ComplaintCategoriesController {
  constructor(private readonly categories: ComplaintCategoriesService) {}

  /** The category tree (leaves take work orders). */
  @Public()
  @Get()
  @ApiOkResponse({ type: [ComplaintCategoryDto] })
  list(@Ctx() ctx: RequestContext): Promise<ComplaintCategoryDto[]> {
    return this.categories.list(ctx);
  }

  /** A new node of the tree (complaint:manage over its dispatch centre); a leaf gets the default workflow. */
  @Allow(ComplaintPermission.Manage)
  @Post()
  @Idempotent()
  @HttpCode(201)
  @Header('Cache-Control', 'no-store')
  @ApiCreatedResponse({ type: ComplaintCategoryDto })
  create(@Ctx() ctx: RequestContext, @Body() dto: CreateComplaintCategoryDto): Promise<ComplaintCategoryDto> {
    return this.categories.create(ctx, dto);
  }

  @Public()
  @Get(':code')
  @ApiParam({ name: 'code', schema: { type: 'string', maxLength: 84 } })
  @ApiOkResponse({ type: ComplaintCategoryDto })
  get(@Ctx() ctx: RequestContext, @Param('code') code: string): Promise<ComplaintCategoryDto> {
    return this.categories.get(ctx, code);
  }

  /** Sets the category's time limit for one urgency in a region (or everywhere). */
  @Allow(ComplaintPermission.Manage)
  @Post(':code/time-limits')
  @ApiParam({ name: 'code', schema: { type: 'string', maxLength: 84 } })
  @Idempotent()
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @ApiOkResponse({ type: ComplaintTimeLimitDto })
  setTimeLimit(
    @Ctx() ctx: RequestContext,
    @Param('code') code: string,
    @Body() dto: ComplaintTimeLimitDto,
  ): Promise<ComplaintTimeLimitDto> {
    return this.categories.setTimeLimit(ctx, code, dto);
  }
}
