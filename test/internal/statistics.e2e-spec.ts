import { randomUUID } from 'node:crypto';
import type { Response } from 'supertest';
import { CalendarService } from '../../src/modules/platform/calendar/calendar.service';
import { ClockUnit, endOfDay } from '../../src/modules/platform/calendar/deadline';
import { RoleName } from '../../src/modules/platform/identity/staff/role-catalogue';
import { CaseFile, CaseOutcome, CaseStatus } from '../../src/modules/internal/workflow/case.entity';
import { Service, ServiceTarget, ServiceType } from '../../src/modules/public/catalog/service.entity';
import {
  auth,
  makeCitizen,
  makeUnit,
  signedInStaff,
  signIn,
  TEST_REGION,
  uniq,
} from '../identity/staff-fixtures';
import { CaseParents, caseParents } from '../support/case-parents';
import { startTestApp, TestApp } from '../support/test-app';

const at = (s: string) => new Date(s);
const PERIOD = 'from=2026-01-01&to=2027-01-01';
const problem = (res: Response) =>
  JSON.parse(res.text) as { code: string; errors?: { pointer: string; code: string }[] };

type CaseSeed = Partial<CaseFile> & { organisationId: string; serviceId: string; receivedAt: Date };

const figures = (
  received: number,
  accepted: number,
  inProgress: number,
  completed: number,
  completedOnTime: number,
  onTimeRate: number | null,
  overdueNow: number,
  averageHandlingWorkingDays: number | null,
) => ({
  received,
  accepted,
  inProgress,
  completed,
  completedOnTime,
  onTimeRate,
  overdueNow,
  averageHandlingWorkingDays,
});

/**
 * Statistics over case_file rows inserted directly (the read model needs no engine): two sibling
 * units A and B under a parent P, with cases whose handling crosses National Day and the Spring
 * Festival 2026, so the SQL working-day count is checked against deadline.ts (CalendarService).
 */
describe('supervision statistics', () => {
  let t: TestApp;
  let parents: CaseParents;
  const staff = signedInStaff(() => t);
  let P: string, A: string, B: string, S1: string, S2: string;
  let supP: Record<string, string>, supA: Record<string, string>;

  async function service(org: string, title: string): Promise<string> {
    const repo = t.db.repo(Service);
    const s = await repo.save(
      repo.create({
        organisationId: org,
        regionCode: TEST_REGION,
        implementationCode: `STAT-${uniq()}`,
        type: ServiceType.AdministrativeLicence,
        target: ServiceTarget.Person,
        titleZh: title,
        titleEn: `${title} (en)`,
      }),
    );
    return s.id;
  }

  async function caseFile(c: CaseSeed): Promise<void> {
    const repo = t.db.repo(CaseFile);
    await repo.save(
      repo.create({
        subjectType: 'application',
        subjectId: randomUUID(),
        number: `SQ${uniq()}`,
        caseType: 'service',
        subjectKey: c.serviceId,
        definitionId: parents.definitionId,
        receivingOrganisationId: c.organisationId,
        regionCode: TEST_REGION,
        applicantAccountId: parents.applicantAccountId,
        stage: c.status === CaseStatus.Closed ? 'closed' : 'review',
        limit: { amount: 5, unit: ClockUnit.WorkingDays },
        acceptedAt: c.receivedAt,
        ...c,
      }),
    );
  }

  /** the due time of an n-working-day clock, as deadline.ts counts it */
  const due = async (receivedAt: Date, amount: number): Promise<Date> =>
    (
      await t.app
        .get(CalendarService)
        .deadline(TEST_REGION, receivedAt, { unit: ClockUnit.WorkingDays, amount })
    ).dueAt!;

  const closed = (outcome: CaseOutcome, closedAt: Date) => ({ status: CaseStatus.Closed, outcome, closedAt });

  beforeAll(async () => {
    t = await startTestApp();
    parents = await caseParents(t);
    P = await makeUnit(t, '统计-市局');
    A = await makeUnit(t, '统计-甲科', P);
    B = await makeUnit(t, '统计-乙科', P);
    S1 = await service(A, '统计事项一');
    S2 = await service(B, '统计事项二');
    supP = staff.tok(await staff.person(P, [{ role: RoleName.Supervisor, unit: P }]));
    supA = staff.tok(await staff.person(A, [{ role: RoleName.Supervisor, unit: A }]));

    // A: 5 working days across National Day (Oct 1–7 off, Sat Oct 10 worked), closed at the due time.
    const a1 = at('2026-09-28T10:00:00+08:00');
    const a1Due = await due(a1, 5);
    await caseFile({
      organisationId: A,
      serviceId: S1,
      receivedAt: a1,
      dueAt: a1Due,
      ...closed(CaseOutcome.Approved, a1Due),
    });
    // A: 10 working days over the Spring Festival, denied two working days late (12 working days).
    const a2 = at('2026-02-12T09:00:00+08:00');
    await caseFile({
      organisationId: A,
      serviceId: S1,
      receivedAt: a2,
      dueAt: await due(a2, 10),
      ...closed(CaseOutcome.Denied, await due(a2, 12)),
    });
    // A: open and overdue now.
    await caseFile({
      organisationId: A,
      serviceId: S1,
      receivedAt: at('2026-11-20T09:00:00+08:00'),
      dueAt: endOfDay('2026-11-25'),
    });
    // A: received last year, withdrawn this year: counts nowhere.
    await caseFile({
      organisationId: A,
      serviceId: S1,
      receivedAt: at('2025-12-20T09:00:00+08:00'),
      dueAt: endOfDay('2026-01-10'),
      ...closed(CaseOutcome.Withdrawn, at('2026-01-05T09:00:00+08:00')),
    });
    // B: Friday Oct 9, 3 working days: Sat Oct 10 (调休), Mon 12, Tue 13; closed Tuesday morning.
    const b1 = at('2026-10-09T15:00:00+08:00');
    await caseFile({
      organisationId: B,
      serviceId: S1,
      receivedAt: b1,
      dueAt: await due(b1, 3),
      ...closed(CaseOutcome.Approved, at('2026-10-13T11:00:00+08:00')),
    });
    // B: waiting for the applicant (clock stopped), not accepted yet.
    await caseFile({
      organisationId: B,
      serviceId: S2,
      receivedAt: at('2026-11-26T09:00:00+08:00'),
      acceptedAt: null,
      dueAt: null,
      status: CaseStatus.AwaitingApplicant,
    });
    // P: 即办件 closed the same day (0 working days).
    await caseFile({
      organisationId: P,
      serviceId: S2,
      receivedAt: at('2026-03-02T09:00:00+08:00'),
      dueAt: endOfDay('2026-03-03'),
      ...closed(CaseOutcome.Approved, at('2026-03-02T10:00:00+08:00')),
    });
    // P: all of it in 2024: outside the period.
    await caseFile({
      organisationId: P,
      serviceId: S2,
      receivedAt: at('2024-01-02T09:00:00+08:00'),
      dueAt: endOfDay('2024-01-10'),
      ...closed(CaseOutcome.Approved, at('2024-01-05T09:00:00+08:00')),
    });
  });

  afterAll(() => t?.close());

  it('uses periods that deadline.ts counts through the 2026 holidays', async () => {
    const cal = t.app.get(CalendarService);
    const d = async (r: string, n: number) =>
      (await cal.deadline(TEST_REGION, at(r), { unit: ClockUnit.WorkingDays, amount: n })).dueDate;
    expect(await d('2026-09-28T10:00:00+08:00', 5)).toBe('2026-10-10');
    expect(await d('2026-10-09T15:00:00+08:00', 3)).toBe('2026-10-13');
  });

  it('counts working days in SQL exactly as deadline.ts over the Spring Festival and National Day', async () => {
    // One case per receipt and period, each under its own service id, closed during its due day.
    const Q = await makeUnit(t, '统计-核对');
    const supQ = staff.tok(await staff.person(Q, [{ role: RoleName.Supervisor, unit: Q }]));
    const receipts = [
      '2026-02-10T16:30:00+08:00',
      '2026-02-13T09:00:00+08:00',
      '2026-02-14T10:00:00+08:00',
      '2026-02-21T23:30:00+08:00',
      '2026-09-25T08:00:00+08:00',
      '2026-09-30T17:00:00+08:00',
      '2026-10-03T12:00:00+08:00',
      '2026-10-10T09:00:00+08:00',
    ];
    const expected: Array<{ serviceId: string; days: number }> = [];
    for (const [i, r] of receipts.entries()) {
      const days = 1 + ((i * 3) % 7);
      const dueAt = await due(at(r), days);
      const serviceId = randomUUID();
      const closedAt = new Date(dueAt.getTime() - 6 * 3_600_000); // 17:59:59 Beijing time, same day
      await caseFile({
        organisationId: Q,
        serviceId,
        receivedAt: at(r),
        dueAt,
        ...closed(CaseOutcome.Approved, closedAt),
      });
      expected.push({ serviceId, days });
    }
    const res = await t.http.get(`/v1/statistics/cases?${PERIOD}&groupBy=service`).set(supQ).expect(200);
    const got = new Map(
      res.body.rows.map((r: { serviceId: string; averageHandlingWorkingDays: number }) => [
        r.serviceId,
        r.averageHandlingWorkingDays,
      ]),
    );
    expect(expected.map((e) => [e.serviceId, got.get(e.serviceId)])).toEqual(
      expected.map((e) => [e.serviceId, e.days]),
    );
  });

  const A_FIG = figures(3, 3, 1, 2, 1, 0.5, 1, 8.5);
  const B_FIG = figures(2, 1, 1, 1, 1, 1, 0, 3);
  const P_FIG = figures(1, 1, 0, 1, 1, 1, 0, 0);

  it('gives the parent supervisor every unit below, with exact figures and working days', async () => {
    const res = await t.http.get(`/v1/statistics/cases?${PERIOD}&groupBy=unit`).set(supP).expect(200);
    const byUnit = new Map<string, unknown>(
      res.body.rows.map((r: { organisationId: string }) => [r.organisationId, r]),
    );
    expect(res.body.rows).toHaveLength(3);
    expect(byUnit.get(A)).toEqual({
      organisationId: A,
      organisationName: expect.stringMatching(/^统计-甲科/),
      serviceId: null,
      serviceTitle: null,
      caseType: null,
      caseTypeTitle: null,
      ...A_FIG,
    });
    expect(byUnit.get(B)).toMatchObject(B_FIG);
    expect(byUnit.get(P)).toMatchObject(P_FIG);
    expect(res.body.totals).toEqual(figures(6, 5, 2, 4, 3, 0.75, 1, 5));
    expect(res.body).toMatchObject({ from: '2026-01-01', to: '2027-01-01', groupBy: 'unit' });
  });

  it('groups by service and by unit and service', async () => {
    const svc = await t.http.get(`/v1/statistics/cases?${PERIOD}&groupBy=service`).set(supP).expect(200);
    expect(svc.body.rows).toHaveLength(2);
    expect(svc.body.rows.find((r: { serviceId: string }) => r.serviceId === S1)).toEqual({
      organisationId: null,
      organisationName: null,
      serviceId: S1,
      serviceTitle: '统计事项一',
      caseType: 'service',
      caseTypeTitle: expect.any(String),
      ...figures(4, 4, 1, 3, 2, 0.6667, 1, 6.67),
    });
    const both = await t.http
      .get(`/v1/statistics/cases?${PERIOD}&groupBy=unit_service`)
      .set({ ...supP, 'Accept-Language': 'en' })
      .expect(200);
    expect(both.body.rows).toHaveLength(4);
    const bS2 = both.body.rows.find(
      (r: { organisationId: string; serviceId: string }) => r.organisationId === B && r.serviceId === S2,
    );
    expect(bS2).toMatchObject({ serviceTitle: '统计事项二 (en)', ...figures(1, 0, 1, 0, 0, null, 0, null) });
  });

  it('keeps a sibling supervisor to their own unit and filters by unit and service', async () => {
    const own = await t.http.get(`/v1/statistics/cases?${PERIOD}`).set(supA).expect(200);
    expect(own.body.rows.map((r: { organisationId: string }) => r.organisationId)).toEqual([A]);
    expect(own.body.totals).toEqual(A_FIG);

    await t.http.get(`/v1/statistics/cases?${PERIOD}&organisationId=${B}`).set(supA).expect(404);
    await t.http.get(`/v1/statistics/cases?${PERIOD}&organisationId=${P}`).set(supA).expect(404);
    await t.http.get(`/v1/statistics/cases?${PERIOD}&organisationId=${randomUUID()}`).set(supP).expect(404);
    const onlyB = await t.http
      .get(`/v1/statistics/cases?${PERIOD}&organisationId=${B}`)
      .set(supP)
      .expect(200);
    expect(onlyB.body.totals).toEqual(B_FIG);
    const onlyS2 = await t.http.get(`/v1/statistics/cases?${PERIOD}&serviceId=${S2}`).set(supP).expect(200);
    expect(onlyS2.body.totals).toEqual(figures(2, 1, 1, 1, 1, 1, 0, 0));
  });

  it('groups and filters by case type, counting a work order closed without a decision as completed', async () => {
    const W = await makeUnit(t, '统计-工单');
    const supW = staff.tok(await staff.person(W, [{ role: RoleName.Supervisor, unit: W }]));
    const probe = (c: Partial<CaseSeed> & { receivedAt: Date }) =>
      caseFile({
        organisationId: W,
        serviceId: null as unknown as string,
        caseType: 'stat-probe',
        subjectKey: 'k1',
        ...c,
      });
    const r1 = at('2026-05-06T09:00:00+08:00');
    await probe({
      receivedAt: r1,
      dueAt: await due(r1, 3),
      status: CaseStatus.Closed,
      outcome: null,
      closedAt: await due(r1, 2),
    });
    await probe({ receivedAt: at('2026-06-01T09:00:00+08:00'), dueAt: endOfDay('2026-06-10') });
    await probe({
      receivedAt: at('2026-06-02T09:00:00+08:00'),
      ...closed(CaseOutcome.Withdrawn, at('2026-06-03T09:00:00+08:00')),
    });
    await caseFile({
      organisationId: W,
      serviceId: S1,
      receivedAt: r1,
      dueAt: await due(r1, 3),
      ...closed(CaseOutcome.Approved, r1),
    });

    const byType = await t.http.get(`/v1/statistics/cases?${PERIOD}&groupBy=case_type`).set(supW).expect(200);
    expect(byType.body.rows).toEqual([
      {
        organisationId: null,
        organisationName: null,
        serviceId: null,
        serviceTitle: null,
        caseType: 'service',
        caseTypeTitle: expect.any(String),
        ...figures(1, 1, 0, 1, 1, 1, 0, 0),
      },
      {
        organisationId: null,
        organisationName: null,
        serviceId: null,
        serviceTitle: null,
        caseType: 'stat-probe',
        caseTypeTitle: 'stat-probe',
        ...figures(3, 3, 1, 1, 1, 1, 1, 2),
      },
    ]);
    // grouped by service, the work orders are their own row, not a null service mixed with others
    const bySvc = await t.http.get(`/v1/statistics/cases?${PERIOD}&groupBy=service`).set(supW).expect(200);
    expect(
      bySvc.body.rows.map((r: { caseType: string; serviceId: string }) => [r.caseType, r.serviceId]),
    ).toEqual([
      ['service', S1],
      ['stat-probe', null],
    ]);
    const only = await t.http
      .get(`/v1/statistics/cases?${PERIOD}&caseType=stat-probe&groupBy=unit_case_type`)
      .set(supW)
      .expect(200);
    expect(only.body.rows).toHaveLength(1);
    expect(only.body.rows[0]).toMatchObject({ organisationId: W, caseType: 'stat-probe' });
    expect(only.body.totals).toEqual(figures(3, 3, 1, 1, 1, 1, 1, 2));
    const bad = await t.http
      .get(`/v1/statistics/cases?${PERIOD}&caseType=NOT%20A%20TYPE`)
      .set(supW)
      .expect(400);
    expect(problem(bad).errors?.map((e) => e.pointer)).toEqual(['/caseType']);
  });

  it('answers the same over GraphQL', async () => {
    const res = await t.http
      .post('/graphql')
      .set(supP)
      .send({
        query: `query($o: ID) { caseStatistics(from: "2026-01-01", to: "2027-01-01", groupBy: unit, organisationId: $o) {
          groupBy rows { organisationId completed averageHandlingWorkingDays } totals { received onTimeRate } } }`,
        variables: { o: A },
      })
      .expect(200);
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data.caseStatistics).toEqual({
      groupBy: 'unit',
      rows: [{ organisationId: A, completed: 2, averageHandlingWorkingDays: 8.5 }],
      totals: { received: 3, onTimeRate: 0.5 },
    });
  });

  it('validates the period with pointers', async () => {
    const bad = async (q: string, pointer: string) => {
      const res = await t.http.get(`/v1/statistics/cases?${q}`).set(supP).expect(400);
      expect(problem(res).code).toBe('VALIDATION_FAILED');
      expect((problem(res).errors ?? []).map((e) => e.pointer)).toContain(pointer);
    };
    await bad('from=2026-02-01&to=2026-01-01', '/to');
    await bad('from=2026-01-01&to=2026-01-01', '/to');
    await bad('from=2020-01-01&to=2025-01-02', '/to');
    await bad('from=2026-02-30&to=2026-03-01', '/from');
    await bad('to=2026-03-01', '/from');
    await bad(`${PERIOD}&groupBy=region`, '/groupBy');
    await t.http.get('/v1/statistics/cases?from=2020-01-01&to=2025-01-01').set(supP).expect(200);
  });

  it('refuses clerks, organisation admins, citizens and anonymous callers', async () => {
    const clerk = staff.tok(await staff.person(P, [{ role: RoleName.Clerk, unit: P }]));
    const admin = staff.tok(await staff.person(P, [{ role: RoleName.OrgAdmin, unit: P }]));
    const citizen = auth(await signIn(t, await makeCitizen(t), 'citizen'));
    await t.http.get(`/v1/statistics/cases?${PERIOD}`).set(clerk).expect(403);
    await t.http.get(`/v1/statistics/cases?${PERIOD}`).set(admin).expect(403);
    await t.http.get(`/v1/statistics/cases?${PERIOD}`).set(citizen).expect(403);
    await t.http.get(`/v1/statistics/cases?${PERIOD}`).expect(401);
  });
});
