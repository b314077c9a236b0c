import { randomUUID } from 'node:crypto';
import { GraphQLSchemaHost } from '@nestjs/graphql';
import { RoleName } from '../../src/modules/platform/identity/staff/role-catalogue';
import { gql } from '../identity/graphql-matrix';
import { auth, makeStaff, makeUnit, Person, signInCast } from '../identity/staff-fixtures';
import { diffCounts, rowCounts } from '../support/fuzz/row-counts';
import { samples } from '../support/sample-files';
import { startTestApp, TestApp } from '../support/test-app';
import { publishServiceWithWorkflow, serviceContent, standardSpec } from '../support/workflow-fixtures';
import { GOOD_FORM } from './applications-helpers';

/**
 * Every endpoint added by the one-stop journey (workflows, cases, tasks, notes, applications, files,
 * my timeline, statistics) against every kind of caller, with the exact status each must get: 401
 * without credentials, 403 without the permission, 404 for an object outside the caller's scope (or
 * another applicant's), 2xx otherwise. Refused calls must change no row in any table. The GraphQL
 * operations of the same services follow with the same outcomes as extensions codes.
 *
 * Callers: citizen A owns the applications; the service and its cases belong to unit X; Y is X's
 * sibling; the supervisor sits in the unit above both; the agency client and the API key belong to
 * X and carry a directory scope only.
 */

const CALLERS = [
  'anonymous',
  'citizenA',
  'citizenB',
  'clerkX',
  'clerkY',
  'reviewerX',
  'supervisor',
  'admin',
  'client',
  'apiKey',
] as const;
type Caller = (typeof CALLERS)[number];
type Expect = Record<Caller, number>;

const deny = (allowed: Partial<Expect> = {}): Expect => ({
  ...(Object.fromEntries(CALLERS.map((c) => [c, 403])) as Expect),
  anonymous: 401,
  ...allowed,
});
const CITIZENS = (a: number, b: number): Partial<Expect> => ({ citizenA: a, citizenB: b });
/** clerkX, clerkY, reviewerX, supervisor, admin */
const CASE_STAFF = (x: number, y: number, rev: number, sup: number, admin: number): Partial<Expect> => ({
  clerkX: x,
  clerkY: y,
  reviewerX: rev,
  supervisor: sup,
  admin,
});
/** the callers who pass a staff guard and therefore get a fresh object to act on */
/** a private upload: its uploader only; anonymous callers are asked to sign in rather than told it exists */
const OWNER_ONLY_FILE: Expect = {
  ...(Object.fromEntries(CALLERS.map((c) => [c, 404])) as Expect),
  anonymous: 401,
  citizenA: 200,
};
/** every GraphQL operation the journey added */
const GQL_JOURNEY_OPERATIONS = [
  'myApplications',
  'application',
  'createApplication',
  'updateApplication',
  'discardApplication',
  'attachApplicationFile',
  'detachApplicationFile',
  'submitApplication',
  'answerSupplement',
  'withdrawApplication',
  'myTimeline',
  'cases',
  'case',
  'applyCaseAction',
  'tasks',
  'task',
  'claimTask',
  'releaseTask',
  'assignTask',
  'transferTask',
  'delegateTask',
  'caseNotes',
  'addCaseNote',
  'caseStatistics',
  'workflowDefinitions',
  'workflowDefinition',
  'createWorkflowDefinition',
  'updateWorkflowDefinition',
  'activateWorkflowDefinition',
  'file',
];
const STAFF: ReadonlySet<Caller> = new Set(['clerkX', 'clerkY', 'reviewerX', 'supervisor', 'admin']);

interface Row {
  name: string;
  method: 'get' | 'post' | 'put' | 'delete';
  path: (caller: Caller) => string | Promise<string>;
  body?: (caller: Caller) => object | Promise<object>;
  headers?: (caller: Caller) => Record<string, string> | Promise<Record<string, string>>;
  /** multipart upload of a PDF as part `file` */
  upload?: boolean;
  expect: Expect;
}

describe('one-stop journey permission matrix', () => {
  let t: TestApp;
  let root: string;
  let X: string;
  let Y: string;
  const creds = new Map<Caller, Record<string, string>>();
  const people = new Map<Caller, Person>();
  let clerkX2: Person;
  let serviceId: string;
  let definitionId: string;
  /** a submitted application of citizen A with its case and open acceptance task */
  let shared: { appId: string; caseId: string; taskId: string; attachmentId: string };
  /** a draft of citizen A with one attachment, complete enough to submit */
  let draft: { appId: string; attachmentId: string };
  /** an application of citizen A waiting for a supplement answer */
  let waiting: string;
  /** an unattached upload of citizen A */
  let fileA: string;

  const as = (c: Caller) => creds.get(c) ?? {};
  const must = async <T>(
    what: string,
    res: Promise<{ status: number; text: string; body: unknown }>,
    s: number,
  ) => {
    const r = await res;
    if (r.status !== s) throw new Error(`${what}: ${r.status} ${r.text}`);
    return r.body as T;
  };
  const upload = async (c: Caller = 'citizenA') =>
    (
      await must<{ id: string }>(
        'upload',
        t.http
          .post('/v1/files')
          .set(as(c))
          .attach('file', samples.pdf(), { filename: '身份证.pdf', contentType: 'application/pdf' }),
        201,
      )
    ).id;
  const newDraft = async () => {
    const d = await must<{ id: string }>(
      'draft',
      t.http.post('/v1/applications').set(as('citizenA')).send({ serviceId, formData: GOOD_FORM }),
      201,
    );
    const a = await must<{ attachments: Array<{ id: string }> }>(
      'attach',
      t.http
        .post(`/v1/applications/${d.id}/attachments`)
        .set(as('citizenA'))
        .send({ fileId: await upload(), material: '身份证' }),
      201,
    );
    return { appId: d.id, attachmentId: a.attachments[0].id };
  };
  const newCase = async () => {
    const d = await newDraft();
    await must('submit', t.http.post(`/v1/applications/${d.appId}/submit`).set(as('citizenA')), 200);
    const [row] = await t.db.query<{ case_id: string; task_id: string }>(
      `SELECT c.id AS case_id, k.id AS task_id FROM case_file c
         JOIN case_task k ON k.case_id = c.id AND k.status = 'open'
        WHERE c.subject_type = 'application' AND c.subject_id = $1`,
      [d.appId],
    );
    return { ...d, caseId: row.case_id, taskId: row.task_id };
  };
  const claimed = async () => {
    const c = await newCase();
    await must('claim', t.http.post(`/v1/tasks/${c.taskId}/claim`).set(as('clerkX')), 200);
    return c;
  };
  const newWaiting = async () => {
    const c = await newCase();
    await must(
      'request_supplement',
      t.http
        .post(`/v1/cases/${c.caseId}/actions/request_supplement`)
        .set(as('clerkX'))
        .send({ items: [{ field: 'shopArea', description: '请填写实际经营面积' }] }),
      200,
    );
    return c.appId;
  };
  const newDefinition = async () =>
    (
      await must<{ id: string }>(
        'workflow',
        t.http.post(`/v1/services/${serviceId}/workflows`).set(as('admin')).send({ spec: standardSpec() }),
        201,
      )
    ).id;
  const versionOf = async (table: 'workflow_definition' | 'application', id: string) =>
    (await t.db.query<{ version: number }>(`SELECT version FROM ${table} WHERE id = $1`, [id]))[0].version;

  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMIT_ANONYMOUS: '100000', RATE_LIMIT_AUTHENTICATED: '100000' });
    root = await makeUnit(t, '办件矩阵市局');
    X = await makeUnit(t, '办件矩阵甲区', root);
    Y = await makeUnit(t, '办件矩阵乙区', root);
    const staff: Array<[Caller, string, RoleName, string | null]> = [
      ['clerkX', X, RoleName.Clerk, X],
      ['clerkY', Y, RoleName.Clerk, Y],
      ['reviewerX', X, RoleName.Reviewer, X],
      ['supervisor', root, RoleName.Supervisor, root],
      ['admin', root, RoleName.Admin, null],
    ];
    clerkX2 = await makeStaff(t, X, [{ role: RoleName.Clerk, unit: X }]);
    await signInCast(t, staff, ['citizenA', 'citizenB'], people, creds);
    const client = await must<{ clientId: string; clientSecret: string }>(
      'client',
      t.http
        .post('/v1/clients')
        .set(as('admin'))
        .send({ name: '办件矩阵业务系统', organisationId: X, scopes: ['directory:read'] }),
      201,
    );
    const token = await must<{ access_token: string }>(
      'token',
      t.http.post('/v1/oauth/token').type('form').send({
        grant_type: 'client_credentials',
        client_id: client.clientId,
        client_secret: client.clientSecret,
      }),
      200,
    );
    creds.set('client', auth(token.access_token));
    const key = await must<{ key: string }>(
      'api key',
      t.http
        .post('/v1/api-keys')
        .set(as('admin'))
        .send({ name: '办件矩阵钥匙', organisationId: X, scopes: ['directory:read'] }),
      201,
    );
    creds.set('apiKey', { 'X-API-Key': key.key });

    const published = await publishServiceWithWorkflow(t, X, { content: serviceContent() });
    serviceId = published.serviceId;
    definitionId = published.definitionId;
    shared = await newCase();
    draft = await newDraft();
    waiting = await newWaiting();
    fileA = await upload();
  });
  afterAll(() => t?.close());

  /** citizen A gets a fresh object; everyone else the shared one (they must be refused anyway) */
  const forOwner =
    <T>(fresh: () => Promise<T>, sharedOne: () => T, pick: (x: T) => string) =>
    async (c: Caller) =>
      pick(c === 'citizenA' ? await fresh() : sharedOne());
  /** staff who pass the guard get a fresh object; everyone else the shared one */
  const forStaff =
    <T>(fresh: () => Promise<T>, sharedOne: () => T, pick: (x: T) => string) =>
    async (c: Caller) =>
      pick(STAFF.has(c) ? await fresh() : sharedOne());
  const STATS = '/v1/statistics/cases?from=2026-01-01&to=2027-01-01';

  const rows: Row[] = [
    // workflow definitions
    {
      name: 'GET /v1/services/{S}/workflows',
      method: 'get',
      path: () => `/v1/services/${serviceId}/workflows`,
      expect: deny({ admin: 200 }),
    },
    {
      name: 'POST /v1/services/{S}/workflows',
      method: 'post',
      path: () => `/v1/services/${serviceId}/workflows`,
      body: () => ({ spec: standardSpec() }),
      expect: deny({ admin: 201 }),
    },
    {
      name: 'GET /v1/workflows/{active}',
      method: 'get',
      path: () => `/v1/workflows/${definitionId}`,
      expect: deny(CASE_STAFF(200, 404, 200, 403, 200)),
    },
    {
      name: 'PUT /v1/workflows/{draft}',
      method: 'put',
      path: async (c) => `/v1/workflows/${c === 'admin' ? await newDefinition() : definitionId}`,
      headers: async (c) => ({
        'If-Match': `"v${c === 'admin' ? 1 : await versionOf('workflow_definition', definitionId)}"`,
      }),
      body: () => ({ spec: standardSpec() }),
      expect: deny({ admin: 200 }),
    },
    {
      name: 'POST /v1/workflows/{draft}/activate',
      method: 'post',
      path: async (c) => `/v1/workflows/${c === 'admin' ? await newDefinition() : definitionId}/activate`,
      expect: deny({ admin: 200 }),
    },
    // cases
    {
      name: 'GET /v1/cases',
      method: 'get',
      path: () => '/v1/cases',
      expect: deny(CASE_STAFF(200, 200, 200, 200, 200)),
    },
    {
      name: 'GET /v1/cases/{C}',
      method: 'get',
      path: () => `/v1/cases/${shared.caseId}`,
      expect: deny(CASE_STAFF(200, 404, 200, 200, 200)),
    },
    {
      name: 'POST /v1/cases/{C}/actions/{accept}',
      method: 'post',
      path: forStaff(
        newCase,
        () => shared,
        (c) => `/v1/cases/${c.caseId}/actions/accept`,
      ),
      body: () => ({}),
      // seeing the case but not holding the step's permission is 403; not seeing it is 404
      expect: deny(CASE_STAFF(200, 404, 403, 403, 200)),
    },
    // internal notes: case staff of the unit; applicants get the stranger's 404
    {
      name: 'GET /v1/cases/{C}/notes',
      method: 'get',
      path: () => `/v1/cases/${shared.caseId}/notes`,
      expect: deny({ ...CITIZENS(404, 404), ...CASE_STAFF(200, 404, 200, 200, 200) }),
    },
    {
      name: 'POST /v1/cases/{C}/notes',
      method: 'post',
      path: () => `/v1/cases/${shared.caseId}/notes`,
      body: () => ({ body: `矩阵内部意见 ${randomUUID()}` }),
      expect: deny({ ...CITIZENS(404, 404), ...CASE_STAFF(201, 404, 201, 201, 201) }),
    },
    // work queues
    {
      name: 'GET /v1/tasks',
      method: 'get',
      path: () => '/v1/tasks',
      expect: deny(CASE_STAFF(200, 200, 200, 200, 200)),
    },
    {
      name: 'GET /v1/tasks/{T}',
      method: 'get',
      path: () => `/v1/tasks/${shared.taskId}`,
      expect: deny(CASE_STAFF(200, 404, 404, 200, 200)),
    },
    {
      name: 'POST /v1/tasks/{T}/claim',
      method: 'post',
      path: forStaff(
        newCase,
        () => shared,
        (c) => `/v1/tasks/${c.taskId}/claim`,
      ),
      expect: deny(CASE_STAFF(200, 404, 404, 403, 200)),
    },
    {
      name: 'POST /v1/tasks/{T claimed by clerkX}/release',
      method: 'post',
      path: forStaff(
        claimed,
        () => shared,
        (c) => `/v1/tasks/${c.taskId}/release`,
      ),
      expect: deny(CASE_STAFF(200, 404, 404, 200, 200)),
    },
    {
      name: 'POST /v1/tasks/{T}/assign',
      method: 'post',
      path: forStaff(
        newCase,
        () => shared,
        (c) => `/v1/tasks/${c.taskId}/assign`,
      ),
      body: () => ({ assigneeId: clerkX2.id }),
      expect: deny({ supervisor: 200, admin: 200 }),
    },
    {
      name: 'POST /v1/tasks/{T}/transfer',
      method: 'post',
      path: forStaff(
        newCase,
        () => shared,
        (c) => `/v1/tasks/${c.taskId}/transfer`,
      ),
      body: () => ({ organisationId: Y, reason: '属地不符，转乙区办理' }),
      expect: deny(CASE_STAFF(403, 404, 404, 200, 200)),
    },
    {
      name: 'POST /v1/tasks/{T claimed by clerkX}/delegate',
      method: 'post',
      path: forStaff(
        claimed,
        () => shared,
        (c) => `/v1/tasks/${c.taskId}/delegate`,
      ),
      body: () => ({ assigneeId: clerkX2.id }),
      expect: deny(CASE_STAFF(200, 404, 404, 403, 403)),
    },
    // applications
    {
      name: 'POST /v1/applications',
      method: 'post',
      path: () => '/v1/applications',
      body: () => ({ serviceId, formData: GOOD_FORM }),
      expect: deny(CITIZENS(201, 201)),
    },
    {
      name: 'GET /v1/applications',
      method: 'get',
      path: () => '/v1/applications',
      expect: deny(CITIZENS(200, 200)),
    },
    {
      name: 'GET /v1/applications/{A}',
      method: 'get',
      path: () => `/v1/applications/${shared.appId}`,
      expect: deny({ ...CITIZENS(200, 404), ...CASE_STAFF(200, 404, 200, 200, 200) }),
    },
    {
      name: 'PUT /v1/applications/{draft}',
      method: 'put',
      path: () => `/v1/applications/${draft.appId}`,
      // The current version, so the owner passes the If-Match check and the other citizen meets 404.
      headers: async () => ({ 'If-Match': `"v${await versionOf('application', draft.appId)}"` }),
      body: () => ({ formData: GOOD_FORM }),
      expect: deny(CITIZENS(200, 404)),
    },
    {
      name: 'DELETE /v1/applications/{draft}',
      method: 'delete',
      path: forOwner(
        newDraft,
        () => draft,
        (d) => `/v1/applications/${d.appId}`,
      ),
      expect: deny(CITIZENS(204, 404)),
    },
    {
      name: 'POST /v1/applications/{draft}/attachments',
      method: 'post',
      path: () => `/v1/applications/${draft.appId}/attachments`,
      body: async (c) => ({
        fileId: c === 'citizenA' || c === 'citizenB' ? await upload(c) : randomUUID(),
        material: '经营场所证明',
      }),
      expect: deny(CITIZENS(201, 404)),
    },
    {
      name: 'DELETE /v1/applications/{draft}/attachments/{att}',
      method: 'delete',
      path: forOwner(
        newDraft,
        () => draft,
        (d) => `/v1/applications/${d.appId}/attachments/${d.attachmentId}`,
      ),
      expect: deny(CITIZENS(200, 404)),
    },
    {
      name: 'GET /v1/applications/{A}/attachments/{att}/content',
      method: 'get',
      path: () => `/v1/applications/${shared.appId}/attachments/${shared.attachmentId}/content`,
      expect: deny({ ...CITIZENS(200, 404), ...CASE_STAFF(200, 404, 200, 200, 200) }),
    },
    {
      name: 'POST /v1/applications/{draft}/submit',
      method: 'post',
      path: forOwner(
        newDraft,
        () => draft,
        (d) => `/v1/applications/${d.appId}/submit`,
      ),
      expect: deny(CITIZENS(200, 404)),
    },
    {
      name: 'GET /v1/applications/{A}/timeline',
      method: 'get',
      path: () => `/v1/applications/${shared.appId}/timeline`,
      expect: deny({ ...CITIZENS(200, 404), ...CASE_STAFF(200, 404, 200, 200, 200) }),
    },
    {
      name: 'POST /v1/applications/{waiting}/supplement',
      method: 'post',
      path: forOwner(
        newWaiting,
        () => waiting,
        (id) => `/v1/applications/${id}/supplement`,
      ),
      body: () => ({ formData: { shopArea: 30 } }),
      expect: deny(CITIZENS(200, 404)),
    },
    {
      name: 'POST /v1/applications/{A}/withdraw',
      method: 'post',
      path: forOwner(
        newCase,
        () => shared,
        (c) => `/v1/applications/${c.appId}/withdraw`,
      ),
      body: () => ({ reason: '不再需要' }),
      expect: deny(CITIZENS(200, 404)),
    },
    // files
    {
      name: 'POST /v1/files',
      method: 'post',
      path: () => '/v1/files',
      upload: true,
      expect: deny({ ...CITIZENS(201, 201), ...CASE_STAFF(201, 201, 403, 403, 201) }),
    },
    {
      name: "GET /v1/files/{A's upload}",
      method: 'get',
      path: () => `/v1/files/${fileA}`,
      expect: OWNER_ONLY_FILE,
    },
    {
      name: "GET /v1/files/{A's upload}/content",
      method: 'get',
      path: () => `/v1/files/${fileA}/content`,
      expect: OWNER_ONLY_FILE,
    },
    {
      name: "DELETE /v1/files/{A's upload}",
      method: 'delete',
      path: forOwner(
        upload,
        () => fileA,
        (id) => `/v1/files/${id}`,
      ),
      expect: deny({ ...CITIZENS(204, 404), ...CASE_STAFF(404, 404, 403, 403, 404) }),
    },
    // my government
    {
      name: 'GET /v1/me/timeline',
      method: 'get',
      path: () => '/v1/me/timeline',
      expect: deny(CITIZENS(200, 200)),
    },
    // statistics
    {
      name: 'GET /v1/statistics/cases',
      method: 'get',
      path: () => STATS,
      expect: deny({ supervisor: 200, admin: 200 }),
    },
    {
      name: 'GET /v1/statistics/cases (unit Y)',
      method: 'get',
      path: () => `${STATS}&organisationId=${Y}`,
      expect: deny({ supervisor: 200, admin: 200 }),
    },
  ];

  async function runRow(row: Row): Promise<void> {
    const actual = {} as Expect;
    const changed: string[] = [];
    for (const caller of CALLERS) {
      const path = await row.path(caller);
      const headers = row.headers ? await row.headers(caller) : {};
      const body = row.body ? await row.body(caller) : undefined;
      const refused = row.expect[caller] >= 400;
      const before = refused ? await rowCounts(t.db) : undefined;
      const req = t.http[row.method](path).set(as(caller)).set(headers);
      const res = await (row.upload
        ? req.attach('file', samples.pdf(), { filename: '材料.pdf', contentType: 'application/pdf' })
        : body
          ? req.send(body)
          : req);
      actual[caller] = res.status;
      if (res.status >= 400) expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      if (before) {
        const diff = diffCounts(before, await rowCounts(t.db));
        if (diff.length) changed.push(`${caller}: ${diff.join(', ')}`);
      }
    }
    expect(actual).toEqual(row.expect);
    expect(changed).toEqual([]);
  }

  it.each(rows.map((r) => [r.name, r] as const))('%s', async (_name, row) => runRow(row));

  // GraphQL: the same callers against the journey's operations; the outcome is 'ok' or the
  // extensions.code of the first error, mirroring the REST status of the same service call.
  const CODE: Record<number, string> = { 401: 'UNAUTHENTICATED', 403: 'FORBIDDEN', 404: 'NOT_FOUND' };
  const asGql = (e: Expect): Record<Caller, string> =>
    Object.fromEntries(CALLERS.map((c) => [c, e[c] < 300 ? 'ok' : CODE[e[c]]])) as Record<Caller, string>;
  interface GRow {
    name: string;
    query: string;
    variables?: () => Record<string, unknown>;
    mutation?: boolean;
    expect: Expect;
  }
  const gRows: GRow[] = [
    {
      name: 'myApplications',
      query: '{ myApplications(first: 5) { edges { node { id } } } }',
      expect: deny(CITIZENS(200, 200)),
    },
    {
      name: 'application',
      query: 'query($id: ID!) { application(id: $id) { id status } }',
      variables: () => ({ id: shared.appId }),
      expect: deny({ ...CITIZENS(200, 404), ...CASE_STAFF(200, 404, 200, 200, 200) }),
    },
    {
      name: 'myTimeline',
      query: '{ myTimeline(first: 5) { edges { node { id } } } }',
      expect: deny(CITIZENS(200, 200)),
    },
    {
      name: 'cases',
      query: '{ cases(first: 5) { edges { node { id } } } }',
      expect: deny(CASE_STAFF(200, 200, 200, 200, 200)),
    },
    {
      name: 'case',
      query: 'query($id: ID!) { case(id: $id) { id stage } }',
      variables: () => ({ id: shared.caseId }),
      expect: deny(CASE_STAFF(200, 404, 200, 200, 200)),
    },
    {
      name: 'caseNotes',
      query: 'query($id: ID!) { caseNotes(caseId: $id) { edges { node { id } } } }',
      variables: () => ({ id: shared.caseId }),
      expect: deny({ ...CITIZENS(404, 404), ...CASE_STAFF(200, 404, 200, 200, 200) }),
    },
    {
      name: 'addCaseNote',
      query: 'mutation($i: AddCaseNoteInput!) { addCaseNote(input: $i) { id } }',
      variables: () => ({ i: { caseId: shared.caseId, body: `矩阵意见 ${randomUUID()}` } }),
      mutation: true,
      expect: deny({ ...CITIZENS(404, 404), ...CASE_STAFF(200, 404, 200, 200, 200) }),
    },
    {
      name: 'tasks',
      query: '{ tasks(first: 5) { edges { node { id } } } }',
      expect: deny(CASE_STAFF(200, 200, 200, 200, 200)),
    },
    {
      name: 'task',
      query: 'query($id: ID!) { task(id: $id) { id } }',
      variables: () => ({ id: shared.taskId }),
      expect: deny(CASE_STAFF(200, 404, 404, 200, 200)),
    },
    {
      name: 'caseStatistics',
      query: '{ caseStatistics(from: "2026-01-01", to: "2027-01-01") { totals { received } } }',
      expect: deny({ supervisor: 200, admin: 200 }),
    },
    {
      name: 'workflowDefinitions',
      query: 'query($id: ID!) { workflowDefinitions(serviceId: $id) { edges { node { id } } } }',
      variables: () => ({ id: serviceId }),
      expect: deny({ admin: 200 }),
    },
    {
      name: 'workflowDefinition',
      query: 'query($id: ID!) { workflowDefinition(id: $id) { id } }',
      variables: () => ({ id: definitionId }),
      expect: deny(CASE_STAFF(200, 404, 200, 403, 200)),
    },
    {
      name: 'file',
      query: 'query($id: ID!) { file(id: $id) { id } }',
      variables: () => ({ id: fileA }),
      expect: OWNER_ONLY_FILE,
    },
    {
      name: 'applyCaseAction (refused callers only)',
      query: 'mutation($id: ID!) { applyCaseAction(id: $id, action: "accept") { id } }',
      variables: () => ({ id: shared.caseId }),
      mutation: true,
      // those allowed to accept are covered by the REST row on fresh cases
      expect: deny({ clerkX: 0, admin: 0, clerkY: 404, reviewerX: 403, supervisor: 403 }),
    },
    // Mutations with the callers who must be refused; 0 marks a caller allowed to act, whose success
    // the REST rows cover on fresh objects (these rows share one case, task and draft).
    ...(
      [
        [
          'createApplication',
          'mutation($s: ID!) { createApplication(input: { serviceId: $s }) { id } }',
          () => ({ s: serviceId }),
          CITIZENS(0, 0),
        ],
        [
          'updateApplication',
          'mutation($id: ID!) { updateApplication(id: $id, formData: {}) { id } }',
          () => ({ id: draft.appId }),
          CITIZENS(0, 404),
        ],
        [
          'discardApplication',
          'mutation($id: ID!) { discardApplication(id: $id) }',
          () => ({ id: draft.appId }),
          CITIZENS(0, 404),
        ],
        [
          'attachApplicationFile',
          'mutation($id: ID!, $f: ID!) { attachApplicationFile(id: $id, input: { fileId: $f, material: "身份证" }) { id } }',
          () => ({ id: draft.appId, f: fileA }),
          CITIZENS(0, 404),
        ],
        [
          'detachApplicationFile',
          'mutation($id: ID!, $a: ID!) { detachApplicationFile(id: $id, attachmentId: $a) { id } }',
          () => ({ id: draft.appId, a: draft.attachmentId }),
          CITIZENS(0, 404),
        ],
        [
          'submitApplication',
          'mutation($id: ID!) { submitApplication(id: $id) { id } }',
          () => ({ id: draft.appId }),
          CITIZENS(0, 404),
        ],
        [
          'answerSupplement',
          'mutation($id: ID!) { answerSupplement(id: $id, input: { formData: { shopArea: 30 } }) { id } }',
          () => ({ id: waiting }),
          CITIZENS(0, 404),
        ],
        [
          'withdrawApplication',
          'mutation($id: ID!) { withdrawApplication(id: $id) { id } }',
          () => ({ id: shared.appId }),
          CITIZENS(0, 404),
        ],
        [
          'claimTask',
          'mutation($id: ID!) { claimTask(id: $id) { id } }',
          () => ({ id: shared.taskId }),
          CASE_STAFF(0, 404, 404, 403, 0),
        ],
        [
          'releaseTask',
          'mutation($id: ID!) { releaseTask(id: $id) { id } }',
          () => ({ id: shared.taskId }),
          CASE_STAFF(0, 404, 404, 0, 0),
        ],
        [
          'assignTask',
          'mutation($id: ID!, $a: ID!) { assignTask(id: $id, assigneeId: $a) { id } }',
          () => ({ id: shared.taskId, a: clerkX2.id }),
          { supervisor: 0, admin: 0 },
        ],
        [
          'transferTask',
          'mutation($id: ID!, $o: ID!) { transferTask(id: $id, input: { organisationId: $o, reason: "转办" }) { id } }',
          () => ({ id: shared.taskId, o: Y }),
          CASE_STAFF(403, 404, 404, 0, 0),
        ],
        [
          'delegateTask',
          'mutation($id: ID!, $a: ID!) { delegateTask(id: $id, input: { assigneeId: $a }) { id } }',
          () => ({ id: shared.taskId, a: clerkX2.id }),
          CASE_STAFF(0, 404, 404, 403, 0),
        ],
        [
          'createWorkflowDefinition',
          'mutation($s: ID!, $spec: JSONObject!) { createWorkflowDefinition(serviceId: $s, input: { spec: $spec }) { id } }',
          () => ({ s: serviceId, spec: standardSpec() }),
          { admin: 0 },
        ],
        [
          'updateWorkflowDefinition',
          'mutation($id: ID!, $spec: JSONObject!) { updateWorkflowDefinition(id: $id, expectedVersion: 1, input: { spec: $spec }) { id } }',
          () => ({ id: definitionId, spec: standardSpec() }),
          { admin: 0 },
        ],
        [
          'activateWorkflowDefinition',
          'mutation($id: ID!) { activateWorkflowDefinition(id: $id) { id } }',
          () => ({ id: definitionId }),
          { admin: 0 },
        ],
      ] as Array<[string, string, () => Record<string, unknown>, Partial<Expect>]>
    ).map(([name, query, variables, allowed]) => ({
      name: `${name} (refused callers)`,
      query,
      variables,
      mutation: true,
      expect: deny(allowed),
    })),
  ];

  it.each(gRows.map((r) => [`graphql ${r.name}`, r] as const))('%s', async (_name, row) => {
    const actual = {} as Record<Caller, string>;
    const want = asGql(row.expect);
    const changed: string[] = [];
    for (const caller of CALLERS) {
      if (row.expect[caller] === 0) {
        actual[caller] = want[caller];
        continue;
      }
      const before = row.mutation ? await rowCounts(t.db) : undefined;
      const res = await gql(t, as(caller), row.query, row.variables ? row.variables() : {});
      actual[caller] = res.errors?.length ? res.errors[0].extensions.code : 'ok';
      if (before && actual[caller] !== 'ok') {
        const diff = diffCounts(before, await rowCounts(t.db));
        if (diff.length) changed.push(`${caller}: ${diff.join(', ')}`);
      }
    }
    expect(actual).toEqual(want);
    expect(changed).toEqual([]);
  });

  it('has a GraphQL row for every operation of the journey', () => {
    const schema = t.app.get(GraphQLSchemaHost).schema;
    const fields = new Set([
      ...Object.keys(schema.getQueryType()!.getFields()),
      ...Object.keys(schema.getMutationType()!.getFields()),
    ]);
    const covered = new Set(gRows.map((r) => r.name.split(' ')[0]));
    const missing = GQL_JOURNEY_OPERATIONS.filter((op) => !fields.has(op) || !covered.has(op));
    expect(missing).toEqual([]);
  });

  it("lists answered 200 hold only what is in the caller's scope", async () => {
    const ids = async (c: Caller, path: string) =>
      ((await t.http.get(path).set(as(c)).expect(200)).body.items as Array<{ id: string }>).map((i) => i.id);
    const FILTER = `?limit=100&serviceId=${serviceId}`;
    expect(await ids('clerkX', `/v1/cases${FILTER}`)).toContain(shared.caseId);
    expect(await ids('supervisor', `/v1/cases${FILTER}`)).toContain(shared.caseId);
    // clerk Y sees only the cases whose task was transferred to Y (the transfer row above)
    const ofY = await ids('clerkY', `/v1/cases${FILTER}`);
    expect(ofY).not.toContain(shared.caseId);
    const transferred = await t.db.query<{ case_id: string }>(
      `SELECT DISTINCT case_id FROM case_task WHERE status = 'open' AND organisation_id = $1`,
      [Y],
    );
    expect([...ofY].sort()).toEqual(transferred.map((r) => r.case_id).sort());
    expect(await ids('clerkX', '/v1/tasks?limit=100')).toContain(shared.taskId);
    expect(await ids('clerkY', '/v1/tasks?limit=100')).not.toContain(shared.taskId);
    expect(await ids('reviewerX', '/v1/tasks?limit=100')).not.toContain(shared.taskId);
    expect(await ids('citizenA', '/v1/applications?limit=100')).toContain(shared.appId);
    expect(await ids('citizenB', '/v1/applications?limit=100')).not.toContain(shared.appId);
    expect(await ids('citizenA', '/v1/me/timeline?limit=100')).toContain(shared.appId);
    expect(await ids('citizenB', '/v1/me/timeline?limit=100')).not.toContain(shared.appId);
  });

  it('has a row for every route of the journey', () => {
    const covered = new Set(
      rows.map((r) =>
        r.name
          .replace(/\{[^}]+\}/g, ':id')
          .split(' ')
          .slice(0, 2)
          .join(' '),
      ),
    );
    const served = servedRoutes(t).filter((r) =>
      /^[A-Z]+ \/v1\/(services\/:id\/workflows|workflows|cases|tasks|applications|files|me\/timeline|statistics)(\/|$)/.test(
        r,
      ),
    );
    expect(served.length).toBeGreaterThan(30);
    expect(served.filter((r) => !covered.has(r))).toEqual([]);
  });
});

/** `METHOD /path` of every route Express serves, with parameters written `:id`. */
function servedRoutes(t: TestApp): string[] {
  type Layer = { route?: { path: string; methods: Record<string, boolean> } };
  const express = t.app.getHttpAdapter().getInstance() as { router: { stack: Layer[] } };
  const out = new Set<string>();
  for (const layer of express.router.stack) {
    if (!layer.route) continue;
    for (const [method, on] of Object.entries(layer.route.methods)) {
      if (on && method !== '_all')
        out.add(`${method.toUpperCase()} ${layer.route.path.replace(/:[A-Za-z]+/g, ':id')}`);
    }
  }
  return [...out];
}
