import { addDays, IsoDate } from './deadline';

/** One holiday of a year's State Council notice: its days off and its 调休 make-up working days. */
export interface CalendarSeedHoliday {
  /** Chinese name, e.g. 春节 */
  name: string;
  /** 'MM-DD' or an inclusive run 'MM-DD..MM-DD' (weekend days of the period included) */
  off: string[];
  /** 'MM-DD' make-up working days (weekend days that are worked) */
  work?: string[];
}

export interface CalendarSeedYear {
  year: number;
  /** the gov.cn notice the arrangement comes from, when known */
  notice: string | null;
  holidays: CalendarSeedHoliday[];
}

export interface SeedDay {
  date: IsoDate;
  isWorkday: boolean;
  name: string;
  nameEn: string | null;
}

/** The seed as one row per exception day, in date order. */
export function expandSeed(
  years: readonly CalendarSeedYear[],
  namesEn: Readonly<Record<string, string>>,
): SeedDay[] {
  const out: SeedDay[] = [];
  for (const y of years) {
    for (const h of y.holidays) {
      const nameEn = namesEn[h.name] ?? null;
      for (const run of h.off) {
        const [first, last = first] = run.split('..').map((md) => `${y.year}-${md}`);
        for (let d = first; d <= last; d = addDays(d, 1))
          out.push({ date: d, isWorkday: false, name: h.name, nameEn });
      }
      for (const md of h.work ?? [])
        out.push({ date: `${y.year}-${md}`, isWorkday: true, name: h.name, nameEn });
    }
  }
  return out.sort((a, b) => a.date.localeCompare(b.date));
}
