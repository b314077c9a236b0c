import { ClockUnit } from '../../platform/calendar/deadline';
import type { StoredExtension, StoredPause } from './case.entity';
import { caseClock, grantedExtension, openPause, resolveLimit } from './case-clock';

const ext = (amount: number, state: StoredExtension['state']): StoredExtension => ({
  amount,
  state,
  reason: 'r',
  requestedBy: 'x',
  requestedAt: '2026-01-05T00:00:00Z',
});

describe('case clock', () => {
  it('takes the workflow limit, else the promised one, else the legal one', () => {
    const legal = { amount: 20, unit: 'working_days' };
    const promised = { amount: 5, unit: 'working_days' };
    expect(resolveLimit({ amount: 3, unit: ClockUnit.NaturalDays }, promised, legal)).toEqual({
      amount: 3,
      unit: ClockUnit.NaturalDays,
    });
    expect(resolveLimit(undefined, promised, legal)).toEqual({ amount: 5, unit: ClockUnit.WorkingDays });
    expect(resolveLimit(undefined, null, legal)).toEqual({ amount: 20, unit: ClockUnit.WorkingDays });
    expect(resolveLimit(undefined, { amount: 0, unit: 'working_days' }, legal).amount).toBe(1);
  });

  it('adds only granted extensions and passes pauses through', () => {
    expect(
      grantedExtension([ext(5, 'granted'), ext(3, 'pending'), ext(2, 'denied'), ext(1, 'granted')]),
    ).toBe(6);
    const pauses: StoredPause[] = [
      {
        from: '2026-01-05T02:00:00Z',
        to: '2026-01-07T02:00:00Z',
        kind: 'supplement',
        reason: 'x',
        restart: true,
      },
      { from: '2026-01-09T02:00:00Z', to: null, kind: 'hearing', reason: 'y' },
    ];
    const clock = caseClock({
      limit: { amount: 5, unit: 'working_days' },
      pauses,
      extensions: [ext(2, 'granted')],
    });
    expect(clock).toMatchObject({ unit: ClockUnit.WorkingDays, amount: 5, extension: 2 });
    expect(clock.pauses).toEqual([
      { from: new Date('2026-01-05T02:00:00Z'), to: new Date('2026-01-07T02:00:00Z'), restart: true },
      { from: new Date('2026-01-09T02:00:00Z'), to: null, restart: false },
    ]);
    expect(openPause(pauses)?.kind).toBe('hearing');
  });
});
