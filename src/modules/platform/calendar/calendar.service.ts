import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Db } from '../../../database/db';
import { CalendarStore } from './calendar-store';
import { expandSeed, SeedDay } from './calendar-seed';
import { CALENDAR_SEED, HOLIDAY_NAMES_EN } from './calendar-seed.data';
import {
  addDays,
  ClockOptions,
  ClockUnit,
  computeDeadline,
  Deadline,
  IsoDate,
  NATIONAL,
  remainingWorkingDays,
  shanghaiDate,
  warningLevel,
  WarningLevel,
  WorkCalendar,
  yearOf,
} from './deadline';

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
/** The national seed by day, for resetting a national day to what the State Council decided. */
export const SEED_BY_DATE = new Map(SEED_DAYS.map((d) => [d.date, d]));

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

  /**
   * Clears the cached calendars and tells the listeners (after the change is written): the
   * seeding here, and the administrators' edits (CalendarAdminService).
   */
  changed(change: CalendarChange): void {
    // Every region below the changed one is affected; changes are rare, so drop everything.
    this.store.clear();
    for (const listener of this.listeners) {
      void Promise.resolve()
        .then(() => listener(change))
        .catch((err: unknown) => this.log.error(`calendar change listener failed: ${String(err)}`));
    }
  }
}
