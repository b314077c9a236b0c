import { Injectable } from '@nestjs/common';
import type { RequestContext } from '../../../api/context/request-context';
import { DomainError, notFound } from '../../../api/errors/domain-error';
import { ErrorCode } from '../../../api/errors/error-code';
import { cacheKey } from '../../../api/http/shared-read-cache';
import { Db } from '../../../database/db';
import { AccessService } from '../../platform/access/access.service';
import { AccountDirectory } from '../../platform/identity/account-directory.service';
import { OrganisationsService } from '../../platform/organisations/organisations.service';
import { serviceById } from '../catalog/catalog-reads';
import type { LevelCountsDto, RatingFiguresDto, StaffFiguresDto, StaffFiguresQuery } from './dto/rating.dto';
import { RatingFiguresCache } from './rating-figures.cache';
import { satisfactionRate } from './rating-levels';
import { REVIEWERS } from './ratings-vocabulary';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface CountRow {
  score: number;
  n: number;
  defaulted: number;
  excluded: number;
  real_bad: number;
  answered: number;
}

/**
 * The counts behind every figure, by score: counted ratings (not excluded), of them defaulted, the
 * excluded ones, bad real-name ratings and of them those whose rectification was answered.
 */
const COUNTS_SQL = (where: string) => `
  SELECT r.score, count(*) FILTER (WHERE NOT r.excluded)::int AS n,
    count(*) FILTER (WHERE NOT r.excluded AND r.source = 'default')::int AS defaulted,
    count(*) FILTER (WHERE r.excluded)::int AS excluded,
    count(*) FILTER (WHERE NOT r.excluded AND r.score <= 2 AND r.rater_account_id IS NOT NULL)::int AS real_bad,
    count(x.id) FILTER (WHERE NOT r.excluded AND x.status = 'answered')::int AS answered
  FROM rating r LEFT JOIN rectification x ON x.rating_id = r.id
  WHERE ${where} GROUP BY r.score`;

/**
 * Public figures per unit and per service (GB/T 39734-2020 App. B), served from the shared read
 * cache (and so replayed by the public-read front); staff figures by person for reviewers.
 */
@Injectable()
export class RatingFiguresService {
  constructor(
    private readonly db: Db,
    private readonly cache: RatingFiguresCache,
    private readonly access: AccessService,
    private readonly organisations: OrganisationsService,
    private readonly accounts: AccountDirectory,
  ) {}

  /** A unit's figures: its own ratings (a rectification belongs to the unit rated). */
  async unit(ctx: RequestContext, id: string): Promise<RatingFiguresDto> {
    return this.cache.get(cacheKey('unit', ctx.language, { id }), async () => {
      const unit = UUID_RE.test(id) ? await this.organisations.unit(id) : null;
      if (!unit) throw notFound('organisation');
      return figures(id, await this.db.query<CountRow>(COUNTS_SQL('r.organisation_id = $1'), [id]));
    });
  }

  async service(ctx: RequestContext, id: string): Promise<RatingFiguresDto> {
    return this.cache.get(cacheKey('service', ctx.language, { id }), async () => {
      const service = UUID_RE.test(id) ? await serviceById(this.db, id) : null;
      if (!service) throw notFound('service');
      return figures(id, await this.db.query<CountRow>(COUNTS_SQL('r.service_id = $1'), [id]));
    });
  }

  /** Per staff member of a unit and its sub-units, over rating days [from, to] (China Standard Time). */
  async staff(ctx: RequestContext, q: StaffFiguresQuery): Promise<StaffFiguresDto[]> {
    const grant = UUID_RE.test(q.organisationId)
      ? await this.access.unitGrant(ctx, REVIEWERS, q.organisationId)
      : null;
    if (!grant?.allowed) throw notFound('organisation');
    if (q.from && q.to && q.to < q.from)
      throw new DomainError(ErrorCode.ValidationFailed, { count: 1 }, [
        { pointer: '/to', code: 'notBeforeFrom', message: 'to must not be before from' },
      ]);
    const rows = await this.db.query<CountRow & { handler: string | null }>(
      `SELECT r.handler_account_id AS handler, r.score, count(*)::int AS n, 0 AS defaulted, 0 AS excluded,
         0 AS real_bad, 0 AS answered
       FROM rating r
       WHERE NOT r.excluded
         AND r.organisation_id IN (SELECT w.descendant_id FROM organisation_closure w WHERE w.ancestor_id = $1)
         AND ($2::date IS NULL OR r.rated_at >= ($2::date::timestamp AT TIME ZONE 'Asia/Shanghai'))
         AND ($3::date IS NULL OR r.rated_at < (($3::date + 1)::timestamp AT TIME ZONE 'Asia/Shanghai'))
       GROUP BY r.handler_account_id, r.score ORDER BY r.handler_account_id NULLS LAST`,
      [q.organisationId, q.from ?? null, q.to ?? null],
    );
    const byHandler = new Map<string | null, CountRow[]>();
    for (const row of rows) byHandler.set(row.handler, [...(byHandler.get(row.handler) ?? []), row]);
    const names = await this.accounts.displayNames([...byHandler.keys()].filter((h): h is string => !!h));
    return [...byHandler.entries()].map(([handler, counts]) => {
      const f = figures(handler ?? '', counts);
      return {
        accountId: handler,
        displayName: handler ? (names.get(handler) ?? null) : null,
        counts: f.counts,
        total: f.total,
        bad: f.bad,
        satisfactionRate: f.satisfactionRate,
      };
    });
  }
}

function figures(id: string, rows: CountRow[]): RatingFiguresDto {
  const byScore = [0, 0, 0, 0, 0, 0];
  let defaulted = 0;
  let excluded = 0;
  let due = 0;
  let answered = 0;
  for (const r of rows) {
    byScore[r.score] = r.n;
    defaulted += r.defaulted;
    excluded += r.excluded;
    due += r.real_bad;
    answered += r.answered;
  }
  const total = byScore.reduce((a, b) => a + b, 0);
  const counts: LevelCountsDto = {
    very_satisfied: byScore[5],
    satisfied: byScore[4],
    basically_satisfied: byScore[3],
    dissatisfied: byScore[2],
    very_dissatisfied: byScore[1],
  };
  return {
    id,
    counts,
    total,
    defaulted,
    bad: byScore[2] + byScore[1],
    satisfactionRate: satisfactionRate(byScore, total),
    rectificationsDue: due,
    rectificationsAnswered: answered,
    rectificationRate: due ? Math.round((answered / due) * 10_000) / 10_000 : null,
    excluded,
  };
}
