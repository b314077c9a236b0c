import { Injectable } from '@nestjs/common';
import type { RequestContext } from '../../../api/context/request-context';
import { DomainError, notFound } from '../../../api/errors/domain-error';
import { ErrorCode } from '../../../api/errors/error-code';
import { cursorCodec, keysetPage, Page } from '../../../api/http/pagination';
import { Db } from '../../../database/db';
import { AuditService } from '../../platform/audit/audit.service';
import type { RectificationSatisfactionDto } from './dto/rating-input.dto';
import type { RectificationDto, RectificationQuery } from './dto/rating.dto';
import {
  levelOf,
  RectificationOutcome,
  RectificationSatisfaction,
  RectificationStatus,
} from './rating-levels';
import { Rectification } from './rectification.entity';

export const RECTIFICATION_CURSOR = cursorCodec<[string]>('rectifications', 'uuid');
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Rectifications as published (整改公开): every one, open or answered, with its unit, stage, outcome
 * and public answer, never the rater or the rating's comment. The rater judges the result once.
 */
@Injectable()
export class RectificationsService {
  constructor(
    private readonly db: Db,
    private readonly audit: AuditService,
  ) {}

  async list(_ctx: RequestContext, q: RectificationQuery): Promise<Page<RectificationDto>> {
    const qb = this.db.repo(Rectification).createQueryBuilder('x');
    if (q.organisationId && !UUID_RE.test(q.organisationId)) throw notFound('organisation');
    if (q.organisationId) qb.where('x.organisation_id = :unit', { unit: q.organisationId });
    const page = await keysetPage(qb, q, {
      cursor: RECTIFICATION_CURSOR,
      idColumn: 'x.id',
      direction: 'DESC',
      keyOf: (x) => [x.id],
    });
    return { items: page.items.map(view), nextCursor: page.nextCursor, count: page.count };
  }

  async get(_ctx: RequestContext, id: string): Promise<RectificationDto> {
    return view(await this.find(id));
  }

  /** The rater judges the answered result once (satisfied, basically satisfied, dissatisfied). */
  async rate(ctx: RequestContext, id: string, dto: RectificationSatisfactionDto): Promise<RectificationDto> {
    return this.db.transaction(async () => {
      const row = await this.find(id, true);
      if (ctx.actor.kind !== 'citizen' || row.raterAccountId !== ctx.actor.id)
        throw notFound('rectification');
      if (row.status !== (RectificationStatus.Answered as string) || row.raterSatisfaction)
        throw new DomainError(ErrorCode.InvalidTransition, {
          reason: row.raterSatisfaction
            ? ctx.language === 'en'
              ? 'the result is already rated'
              : '已评价整改结果'
            : ctx.language === 'en'
              ? 'the unit has not answered yet'
              : '整改尚未答复',
        });
      row.raterSatisfaction = dto.satisfaction;
      row.raterRatedAt = new Date();
      await this.db.repo(Rectification).save(row);
      await this.audit.append(ctx, {
        action: 'rectification.rate',
        resourceType: 'rectification',
        resourceId: row.id,
        subjectId: row.raterAccountId,
      });
      return view(row);
    });
  }

  private async find(id: string, lock = false): Promise<Rectification> {
    const row = UUID_RE.test(id) ? await this.db.byId(Rectification, id, { lock }) : null;
    if (!row) throw notFound('rectification');
    return row;
  }
}

function view(x: Rectification): RectificationDto {
  return {
    id: x.id,
    number: x.number,
    organisationId: x.organisationId,
    serviceId: x.serviceId,
    kind: x.kind,
    level: levelOf(x.score),
    status: x.status as RectificationStatus,
    stage: x.stage,
    outcome: x.outcome as RectificationOutcome | null,
    publicAnswer: x.publicAnswer,
    answeredAt: x.answeredAt?.toISOString() ?? null,
    raterSatisfaction: x.raterSatisfaction as RectificationSatisfaction | null,
    createdAt: x.createdAt.toISOString(),
  };
}
