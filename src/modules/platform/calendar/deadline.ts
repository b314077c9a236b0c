/**
 * Clock arithmetic for 限时办结: pure functions over a working-day calendar, no I/O.
 *
 * Days are 'YYYY-MM-DD' strings in Asia/Shanghai (UTC+8 all year, no DST), instants are Dates.
 * Day clocks start on the day after receipt (受理次日起算) and end at 23:59:59 Beijing time of
 * their last day; hour clocks are exact.
 */

/** A calendar day in Asia/Shanghai, 'YYYY-MM-DD'. */
export type IsoDate = string;

/** What the counting needs from a calendar; CalendarService builds one per region from the database. */
export interface WorkCalendar {
  isWorkday(date: IsoDate): boolean;
  /** true once the year's holiday and 调休 arrangement is known (the State Council notice is out) */
  isPublished(year: number): boolean;
}

export enum ClockUnit {
  /** 工作日: statutory holidays and weekends left out, 调休 make-up days counted */
  WorkingDays = 'working_days',
  /** 自然日 */
  NaturalDays = 'natural_days',
  /** 小时, exact */
  Hours = 'hours',
}

/**
 * A stretch during which the clock stands still (补正, 特别程序 such as 听证/检验/鉴定). For day clocks
 * every day from the day `from` falls on to the day `to` falls on is left out, and counting goes on
 * from the day after `to`. `restart` starts the count again from zero instead of resuming it
 * (补正后自补正材料收到之日次日起重新计算). `to: null` is a pause still running.
 */
export interface Pause {
  from: Date;
  to: Date | null;
  restart?: boolean;
}

export interface ClockOptions {
  pauses?: readonly Pause[];
  /** approved extension (延期), in the clock's unit, added to the amount */
  extension?: number;
  /**
   * natural-day clocks only: when the last day is not a working day, the period ends on the next
   * working day (民法典 §203: 期间的最后一日是法定休假日的，以法定休假日结束的次日为期间的最后一日)
   */
  rollOverNonWorkingDay?: boolean;
}

export interface Deadline {
  /** end of the period; null while a pause is still running (the clock is stopped) */
  dueAt: Date | null;
  /** the Beijing calendar day dueAt falls on */
  dueDate: IsoDate | null;
  /** true when the count ran through a year whose holidays are not published yet */
  provisional: boolean;
  /** those years, ascending */
  unpublishedYears: number[];
}

export type WarningLevel = 'green' | 'yellow' | 'red';

const OFFSET_MS = 8 * 3_600_000;
const HOUR_MS = 3_600_000;
/** A guard against calendars without working days: about 30 years of walking. */
const MAX_WALK_DAYS = 11_000;
const ISO_DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** True for a real calendar date written as 'YYYY-MM-DD' (rejects 2025-02-30). */
export function isIsoDate(value: string): boolean {
  const m = ISO_DATE_RE.exec(value);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return (
    d.getUTCFullYear() === Number(m[1]) &&
    d.getUTCMonth() === Number(m[2]) - 1 &&
    d.getUTCDate() === Number(m[3])
  );
}

/** The Beijing calendar day an instant falls on. */
export function shanghaiDate(at: Date): IsoDate {
  return new Date(at.getTime() + OFFSET_MS).toISOString().slice(0, 10);
}

/** 23:59:59 Beijing time on the day. */
export function endOfDay(date: IsoDate): Date {
  return new Date(`${date}T23:59:59+08:00`);
}

/** 00:00:00 Beijing time on the day. */
export function startOfDay(date: IsoDate): Date {
  return new Date(`${date}T00:00:00+08:00`);
}

export function addDays(date: IsoDate, days: number): IsoDate {
  const [y, m, d] = date.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

export function yearOf(date: IsoDate): number {
  return Number(date.slice(0, 4));
}

export function isWeekend(date: IsoDate): boolean {
  const day = new Date(`${date}T00:00:00Z`).getUTCDay();
  return day === 0 || day === 6;
}

/**
 * A calendar from exception days (holidays off, 调休 make-up days on) over the Monday–Friday rule:
 * `exception(date)` answers true/false for an exception day and undefined otherwise. `published`
 * says which years' exceptions are complete.
 */
export function calendarOf(
  exception: (date: IsoDate) => boolean | undefined,
  published: (year: number) => boolean,
): WorkCalendar {
  return {
    isWorkday: (date) => exception(date) ?? !isWeekend(date),
    isPublished: published,
  };
}

/** The national calendar's region code. */
export const NATIONAL = '000000';

/**
 * The codes whose calendar rows apply to a region, most general first: national, province,
 * city, county and, for 12-digit codes, township and the code itself (GB/T 2260 prefixes).
 */
export function regionChain(code: string): string[] {
  const chain = [NATIONAL, `${code.slice(0, 2)}0000`, `${code.slice(0, 4)}00`, code.slice(0, 6)];
  if (code.length === 12) chain.push(`${code.slice(0, 9)}000`, code);
  return [...new Set(chain)];
}

interface DayPause {
  from: IsoDate;
  to: IsoDate | null;
  restart: boolean;
}

function dayPauses(pauses: readonly Pause[] = []): DayPause[] {
  for (const p of pauses) {
    if (p.to && p.to.getTime() < p.from.getTime())
      throw new RangeError('a pause cannot end before it starts');
  }
  return [...pauses]
    .sort((a, b) => a.from.getTime() - b.from.getTime())
    .map((p) => ({
      from: shanghaiDate(p.from),
      to: p.to ? shanghaiDate(p.to) : null,
      restart: p.restart === true,
    }));
}

function totalOf(amount: number, extension = 0): number {
  if (!Number.isInteger(amount) || amount < 1) throw new RangeError('amount must be a positive integer');
  if (!Number.isInteger(extension) || extension < 0)
    throw new RangeError('extension must be a non-negative integer');
  return amount + extension;
}

/**
 * Walks the days after receipt, skipping paused days, until `counts` has accepted `total` days.
 * Every day walked marks its year as used (for `provisional`).
 */
function walk(
  receivedAt: Date,
  total: number,
  pauses: DayPause[],
  counts: (date: IsoDate) => boolean,
  years: Set<number>,
): IsoDate | null {
  let day = shanghaiDate(receivedAt);
  let counted = 0;
  const restarted = new Set<DayPause>();
  for (let i = 0; i < MAX_WALK_DAYS; i++) {
    day = addDays(day, 1);
    years.add(yearOf(day));
    const pause = pauses.find((p) => p.from <= day && (p.to === null || day <= p.to));
    if (pause) {
      if (pause.to === null) return null;
      if (pause.restart && !restarted.has(pause)) {
        restarted.add(pause);
        counted = 0;
      }
      continue;
    }
    if (counts(day) && ++counted === total) return day;
  }
  throw new RangeError(`no deadline within ${MAX_WALK_DAYS} days: the calendar has too few working days`);
}

function result(due: IsoDate | null, dueAt: Date | null, years: Set<number>, cal: WorkCalendar): Deadline {
  const unpublishedYears = [...years].filter((y) => !cal.isPublished(y)).sort((a, b) => a - b);
  return { dueAt, dueDate: due, provisional: unpublishedYears.length > 0, unpublishedYears };
}

/**
 * `n` working days counted from the day after receipt: ends at 23:59:59 of the n-th working day
 * after the receipt date (a receipt on a holiday or at 23:00 changes nothing: the receipt day
 * never counts).
 */
export function addWorkingDays(
  cal: WorkCalendar,
  receivedAt: Date,
  n: number,
  options: ClockOptions = {},
): Deadline {
  const years = new Set<number>();
  const due = walk(
    receivedAt,
    totalOf(n, options.extension),
    dayPauses(options.pauses),
    (d) => cal.isWorkday(d),
    years,
  );
  return result(due, due ? endOfDay(due) : null, years, cal);
}

/**
 * `n` calendar days after the receipt date, ending at 23:59:59 of the last one. The calendar
 * matters only with `rollOverNonWorkingDay`.
 */
export function addNaturalDays(
  cal: WorkCalendar,
  receivedAt: Date,
  n: number,
  options: ClockOptions = {},
): Deadline {
  const years = new Set<number>();
  let due = walk(receivedAt, totalOf(n, options.extension), dayPauses(options.pauses), () => true, years);
  if (!options.rollOverNonWorkingDay) years.clear();
  else if (due) {
    for (let i = 0; !cal.isWorkday(due); i++) {
      if (i >= MAX_WALK_DAYS) throw new RangeError('no working day to roll over to');
      due = addDays(due, 1);
      years.add(yearOf(due));
    }
  }
  return result(due, due ? endOfDay(due) : null, years, cal);
}

/** Exactly `n` hours after receipt, plus the time spent in pauses. Never provisional. */
export function addHours(receivedAt: Date, n: number, options: ClockOptions = {}): Deadline {
  const total = totalOf(n, options.extension) * HOUR_MS;
  let cursor = receivedAt.getTime();
  let remaining = total;
  for (const p of [...(options.pauses ?? [])].sort((a, b) => a.from.getTime() - b.from.getTime())) {
    if (p.to && p.to.getTime() < p.from.getTime())
      throw new RangeError('a pause cannot end before it starts');
    if (p.from.getTime() >= cursor + remaining) break; // the clock ran out before this pause
    remaining -= Math.max(0, p.from.getTime() - cursor);
    if (p.restart) remaining = total;
    if (!p.to) return { dueAt: null, dueDate: null, provisional: false, unpublishedYears: [] };
    cursor = Math.max(cursor, p.to.getTime());
  }
  const dueAt = new Date(cursor + remaining);
  return { dueAt, dueDate: shanghaiDate(dueAt), provisional: false, unpublishedYears: [] };
}

/** Dispatches on the unit. */
export function computeDeadline(
  cal: WorkCalendar,
  receivedAt: Date,
  unit: ClockUnit,
  amount: number,
  options: ClockOptions = {},
): Deadline {
  switch (unit) {
    case ClockUnit.WorkingDays:
      return addWorkingDays(cal, receivedAt, amount, options);
    case ClockUnit.NaturalDays:
      return addNaturalDays(cal, receivedAt, amount, options);
    case ClockUnit.Hours:
      return addHours(receivedAt, amount, options);
  }
}

/**
 * Whole working days left after today up to and including the due day (0: due today). Once
 * overdue, minus the working days since the due day (0 when it passed only hours ago or over a
 * weekend).
 */
export function remainingWorkingDays(cal: WorkCalendar, now: Date, dueAt: Date): number {
  const today = shanghaiDate(now);
  const dueDay = shanghaiDate(dueAt);
  const overdue = now.getTime() > dueAt.getTime();
  const [from, to] = overdue ? [dueDay, today] : [today, dueDay];
  let count = 0;
  for (let day = addDays(from, 1), i = 0; day <= to; day = addDays(day, 1), i++) {
    if (i >= MAX_WALK_DAYS) throw new RangeError('range too long');
    if (cal.isWorkday(day)) count++;
  }
  return overdue ? -count : count;
}

/**
 * 电子监察 light: red once overdue, yellow when at most `yellowWithin` working days are left
 * (e.g. 2: yellow from two working days before the due day), green otherwise.
 */
export function warningLevel(cal: WorkCalendar, now: Date, dueAt: Date, yellowWithin: number): WarningLevel {
  if (now.getTime() > dueAt.getTime()) return 'red';
  return remainingWorkingDays(cal, now, dueAt) <= yellowWithin ? 'yellow' : 'green';
}
