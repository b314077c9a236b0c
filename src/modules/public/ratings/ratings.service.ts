import { Inject, Injectable } from '@nestjs/common';
import type { RequestContext } from '../../../api/context/request-context';
import { DomainError, notFound } from '../../../api/errors/domain-error';
import { ErrorCode } from '../../../api/errors/error-code';
import { cursorCodec, keysetPage, Page, PageQuery } from '../../../api/http/pagination';
import { Db } from '../../../database/db';
import { isUniqueViolation } from '../../../database/db-errors';
import { uuidv7 } from '../../../database/uuid';
import { AccessService } from '../../platform/access/access.service';
import { AuditService } from '../../platform/audit/audit.service';
import { EventsService } from '../../platform/events/events.service';
import {
  PersonalDataService,
  PersonalField,
} from '../../platform/identity/personal-data/personal-data.service';
import { scopeCondition } from '../../platform/identity/staff/unit-scope';
import { HALL_VISIT_KIND } from './builtin-targets';
import type { RateDto, RateWithCodeDto } from './dto/rating-input.dto';
import type { RatingDto, StaffRatingQuery } from './dto/rating.dto';
import { RatingFiguresCache } from './rating-figures.cache';
import { isBad, LEVEL_SCORE, levelOf, RatingChannel, RatingSource } from './rating-levels';
import { RATING_RECORDED, ratingFacts } from './rating-events';
import { RatedItem, RatingTargets } from './rating-target';
import { Rating } from './rating.entity';
import { declareEnvelopeColumns } from '../../platform/identity/personal-data/key-rotation';
import { RATINGS_CONFIG, RatingsConfig } from './ratings-config';
import { RATING_STAFF, RatingError } from './ratings-vocabulary';
import { Rectification } from './rectification.entity';
import { RectificationCaseType } from './rectification-case-type';

/** The rater's ratings and a unit's ratings page by id, newest first. */
export const RATING_CURSOR = cursorCodec<[string]>('ratings', 'uuid');
export const UNIT_RATING_CURSOR = cursorCodec<[string]>('unit-ratings', 'uuid');

/** The comment column's envelope is bound to it (AEAD associated data). */
const COMMENT_FIELD = PersonalField.RatingComment;
declareEnvelopeColumns([{ table: 'rating', column: 'comment', field: COMMENT_FIELD }]);
const DAY_MS = 86_400_000;
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Ratings (好差评): a rater rates a handled item once, through any channel; a bad real-name rating
 * opens a rectification in the same transaction; the rater and the unit's staff read ratings.
 */
@Injectable()
export class RatingsService {
  constructor(
    private readonly db: Db,
    private readonly targets: RatingTargets,
    private readonly access: AccessService,
    private readonly audit: AuditService,
    private readonly events: EventsService,
    private readonly personal: PersonalDataService,
    private readonly figures: RatingFiguresCache,
    private readonly rectifications: RectificationCaseType,
    @Inject(RATINGS_CONFIG) private readonly config: RatingsConfig,
  ) {}

  /** A citizen rates an item of theirs; anyone else, and any item not theirs, gets 404. */
  async rate(ctx: RequestContext, dto: RateDto): Promise<RatingDto> {
    const rater = citizenId(ctx);
    const target = dto.kind === HALL_VISIT_KIND ? undefined : this.targets.get(dto.kind);
    if (!target) throw notFound('rating_item');
    return this.db.transaction(async () => {
      const item = await target.load(dto.itemId);
      if (!item || item.raterAccountId !== rater) throw notFound('rating_item');
      return this.viewOne(ctx, await this.record(ctx, item, dto, rater));
    });
  }

  /**
   * Records one rating of a loaded item (the caller checked who may rate it): handled, within the
   * period, not yet rated. A bad real-name rating opens its rectification in the same transaction.
   */
  async record(
    ctx: RequestContext,
    item: RatedItem,
    input: RateWithCodeDto,
    rater: string | null,
    channel: RatingChannel = input.channel ?? RatingChannel.Portal,
  ): Promise<Rating> {
    if (!item.handledAt) throw new DomainError(RatingError.NotHandled);
    const now = new Date();
    if (now.getTime() > item.handledAt.getTime() + this.config.silenceDays * DAY_MS)
      throw new DomainError(RatingError.WindowClosed, { days: this.config.silenceDays });
    if (await this.db.repo(Rating).exists({ where: { kind: item.kind, itemId: item.id } }))
      throw new DomainError(RatingError.AlreadyRated);
    const rating = this.db.repo(Rating).create({
      id: uuidv7(),
      kind: item.kind,
      itemId: item.id,
      raterAccountId: rater,
      organisationId: item.organisationId,
      serviceId: item.serviceId,
      handlerAccountId: item.handlerAccountId,
      score: LEVEL_SCORE[input.level],
      channel,
      source: RatingSource.Rater,
      comment: input.comment ? this.personal.encrypt(COMMENT_FIELD, input.comment) : null,
      titleZh: item.title['zh-CN'].slice(0, 200),
      titleEn: item.title.en.slice(0, 200),
      handledAt: item.handledAt,
      ratedAt: now,
      excluded: false,
      exclusionReason: null,
    });
    await this.db
      .repo(Rating)
      .insert(rating)
      .catch((e: unknown) => {
        // The silence rule or a twin request got there first: the unique index answers.
        if (isUniqueViolation(e, 'kind, item_id')) throw new DomainError(RatingError.AlreadyRated);
        throw e;
      });
    await this.audit.append(ctx, {
      action: 'rating.create',
      resourceType: 'rating',
      resourceId: rating.id,
      subjectId: rater,
    });
    await this.events.publish(ctx, {
      type: RATING_RECORDED.type,
      aggregate: { type: 'rating', id: rating.id },
      payload: ratingFacts(rating),
    });
    await this.figures.notifyChanged(`rating ${rating.id}`);
    if (rater && isBad(rating.score)) await this.rectifications.open(ctx, rating);
    return rating;
  }

  /** The caller's own ratings, newest first. */
  async listMine(ctx: RequestContext, page: PageQuery): Promise<Page<RatingDto>> {
    const qb = this.db
      .repo(Rating)
      .createQueryBuilder('r')
      .where('r.rater_account_id = :me', { me: citizenId(ctx) });
    return this.page(ctx, qb, page, RATING_CURSOR);
  }

  /**
   * One rating: the rater sees their comment; staff see it only with `comment` asked for, which
   * appends an audited read naming the rater as the data subject.
   */
  async get(ctx: RequestContext, id: string, withComment = false): Promise<RatingDto> {
    const rating = await this.access.require<Rating>(ctx, 'rating', id, 'read');
    if (!withComment || ctx.actor.kind === 'citizen') return this.viewOne(ctx, rating);
    const decision = await this.access.check(ctx, 'rating', rating, 'read');
    await this.db.transaction(() =>
      this.access.record(ctx, decision, {
        action: 'rating.read_comment',
        resourceType: 'rating',
        resourceId: rating.id,
        subjectId: rating.raterAccountId,
        purpose: 'rating follow-up',
      }),
    );
    return this.viewOne(ctx, rating, true);
  }

  /** The ratings of the caller's units (or of one of them and its sub-units); comments stay out of lists. */
  async listForUnit(ctx: RequestContext, q: StaffRatingQuery): Promise<Page<RatingDto>> {
    const qb = this.db.repo(Rating).createQueryBuilder('r');
    if (q.organisationId !== undefined) {
      const within = UUID_RE.test(q.organisationId)
        ? await this.access.unitGrant(ctx, RATING_STAFF, q.organisationId)
        : null;
      if (!within?.allowed) throw notFound('organisation');
      qb.where(
        'r.organisation_id IN (SELECT w.descendant_id FROM organisation_closure w WHERE w.ancestor_id = :within)',
        { within: q.organisationId },
      );
    }
    const scope = scopeCondition(ctx, RATING_STAFF, 'r.organisation_id');
    if (scope) qb.andWhere(scope.sql, scope.params);
    if (q.level) qb.andWhere('r.score = :score', { score: LEVEL_SCORE[q.level] });
    return this.page(ctx, qb, q, UNIT_RATING_CURSOR);
  }

  private async page(
    ctx: RequestContext,
    qb: ReturnType<ReturnType<Db['repo']>['createQueryBuilder']>,
    page: PageQuery,
    cursor: typeof RATING_CURSOR,
  ): Promise<Page<RatingDto>> {
    const result = await keysetPage(qb as never, page, {
      cursor,
      idColumn: 'r.id',
      direction: 'DESC',
      keyOf: (r: Rating) => [r.id],
    });
    const items = result.items;
    const links = await this.rectificationsOf(items.map((r) => r.id));
    return {
      items: items.map((r) => this.view(ctx, r, undefined, links)),
      nextCursor: result.nextCursor,
      count: result.count,
    };
  }

  private async rectificationsOf(ratingIds: string[]): Promise<Map<string, string>> {
    if (!ratingIds.length) return new Map();
    const rows = await this.db.query<{ id: string; rating_id: string }>(
      'SELECT id, rating_id FROM rectification WHERE rating_id = ANY($1::uuid[])',
      [ratingIds],
    );
    return new Map(rows.map((r) => [r.rating_id, r.id]));
  }

  /** The rater's comment is opened for the rater, or for staff who asked (audited by get()). */
  view(ctx: RequestContext, r: Rating, staffComment = false, links?: Map<string, string>): RatingDto {
    const mine = ctx.actor.kind === 'citizen' && ctx.actor.id === r.raterAccountId;
    const open = (mine || staffComment) && r.comment;
    return {
      id: r.id,
      kind: r.kind,
      itemId: r.itemId,
      title: ctx.language === 'en' ? r.titleEn : r.titleZh,
      level: levelOf(r.score),
      score: r.score,
      channel: r.channel as RatingChannel,
      source: r.source as RatingSource,
      realName: r.raterAccountId !== null,
      comment: open ? this.personal.decrypt(COMMENT_FIELD, r.comment!) : null,
      organisationId: r.organisationId,
      serviceId: r.serviceId,
      handledAt: r.handledAt.toISOString(),
      ratedAt: r.ratedAt.toISOString(),
      excluded: r.excluded,
      exclusionReason: mine ? null : r.exclusionReason,
      rectificationId: links?.get(r.id) ?? null,
    };
  }

  /** The view with its rectification link, for single reads. */
  async viewOne(ctx: RequestContext, r: Rating, staffComment = false): Promise<RatingDto> {
    const link = await this.db
      .repo(Rectification)
      .findOne({ where: { ratingId: r.id }, select: { id: true } });
    return { ...this.view(ctx, r, staffComment), rectificationId: link?.id ?? null };
  }
}

function citizenId(ctx: RequestContext): string {
  if (ctx.actor.kind !== 'citizen' || !ctx.actor.id) throw new DomainError(ErrorCode.Forbidden);
  return ctx.actor.id;
}
