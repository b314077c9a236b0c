import { Injectable } from '@nestjs/common';
import { Permission } from '../../../api/auth/permission';
import type { RequestContext } from '../../../api/context/request-context';
import { DomainError, notFound } from '../../../api/errors/domain-error';
import { ErrorCode } from '../../../api/errors/error-code';
import { Db } from '../../../database/db';
import { AuditService } from '../audit/audit.service';
import { OrganisationsService } from '../organisations/organisations.service';
import { CalendarDayKind, CalendarSource } from './calendar.entity';
import { CalendarService, SEED_BY_DATE } from './calendar.service';
import { CalendarStore, DayRow } from './calendar-store';
import { isWeekend, IsoDate, NATIONAL, regionChain, shanghaiDate, startOfDay, yearOf } from './deadline';
import {
  CalendarDayDto,
  CalendarDayType,
  DeadlineDto,
  DeadlineQueryDto,
  MAX_YEAR,
  MIN_YEAR,
  SetCalendarDayDto,
  SetCalendarYearDto,
  WorkCalendarDto,
} from './dto/calendar.dto';

/**
 * The calendars as the API shows and edits them (REST /v1/calendars, GraphQL): days and years of a
 * region, deadline queries, and the administrators' overrides, each audited and announced through
 * CalendarService so the workflow engine recomputes what they move.
 */
@Injectable()
export class CalendarAdminService {
  constructor(
    private readonly db: Db,
    private readonly store: CalendarStore,
    private readonly audit: AuditService,
    private readonly organisations: OrganisationsService,
    private readonly calendar: CalendarService,
  ) {}

  async getYear(ctx: RequestContext, regionCode: string, year: number): Promise<WorkCalendarDto> {
    const entry = await this.store.year(regionCode, year);
    const days = [...entry.days.values()]
      .sort((a, b) => a.date.localeCompare(b.date))
      .map((r) => this.dayDto(ctx, r.date, r));
    return { regionCode, year, published: entry.published, noticeUrl: entry.noticeUrl, days };
  }

  async getDay(ctx: RequestContext, regionCode: string, date: IsoDate): Promise<CalendarDayDto> {
    this.requireYearInRange(yearOf(date), '/date');
    const entry = await this.store.year(regionCode, yearOf(date));
    return this.dayDto(ctx, date, entry.days.get(date));
  }

  async deadlineQuery(ctx: RequestContext, regionCode: string, q: DeadlineQueryDto): Promise<DeadlineDto> {
    // A bare day means its start in Beijing; the day clocks never count the receipt day anyway.
    const receivedAt = q.receivedAt
      ? q.receivedAt.length === 10
        ? startOfDay(q.receivedAt)
        : new Date(q.receivedAt)
      : new Date();
    this.requireYearInRange(yearOf(shanghaiDate(receivedAt)), '/receivedAt');
    const extension = q.extension ?? 0;
    const d = await this.calendar.deadline(regionCode, receivedAt, {
      unit: q.unit,
      amount: q.amount,
      extension,
    });
    return {
      regionCode,
      receivedAt: receivedAt.toISOString(),
      unit: q.unit,
      amount: q.amount,
      extension,
      dueAt: d.dueAt!.toISOString(),
      dueDate: d.dueDate!,
      provisional: d.provisional,
      unpublishedYears: d.unpublishedYears,
    };
  }

  /** Replaces the region's own row for the day; a repeat with the same values changes nothing. */
  async setDay(
    ctx: RequestContext,
    regionCode: string,
    date: IsoDate,
    dto: SetCalendarDayDto,
  ): Promise<CalendarDayDto> {
    this.requireYearInRange(yearOf(date), '/date');
    await this.requireManageable(ctx, regionCode);
    const name = dto.name ?? null;
    const nameEn = dto.nameEn ?? null;
    const changed = await this.db.transaction(async (m) => {
      const [current] = await m.query<DayRow[]>(
        `SELECT is_workday AS "isWorkday", name, name_en AS "nameEn", source FROM work_calendar_day
         WHERE region_code = $1 AND date = $2 FOR UPDATE`,
        [regionCode, date],
      );
      if (
        current &&
        current.isWorkday === dto.isWorkday &&
        current.name === name &&
        current.nameEn === nameEn &&
        current.source === CalendarSource.Admin
      )
        return false;
      await m.query(
        `INSERT INTO work_calendar_day (region_code, date, is_workday, kind, name, name_en, source, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, 'admin', now())
         ON CONFLICT (region_code, date) DO UPDATE SET is_workday = EXCLUDED.is_workday, kind = EXCLUDED.kind,
           name = EXCLUDED.name, name_en = EXCLUDED.name_en, source = EXCLUDED.source, updated_at = now()`,
        [
          regionCode,
          date,
          dto.isWorkday,
          dto.isWorkday ? CalendarDayKind.Makeup : CalendarDayKind.Holiday,
          name,
          nameEn,
        ],
      );
      await this.audit.append(ctx, {
        action: 'calendar.day.set',
        resourceType: 'work_calendar_day',
        resourceId: `${regionCode}:${date}`,
      });
      return true;
    });
    if (changed) this.calendar.changed({ regionCode, kind: 'day', years: [yearOf(date)], date });
    return this.getDay(ctx, regionCode, date);
  }

  /**
   * Removes the region's own row for the day, so the day follows the regions above it again. For
   * the national calendar the seeded row (if any) comes back instead.
   */
  async resetDay(ctx: RequestContext, regionCode: string, date: IsoDate): Promise<CalendarDayDto> {
    this.requireYearInRange(yearOf(date), '/date');
    await this.requireManageable(ctx, regionCode);
    const seed = regionCode === NATIONAL ? SEED_BY_DATE.get(date) : undefined;
    const changed = await this.db.transaction(async (m) => {
      let rows: unknown[];
      if (seed) {
        rows = await m.query<unknown[]>(
          `INSERT INTO work_calendar_day (region_code, date, is_workday, kind, name, name_en, source, updated_at)
           VALUES ($1, $2, $3, $4, $5, $6, 'seed', now())
           ON CONFLICT (region_code, date) DO UPDATE SET is_workday = EXCLUDED.is_workday, kind = EXCLUDED.kind,
             name = EXCLUDED.name, name_en = EXCLUDED.name_en, source = EXCLUDED.source, updated_at = now()
           WHERE work_calendar_day.source <> 'seed'
           RETURNING 1`,
          [
            regionCode,
            date,
            seed.isWorkday,
            seed.isWorkday ? CalendarDayKind.Makeup : CalendarDayKind.Holiday,
            seed.name,
            seed.nameEn,
          ],
        );
      } else {
        rows = await m.query<unknown[]>(
          // Through a CTE: TypeORM answers a bare DELETE with [rows, count], not rows.
          'WITH d AS (DELETE FROM work_calendar_day WHERE region_code = $1 AND date = $2 RETURNING 1) SELECT 1 FROM d',
          [regionCode, date],
        );
      }
      if (!rows.length) return false;
      await this.audit.append(ctx, {
        action: 'calendar.day.reset',
        resourceType: 'work_calendar_day',
        resourceId: `${regionCode}:${date}`,
      });
      return true;
    });
    if (changed) this.calendar.changed({ regionCode, kind: 'day', years: [yearOf(date)], date });
    return this.getDay(ctx, regionCode, date);
  }

  /** Marks whether the region's arrangement for the year is announced (idempotent replacement). */
  async setYear(
    ctx: RequestContext,
    regionCode: string,
    year: number,
    dto: SetCalendarYearDto,
  ): Promise<WorkCalendarDto> {
    await this.requireManageable(ctx, regionCode);
    const noticeUrl = dto.noticeUrl ?? null;
    const changed = await this.db.transaction(async (m) => {
      const rows = await m.query<unknown[]>(
        `INSERT INTO work_calendar_year (region_code, year, published, notice_url, source, updated_at)
         VALUES ($1, $2, $3, $4, 'admin', now())
         ON CONFLICT (region_code, year) DO UPDATE SET published = EXCLUDED.published, notice_url = EXCLUDED.notice_url,
           source = EXCLUDED.source, updated_at = now()
         WHERE (work_calendar_year.published, work_calendar_year.notice_url, work_calendar_year.source)
           IS DISTINCT FROM (EXCLUDED.published, EXCLUDED.notice_url, EXCLUDED.source)
         RETURNING 1`,
        [regionCode, year, dto.published, noticeUrl],
      );
      if (!rows.length) return false;
      await this.audit.append(ctx, {
        action: 'calendar.year.set',
        resourceType: 'work_calendar_year',
        resourceId: `${regionCode}:${year}`,
      });
      return true;
    });
    if (changed) this.calendar.changed({ regionCode, kind: 'year', years: [year] });
    return this.getYear(ctx, regionCode, year);
  }

  private dayDto(ctx: RequestContext, date: IsoDate, row: DayRow | undefined): CalendarDayDto {
    if (!row) {
      return {
        date,
        isWorkday: !isWeekend(date),
        kind: isWeekend(date) ? CalendarDayType.Weekend : CalendarDayType.Normal,
        name: null,
        decidedBy: null,
        source: null,
      };
    }
    return {
      date,
      isWorkday: row.isWorkday,
      kind: row.isWorkday ? CalendarDayType.Makeup : CalendarDayType.Holiday,
      name: ctx.language === 'en' && row.nameEn ? row.nameEn : row.name,
      decidedBy: row.regionCode,
      source: row.source,
    };
  }

  private requireYearInRange(year: number, pointer: string): void {
    if (year < MIN_YEAR || year > MAX_YEAR) {
      throw new DomainError(ErrorCode.ValidationFailed, { count: 1 }, [
        { pointer, code: 'yearRange', message: `the year must be between ${MIN_YEAR} and ${MAX_YEAR}` },
      ]);
    }
  }

  /**
   * The national calendar needs calendar:manage everywhere; a region's needs it in a unit of that
   * region or of a region above it. Unknown regions are 404.
   */
  private async requireManageable(ctx: RequestContext, regionCode: string): Promise<void> {
    if (regionCode !== NATIONAL) {
      const known = await this.db.query('SELECT 1 FROM region WHERE code = $1', [regionCode]);
      if (!known.length) throw notFound('region');
    }
    const scope = ctx.scopeOf(Permission.CalendarManage);
    if (scope === '*') return;
    if (!scope || regionCode === NATIONAL) throw new DomainError(ErrorCode.Forbidden);
    const chain = regionChain(regionCode);
    for (const unitId of scope) {
      const unit = await this.organisations.get(ctx, unitId).catch(() => null);
      if (unit && chain.includes(unit.regionCode)) return;
    }
    throw new DomainError(ErrorCode.Forbidden);
  }
}
