import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Permission } from '../../../api/auth/permission';
import type { RequestContext } from '../../../api/context/request-context';
import { DomainError, notFound } from '../../../api/errors/domain-error';
import { ErrorCode } from '../../../api/errors/error-code';
import { Db } from '../../../database/db';
import { AuditService } from '../audit/audit.service';
import { OrganisationsService } from '../organisations/organisations.service';
import { CalendarDayKind, CalendarSource } from './calendar.entity';
import { CalendarStore, DayRow } from './calendar-store';
import { expandSeed, SeedDay } from './calendar-seed';
import { CALENDAR_SEED, HOLIDAY_NAMES_EN } from './calendar-seed.data';
import {
  addDays,
  ClockOptions,
  ClockUnit,
  computeDeadline,
  Deadline,
  isWeekend,
  IsoDate,
  NATIONAL,
  regionChain,
  remainingWorkingDays,
  shanghaiDate,
  startOfDay,
  warningLevel,
  WarningLevel,
  WorkCalendar,
  yearOf,
} from './deadline';
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

/** What changed; a region is affected when `regionChain(region)` includes `regionCode`. */
export interface CalendarChange {
  regionCode: string;
  kind: 'day' | 'year' | 'seed';
  years: number[];
  date?: IsoDate;
}
export type CalendarChangeListener = (change: CalendarChange) => void | Promise<void>;

/** A clock as the workflow engine describes it. */
export interface ClockSpec extends ClockOptions {
  unit: ClockUnit;
  amount: number;
}

const UNDEFINED_TABLE = '42P01';

const SEED_DAYS: SeedDay[] = expandSeed(CALENDAR_SEED, HOLIDAY_NAMES_EN);
const SEED_BY_DATE = new Map(SEED_DAYS.map((d) => [d.date, d]));

/**
 * Working-day calendars per region (national seed + admin overrides) and the deadlines counted on
 * them. Reads are cached per region and year; writes clear the cache and notify listeners so the
 * workflow engine can recompute deadlines.
 */
@Injectable()
export class CalendarService implements OnApplicationBootstrap {
  private readonly log = new Logger('CalendarService');
  private readonly listeners = new Set<CalendarChangeListener>();

  constructor(
    private readonly db: Db,
    private readonly store: CalendarStore,
    private readonly audit: AuditService,
    private readonly organisations: OrganisationsService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.ensureSeeded();
  }

  /**
   * Inserts the national seed rows that are missing (never overwriting an admin's row). Skips
   * when the newest seeded year is already complete, so a normal boot costs one count query.
   * Returns the number of day rows inserted.
   */
  async ensureSeeded(): Promise<number> {
    const newest = Math.max(...CALENDAR_SEED.map((y) => y.year));
    const expected = SEED_DAYS.filter((d) => yearOf(d.date) === newest).length;
    try {
      const [{ days, years }] = await this.db.query<{ days: number; years: number }>(
        `SELECT (SELECT count(*)::int FROM work_calendar_day WHERE region_code = $1 AND date BETWEEN $2 AND $3) AS days,
                (SELECT count(*)::int FROM work_calendar_year WHERE region_code = $1 AND year = $4) AS years`,
        [NATIONAL, `${newest}-01-01`, `${newest}-12-31`, newest],
      );
      if (days >= expected && years === 1) return 0;
    } catch (err) {
      // Before the migration that creates the tables exists (contract generation, other modules' tests).
      if ((err as { code?: string }).code === UNDEFINED_TABLE) {
        this.log.warn('work_calendar_day is missing: run the migrations; calendar not seeded');
        return 0;
      }
      throw err;
    }
    const inserted = await this.db.transaction(async (m) => {
      const rows = await m.query<unknown[]>(
        `INSERT INTO work_calendar_day (region_code, date, is_workday, kind, name, name_en, source, updated_at)
         SELECT $1, d::date, w, CASE WHEN w THEN 'makeup' ELSE 'holiday' END::work_calendar_day_kind, n, e, 'seed', now()
         FROM unnest($2::text[], $3::boolean[], $4::text[], $5::text[]) AS t(d, w, n, e)
         ON CONFLICT (region_code, date) DO NOTHING
         RETURNING 1`,
        [
          NATIONAL,
          SEED_DAYS.map((d) => d.date),
          SEED_DAYS.map((d) => d.isWorkday),
          SEED_DAYS.map((d) => d.name),
          SEED_DAYS.map((d) => d.nameEn),
        ],
      );
      await m.query(
        `INSERT INTO work_calendar_year (region_code, year, published, notice_url, source, updated_at)
         SELECT $1, y, true, u, 'seed', now() FROM unnest($2::int[], $3::text[]) AS t(y, u)
         ON CONFLICT (region_code, year) DO NOTHING`,
        [NATIONAL, CALENDAR_SEED.map((y) => y.year), CALENDAR_SEED.map((y) => y.notice)],
      );
      return rows.length;
    });
    this.log.log(`national calendar seeded: ${inserted} day rows inserted`);
    this.changed({ regionCode: NATIONAL, kind: 'seed', years: CALENDAR_SEED.map((y) => y.year) });
    return inserted;
  }

  /** Subscribes to calendar changes (after they are written); returns the unsubscribe function. */
  onChange(listener: CalendarChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  // ---------------------------------------------------------------- reads for other modules

  async isWorkday(regionCode: string, date: IsoDate): Promise<boolean> {
    const year = yearOf(date);
    return this.store.withCalendar(regionCode, year, year, (cal) => cal.isWorkday(date));
  }

  /**
   * The region's calendar for the years given, loaded, for synchronous use with the functions in
   * deadline.ts; it throws when asked about a year outside them.
   */
  async calendar(regionCode: string, firstYear: number, lastYear: number): Promise<WorkCalendar> {
    return this.store.calendar(regionCode, firstYear, lastYear);
  }

  /** The end of a clock started by a receipt in the region; null dueAt while a pause runs. */
  async deadline(regionCode: string, receivedAt: Date, clock: ClockSpec): Promise<Deadline> {
    const first = yearOf(shanghaiDate(receivedAt));
    // Generous guess of the years the walk will touch, so it normally takes one load.
    const total = clock.amount + (clock.extension ?? 0);
    const spanDays = clock.unit === ClockUnit.Hours ? Math.ceil(total / 24) : Math.ceil(total * 1.6) + 45;
    const paused = (clock.pauses ?? []).reduce(
      (sum, p) => sum + Math.max(0, ((p.to ?? p.from).getTime() - p.from.getTime()) / 86_400_000),
      0,
    );
    const last = yearOf(addDays(shanghaiDate(receivedAt), spanDays + Math.ceil(paused)));
    return this.store.withCalendar(regionCode, first, last, (cal) =>
      computeDeadline(cal, receivedAt, clock.unit, clock.amount, clock),
    );
  }

  /** Whole working days left after today (negative once overdue), see remainingWorkingDays. */
  async remaining(regionCode: string, now: Date, dueAt: Date): Promise<number> {
    const [a, b] = [yearOf(shanghaiDate(now)), yearOf(shanghaiDate(dueAt))];
    return this.store.withCalendar(regionCode, Math.min(a, b), Math.max(a, b), (cal) =>
      remainingWorkingDays(cal, now, dueAt),
    );
  }

  /** 电子监察 light: red overdue, yellow at most `yellowWithin` working days left, green otherwise. */
  async warning(regionCode: string, now: Date, dueAt: Date, yellowWithin: number): Promise<WarningLevel> {
    const [a, b] = [yearOf(shanghaiDate(now)), yearOf(shanghaiDate(dueAt))];
    return this.store.withCalendar(regionCode, Math.min(a, b), Math.max(a, b), (cal) =>
      warningLevel(cal, now, dueAt, yellowWithin),
    );
  }

  // ---------------------------------------------------------------- API

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
    const d = await this.deadline(regionCode, receivedAt, { unit: q.unit, amount: q.amount, extension });
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
    if (changed) this.changed({ regionCode, kind: 'day', years: [yearOf(date)], date });
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
    if (changed) this.changed({ regionCode, kind: 'day', years: [yearOf(date)], date });
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
    if (changed) this.changed({ regionCode, kind: 'year', years: [year] });
    return this.getYear(ctx, regionCode, year);
  }

  // ---------------------------------------------------------------- internals

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

  private changed(change: CalendarChange): void {
    // Every region below the changed one is affected; changes are rare, so drop everything.
    this.store.clear();
    for (const listener of this.listeners) {
      void Promise.resolve()
        .then(() => listener(change))
        .catch((err: unknown) => this.log.error(`calendar change listener failed: ${String(err)}`));
    }
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
