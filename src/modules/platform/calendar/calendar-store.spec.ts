import { CalendarSource } from './calendar.entity';
import { DayRow, layer } from './calendar-store';
import { regionChain } from './deadline';

const day = (regionCode: string, date: string, isWorkday: boolean, name: string | null = null): DayRow => ({
  regionCode,
  date,
  isWorkday,
  name,
  nameEn: null,
  source: regionCode === '000000' ? CalendarSource.Seed : CalendarSource.Admin,
});

describe('layer: a region sees the national calendar with its own and its ancestors’ rows over it', () => {
  const chain = regionChain('450102'); // 000000, 450000, 450100, 450102
  const days = [
    day('000000', '2025-10-01', false, '国庆节'),
    day('000000', '2025-09-28', true, '国庆节'),
    day('450000', '2025-03-31', false, '三月三'), // province-wide local holiday
    day('450000', '2025-09-28', false, '省内不调休'), // the province overrides a national make-up day …
    day('450102', '2025-09-28', true, '区内照常上班'), // … and the district overrides the province
    day('450000', '2026-01-05', false), // another year: left out of 2025
  ];
  const years = [
    { regionCode: '000000', year: 2025, published: true, noticeUrl: 'https://www.gov.cn/a' },
    { regionCode: '450000', year: 2025, published: false, noticeUrl: null },
    { regionCode: '000000', year: 2026, published: true, noticeUrl: null },
  ];

  it('keeps the most specific row of each date', () => {
    const e = layer(chain, 2025, days, years);
    expect([...e.days.values()].map((r) => `${r.date}:${r.regionCode}:${r.isWorkday}`).sort()).toEqual([
      '2025-03-31:450000:false',
      '2025-09-28:450102:true',
      '2025-10-01:000000:false',
    ]);
  });

  it('takes the published flag of the most specific year row, whatever the row order', () => {
    expect(layer(chain, 2025, days, years).published).toBe(false);
    expect(layer(chain, 2025, days, [...years].reverse()).published).toBe(false);
    expect(layer(regionChain('000000'), 2025, days, years)).toMatchObject({
      published: true,
      noticeUrl: 'https://www.gov.cn/a',
    });
    expect(layer(chain, 2026, days, years).published).toBe(true);
    expect(layer(chain, 2027, days, years).published).toBe(false); // no row: not published
  });

  it('ignores rows of regions outside the chain', () => {
    const other = [...days, day('440000', '2025-10-09', false, '别省')];
    expect(layer(chain, 2025, other, years).days.has('2025-10-09')).toBe(false);
  });
});
