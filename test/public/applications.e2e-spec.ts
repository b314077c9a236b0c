import { randomUUID } from 'node:crypto';
import { RoleName } from '../../src/modules/platform/identity/staff/role-catalogue';
import { Citizen, signedInCitizen } from '../identity/citizen-fixtures';
import { makeUnit, Person, signedInStaff } from '../identity/staff-fixtures';
import { expectOncePerKey, KeyedMutation } from '../support/graphql-idempotency';
import { randomUscc } from '../support/random-ids';
import { samples } from '../support/sample-files';
import { startTestApp, TestApp } from '../support/test-app';
import { AppBody, applicationSteps, as, GOOD_FORM, publishedService } from './applications-helpers';
import { drained } from '../support/events';

/** 一网通办, the applicant's side: drafts, attachments, submission, who may see what. */
describe('applications: drafts, attachments, submission, access', () => {
  let t: TestApp;
  let X: string;
  let Y: string;
  let serviceId: string;
  let alice: Citizen;
  let bob: Citizen;
  const staff = signedInStaff(() => t);
  const steps = applicationSteps(() => t);
  const count = async (sql: string, params: unknown[]): Promise<number> =>
    (await t.db.query<{ n: number }>(sql, params))[0].n;

  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMIT_ANONYMOUS: '100000', RATE_LIMIT_AUTHENTICATED: '100000' });
    const root = await makeUnit(t, '申请市局');
    X = await makeUnit(t, '申请甲区', root);
    Y = await makeUnit(t, '申请乙区', root);
    serviceId = await publishedService(t, X);
    alice = await signedInCitizen(t);
    bob = await signedInCitizen(t);
  });
  afterAll(() => t.close());

  it('refuses anonymous callers on every route', async () => {
    const id = randomUUID();
    await t.http.post('/v1/applications').send({ serviceId }).expect(401);
    await t.http.get('/v1/applications').expect(401);
    await t.http.get(`/v1/applications/${id}`).expect(401);
    await t.http.put(`/v1/applications/${id}`).send({ formData: {} }).expect(401);
    await t.http.delete(`/v1/applications/${id}`).expect(401);
    await t.http.post(`/v1/applications/${id}/submit`).expect(401);
    await t.http.get(`/v1/applications/${id}/timeline`).expect(401);
    await t.http.post(`/v1/applications/${id}/withdraw`).send({}).expect(401);
    await t.http.get('/v1/me/timeline').expect(401);
  });

  it('keeps drafts on the server: create, read, list, replace (If-Match), discard', async () => {
    const created = await t.http
      .post('/v1/applications')
      .set(as(alice))
      .send({ serviceId, formData: { applicantName: '张' } })
      .expect(201);
    const d = created.body as AppBody;
    expect(d).toMatchObject({
      serviceId,
      organisationId: X,
      applicantAccountId: alice.id,
      businessAccountId: null,
      status: 'draft',
      number: null,
      formData: { applicantName: '张' },
      serviceTitle: '个体工商户登记',
      attachments: [],
      licence: null,
    });
    expect(await steps.row(d.id)).toMatchObject({ status: 'draft', applicant_account_id: alice.id });

    const got = await t.http
      .get(`/v1/applications/${d.id}`)
      .set(as(alice))
      .set('Accept-Language', 'en')
      .expect(200);
    expect(got.body.serviceTitle).toBe('Sole proprietorship registration');
    expect(got.headers.etag).toBe(`"v${d.version}"`);

    const list = await t.http.get('/v1/applications?status=draft').set(as(alice)).expect(200);
    expect(list.body.items.map((a: AppBody) => a.id)).toContain(d.id);
    expect((await t.http.get('/v1/applications').set(as(bob)).expect(200)).body.items).toEqual([]);

    // no If-Match: 428, nothing written (a blind update could overwrite another tab's)
    const blind = await t.http.put(`/v1/applications/${d.id}`).set(as(alice)).send({ formData: GOOD_FORM });
    expect([blind.status, blind.body.code]).toEqual([428, 'PRECONDITION_REQUIRED']);
    expect(blind.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect((await t.http.get(`/v1/applications/${d.id}`).set(as(alice)).expect(200)).body.version).toBe(
      d.version,
    );
    await t.http
      .put(`/v1/applications/${d.id}`)
      .set(as(alice))
      .set('If-Match', `"v${d.version + 5}"`)
      .send({ formData: GOOD_FORM })
      .expect(412);
    const put = await t.http
      .put(`/v1/applications/${d.id}`)
      .set(as(alice))
      .set('If-Match', `"v${d.version}"`)
      .send({ formData: GOOD_FORM })
      .expect(200);
    expect(put.body.formData).toEqual(GOOD_FORM);
    expect(put.body.version).toBeGreaterThan(d.version);

    await t.http.delete(`/v1/applications/${d.id}`).set(as(alice)).expect(204);
    await t.http.get(`/v1/applications/${d.id}`).set(as(alice)).expect(404);
    expect(await steps.row(d.id)).toBeUndefined();
  });

  it('refuses drafts for unknown or unpublished services and for the wrong kind of applicant', async () => {
    await t.http.post('/v1/applications').set(as(alice)).send({ serviceId: randomUUID() }).expect(404);
    await t.http.post('/v1/applications').set(as(alice)).send({ serviceId: 'nope' }).expect(400);
    const business = await publishedService(t, X, 'business');
    const res = await t.http
      .post('/v1/applications')
      .set(as(alice))
      .send({ serviceId: business })
      .expect(400);
    expect(res.body.errors[0]).toMatchObject({ pointer: '/serviceId', code: 'serviceTarget' });
    // a business she does not represent is not found
    await t.http
      .post('/v1/applications')
      .set(as(alice))
      .send({ serviceId: business, businessAccountId: bob.id })
      .expect(404);
  });

  it('lets a business apply as itself or through an authorised representative', async () => {
    const forBusiness = await publishedService(t, X, 'business');
    const company = await signedInCitizen(t, {
      kind: 'business',
      displayName: `企业${randomUUID().slice(0, 6)}`,
      unifiedSocialCreditCode: randomUscc(),
    });
    const own = await t.http
      .post('/v1/applications')
      .set(as(company))
      .send({ serviceId: forBusiness })
      .expect(201);
    expect(own.body).toMatchObject({ applicantAccountId: company.id, businessAccountId: company.id });
    // a business is not a person
    await t.http.post('/v1/applications').set(as(company)).send({ serviceId }).expect(400);

    await t.http
      .post('/v1/applications')
      .set(as(alice))
      .send({ serviceId: forBusiness, businessAccountId: company.id })
      .expect(404);
    await t.http
      .post('/v1/me/representatives')
      .set(as(company))
      .send({
        phone: alice.phone,
        scope: 'apply',
        validUntil: new Date(Date.now() + 30 * 86_400_000).toISOString(),
      })
      .expect(201);
    const rep = await t.http
      .post('/v1/applications')
      .set(as(alice))
      .send({ serviceId: forBusiness, businessAccountId: company.id })
      .expect(201);
    expect(rep.body).toMatchObject({ applicantAccountId: alice.id, businessAccountId: company.id });
    // the business follows what its representative files
    const seen = await t.http.get('/v1/applications').set(as(company)).expect(200);
    expect(seen.body.items.map((a: AppBody) => a.id)).toEqual([rep.body.id, own.body.id]);
    await t.http.get(`/v1/applications/${rep.body.id}`).set(as(company)).expect(200);
  });

  it('attaches uploaded files to materials of the guide, serves and removes them', async () => {
    const d = await steps.draft(alice, serviceId);
    const pdf = samples.pdf();
    const fileId = await steps.upload(alice, pdf);
    const bad = await t.http
      .post(`/v1/applications/${d.id}/attachments`)
      .set(as(alice))
      .send({ fileId, material: '户口本' })
      .expect(400);
    expect(bad.body.errors[0]).toMatchObject({ pointer: '/material', code: 'material' });
    expect(
      await count('SELECT count(*)::int AS n FROM application_attachment WHERE application_id = $1', [d.id]),
    ).toBe(0);
    // someone else's file is not found
    const bobsFile = await steps.upload(bob);
    await t.http
      .post(`/v1/applications/${d.id}/attachments`)
      .set(as(alice))
      .send({ fileId: bobsFile, material: '身份证' })
      .expect(404);

    const withFile = await steps.attach(alice, d.id, '身份证', fileId);
    expect(withFile.attachments).toEqual([
      expect.objectContaining({ material: '身份证', fileId, size: pdf.length, phase: 'application' }),
    ]);
    const attachmentId = withFile.attachments[0].id;
    const content = await t.http
      .get(`/v1/applications/${d.id}/attachments/${attachmentId}/content`)
      .set(as(alice))
      .buffer(true)
      .parse((res, cb) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => cb(null, Buffer.concat(chunks)));
      })
      .expect(200);
    expect(Buffer.compare(content.body as Buffer, pdf)).toBe(0);
    await t.http.get(`/v1/applications/${d.id}/attachments/${attachmentId}/content`).set(as(bob)).expect(404);

    const after = await t.http
      .delete(`/v1/applications/${d.id}/attachments/${attachmentId}`)
      .set(as(alice))
      .expect(200);
    expect(after.body.attachments).toEqual([]);
    // discarding the draft lets go of its files (the purge job removes them)
    const again = await steps.attach(alice, d.id, '身份证');
    await t.http.delete(`/v1/applications/${d.id}`).set(as(alice)).expect(204);
    expect(
      await count('SELECT count(*)::int AS n FROM stored_file WHERE id = $1 AND subject_id IS NULL', [
        again.attachments[0].fileId,
      ]),
    ).toBe(1);
    expect(
      await count('SELECT count(*)::int AS n FROM stored_file WHERE id = $1 AND subject_id IS NULL', [
        fileId,
      ]),
    ).toBe(1);
  });

  it('refuses a submission whose form is invalid (400 with pointers) and changes nothing', async () => {
    const d = await steps.draft(alice, serviceId, { applicantName: '张三', phone: 'not-a-phone', extra: 1 });
    await steps.attach(alice, d.id, '身份证');
    const res = await t.http.post(`/v1/applications/${d.id}/submit`).set(as(alice)).expect(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
    const pointers = (res.body.errors as Array<{ pointer: string }>).map((e) => e.pointer);
    expect(pointers).toEqual(expect.arrayContaining(['/formData/phone', '/formData/extra']));
    expect(await steps.row(d.id)).toMatchObject({ status: 'draft', number: null, submitted_at: null });
    expect(await steps.caseOf(d.id)).toBeUndefined();
  });

  it('refuses a submission without every required material (400 /attachments)', async () => {
    const d = await steps.draft(alice, serviceId);
    await steps.attach(alice, d.id, '经营场所证明'); // optional material only
    const res = await t.http.post(`/v1/applications/${d.id}/submit`).set(as(alice)).expect(400);
    expect(res.body.errors).toEqual([
      expect.objectContaining({
        pointer: '/attachments',
        code: 'requiredMaterial',
        message: expect.stringContaining('身份证'),
      }),
    ]);
    expect(await steps.row(d.id)).toMatchObject({ status: 'draft', number: null });
  });

  it('submits once: numbered, a case opened in the same transaction, replayed by Idempotency-Key, then 409', async () => {
    const d = await steps.draft(alice, serviceId);
    await steps.attach(alice, d.id, '身份证');
    const key = `submit-${randomUUID()}`;
    const res = await t.http
      .post(`/v1/applications/${d.id}/submit`)
      .set(as(alice))
      .set('Idempotency-Key', key)
      .expect(200);
    const a = res.body as AppBody;
    expect(a).toMatchObject({ id: d.id, status: 'submitted', submittedAt: expect.any(String) });
    expect(a.number).toMatch(/^\d{8}990000\d{6}$/);
    expect(a.promisedDueAt).toEqual(expect.any(String));
    const c = await steps.caseOf(d.id);
    expect(c).toMatchObject({ status: 'open', number: a.number });
    expect(await steps.row(d.id)).toMatchObject({ status: 'submitted', number: a.number });
    // The answer is the row as committed (version, dates, attachments), exactly as a read shows it.
    const read = await t.http.get(`/v1/applications/${d.id}`).set(as(alice)).expect(200);
    expect(a).toEqual(read.body);
    expect(res.headers.etag ?? `"v${a.version}"`).toBe(read.headers.etag);
    await drained(t.app);
    expect(
      await count(
        "SELECT count(*)::int AS n FROM inbox_message WHERE account_id = $1 AND template = 'application.status_changed'",
        [alice.id],
      ),
    ).toBeGreaterThan(0);

    const replay = await t.http
      .post(`/v1/applications/${d.id}/submit`)
      .set(as(alice))
      .set('Idempotency-Key', key)
      .expect(200);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body).toEqual(a);

    const again = await t.http.post(`/v1/applications/${d.id}/submit`).set(as(alice)).expect(409);
    expect(again.body.code).toBe('INVALID_TRANSITION');
    await t.http
      .put(`/v1/applications/${d.id}`)
      .set(as(alice))
      .set('If-Match', '*')
      .send({ formData: GOOD_FORM })
      .expect(409);
    await t.http.delete(`/v1/applications/${d.id}`).set(as(alice)).expect(409);
    expect(await count('SELECT count(*)::int AS n FROM case_file WHERE subject_id = $1', [d.id])).toBe(1);
  });

  it('gives distinct numbers to submissions at the same time', async () => {
    const drafts = await Promise.all([1, 2, 3].map(() => steps.draft(alice, serviceId)));
    for (const d of drafts) await steps.attach(alice, d.id, '身份证');
    const results = await Promise.all(
      drafts.map((d) => t.http.post(`/v1/applications/${d.id}/submit`).set(as(alice))),
    );
    expect(results.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(new Set(results.map((r) => (r.body as AppBody).number)).size).toBe(3);
  });

  it("answers another citizen's probes with 404 on every route, and changes nothing", async () => {
    const d = await steps.draft(alice, serviceId);
    const attached = await steps.attach(alice, d.id, '身份证');
    const att = attached.attachments[0].id;
    const probes = [
      t.http.get(`/v1/applications/${d.id}`),
      t.http.put(`/v1/applications/${d.id}`).set('If-Match', '*').send({ formData: {} }),
      t.http.delete(`/v1/applications/${d.id}`),
      t.http.post(`/v1/applications/${d.id}/attachments`).send({ fileId: randomUUID(), material: '身份证' }),
      t.http.delete(`/v1/applications/${d.id}/attachments/${att}`),
      t.http.get(`/v1/applications/${d.id}/attachments/${att}/content`),
      t.http.post(`/v1/applications/${d.id}/submit`),
      t.http.get(`/v1/applications/${d.id}/timeline`),
      t.http.post(`/v1/applications/${d.id}/supplement`).send({}),
      t.http.post(`/v1/applications/${d.id}/withdraw`).send({}),
    ];
    for (const probe of probes) {
      const res = await probe.set(as(bob));
      expect([res.status, res.body.code]).toEqual([404, 'NOT_FOUND']);
    }
    expect(await steps.row(d.id)).toMatchObject({ status: 'draft', version: attached.version });
  });

  it('lets staff of the case unit read it masked (audited as a personal-data read); others get 404', async () => {
    const a = await steps.submitted(alice, serviceId);
    const clerkX = await staff.person(X, [{ role: RoleName.Clerk, unit: X }]);
    const clerkY = await staff.person(Y, [{ role: RoleName.Clerk, unit: Y }]);
    const auditorX = await staff.person(X, [{ role: RoleName.Auditor, unit: X }]);
    const res = await t.http.get(`/v1/applications/${a.id}`).set(staff.tok(clerkX)).expect(200);
    expect(res.body.formData).toMatchObject({ applicantName: '张三', phone: '138****5678' });
    const leaves = await t.db.query<{ actor_id: string; subject_id: string }>(
      "SELECT actor_id, subject_id FROM audit_leaf WHERE action = 'application.read' AND resource_id = $1",
      [a.id],
    );
    expect(leaves).toEqual([{ actor_id: clerkX.id, subject_id: alice.id }]);
    const access = await t.http.get('/v1/me/data-access').set(as(alice)).expect(200);
    expect(JSON.stringify(access.body)).toContain('application.read');

    await t.http.get(`/v1/applications/${a.id}`).set(staff.tok(clerkY)).expect(404);
    await t.http.get(`/v1/applications/${a.id}`).set(staff.tok(auditorX)).expect(403);
    // drafts have no case: staff never see them
    const d = await steps.draft(alice, serviceId);
    await t.http.get(`/v1/applications/${d.id}`).set(staff.tok(clerkX)).expect(404);
    // staff do not act as applicants
    await t.http.post('/v1/applications').set(staff.tok(clerkX)).send({ serviceId }).expect(403);
  });

  it('serves GraphQL: createApplication, myApplications, submitApplication with an idempotency key', async () => {
    const gql = (query: string, variables: Record<string, unknown>) =>
      t.http.post('/graphql').set(as(alice)).send({ query, variables });
    const fields = 'id status number formData attachments { material } timeline { kind title }';
    const created = await gql(
      `mutation($input: CreateApplicationInput!) { createApplication(input: $input) { ${fields} } }`,
      { input: { serviceId, formData: GOOD_FORM } },
    ).expect(200);
    const app = created.body.data.createApplication as { id: string; formData: Record<string, unknown> };
    expect(app.formData).toEqual(GOOD_FORM);
    const bad = await gql(
      `mutation($input: CreateApplicationInput!) { createApplication(input: $input) { id } }`,
      { input: { serviceId, formData: [1] } },
    );
    expect(bad.body.errors[0].extensions.code).toBe('VALIDATION_FAILED');
    const fileId = await steps.upload(alice);
    const attached = await gql(
      `mutation($id: ID!, $input: ApplicationAttachmentInput!) { attachApplicationFile(id: $id, input: $input) { attachments { id material } } }`,
      { id: app.id, input: { fileId, material: '身份证' } },
    ).expect(200);
    expect(attached.body.data.attachApplicationFile.attachments).toEqual([
      { id: expect.any(String), material: '身份证' },
    ]);
    const submit = `mutation($id: ID!, $key: String) { submitApplication(id: $id, idempotencyKey: $key) { id status number } }`;
    const key = `gql-${randomUUID()}`;
    const first = await gql(submit, { id: app.id, key }).expect(200);
    expect(first.body.data.submitApplication).toMatchObject({ id: app.id, status: 'submitted' });
    const replay = await gql(submit, { id: app.id, key }).expect(200);
    expect(replay.body.data.submitApplication).toEqual(first.body.data.submitApplication);
    const again = await gql(submit, { id: app.id }).expect(200);
    expect(again.body.errors[0].extensions.code).toBe('INVALID_TRANSITION');

    const list = await gql(
      `query { myApplications(first: 50, status: submitted) { edges { node { id status } } pageInfo { hasNextPage } } }`,
      {},
    ).expect(200);
    expect(list.body.data.myApplications.edges.map((e: { node: { id: string } }) => e.node.id)).toContain(
      app.id,
    );
    const other = await t.http
      .post('/graphql')
      .set(as(bob))
      .send({ query: `query($id: ID!) { application(id: $id) { id } }`, variables: { id: app.id } });
    expect(other.body.errors[0].extensions.code).toBe('NOT_FOUND');
    const junk = await gql(`query($id: ID!) { application(id: $id) { id } }`, { id: 'x' });
    expect(junk.body.errors[0].extensions.code).toBe('NOT_FOUND');
    const draft = await steps.draft(alice, serviceId);
    const discarded = await gql(`mutation($id: ID!) { discardApplication(id: $id) }`, {
      id: draft.id,
    }).expect(200);
    expect(discarded.body.data.discardApplication).toBe(true);
    expect(await steps.row(draft.id)).toBeUndefined();
  });

  it("speaks REST's types over GraphQL: DateTime strings, JSONObject form data, REST enum values, totalCount", async () => {
    const carol = await signedInCitizen(t);
    const submitted = [await steps.submitted(carol, serviceId), await steps.submitted(carol, serviceId)];
    await steps.draft(carol, serviceId, { applicantName: '草稿' });
    const gql = (query: string, variables: Record<string, unknown> = {}) =>
      t.http.post('/graphql').set(as(carol)).send({ query, variables }).expect(200);

    const one = await gql(
      `query($id: ID!) { application(id: $id) {
        status formData createdAt updatedAt submittedAt promisedDueAt attachments { createdAt } } }`,
      { id: submitted[0].id },
    );
    expect(one.body.errors).toBeUndefined();
    const rest = (await t.http.get(`/v1/applications/${submitted[0].id}`).set(as(carol)).expect(200))
      .body as Record<string, unknown> & { attachments: { createdAt: string }[] };
    const node = one.body.data.application as Record<string, unknown>;
    // the same strings as REST's JSON, RFC 3339 with an offset
    for (const k of ['createdAt', 'updatedAt', 'submittedAt', 'promisedDueAt']) {
      expect(node[k]).toBe(rest[k]);
      expect(node[k]).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/);
    }
    expect(node.attachments).toEqual([{ createdAt: rest.attachments[0].createdAt }]);
    // an object, not JSON text; the enum value is REST's string
    expect(node.formData).toEqual(rest.formData);
    expect(node.formData).toEqual(GOOD_FORM);
    expect(node.status).toBe('submitted');
    expect(rest.status).toBe('submitted');

    // totalCount: every match of the filter (not just the page), as the table holds them
    const dbCount = async (status: string) =>
      count('SELECT count(*)::int AS n FROM application WHERE applicant_account_id = $1 AND status = $2', [
        carol.id,
        status,
      ]);
    const page = await gql(
      'query($s: ApplicationStatus) { myApplications(first: 1, status: $s) { totalCount edges { node { id status } } pageInfo { hasNextPage } } }',
      { s: 'submitted' },
    );
    expect(page.body.errors).toBeUndefined();
    expect(page.body.data.myApplications.edges).toHaveLength(1);
    expect(page.body.data.myApplications.pageInfo.hasNextPage).toBe(true);
    expect(page.body.data.myApplications.totalCount).toBe(await dbCount('submitted'));
    expect(page.body.data.myApplications.totalCount).toBe(2);
    const drafts = await gql('{ myApplications(status: draft) { totalCount } }');
    expect(drafts.body.data.myApplications.totalCount).toBe(await dbCount('draft'));
    expect(drafts.body.data.myApplications.totalCount).toBe(1);
    const first = await gql('{ myApplications(first: 1) { totalCount pageInfo { endCursor } } }');
    const after = await gql('query($a: String) { myApplications(first: 1, after: $a) { totalCount } }', {
      a: first.body.data.myApplications.pageInfo.endCursor,
    });
    expect(first.body.data.myApplications.totalCount).toBe(3);
    // the cursor narrows the page, not the count
    expect(after.body.data.myApplications.totalCount).toBe(3);

    // the old upper-case names and JSON text are gone: a validation error, as REST's for an unknown status
    const oldName = await t.http
      .post('/graphql')
      .set(as(carol))
      .send({ query: '{ myApplications(status: Submitted) { totalCount } }' })
      .expect(400);
    expect(oldName.body.errors[0].extensions.code).toBe('VALIDATION_FAILED');
    await t.http.get('/v1/applications?status=Submitted').set(as(carol)).expect(400);
    const text = await t.http
      .post('/graphql')
      .set(as(carol))
      .send({
        query: 'mutation($i: CreateApplicationInput!) { createApplication(input: $i) { id } }',
        variables: { i: { serviceId, formData: JSON.stringify(GOOD_FORM) } },
      });
    expect(text.body.errors[0].extensions.code).toBe('VALIDATION_FAILED');
    expect(await dbCount('draft')).toBe(1);
  });

  it('creates a draft over GraphQL at most once per idempotencyKey, per caller', async () => {
    const create = `mutation($input: CreateApplicationInput!, $key: String) { createApplication(input: $input, idempotencyKey: $key) { id status } }`;
    const run = (who: typeof alice, variables: Record<string, unknown>) =>
      t.http.post('/graphql').set(as(who)).send({ query: create, variables });
    const input = { serviceId, formData: { applicantName: '李四' } };
    const key = `gql-draft-${randomUUID()}`;
    const count = async () =>
      Number(
        (
          await t.db.query<{ n: string }>(
            `SELECT count(*) AS n FROM application WHERE service_id = $1 AND form_data->>'applicantName' = '李四'`,
            [serviceId],
          )
        )[0].n,
      );
    const before = await count();
    const first = await run(alice, { input, key }).expect(200);
    expect(first.body.errors).toBeUndefined();
    const replay = await run(alice, { input, key }).expect(200);
    expect(replay.body.data.createApplication).toEqual(first.body.data.createApplication);
    expect(await count()).toBe(before + 1);
    // The same key with another request is refused and creates nothing.
    const other = await run(alice, {
      input: { ...input, formData: { applicantName: '李四', note: 'x' } },
      key,
    });
    expect(other.body.errors[0].extensions.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(await count()).toBe(before + 1);
    // Keys are the caller's own: bob's draft with alice's key is his, and new.
    const bobs = await run(bob, { input, key }).expect(200);
    expect(bobs.body.data.createApplication.id).not.toBe(first.body.data.createApplication.id);
    expect(await count()).toBe(before + 2);
    // A malformed key is refused before anything is written.
    const bad = await run(alice, { input, key: 'has spaces' });
    expect(bad.body.errors[0].extensions.code).toBe('IDEMPOTENCY_KEY_INVALID');
    expect(await count()).toBe(before + 2);
    // Without a key, each call is a new draft.
    await run(alice, { input }).expect(200);
    expect(await count()).toBe(before + 3);
  });

  describe('GraphQL mutations with an idempotencyKey, like their REST twins', () => {
    let clerk: Person | undefined;
    const citizens = { callers: (): [Citizen, Citizen] => [alice, bob], headers: as };
    const ofBoth = (sql: string) => count(sql, [[alice.id, bob.id]]);
    const cases: Record<string, KeyedMutation<Citizen>> = {
      attachApplicationFile: {
        ...citizens,
        query: `mutation($id: ID!, $input: ApplicationAttachmentInput!, $key: String) {
          attachApplicationFile(id: $id, input: $input, idempotencyKey: $key) { id version attachments { id material fileId } } }`,
        fresh: async (c) => ({
          id: (await steps.draft(c, serviceId)).id,
          input: { fileId: await steps.upload(c), material: '身份证' },
        }),
        changed: (v) => ({ ...v, input: { ...(v.input as object), material: '经营场所证明' } }),
        effects: () =>
          ofBoth(`SELECT count(*)::int AS n FROM application_attachment f JOIN application a ON a.id = f.application_id
                  WHERE a.applicant_account_id = ANY($1)`),
        rest: (v) => ({
          path: `/v1/applications/${v.id as string}/attachments`,
          body: v.input as object,
          status: 201,
        }),
      },
      answerSupplement: {
        ...citizens,
        query: `mutation($id: ID!, $input: SupplementAnswerInput!, $key: String) {
          answerSupplement(id: $id, input: $input, idempotencyKey: $key) { id status version formData supplement { answeredAt } } }`,
        fresh: async (c) => {
          const a = await steps.submitted(c, serviceId);
          clerk ??= await staff.person(X, [{ role: RoleName.Clerk, unit: X }]);
          await steps.act(staff.tok(clerk), a.id, 'request_supplement', {
            items: [{ field: 'shopArea', description: '请填写实际经营面积' }],
          });
          return { id: a.id, input: { formData: { shopArea: 30 } } };
        },
        changed: (v) => ({ ...v, input: { formData: { shopArea: 31 } } }),
        effects: () =>
          ofBoth(`SELECT count(*)::int AS n FROM application
                  WHERE applicant_account_id = ANY($1) AND supplement->>'answeredAt' IS NOT NULL`),
        rest: (v) => ({
          path: `/v1/applications/${v.id as string}/supplement`,
          body: { formData: (v.input as { formData: object }).formData },
          status: 200,
        }),
      },
      withdrawApplication: {
        ...citizens,
        query: `mutation($id: ID!, $reason: String, $key: String) {
          withdrawApplication(id: $id, reason: $reason, idempotencyKey: $key) { id status version withdrawnAt } }`,
        fresh: async (c) => ({ id: (await steps.submitted(c, serviceId)).id, reason: '不再需要' }),
        changed: (v) => ({ ...v, reason: '另行申请' }),
        effects: () =>
          ofBoth(`SELECT count(*)::int AS n FROM application
                  WHERE applicant_account_id = ANY($1) AND status = 'withdrawn'`),
        rest: (v) => ({
          path: `/v1/applications/${v.id as string}/withdraw`,
          body: { reason: v.reason },
          status: 200,
        }),
      },
    };

    it.each(Object.keys(cases))('%s acts at most once per key and caller', (name) =>
      expectOncePerKey(t, cases[name]),
    );
  });

  it('lets a retired service keep its drafts but not take submissions', async () => {
    const pub = { serviceId: await publishedService(t, X) };
    const d = await steps.draft(alice, pub.serviceId);
    await steps.attach(alice, d.id, '身份证');
    await t.db.query("UPDATE service SET status = 'retired' WHERE id = $1", [pub.serviceId]);
    const res = await t.http.post(`/v1/applications/${d.id}/submit`).set(as(alice)).expect(409);
    expect(res.body.code).toBe('INVALID_TRANSITION');
  });
});
