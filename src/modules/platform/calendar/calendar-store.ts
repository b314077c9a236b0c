import { Injectable } from '@nestjs/common';
import { Db } from '../../../database/db';
import type { CalendarSource } from './calendar.entity';
import { calendarOf, IsoDate, regionChain, WorkCalendar, yearOf } from './deadline';

/** A work_calendar_day row as the reads need it. */
export interface DayRow {
  regionCode: string;
  date: IsoDate;
  isWorkday: boolean;
  name: string | null;
  nameEn: string | null;
  source: CalendarSource;
}

interface YearRow {
  regionCode: string;
  year: number;
  published: boolean;
  noticeUrl: string | null;
}

/** One region's effective calendar for one year: the rows of its chain laid over each other. */
export interface YearEntry {
  days: Map<IsoDate, DayRow>;
  published: boolean;
  noticeUrl: string | null;
  loadedAt: number;
}

/** Other instances learn of changes only by expiry: keep it short. */
const CACHE_TTL_MS = 60_000;
/** Bounds memory when callers ask for many distinct (even unknown) region codes. */
const CACHE_MAX_ENTRIES = 5_000;

class YearNotLoaded extends Error {
  constructor(readonly year: number) {
    super(`calendar year ${year} not loaded`);
  }
}

/**
 * For each date and for the year flag, the row of the most specific region in the chain wins
 * (the longest code prefix).
 */
export function layer(
  chain: string[],
  year: number,
  days: DayRow[],
  years: YearRow[],
): Omit<YearEntry, 'loadedAt'> {
  const rank = (code: string) => chain.indexOf(code);
  const entry: Omit<YearEntry, 'loadedAt'> = { days: new Map(), published: false, noticeUrl: null };
  let decided = -1;
  for (const r of years) {
    if (r.year !== year || rank(r.regionCode) < 0 || rank(r.regionCode) <= decided) continue;
    decided = rank(r.regionCode);
    entry.published = r.published;
    entry.noticeUrl = r.noticeUrl;
  }
  for (const r of days) {
    if (yearOf(r.date) !== year || rank(r.regionCode) < 0) continue;
    const held = entry.days.get(r.date);
    if (!held || rank(r.regionCode) > rank(held.regionCode)) entry.days.set(r.date, r);
  }
  return entry;
}

/**
 * The read side of the calendars: per region and year, cached in memory (a minute at most, and
 * cleared on every change this instance makes), loaded with one query for the days of all the
 * years needed and one for their published flags.
 */
@Injectable()
export class CalendarStore {
  private readonly cache = new Map<string, YearEntry>();

  constructor(private readonly db: Db) {}

  clear(): void {
    this.cache.clear();
  }

  async year(regionCode: string, year: number): Promise<YearEntry> {
    await this.load(regionCode, year, year);
    return this.entry(regionCode, year)!;
  }

  /** A loaded snapshot of the region's calendar for the years given; other years throw. */
  async calendar(regionCode: string, firstYear: number, lastYear: number): Promise<WorkCalendar> {
    await this.load(regionCode, firstYear, lastYear);
    const years = new Map<number, YearEntry>();
    for (let y = firstYear; y <= lastYear; y++) years.set(y, this.entry(regionCode, y)!);
    return this.calendarFrom((year) => years.get(year));
  }

  /**
   * Runs a pure computation on the region's calendar, starting with the years guessed and
   * loading any other year it reaches.
   */
  async withCalendar<T>(
    regionCode: string,
    first: number,
    last: number,
    fn: (cal: WorkCalendar) => T,
  ): Promise<T> {
    let [lo, hi] = [first, last];
    for (let attempt = 0; attempt < 50; attempt++) {
      await this.load(regionCode, lo, hi);
      try {
        // Synchronous from here: nothing can clear the cache before fn returns.
        return fn(this.calendarFrom((year) => this.entry(regionCode, year)));
      } catch (err) {
        if (!(err instanceof YearNotLoaded)) throw err;
        [lo, hi] = [err.year, err.year + 1];
      }
    }
    throw new Error('calendar: too many years to load');
  }

  private calendarFrom(lookup: (year: number) => YearEntry | undefined): WorkCalendar {
    const entryOf = (year: number): YearEntry => {
      const e = lookup(year);
      if (!e) throw new YearNotLoaded(year);
      return e;
    };
    return calendarOf(
      (date) => entryOf(yearOf(date)).days.get(date)?.isWorkday,
      (year) => entryOf(year).published,
    );
  }

  private entry(regionCode: string, year: number): YearEntry | undefined {
    return this.cache.get(`${regionCode}|${year}`);
  }

  private async load(regionCode: string, first: number, last: number): Promise<void> {
    const now = Date.now();
    const years: number[] = [];
    for (let y = first; y <= last; y++) {
      const e = this.entry(regionCode, y);
      if (!e || now - e.loadedAt > CACHE_TTL_MS) years.push(y);
    }
    if (!years.length) return;
    const [lo, hi] = [years[0], years[years.length - 1]];
    const chain = regionChain(regionCode);
    const days = await this.db.query<DayRow>(
      `SELECT region_code AS "regionCode", date::text AS date, is_workday AS "isWorkday", name,
              name_en AS "nameEn", source
       FROM work_calendar_day WHERE region_code = ANY($1) AND date BETWEEN $2 AND $3`,
      [chain, `${lo}-01-01`, `${hi}-12-31`],
    );
    const yearRows = await this.db.query<YearRow>(
      `SELECT region_code AS "regionCode", year, published, notice_url AS "noticeUrl"
       FROM work_calendar_year WHERE region_code = ANY($1) AND year BETWEEN $2 AND $3`,
      [chain, lo, hi],
    );
    for (let y = lo; y <= hi; y++)
      this.remember(`${regionCode}|${y}`, { ...layer(chain, y, days, yearRows), loadedAt: now });
  }

  private remember(key: string, entry: YearEntry): void {
    this.cache.delete(key);
    if (this.cache.size >= CACHE_MAX_ENTRIES) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(key, entry);
  }
}
