import { Injectable } from '@nestjs/common';
import type { SelectQueryBuilder } from 'typeorm';
import type { RequestContext } from '../../../api/context/request-context';
import { DomainError } from '../../../api/errors/domain-error';
import { ErrorCode } from '../../../api/errors/error-code';
import { Db } from '../../../database/db';
import { AccessService } from '../../platform/access/access.service';
import { Complaint } from './complaint.entity';
import type { HotspotQueryDto } from './dto/complaint-input.dto';
import type { HotspotDto, HotspotPointDto } from './dto/complaint.dto';

const DEFAULT_PERIOD_MS = 8 * 7 * 24 * 3_600_000;
const MAX_PERIOD_MS = 366 * 24 * 3_600_000;
const MAX_ROWS = 2000;
const WEEK = `to_char(date_trunc('week', c.created_at AT TIME ZONE 'Asia/Shanghai'), 'YYYY-MM-DD')`;

/**
 * 热点: where work orders gather, for supervisors. Counts per category × region × week (weeks start
 * on Monday, China time) and a map list of grid cells with their counts; merged duplicates count
 * once (on the order handled). Scoped in SQL to the orders the caller may read (their dispatch
 * centres and handling units and below).
 */
@Injectable()
export class ComplaintHotspotsService {
  constructor(
    private readonly db: Db,
    private readonly access: AccessService,
  ) {}

  async counts(ctx: RequestContext, q: HotspotQueryDto): Promise<HotspotDto[]> {
    const rows = await this.filtered(ctx, q)
      .select('c.category_code', 'category_code')
      .addSelect('c.region_code', 'region_code')
      .addSelect(WEEK, 'week')
      .addSelect('count(*)', 'count')
      .groupBy('c.category_code')
      .addGroupBy('c.region_code')
      .addGroupBy(WEEK)
      .orderBy('week', 'DESC')
      .addOrderBy('count', 'DESC')
      .addOrderBy('category_code')
      .addOrderBy('region_code')
      .limit(MAX_ROWS)
      .getRawMany<{ category_code: string; region_code: string; week: string; count: string }>();
    return rows.map((r) => ({
      categoryCode: r.category_code,
      regionCode: r.region_code,
      week: r.week,
      count: Number(r.count),
    }));
  }

  async points(ctx: RequestContext, q: HotspotQueryDto): Promise<HotspotPointDto[]> {
    const cellLat = 'floor(c.lat / :cell)';
    const cellLong = 'floor(c.long / :cell)';
    const rows = await this.filtered(ctx, q)
      .andWhere('c.lat IS NOT NULL AND c.long IS NOT NULL')
      .select(`(${cellLat} + 0.5) * :cell`, 'lat')
      .addSelect(`(${cellLong} + 0.5) * :cell`, 'long')
      .addSelect('count(*)', 'count')
      .addSelect('mode() WITHIN GROUP (ORDER BY c.category_code)', 'top')
      .setParameter('cell', q.cell ?? 0.01)
      .groupBy(cellLat)
      .addGroupBy(cellLong)
      .orderBy('count', 'DESC')
      .addOrderBy('lat')
      .addOrderBy('long')
      .limit(MAX_ROWS)
      .getRawMany<{ lat: string; long: string; count: string; top: string }>();
    return rows.map((r) => ({
      lat: round(Number(r.lat)),
      long: round(Number(r.long)),
      count: Number(r.count),
      topCategoryCode: r.top,
    }));
  }

  private filtered(ctx: RequestContext, q: HotspotQueryDto): SelectQueryBuilder<Complaint> {
    const to = q.to ? new Date(q.to) : new Date();
    const from = q.from ? new Date(q.from) : new Date(to.getTime() - DEFAULT_PERIOD_MS);
    if (
      Number.isNaN(from.getTime()) ||
      Number.isNaN(to.getTime()) ||
      from > to ||
      to.getTime() - from.getTime() > MAX_PERIOD_MS
    )
      throw new DomainError(ErrorCode.ValidationFailed, { count: 1 }, [
        { pointer: '/from', code: 'period', message: 'from must be before to, at most 366 days apart' },
      ]);
    const scope = this.access.scope(ctx, 'complaint');
    const qb = this.db
      .repo(Complaint)
      .createQueryBuilder('c')
      .where('c.created_at >= :from AND c.created_at < :to AND c.duplicate_of_id IS NULL', { from, to })
      .andWhere(scope.sql, scope.params);
    if (q.categoryCode)
      qb.andWhere(`(c.category_code = :code OR c.category_code LIKE :prefix)`, {
        code: q.categoryCode,
        prefix: `${q.categoryCode}.%`,
      });
    if (q.regionCode) qb.andWhere('c.region_code = :region', { region: q.regionCode });
    return qb;
  }
}

const round = (x: number): number => Math.round(x * 1e6) / 1e6;
