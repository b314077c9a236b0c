import { createHash, randomUUID } from 'node:crypto';
import { ClockJobsService } from '../../src/modules/internal/workflow/clock-jobs.service';
import { RoleName } from '../../src/modules/platform/identity/staff/role-catalogue';
import { Citizen, signedInCitizen } from '../identity/citizen-fixtures';
import { gql } from '../identity/graphql-matrix';
import { makeUnit, Person, signedInStaff, uniq } from '../identity/staff-fixtures';
import { samples } from '../support/sample-files';
import { startTestApp, TestApp } from '../support/test-app';
import { publishServiceWithWorkflow, serviceContent } from '../support/workflow-fixtures';
import { AppBody, applicationSteps, as, GOOD_FORM } from './applications-helpers';

/**
 * The "Done when" of the one-stop journey, end to end through HTTP: a citizen finds a service, reads
 * its guide (and the elder one), drafts, uploads and attaches, submits once, answers a supplement
 * notice, and receives an e-licence that anyone can verify, while staff of the right units (and only
 * they) work the case through the standard workflow on the clock. Then the same through GraphQL,
 * and the unhappy paths: refusal, withdrawal, overdue escalation, separation of duties, scope, bad
 * input. Every step checks the status, the body and the rows.
 */

interface CaseBody {
  id: string;
  stage: string;
  status: string;
  outcome: string | null;
  dueAt: string | null;
  warningLevel: string;
  version: number;
  tasks: Array<{ stage: string; organisationId: string; status: string; level: number }>;
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const ITEMS = [
  { material: '身份证', description: '身份证复印件不清晰，请重新上传' },
  { field: 'shopArea', description: '请填写实际经营面积' },
];

describe('the one-stop service journey', () => {
  let t: TestApp;
  let root: string;
  let X: string;
  let Y: string;
  let serviceId: string;
  let word: string;
  let alice: Citizen;
  let bob: Citizen;
  let clerk: Person;
  let reviewer: Person;
  let approver: Person;
  let parentApprover: Person;
  let supervisor: Person;
  let clerkY: Person;
  let supervisorY: Person;
  let both: Person;
  const staff = signedInStaff(() => t);
  const steps = applicationSteps(() => t);

  const caseRow = async (appId: string) =>
    (
      await t.db.query<{
        id: string;
        stage: string;
        status: string;
        outcome: string | null;
        version: number;
        due_at: Date | null;
        warning_level: string;
        organisation_id: string;
      }>(
        `SELECT id, stage, status, outcome, version, due_at, warning_level, organisation_id
           FROM case_file WHERE subject_type = 'application' AND subject_id = $1`,
        [appId],
      )
    )[0];
  const act = (p: Person, caseId: string, action: string, body: Record<string, unknown> = {}) =>
    t.http.post(`/v1/cases/${caseId}/actions/${action}`).set(staff.tok(p)).send(body);
  const ok = async (p: Person, caseId: string, action: string, body: Record<string, unknown> = {}) => {
    const res = await act(p, caseId, action, body);
    if (res.status !== 200) throw new Error(`${action}: ${res.status} ${res.text}`);
    return res.body as CaseBody;
  };
  const getApp = async (c: Citizen, id: string): Promise<AppBody> =>
    (await t.http.get(`/v1/applications/${id}`).set(as(c)).expect(200)).body as AppBody;

  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMIT_ANONYMOUS: '100000', RATE_LIMIT_AUTHENTICATED: '100000' });
    root = await makeUnit(t, '旅程市局');
    X = await makeUnit(t, '旅程甲区', root);
    Y = await makeUnit(t, '旅程乙区', root);
    word = `journey${uniq()}`;
    const content = serviceContent({
      translations: {
        'zh-CN': { title: `个体工商户登记 ${word}`, summary: '个体工商户设立登记' },
        en: { title: `Sole proprietorship ${word}`, summary: 'Register a sole proprietorship' },
      },
    });
    serviceId = (await publishServiceWithWorkflow(t, X, { content })).serviceId;
    alice = await signedInCitizen(t);
    bob = await signedInCitizen(t);
    clerk = await staff.person(X, [{ role: RoleName.Clerk, unit: X }]);
    reviewer = await staff.person(X, [{ role: RoleName.Reviewer, unit: X }]);
    approver = await staff.person(X, [{ role: RoleName.Approver, unit: X }]);
    parentApprover = await staff.person(root, [{ role: RoleName.Approver, unit: root }]);
    supervisor = await staff.person(root, [{ role: RoleName.Supervisor, unit: root }]);
    clerkY = await staff.person(Y, [{ role: RoleName.Clerk, unit: Y }]);
    supervisorY = await staff.person(Y, [{ role: RoleName.Supervisor, unit: Y }]);
    both = await staff.person(X, [
      { role: RoleName.Clerk, unit: X },
      { role: RoleName.Approver, unit: X },
    ]);
  });
  afterAll(() => t?.close());

  it('REST: find, guide, draft, attach, submit, supplement, approve on two levels, issue, deliver, verify', async () => {
    // find
    const found = await t.http.get(`/v1/services/search?q=${word}`).expect(200);
    expect((found.body.items as Array<{ id: string }>)[0].id).toBe(serviceId);

    // guide, and its elder version (by query and by Prefer)
    const guide = await t.http.get(`/v1/services/${serviceId}`).expect(200);
    expect(guide.body).toMatchObject({ mode: 'standard', id: serviceId, title: `个体工商户登记 ${word}` });
    expect(guide.headers.etag).toEqual(expect.any(String));
    const elder = await t.http.get(`/v1/services/${serviceId}?mode=elder`).expect(200);
    expect(elder.body).toMatchObject({ mode: 'elder', id: serviceId, summary: '开小店，先登记。' });
    expect(elder.body.steps.length).toBeLessThanOrEqual(5);
    const preferred = await t.http.get(`/v1/services/${serviceId}`).set('Prefer', 'return=elder').expect(200);
    expect(preferred.body).toEqual(elder.body);

    // draft
    const draft = await t.http
      .post('/v1/applications')
      .set(as(alice))
      .send({ serviceId, formData: GOOD_FORM })
      .expect(201);
    const appId = (draft.body as AppBody).id;
    expect(draft.body).toMatchObject({ status: 'draft', number: null, serviceId, formData: GOOD_FORM });
    expect(await steps.row(appId)).toMatchObject({ status: 'draft', applicant_account_id: alice.id });

    // upload and attach
    const pdf = samples.pdf();
    const upload = await t.http
      .post('/v1/files')
      .set(as(alice))
      .attach('file', pdf, { filename: '身份证.pdf', contentType: 'application/pdf' })
      .expect(201);
    expect(upload.body).toMatchObject({
      contentType: 'application/pdf',
      size: pdf.length,
      sha256: sha256(pdf),
    });
    const attached = await t.http
      .post(`/v1/applications/${appId}/attachments`)
      .set(as(alice))
      .send({ fileId: upload.body.id, material: '身份证' })
      .expect(201);
    expect((attached.body as AppBody).attachments).toEqual([
      expect.objectContaining({ fileId: upload.body.id, material: '身份证', sha256: sha256(pdf) }),
    ]);

    // submit once, replayed by its key
    const key = `journey-${randomUUID()}`;
    const submitted = await t.http
      .post(`/v1/applications/${appId}/submit`)
      .set(as(alice))
      .set('Idempotency-Key', key)
      .expect(200);
    const a = submitted.body as AppBody;
    expect(a).toMatchObject({ id: appId, status: 'submitted', number: expect.any(String) });
    expect(a.promisedDueAt).toEqual(expect.any(String));
    const replay = await t.http
      .post(`/v1/applications/${appId}/submit`)
      .set(as(alice))
      .set('Idempotency-Key', key)
      .expect(200);
    expect(replay.body).toEqual(a);
    const c0 = await caseRow(appId);
    expect(c0).toMatchObject({ stage: 'acceptance', status: 'open', organisation_id: X });
    expect(c0.due_at).not.toBeNull();
    expect(
      await t.db.query('SELECT 1 FROM case_file WHERE subject_id = $1', [appId]).then((r) => r.length),
    ).toBe(1);
    const caseId = c0.id;

    // out-of-scope staff, and an action of a later stage: refused, nothing changes
    expect((await act(clerkY, caseId, 'accept')).status).toBe(404);
    await t.http.get(`/v1/cases/${caseId}`).set(staff.tok(clerkY)).expect(404);
    const early = await act(approver, caseId, 'approve');
    expect(early.status).toBe(409);
    expect(early.body.code).toBe('INVALID_TRANSITION');
    expect(await caseRow(appId)).toMatchObject({ stage: 'acceptance', status: 'open', version: c0.version });

    // 一次性告知: every item at once; the clock stops until the one answer
    const dueBefore = new Date(c0.due_at!).getTime();
    const waiting = await ok(clerk, caseId, 'request_supplement', { items: ITEMS, reason: '材料不全' });
    expect(waiting).toMatchObject({ status: 'awaiting_applicant', dueAt: null });
    expect(await getApp(alice, appId)).toMatchObject({
      status: 'supplement_required',
      supplement: { items: [expect.objectContaining(ITEMS[0]), expect.objectContaining(ITEMS[1])] },
    });
    const fresh = await steps.upload(alice);
    const answered = await t.http
      .post(`/v1/applications/${appId}/supplement`)
      .set(as(alice))
      .send({ formData: { shopArea: 30 }, attachments: [{ fileId: fresh, material: '身份证' }] })
      .expect(200);
    expect(answered.body).toMatchObject({ status: 'submitted', formData: { shopArea: 30 } });
    const c1 = await caseRow(appId);
    expect(c1.status).toBe('open');
    expect(new Date(c1.due_at!).getTime()).toBeGreaterThanOrEqual(dueBefore);
    const paused = await t.http.get(`/v1/cases/${caseId}`).set(staff.tok(clerk)).expect(200);
    expect(paused.body.pauses).toEqual([
      expect.objectContaining({
        kind: 'supplement',
        restart: true,
        from: expect.any(String),
        to: expect.any(String),
      }),
    ]);
    expect(paused.body.dueAt).toBe(new Date(c1.due_at!).toISOString());
    await t.http
      .post(`/v1/applications/${appId}/supplement`)
      .set(as(alice))
      .send({ formData: { shopArea: 31 } })
      .expect(409);

    // accept → review → two-level approval (handling unit, then the unit above) → decision
    expect(await ok(clerk, caseId, 'accept')).toMatchObject({ stage: 'review', status: 'open' });
    expect((await getApp(alice, appId)).status).toBe('accepted');
    expect(await ok(reviewer, caseId, 'advance')).toMatchObject({ stage: 'approval' });
    const level1 = await ok(approver, caseId, 'approve');
    expect(level1.stage).toBe('approval');
    const openTasks = await t.db.query<{ organisation_id: string; permission: string }>(
      `SELECT organisation_id, permission FROM case_task WHERE case_id = $1 AND status = 'open'`,
      [caseId],
    );
    expect(openTasks).toEqual([{ organisation_id: root, permission: 'case:approve' }]);
    // the second level belongs to the unit above: the first-level approver sees the case but may not take it
    const sameLevel = await act(approver, caseId, 'approve');
    expect(sameLevel.status).toBe(403);
    expect((await caseRow(appId)).version).toBe(level1.version);
    expect(await ok(parentApprover, caseId, 'approve')).toMatchObject({ stage: 'decision' });
    await ok(approver, caseId, 'decide', { decision: 'approved', reason: '符合条件' });
    expect(await getApp(alice, appId)).toMatchObject({
      status: 'approved',
      decision: 'approved',
      decisionReason: '符合条件',
    });

    // result: an e-licence, delivered
    await ok(clerk, caseId, 'issue');
    const issued = await getApp(alice, appId);
    expect(issued.status).toBe('issued');
    expect(issued.licence).toEqual({ id: expect.any(String), verificationUrl: expect.any(String) });
    const mine = await t.http.get('/v1/me/licences').set(as(alice)).expect(200);
    expect((mine.body.items as Array<{ id: string }>).map((l) => l.id)).toContain(issued.licence!.id);
    expect((await t.http.get('/v1/me/licences').set(as(bob)).expect(200)).body.items).toEqual([]);
    expect(await ok(clerk, caseId, 'deliver', { method: 'online' })).toMatchObject({
      stage: 'closed',
      status: 'closed',
    });
    expect((await getApp(alice, appId)).status).toBe('delivered');

    // every transition left its audit leaf, by the staff member who made it
    const leaves = await t.db.query<{ action: string; actor_id: string }>(
      `SELECT action, actor_id FROM audit_leaf WHERE resource_type = 'case' AND resource_id = $1 ORDER BY seq`,
      [caseId],
    );
    expect(leaves.map((l) => l.action)).toEqual(
      expect.arrayContaining([
        'case.request_supplement',
        'case.accept',
        'case.advance',
        'case.approve',
        'case.decide',
        'case.issue',
        'case.deliver',
      ]),
    );
    expect(leaves.find((l) => l.action === 'case.accept')?.actor_id).toBe(clerk.id);
    expect(leaves.filter((l) => l.action === 'case.approve').map((l) => l.actor_id)).toEqual([
      approver.id,
      parentApprover.id,
    ]);

    // the applicant's timeline and my-government list
    const timeline = await t.http.get(`/v1/applications/${appId}/timeline`).set(as(alice)).expect(200);
    expect((timeline.body as Array<{ kind: string }>).map((e) => e.kind)).toEqual(
      expect.arrayContaining([
        'created',
        'submitted',
        'request_supplement',
        'accept',
        'decide',
        'issue',
        'deliver',
      ]),
    );
    await t.http.get(`/v1/applications/${appId}/timeline`).set(as(bob)).expect(404);
    const my = await t.http.get('/v1/me/timeline').set(as(alice)).expect(200);
    expect(my.body.items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'application', id: appId, state: 'delivered' }),
      ]),
    );

    // anyone verifies; revocation shows
    const [licence] = await t.db.query<{ verification_code: string; holder_account_id: string }>(
      'SELECT verification_code, holder_account_id FROM licence WHERE id = $1',
      [issued.licence!.id],
    );
    expect(licence.holder_account_id).toBe(alice.id);
    expect(issued.licence!.verificationUrl).toContain(licence.verification_code);
    const valid = await t.http.get(`/v1/licence-verifications/${licence.verification_code}`).expect(200);
    expect(valid.body).toMatchObject({ valid: true, revokedAt: null });
    await t.http
      .post(`/v1/licences/${issued.licence!.id}/revoke`)
      .set(staff.tok(approver))
      .send({ reason: '以欺骗手段取得' })
      .expect(200);
    const revoked = await t.http.get(`/v1/licence-verifications/${licence.verification_code}`).expect(200);
    expect(revoked.body).toMatchObject({ valid: false, revokedAt: expect.any(String) });
  });

  it('GraphQL: find, guide, draft, attach, submit, supplement, staff actions, timeline, result', async () => {
    const q = async (
      headers: Record<string, string>,
      query: string,
      variables: Record<string, unknown> = {},
    ) => {
      const res = await gql(t, headers, query, variables);
      if (res.errors?.length) throw new Error(JSON.stringify(res.errors));
      return res.data as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    };
    const list = await q(
      {},
      `query($o: ID) { services(organisationId: $o, first: 50) { edges { node { id title } } } }`,
      {
        o: X,
      },
    );
    expect(list.services.edges.map((e: { node: { id: string } }) => e.node.id)).toContain(serviceId);
    const guide = await q({}, `query($id: ID!) { service(id: $id) { id mode title } }`, { id: serviceId });
    expect(guide.service).toMatchObject({ id: serviceId, mode: 'standard' });
    const elder = await q(
      {},
      `query($id: ID!) { service(id: $id, elder: true) { mode elder { summary steps } } }`,
      {
        id: serviceId,
      },
    );
    expect(elder.service).toMatchObject({ mode: 'elder', elder: { summary: '开小店，先登记。' } });

    const APP = 'id number status promisedDueAt decision decisionReason licence { id verificationUrl }';
    const created = await q(
      as(alice),
      `mutation($i: CreateApplicationInput!) { createApplication(input: $i) { ${APP} } }`,
      { i: { serviceId, formData: GOOD_FORM } },
    );
    const appId = created.createApplication.id as string;
    expect(created.createApplication).toMatchObject({ status: 'draft', number: null });
    const fileId = await steps.upload(alice); // uploads are REST only
    await q(
      as(alice),
      `mutation($id: ID!, $i: ApplicationAttachmentInput!) { attachApplicationFile(id: $id, input: $i) { id } }`,
      { id: appId, i: { fileId, material: '身份证' } },
    );
    const key = `gql-${randomUUID()}`;
    const SUBMIT = `mutation($id: ID!, $k: String) { submitApplication(id: $id, idempotencyKey: $k) { ${APP} } }`;
    const submitted = (await q(as(alice), SUBMIT, { id: appId, k: key })).submitApplication;
    expect(submitted).toMatchObject({ status: 'submitted', number: expect.any(String) });
    expect(submitted.promisedDueAt).toEqual(expect.any(String));
    expect((await q(as(alice), SUBMIT, { id: appId, k: key })).submitApplication).toEqual(submitted);
    const caseId = (await caseRow(appId)).id;

    const ACT = `mutation($id: ID!, $a: String!, $i: CaseActionInput) {
      applyCaseAction(id: $id, action: $a, input: $i) { stage status } }`;
    const staffAct = (p: Person, a: string, i: Record<string, unknown> | null = null) =>
      q(staff.tok(p), ACT, { id: caseId, a, i }).then(
        (d) => d.applyCaseAction as { stage: string; status: string },
      );
    // out of scope over GraphQL too
    const denied = await gql(t, staff.tok(clerkY), ACT, { id: caseId, a: 'accept', i: null });
    expect(denied.errors?.[0].extensions.code).toBe('NOT_FOUND');

    expect(await staffAct(clerk, 'request_supplement', { items: ITEMS })).toMatchObject({
      status: 'awaiting_applicant',
    });
    const fresh = await steps.upload(alice);
    const answered = await q(
      as(alice),
      `mutation($id: ID!, $i: SupplementAnswerInput!) { answerSupplement(id: $id, input: $i) { status } }`,
      {
        id: appId,
        i: {
          formData: { shopArea: 30 },
          attachments: [{ fileId: fresh, material: '身份证' }],
        },
      },
    );
    expect(answered.answerSupplement.status).toBe('submitted');
    await staffAct(clerk, 'accept');
    await staffAct(reviewer, 'advance');
    await staffAct(approver, 'approve');
    expect(await staffAct(parentApprover, 'approve')).toMatchObject({ stage: 'decision' });
    await staffAct(approver, 'decide', { decision: 'approved', reason: '符合条件' });
    await staffAct(clerk, 'issue');
    expect(await staffAct(clerk, 'deliver', { method: 'online' })).toMatchObject({ status: 'closed' });

    const result = await q(
      as(alice),
      `query($id: ID!) { application(id: $id) { ${APP} timeline { kind title } } }`,
      {
        id: appId,
      },
    );
    expect(result.application).toMatchObject({
      status: 'delivered',
      decision: 'approved',
      decisionReason: '符合条件',
    });
    expect(result.application.licence).toEqual({
      id: expect.any(String),
      verificationUrl: expect.any(String),
    });
    expect(result.application.timeline.map((e: { kind: string }) => e.kind)).toEqual(
      expect.arrayContaining(['submitted', 'request_supplement', 'accept', 'decide', 'issue', 'deliver']),
    );
    const mine = await q(as(alice), `{ myTimeline(first: 50) { edges { node { id state } } } }`);
    expect(mine.myTimeline.edges.map((e: { node: unknown }) => e.node)).toContainEqual({
      id: appId,
      state: 'delivered',
    });
    const [licence] = await t.db.query<{ verification_code: string }>(
      'SELECT verification_code FROM licence WHERE id = $1',
      [result.application.licence.id],
    );
    expect(
      (await t.http.get(`/v1/licence-verifications/${licence.verification_code}`).expect(200)).body.valid,
    ).toBe(true);
  });

  it('GraphQL answers the same codes: bad form, separation of duties, illegal transition; nothing changes', async () => {
    const d = await steps.draft(alice, serviceId, { applicantName: '张三', phone: '12' });
    await steps.attach(alice, d.id, '身份证');
    const SUBMIT = 'mutation($id: ID!) { submitApplication(id: $id) { id status } }';
    const bad = await gql(t, as(alice), SUBMIT, { id: d.id });
    expect(bad.errors?.[0].extensions).toMatchObject({
      code: 'VALIDATION_FAILED',
      errors: expect.arrayContaining([expect.objectContaining({ pointer: '/formData/phone' })]),
    });
    expect(bad.data?.submitApplication ?? null).toBeNull();
    expect(await steps.row(d.id)).toMatchObject({ status: 'draft', number: null });

    const a = await steps.submitted(alice, serviceId);
    const caseId = (await caseRow(a.id)).id;
    const ACT = 'mutation($id: ID!, $a: String!) { applyCaseAction(id: $id, action: $a) { stage } }';
    const early = await gql(t, staff.tok(approver), ACT, { id: caseId, a: 'approve' });
    expect(early.errors?.[0].extensions.code).toBe('INVALID_TRANSITION');
    expect((await gql(t, staff.tok(both), ACT, { id: caseId, a: 'accept' })).errors).toBeUndefined();
    await ok(reviewer, caseId, 'advance');
    const before = await caseRow(a.id);
    const sod = await gql(t, staff.tok(both), ACT, { id: caseId, a: 'approve' });
    expect(sod.errors?.[0].extensions.code).toBe('SEPARATION_OF_DUTIES');
    expect(await caseRow(a.id)).toEqual(before);
  });

  it('refusal (不予受理) needs a written reason, which the applicant sees', async () => {
    const a = await steps.submitted(alice, serviceId);
    const { id: caseId, version } = await caseRow(a.id);
    const noReason = await act(clerk, caseId, 'refuse');
    expect(noReason.status).toBe(400);
    expect(await caseRow(a.id)).toMatchObject({ status: 'open', version });
    await ok(clerk, caseId, 'refuse', { reason: '不属于本机关职权范围' });
    expect(await caseRow(a.id)).toMatchObject({ status: 'closed', outcome: 'refused' });
    expect(await getApp(alice, a.id)).toMatchObject({
      status: 'refused',
      decision: 'refused',
      decisionReason: '不属于本机关职权范围',
    });
    const timeline = (await t.http.get(`/v1/applications/${a.id}/timeline`).set(as(alice)).expect(200))
      .body as Array<Record<string, unknown>>;
    expect(timeline[timeline.length - 1]).toMatchObject({ kind: 'refuse', detail: '不属于本机关职权范围' });
  });

  it('withdraws before a decision; after the decision withdrawal is a 409 that changes nothing', async () => {
    const early = await steps.submitted(alice, serviceId);
    await ok(clerk, (await caseRow(early.id)).id, 'accept');
    await t.http.post(`/v1/applications/${early.id}/withdraw`).set(as(bob)).send({}).expect(404);
    const w = await t.http
      .post(`/v1/applications/${early.id}/withdraw`)
      .set(as(alice))
      .send({ reason: '不再需要' })
      .expect(200);
    expect(w.body).toMatchObject({ status: 'withdrawn', withdrawnAt: expect.any(String) });
    expect(await caseRow(early.id)).toMatchObject({ status: 'closed', outcome: 'withdrawn' });

    const late = await steps.submitted(alice, serviceId);
    const caseId = (await caseRow(late.id)).id;
    await ok(clerk, caseId, 'accept');
    await ok(reviewer, caseId, 'advance');
    await ok(approver, caseId, 'approve');
    await ok(parentApprover, caseId, 'approve');
    await ok(approver, caseId, 'decide', { decision: 'approved', reason: '符合条件' });
    const before = await caseRow(late.id);
    const refused = await t.http
      .post(`/v1/applications/${late.id}/withdraw`)
      .set(as(alice))
      .send({})
      .expect(409);
    expect(refused.body.code).toBe('INVALID_TRANSITION');
    expect(await caseRow(late.id)).toEqual(before);
    expect(await steps.row(late.id)).toMatchObject({ status: 'approved', withdrawn_at: null });
  });

  it('escalates an overdue case to the supervisor above and turns it red', async () => {
    const a = await steps.submitted(alice, serviceId);
    const caseId = (await caseRow(a.id)).id;
    await ok(clerk, caseId, 'accept');
    // force the clock: the promised date lies in the past
    await t.db.query(
      `UPDATE case_file SET due_at = '2001-01-02T00:00:00Z', warning_level = 'green' WHERE id = $1`,
      [caseId],
    );
    const inbox = () =>
      t.db.query<{ link: string }>(
        `SELECT link FROM inbox_message WHERE account_id = $1 AND template = 'case.overdue_escalation'`,
        [supervisor.id],
      );
    const before = (await inbox()).length;
    await t.app.get(ClockJobsService).tick(new Date());
    expect(await caseRow(a.id)).toMatchObject({ warning_level: 'red' });
    const notices = await inbox();
    expect(notices.length).toBe(before + 1);
    expect(notices.map((n) => n.link)).toContain(`/cases/${caseId}`);
    // a supervisor of the sibling unit is not above the case: no notice
    expect(
      await t.db.query(
        `SELECT 1 FROM inbox_message WHERE account_id = $1 AND template = 'case.overdue_escalation' AND link = $2`,
        [supervisorY.id, `/cases/${caseId}`],
      ),
    ).toHaveLength(0);
    // the escalation is internal: recorded on the case, not shown to the applicant
    expect(
      await t.db.query<{ public: boolean }>(
        `SELECT public FROM case_event WHERE case_id = $1 AND action = 'escalated'`,
        [caseId],
      ),
    ).toEqual([{ public: false }]);
    const timeline = (await t.http.get(`/v1/applications/${a.id}/timeline`).set(as(alice)).expect(200))
      .body as Array<{ kind: string }>;
    expect(timeline.map((e) => e.kind)).not.toContain('escalated');
    const seen = await t.http.get(`/v1/cases/${caseId}`).set(staff.tok(supervisor)).expect(200);
    expect(seen.body).toMatchObject({ warningLevel: 'red', escalatedAt: expect.any(String) });
    // once only
    await t.app.get(ClockJobsService).tick(new Date());
    expect((await inbox()).length).toBe(before + 1);
  });

  it('separation of duties: whoever accepted may not approve (403), and nothing changes', async () => {
    const a = await steps.submitted(alice, serviceId);
    const caseId = (await caseRow(a.id)).id;
    await ok(both, caseId, 'accept');
    await ok(reviewer, caseId, 'advance');
    const before = await caseRow(a.id);
    const res = await act(both, caseId, 'approve');
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('SEPARATION_OF_DUTIES');
    expect(await caseRow(a.id)).toEqual(before);
    expect(
      await t.db.query(`SELECT 1 FROM case_event WHERE case_id = $1 AND action = 'approve'`, [caseId]),
    ).toHaveLength(0);
    expect((await ok(approver, caseId, 'approve')).stage).toBe('approval');
  });

  it('bad form → 400 with pointers, bad file → 415, and nothing is stored', async () => {
    const d = await steps.draft(alice, serviceId, { applicantName: '张三', phone: '12' });
    await steps.attach(alice, d.id, '身份证');
    const bad = await t.http.post(`/v1/applications/${d.id}/submit`).set(as(alice)).expect(400);
    expect(bad.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(bad.body.errors).toEqual(
      expect.arrayContaining([expect.objectContaining({ pointer: '/formData/phone' })]),
    );
    expect(await steps.row(d.id)).toMatchObject({ status: 'draft', number: null });
    expect(await caseRow(d.id)).toBeUndefined();

    const files = async () =>
      Number(
        (await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM stored_file')).map((r) => r.n)[0],
      );
    const n = await files();
    const spoofed = await t.http
      .post('/v1/files')
      .set(as(alice))
      .attach('file', samples.exe(), { filename: '身份证.pdf', contentType: 'application/pdf' })
      .expect(415);
    expect(spoofed.body.code).toBe('FILE_REJECTED');
    expect(await files()).toBe(n);
  });
});
