import { RequestContext } from '../../src/api/context/request-context';
import { uuidv7 } from '../../src/database/uuid';
import { CaseEvent, CaseFile, CaseTask } from '../../src/modules/internal/workflow/case.entity';
import { ClockJobsService } from '../../src/modules/internal/workflow/clock-jobs.service';
import { CaseTypeRegistry } from '../../src/modules/internal/workflow/case-type';
import { NewCase, WorkflowEngine } from '../../src/modules/internal/workflow/workflow-engine.service';
import type { WorkflowSpec } from '../../src/modules/internal/workflow/workflow-spec';
import { Delegation } from '../../src/modules/platform/identity/staff/delegation.entity';
import { RoleName } from '../../src/modules/platform/identity/staff/role-catalogue';
import { InboxMessage } from '../../src/modules/platform/notifications/inbox-message.entity';
import { auth, makeCitizen, makeUnit, Person, signedInStaff, signIn, uniq } from '../identity/staff-fixtures';
import { startTestApp, TestApp } from '../support/test-app';
import { publishServiceWithWorkflow, serviceContent, standardSpec } from '../support/workflow-fixtures';

let t: TestApp;
const staff = signedInStaff(() => t);
let parent: string;
let unit: string;
let sibling: string;
let clerk: Person;
let reviewer: Person;
let approver: Person;
let parentApprover: Person;
let supervisor: Person;
let siblingClerk: Person;
let both: Person;
let delegate: Person;
let citizen: Person;
let citizenToken: string;
let serviceId: string;
let guardedServiceId: string;
const effects: string[] = [];

const FORM = { applicantName: '张三', phone: '13800000000', shopArea: 10 };
const DAY = 86_400_000;

const engine = () => t.app.get(WorkflowEngine);
const caseRow = (id: string) => t.db.repo(CaseFile).findOneByOrFail({ id });
const openTasks = (id: string) =>
  t.db.repo(CaseTask).find({ where: { caseId: id, status: 'open' as never } });

async function newCase({
  serviceId: service,
  ...over
}: Partial<NewCase> & { serviceId?: string } = {}): Promise<string> {
  const c = await engine().start(RequestContext.system('test'), {
    caseType: 'service',
    subjectKey: service ?? serviceId,
    subjectType: 'test',
    subjectId: uuidv7(),
    number: `T${uniq()}`,
    applicantAccountId: citizen.id,
    receivedAt: new Date(),
    data: FORM,
    ...over,
  });
  return c.id;
}

const act = (p: Person, id: string, action: string, body: Record<string, unknown> = {}) =>
  t.http.post(`/v1/cases/${id}/actions/${action}`).set(staff.tok(p)).send(body);

async function expectOk(p: Person, id: string, action: string, body: Record<string, unknown> = {}) {
  const res = await act(p, id, action, body);
  if (res.status !== 200) throw new Error(`${action}: ${res.status} ${res.text}`);
  return res.body as {
    stage: string;
    status: string;
    outcome: string | null;
    dueAt: string | null;
    version: number;
  };
}

beforeAll(async () => {
  t = await startTestApp();
  parent = await makeUnit(t, '市局');
  unit = await makeUnit(t, '审批科', parent);
  sibling = await makeUnit(t, '综合科', parent);
  clerk = await staff.person(unit, [{ role: RoleName.Clerk, unit }]);
  reviewer = await staff.person(unit, [{ role: RoleName.Reviewer, unit }]);
  approver = await staff.person(unit, [{ role: RoleName.Approver, unit }]);
  parentApprover = await staff.person(parent, [{ role: RoleName.Approver, unit: parent }]);
  supervisor = await staff.person(parent, [{ role: RoleName.Supervisor, unit: parent }]);
  siblingClerk = await staff.person(sibling, [{ role: RoleName.Clerk, unit: sibling }]);
  both = await staff.person(unit, [
    { role: RoleName.Clerk, unit },
    { role: RoleName.Approver, unit },
  ]);
  // Holds no approver role of their own: approves only with the one `both` lends them.
  delegate = await staff.person(unit, [{ role: RoleName.Reviewer, unit }]);
  citizen = await makeCitizen(t);
  citizenToken = await signIn(t, citizen, 'citizen');
  const content = serviceContent({ elder: { summary: '开小店，先登记。', steps: ['带身份证', '到窗口'] } });
  serviceId = (await publishServiceWithWorkflow(t, unit, { content })).serviceId;
  const guarded: WorkflowSpec = standardSpec();
  guarded.stages[0].actions[0].guard = { path: '/form/shopArea', op: 'gt', value: 0 };
  guardedServiceId = (await publishServiceWithWorkflow(t, unit, { spec: guarded, content })).serviceId;
  // Hears every transition of the catalogue's case type (its own hook ignores 'test' subjects).
  const serviceType = t.app.get(CaseTypeRegistry).get('service');
  const hook = serviceType.onTransition!.bind(serviceType);
  serviceType.onTransition = (ctx, tr) => {
    if (tr.caseFile.subjectType === 'test') effects.push(tr.effect);
    return hook(ctx, tr);
  };
});

afterAll(() => t?.close());

describe('starting a case', () => {
  it('opens the first stage with a clerk task, the promised limit and a public started event', async () => {
    const id = await newCase();
    const c = await caseRow(id);
    expect(c).toMatchObject({
      stage: 'acceptance',
      status: 'open',
      organisationId: unit,
      limit: { amount: 5, unit: 'working_days' },
    });
    expect(c.dueAt).not.toBeNull();
    const tasks = await openTasks(id);
    expect(tasks).toHaveLength(1);
    expect(tasks[0]).toMatchObject({ organisationId: unit, permission: 'case:handle', kind: 'work' });
    expect(tasks[0].dueAt).not.toBeNull();
    expect((await engine().publicHistory(id)).map((e) => e.action)).toEqual(['started']);
    expect(effects).toContain('started');
  });

  it('opens one case per subject', async () => {
    const subjectId = uuidv7();
    await newCase({ subjectId });
    await expect(newCase({ subjectId })).rejects.toMatchObject({
      status: 409,
      code: 'INVALID_TRANSITION',
      params: { reason: 'a case is already open for this subject' },
    });
    // The refused start left nothing behind: still one case, and its first task only.
    const cases = await t.db.repo(CaseFile).findBy({ subjectType: 'test', subjectId });
    expect(cases).toHaveLength(1);
    expect(await openTasks(cases[0].id)).toHaveLength(1);
  });

  it('answers 404 for a service without an active workflow', async () => {
    await expect(newCase({ serviceId: uuidv7() })).rejects.toMatchObject({ status: 404 });
  });
});

describe('the staff path', () => {
  it('accept → review → two approval levels → decide → issue → deliver closes the case', async () => {
    const id = await newCase();
    const start = await t.http.get(`/v1/cases/${id}`).set(staff.tok(clerk));
    expect(start.status).toBe(200);
    expect(start.body.availableActions.map((a: { key: string }) => a.key)).toEqual(
      expect.arrayContaining(['accept', 'refuse', 'request_supplement', 'transfer']),
    );
    expect(start.body).not.toHaveProperty('data');

    expect((await expectOk(clerk, id, 'accept')).stage).toBe('review');
    expect((await caseRow(id)).acceptedAt).not.toBeNull();
    expect((await expectOk(reviewer, id, 'advance')).stage).toBe('approval');
    let tasks = await openTasks(id);
    expect(tasks).toMatchObject([{ kind: 'approval', level: 0, organisationId: unit }]);
    expect((await expectOk(approver, id, 'approve')).stage).toBe('approval');
    tasks = await openTasks(id);
    expect(tasks).toMatchObject([
      { kind: 'approval', level: 1, organisationId: parent, permission: 'case:approve' },
    ]);
    // The second level sits in the unit above: the unit's own approver cannot take it.
    expect((await act(approver, id, 'approve')).status).toBe(403);
    expect((await expectOk(parentApprover, id, 'approve')).stage).toBe('decision');
    expect((await expectOk(approver, id, 'decide', { decision: 'approved' })).stage).toBe('issuing');
    expect((await expectOk(clerk, id, 'issue')).stage).toBe('delivery');
    const done = await expectOk(clerk, id, 'deliver', { method: 'online' });
    expect(done).toMatchObject({ stage: 'closed', status: 'closed', outcome: 'approved' });

    const c = await caseRow(id);
    expect(c.closedAt).not.toBeNull();
    expect(c.decidedAt).not.toBeNull();
    expect(c.actors['acceptance.accept']).toEqual([clerk.id]);
    expect(c.actors['approval.approve']).toEqual([approver.id, parentApprover.id]);
    expect(await openTasks(id)).toHaveLength(0);
    const completed = await t.db.repo(CaseTask).find({ where: { caseId: id }, order: { createdAt: 'ASC' } });
    expect(completed.map((x) => x.completedAction)).toEqual([
      'accept',
      'advance',
      'approve',
      'approve',
      'decide',
      'issue',
      'deliver',
    ]);
    expect((await engine().publicHistory(id)).map((e) => e.action)).toEqual([
      'started',
      'accept',
      'decide',
      'issue',
      'deliver',
    ]);
    expect(effects).toContain('issue');

    const detail = await t.http.get(`/v1/cases/${id}`).set(staff.tok(supervisor));
    expect(detail.status).toBe(200);
    expect(detail.body.availableActions).toEqual([]);
    expect(detail.body.history.map((e: { action: string }) => e.action)).toEqual([
      'started',
      'accept',
      'advance',
      'approve',
      'approve',
      'decide',
      'issue',
      'deliver',
    ]);
    expect((await act(clerk, id, 'deliver', { method: 'online' })).status).toBe(409);
  });

  it('refuses with a reason only', async () => {
    const id = await newCase();
    const bad = await act(clerk, id, 'refuse', {});
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].pointer).toBe('/reason');
    const done = await expectOk(clerk, id, 'refuse', { reason: '不属于本机关职权范围' });
    expect(done).toMatchObject({ status: 'closed', outcome: 'refused' });
    const history = await engine().publicHistory(id);
    expect(history.at(-1)).toMatchObject({ action: 'refuse', reason: '不属于本机关职权范围', public: true });
  });

  it('returns to an earlier stage with a new clerk task', async () => {
    const id = await newCase();
    await expectOk(clerk, id, 'accept');
    expect((await act(reviewer, id, 'return', {})).status).toBe(400);
    expect((await expectOk(reviewer, id, 'return', { reason: '材料需重新核对' })).stage).toBe('acceptance');
    expect(await openTasks(id)).toMatchObject([{ stage: 'acceptance', permission: 'case:handle' }]);
  });

  it('transfers to another unit of the region: the tasks move and the old unit loses sight of it', async () => {
    const id = await newCase();
    expect((await act(clerk, id, 'transfer', { organisationId: sibling })).status).toBe(400);
    await expectOk(clerk, id, 'transfer', { organisationId: sibling, reason: '属地管辖' });
    expect((await caseRow(id)).organisationId).toBe(sibling);
    expect(await openTasks(id)).toMatchObject([{ stage: 'acceptance', organisationId: sibling }]);
    expect((await t.http.get(`/v1/cases/${id}`).set(staff.tok(clerk))).status).toBe(404);
    expect((await expectOk(siblingClerk, id, 'accept')).stage).toBe('review');
  });
});

describe('supplements (一次性告知)', () => {
  it('a timely notice pauses the clock; the answer restarts it; a second notice is refused', async () => {
    const id = await newCase();
    expect((await act(clerk, id, 'request_supplement', { items: [] })).status).toBe(400);
    const res = await expectOk(clerk, id, 'request_supplement', {
      items: [{ material: '身份证', description: '身份证复印件不清晰' }],
      reason: '材料不全',
    });
    expect(res).toMatchObject({ status: 'awaiting_applicant', dueAt: null });
    let c = await caseRow(id);
    expect(c.pauses).toMatchObject([{ kind: 'supplement', to: null, restart: true }]);
    expect(c.acceptedAt).toBeNull();
    expect((await act(clerk, id, 'accept')).status).toBe(409);

    await engine().supplementAnswered(RequestContext.system('test'), id, { shopArea: 12 });
    c = await caseRow(id);
    expect(c.status).toBe('open');
    expect(c.pauses[0].to).not.toBeNull();
    expect(c.dueAt).not.toBeNull();
    expect(c.data).toMatchObject({ applicantName: '张三', shopArea: 12 });
    const second = await act(clerk, id, 'request_supplement', { items: [{ description: '再补一次' }] });
    expect(second.status).toBe(409);
    expect(second.body.code).toBe('INVALID_TRANSITION');
    expect((await engine().publicHistory(id)).map((e) => e.action)).toEqual([
      'started',
      'request_supplement',
      'supplement_answered',
    ]);
  });

  it('a late notice deems the application accepted on receipt and the clock keeps running', async () => {
    const receivedAt = new Date(Date.now() - 30 * DAY);
    const id = await newCase({ receivedAt });
    const res = await expectOk(clerk, id, 'request_supplement', {
      items: [{ description: '缺营业场所证明' }],
    });
    expect(res.status).toBe('awaiting_applicant');
    expect(res.dueAt).not.toBeNull();
    const c = await caseRow(id);
    expect(c.pauses).toEqual([]);
    expect(c.acceptedAt?.toISOString()).toBe(receivedAt.toISOString());
    const event = await t.db.repo(CaseEvent).findOneByOrFail({ caseId: id, action: 'request_supplement' });
    expect(event.data).toMatchObject({ deemedAccepted: true, clockRunning: true });
  });

  it('withdrawal closes the case before a decision', async () => {
    const id = await newCase();
    await engine().withdraw(RequestContext.system('test'), id, '不再需要');
    expect(await caseRow(id)).toMatchObject({ status: 'closed', outcome: 'withdrawn' });
    expect(await openTasks(id)).toHaveLength(0);
    await expect(engine().withdraw(RequestContext.system('test'), id, undefined)).rejects.toMatchObject({
      status: 409,
    });
  });
});

describe('clock stops and extensions', () => {
  it('suspend stops the clock until resume', async () => {
    const id = await newCase();
    await expectOk(clerk, id, 'accept');
    expect((await act(reviewer, id, 'suspend', { reason: '听证' })).status).toBe(400);
    const s = await expectOk(reviewer, id, 'suspend', { procedure: 'hearing', reason: '依申请举行听证' });
    expect(s).toMatchObject({ status: 'suspended', dueAt: null });
    expect((await act(reviewer, id, 'advance')).status).toBe(409);
    const r = await expectOk(reviewer, id, 'resume');
    expect(r.status).toBe('open');
    expect(r.dueAt).not.toBeNull();
    expect((await caseRow(id)).pauses).toMatchObject([{ kind: 'hearing', reason: '依申请举行听证' }]);
    expect((await caseRow(id)).pauses[0].to).not.toBeNull();
  });

  it('a step due date stands still while the clock does: the answer to a supplement moves it on', async () => {
    const id = await newCase();
    const [task] = await openTasks(id);
    expect(task.dueAt).not.toBeNull();
    // The acceptance step (limit: one working day) started ten days ago and is long overdue...
    const started = new Date(Date.now() - 10 * 86_400_000);
    await t.db.query(
      `UPDATE case_task SET created_at = $2, due_at = $3, warning_level = 'red' WHERE id = $1`,
      [task.id, started, new Date(started.getTime() + 86_400_000)],
    );
    // ...but the case waited for the applicant from an hour after the step started until now.
    await expectOk(clerk, id, 'request_supplement', {
      items: [{ description: '补充营业执照' }],
      reason: '材料不全',
    });
    await t.db.query(
      `UPDATE case_file SET pauses = jsonb_set(pauses, '{0,from}', to_jsonb($2::text)) WHERE id = $1`,
      [id, new Date(started.getTime() + 3_600_000).toISOString()],
    );
    await engine().supplementAnswered(RequestContext.system('test'), id, {});
    const [moved] = await openTasks(id);
    expect(moved.id).toBe(task.id);
    // One working day counted from its start, the pause left out: the step is due after the answer.
    expect(moved.dueAt!.getTime()).toBeGreaterThan(Date.now());
    expect(moved.warningLevel).not.toBe('red');

    // A step with no pause after its start keeps its date.
    const other = await newCase();
    const [fresh] = await openTasks(other);
    await expectOk(clerk, other, 'request_supplement', {
      items: [{ description: '补充' }],
      reason: '材料不全',
    });
    await engine().supplementAnswered(RequestContext.system('test'), other, {});
    const [same] = await openTasks(other);
    expect(same.dueAt!.getTime()).toBeGreaterThanOrEqual(fresh.dueAt!.getTime());
  });

  it('an extension is decided by an approver of the unit above and shown to the applicant', async () => {
    const id = await newCase();
    await expectOk(clerk, id, 'accept');
    const before = (await caseRow(id)).dueAt!;
    await expectOk(reviewer, id, 'request_extension', { amount: 5, reason: '需现场核查' });
    expect(await openTasks(id)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'extension', organisationId: parent, permission: 'case:approve' }),
      ]),
    );
    expect((await act(reviewer, id, 'request_extension', { amount: 2, reason: '再延' })).status).toBe(409);
    expect((await act(approver, id, 'grant_extension')).status).toBe(403);
    await expectOk(parentApprover, id, 'grant_extension');
    const c = await caseRow(id);
    expect(c.extensions).toMatchObject([{ amount: 5, state: 'granted', decidedBy: parentApprover.id }]);
    expect(c.dueAt!.getTime()).toBeGreaterThan(before.getTime() + 5 * DAY);
    const shown = (await engine().publicHistory(id)).find((e) => e.action === 'grant_extension');
    expect(shown).toMatchObject({ public: true, reason: '需现场核查' });
    // The review task stayed with the reviewer.
    expect((await openTasks(id)).map((x) => x.stage)).toEqual(['review']);
  });
});

describe('who may act', () => {
  it('refuses the acceptor as approver, and a delegate acting for the acceptor', async () => {
    const id = await newCase();
    await expectOk(both, id, 'accept');
    await expectOk(reviewer, id, 'advance');
    const self = await act(both, id, 'approve');
    expect(self.status).toBe(403);
    expect(self.body.code).toBe('SEPARATION_OF_DUTIES');
    await t.db.repo(Delegation).save(
      t.db.repo(Delegation).create({
        fromAccountId: both.id,
        toAccountId: delegate.id,
        role: RoleName.Approver,
        organisationId: unit,
        validFrom: new Date(Date.now() - 60_000),
        validUntil: new Date(Date.now() + DAY),
        reason: '休假代理',
        revokedAt: null,
      }),
    );
    const viaDelegate = await act(delegate, id, 'approve');
    expect(viaDelegate.status).toBe(403);
    expect(viaDelegate.body.code).toBe('SEPARATION_OF_DUTIES');
    expect((await caseRow(id)).stage).toBe('approval');
    expect((await expectOk(approver, id, 'approve')).stage).toBe('approval');
  });

  it('records a delegate acting under a lent role as acting for the lender', async () => {
    await t.db.repo(Delegation).save(
      t.db.repo(Delegation).create({
        fromAccountId: both.id,
        toAccountId: delegate.id,
        role: RoleName.Clerk,
        organisationId: unit,
        validFrom: new Date(Date.now() - 60_000),
        validUntil: new Date(Date.now() + DAY),
        reason: '出差代理',
        revokedAt: null,
      }),
    );
    const id = await newCase();
    await expectOk(delegate, id, 'accept');
    expect((await caseRow(id)).actors['acceptance.accept']).toEqual([delegate.id, both.id]);
    const event = await t.db.repo(CaseEvent).findOneByOrFail({ caseId: id, action: 'accept' });
    expect(event).toMatchObject({ actorId: delegate.id, onBehalfOf: both.id });
    await expectOk(reviewer, id, 'advance');
    expect((await act(both, id, 'approve')).body.code).toBe('SEPARATION_OF_DUTIES');
  });

  it('hides the case from other units and refuses the wrong role, citizens and anonymous callers', async () => {
    const id = await newCase();
    const before = await caseRow(id);
    const sib = await act(siblingClerk, id, 'accept');
    expect(sib.status).toBe(404);
    expect((await t.http.get(`/v1/cases/${id}`).set(staff.tok(siblingClerk))).status).toBe(404);
    const wrongRole = await act(reviewer, id, 'accept');
    expect(wrongRole.status).toBe(403);
    expect(wrongRole.body.code).toBe('FORBIDDEN');
    expect(
      (await t.http.post(`/v1/cases/${id}/actions/accept`).set(auth(citizenToken)).send({})).status,
    ).toBe(403);
    expect((await t.http.post(`/v1/cases/${id}/actions/accept`).send({})).status).toBe(401);
    const unknown = await act(clerk, id, 'approve');
    expect(unknown.status).toBe(409);
    expect(unknown.body.detail).toContain('acceptance');
    expect((await act(clerk, id, 'accept', { bogus: 1 })).status).toBe(400);
    const after = await caseRow(id);
    expect(after.version).toBe(before.version);
    expect(after.stage).toBe('acceptance');
    const stale = await t.http
      .post(`/v1/cases/${id}/actions/accept`)
      .set(staff.tok(clerk))
      .set('If-Match', `"v${before.version + 7}"`)
      .send({});
    expect(stale.status).toBe(412);
  });

  it('a guard that does not hold blocks the action with 409', async () => {
    const id = await newCase({ serviceId: guardedServiceId, data: { ...FORM, shopArea: 0 } });
    const res = await act(clerk, id, 'accept');
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('INVALID_TRANSITION');
    const ok = await newCase({ serviceId: guardedServiceId });
    expect((await expectOk(clerk, ok, 'accept')).stage).toBe('review');
  });

  it('lists only the cases of the caller’s units, soonest due first', async () => {
    const id = await newCase();
    const mine = await t.http.get('/v1/cases').query({ status: 'open', limit: 100 }).set(staff.tok(clerk));
    expect(mine.status).toBe(200);
    const ids = mine.body.items as { id: string; organisationId: string; dueAt: string | null }[];
    expect(ids.map((c) => c.id)).toContain(id);
    expect(ids.every((c) => c.organisationId === unit)).toBe(true);
    const due = ids.map((c) => c.dueAt ?? '9999');
    expect([...due].sort()).toEqual(due);
    const theirs = await t.http.get('/v1/cases').query({ limit: 100 }).set(staff.tok(siblingClerk));
    expect((theirs.body.items as { id: string }[]).map((c) => c.id)).not.toContain(id);
    const paged = await t.http.get('/v1/cases').query({ limit: 1 }).set(staff.tok(clerk));
    expect(paged.body.nextCursor).toEqual(expect.any(String));
    const next = await t.http
      .get('/v1/cases')
      .query({ limit: 1, cursor: paged.body.nextCursor })
      .set(staff.tok(clerk));
    expect(next.status).toBe(200);
    expect(next.body.items[0].id).not.toBe(paged.body.items[0].id);
  });
});

describe('clocks', () => {
  it('counts working days across the Spring Festival holiday', async () => {
    // Friday 13 Feb 2026: Sat 14 is a make-up working day, 15–23 are off; 5 working days end on Fri 27 Feb.
    const id = await newCase({ receivedAt: new Date('2026-02-13T10:00:00+08:00') });
    expect((await caseRow(id)).dueAt?.toISOString()).toBe('2026-02-27T15:59:59.000Z');
  });

  it('escalates an overdue case and step once and reminds the clerks', async () => {
    const id = await newCase({ receivedAt: new Date(Date.now() - 30 * DAY) });
    const clock = t.app.get(ClockJobsService);
    await clock.tick(new Date());
    const c = await caseRow(id);
    expect(c.warningLevel).toBe('red');
    expect(c.escalatedAt).not.toBeNull();
    const escalated = await t.db.repo(CaseEvent).find({ where: { caseId: id, action: 'escalated' } });
    expect(escalated).toHaveLength(1);
    expect(escalated[0].public).toBe(false);
    const inbox = () =>
      t.db
        .repo(InboxMessage)
        .find({ where: { accountId: supervisor.id, template: 'case.overdue_escalation' } });
    expect((await inbox()).length).toBeGreaterThanOrEqual(1);
    const overdue = await t.http
      .get('/v1/cases')
      .query({ overdue: 'true', warningLevel: 'red', limit: 100 })
      .set(staff.tok(supervisor));
    expect(overdue.status).toBe(200);
    expect((overdue.body.items as { id: string }[]).map((x) => x.id)).toContain(id);
    const onTime = await t.http
      .get('/v1/cases')
      .query({ overdue: 'false', limit: 100 })
      .set(staff.tok(supervisor));
    expect((onTime.body.items as { id: string }[]).map((x) => x.id)).not.toContain(id);

    // Ten days on, the one-day acceptance step is overdue too: reminded and escalated once.
    const later = new Date(Date.now() + 10 * DAY);
    await clock.tick(later);
    await clock.tick(later);
    const [task] = await openTasks(id);
    expect(task).toMatchObject({ warningLevel: 'red' });
    expect(task.remindedAt).not.toBeNull();
    expect(task.escalatedAt).not.toBeNull();
    expect(await t.db.repo(CaseEvent).count({ where: { caseId: id, action: 'escalated' } })).toBe(2);
    const reminders = await t.db
      .repo(InboxMessage)
      .find({ where: { accountId: clerk.id, template: 'case.task_reminder' } });
    expect(reminders.some((m) => m.body.includes(c.number))).toBe(true);
    expect(
      await t.db
        .repo(InboxMessage)
        .count({ where: { accountId: siblingClerk.id, template: 'case.task_reminder' } }),
    ).toBe(0);
  });
});
