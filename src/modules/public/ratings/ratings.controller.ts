import { Body, Controller, Get, Header, HttpCode, Param, Post, Query, StreamableFile } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiOkResponse,
  ApiProduces,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import { Allow, Public } from '../../../api/auth/allow.decorator';
import { Permission } from '../../../api/auth/permission';
import { Ctx } from '../../../api/context/ctx.decorator';
import type { RequestContext } from '../../../api/context/request-context';
import { Idempotent } from '../../../api/http/idempotency';
import { Page, PageQuery } from '../../../api/http/pagination';
import { UuidParam } from '../../../api/http/uuid-param';
import {
  AppealDecisionDto,
  AppealDto,
  IssueRatingCodeDto,
  RateDto,
  RateWithCodeDto,
  RectificationSatisfactionDto,
} from './dto/rating-input.dto';
import {
  AppealQuery,
  RatingAppealDto,
  RatingAppealPageDto,
  RatingCodeDto,
  RatingDto,
  RatingFiguresDto,
  RatingPageDto,
  RectificationDto,
  RectificationPageDto,
  RectificationQuery,
  StaffFiguresDto,
  StaffFiguresQuery,
  StaffRatingQuery,
} from './dto/rating.dto';
import { RatingAppealsService } from './rating-appeals.service';
import { RatingCodesService } from './rating-codes.service';
import { RatingFiguresService } from './rating-figures.service';
import { RatingPermission } from './ratings-vocabulary';
import { RatingsService } from './ratings.service';
import { RectificationsService } from './rectifications.service';

const STAFF_READ = [
  RatingPermission.Read,
  RatingPermission.Appeal,
  RatingPermission.Review,
  Permission.CaseSupervise,
];
const APPEAL_STAFF = [RatingPermission.Appeal, RatingPermission.Review, Permission.CaseSupervise];
const REVIEWERS = [RatingPermission.Review, Permission.CaseSupervise];

/** 好差评: rate a handled item, read ratings, appeal them. */
@ApiTags('ratings')
@Controller({ path: 'ratings', version: '1' })
export class RatingsController {
  constructor(
    private readonly ratings: RatingsService,
    private readonly appeals: RatingAppealsService,
  ) {}

  /** Rates an item of mine once it is handled, within the rating period (hall visits: with their code). */
  @Allow(Permission.SelfService)
  @Post()
  @Idempotent()
  @Header('Cache-Control', 'no-store')
  @ApiCreatedResponse({ type: RatingDto })
  rate(@Ctx() ctx: RequestContext, @Body() dto: RateDto): Promise<RatingDto> {
    return this.ratings.rate(ctx, dto);
  }

  /** The ratings of my units, or of one of them (and its sub-units), newest first; no comments in lists. */
  @Allow(...STAFF_READ)
  @Get()
  @Header('Cache-Control', 'private, no-store')
  @ApiOkResponse({ type: RatingPageDto })
  list(@Ctx() ctx: RequestContext, @Query() q: StaffRatingQuery): Promise<Page<RatingDto>> {
    return this.ratings.listForUnit(ctx, q);
  }

  /** One rating: the rater, or the unit's staff (`comment=true` shows the comment, audited). */
  @Allow(Permission.SelfService, ...STAFF_READ)
  @Get(':id')
  @Header('Cache-Control', 'private, no-store')
  @ApiQuery({ name: 'comment', required: false, enum: ['true', 'false'] })
  @ApiOkResponse({ type: RatingDto })
  get(
    @Ctx() ctx: RequestContext,
    @Param('id', UuidParam) id: string,
    @Query('comment') comment?: string,
  ): Promise<RatingDto> {
    return this.ratings.get(ctx, id, comment === 'true');
  }

  /** The rated unit appeals the rating as malicious or mistaken (one appeal per rating). */
  @Allow(RatingPermission.Appeal)
  @Post(':id/appeals')
  @Idempotent()
  @Header('Cache-Control', 'no-store')
  @ApiCreatedResponse({ type: RatingAppealDto })
  appeal(
    @Ctx() ctx: RequestContext,
    @Param('id', UuidParam) id: string,
    @Body() dto: AppealDto,
  ): Promise<RatingAppealDto> {
    return this.appeals.file(ctx, id, dto);
  }
}

@ApiTags('ratings')
@Controller({ path: 'me', version: '1' })
export class MyRatingsController {
  constructor(private readonly ratings: RatingsService) {}

  /** My ratings, newest first (defaults recorded by the silence rule included). */
  @Allow(Permission.SelfService)
  @Get('ratings')
  @Header('Cache-Control', 'private, no-store')
  @ApiOkResponse({ type: RatingPageDto })
  list(@Ctx() ctx: RequestContext, @Query() q: PageQuery): Promise<Page<RatingDto>> {
    return this.ratings.listMine(ctx, q);
  }
}

/** 评价码: a hall window's code for one visit, rated by the visitor signed in or not. */
@ApiTags('ratings')
@Controller({ path: 'rating-codes', version: '1' })
export class RatingCodesController {
  constructor(private readonly codes: RatingCodesService) {}

  @Allow(RatingPermission.IssueCode)
  @Post()
  @Idempotent()
  @Header('Cache-Control', 'no-store')
  @ApiCreatedResponse({ type: RatingCodeDto })
  issue(@Ctx() ctx: RequestContext, @Body() dto: IssueRatingCodeDto): Promise<RatingCodeDto> {
    return this.codes.issue(ctx, dto);
  }

  /** What the code rates (the unit, the service), until when, and whether it was used. */
  @Public()
  @Get(':code')
  @Header('Cache-Control', 'no-store')
  @ApiOkResponse({ type: RatingCodeDto })
  describe(@Ctx() ctx: RequestContext, @Param('code') code: string): Promise<RatingCodeDto> {
    return this.codes.describe(ctx, code);
  }

  /** SVG QR code of the rating URL, for the window's screen or a printed slip. */
  @Allow(RatingPermission.IssueCode)
  @Get(':code/qr.svg')
  @Header('Cache-Control', 'private, no-store')
  @ApiProduces('image/svg+xml')
  @ApiOkResponse({
    description: 'QR code of the rating URL (image/svg+xml)',
    content: { 'image/svg+xml': { schema: { type: 'string', format: 'binary', maxLength: 1_000_000 } } },
  })
  qr(@Ctx() ctx: RequestContext, @Param('code') code: string): Promise<StreamableFile> {
    return this.codes.qr(ctx, code);
  }

  /** The visitor's one rating of the visit; real-name when signed in (staff and machines: 403). */
  @Public()
  @Post(':code/rating')
  @Idempotent()
  @Header('Cache-Control', 'no-store')
  @ApiCreatedResponse({ type: RatingDto })
  @ApiForbiddenResponse({ description: 'Staff, clients and API keys do not rate visits (problem+json)' })
  rate(
    @Ctx() ctx: RequestContext,
    @Param('code') code: string,
    @Body() dto: RateWithCodeDto,
  ): Promise<RatingDto> {
    return this.codes.rate(ctx, code, dto);
  }
}

@ApiTags('ratings')
@Controller({ path: 'rating-appeals', version: '1' })
export class RatingAppealsController {
  constructor(private readonly appeals: RatingAppealsService) {}

  @Allow(...APPEAL_STAFF)
  @Get()
  @Header('Cache-Control', 'private, no-store')
  @ApiOkResponse({ type: RatingAppealPageDto })
  list(@Ctx() ctx: RequestContext, @Query() q: AppealQuery): Promise<Page<RatingAppealDto>> {
    return this.appeals.list(ctx, q);
  }

  @Allow(...APPEAL_STAFF)
  @Get(':id')
  @Header('Cache-Control', 'private, no-store')
  @ApiOkResponse({ type: RatingAppealDto })
  get(@Ctx() ctx: RequestContext, @Param('id', UuidParam) id: string): Promise<RatingAppealDto> {
    return this.appeals.get(ctx, id);
  }

  /** A supervisor over the unit upholds (the rating leaves the figures) or rejects the appeal. */
  @Allow(...REVIEWERS)
  @Post(':id/decision')
  @HttpCode(200)
  @Idempotent()
  @Header('Cache-Control', 'no-store')
  @ApiOkResponse({ type: RatingAppealDto })
  decide(
    @Ctx() ctx: RequestContext,
    @Param('id', UuidParam) id: string,
    @Body() dto: AppealDecisionDto,
  ): Promise<RatingAppealDto> {
    return this.appeals.decide(ctx, id, dto);
  }
}

/** Rectifications of bad ratings and their results: public, as the rules require. */
@ApiTags('ratings')
@Controller({ path: 'rectifications', version: '1' })
export class RectificationsController {
  constructor(private readonly rectifications: RectificationsService) {}

  @Public()
  @Get()
  @ApiOkResponse({ type: RectificationPageDto })
  list(@Ctx() ctx: RequestContext, @Query() q: RectificationQuery): Promise<Page<RectificationDto>> {
    return this.rectifications.list(ctx, q);
  }

  @Public()
  @Get(':id')
  @ApiOkResponse({ type: RectificationDto })
  get(@Ctx() ctx: RequestContext, @Param('id', UuidParam) id: string): Promise<RectificationDto> {
    return this.rectifications.get(ctx, id);
  }

  /** The rater judges the answered result, once. */
  @Allow(Permission.SelfService)
  @Post(':id/satisfaction')
  @HttpCode(200)
  @Idempotent()
  @Header('Cache-Control', 'no-store')
  @ApiOkResponse({ type: RectificationDto })
  rate(
    @Ctx() ctx: RequestContext,
    @Param('id', UuidParam) id: string,
    @Body() dto: RectificationSatisfactionDto,
  ): Promise<RectificationDto> {
    return this.rectifications.rate(ctx, id, dto);
  }
}

/** Published figures (公开评价指标) and staff figures. */
@ApiTags('ratings')
@Controller({ path: 'rating-figures', version: '1' })
export class RatingFiguresController {
  constructor(private readonly figures: RatingFiguresService) {}

  @Public()
  @Get('units/:id')
  @ApiOkResponse({ type: RatingFiguresDto })
  unit(@Ctx() ctx: RequestContext, @Param('id', UuidParam) id: string): Promise<RatingFiguresDto> {
    return this.figures.unit(ctx, id);
  }

  @Public()
  @Get('services/:id')
  @ApiOkResponse({ type: RatingFiguresDto })
  service(@Ctx() ctx: RequestContext, @Param('id', UuidParam) id: string): Promise<RatingFiguresDto> {
    return this.figures.service(ctx, id);
  }

  /** Per staff member of a unit and its sub-units, over a period (reviewers: rating:review over the unit). */
  @Allow(...REVIEWERS)
  @Get('staff')
  @Header('Cache-Control', 'private, no-store')
  @ApiOkResponse({ type: [StaffFiguresDto] })
  staff(@Ctx() ctx: RequestContext, @Query() q: StaffFiguresQuery): Promise<StaffFiguresDto[]> {
    return this.figures.staff(ctx, q);
  }
}
