import { CaseEvent, CaseFile, CaseTask } from '../../src/modules/internal/workflow/case.entity';
import { WorkflowDefinition } from '../../src/modules/internal/workflow/workflow-definition.entity';
import type { WorkflowSpec } from '../../src/modules/internal/workflow/workflow-spec';
import { RoleName } from '../../src/modules/platform/identity/staff/role-catalogue';
import { auth, makeCitizen, makeUnit, Person, signedInStaff, signIn, uniq } from '../identity/staff-fixtures';
import type { TestApp } from '../support/test-app';
import {
  startTestAppWith,
  TICKET_CASE_TYPE,
  TicketCaseType,
  TicketCaseTypeModule,
} from '../support/ticket-case-type.module';

/**
 * Issue 12 §1: a second case type on the workflow engine with none of the catalogue's code, driven
 * through the work-order effects: dispatch → sign → return (up to arbitration) → dispatch with a
 * co-unit → opinion → reply → callback dissatisfied → reopen → reply → callback satisfied.
 */

let t: TestApp;
const staff = signedInStaff(() => t);
let city: string;
let center: string;
let bureauA: string;
let bureauB: string;
let bureauC: string;
let outside: string;
let admin: Person;
let dispatcher: Person;
let centerReviewer: Person;
let arbiter: Person;
let clerkA: Person;
let clerkB: Person;
let clerkC: Person;
let citizen: Person;
let citizenAuth: Record<string, string>;
let topic: string;

interface Problem {
  status: number;
  code: string;
  errors?: Array<{ pointer: string; code: string }>;
}

function ticketSpec(units: string[]): WorkflowSpec {
  const t = (zh: string, en: string) => ({ 'zh-CN': zh, en });
  const handle = { permission: 'case:handle', unit: 'handling' } as WorkflowSpec['stages'][0]['assignee'];
  const dispatcherUnit = { ...handle, unit: 'dispatcher' as const };
  return {
    start: 'intake',
    clock: {
      limit: { amount: 15, unit: 'working_days' as never },
      supplementNoticeWithin: 5,
      yellowWithin: 2,
      escalateOverdue: false,
    },
    stages: [
      {
        key: 'intake',
        title: t('受理派单', 'Intake'),
        assignee: handle,
        actions: [
          {
            key: 'dispatch',
            effect: 'dispatch',
            title: t('派单', 'Dispatch'),
            to: 'handling',
            signWithin: { amount: 1, unit: 'working_days' as never },
            units,
          },
        ],
      },
      {
        key: 'handling',
        title: t('承办', 'Handling'),
        assignee: handle,
        limit: { amount: 5, unit: 'working_days' as never },
        actions: [
          { key: 'sign', effect: 'sign', title: t('签收', 'Sign') },
          { key: 'send_back', effect: 'return_to_dispatcher', title: t('退单', 'Return'), maxReturns: 1 },
          { key: 'opinion', effect: 'opinion', title: t('协办意见', 'Opinion') },
          { key: 'reply', effect: 'reply', title: t('答复', 'Reply'), to: 'callback' },
        ],
      },
      {
        key: 'callback',
        title: t('回访', 'Callback'),
        assignee: dispatcherUnit,
        actions: [
          {
            key: 'callback',
            effect: 'callback',
            title: t('回访', 'Callback'),
            to: 'done',
            dissatisfiedTo: 'review',
          },
        ],
      },
      {
        key: 'review',
        title: t('不满意复核', 'Review'),
        assignee: dispatcherUnit,
        actions: [
          { key: 'reopen', effect: 'reopen', title: t('重办', 'Reopen'), to: 'handling' },
          { key: 'close', effect: 'close', title: t('办结', 'Close'), to: 'done' },
        ],
      },
      { key: 'done', title: t('办结', 'Done'), assignee: handle, final: true, actions: [] },
    ],
  };
}

const act = (p: Person | null, id: string, action: string, body: Record<string, unknown> = {}) => {
  const req = t.http.post(`/v1/cases/${id}/actions/${action}`);
  return (p ? req.set(staff.tok(p)) : req).send(body);
};

async function ok(p: Person, id: string, action: string, body: Record<string, unknown> = {}) {
  const res = await act(p, id, action, body);
  if (res.status !== 200) throw new Error(`${action}: ${res.status} ${res.text}`);
  return res.body as { stage: string; status: string; organisationId: string; version: number };
}

const caseRow = (id: string) => t.db.repo(CaseFile).findOneByOrFail({ id });
const openTasks = (id: string) =>
  t.db.repo(CaseTask).find({ where: { caseId: id, status: 'open' as never }, order: { createdAt: 'ASC' } });
const events = (id: string) =>
  t.db.repo(CaseEvent).find({ where: { caseId: id }, order: { createdAt: 'ASC', id: 'ASC' } });

beforeAll(async () => {
  t = await startTestAppWith([TicketCaseTypeModule]);
  city = await makeUnit(t, '市政府');
  center = await makeUnit(t, '12345热线', city);
  bureauA = await makeUnit(t, '住建局', city);
  bureauB = await makeUnit(t, '交通局', city);
  bureauC = await makeUnit(t, '环保局', city);
  outside = await makeUnit(t, '外区');
  admin = await staff.person(center, [{ role: RoleName.OrgAdmin, unit: center }]);
  dispatcher = await staff.person(center, [{ role: RoleName.Clerk, unit: center }]);
  centerReviewer = await staff.person(center, [{ role: RoleName.Reviewer, unit: center }]);
  arbiter = await staff.person(city, [{ role: RoleName.Supervisor, unit: city }]);
  clerkA = await staff.person(bureauA, [{ role: RoleName.Clerk, unit: bureauA }]);
  clerkB = await staff.person(bureauB, [{ role: RoleName.Clerk, unit: bureauB }]);
  clerkC = await staff.person(bureauC, [{ role: RoleName.Clerk, unit: bureauC }]);
  citizen = await makeCitizen(t);
  citizenAuth = auth(await signIn(t, citizen, 'citizen'));
  topic = `noise-${uniq()}`;
  t.app.get(TicketCaseType).topics.set(topic, { organisationId: center, regionCode: '990000' });
});

afterAll(() => t?.close());

describe('case types and their workflow definitions', () => {
  let definitionId: string;

  it('lists the registered case types to staff, not to citizens or anonymous callers', async () => {
    const res = await t.http.get('/v1/case-types').set(staff.tok(dispatcher)).expect(200);
    const keys = (res.body as { items: Array<{ key: string }> }).items.map((i) => i.key);
    expect(keys).toEqual(expect.arrayContaining(['service', TICKET_CASE_TYPE]));
    expect((res.body as { items: Array<{ key: string; title: unknown }> }).items).toContainEqual({
      key: TICKET_CASE_TYPE,
      title: { 'zh-CN': '测试工单', en: 'Test ticket' },
    });
    await t.http.get('/v1/case-types').set(citizenAuth).expect(403);
    await t.http.get('/v1/case-types').expect(401);
  });

  it('creates, lists and activates a definition through the generic route', async () => {
    const url = `/v1/case-types/${TICKET_CASE_TYPE}/subjects/${topic}/workflows`;
    const created = await t.http
      .post(url)
      .set(staff.tok(admin))
      .send({ spec: ticketSpec([bureauA, bureauB, bureauC]) })
      .expect(201);
    expect(created.body).toMatchObject({
      caseType: TICKET_CASE_TYPE,
      subjectKey: topic,
      serviceId: null,
      organisationId: center,
      number: 1,
      state: 'draft',
    });
    definitionId = (created.body as { id: string }).id;
    const row = await t.db.repo(WorkflowDefinition).findOneByOrFail({ id: definitionId });
    expect(row).toMatchObject({ caseType: TICKET_CASE_TYPE, subjectKey: topic, serviceId: null });
    const list = await t.http.get(url).set(staff.tok(admin)).expect(200);
    expect((list.body as { items: Array<{ id: string }> }).items.map((i) => i.id)).toEqual([definitionId]);
    await t.http.post(`/v1/workflows/${definitionId}/activate`).set(staff.tok(admin)).send().expect(200);
    const gql = await t.http
      .post('/graphql')
      .set(staff.tok(admin))
      .send({
        query: `query($type: String!, $key: String!) { caseTypeWorkflowDefinitions(caseType: $type, subjectKey: $key, first: 5) { totalCount edges { node { id caseType subjectKey state } } } }`,
        variables: { type: TICKET_CASE_TYPE, key: topic },
      })
      .expect(200);
    expect(gql.body.data.caseTypeWorkflowDefinitions).toEqual({
      totalCount: 1,
      edges: [{ node: { id: definitionId, caseType: TICKET_CASE_TYPE, subjectKey: topic, state: 'active' } }],
    });
  });

  it('refuses bad specs, unknown types and subjects, other units and other roles', async () => {
    const url = `/v1/case-types/${TICKET_CASE_TYPE}/subjects/${topic}/workflows`;
    const bad = ticketSpec([bureauA]);
    bad.stages[0].actions[0].to = 'callback'; // a dispatch must land where someone signs
    (bad.stages[1].actions[1] as { maxReturns?: unknown }).maxReturns = 99;
    const res = await t.http.post(url).set(staff.tok(admin)).send({ spec: bad }).expect(400);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect((res.body as Problem).errors?.map((e) => `${e.pointer} ${e.code}`)).toEqual([
      '/spec/stages/1/actions/1/maxReturns range',
    ]);
    bad.stages[1].actions[1] = { ...bad.stages[1].actions[1], maxReturns: 1 };
    const graph = await t.http.post(url).set(staff.tok(admin)).send({ spec: bad }).expect(400);
    expect((graph.body as Problem).errors?.map((e) => `${e.pointer} ${e.code}`)).toContain(
      '/spec/stages/0/actions/0/to signRequired',
    );
    await t.http
      .post(`/v1/case-types/nope/subjects/${topic}/workflows`)
      .set(staff.tok(admin))
      .send({ spec: ticketSpec([]) })
      .expect(404);
    await t.http
      .get(`/v1/case-types/${TICKET_CASE_TYPE}/subjects/unknown-topic/workflows`)
      .set(staff.tok(admin))
      .expect(404);
    await t.http
      .get(`/v1/case-types/${TICKET_CASE_TYPE}/subjects/${encodeURIComponent('bad key!')}/workflows`)
      .set(staff.tok(admin))
      .expect(400);
    // workflow:manage of another unit: the subject is not theirs (404); a clerk lacks the permission (403).
    const otherAdmin = await staff.person(outside, [{ role: RoleName.OrgAdmin, unit: outside }]);
    await t.http.get(url).set(staff.tok(otherAdmin)).expect(404);
    await t.http.get(url).set(staff.tok(dispatcher)).expect(403);
    await t.http
      .post(url)
      .send({ spec: ticketSpec([]) })
      .expect(401);
    expect(
      await t.db.repo(WorkflowDefinition).countBy({ caseType: TICKET_CASE_TYPE, subjectKey: topic }),
    ).toBe(1);
  });

  it('GraphQL: lists case types and creates a definition once per idempotency key; bad keys are refused', async () => {
    const gql = (query: string, variables: Record<string, unknown> = {}, as: Person = admin) =>
      t.http
        .post('/graphql')
        .set('Content-Type', 'application/json')
        .set(staff.tok(as))
        .send({ query, variables });
    const types = await gql('{ caseTypes { key title { zhCN en } } }');
    expect(types.body.errors).toBeUndefined();
    expect(types.body.data.caseTypes).toContainEqual({
      key: TICKET_CASE_TYPE,
      title: { zhCN: '测试工单', en: 'Test ticket' },
    });
    const second = `litter-${uniq()}`;
    t.app.get(TicketCaseType).topics.set(second, { organisationId: center, regionCode: '990000' });
    const create = `mutation($t: String!, $k: String!, $i: WorkflowDefinitionInput!, $key: String) {
      createCaseTypeWorkflowDefinition(caseType: $t, subjectKey: $k, input: $i, idempotencyKey: $key) { id caseType subjectKey serviceId number } }`;
    const vars = {
      t: TICKET_CASE_TYPE,
      k: second,
      i: { spec: ticketSpec([bureauA]) },
      key: `idem-${uniq()}`,
    };
    const first = await gql(create, vars);
    expect(first.body.errors).toBeUndefined();
    expect(first.body.data.createCaseTypeWorkflowDefinition).toMatchObject({
      caseType: TICKET_CASE_TYPE,
      subjectKey: second,
      serviceId: null,
      number: 1,
    });
    const retry = await gql(create, vars);
    expect(retry.body.data.createCaseTypeWorkflowDefinition.id).toBe(
      first.body.data.createCaseTypeWorkflowDefinition.id,
    );
    expect(
      await t.db.repo(WorkflowDefinition).countBy({ caseType: TICKET_CASE_TYPE, subjectKey: second }),
    ).toBe(1);
    const bad = await gql(create, { ...vars, t: 'Bad Type', key: null });
    expect(bad.body.errors[0].extensions.code).toBe('VALIDATION_FAILED');
    const unknown = await gql(create, { ...vars, t: 'nope', key: null });
    expect(unknown.body.errors[0].extensions.code).toBe('NOT_FOUND');
    const clerk = await gql(create, { ...vars, key: null }, dispatcher);
    expect(clerk.body.errors[0].extensions.code).toBe('FORBIDDEN');
  });
});

describe('a ticket through the work-order effects', () => {
  let ticketId: string;
  let caseId: string;

  it('opens a ticket: a case of the ticket type at the topic unit, no catalogue service', async () => {
    const res = await t.http
      .post('/v1/test-tickets')
      .set(citizenAuth)
      .send({ topic, text: '夜间施工噪音' })
      .expect(201);
    ticketId = (res.body as { id: string }).id;
    caseId = (res.body as { caseId: string }).caseId;
    const c = await caseRow(caseId);
    expect(c).toMatchObject({
      caseType: TICKET_CASE_TYPE,
      subjectKey: topic,
      subjectType: TICKET_CASE_TYPE,
      subjectId: ticketId,
      serviceId: null,
      organisationId: center,
      stage: 'intake',
      status: 'open',
      limit: { amount: 15, unit: 'working_days' },
      routing: {},
    });
    expect((await openTasks(caseId)).map((x) => [x.kind, x.organisationId])).toEqual([['work', center]]);
    await t.http
      .post('/v1/test-tickets')
      .set(citizenAuth)
      .send({ topic: 'no-such-topic', text: 'x' })
      .expect(404);
    const bad = await t.http.post('/v1/test-tickets').set(citizenAuth).send({ topic, text: '' }).expect(400);
    expect((bad.body as Problem).errors?.map((e) => e.pointer)).toEqual(['/text']);
    const staffView = await t.http.get(`/v1/cases/${caseId}`).set(staff.tok(dispatcher)).expect(200);
    expect(staffView.body).toMatchObject({ caseType: TICKET_CASE_TYPE, subjectKey: topic, serviceId: null });
    const ids = async (q: string) =>
      (
        (await t.http.get(`/v1/cases${q}`).set(staff.tok(dispatcher)).expect(200)).body as {
          items: { id: string }[];
        }
      ).items.map((x) => x.id);
    expect(await ids(`?caseType=${TICKET_CASE_TYPE}`)).toContain(caseId);
    expect(await ids('?caseType=service')).not.toContain(caseId);
    const badType = await t.http.get('/v1/cases?caseType=Not-A-Type').set(staff.tok(dispatcher)).expect(400);
    expect((badType.body as Problem).errors?.map((e) => e.pointer)).toEqual(['/caseType']);
  });

  it('refuses a dispatch without a unit, to a unit not allowed, from the wrong role and without a token', async () => {
    const none = await act(dispatcher, caseId, 'dispatch').expect(400);
    expect((none.body as Problem).errors?.map((e) => e.pointer)).toEqual(['/organisationId']);
    const far = await act(dispatcher, caseId, 'dispatch', { organisationId: outside }).expect(400);
    expect((far.body as Problem).errors).toEqual([
      expect.objectContaining({ pointer: '/organisationId', code: 'dispatchTarget' }),
    ]);
    const co = await act(dispatcher, caseId, 'dispatch', {
      organisationId: bureauA,
      coOrganisationIds: [bureauA],
    }).expect(400);
    expect((co.body as Problem).errors?.map((e) => e.pointer)).toEqual(['/coOrganisationIds/0']);
    const notUuid = await act(dispatcher, caseId, 'dispatch', {
      organisationId: bureauA,
      coOrganisationIds: ['x'],
    }).expect(400);
    expect((notUuid.body as Problem).errors?.map((e) => e.pointer)).toEqual(['/coOrganisationIds']);
    await act(centerReviewer, caseId, 'dispatch', { organisationId: bureauA }).expect(403);
    await act(clerkA, caseId, 'dispatch', { organisationId: bureauA }).expect(404);
    await act(null, caseId, 'dispatch', { organisationId: bureauA }).expect(401);
    expect(await caseRow(caseId)).toMatchObject({ stage: 'intake', organisationId: center, version: 1 });
  });

  it('dispatches with a sign-off deadline; only the receiving unit signs, and then handles it', async () => {
    const stale = (await caseRow(caseId)).version;
    const body = await ok(dispatcher, caseId, 'dispatch', { organisationId: bureauA });
    expect(body).toMatchObject({ stage: 'handling', organisationId: center });
    const [sign] = await openTasks(caseId);
    expect(sign).toMatchObject({
      kind: 'sign',
      stage: 'handling',
      organisationId: bureauA,
      permission: 'case:handle',
    });
    expect(sign.dueAt).not.toBeNull();
    // A stale If-Match is 412; another bureau does not see the case (404).
    await t.http
      .post(`/v1/cases/${caseId}/actions/sign`)
      .set(staff.tok(clerkA))
      .set('If-Match', `"v${stale}"`)
      .send({})
      .expect(412);
    await act(clerkB, caseId, 'sign').expect(404);
    // Before signing, the receiving unit cannot answer.
    await act(clerkA, caseId, 'reply', { reason: '已处理' }).expect(409);
    const signed = await ok(clerkA, caseId, 'sign');
    expect(signed).toMatchObject({ stage: 'handling', organisationId: bureauA });
    expect((await openTasks(caseId)).map((x) => [x.kind, x.organisationId])).toEqual([['work', bureauA]]);
    expect((await caseRow(caseId)).routing).toMatchObject({
      dispatcherOrganisationId: center,
      dispatchStage: 'intake',
      targetOrganisationId: bureauA,
    });
  });

  it('returns to the dispatcher with a reason, and past maxReturns to arbitration above it', async () => {
    const noReason = await act(clerkA, caseId, 'send_back').expect(400);
    expect((noReason.body as Problem).errors?.map((e) => e.pointer)).toEqual(['/reason']);
    const back = await ok(clerkA, caseId, 'send_back', { reason: '不属于本单位职责' });
    expect(back).toMatchObject({ stage: 'intake', organisationId: center });
    expect((await openTasks(caseId)).map((x) => [x.kind, x.organisationId])).toEqual([['work', center]]);
    await ok(dispatcher, caseId, 'dispatch', { organisationId: bureauB });
    // The second return exceeds maxReturns (1): the supervisors above the dispatcher arbitrate.
    await ok(clerkB, caseId, 'send_back', { reason: '也不属于本单位' });
    const [arbitration] = await openTasks(caseId);
    expect(arbitration).toMatchObject({
      kind: 'arbitration',
      stage: 'intake',
      organisationId: city,
      permission: 'case:supervise',
    });
    expect((await caseRow(caseId)).routing).toMatchObject({ returns: 2 });
    // The dispatcher no longer works it; the arbiter dispatches, with a co-handling unit.
    await act(dispatcher, caseId, 'dispatch', { organisationId: bureauA }).expect(403);
    await ok(arbiter, caseId, 'dispatch', { organisationId: bureauA, coOrganisationIds: [bureauC] });
    const tasks = await openTasks(caseId);
    expect(tasks.map((x) => [x.kind, x.organisationId]).sort()).toEqual([
      ['opinion', bureauC],
      ['sign', bureauA],
    ]);
    const returns = (await events(caseId)).filter((e) => e.action === 'send_back');
    expect(returns.map((e) => [e.reason, e.data.returns, e.data.arbitration])).toEqual([
      ['不属于本单位职责', 1, false],
      ['也不属于本单位', 2, true],
    ]);
  });

  it('co-handling: the main unit replies only once every co-unit gave its opinion', async () => {
    await ok(clerkA, caseId, 'sign');
    const early = await act(clerkA, caseId, 'reply', { reason: '已责令停工' }).expect(409);
    expect(early.body).toMatchObject({ code: 'INVALID_TRANSITION' });
    await act(clerkA, caseId, 'opinion', { reason: '不是协办单位' }).expect(403);
    await ok(clerkC, caseId, 'opinion', { reason: '已现场监测，夜间噪音超标' });
    const replied = await ok(clerkA, caseId, 'reply', { reason: '已责令施工单位夜间停工' });
    expect(replied).toMatchObject({ stage: 'callback', organisationId: bureauA });
    const [callbackTask] = await openTasks(caseId);
    expect(callbackTask).toMatchObject({ kind: 'work', stage: 'callback', organisationId: center });
    const reply = (await events(caseId)).find((e) => e.action === 'reply')!;
    expect(reply).toMatchObject({ public: true, reason: '已责令施工单位夜间停工' });
    expect(reply.data).toMatchObject({ effect: 'reply', publicTitle: { 'zh-CN': '已答复', en: 'Answered' } });
  });

  it('callback dissatisfied leads to reopen; the second answer is satisfied and closes', async () => {
    const bad = await act(dispatcher, caseId, 'callback', { satisfaction: 'meh' }).expect(400);
    expect((bad.body as Problem).errors?.map((e) => e.pointer)).toEqual(['/satisfaction']);
    const missing = await act(dispatcher, caseId, 'callback').expect(400);
    expect((missing.body as Problem).errors?.map((e) => e.pointer)).toEqual(['/satisfaction']);
    expect(await ok(dispatcher, caseId, 'callback', { satisfaction: 'dissatisfied' })).toMatchObject({
      stage: 'review',
    });
    await act(dispatcher, caseId, 'reopen').expect(400);
    expect(await ok(dispatcher, caseId, 'reopen', { reason: '群众反映仍有噪音' })).toMatchObject({
      stage: 'handling',
      organisationId: bureauA,
    });
    expect((await openTasks(caseId)).map((x) => [x.kind, x.organisationId])).toEqual([['work', bureauA]]);
    await ok(clerkA, caseId, 'reply', { reason: '已加装隔音设施并复查' });
    const closed = await ok(dispatcher, caseId, 'callback', { satisfaction: 'satisfied' });
    expect(closed).toMatchObject({ stage: 'done', status: 'closed' });
    const c = await caseRow(caseId);
    expect(c).toMatchObject({
      status: 'closed',
      routing: { reopens: 1, satisfaction: 'satisfied', returns: 2 },
    });
    expect(c.closedAt).not.toBeNull();
    expect(await openTasks(caseId)).toEqual([]);
    const history = await events(caseId);
    expect(history.map((e) => e.action)).toEqual([
      'started',
      'dispatch',
      'sign',
      'send_back',
      'dispatch',
      'send_back',
      'dispatch',
      'sign',
      'opinion',
      'reply',
      'callback',
      'reopen',
      'reply',
      'callback',
    ]);
    expect(history.filter((e) => e.public).map((e) => e.action)).toEqual([
      'started',
      'reply',
      'callback',
      'reopen',
      'reply',
      'callback',
    ]);
    const audit = await t.db.query<{ action: string }>(
      `SELECT action FROM audit_leaf WHERE resource_id = $1 ORDER BY seq`,
      [caseId],
    );
    expect(audit.map((a) => a.action)).toEqual(history.map((e) => `case.${e.action}`));
    // The ticket's own module heard every transition, inside the engine's transactions.
    const ticket = await t.http.get(`/v1/test-tickets/${ticketId}`).set(citizenAuth).expect(200);
    expect(ticket.body).toMatchObject({
      caseId,
      answers: ['已责令施工单位夜间停工', '已加装隔音设施并复查'],
      satisfaction: 'satisfied',
      transitions: [
        'started',
        'dispatch',
        'sign',
        'return_to_dispatcher',
        'dispatch',
        'return_to_dispatcher',
        'dispatch',
        'sign',
        'opinion',
        'reply',
        'callback',
        'reopen',
        'reply',
        'callback',
      ],
    });
    // Closed: the handling unit sees it but nothing is left to do; the dispatcher no longer sees it.
    await act(clerkA, caseId, 'callback', { satisfaction: 'satisfied' }).expect(409);
    await act(dispatcher, caseId, 'callback', { satisfaction: 'satisfied' }).expect(404);
  });
});
