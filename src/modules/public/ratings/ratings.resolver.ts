import { Args, ID, Mutation, ObjectType, Query, Resolver } from '@nestjs/graphql';
import { Allow, Public } from '../../../api/auth/allow.decorator';
import { Permission } from '../../../api/auth/permission';
import { Ctx } from '../../../api/context/ctx.decorator';
import type { RequestContext } from '../../../api/context/request-context';
import { Connection, ConnectionArgs, ConnectionShape, toConnection } from '../../../api/graphql/connection';
import { IdempotentMutation } from '../../../api/graphql/idempotent-mutation';
import { DateScalar } from '../../../api/graphql/scalars';
import { SHARED_QUERY_FIELDS } from '../../../api/graphql/shared-answer';
import type { Page } from '../../../api/http/pagination';
import {
  AppealDecisionDto,
  AppealDto,
  IssueRatingCodeDto,
  RateDto,
  RateWithCodeDto,
  RectificationSatisfactionDto,
} from './dto/rating-input.dto';
import {
  RatingAppealDto,
  RatingCodeDto,
  RatingDto,
  RatingFiguresDto,
  RectificationDto,
  StaffFiguresDto,
} from './dto/rating.dto';
import { AppealStatus, RatingLevel } from './rating-levels';
import { APPEAL_CURSOR, RatingAppealsService } from './rating-appeals.service';
import { RatingCodesService } from './rating-codes.service';
import { RatingFiguresService } from './rating-figures.service';
import { RatingPermission } from './ratings-vocabulary';
import { RATING_CURSOR, RatingsService, UNIT_RATING_CURSOR } from './ratings.service';
import { RECTIFICATION_CURSOR, RectificationsService } from './rectifications.service';

// Public figures answer wholly from the shared read cache: the public-read front may replay them.
SHARED_QUERY_FIELDS.add('unitRatingFigures').add('serviceRatingFigures');

@ObjectType()
export class RatingConnection extends Connection(RatingDto, 'Rating') {}
@ObjectType()
export class RatingAppealConnection extends Connection(RatingAppealDto, 'RatingAppeal') {}
@ObjectType()
export class RectificationConnection extends Connection(RectificationDto, 'Rectification') {}

const STAFF_READ = [
  RatingPermission.Read,
  RatingPermission.Appeal,
  RatingPermission.Review,
  Permission.CaseSupervise,
];
const APPEAL_STAFF = [RatingPermission.Appeal, RatingPermission.Review, Permission.CaseSupervise];
const REVIEWERS = [RatingPermission.Review, Permission.CaseSupervise];

function connect<T extends { id: string }>(
  page: Page<T>,
  codec: { encode(v: [string]): string },
): ConnectionShape<T> {
  return toConnection(page.items, {
    cursorOf: (x) => codec.encode([x.id]),
    hasNextPage: page.nextCursor !== null,
    totalCount: page.count,
  });
}

const pageOf = (args: ConnectionArgs) => ({ limit: args.first, cursor: args.after ?? undefined });

/** GraphQL twins of the ratings routes, one line each over the same services. */
@Resolver()
export class RatingsResolver {
  constructor(
    private readonly ratings: RatingsService,
    private readonly codes: RatingCodesService,
    private readonly appeals: RatingAppealsService,
    private readonly rectificationService: RectificationsService,
    private readonly figures: RatingFiguresService,
  ) {}

  @Allow(Permission.SelfService)
  @IdempotentMutation<{ input: RateDto }>({ twin: 'POST /v1/ratings', status: 201, body: (a) => a.input })
  @Mutation(() => RatingDto, { description: 'Rates a handled item of mine once (好差评).' })
  rate(
    @Ctx() ctx: RequestContext,
    @Args('input') input: RateDto,
    @Args('idempotencyKey', { type: () => String, nullable: true }) _key?: string,
  ): Promise<RatingDto> {
    return this.ratings.rate(ctx, input);
  }

  @Allow(Permission.SelfService)
  @Query(() => RatingConnection, { description: 'My ratings, newest first.' })
  async myRatings(
    @Ctx() ctx: RequestContext,
    @Args() args: ConnectionArgs,
  ): Promise<ConnectionShape<RatingDto>> {
    return connect(await this.ratings.listMine(ctx, pageOf(args)), RATING_CURSOR);
  }

  @Allow(Permission.SelfService, ...STAFF_READ)
  @Query(() => RatingDto, { description: "One rating: the rater's, or the unit staff's (comment: audited)." })
  rating(
    @Ctx() ctx: RequestContext,
    @Args('id', { type: () => ID }) id: string,
    @Args('comment', { type: () => Boolean, nullable: true }) comment?: boolean,
  ): Promise<RatingDto> {
    return this.ratings.get(ctx, id, comment === true);
  }

  @Allow(...STAFF_READ)
  @Query(() => RatingConnection, {
    description: 'The ratings of my units (or of one, with its sub-units), newest first.',
  })
  async unitRatings(
    @Ctx() ctx: RequestContext,
    @Args() args: ConnectionArgs,
    @Args('organisationId', { type: () => ID, nullable: true }) organisationId?: string,
    @Args('level', { type: () => RatingLevel, nullable: true }) level?: RatingLevel,
  ): Promise<ConnectionShape<RatingDto>> {
    const page = await this.ratings.listForUnit(ctx, {
      ...pageOf(args),
      organisationId: organisationId ?? undefined,
      level: level ?? undefined,
    });
    return connect(page, UNIT_RATING_CURSOR);
  }

  @Allow(RatingPermission.IssueCode)
  @IdempotentMutation<{ input: IssueRatingCodeDto }>({
    twin: 'POST /v1/rating-codes',
    status: 201,
    body: (a) => a.input,
  })
  @Mutation(() => RatingCodeDto, { description: 'Issues a rating code (评价码) for a hall visit.' })
  issueRatingCode(
    @Ctx() ctx: RequestContext,
    @Args('input') input: IssueRatingCodeDto,
    @Args('idempotencyKey', { type: () => String, nullable: true }) _key?: string,
  ): Promise<RatingCodeDto> {
    return this.codes.issue(ctx, input);
  }

  @Public()
  @Query(() => RatingCodeDto, { description: 'What a rating code rates, and whether it was used.' })
  ratingCode(@Ctx() ctx: RequestContext, @Args('code') code: string): Promise<RatingCodeDto> {
    return this.codes.describe(ctx, code);
  }

  @Public()
  @IdempotentMutation<{ code: string; input: RateWithCodeDto }>({
    twin: 'POST /v1/rating-codes/:code/rating',
    status: 201,
    body: (a) => a.input,
  })
  @Mutation(() => RatingDto, { description: 'Rates a hall visit with its code (signed in: real-name).' })
  rateWithCode(
    @Ctx() ctx: RequestContext,
    @Args('code') code: string,
    @Args('input') input: RateWithCodeDto,
    @Args('idempotencyKey', { type: () => String, nullable: true }) _key?: string,
  ): Promise<RatingDto> {
    return this.codes.rate(ctx, code, input);
  }

  @Allow(RatingPermission.Appeal)
  @IdempotentMutation<{ id: string; input: AppealDto }>({
    twin: 'POST /v1/ratings/:id/appeals',
    status: 201,
    body: (a) => a.input,
  })
  @Mutation(() => RatingAppealDto, { description: "Appeals a rating of one's unit (申诉)." })
  appealRating(
    @Ctx() ctx: RequestContext,
    @Args('id', { type: () => ID }) id: string,
    @Args('input') input: AppealDto,
    @Args('idempotencyKey', { type: () => String, nullable: true }) _key?: string,
  ): Promise<RatingAppealDto> {
    return this.appeals.file(ctx, id, input);
  }

  @Allow(...REVIEWERS)
  @IdempotentMutation<{ id: string; input: AppealDecisionDto }>({
    twin: 'POST /v1/rating-appeals/:id/decision',
    status: 200,
    body: (a) => a.input,
  })
  @Mutation(() => RatingAppealDto, { description: 'Upholds or rejects an appeal (复核).' })
  decideRatingAppeal(
    @Ctx() ctx: RequestContext,
    @Args('id', { type: () => ID }) id: string,
    @Args('input') input: AppealDecisionDto,
    @Args('idempotencyKey', { type: () => String, nullable: true }) _key?: string,
  ): Promise<RatingAppealDto> {
    return this.appeals.decide(ctx, id, input);
  }

  @Allow(...APPEAL_STAFF)
  @Query(() => RatingAppealConnection, { description: 'Appeals of the units I appeal for or review.' })
  async ratingAppeals(
    @Ctx() ctx: RequestContext,
    @Args() args: ConnectionArgs,
    @Args('status', { type: () => AppealStatus, nullable: true }) status?: AppealStatus,
  ): Promise<ConnectionShape<RatingAppealDto>> {
    return connect(
      await this.appeals.list(ctx, { ...pageOf(args), status: status ?? undefined }),
      APPEAL_CURSOR,
    );
  }

  @Allow(...APPEAL_STAFF)
  @Query(() => RatingAppealDto)
  ratingAppeal(
    @Ctx() ctx: RequestContext,
    @Args('id', { type: () => ID }) id: string,
  ): Promise<RatingAppealDto> {
    return this.appeals.get(ctx, id);
  }

  @Public()
  @Query(() => RectificationConnection, { description: 'Rectifications and their results (public).' })
  async rectifications(
    @Ctx() ctx: RequestContext,
    @Args() args: ConnectionArgs,
    @Args('organisationId', { type: () => ID, nullable: true }) organisationId?: string,
  ): Promise<ConnectionShape<RectificationDto>> {
    const page = await this.rectificationService.list(ctx, {
      ...pageOf(args),
      organisationId: organisationId ?? undefined,
    });
    return connect(page, RECTIFICATION_CURSOR);
  }

  @Public()
  @Query(() => RectificationDto)
  rectification(
    @Ctx() ctx: RequestContext,
    @Args('id', { type: () => ID }) id: string,
  ): Promise<RectificationDto> {
    return this.rectificationService.get(ctx, id);
  }

  @Allow(Permission.SelfService)
  @IdempotentMutation<{ id: string; input: RectificationSatisfactionDto }>({
    twin: 'POST /v1/rectifications/:id/satisfaction',
    status: 200,
    body: (a) => a.input,
  })
  @Mutation(() => RectificationDto, { description: 'The rater judges the answered rectification, once.' })
  rateRectification(
    @Ctx() ctx: RequestContext,
    @Args('id', { type: () => ID }) id: string,
    @Args('input') input: RectificationSatisfactionDto,
    @Args('idempotencyKey', { type: () => String, nullable: true }) _key?: string,
  ): Promise<RectificationDto> {
    return this.rectificationService.rate(ctx, id, input);
  }

  @Public()
  @Query(() => RatingFiguresDto, { description: "A unit's public rating figures." })
  unitRatingFigures(
    @Ctx() ctx: RequestContext,
    @Args('id', { type: () => ID }) id: string,
  ): Promise<RatingFiguresDto> {
    return this.figures.unit(ctx, id);
  }

  @Public()
  @Query(() => RatingFiguresDto, { description: "A service's public rating figures." })
  serviceRatingFigures(
    @Ctx() ctx: RequestContext,
    @Args('id', { type: () => ID }) id: string,
  ): Promise<RatingFiguresDto> {
    return this.figures.service(ctx, id);
  }

  @Allow(...REVIEWERS)
  @Query(() => [StaffFiguresDto], { description: 'Rating figures per staff member of a unit over a period.' })
  staffRatingFigures(
    @Ctx() ctx: RequestContext,
    @Args('organisationId', { type: () => ID }) organisationId: string,
    @Args('from', { type: () => DateScalar, nullable: true }) from?: string,
    @Args('to', { type: () => DateScalar, nullable: true }) to?: string,
  ): Promise<StaffFiguresDto[]> {
    return this.figures.staff(ctx, { organisationId, from: from ?? undefined, to: to ?? undefined });
  }
}
