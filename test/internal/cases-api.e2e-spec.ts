import { RequestContext } from '../../src/api/context/request-context';
import { uuidv7 } from '../../src/database/uuid';
import { CaseFile, CaseTask } from '../../src/modules/internal/workflow/case.entity';
import { ClockJobsService } from '../../src/modules/internal/workflow/clock-jobs.service';
import { WorkflowEngine } from '../../src/modules/internal/workflow/workflow-engine.service';
import type { ApprovalMode, WorkflowSpec } from '../../src/modules/internal/workflow/workflow-spec';
import { CalendarAdminService } from '../../src/modules/platform/calendar/calendar-admin.service';
import { RoleName } from '../../src/modules/platform/identity/staff/role-catalogue';
import { makeCitizen, makeUnit, Person, signedInStaff, TEST_REGION, uniq } from '../identity/staff-fixtures';
import { startTestApp, TestApp } from '../support/test-app';
import { publishServiceWithWorkflow, serviceContent, standardSpec } from '../support/workflow-fixtures';

/** Parallel approvals (会签 / 或签), the GraphQL surface and due dates following calendar changes. */

let t: TestApp;
const staff = signedInStaff(() => t);
let parent: string;
let unit: string;
let clerk: Person;
let reviewer: Person;
let approver: Person;
let parentApprover: Person;
let applicant: string;
const services = new Map<string, string>();

const content = serviceContent({ elder: { summary: '开小店，先登记。', steps: ['带身份证', '到窗口'] } });

function specWith(mode: ApprovalMode): WorkflowSpec {
  const spec = standardSpec();
  spec.stages.find((s) => s.key === 'approval')!.approval!.mode = mode;
  return spec;
}

async function newCase(service: string, receivedAt = new Date()): Promise<string> {
  const c = await t.app.get(WorkflowEngine).start(RequestContext.system('test'), {
    subjectType: 'test',
    subjectId: uuidv7(),
    number: `G${uniq()}`,
    caseType: 'service',
    subjectKey: services.get(service)!,
    applicantAccountId: applicant,
    receivedAt,
    data: { applicantName: '李四', phone: '13900000000' },
  });
  return c.id;
}

async function ok(p: Person, id: string, action: string, body: Record<string, unknown> = {}) {
  const res = await t.http.post(`/v1/cases/${id}/actions/${action}`).set(staff.tok(p)).send(body);
  if (res.status !== 200) throw new Error(`${action}: ${res.status} ${res.text}`);
  return res.body as { stage: string };
}

const open = (id: string) => t.db.repo(CaseTask).find({ where: { caseId: id, status: 'open' as never } });

async function toApproval(id: string): Promise<void> {
  await ok(clerk, id, 'accept');
  await ok(reviewer, id, 'advance');
}

function gql(p: Person, query: string, variables: Record<string, unknown> = {}) {
  return t.http
    .post('/graphql')
    .set(staff.tok(p))
    .set('Content-Type', 'application/json')
    .send({ query, variables });
}

beforeAll(async () => {
  t = await startTestApp();
  parent = await makeUnit(t, '市局');
  unit = await makeUnit(t, '许可科', parent);
  clerk = await staff.person(unit, [{ role: RoleName.Clerk, unit }]);
  reviewer = await staff.person(unit, [{ role: RoleName.Reviewer, unit }]);
  approver = await staff.person(unit, [{ role: RoleName.Approver, unit }]);
  parentApprover = await staff.person(parent, [{ role: RoleName.Approver, unit: parent }]);
  applicant = (await makeCitizen(t)).id;
  for (const mode of ['sequential', 'all', 'any'] as const)
    services.set(
      mode,
      (await publishServiceWithWorkflow(t, unit, { spec: specWith(mode), content })).serviceId,
    );
});

afterAll(() => t?.close());

describe('approval modes', () => {
  it('all (会签): parallel tasks, the stage ends when every level approved', async () => {
    const id = await newCase('all');
    await toApproval(id);
    expect((await open(id)).map((x) => [x.level, x.organisationId]).sort()).toEqual(
      [
        [0, unit],
        [1, parent],
      ].sort(),
    );
    expect(
      (await ok(parentApprover, id, 'approve', { taskId: (await open(id)).find((x) => x.level === 1)!.id }))
        .stage,
    ).toBe('approval');
    expect((await ok(approver, id, 'approve')).stage).toBe('decision');
  });

  it('any (或签): the first approval decides and cancels the other level', async () => {
    const id = await newCase('any');
    await toApproval(id);
    expect(await open(id)).toHaveLength(2);
    expect((await ok(approver, id, 'approve')).stage).toBe('decision');
    const tasks = await t.db.repo(CaseTask).find({ where: { caseId: id, stage: 'approval' } });
    expect(tasks.map((x) => x.status).sort()).toEqual(['cancelled', 'completed']);
  });

  it('one person approves one level only, even when their scope covers both', async () => {
    const id = await newCase('sequential');
    await toApproval(id);
    expect((await ok(parentApprover, id, 'approve')).stage).toBe('approval');
    const again = await t.http
      .post(`/v1/cases/${id}/actions/approve`)
      .set(staff.tok(parentApprover))
      .send({});
    expect(again.status).toBe(403);
    expect(again.body.code).toBe('SEPARATION_OF_DUTIES');
    expect(await open(id)).toMatchObject([{ level: 1, status: 'open' }]);
  });

  it('disapprove needs a reason and sends the case back to review', async () => {
    const id = await newCase('sequential');
    await toApproval(id);
    const bad = await t.http.post(`/v1/cases/${id}/actions/disapprove`).set(staff.tok(approver)).send({});
    expect(bad.status).toBe(400);
    expect((await ok(approver, id, 'disapprove', { reason: '依据不足' })).stage).toBe('review');
    expect(await open(id)).toMatchObject([{ stage: 'review', permission: 'case:review' }]);
  });
});

describe('action keys: validate (400), then look up (404), then the state (409)', () => {
  it('a malformed key is 400 on a real case and on a missing one; a well-formed unknown key is 404 or 409', async () => {
    const id = await newCase('sequential');
    const before = await t.db.repo(CaseFile).findOneByOrFail({ id });
    const act = (caseId: string, action: string) =>
      t.http.post(`/v1/cases/${caseId}/actions/${action}`).set(staff.tok(clerk)).send({});
    for (const caseId of [id, uuidv7()]) {
      for (const bad of ['Accept', '1accept', 'x'.repeat(65), 'a-b']) {
        const res = await act(caseId, bad);
        expect([res.status, res.body.code]).toEqual([400, 'VALIDATION_FAILED']);
        expect(res.body.errors).toEqual([expect.objectContaining({ pointer: '/action', code: 'matches' })]);
      }
    }
    const missing = await act(uuidv7(), 'no_such_action');
    expect([missing.status, missing.body.code]).toEqual([404, 'NOT_FOUND']);
    const state = await act(id, 'no_such_action');
    expect([state.status, state.body.code]).toEqual([409, 'INVALID_TRANSITION']);
    // nothing moved: the case is still at its first stage with its first task open
    expect(await t.db.repo(CaseFile).findOneByOrFail({ id })).toMatchObject({
      stage: before.stage,
      version: before.version,
    });
    expect(await open(id)).toHaveLength(1);
  });
});

describe('claimed tasks', () => {
  it('a task claimed by a colleague is 409 for the others and works for its assignee', async () => {
    const colleague = await staff.person(unit, [{ role: RoleName.Clerk, unit }]);
    const id = await newCase('sequential');
    const [task] = await open(id);
    await t.db.repo(CaseTask).update({ id: task.id }, { assigneeId: colleague.id, claimedAt: new Date() });
    const res = await t.http.post(`/v1/cases/${id}/actions/accept`).set(staff.tok(clerk)).send({});
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('INVALID_TRANSITION');
    expect((await ok(colleague, id, 'accept')).stage).toBe('review');
    expect(await t.db.repo(CaseTask).findOneByOrFail({ id: task.id })).toMatchObject({
      status: 'completed',
      completedBy: colleague.id,
    });
  });
});

describe('GraphQL', () => {
  it('lists, reads and acts on cases with the same rules as REST', async () => {
    const id = await newCase('sequential');
    const list = await gql(
      clerk,
      `query($s: CaseStatus) { cases(first: 50, status: $s) { edges { node { id number stage warningLevel } } pageInfo { hasNextPage } } }`,
      { s: 'open' },
    );
    expect(list.body.errors).toBeUndefined();
    expect(list.body.data.cases.edges.map((e: { node: { id: string } }) => e.node.id)).toContain(id);

    const one = await gql(
      clerk,
      `query($id: ID!) { case(id: $id) { id stage stageTitle { zhCN en } availableActions { key taskId } history { action public } } }`,
      { id },
    );
    expect(one.body.errors).toBeUndefined();
    expect(one.body.data.case.stageTitle.zhCN).toBe('受理');
    expect(one.body.data.case.availableActions.map((a: { key: string }) => a.key)).toContain('accept');

    const wrong = await gql(
      reviewer,
      `mutation($id: ID!) { applyCaseAction(id: $id, action: "accept") { stage } }`,
      { id },
    );
    expect(wrong.body.errors[0].extensions.code).toBe('FORBIDDEN');
    const refused = await gql(
      clerk,
      `mutation($id: ID!, $input: CaseActionInput) { applyCaseAction(id: $id, action: "refuse", input: $input) { status outcome } }`,
      { id, input: { reason: '不属于受理范围' } },
    );
    expect(refused.body.errors).toBeUndefined();
    expect(refused.body.data.applyCaseAction).toEqual({ status: 'closed', outcome: 'refused' });
    // The history carries each event's effect details, as on REST.
    const history = await gql(clerk, `query($id: ID!) { case(id: $id) { history { action reason data } } }`, {
      id,
    });
    expect(history.body.errors).toBeUndefined();
    const rest = await t.http.get(`/v1/cases/${id}`).set(staff.tok(clerk)).expect(200);
    expect(history.body.data.case.history.map((e: { data: unknown }) => e.data)).toEqual(
      rest.body.history.map((e: { data: unknown }) => e.data),
    );
    expect(history.body.data.case.history).toContainEqual(
      expect.objectContaining({ action: 'refuse', reason: '不属于受理范围' }),
    );
    expect((await t.db.repo(CaseFile).findOneByOrFail({ id })).outcome).toBe('refused');
  });
});

describe('calendar changes', () => {
  it('a new day off in the region moves the due dates of running cases', async () => {
    // Far enough ahead that no other test counts through it.
    const id = await newCase('sequential', new Date('2031-03-03T10:00:00+08:00'));
    const before = (await t.db.repo(CaseFile).findOneByOrFail({ id })).dueAt!;
    expect(before.toISOString()).toBe('2031-03-10T15:59:59.000Z');
    const ctx = RequestContext.system('test');
    await t.app
      .get(CalendarAdminService)
      .setDay(ctx, TEST_REGION, '2031-03-05', { isWorkday: false, name: '测试休息日' });
    try {
      await t.app
        .get(ClockJobsService)
        .calendarChanged({ regionCode: TEST_REGION, kind: 'day', years: [2031] });
      const after = (await t.db.repo(CaseFile).findOneByOrFail({ id })).dueAt!;
      expect(after.toISOString()).toBe('2031-03-11T15:59:59.000Z');
    } finally {
      await t.app.get(CalendarAdminService).resetDay(ctx, TEST_REGION, '2031-03-05');
    }
  });
});
