import { randomUUID } from 'node:crypto';
import { RoleName } from '../../src/modules/platform/identity/staff/role-catalogue';
import { Citizen, signedInCitizen } from '../identity/citizen-fixtures';
import { makeUnit, Person, signedInStaff } from '../identity/staff-fixtures';
import { startTestApp, TestApp } from '../support/test-app';
import { AppBody, applicationSteps, as, publishedService } from './applications-helpers';
import { drained } from '../support/events';

/** The applicant's side of a running case: 补正 once, withdrawal, the result as an e-licence, the timeline. */
describe('applications: supplement, withdrawal, result, timeline', () => {
  let t: TestApp;
  let X: string;
  let serviceId: string;
  let alice: Citizen;
  let bob: Citizen;
  let clerk: Person;
  let reviewer: Person;
  let approver: Person;
  let superior: Person;
  const staff = signedInStaff(() => t);
  const steps = applicationSteps(() => t);
  const get = async (c: Citizen, id: string): Promise<AppBody> =>
    (await t.http.get(`/v1/applications/${id}`).set(as(c)).expect(200)).body as AppBody;

  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMIT_ANONYMOUS: '100000', RATE_LIMIT_AUTHENTICATED: '100000' });
    const root = await makeUnit(t, '流程市局');
    X = await makeUnit(t, '流程甲区', root);
    serviceId = await publishedService(t, X);
    alice = await signedInCitizen(t);
    bob = await signedInCitizen(t);
    clerk = await staff.person(X, [{ role: RoleName.Clerk, unit: X }]);
    reviewer = await staff.person(X, [{ role: RoleName.Reviewer, unit: X }]);
    approver = await staff.person(X, [{ role: RoleName.Approver, unit: X }]);
    superior = await staff.person(root, [{ role: RoleName.Approver, unit: root }]);
  });
  afterAll(() => t.close());

  const ITEMS = [
    { material: '身份证', description: '身份证复印件不清晰，请重新上传' },
    { field: 'shopArea', description: '请填写实际经营面积' },
  ];

  it('takes one answer to a supplement notice, which must cover every item', async () => {
    const a = await steps.submitted(alice, serviceId);
    await steps.act(staff.tok(clerk), a.id, 'request_supplement', { items: ITEMS, reason: '材料不全' });
    const waiting = await get(alice, a.id);
    expect(waiting.status).toBe('supplement_required');
    expect(waiting.supplement).toMatchObject({
      items: [
        { material: '身份证', field: null, description: ITEMS[0].description },
        { material: null, field: 'shopArea', description: ITEMS[1].description },
      ],
      answeredAt: null,
    });
    await drained(t.app);
    expect(
      await t.db.query(
        "SELECT 1 FROM inbox_message WHERE account_id = $1 AND template = 'application.supplement_notice'",
        [alice.id],
      ),
    ).toHaveLength(1);

    // the field alone is not enough: the material needs a new file
    const missing = await t.http
      .post(`/v1/applications/${a.id}/supplement`)
      .set(as(alice))
      .send({ formData: { shopArea: 30 } })
      .expect(400);
    expect(missing.body.errors).toEqual([
      expect.objectContaining({ pointer: '/attachments', code: 'supplementItem' }),
    ]);
    expect(await steps.row(a.id)).toMatchObject({ status: 'supplement_required' });

    // while answering, new files may be added and taken back, the original ones not
    const added = await steps.attach(alice, a.id, '身份证');
    const fresh = added.attachments.find((f) => f.phase === 'supplement')!;
    const original = added.attachments.find((f) => f.phase === 'application')!;
    await t.http.delete(`/v1/applications/${a.id}/attachments/${original.id}`).set(as(alice)).expect(409);
    await t.http.delete(`/v1/applications/${a.id}/attachments/${fresh.id}`).set(as(alice)).expect(200);

    const fileId = await steps.upload(alice);
    const answered = await t.http
      .post(`/v1/applications/${a.id}/supplement`)
      .set(as(alice))
      .send({ formData: { shopArea: 30 }, attachments: [{ fileId, material: '身份证' }] })
      .expect(200);
    expect(answered.body).toMatchObject({
      status: 'submitted',
      formData: { shopArea: 30, applicantName: '张三' },
    });
    expect(answered.body.supplement.answeredAt).toEqual(expect.any(String));
    expect(await steps.caseOf(a.id)).toMatchObject({ status: 'open' });

    const twice = await t.http
      .post(`/v1/applications/${a.id}/supplement`)
      .set(as(alice))
      .send({ formData: { shopArea: 31 } })
      .expect(409);
    expect(twice.body.code).toBe('INVALID_TRANSITION');
    await steps.attach(alice, a.id, '身份证').then(
      () => {
        throw new Error('attached after the answer');
      },
      (err: Error) => expect(err.message).toContain('409'),
    );
  });

  it('refuses a supplement answer when none was asked for', async () => {
    const a = await steps.submitted(alice, serviceId);
    const res = await t.http.post(`/v1/applications/${a.id}/supplement`).set(as(alice)).send({}).expect(409);
    expect(res.body.code).toBe('INVALID_TRANSITION');
  });

  it('withdraws before a decision, not twice, and not a draft', async () => {
    const a = await steps.submitted(alice, serviceId);
    await steps.act(staff.tok(clerk), a.id, 'accept');
    expect((await get(alice, a.id)).status).toBe('accepted');
    const res = await t.http
      .post(`/v1/applications/${a.id}/withdraw`)
      .set(as(alice))
      .send({ reason: '不再需要' })
      .expect(200);
    expect(res.body).toMatchObject({ status: 'withdrawn', withdrawnAt: expect.any(String) });
    expect(await steps.caseOf(a.id)).toMatchObject({ status: 'closed', outcome: 'withdrawn' });
    await t.http.post(`/v1/applications/${a.id}/withdraw`).set(as(alice)).send({}).expect(409);
    const d = await steps.draft(alice, serviceId);
    await t.http.post(`/v1/applications/${d.id}/withdraw`).set(as(alice)).send({}).expect(409);
  });

  it('delivers the result as an e-licence and shows a public timeline without internal notes', async () => {
    const a = await steps.submitted(alice, serviceId);
    await steps.act(staff.tok(clerk), a.id, 'accept');
    const c = await steps.caseOf(a.id);
    const secret = `内部意见-${randomUUID()}`;
    await t.http.post(`/v1/cases/${c.id}/notes`).set(staff.tok(reviewer)).send({ body: secret }).expect(201);
    await steps.act(staff.tok(reviewer), a.id, 'advance');
    await steps.act(staff.tok(approver), a.id, 'approve');
    await steps.act(staff.tok(superior), a.id, 'approve');
    await steps.act(staff.tok(approver), a.id, 'decide', { decision: 'approved', reason: '符合条件' });
    expect(await get(alice, a.id)).toMatchObject({
      status: 'approved',
      decision: 'approved',
      decisionReason: '符合条件',
    });

    // withdrawal is over once decided
    const late = await t.http.post(`/v1/applications/${a.id}/withdraw`).set(as(alice)).send({}).expect(409);
    expect(late.body.code).toBe('INVALID_TRANSITION');

    await steps.act(staff.tok(clerk), a.id, 'issue');
    const issued = await get(alice, a.id);
    expect(issued.status).toBe('issued');
    expect(issued.licence).toEqual({
      id: expect.any(String),
      verificationUrl: expect.stringContaining('/v1/licence-verifications/'),
    });
    const [licence] = await t.db.query<{
      holder_account_id: string;
      issuer_organisation_id: string;
      source_reference: string;
      verification_code: string;
    }>(
      'SELECT holder_account_id, issuer_organisation_id, source_reference, verification_code FROM licence WHERE id = $1',
      [issued.licence!.id],
    );
    expect(licence).toMatchObject({
      holder_account_id: alice.id,
      issuer_organisation_id: X,
      source_reference: `application:${a.id}`,
    });
    const verified = await t.http.get(`/v1/licence-verifications/${licence.verification_code}`).expect(200);
    expect(verified.body).toMatchObject({ valid: true });
    expect(JSON.stringify(verified.body.fields)).not.toContain('13812345678');
    const [issueLeaf] = await t.db.query<{ actor_id: string }>(
      "SELECT actor_id FROM audit_leaf WHERE action = 'licence.issue' AND resource_id = $1",
      [issued.licence!.id],
    );
    expect(issueLeaf.actor_id).toBe(clerk.id);
    // The applicant is told by the notices' durable subscriber, once the events are delivered.
    await drained(t.app);
    const notices = await t.db.query<{ body: string }>(
      "SELECT body FROM inbox_message WHERE account_id = $1 AND template = 'licence.issued' AND link = $2",
      [alice.id, `/applications/${a.id}`],
    );
    expect(notices).toHaveLength(1);
    expect(notices[0].body).toContain(licence.verification_code);
    expect((await t.http.get('/v1/me/licences').set(as(alice)).expect(200)).body.items[0].id).toBe(
      issued.licence!.id,
    );

    await steps.act(staff.tok(clerk), a.id, 'deliver', { method: 'online' });
    expect((await get(alice, a.id)).status).toBe('delivered');

    const timeline = await t.http.get(`/v1/applications/${a.id}/timeline`).set(as(alice)).expect(200);
    const kinds = (timeline.body as Array<{ kind: string }>).map((e) => e.kind);
    expect(kinds.slice(0, 3)).toEqual(['created', 'submitted', 'accept']);
    expect(kinds).toEqual(expect.arrayContaining(['decide', 'issue', 'deliver']));
    const decide = (timeline.body as Array<Record<string, unknown>>).find((e) => e.kind === 'decide');
    expect(decide).toMatchObject({ title: '已作出决定', decision: 'approved', detail: '符合条件' });
    const issueEntry = (timeline.body as Array<Record<string, unknown>>).find((e) => e.kind === 'issue');
    expect(issueEntry).toMatchObject({ licence: issued.licence });
    const text = JSON.stringify(timeline.body);
    for (const hidden of [secret, clerk.id, reviewer.id, approver.id, superior.id])
      expect(text).not.toContain(hidden);
    const en = await t.http
      .get(`/v1/applications/${a.id}/timeline`)
      .set(as(alice))
      .set('Accept-Language', 'en')
      .expect(200);
    expect(en.body[0]).toMatchObject({ kind: 'created', title: 'Draft created' });
    await t.http.get(`/v1/applications/${a.id}/timeline`).set(as(bob)).expect(404);
  });

  it('shows a special procedure as suspended, then back in progress', async () => {
    const a = await steps.submitted(alice, serviceId);
    await steps.act(staff.tok(clerk), a.id, 'accept');
    await steps.act(staff.tok(reviewer), a.id, 'suspend', { procedure: 'hearing', reason: '需要组织听证' });
    expect(await get(alice, a.id)).toMatchObject({ status: 'suspended' });
    await steps.act(staff.tok(reviewer), a.id, 'resume');
    const resumed = await get(alice, a.id);
    expect(resumed.status).toBe('accepted');
    expect(resumed.promisedDueAt).toEqual(expect.any(String));
    const timeline = (await t.http.get(`/v1/applications/${a.id}/timeline`).set(as(alice)).expect(200))
      .body as Array<Record<string, unknown>>;
    expect(timeline.map((e) => e.kind)).toEqual(expect.arrayContaining(['suspend', 'resume']));
    expect(timeline.find((e) => e.kind === 'suspend')).toMatchObject({ detail: '需要组织听证' });
    await drained(t.app);
    const inbox = await t.db.query<{ body: string }>(
      "SELECT body FROM inbox_message WHERE account_id = $1 AND template = 'application.status_changed' AND link = $2",
      [alice.id, `/applications/${a.id}`],
    );
    expect(inbox.map((m) => m.body).join('\n')).toContain('特别程序中');
  });

  it('shows supplement items and refusals on the timeline', async () => {
    const a = await steps.submitted(alice, serviceId);
    await steps.act(staff.tok(clerk), a.id, 'request_supplement', { items: ITEMS });
    await steps.act(staff.tok(clerk), a.id, 'refuse', { reason: '不属于本机关职权范围' });
    const refused = await get(alice, a.id);
    expect(refused).toMatchObject({
      status: 'refused',
      decision: 'refused',
      decisionReason: '不属于本机关职权范围',
    });
    const timeline = (await t.http.get(`/v1/applications/${a.id}/timeline`).set(as(alice)).expect(200))
      .body as Array<Record<string, unknown>>;
    expect(timeline.find((e) => e.kind === 'request_supplement')).toMatchObject({
      items: [
        expect.objectContaining({ material: '身份证' }),
        expect.objectContaining({ field: 'shopArea' }),
      ],
    });
    expect(timeline[timeline.length - 1]).toMatchObject({ kind: 'refuse', detail: '不属于本机关职权范围' });
    await t.http.post(`/v1/applications/${a.id}/withdraw`).set(as(alice)).send({}).expect(409);
  });
});
