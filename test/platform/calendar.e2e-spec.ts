import type { Response } from 'supertest';
import { Permission } from '../../src/api/auth/permission';
import { RequestContext } from '../../src/api/context/request-context';
import { CalendarAdminService } from '../../src/modules/platform/calendar/calendar-admin.service';
import { CalendarService } from '../../src/modules/platform/calendar/calendar.service';
import { CALENDAR_SEED } from '../../src/modules/platform/calendar/calendar-seed.data';
import { startTestApp, TestApp } from '../support/test-app';
import { scopedToken } from '../support/tokens';

const problem = (res: Response) =>
  JSON.parse(res.text) as { code: string; status: number; errors?: { pointer: string; code: string }[] };
const pointers = (res: Response) => (problem(res).errors ?? []).map((e) => e.pointer);
const eod = (date: string) => new Date(`${date}T23:59:59+08:00`).toISOString();
const LAST_SEEDED = Math.max(...CALENDAR_SEED.map((y) => y.year));
const UNPUBLISHED = LAST_SEEDED + 1;

describe('working-day calendar (REST + GraphQL)', () => {
  let t: TestApp;
  let admin: string;
  let citizen: string;
  let otherStaff: string;
  /** a province, a city in it and a sibling city, made for this file */
  const province = '970000';
  let city: string;
  let sibling: string;

  const auth = (token: string) => ({ Authorization: `Bearer ${token}` });
  const deadline = (region: string, query: string) => t.http.get(`/v1/calendar/${region}/deadline?${query}`);
  const dueDate = async (region: string, query: string) => {
    const res = await deadline(region, query).expect(200);
    return res.body.dueDate as string;
  };
  const rows = (region: string, date?: string) =>
    t.db.query<{ date: string; isWorkday: boolean; kind: string; name: string | null; source: string }>(
      `SELECT date::text AS date, is_workday AS "isWorkday", kind, name, source FROM work_calendar_day
       WHERE region_code = $1 ${date ? 'AND date = $2' : ''} ORDER BY date`,
      date ? [region, date] : [region],
    );
  const auditCount = async (action: string, resourceId: string) =>
    Number(
      (
        await t.db.query<{ n: string }>(
          'SELECT count(*) AS n FROM audit_leaf WHERE action = $1 AND resource_id = $2',
          [action, resourceId],
        )
      )[0].n,
    );
  const gql = (query: string, variables: Record<string, unknown> = {}) =>
    t.http.post('/graphql').set('Content-Type', 'application/json').send({ query, variables });

  beforeAll(async () => {
    t = await startTestApp({
      RATE_LIMIT_ANONYMOUS: '100000',
      RATE_LIMIT_AUTHENTICATED: '100000',
      LOG_LEVEL: 'error',
    });
    admin = await scopedToken(t, 'staff', ['calendar:manage']);
    citizen = await scopedToken(t, 'citizen', ['self:service']);
    otherStaff = await scopedToken(t, 'staff', ['organisation:manage', 'case:handle']);
    const region = async (code: string, level: string): Promise<boolean> => {
      const res = await t.http
        .post('/v1/regions')
        .set(auth(otherStaff))
        .send({ code, name: `历区${code}`, level });
      if (res.status !== 201 && res.status !== 409)
        throw new Error(`region ${code}: ${res.status} ${res.text}`);
      return res.status === 201;
    };
    await region(province, 'province');
    const cities: string[] = [];
    while (cities.length < 2) {
      const code = `97${String(1 + Math.floor(Math.random() * 99)).padStart(2, '0')}00`;
      if (!cities.includes(code) && (await region(code, 'city'))) cities.push(code);
    }
    [city, sibling] = cities;
  });
  afterAll(() => t.close());

  describe('reading', () => {
    it('seeds the national calendar at boot, once', async () => {
      const [{ n }] = await t.db.query<{ n: string }>(
        "SELECT count(*) AS n FROM work_calendar_day WHERE region_code = '000000' AND source = 'seed'",
      );
      expect(Number(n)).toBeGreaterThan(700);
      const years = await t.db.query<{ year: number; published: boolean }>(
        "SELECT year, published FROM work_calendar_year WHERE region_code = '000000' ORDER BY year",
      );
      expect(years.map((y) => y.year)).toEqual(CALENDAR_SEED.map((y) => y.year).sort());
      expect(years.every((y) => y.published)).toBe(true);
      // Booting again (ensureSeeded runs at every bootstrap) inserts nothing.
      expect(await t.app.get(CalendarService).ensureSeeded()).toBe(0);
    });

    it('returns a year: every holiday and make-up day with its name, and the published flag', async () => {
      const res = await t.http.get('/v1/calendar/000000/2025').expect(200);
      expect(res.body).toMatchObject({ regionCode: '000000', year: 2025, published: true });
      expect(res.body.noticeUrl).toMatch(/^https:\/\/www\.gov\.cn\//);
      const days = res.body.days as { date: string; isWorkday: boolean; kind: string; name: string }[];
      expect(days.find((d) => d.date === '2025-01-26')).toEqual({
        date: '2025-01-26',
        isWorkday: true,
        kind: 'makeup',
        name: '春节',
        decidedBy: '000000',
        source: 'seed',
      });
      expect(days.filter((d) => d.name === '春节' && !d.isWorkday).map((d) => d.date)).toEqual([
        '2025-01-28',
        '2025-01-29',
        '2025-01-30',
        '2025-01-31',
        '2025-02-01',
        '2025-02-02',
        '2025-02-03',
        '2025-02-04',
      ]);
      expect(days.filter((d) => d.kind === 'makeup').map((d) => d.date)).toEqual([
        '2025-01-26',
        '2025-02-08',
        '2025-04-27',
        '2025-09-28',
        '2025-10-11',
      ]);
      expect(new Set(days.map((d) => d.kind))).toEqual(new Set(['holiday', 'makeup']));
      expect(days.map((d) => d.date)).toEqual([...days.map((d) => d.date)].sort());
      expect(days).toHaveLength((await rows('000000')).filter((r) => r.date.startsWith('2025-')).length);
    });

    it('names days in English on request', async () => {
      const res = await t.http.get('/v1/calendar/000000/2025').set('Accept-Language', 'en').expect(200);
      expect(res.body.days.find((d: { date: string }) => d.date === '2025-10-06').name).toBe(
        'Mid-autumn Festival',
      );
    });

    it('says a year without a notice is not published', async () => {
      const res = await t.http.get(`/v1/calendar/000000/${UNPUBLISHED}`).expect(200);
      expect(res.body).toEqual({
        regionCode: '000000',
        year: UNPUBLISHED,
        published: false,
        noticeUrl: null,
        days: [],
      });
    });

    it('answers for one day: make-up, holiday, weekend or plain weekday', async () => {
      const kind = async (date: string) =>
        (await t.http.get(`/v1/calendar/000000/days/${date}`).expect(200)).body;
      expect(await kind('2025-02-08')).toMatchObject({ isWorkday: true, kind: 'makeup', name: '春节' });
      expect(await kind('2025-10-01')).toMatchObject({ isWorkday: false, kind: 'holiday', name: '国庆节' });
      expect(await kind('2025-02-09')).toEqual({
        date: '2025-02-09',
        isWorkday: false,
        kind: 'weekend',
        name: null,
        decidedBy: null,
        source: null,
      });
      expect(await kind('2025-02-10')).toMatchObject({ isWorkday: true, kind: 'normal' });
    });
  });

  describe('deadlines', () => {
    it('2025 春节: Fri 01-24 + 5 working days → end of 02-07', async () => {
      const res = await deadline(
        '000000',
        'receivedAt=2025-01-24T10:00:00%2B08:00&unit=working_days&amount=5',
      ).expect(200);
      expect(res.body).toEqual({
        regionCode: '000000',
        receivedAt: '2025-01-24T02:00:00.000Z',
        unit: 'working_days',
        amount: 5,
        extension: 0,
        dueAt: eod('2025-02-07'),
        dueDate: '2025-02-07',
        provisional: false,
        unpublishedYears: [],
      });
    });

    it('matches the hand-checked cases of the unit tests', async () => {
      expect(
        await dueDate('000000', 'receivedAt=2025-09-26T16:00:00%2B08:00&unit=working_days&amount=5'),
      ).toBe('2025-10-10');
      expect(await dueDate('000000', 'receivedAt=2025-09-30&unit=working_days&amount=3')).toBe('2025-10-11');
      expect(await dueDate('000000', 'receivedAt=2026-02-12T10:00:00Z&unit=working_days&amount=3')).toBe(
        '2026-02-24',
      );
      expect(await dueDate('000000', 'receivedAt=2026-02-12T10:00:00Z&unit=working_days&amount=20')).toBe(
        '2026-03-18',
      );
      expect(await dueDate('000000', 'receivedAt=2025-01-24&unit=working_days&amount=5&extension=10')).toBe(
        '2025-02-20',
      );
      expect(await dueDate('000000', 'receivedAt=2025-01-24&unit=natural_days&amount=10')).toBe('2025-02-03');
      const hours = await deadline(
        '000000',
        'receivedAt=2025-01-27T16:30:00%2B08:00&unit=hours&amount=72',
      ).expect(200);
      expect(hours.body.dueAt).toBe('2025-01-30T08:30:00.000Z');
    });

    it('is provisional when it counts into a year without a notice', async () => {
      const res = await deadline(
        '000000',
        `receivedAt=${LAST_SEEDED}-12-24&unit=working_days&amount=10`,
      ).expect(200);
      expect(res.body).toMatchObject({
        dueDate: `${UNPUBLISHED}-01-07`,
        provisional: true,
        unpublishedYears: [UNPUBLISHED],
      });
    });

    it('defaults receivedAt to now', async () => {
      const before = Date.now();
      const res = await deadline('000000', 'unit=hours&amount=1').expect(200);
      const received = Date.parse(res.body.receivedAt);
      expect(received).toBeGreaterThanOrEqual(before - 1000);
      expect(Date.parse(res.body.dueAt) - received).toBe(3_600_000);
    });
  });

  describe('regional overrides', () => {
    const SF = 'receivedAt=2025-01-24T10:00:00%2B08:00&unit=working_days&amount=5';

    it('a city holiday moves the city’s deadline, not the national one or a sibling’s', async () => {
      expect(await dueDate(city, SF)).toBe('2025-02-07'); // inherits the national calendar
      const res = await t.http
        .put(`/v1/calendar/${city}/days/2025-02-05`)
        .set(auth(admin))
        .send({ isWorkday: false, name: '测试节' })
        .expect(200);
      expect(res.body).toEqual({
        date: '2025-02-05',
        isWorkday: false,
        kind: 'holiday',
        name: '测试节',
        decidedBy: city,
        source: 'admin',
      });
      expect(await rows(city, '2025-02-05')).toEqual([
        { date: '2025-02-05', isWorkday: false, kind: 'holiday', name: '测试节', source: 'admin' },
      ]);
      expect(await auditCount('calendar.day.set', `${city}:2025-02-05`)).toBe(1);
      // 01-26 (1), 01-27 (2), 02-05 now off, 02-06 (3), 02-07 (4), Saturday 02-08 make-up (5).
      expect(await dueDate(city, SF)).toBe('2025-02-08');
      expect(await dueDate('000000', SF)).toBe('2025-02-07');
      expect(await dueDate(sibling, SF)).toBe('2025-02-07');
      const year = await t.http.get(`/v1/calendar/${city}/2025`).expect(200);
      expect(year.body.days.find((d: { date: string }) => d.date === '2025-02-05')).toMatchObject({
        decidedBy: city,
      });
      expect(year.body.days.find((d: { date: string }) => d.date === '2025-01-26')).toMatchObject({
        decidedBy: '000000',
      });
    });

    it('repeating the same PUT changes and audits nothing', async () => {
      const before = await rows(city, '2025-02-05');
      await t.http
        .put(`/v1/calendar/${city}/days/2025-02-05`)
        .set(auth(admin))
        .send({ isWorkday: false, name: '测试节' })
        .expect(200);
      expect(await rows(city, '2025-02-05')).toEqual(before);
      expect(await auditCount('calendar.day.set', `${city}:2025-02-05`)).toBe(1);
    });

    it('a province row applies below it; the city’s own row wins over it', async () => {
      await t.http
        .put(`/v1/calendar/${province}/days/2025-02-06`)
        .set(auth(admin))
        .send({ isWorkday: false })
        .expect(200);
      // city: 02-05 and 02-06 off → 01-26, 01-27, 02-07, 02-08, 02-10.
      expect(await dueDate(city, SF)).toBe('2025-02-10');
      expect(await dueDate(sibling, SF)).toBe('2025-02-08');
      expect(await dueDate('000000', SF)).toBe('2025-02-07');
      const res = await t.http
        .put(`/v1/calendar/${city}/days/2025-02-06`)
        .set(auth(admin))
        .send({ isWorkday: true, name: '照常上班' })
        .expect(200);
      expect(res.body).toMatchObject({ isWorkday: true, kind: 'makeup', decidedBy: city });
      expect(await dueDate(city, SF)).toBe('2025-02-08');
    });

    it('reset drops the region’s own row and the regions above decide again', async () => {
      const res = await t.http
        .post(`/v1/calendar/${city}/days/2025-02-06/reset`)
        .set(auth(admin))
        .expect(200);
      expect(res.body).toMatchObject({ isWorkday: false, kind: 'holiday', decidedBy: province });
      expect(await rows(city, '2025-02-06')).toEqual([]);
      expect(await auditCount('calendar.day.reset', `${city}:2025-02-06`)).toBe(1);
      await t.http.post(`/v1/calendar/${province}/days/2025-02-06/reset`).set(auth(admin)).expect(200);
      await t.http.post(`/v1/calendar/${city}/days/2025-02-05/reset`).set(auth(admin)).expect(200);
      expect(await rows(city)).toEqual([]);
      expect(await dueDate(city, SF)).toBe('2025-02-07');
      // Resetting what is not there is a no-op, not an error, and is not audited.
      const again = await t.http
        .post(`/v1/calendar/${city}/days/2025-02-05/reset`)
        .set(auth(admin))
        .expect(200);
      expect(again.body).toMatchObject({ kind: 'normal', decidedBy: null });
      expect(await auditCount('calendar.day.reset', `${city}:2025-02-05`)).toBe(1);
    });

    it('tells change listeners after a write, and not after a no-op', async () => {
      const seen: unknown[] = [];
      const off = t.app.get(CalendarService).onChange((c) => {
        seen.push(c);
      });
      try {
        const put = () =>
          t.http.put(`/v1/calendar/${city}/days/2025-05-06`).set(auth(admin)).send({ isWorkday: false });
        await put().expect(200);
        await put().expect(200);
        await t.http.post(`/v1/calendar/${city}/days/2025-05-06/reset`).set(auth(admin)).expect(200);
        await new Promise((r) => setImmediate(r));
        expect(seen).toEqual([
          { regionCode: city, kind: 'day', years: [2025], date: '2025-05-06' },
          { regionCode: city, kind: 'day', years: [2025], date: '2025-05-06' },
        ]);
      } finally {
        off();
      }
    });

    it('marking a year published flips provisional for that region only', async () => {
      const q = `receivedAt=${LAST_SEEDED}-12-24&unit=working_days&amount=10`;
      expect((await deadline(city, q).expect(200)).body.provisional).toBe(true);
      const res = await t.http
        .put(`/v1/calendar/${city}/years/${UNPUBLISHED}`)
        .set(auth(admin))
        .send({ published: true, noticeUrl: 'https://www.example.gov.cn/notice' })
        .expect(200);
      expect(res.body).toMatchObject({ regionCode: city, year: UNPUBLISHED, published: true, days: [] });
      expect(
        await t.db.query('SELECT published, source FROM work_calendar_year WHERE region_code = $1', [city]),
      ).toEqual([{ published: true, source: 'admin' }]);
      expect(await auditCount('calendar.year.set', `${city}:${UNPUBLISHED}`)).toBe(1);
      expect((await deadline(city, q).expect(200)).body).toMatchObject({
        provisional: false,
        unpublishedYears: [],
      });
      expect((await deadline('000000', q).expect(200)).body.provisional).toBe(true);
      expect((await deadline(sibling, q).expect(200)).body.provisional).toBe(true);
      // And back: a region can also hold a year open that the nation has published (local holidays pending).
      await t.http
        .put(`/v1/calendar/${city}/years/${UNPUBLISHED}`)
        .set(auth(admin))
        .send({ published: false })
        .expect(200);
      expect((await deadline(city, q).expect(200)).body.provisional).toBe(true);
      await t.http
        .put(`/v1/calendar/${city}/years/${LAST_SEEDED}`)
        .set(auth(admin))
        .send({ published: false })
        .expect(200);
      const inYear = await deadline(
        city,
        `receivedAt=${LAST_SEEDED}-03-02&unit=working_days&amount=5`,
      ).expect(200);
      expect(inYear.body).toMatchObject({ provisional: true, unpublishedYears: [LAST_SEEDED] });
      await t.http
        .put(`/v1/calendar/${city}/years/${LAST_SEEDED}`)
        .set(auth(admin))
        .send({ published: true })
        .expect(200);
    });
  });

  describe('bad input', () => {
    const expect400 = async (res: Response, pointer: string) => {
      expect(res.status).toBe(400);
      expect(problem(res).code).toBe('VALIDATION_FAILED');
      expect(pointers(res)).toContain(pointer);
    };

    it('refuses malformed regions, years and dates', async () => {
      await expect400(await t.http.get('/v1/calendar/12345/2025'), '/regionCode');
      await expect400(await t.http.get('/v1/calendar/1234567/2025'), '/regionCode');
      await expect400(await t.http.get('/v1/calendar/000000/1999'), '/year');
      await expect400(await t.http.get('/v1/calendar/000000/20x5'), '/year');
      await expect400(await t.http.get('/v1/calendar/000000/days/2025-02-30'), '/date');
      await expect400(await t.http.get('/v1/calendar/000000/days/2025-2-3'), '/date');
      await expect400(await t.http.get('/v1/calendar/000000/days/1999-01-01'), '/date');
    });

    it('refuses bad deadline queries', async () => {
      const q = (s: string) => deadline('000000', s);
      await expect400(await q('unit=working_days&amount=0'), '/amount');
      await expect400(await q('unit=working_days&amount=-1'), '/amount');
      await expect400(await q('unit=working_days&amount=10000'), '/amount');
      await expect400(await q('unit=working_days&amount=1.5'), '/amount');
      await expect400(await q('unit=working_days'), '/amount');
      await expect400(await q('unit=weeks&amount=5'), '/unit');
      await expect400(await q('amount=5'), '/unit');
      await expect400(await q('unit=hours&amount=5&extension=-1'), '/extension');
      await expect400(await q('receivedAt=2025-02-30&unit=hours&amount=5'), '/receivedAt');
      await expect400(await q('receivedAt=2025-01-24T10:00:00&unit=hours&amount=5'), '/receivedAt'); // no offset
      await expect400(await q('receivedAt=1999-12-31&unit=hours&amount=5'), '/receivedAt');
      await expect400(await q('unit=hours&amount=5&pauses=1'), '/pauses');
      await expect400(await deadline('abc', 'unit=hours&amount=5'), '/regionCode');
    });

    it('refuses bad bodies and leaves the calendar alone', async () => {
      const put = (date: string, body: unknown) =>
        t.http
          .put(`/v1/calendar/${city}/days/${date}`)
          .set(auth(admin))
          .send(body as object);
      await expect400(await put('2025-03-03', { isWorkday: 'yes' }), '/isWorkday');
      await expect400(await put('2025-03-03', {}), '/isWorkday');
      await expect400(await put('2025-03-03', { isWorkday: false, name: 'x'.repeat(51) }), '/name');
      await expect400(await put('2025-03-03', { isWorkday: false, name: '坏\u0000名' }), '/name');
      await expect400(await put('2025-03-03', { isWorkday: false, kind: 'holiday' }), '/kind');
      await expect400(await put('2025-02-29', { isWorkday: false }), '/date');
      const year = await t.http
        .put(`/v1/calendar/${city}/years/2030`)
        .set(auth(admin))
        .send({ published: true, noticeUrl: 'http://insecure.example' });
      await expect400(year, '/noticeUrl');
      expect(await rows(city)).toEqual([]);
      expect(
        await t.db.query('SELECT 1 FROM work_calendar_year WHERE region_code = $1 AND year = 2030', [city]),
      ).toEqual([]);
    });

    it('answers 404 for writes to a region that does not exist', async () => {
      const res = await t.http
        .put('/v1/calendar/000001/days/2025-03-03')
        .set(auth(admin))
        .send({ isWorkday: false });
      expect(res.status).toBe(404);
      expect(await rows('000001')).toEqual([]);
    });
  });

  describe('refused callers', () => {
    it('refuses anonymous (401), citizens and staff without calendar:manage (403), changing nothing', async () => {
      const attempts = (token?: string) => {
        const set = (r: ReturnType<typeof t.http.put>) => (token ? r.set(auth(token)) : r);
        return [
          set(t.http.put(`/v1/calendar/${city}/days/2025-03-03`)).send({ isWorkday: false }),
          set(t.http.put('/v1/calendar/000000/days/2025-03-03')).send({ isWorkday: false }),
          set(t.http.post('/v1/calendar/000000/days/2025-01-26/reset')),
          set(t.http.put(`/v1/calendar/${city}/years/2030`)).send({ published: true }),
        ];
      };
      for (const [token, status] of [
        [undefined, 401],
        [citizen, 403],
        [otherStaff, 403],
      ] as const) {
        for (const req of attempts(token)) expect((await req).status).toBe(status);
      }
      expect(await rows(city)).toEqual([]);
      expect(await rows('000000', '2025-03-03')).toEqual([]);
      expect(await rows('000000', '2025-01-26')).toEqual([
        { date: '2025-01-26', isWorkday: true, kind: 'makeup', name: '春节', source: 'seed' },
      ]);
      expect(
        await t.db.query('SELECT 1 FROM work_calendar_year WHERE region_code = $1 AND year = 2030', [city]),
      ).toEqual([]);
    });

    it('limits a unit-scoped calendar:manage to the unit’s region and the regions below it', async () => {
      // Role-in-unit grants come from role assignments; here the context is built directly.
      const org = await t.http
        .post('/v1/organisations')
        .set(auth(otherStaff))
        .send({ name: `历法局${city}`, kind: 'agency', regionCode: city })
        .expect(201);
      const district = `${city.slice(0, 4)}01`;
      const made = await t.http
        .post('/v1/regions')
        .set(auth(otherStaff))
        .send({ code: district, name: '历区县', level: 'district' });
      expect([201, 409]).toContain(made.status);
      const ctx = new RequestContext('calendar-scope-test');
      ctx.actor = {
        kind: 'staff',
        id: null,
        grants: new Map([[Permission.CalendarManage, new Set([org.body.id as string])]]),
      };
      const calendar = t.app.get(CalendarAdminService);
      await expect(
        calendar.setDay(ctx, district, '2025-03-04', { isWorkday: false, name: '区节' }),
      ).resolves.toMatchObject({
        kind: 'holiday',
        decidedBy: district,
      });
      await expect(calendar.resetDay(ctx, district, '2025-03-04')).resolves.toMatchObject({ kind: 'normal' });
      for (const region of [sibling, province, '000000']) {
        await expect(calendar.setDay(ctx, region, '2025-03-04', { isWorkday: false })).rejects.toMatchObject({
          code: 'FORBIDDEN',
        });
        expect(await rows(region, '2025-03-04')).toEqual([]);
      }
    });

    it('lets calendar:manage held everywhere reset a national day (a no-op when it is the seed already)', async () => {
      const res = await t.http.post('/v1/calendar/000000/days/2025-01-26/reset').set(auth(admin)).expect(200);
      expect(res.body).toMatchObject({ kind: 'makeup', source: 'seed' });
      expect(await auditCount('calendar.day.reset', '000000:2025-01-26')).toBe(0);
    });
  });

  describe('GraphQL', () => {
    it('reads a year and a deadline like REST', async () => {
      const res = await gql(
        `query($r: String!, $y: Int!) {
          workCalendar(regionCode: $r, year: $y) { regionCode year published days { date isWorkday kind name decidedBy source } }
          deadline(regionCode: $r, receivedAt: "2025-01-24T10:00:00+08:00", unit: working_days, amount: 5) {
            dueAt dueDate provisional unpublishedYears unit extension
          }
        }`,
        { r: '000000', y: 2025 },
      );
      expect(res.body.errors).toBeUndefined();
      const rest = await t.http.get('/v1/calendar/000000/2025').expect(200);
      const { noticeUrl: _n, ...restYear } = rest.body;
      // enum values are REST's strings (holiday, makeup, seed), dates the same YYYY-MM-DD
      expect(res.body.data.workCalendar).toEqual(restYear);
      expect(res.body.data.deadline).toEqual({
        dueAt: eod('2025-02-07'),
        dueDate: '2025-02-07',
        provisional: false,
        unpublishedYears: [],
        unit: 'working_days',
        extension: 0,
      });
    });

    it('validates arguments', async () => {
      const res = await gql(`{ deadline(regionCode: "12", unit: hours, amount: 0) { dueAt } }`);
      expect(res.body.data).toBeNull();
      expect(res.body.errors[0].extensions.code).toBe('VALIDATION_FAILED');
      const year = await gql(`{ workCalendar(regionCode: "000000", year: 1999) { year } }`);
      expect(year.body.errors[0].extensions.code).toBe('VALIDATION_FAILED');
    });
  });
});
