import { randomUUID } from 'node:crypto';
import { RoleName } from '../../src/modules/platform/identity/staff/role-catalogue';
import { AccessService } from '../../src/modules/platform/access/access.service';
import { Citizen, nationalId, signedInCitizen } from '../identity/citizen-fixtures';
import { auth, makeUnit, Person, signedInStaff, TEST_REGION, uniq } from '../identity/staff-fixtures';
import { startTestApp, TestApp } from '../support/test-app';
import { scopedToken } from '../support/tokens';
import { applicationSteps, as, guideContent, publishedService } from '../public/applications-helpers';

/**
 * One access service (issue 12 §3): for each subject the owner or staff in scope are let in, and
 * other citizens, other departments and staff in a role that does not reach the object get the very
 * 404 a missing id gets (same body but for the path and request id), write nothing, and change
 * nothing. No token is refused first, by the guard (401); a caller whose role lacks the route's
 * permission altogether gets the guard's 403, and staff who see a case but may not act on its
 * step get 403 too (the case is no secret to them): both as before.
 */
describe('access decisions (one access service, per-subject policies)', () => {
  let t: TestApp;
  let X: string;
  let Y: string;
  let serviceId: string;
  let alice: Citizen;
  let bob: Citizen;
  let appId: string;
  let caseId: string;
  let taskId: string;
  let workflowId: string;
  const staff = signedInStaff(() => t);
  const steps = applicationSteps(() => t);
  const who: Record<string, Record<string, string>> = {};
  const people: Record<string, Person> = {};

  /** A problem body without what names this request (its path and id). */
  const comparable = (body: Record<string, unknown>) => {
    const { instance: _i, requestId: _r, ...rest } = body;
    return rest;
  };
  /** The answer for a missing id on the same route, as the caller would get it. */
  async function missing(
    method: 'get' | 'post' | 'put',
    path: (id: string) => string,
    h: Record<string, string>,
    body?: object,
  ) {
    const res = await t.http[method](path(randomUUID()))
      .set(h)
      .send(body ?? {});
    expect(res.status).toBe(404);
    return comparable(res.body);
  }
  /** Refused exactly like a missing id: status, body, problem type. */
  async function refusedAsMissing(
    method: 'get' | 'post' | 'put',
    path: (id: string) => string,
    id: string,
    h: Record<string, string>,
    body?: object,
  ) {
    const res = await t.http[method](path(id))
      .set(h)
      .send(body ?? {});
    expect([res.status, res.headers['content-type']]).toEqual([404, expect.stringContaining('problem+json')]);
    expect(comparable(res.body)).toEqual(await missing(method, path, h, body));
  }
  const leavesBy = async (actorId: string): Promise<number> =>
    (
      await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM audit_leaf WHERE actor_id = $1', [
        actorId,
      ])
    )[0].n;
  const row = async (table: string, id: string) =>
    (await t.db.query<Record<string, unknown>>(`SELECT * FROM ${table} WHERE id = $1`, [id]))[0];

  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMIT_ANONYMOUS: '100000', RATE_LIMIT_AUTHENTICATED: '100000' });
    const root = await makeUnit(t, '权限市局');
    X = await makeUnit(t, '权限甲区', root);
    Y = await makeUnit(t, '权限乙区', root);
    serviceId = await publishedService(t, X);
    alice = await signedInCitizen(t);
    bob = await signedInCitizen(t);
    for (const [name, home, role] of [
      ['clerkX', X, RoleName.Clerk],
      ['clerkY', Y, RoleName.Clerk],
      ['reviewerX', X, RoleName.Reviewer],
      ['supervisorX', X, RoleName.Supervisor],
      ['orgAdminX', X, RoleName.OrgAdmin],
      ['orgAdminY', Y, RoleName.OrgAdmin],
    ] as const) {
      people[name] = await staff.person(home, [{ role, unit: home }]);
      who[name] = staff.tok(people[name]);
    }
    who.alice = as(alice);
    who.bob = as(bob);
    const a = await steps.submitted(alice, serviceId);
    appId = a.id;
    const c = await steps.caseOf(appId);
    caseId = c.id;
    [{ id: taskId }] = await t.db.query<{ id: string }>(
      "SELECT id FROM case_task WHERE case_id = $1 AND status = 'open'",
      [caseId],
    );
    [{ workflowId }] = await t.db.query<{ workflowId: string }>(
      'SELECT definition_id AS "workflowId" FROM case_file WHERE id = $1',
      [caseId],
    );
  });
  afterAll(() => t.close());

  it('registers one policy for each subject, from the modules that own them', () => {
    expect(t.app.get(AccessService).subjects().sort()).toEqual(
      expect.arrayContaining(['account', 'application', 'case', 'organisation', 'task', 'workflow']),
    );
  });

  it('application: the owner and staff of the handling unit; the staff read is audited with its reason', async () => {
    const path = (id: string) => `/v1/applications/${id}`;
    expect((await t.http.get(path(appId)).set(who.alice).expect(200)).body.formData.phone).toBe(
      '13812345678',
    );
    const read = await t.http.get(path(appId)).set(who.clerkX).expect(200);
    expect(read.body.formData.phone).toBe('138****5678');
    const [leaf] = await t.db.query<{ legal_basis: string; subject_id: string }>(
      "SELECT legal_basis, subject_id FROM audit_leaf WHERE action = 'application.read' AND resource_id = $1 AND actor_id = $2",
      [appId, people.clerkX.id],
    );
    const number = (await steps.caseOf(appId)).number;
    expect(leaf).toEqual({
      subject_id: alice.id,
      legal_basis: `access: handling unit of case ${number}: unit scope: case:handle at unit ${X}`,
    });
    // The applicant sees why in GET /v1/me/data-access.
    const seen = await t.http.get('/v1/me/data-access').set(who.alice).expect(200);
    expect(JSON.stringify(seen.body)).toContain(`case:handle at unit ${X}`);

    const before = await row('application', appId);
    for (const h of ['bob', 'clerkY']) {
      const leaves = await leavesBy(h === 'bob' ? bob.id : people.clerkY.id);
      await refusedAsMissing('get', path, appId, who[h]);
      expect(await leavesBy(h === 'bob' ? bob.id : people.clerkY.id)).toBe(leaves);
    }
    await refusedAsMissing(
      'put',
      path,
      appId,
      { ...who.bob, 'If-Match': `"v${String(before.version)}"` },
      {
        formData: { applicantName: '冒名' },
      },
    );
    await refusedAsMissing('post', (id) => `/v1/applications/${id}/withdraw`, appId, who.bob);
    expect(await row('application', appId)).toEqual(before);
    await t.http.get(path(appId)).expect(401);
  });

  it('case: staff of the unit (and supervisors); other departments 404; a wrong role for the step 403', async () => {
    const path = (id: string) => `/v1/cases/${id}`;
    for (const h of ['clerkX', 'reviewerX', 'supervisorX'])
      await t.http.get(path(caseId)).set(who[h]).expect(200);
    const before = await row('case_file', caseId);
    const events = async () =>
      (
        await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM case_event WHERE case_id = $1', [
          caseId,
        ])
      )[0].n;
    const history = await events();
    await refusedAsMissing('get', path, caseId, who.clerkY);
    await refusedAsMissing('post', (id) => `/v1/cases/${id}/actions/accept`, caseId, who.clerkY);
    // The reviewer sees the case but the acceptance step is the clerk's: 403, as before.
    const wrong = await t.http.post(`/v1/cases/${caseId}/actions/accept`).set(who.reviewerX).send({});
    expect([wrong.status, wrong.body.code]).toEqual([403, 'FORBIDDEN']);
    // Citizens hold no case permission at all: the guard's 403.
    await t.http.get(path(caseId)).set(who.alice).expect(403);
    await t.http.get(path(caseId)).expect(401);
    expect(await row('case_file', caseId)).toEqual(before);
    expect(await events()).toBe(history);
    const list = await t.http.get('/v1/cases').set(who.clerkY).expect(200);
    expect(list.body.items.map((c: { id: string }) => c.id)).not.toContain(caseId);
    const mine = await t.http.get('/v1/cases').set(who.clerkX).expect(200);
    expect(mine.body.items.map((c: { id: string }) => c.id)).toContain(caseId);
  });

  it('case notes: staff who see the case; others 404, nothing written', async () => {
    const path = (id: string) => `/v1/cases/${id}/notes`;
    await t.http.post(path(caseId)).set(who.clerkX).send({ body: '材料齐全。' }).expect(201);
    await t.http.get(path(caseId)).set(who.clerkX).expect(200);
    await refusedAsMissing('get', path, caseId, who.clerkY);
    await refusedAsMissing('post', path, caseId, who.clerkY, { body: '越权意见' });
    const notes = await t.db.query('SELECT body FROM case_note WHERE case_id = $1', [caseId]);
    expect(notes).toEqual([{ body: '材料齐全。' }]);
  });

  it("task: its candidates and the unit's overseers; another role or department 404, nothing claimed", async () => {
    const path = (id: string) => `/v1/tasks/${id}`;
    await t.http.get(path(taskId)).set(who.clerkX).expect(200);
    await t.http.get(path(taskId)).set(who.supervisorX).expect(200);
    const before = await row('case_task', taskId);
    // The acceptance task asks for case:handle: a reviewer of the same unit is not a candidate.
    for (const h of ['reviewerX', 'clerkY']) {
      await refusedAsMissing('get', path, taskId, who[h]);
      await refusedAsMissing('post', (id) => `/v1/tasks/${id}/claim`, taskId, who[h]);
    }
    await t.http.get(path(taskId)).set(who.alice).expect(403);
    expect(await row('case_task', taskId)).toEqual(before);
    const queue = await t.http.get('/v1/tasks').set(who.clerkY).expect(200);
    expect(queue.body.items.map((x: { id: string }) => x.id)).not.toContain(taskId);
  });

  it("workflow definition: its unit's case staff read it; another department 404", async () => {
    const path = (id: string) => `/v1/workflows/${id}`;
    await t.http.get(path(workflowId)).set(who.clerkX).expect(200);
    await t.http.get(path(workflowId)).set(who.orgAdminX).expect(200);
    await refusedAsMissing('get', path, workflowId, who.clerkY);
    await refusedAsMissing('get', path, workflowId, who.orgAdminY);
    // Listing a service's versions is workflow:manage over the service's unit.
    await t.http.get(`/v1/services/${serviceId}/workflows`).set(who.orgAdminX).expect(200);
    await refusedAsMissing('get', (id) => `/v1/services/${id}/workflows`, serviceId, who.orgAdminY);
  });

  it('account: a global account:read reads a citizen (audited with its reason); unit-scoped roles 404', async () => {
    const path = (id: string) => `/v1/accounts/${id}`;
    const globalReader = randomUUID();
    const h = auth(await scopedToken(t, 'staff', ['account:read'], globalReader));
    await t.http.get(path(alice.id)).set(h).expect(200);
    const [leaf] = await t.db.query<{ legal_basis: string }>(
      "SELECT legal_basis FROM audit_leaf WHERE action = 'account.read' AND actor_id = $1",
      [globalReader],
    );
    expect(leaf.legal_basis).toBe('access: citizen scope: account:read everywhere');
    for (const caller of ['supervisorX', 'orgAdminX']) {
      const leaves = await leavesBy(people[caller].id);
      await refusedAsMissing('get', path, alice.id, who[caller]);
      expect(await leavesBy(people[caller].id)).toBe(leaves);
    }
    await t.http.get(path(alice.id)).set(who.bob).expect(403);
  });

  it('organisation: organisation:manage over the parent creates below it; another subtree 404, nothing created', async () => {
    const create = (parentId: string) => ({
      name: `权限科室-${uniq()}`,
      kind: 'department',
      regionCode: TEST_REGION,
      parentId,
    });
    await t.http.post('/v1/organisations').set(who.orgAdminX).send(create(X)).expect(201);
    const count = async () =>
      (await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM organisation'))[0].n;
    const before = await count();
    const refused = await t.http.post('/v1/organisations').set(who.orgAdminX).send(create(Y));
    const absent = await t.http.post('/v1/organisations').set(who.orgAdminX).send(create(randomUUID()));
    expect(refused.status).toBe(404);
    expect(comparable(refused.body)).toEqual(comparable(absent.body));
    expect(await count()).toBe(before);
  });

  it("catalogue service (staff side): its unit's catalogue staff; another department 404, nothing changed", async () => {
    const path = (id: string) => `/v1/catalog/services/${id}`;
    const read = await t.http.get(path(serviceId)).set(who.orgAdminX).expect(200);
    await refusedAsMissing('get', path, serviceId, who.orgAdminY);
    const before = await row('service', serviceId);
    await refusedAsMissing('post', (id) => `/v1/catalog/services/${id}/revise`, serviceId, {
      ...who.orgAdminY,
      'If-Match': read.headers.etag,
    });
    await refusedAsMissing('post', (id) => `/v1/catalog/services/${id}/retire`, serviceId, {
      ...who.orgAdminY,
      'If-Match': read.headers.etag,
    });
    expect(await row('service', serviceId)).toEqual(before);
    // Creating one is catalog:manage over the unit it will belong to.
    const create = (organisationId: string) =>
      t.http
        .post('/v1/catalog/services')
        .set(who.orgAdminY)
        .send({
          organisationId,
          implementationCode: `AC-${uniq()}`,
          type: 'administrative_licence',
          target: 'person',
          draft: guideContent(),
        });
    const refused = await create(X);
    const absent = await create(randomUUID());
    expect([refused.status, comparable(refused.body)]).toEqual([404, comparable(absent.body)]);
    const list = await t.http.get('/v1/catalog/services').set(who.orgAdminY).expect(200);
    expect(list.body.items.map((x: { id: string }) => x.id)).not.toContain(serviceId);
    await t.http.get(path(serviceId)).set(who.alice).expect(403);
  });

  it("licence: its holder and the issuing unit's issuers; other citizens and departments 404, nothing revoked", async () => {
    const admin = async (home: string) =>
      staff.tok(await staff.person(home, [{ role: RoleName.Admin, unit: home }]));
    const [adminX, adminY] = [await admin(X), await admin(Y)];
    const licence = (issuerOrganisationId: string) => ({
      licenceType: { code: 'GTGSH-YYZZ', name: '个体工商户营业执照' },
      holderAccountId: alice.id,
      holderName: '张三丰',
      holderIdNumber: nationalId(),
      issuerOrganisationId,
      validFrom: '2026-01-01',
      validUntil: '2099-12-31',
      fields: { 名称: `权限小卖部${uniq()}` },
      sourceReference: `access-${uniq()}`,
    });
    const issued = await t.http.post('/v1/licences').set(adminX).send(licence(X)).expect(201);
    const id = issued.body.id as string;
    const path = (x: string) => `/v1/licences/${x}`;
    await t.http.get(path(id)).set(who.alice).expect(200);
    await t.http.get(path(id)).set(adminX).expect(200);
    await refusedAsMissing('get', path, id, who.bob);
    await refusedAsMissing('get', path, id, adminY);
    const before = await row('licence', id);
    await refusedAsMissing('post', (x) => `/v1/licences/${x}/revoke`, id, adminY, { reason: '越权撤销' });
    expect(await row('licence', id)).toEqual(before);
    // Issuing in another department's unit: the same 404 as a unit that does not exist.
    const count = async () =>
      (await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM licence'))[0].n;
    const licences = await count();
    const elsewhere = await t.http.post('/v1/licences').set(adminY).send(licence(X));
    const absent = await t.http.post('/v1/licences').set(adminY).send(licence(randomUUID()));
    expect([elsewhere.status, comparable(elsewhere.body)]).toEqual([404, comparable(absent.body)]);
    expect(await count()).toBe(licences);
  });
});
