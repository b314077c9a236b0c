import * as chineseDays from 'chinese-days';
import { expandSeed } from './calendar-seed';
import { CALENDAR_SEED, HOLIDAY_NAMES_EN } from './calendar-seed.data';
import {
  addDays,
  addHours,
  addNaturalDays,
  addWorkingDays,
  calendarOf,
  ClockUnit,
  computeDeadline,
  endOfDay,
  isIsoDate,
  isWeekend,
  regionChain,
  remainingWorkingDays,
  shanghaiDate,
  warningLevel,
  WorkCalendar,
} from './deadline';

// The national calendar exactly as the service builds it from the seeded rows.
const SEED = expandSeed(CALENDAR_SEED, HOLIDAY_NAMES_EN);
const EXCEPTIONS = new Map(SEED.map((d) => [d.date, d.isWorkday]));
const SEEDED_YEARS = new Set(CALENDAR_SEED.map((y) => y.year));
const LAST_SEEDED = Math.max(...SEEDED_YEARS);
const national: WorkCalendar = calendarOf(
  (d) => EXCEPTIONS.get(d),
  (y) => SEEDED_YEARS.has(y),
);

/** Beijing wall-clock time. */
const bj = (s: string) => new Date(`${s}+08:00`);
/** The end of a Beijing day, as the API returns it. */
const eod = (d: string) => endOfDay(d).toISOString();

describe('day helpers', () => {
  it('takes the Beijing day of an instant (UTC+8, no DST)', () => {
    expect(shanghaiDate(new Date('2025-01-24T15:59:59Z'))).toBe('2025-01-24');
    expect(shanghaiDate(new Date('2025-01-24T16:00:00Z'))).toBe('2025-01-25');
    expect(shanghaiDate(new Date('2025-07-01T00:00:00Z'))).toBe('2025-07-01');
    expect(endOfDay('2025-02-07').toISOString()).toBe('2025-02-07T15:59:59.000Z');
  });

  it('adds days across months, years and leap days', () => {
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2025-02-28', 1)).toBe('2025-03-01');
    expect(addDays('2025-12-31', 1)).toBe('2026-01-01');
    expect(addDays('2025-01-01', -1)).toBe('2024-12-31');
  });

  it('accepts only real dates', () => {
    expect(isIsoDate('2024-02-29')).toBe(true);
    expect(isIsoDate('2025-02-29')).toBe(false);
    expect(isIsoDate('2025-13-01')).toBe(false);
    expect(isIsoDate('2025-1-01')).toBe(false);
    expect(isIsoDate('2025-01-01T00:00')).toBe(false);
  });

  it('lists a region code with the codes above it, most general first', () => {
    expect(regionChain('000000')).toEqual(['000000']);
    expect(regionChain('450000')).toEqual(['000000', '450000']);
    expect(regionChain('450102')).toEqual(['000000', '450000', '450100', '450102']);
    expect(regionChain('110101001002')).toEqual([
      '000000',
      '110000',
      '110100',
      '110101',
      '110101001000',
      '110101001002',
    ]);
  });
});

describe('the seed', () => {
  it('covers 2004 to 2026 and holds the 2025 春节 and 国庆节 notices', () => {
    expect([...SEEDED_YEARS].sort()).toEqual(Array.from({ length: 23 }, (_, i) => 2004 + i));
    const days = (from: string, to: string) => SEED.filter((d) => d.date >= from && d.date <= to);
    // 2025 春节: 01-28 … 02-04 off, Sunday 01-26 and Saturday 02-08 worked.
    expect(
      days('2025-01-25', '2025-02-09').map((d) => `${d.date}:${d.isWorkday ? 'work' : 'off'}:${d.name}`),
    ).toEqual([
      '2025-01-26:work:春节',
      ...['01-28', '01-29', '01-30', '01-31', '02-01', '02-02', '02-03', '02-04'].map(
        (md) => `2025-${md}:off:春节`,
      ),
      '2025-02-08:work:春节',
    ]);
    // 2025 国庆节+中秋: 10-01 … 10-08 off (10-06 is 中秋), Sunday 09-28 and Saturday 10-11 worked.
    expect(
      days('2025-09-27', '2025-10-12').map((d) => `${d.date.slice(5)}:${d.isWorkday ? 'work' : 'off'}`),
    ).toEqual([
      '09-28:work',
      ...['10-01', '10-02', '10-03', '10-04', '10-05', '10-06', '10-07', '10-08'].map((md) => `${md}:off`),
      '10-11:work',
    ]);
    expect(SEED.find((d) => d.date === '2025-10-06')).toMatchObject({
      name: '中秋',
      nameEn: 'Mid-autumn Festival',
    });
  });

  it('has make-up working days only on weekends', () => {
    const weekdays = SEED.filter((d) => d.isWorkday && !isWeekend(d.date)).map((d) => d.date);
    expect(weekdays).toEqual([]);
  });

  it('agrees with chinese-days isWorkday on every day of every seeded year', () => {
    const disagree: string[] = [];
    for (let d = '2004-01-01'; d <= `${LAST_SEEDED}-12-31`; d = addDays(d, 1)) {
      if (national.isWorkday(d) !== chineseDays.isWorkday(d)) disagree.push(d);
    }
    expect(disagree).toEqual([]);
  });

  it('does not fall into the isInLieu trap: 调休 days off are off, make-up days are worked', () => {
    // chinese-days' isInLieu means "a day off given in lieu", not "a make-up working day" (#46).
    expect(chineseDays.isInLieu('2025-02-03')).toBe(true);
    expect(national.isWorkday('2025-02-03')).toBe(false);
    expect(chineseDays.isInLieu('2025-01-26')).toBe(false);
    expect(national.isWorkday('2025-01-26')).toBe(true);
  });
});

describe('addWorkingDays (counted from the day after receipt)', () => {
  it('2025 春节: Fri 01-24 + 5 → 02-07 (Sun 01-26 make-up is day 1, 01-28…02-04 skipped)', () => {
    // 01-26 Sun (1), 01-27 Mon (2), holiday, 02-05 (3), 02-06 (4), 02-07 (5).
    const d = addWorkingDays(national, bj('2025-01-24T10:00:00'), 5);
    expect(d.dueDate).toBe('2025-02-07');
    expect(d.dueAt!.toISOString()).toBe(eod('2025-02-07'));
    expect(d.provisional).toBe(false);
  });

  it('never counts the receipt day, whatever the hour', () => {
    expect(addWorkingDays(national, bj('2025-01-24T00:00:00'), 1).dueDate).toBe('2025-01-26');
    expect(addWorkingDays(national, bj('2025-01-24T23:59:59'), 1).dueDate).toBe('2025-01-26');
    // 20:00 UTC on Friday is 04:00 on Saturday in Beijing: Saturday is the receipt day.
    expect(addWorkingDays(national, new Date('2025-01-24T20:00:00Z'), 1).dueDate).toBe('2025-01-26');
    expect(addWorkingDays(national, new Date('2025-01-24T15:00:00Z'), 2).dueDate).toBe('2025-01-27');
  });

  it('2025 国庆节: Fri 09-26 + 5 → 10-10 (Sun 09-28 make-up counts, 10-01…10-08 skipped)', () => {
    // 09-28 Sun (1), 09-29 (2), 09-30 (3), holiday, 10-09 (4), 10-10 (5).
    expect(addWorkingDays(national, bj('2025-09-26T16:00:00'), 5).dueDate).toBe('2025-10-10');
  });

  it('2025 国庆节: Tue 09-30 + 3 → Saturday 10-11, a make-up working day', () => {
    // 10-09 Thu (1), 10-10 Fri (2), 10-11 Sat (3).
    const d = addWorkingDays(national, bj('2025-09-30T09:00:00'), 3);
    expect(d.dueDate).toBe('2025-10-11');
    expect(isWeekend(d.dueDate!)).toBe(true);
  });

  it('a receipt during the holiday starts counting after it: 2025-10-03 + 1 → 10-09', () => {
    expect(addWorkingDays(national, bj('2025-10-03T11:00:00'), 1).dueDate).toBe('2025-10-09');
  });

  it('2026 春节: Thu 02-12 + 3 → 02-24 (Sat 02-14 make-up counts, 02-15…02-23 skipped)', () => {
    // 02-13 Fri (1), 02-14 Sat (2), holiday, 02-24 Tue (3).
    expect(addWorkingDays(national, bj('2026-02-12T10:00:00'), 3).dueDate).toBe('2026-02-24');
  });

  it('2026 春节, the §42 20 days: Thu 02-12 + 20 → 03-18 (Sat 02-28 make-up counts)', () => {
    // 02-13 (1) 02-14 (2) | 02-24 (3) 25 (4) 26 (5) 27 (6) 02-28 Sat (7) | 03-02 (8) … 03-06 (12)
    // 03-09 (13) … 03-13 (17) 03-16 (18) 03-17 (19) 03-18 (20)
    expect(addWorkingDays(national, bj('2026-02-12T10:00:00'), 20).dueDate).toBe('2026-03-18');
    // Without the 调休 (weekends only) it would be 03-12: the calendar matters.
    const plain = calendarOf(
      () => undefined,
      () => true,
    );
    expect(addWorkingDays(plain, bj('2026-02-12T10:00:00'), 20).dueDate).toBe('2026-03-12');
  });

  it('adds an extension (延期) as further working days', () => {
    // 5 → 02-07; then 02-08 Sat make-up (6), 02-10 … 02-14 (7–11), 02-17 … 02-20 (12–15).
    expect(addWorkingDays(national, bj('2025-01-24T10:00:00'), 5, { extension: 10 }).dueDate).toBe(
      '2025-02-20',
    );
    expect(computeDeadline(national, bj('2025-01-24T10:00:00'), ClockUnit.WorkingDays, 15).dueDate).toBe(
      '2025-02-20',
    );
  });

  it('refuses non-positive or fractional amounts and negative extensions', () => {
    expect(() => addWorkingDays(national, bj('2025-01-24T10:00:00'), 0)).toThrow(RangeError);
    expect(() => addWorkingDays(national, bj('2025-01-24T10:00:00'), -1)).toThrow(RangeError);
    expect(() => addWorkingDays(national, bj('2025-01-24T10:00:00'), 1.5)).toThrow(RangeError);
    expect(() => addWorkingDays(national, bj('2025-01-24T10:00:00'), 1, { extension: -1 })).toThrow(
      RangeError,
    );
  });

  it('stops on a calendar without working days instead of looping', () => {
    const never = calendarOf(
      () => false,
      () => true,
    );
    expect(() => addWorkingDays(never, bj('2025-01-24T10:00:00'), 1)).toThrow(/too few working days/);
  });
});

describe('pauses (补正, 特别程序)', () => {
  const receipt = bj('2025-01-20T10:00:00'); // Monday
  // 补正 notice Thu 01-23 15:00, materials back Mon 02-10 10:00: the pause spans the holiday.
  const pause = { from: bj('2025-01-23T15:00:00'), to: bj('2025-02-10T10:00:00') };

  it('without a pause: Mon 01-20 + 10 → Saturday 02-08 (make-up day)', () => {
    // 01-21 (1) 22 (2) 23 (3) 24 (4) 01-26 Sun (5) 27 (6) | 02-05 (7) 06 (8) 07 (9) 02-08 Sat (10)
    expect(addWorkingDays(national, receipt, 10).dueDate).toBe('2025-02-08');
  });

  it('resumes the remaining days from the day after the pause ends', () => {
    // 01-21 (1), 01-22 (2); 01-23 … 02-10 paused; 02-11 (3) … 02-14 (6), 02-17 (7) … 02-20 (10).
    expect(addWorkingDays(national, receipt, 10, { pauses: [pause] }).dueDate).toBe('2025-02-20');
  });

  it('restarts from zero after a 补正 with restart', () => {
    // 02-11 (1) … 02-14 (4), 02-17 (5) … 02-21 (9), 02-24 (10).
    expect(addWorkingDays(national, receipt, 10, { pauses: [{ ...pause, restart: true }] }).dueDate).toBe(
      '2025-02-24',
    );
  });

  it('leaves out every day of overlapping pauses once', () => {
    const second = { from: bj('2025-02-07T09:00:00'), to: bj('2025-02-11T18:00:00') };
    // 01-21 (1), 01-22 (2); paused 01-23 … 02-11; 02-12 (3) … 02-14 (5), 02-17 (6) … 02-21 (10).
    expect(addWorkingDays(national, receipt, 10, { pauses: [second, pause] }).dueDate).toBe('2025-02-21');
  });

  it('has no due date while a pause is running, unless the clock ran out before it', () => {
    const open = { from: bj('2025-01-23T15:00:00'), to: null };
    expect(addWorkingDays(national, receipt, 10, { pauses: [open] })).toEqual({
      dueAt: null,
      dueDate: null,
      provisional: false,
      unpublishedYears: [],
    });
    expect(addWorkingDays(national, receipt, 2, { pauses: [open] }).dueDate).toBe('2025-01-22');
  });

  it('pauses natural-day clocks by calendar days', () => {
    // 10 natural days from 01-20 → 01-30; with 01-23 … 02-10 paused: 01-21, 01-22, then 02-11 … 02-18.
    expect(addNaturalDays(national, receipt, 10).dueDate).toBe('2025-01-30');
    expect(addNaturalDays(national, receipt, 10, { pauses: [pause] }).dueDate).toBe('2025-02-18');
  });

  it('refuses a pause that ends before it starts', () => {
    const bad = { from: bj('2025-02-10T10:00:00'), to: bj('2025-01-23T15:00:00') };
    expect(() => addWorkingDays(national, receipt, 10, { pauses: [bad] })).toThrow(RangeError);
    expect(() => addHours(receipt, 10, { pauses: [bad] })).toThrow(RangeError);
  });
});

describe('addNaturalDays and addHours', () => {
  it('counts calendar days from the day after receipt, holidays included', () => {
    // 01-25 (1) … 02-03 (10), a 春节 day off.
    const d = addNaturalDays(national, bj('2025-01-24T10:00:00'), 10);
    expect(d.dueAt!.toISOString()).toBe(eod('2025-02-03'));
    expect(d.provisional).toBe(false);
  });

  it('moves a last day that is not a working day to the next working day when asked (民法典 §203)', () => {
    expect(
      addNaturalDays(national, bj('2025-01-24T10:00:00'), 10, { rollOverNonWorkingDay: true }).dueDate,
    ).toBe('2025-02-05');
    // 2025-02-08 is a Saturday but a make-up working day: no roll-over.
    expect(
      addNaturalDays(national, bj('2025-01-24T10:00:00'), 15, { rollOverNonWorkingDay: true }).dueDate,
    ).toBe('2025-02-08');
  });

  it('adds exact hours, holidays or not, plus paused time', () => {
    const receipt = bj('2025-01-27T16:30:00');
    expect(addHours(receipt, 72).dueAt!.toISOString()).toBe(bj('2025-01-30T16:30:00').toISOString());
    const pause = { from: bj('2025-01-28T09:00:00'), to: bj('2025-01-28T21:00:00') };
    expect(addHours(receipt, 72, { pauses: [pause] }).dueAt!.toISOString()).toBe(
      bj('2025-01-31T04:30:00').toISOString(),
    );
    expect(addHours(receipt, 72, { pauses: [{ ...pause, restart: true }] }).dueAt!.toISOString()).toBe(
      bj('2025-01-31T21:00:00').toISOString(),
    );
    expect(addHours(receipt, 2, { pauses: [pause] }).dueAt!.toISOString()).toBe(
      bj('2025-01-27T18:30:00').toISOString(),
    );
    expect(addHours(receipt, 72, { extension: 24 }).dueDate).toBe('2025-01-31');
    expect(addHours(receipt, 72, { pauses: [{ from: pause.from, to: null }] }).dueAt).toBeNull();
  });
});

describe('provisional deadlines', () => {
  const next = LAST_SEEDED + 1;

  it(`is provisional when the count reaches ${next}, whose holidays are not published`, () => {
    // 12-25 Fri (1), 12-28 (2) … 12-31 (5), 2027-01-01 Fri (6, maybe 元旦), 01-04 (7) … 01-07 (10).
    const d = addWorkingDays(national, bj(`${LAST_SEEDED}-12-24T10:00:00`), 10);
    expect(d.dueDate).toBe(`${next}-01-07`);
    expect(d.provisional).toBe(true);
    expect(d.unpublishedYears).toEqual([next]);
  });

  it('is not provisional inside published years', () => {
    const d = addWorkingDays(national, bj(`${LAST_SEEDED}-12-01T10:00:00`), 5);
    expect(d.provisional).toBe(false);
    expect(d.unpublishedYears).toEqual([]);
  });

  it('flips once the year is marked published', () => {
    const published = calendarOf(
      (d) => EXCEPTIONS.get(d),
      () => true,
    );
    expect(addWorkingDays(published, bj(`${LAST_SEEDED}-12-24T10:00:00`), 10).provisional).toBe(false);
  });

  it('natural days depend on the calendar only when rolling over', () => {
    const receipt = bj(`${LAST_SEEDED}-12-24T10:00:00`);
    expect(addNaturalDays(national, receipt, 10).provisional).toBe(false);
    expect(addNaturalDays(national, receipt, 10, { rollOverNonWorkingDay: true }).provisional).toBe(true);
    expect(addHours(receipt, 500).provisional).toBe(false);
  });
});

describe('remaining working days and the warning light', () => {
  const due = endOfDay('2025-02-07'); // from the 春节 case above

  it('counts whole working days after today up to the due day', () => {
    expect(remainingWorkingDays(national, bj('2025-01-27T10:00:00'), due)).toBe(3); // 02-05, 02-06, 02-07
    expect(remainingWorkingDays(national, bj('2025-01-30T10:00:00'), due)).toBe(3); // during the holiday
    expect(remainingWorkingDays(national, bj('2025-02-06T09:00:00'), due)).toBe(1);
    expect(remainingWorkingDays(national, bj('2025-02-07T20:00:00'), due)).toBe(0); // due today
  });

  it('goes negative by the working days since the due day once overdue', () => {
    expect(remainingWorkingDays(national, bj('2025-02-08T08:00:00'), due)).toBe(-1); // Saturday make-up day
    expect(remainingWorkingDays(national, bj('2025-02-09T10:00:00'), due)).toBe(-1); // Sunday
    expect(remainingWorkingDays(national, bj('2025-02-10T10:00:00'), due)).toBe(-2);
  });

  it('is green, yellow at ≤ N working days left, red once overdue', () => {
    expect(warningLevel(national, bj('2025-01-27T10:00:00'), due, 2)).toBe('green');
    expect(warningLevel(national, bj('2025-01-27T10:00:00'), due, 3)).toBe('yellow');
    expect(warningLevel(national, bj('2025-01-30T10:00:00'), due, 2)).toBe('green');
    expect(warningLevel(national, bj('2025-02-05T10:00:00'), due, 2)).toBe('yellow');
    expect(warningLevel(national, bj('2025-02-07T23:59:59'), due, 0)).toBe('yellow');
    expect(warningLevel(national, new Date(due.getTime() + 1000), due, 2)).toBe('red');
  });
});
