import type { ClockSpec } from '../../platform/calendar/calendar.service';
import { ClockUnit, Pause } from '../../platform/calendar/deadline';
import type { StoredExtension, StoredPause } from './case.entity';
import type { TimeLimit } from './workflow-spec';

/** A guide's time limit as the catalogue stores it (amount may be 0 for 即办). */
export interface GuideLimit {
  amount: number;
  unit: string;
}

const UNITS = new Set<string>(Object.values(ClockUnit));

/**
 * The case limit: the workflow's own, else the guide's promised limit (承诺时限), else its legal
 * one (法定时限). A zero (即办件) counts as one unit: the clock needs at least a day to end in.
 */
export function resolveLimit(
  own: TimeLimit | undefined,
  promised: GuideLimit | undefined | null,
  legal: GuideLimit | undefined | null,
): { amount: number; unit: ClockUnit } {
  const pick = own ?? promised ?? legal;
  if (!pick || !UNITS.has(pick.unit)) return { amount: 20, unit: ClockUnit.WorkingDays };
  return { amount: Math.max(1, Math.floor(pick.amount)), unit: pick.unit as ClockUnit };
}

export function clockPauses(pauses: readonly StoredPause[]): Pause[] {
  return pauses.map((p) => ({
    from: new Date(p.from),
    to: p.to ? new Date(p.to) : null,
    restart: p.restart === true,
  }));
}

/** Granted extensions (延期) add up; pending and denied ones count for nothing. */
export function grantedExtension(extensions: readonly StoredExtension[]): number {
  return extensions.filter((e) => e.state === 'granted').reduce((sum, e) => sum + e.amount, 0);
}

/** The case clock for CalendarService.deadline: limit, pauses and granted extensions. */
export function caseClock(c: {
  limit: { amount: number; unit: string };
  pauses: readonly StoredPause[];
  extensions: readonly StoredExtension[];
}): ClockSpec {
  const unit = UNITS.has(c.limit.unit) ? (c.limit.unit as ClockUnit) : ClockUnit.WorkingDays;
  return {
    unit,
    amount: Math.max(1, c.limit.amount),
    pauses: clockPauses(c.pauses),
    extension: grantedExtension(c.extensions),
  };
}

/** The pause still running, if any (at most one at a time: a case is either suspended or waiting). */
export function openPause(pauses: readonly StoredPause[]): StoredPause | undefined {
  return pauses.find((p) => p.to === null);
}
