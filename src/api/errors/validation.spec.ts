import { validateSync } from 'class-validator';
import { IsInstant } from './validation';

class Probe {
  @IsInstant()
  at!: unknown;
}

const valid = (at: unknown) => validateSync(Object.assign(new Probe(), { at })).length === 0;

describe('IsInstant', () => {
  it('accepts ISO 8601 dates and date-times that Date reads', () => {
    for (const at of [
      '2025-06-01',
      '2025-06-01T08:00:00Z',
      '2025-06-01T08:00:00.123+08:00',
      '2025-06-01T08:00Z',
      '9999-12-31T23:59:59.999Z',
    ]) {
      expect([at, valid(at)]).toEqual([at, true]);
    }
  });

  it('refuses the ISO 8601 forms IsISO8601 passes but Date cannot read (they became Invalid Date, then a 500)', () => {
    for (const at of ['20250601', '2025-W01-1', '2025-152', '2025-06-01T12Z']) {
      expect([at, valid(at)]).toEqual([at, false]);
    }
  });

  it('refuses non-dates, impossible dates and non-strings', () => {
    for (const at of [
      '2025-02-30',
      '0000-01-01T00:00:00Z',
      '+275760-09-13T00:00:00.000Z',
      'yesterday',
      '',
      20250601,
      null,
      {},
    ]) {
      expect([at, valid(at)]).toEqual([at, false]);
    }
  });

  it('names itself in the error, for the zh-CN field message', () => {
    const [error] = validateSync(Object.assign(new Probe(), { at: '20250601' }));
    expect(Object.keys(error.constraints ?? {})).toEqual(['isInstant']);
  });
});
