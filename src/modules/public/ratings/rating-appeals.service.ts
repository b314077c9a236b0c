import { Injectable } from '@nestjs/common';
import type { RequestContext } from '../../../api/context/request-context';
import { DomainError } from '../../../api/errors/domain-error';
import { ErrorCode } from '../../../api/errors/error-code';
import { cursorCodec, keysetPage, Page } from '../../../api/http/pagination';
import { Db } from '../../../database/db';
import { isUniqueViolation } from '../../../database/db-errors';
import { uuidv7 } from '../../../database/uuid';
import { AccessService } from '../../platform/access/access.service';
import { AuditService } from '../../platform/audit/audit.service';
import { EventsService } from '../../platform/events/events.service';
import { scopeCondition } from '../../platform/identity/staff/unit-scope';
import { NotificationsService } from '../../platform/notifications/notifications.service';
import { AppealDecision, AppealDecisionDto, AppealDto, AppealGround } from './dto/rating-input.dto';
import type { AppealQuery, RatingAppealDto } from './dto/rating.dto';
import { RATING_EXCLUDED, ratingFacts } from './rating-events';
import { RatingFiguresCache } from './rating-figures.cache';
import { AppealStatus } from './rating-levels';
import { Rating, RatingAppeal } from './rating.entity';
import { APPEAL_STAFF, RatingError, RatingTemplate } from './ratings-vocabulary';

export const APPEAL_CURSOR = cursorCodec<[string]>('rating-appeals', 'uuid');

/**
 * 申诉复核: the rated unit appeals a rating as malicious or mistaken; a supervisor over the unit
 * (rating:review) upholds it, and the rating leaves every figure with the reason kept, or rejects
 * it. Both steps are audited; the rating itself is never deleted.
 */
@Injectable()
export class RatingAppealsService {
  constructor(
    private readonly db: Db,
    private readonly access: AccessService,
    private readonly audit: AuditService,
    private readonly events: EventsService,
    private readonly notifications: NotificationsService,
    private readonly figures: RatingFiguresCache,
  ) {}

  async file(ctx: RequestContext, ratingId: string, dto: AppealDto): Promise<RatingAppealDto> {
    return this.db.transaction(async () => {
      const rating = await this.access.require<Rating>(ctx, 'rating', ratingId, 'appeal', { lock: true });
      if (rating.excluded) throw new DomainError(RatingError.AppealExists);
      const appeal = this.db.repo(RatingAppeal).create({
        id: uuidv7(),
        ratingId: rating.id,
        organisationId: rating.organisationId,
        ground: dto.ground,
        reason: dto.reason,
        status: AppealStatus.Pending,
        filedBy: ctx.actor.id!,
        decidedBy: null,
        decisionReason: null,
        decidedAt: null,
      });
      if (await this.db.repo(RatingAppeal).exists({ where: { ratingId: rating.id } }))
        throw new DomainError(RatingError.AppealExists);
      await this.db
        .repo(RatingAppeal)
        .insert(appeal)
        .catch((e: unknown) => {
          if (isUniqueViolation(e, 'rating_id')) throw new DomainError(RatingError.AppealExists);
          throw e;
        });
      await this.audit.append(ctx, {
        action: 'rating.appeal',
        resourceType: 'rating_appeal',
        resourceId: appeal.id,
        purpose: dto.ground,
      });
      return view(await this.db.repo(RatingAppeal).findOneByOrFail({ id: appeal.id }));
    });
  }

  async decide(ctx: RequestContext, id: string, dto: AppealDecisionDto): Promise<RatingAppealDto> {
    return this.db.transaction(async () => {
      const appeal = await this.access.require<RatingAppeal>(ctx, 'rating_appeal', id, 'decide', {
        lock: true,
      });
      if (appeal.status !== (AppealStatus.Pending as string))
        throw new DomainError(ErrorCode.InvalidTransition, {
          reason: ctx.language === 'en' ? 'the appeal is already decided' : '该申诉已复核',
        });
      // Nobody reviews their own appeal.
      if (appeal.filedBy === ctx.actor.id) throw new DomainError(ErrorCode.SeparationOfDuties);
      const upheld = dto.decision === AppealDecision.Upheld;
      appeal.status = upheld ? AppealStatus.Upheld : AppealStatus.Rejected;
      appeal.decidedBy = ctx.actor.id;
      appeal.decisionReason = dto.reason;
      appeal.decidedAt = new Date();
      await this.db.repo(RatingAppeal).save(appeal);
      const rating = await this.db
        .repo(Rating)
        .findOneOrFail({ where: { id: appeal.ratingId }, lock: { mode: 'pessimistic_write' } });
      if (upheld) {
        rating.excluded = true;
        rating.exclusionReason = dto.reason;
        await this.db.repo(Rating).save(rating);
        await this.events.publish(ctx, {
          type: RATING_EXCLUDED.type,
          aggregate: { type: 'rating', id: rating.id },
          payload: ratingFacts(rating),
        });
        await this.figures.notifyChanged(`appeal ${appeal.id}`);
      }
      await this.audit.append(ctx, {
        action: upheld ? 'rating.appeal_uphold' : 'rating.appeal_reject',
        resourceType: 'rating_appeal',
        resourceId: appeal.id,
        subjectId: rating.raterAccountId,
        purpose: dto.reason.slice(0, 200),
      });
      await this.notifications.notify(
        ctx,
        appeal.filedBy,
        RatingTemplate.AppealDecided,
        { ratingId: rating.id, decision: appeal.status },
        ['inapp'],
      );
      return view(appeal);
    });
  }

  async get(ctx: RequestContext, id: string): Promise<RatingAppealDto> {
    return view(await this.access.require<RatingAppeal>(ctx, 'rating_appeal', id, 'read'));
  }

  /** Appeals of the units the caller appeals for or reviews, newest first. */
  async list(ctx: RequestContext, q: AppealQuery): Promise<Page<RatingAppealDto>> {
    const scope = scopeCondition(ctx, APPEAL_STAFF, 'a.organisation_id');
    const qb = this.db.repo(RatingAppeal).createQueryBuilder('a');
    if (scope) qb.where(scope.sql, scope.params);
    if (q.status) qb.andWhere('a.status = :status', { status: q.status });
    const page = await keysetPage(qb, q, {
      cursor: APPEAL_CURSOR,
      idColumn: 'a.id',
      direction: 'DESC',
      keyOf: (a) => [a.id],
    });
    return { items: page.items.map(view), nextCursor: page.nextCursor, count: page.count };
  }
}

function view(a: RatingAppeal): RatingAppealDto {
  return {
    id: a.id,
    ratingId: a.ratingId,
    organisationId: a.organisationId,
    ground: a.ground as AppealGround,
    reason: a.reason,
    status: a.status as AppealStatus,
    filedBy: a.filedBy,
    decidedBy: a.decidedBy,
    decisionReason: a.decisionReason,
    decidedAt: a.decidedAt?.toISOString() ?? null,
    createdAt: a.createdAt.toISOString(),
  };
}
