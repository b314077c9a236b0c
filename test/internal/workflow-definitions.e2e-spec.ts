import { RoleName } from '../../src/modules/platform/identity/staff/role-catalogue';
import type { WorkflowSpec } from '../../src/modules/internal/workflow/workflow-spec';
import { auth, makeCitizen, makeStaff, makeUnit, signIn, uniq } from '../identity/staff-fixtures';
import { expectOncePerKey } from '../support/graphql-idempotency';
import { startTestApp, TestApp } from '../support/test-app';
import {
  instantSpec,
  publishServiceWithWorkflow,
  serviceContent,
  standardSpec,
} from '../support/workflow-fixtures';

interface Definition {
  id: string;
  serviceId: string;
  organisationId: string;
  number: number;
  state: string;
  spec: WorkflowSpec;
  version: number;
  activatedAt: string | null;
}
interface Problem {
  code: string;
  errors?: { pointer: string; code: string; message: string }[];
}
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('workflow definitions (办件流程): versions, validation, activation, publication check', () => {
  let t: TestApp;
  let X: string;
  let Y: string;
  let adminX: Record<string, string>;
  let adminX2: Record<string, string>;
  let adminY: Record<string, string>;
  let clerkX: Record<string, string>;
  let clerkY: Record<string, string>;
  let citizen: Record<string, string>;

  const rows = (serviceId: string) =>
    t.db.query<{ number: number; state: string }>(
      'SELECT number, state FROM workflow_definition WHERE service_id = $1 ORDER BY number',
      [serviceId],
    );
  const draftService = async (content = serviceContent()): Promise<string> => {
    const res = await t.http
      .post('/v1/catalog/services')
      .set(adminX)
      .send({
        organisationId: X,
        implementationCode: `WFT-${uniq()}`,
        type: 'administrative_licence',
        target: 'person',
        draft: content,
      });
    expect(res.status).toBe(201);
    return res.body.id as string;
  };
  const createWf = (serviceId: string, spec: unknown, as = adminX) =>
    t.http.post(`/v1/services/${serviceId}/workflows`).set(as).send({ spec });
  const activate = (id: string, as = adminX) => t.http.post(`/v1/workflows/${id}/activate`).set(as).send();
  const step = (id: string, action: string) =>
    t.http.post(`/v1/catalog/services/${id}/${action}`).set(adminX).send();

  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMIT_ANONYMOUS: '100000', RATE_LIMIT_AUTHENTICATED: '100000' });
    const root = await makeUnit(t, '流程市局');
    X = await makeUnit(t, '流程甲区', root);
    Y = await makeUnit(t, '流程乙区', root);
    const as = async (unit: string, role: RoleName) =>
      auth(await signIn(t, await makeStaff(t, unit, [{ role, unit }]), 'staff'));
    adminX = await as(X, RoleName.OrgAdmin);
    adminX2 = await as(X, RoleName.OrgAdmin);
    adminY = await as(Y, RoleName.OrgAdmin);
    clerkX = await as(X, RoleName.Clerk);
    clerkY = await as(Y, RoleName.Clerk);
    citizen = auth(await signIn(t, await makeCitizen(t), 'citizen'));
  });
  afterAll(() => t.close());

  it('create → edit the draft (If-Match) → activate → a new version retires the old one', async () => {
    const serviceId = await draftService();
    const created = await createWf(serviceId, standardSpec());
    expect(created.status).toBe(201);
    const d1 = created.body as Definition;
    expect(d1).toMatchObject({ serviceId, organisationId: X, number: 1, state: 'draft', activatedAt: null });
    expect(d1.spec.stages.map((s) => s.key)).toEqual([
      'acceptance',
      'review',
      'approval',
      'decision',
      'issuing',
      'delivery',
      'closed',
    ]);
    expect(await rows(serviceId)).toEqual([{ number: 1, state: 'draft' }]);
    const audits = await t.db.query<{ action: string }>(
      "SELECT action FROM audit_leaf WHERE resource_id = $1 AND action LIKE 'workflow.%' ORDER BY seq",
      [d1.id],
    );
    expect(audits.map((a) => a.action)).toEqual(['workflow.create']);

    const got = await t.http.get(`/v1/workflows/${d1.id}`).set(adminX);
    expect(got.status).toBe(200);
    expect(got.headers.etag).toBe(`"v${d1.version}"`);

    // Replacing the draft needs If-Match; a stale one is 412 and changes nothing.
    const spec = instantSpec();
    expect((await t.http.put(`/v1/workflows/${d1.id}`).set(adminX).send({ spec })).status).toBe(428);
    const stale = await t.http
      .put(`/v1/workflows/${d1.id}`)
      .set(adminX)
      .set('If-Match', '"v999"')
      .send({ spec });
    expect(stale.status).toBe(412);
    const put = await t.http
      .put(`/v1/workflows/${d1.id}`)
      .set(adminX)
      .set('If-Match', `"v${d1.version}"`)
      .send({ spec });
    expect(put.status).toBe(200);
    expect(put.body.version).toBeGreaterThan(d1.version);
    const [stored] = await t.db.query<{ spec: WorkflowSpec }>(
      'SELECT spec FROM workflow_definition WHERE id = $1',
      [d1.id],
    );
    expect(stored.spec.stages.map((s) => s.key)).toEqual(['acceptance', 'decision', 'issuing', 'closed']);

    const on = await activate(d1.id);
    expect(on.status).toBe(200);
    expect(on.body).toMatchObject({ state: 'active' });
    expect(on.body.activatedAt).toEqual(expect.any(String));
    // Active versions never change; activating twice is refused.
    const frozen = await t.http
      .put(`/v1/workflows/${d1.id}`)
      .set(adminX)
      .set('If-Match', `"v${on.body.version}"`)
      .send({ spec: standardSpec() });
    expect(frozen.status).toBe(409);
    expect((frozen.body as Problem).code).toBe('INVALID_TRANSITION');
    expect((await activate(d1.id)).status).toBe(409);

    const d2 = (await createWf(serviceId, standardSpec())).body as Definition;
    expect(d2.number).toBe(2);
    expect(await rows(serviceId)).toEqual([
      { number: 1, state: 'active' },
      { number: 2, state: 'draft' },
    ]);
    expect((await activate(d2.id)).status).toBe(200);
    expect(await rows(serviceId)).toEqual([
      { number: 1, state: 'retired' },
      { number: 2, state: 'active' },
    ]);
    expect((await activate(d1.id)).status).toBe(409);

    const list = await t.http.get(`/v1/services/${serviceId}/workflows`).set(adminX);
    expect(list.status).toBe(200);
    expect((list.body.items as Definition[]).map((d) => [d.number, d.state])).toEqual([
      [2, 'active'],
      [1, 'retired'],
    ]);
    const paged = await t.http.get(`/v1/services/${serviceId}/workflows?limit=1`).set(adminX);
    expect(paged.body.items).toHaveLength(1);
    const next = await t.http
      .get(`/v1/services/${serviceId}/workflows?limit=1&cursor=${paged.body.nextCursor}`)
      .set(adminX);
    expect((next.body.items as Definition[]).map((d) => d.number)).toEqual([1]);

    const all = await t.db.query<{ action: string }>(
      "SELECT action FROM audit_leaf WHERE resource_id = ANY($1) AND action LIKE 'workflow.%' ORDER BY seq",
      [[d1.id, d2.id]],
    );
    expect(all.map((a) => a.action)).toEqual([
      'workflow.create',
      'workflow.update',
      'workflow.activate',
      'workflow.create',
      'workflow.activate',
    ]);
  });

  it('refuses invalid specs with pointers and stores nothing', async () => {
    const serviceId = await draftService();
    const broken: [string, (s: Json) => unknown][] = [
      ['/spec', () => 'not an object'],
      ['/spec/start', (s) => ((s.start = 'nowhere'), s)],
      ['/spec/stages/1/key', (s) => ((s.stages[1].key = 'acceptance'), s)],
      ['/spec/stages/0/actions/0/to', (s) => ((s.stages[0].actions[0].to = 'limbo'), s)],
      [
        '/spec/stages/6/actions',
        (s) => (s.stages[6].actions.push({ key: 'x', effect: 'refuse', title: { 'zh-CN': 'x' } }), s),
      ],
      ['/spec/stages/1/actions/1/to', (s) => ((s.stages[1].actions[1].to = 'delivery'), s)],
      [
        '/spec/stages/3/actions/1/effect',
        (s) => (
          s.stages[3].actions.push({
            key: 'ok',
            effect: 'approve',
            title: { 'zh-CN': '同意' },
            to: 'issuing',
          }),
          s
        ),
      ],
      ['/spec/stages/1/actions/2/effect', (s) => (s.stages[1].actions.splice(3, 1), s)],
      ['/spec/stages/0/assignee/permission', (s) => ((s.stages[0].assignee.permission = 'audit:read'), s)],
      ['/spec/clock/supplementNoticeWithin', (s) => ((s.clock.supplementNoticeWithin = 31), s)],
      ['/spec/clock/limit/amount', (s) => ((s.clock.limit = { amount: 0, unit: 'working_days' }), s)],
      [
        '/spec/stages/0/actions/0/guard/path',
        (s) => ((s.stages[0].actions[0].guard = { path: '/secret', op: 'eq', value: 1 }), s),
      ],
      [
        '/spec/separationOfDuties/0/actions/1',
        (s) => ((s.separationOfDuties[0].actions = ['accept', 'nope']), s),
      ],
      ['/spec/stages/0/title/zh-CN', (s) => ((s.stages[0].title = { en: 'Acceptance' }), s)],
      ['/spec/stages', (s) => ((s.stages = Array.from({ length: 51 }, () => s.stages[6])), s)],
      ['/spec/hack', (s) => ((s.hack = true), s)],
    ];
    for (const [pointer, mutate] of broken) {
      const res = await createWf(serviceId, mutate(standardSpec()));
      expect({ pointer, status: res.status }).toEqual({ pointer, status: 400 });
      expect((res.body as Problem).code).toBe('VALIDATION_FAILED');
      expect({ pointer, got: (res.body as Problem).errors?.map((e) => e.pointer) }).toEqual({
        pointer,
        got: expect.arrayContaining([pointer]),
      });
    }
    expect((await t.http.post(`/v1/services/${serviceId}/workflows`).set(adminX).send({})).status).toBe(400);
    expect(await rows(serviceId)).toEqual([]);

    // An update with a bad spec leaves the draft as it was.
    const d = (await createWf(serviceId, standardSpec())).body as Definition;
    const bad = standardSpec() as unknown as Json;
    bad.start = 'closed';
    const res = await t.http
      .put(`/v1/workflows/${d.id}`)
      .set(adminX)
      .set('If-Match', `"v${d.version}"`)
      .send({ spec: bad });
    expect(res.status).toBe(400);
    expect((res.body as Problem).errors?.map((e) => e.pointer)).toContain('/spec/start');
    const [row] = await t.db.query<{ spec: WorkflowSpec; version: number }>(
      'SELECT spec, version FROM workflow_definition WHERE id = $1',
      [d.id],
    );
    expect(row).toMatchObject({ version: d.version, spec: { start: 'acceptance' } });

    // English titles may be left out: they default to the Chinese ones.
    const zhOnly = standardSpec() as unknown as Json;
    zhOnly.stages[0].title = { 'zh-CN': '受理' };
    const saved = await createWf(serviceId, zhOnly);
    expect(saved.status).toBe(201);
    expect((saved.body as Definition).spec.stages[0].title).toEqual({ 'zh-CN': '受理', en: '受理' });
  });

  it('refuses anonymous callers, citizens, staff without workflow:manage and other units; nothing changes', async () => {
    const serviceId = await draftService();
    const d = (await createWf(serviceId, standardSpec())).body as Definition;
    const spec = standardSpec();
    const calls = (as: Record<string, string>) => [
      t.http.post(`/v1/services/${serviceId}/workflows`).set(as).send({ spec }),
      t.http.get(`/v1/services/${serviceId}/workflows`).set(as),
      t.http.put(`/v1/workflows/${d.id}`).set(as).set('If-Match', `"v${d.version}"`).send({ spec }),
      t.http.post(`/v1/workflows/${d.id}/activate`).set(as).send(),
    ];
    for (const [as, status] of [
      [{}, 401],
      [citizen, 403],
      [clerkX, 403],
      [adminY, 404],
    ] as const)
      for (const call of calls(as)) expect((await call).status).toBe(status);
    expect((await t.http.get(`/v1/workflows/${d.id}`)).status).toBe(401);
    expect((await t.http.get(`/v1/workflows/${d.id}`).set(citizen)).status).toBe(403);
    expect((await t.http.get(`/v1/workflows/${d.id}`).set(adminY)).status).toBe(404);
    expect((await t.http.get(`/v1/workflows/${d.id}`).set(clerkY)).status).toBe(404);
    // The unit's case handlers may read it.
    expect((await t.http.get(`/v1/workflows/${d.id}`).set(clerkX)).status).toBe(200);
    expect(await rows(serviceId)).toEqual([{ number: 1, state: 'draft' }]);
    const missing = '01890000-0000-7000-8000-000000000000';
    expect((await t.http.get(`/v1/workflows/${missing}`).set(adminX)).status).toBe(404);
    expect((await createWf(missing, spec)).status).toBe(404);
  });

  it('publication needs an active workflow whose limit fits the promised one', async () => {
    const serviceId = await draftService();
    expect((await step(serviceId, 'submit')).status).toBe(200);
    const none = await step(serviceId, 'publish');
    expect(none.status).toBe(400);
    expect((none.body as Problem).errors).toEqual([
      expect.objectContaining({ pointer: '/workflow', code: 'activeWorkflowRequired' }),
    ]);
    // A draft is not enough.
    const spec = standardSpec();
    spec.clock.limit = { amount: 10, unit: 'working_days' as never };
    const d = (await createWf(serviceId, spec)).body as Definition;
    expect((await step(serviceId, 'publish')).status).toBe(400);
    // Active, but promising 10 working days where the guide promises 5.
    expect((await activate(d.id)).status).toBe(200);
    const tooLong = await step(serviceId, 'publish');
    expect(tooLong.status).toBe(400);
    expect((tooLong.body as Problem).errors?.map((e) => e.pointer)).toEqual(['/workflow/clock/limit']);
    const [svc] = await t.db.query<{ status: string }>('SELECT status FROM service WHERE id = $1', [
      serviceId,
    ]);
    expect(svc.status).toBe('in_review');

    spec.clock.limit = { amount: 5, unit: 'working_days' as never };
    const fits = (await createWf(serviceId, spec)).body as Definition;
    expect((await activate(fits.id)).status).toBe(200);
    expect((await step(serviceId, 'publish')).status).toBe(200);

    // Once published, activation itself checks the limit.
    spec.clock.limit = { amount: 6, unit: 'working_days' as never };
    const over = (await createWf(serviceId, spec)).body as Definition;
    const refused = await activate(over.id);
    expect(refused.status).toBe(400);
    expect((refused.body as Problem).errors?.map((e) => e.pointer)).toEqual(['/spec/clock/limit']);
    expect((await rows(serviceId)).map((r) => r.state)).toEqual(['retired', 'active', 'draft']);
  });

  it('the fixture publishes a service with an active workflow', async () => {
    const token = (adminX.Authorization ?? '').replace('Bearer ', '');
    const { serviceId, definitionId } = await publishServiceWithWorkflow(t, X, {
      spec: instantSpec(),
      token,
    });
    const [row] = await t.db.query<{ status: string; state: string }>(
      'SELECT s.status, w.state FROM service s JOIN workflow_definition w ON w.service_id = s.id WHERE w.id = $1',
      [definitionId],
    );
    expect(row).toEqual({ status: 'published', state: 'active' });
    expect((await t.http.get(`/v1/services/${serviceId}`)).status).toBe(200);
  });

  it('GraphQL: create, update, activate, list and read; refusals carry the same codes', async () => {
    const gql = (
      query: string,
      variables: Record<string, unknown>,
      headers: Record<string, string> = adminX,
    ) =>
      t.http.post('/graphql').set('Content-Type', 'application/json').set(headers).send({ query, variables });
    const serviceId = await draftService();
    const FIELDS = 'id number state version spec';
    const created = await gql(
      `mutation($s: ID!, $i: WorkflowDefinitionInput!) { createWorkflowDefinition(serviceId: $s, input: $i) { ${FIELDS} } }`,
      { s: serviceId, i: { spec: standardSpec() } },
    );
    expect(created.body.errors).toBeUndefined();
    const d = created.body.data.createWorkflowDefinition as Definition;
    expect(d.number).toBe(1);
    expect(d.state.toLowerCase()).toBe('draft');
    expect(d.spec.start).toBe('acceptance');

    const updated = await gql(
      `mutation($id: ID!, $v: Int!, $i: WorkflowDefinitionInput!) { updateWorkflowDefinition(id: $id, expectedVersion: $v, input: $i) { ${FIELDS} } }`,
      { id: d.id, v: d.version, i: { spec: instantSpec() } },
    );
    expect(updated.body.errors).toBeUndefined();
    const stale = await gql(
      `mutation($id: ID!, $v: Int!, $i: WorkflowDefinitionInput!) { updateWorkflowDefinition(id: $id, expectedVersion: $v, input: $i) { id } }`,
      { id: d.id, v: d.version, i: { spec: instantSpec() } },
    );
    expect(stale.body.errors[0].extensions.code).toBe('PRECONDITION_FAILED');

    const activated = await gql(`mutation($id: ID!) { activateWorkflowDefinition(id: $id) { ${FIELDS} } }`, {
      id: d.id,
    });
    expect(activated.body.errors).toBeUndefined();
    expect(String(activated.body.data.activateWorkflowDefinition.state).toLowerCase()).toBe('active');

    const listed = await gql(
      'query($s: ID!) { workflowDefinitions(serviceId: $s, first: 10) { edges { node { id number } } pageInfo { hasNextPage } } }',
      { s: serviceId },
    );
    expect(listed.body.errors).toBeUndefined();
    expect(
      listed.body.data.workflowDefinitions.edges.map((e: { node: { id: string } }) => e.node.id),
    ).toEqual([d.id]);
    const one = await gql(
      'query($id: ID!) { workflowDefinition(id: $id) { id spec } }',
      { id: d.id },
      clerkX,
    );
    expect(one.body.data.workflowDefinition.spec.stages).toHaveLength(4);

    const bad = standardSpec() as unknown as Json;
    bad.stages[0].actions[0].to = 'limbo';
    const invalid = await gql(
      'mutation($s: ID!, $i: WorkflowDefinitionInput!) { createWorkflowDefinition(serviceId: $s, input: $i) { id } }',
      { s: serviceId, i: { spec: bad } },
    );
    expect(invalid.body.errors[0].extensions.code).toBe('VALIDATION_FAILED');
    expect(invalid.body.errors[0].extensions.errors.map((e: { pointer: string }) => e.pointer)).toContain(
      // GraphQL pointers start at the argument (`input`), REST's at the body.
      '/input/spec/stages/0/actions/0/to',
    );
    const notObject = await gql(
      'mutation($s: ID!) { createWorkflowDefinition(serviceId: $s, input: { spec: "x" }) { id } }',
      { s: serviceId },
    );
    expect(notObject.body.errors[0].extensions.code).toBe('VALIDATION_FAILED');
    const forbidden = await gql(
      'mutation($s: ID!, $i: WorkflowDefinitionInput!) { createWorkflowDefinition(serviceId: $s, input: $i) { id } }',
      { s: serviceId, i: { spec: standardSpec() } },
      citizen,
    );
    expect(forbidden.body.errors[0].extensions.code).toBe('FORBIDDEN');
    const elsewhere = await gql(
      'query($id: ID!) { workflowDefinition(id: $id) { id } }',
      { id: d.id },
      adminY,
    );
    expect(elsewhere.body.errors[0].extensions.code).toBe('NOT_FOUND');
    expect(await rows(serviceId)).toEqual([{ number: 1, state: 'active' }]);
  });

  it('GraphQL: creates a draft version at most once per idempotencyKey and caller', async () => {
    const serviceId = await draftService();
    await expectOncePerKey(t, {
      query: `mutation($s: ID!, $i: WorkflowDefinitionInput!, $key: String) {
        createWorkflowDefinition(serviceId: $s, input: $i, idempotencyKey: $key) { id number state version spec } }`,
      callers: () => [adminX, adminX2],
      headers: (who) => who,
      fresh: async () => ({ s: serviceId, i: { spec: standardSpec() } }),
      changed: (v) => ({ ...v, i: { spec: instantSpec() } }),
      effects: async () => (await rows(serviceId)).length,
      rest: (v) => ({ path: `/v1/services/${serviceId}/workflows`, body: v.i as object, status: 201 }),
    });
  });
});
