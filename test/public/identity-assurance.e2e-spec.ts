import { Permission } from '../../src/api/auth/permission';
import { Citizen, nationalId, signedInCitizen } from '../identity/citizen-fixtures';
import { RoleName } from '../../src/modules/platform/identity/staff/role-catalogue';
import { makeUnit, signedInStaff } from '../identity/staff-fixtures';
import { startTestApp, TestApp } from '../support/test-app';
import { scopedToken } from '../support/tokens';
import { publishServiceWithWorkflow, SERVICE_FORM } from '../support/workflow-fixtures';
import { AppBody, applicationSteps, as, guideContent } from './applications-helpers';

/**
 * Issue 11 §2: a service declares the identity assurance its applications need; a submission from a
 * lower level is refused (403, nothing changed); fields bound to the verified identity are filled
 * from the account and locked.
 */
describe('identity assurance per service, prefilled and locked verified fields', () => {
  let t: TestApp;
  let unit: string;
  let serviceId: string;
  let plainServiceId: string;
  let verified: Citizen & { realName: string; nationalId: string };
  let unverified: Citizen;
  const steps = applicationSteps(() => t);
  const staff = signedInStaff(() => t);

  /** The test form plus the applicant's name and ID number bound to the verified identity. */
  const BOUND_FORM = {
    ...SERVICE_FORM,
    properties: {
      ...SERVICE_FORM.properties,
      applicantName: {
        ...SERVICE_FORM.properties.applicantName,
        'x-personal': 'name',
        'x-identity': 'realName',
      },
      idNumber: {
        type: 'string',
        pattern: '^\\d{17}[\\dX]$',
        'x-ui': { label: { 'zh-CN': '公民身份号码', en: 'ID number' }, order: 3 },
        'x-personal': 'nationalId',
        'x-identity': 'nationalId',
      },
    },
    required: ['applicantName', 'idNumber', 'phone'],
  };
  const content = (over: Record<string, unknown> = {}) => ({
    ...guideContent(),
    form: BOUND_FORM,
    requiredAssurance: 'real_name',
    ...over,
  });
  const catalogToken = () =>
    scopedToken(t, 'staff', [Permission.CatalogManage, Permission.CatalogReview, Permission.WorkflowManage]);
  const count = async (sql: string, params: unknown[]): Promise<number> =>
    Number((await t.db.query<{ n: string }>(sql, params))[0].n);

  /** PUT /v1/me/profile with the If-Match it needs. */
  const profile = async (c: Pick<Citizen, 'accessToken'>, body: Record<string, unknown>) => {
    const me = await t.http.get('/v1/me').set(as(c)).expect(200);
    return t.http.put('/v1/me/profile').set(as(c)).set('If-Match', String(me.headers.etag)).send(body);
  };

  /** A citizen whose identity a counter clerk has verified (set in SQL: the verification itself is tested apart). */
  async function verifiedCitizen(): Promise<Citizen & { realName: string; nationalId: string }> {
    const c = await signedInCitizen(t);
    const id = nationalId();
    expect((await profile(c, { realName: '陈实名', nationalId: id })).status).toBe(200);
    await t.db.query(
      `UPDATE account SET identity_assurance = 'real_name', identity_verified_by = 'counter', identity_verified_at = now()
       WHERE id = $1`,
      [c.id],
    );
    return { ...c, realName: '陈实名', nationalId: id };
  }

  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMIT_ANONYMOUS: '100000', RATE_LIMIT_AUTHENTICATED: '100000' });
    unit = await makeUnit(t, '实名事项局');
    serviceId = (await publishServiceWithWorkflow(t, unit, { content: content() })).serviceId;
    plainServiceId = (
      await publishServiceWithWorkflow(t, unit, { content: content({ requiredAssurance: undefined }) })
    ).serviceId;
    verified = await verifiedCitizen();
    unverified = await signedInCitizen(t);
  });
  afterAll(() => t.close());

  it('shows the requirement in the staff view, the public guide (both modes), the list and GraphQL', async () => {
    const token = await catalogToken();
    const admin = await t.http
      .get(`/v1/catalog/services/${serviceId}`)
      .set({ Authorization: `Bearer ${token}` })
      .expect(200);
    expect(admin.body.requiredAssurance).toBe('real_name');
    expect(admin.body.published.content.requiredAssurance).toBe('real_name');
    const guide = await t.http.get(`/v1/services/${serviceId}`).expect(200);
    expect(guide.body.requiredAssurance).toBe('real_name');
    expect(guide.body.form.properties.idNumber['x-identity']).toBe('nationalId');
    expect(
      (await t.http.get(`/v1/services/${serviceId}?mode=elder`).expect(200)).body.requiredAssurance,
    ).toBe('real_name');
    expect((await t.http.get(`/v1/services/${plainServiceId}`).expect(200)).body.requiredAssurance).toBe(
      'none',
    );
    const list = await t.http.get('/v1/services?limit=100&region=99').expect(200);
    const listed = (list.body.items as Array<{ id: string; requiredAssurance: string }>).find(
      (s) => s.id === serviceId,
    );
    expect(listed?.requiredAssurance).toBe('real_name');
    const [row] = await t.db.query<{ required_assurance: string }>(
      'SELECT required_assurance FROM service WHERE id = $1',
      [serviceId],
    );
    expect(row.required_assurance).toBe('real_name');
    const gql = await t.http
      .post('/graphql')
      .send({
        query: `query($id: ID!) { service(id: $id) { requiredAssurance } }`,
        variables: { id: serviceId },
      })
      .expect(200);
    expect(gql.body.data.service.requiredAssurance).toBe('real_name');
  });

  it('takes a new requirement only through revise → submit → publish', async () => {
    const token = { Authorization: `Bearer ${await catalogToken()}` };
    const { serviceId: id } = await publishServiceWithWorkflow(t, unit, {
      content: content({ requiredAssurance: 'none' }),
    });
    await t.http.post(`/v1/catalog/services/${id}/revise`).set(token).send().expect(200);
    const draft = await t.http.get(`/v1/catalog/services/${id}`).set(token).expect(200);
    await t.http
      .put(`/v1/catalog/services/${id}/draft`)
      .set(token)
      .set('If-Match', `"v${draft.body.version}"`)
      .send(content({ requiredAssurance: 'real_name' }))
      .expect(200);
    // Not in force until published: the public guide still says none.
    expect((await t.http.get(`/v1/services/${id}`).expect(200)).body.requiredAssurance).toBe('none');
    await t.http.post(`/v1/catalog/services/${id}/submit`).set(token).send().expect(200);
    const published = await t.http.post(`/v1/catalog/services/${id}/publish`).set(token).send().expect(200);
    expect(published.body.requiredAssurance).toBe('real_name');
    expect((await t.http.get(`/v1/services/${id}`).expect(200)).body.requiredAssurance).toBe('real_name');
    // An unknown level is a 400 on save.
    const bad = await t.http
      .post('/v1/catalog/services')
      .set(token)
      .send({
        organisationId: unit,
        implementationCode: `IA-${Date.now()}`,
        type: 'administrative_licence',
        target: 'person',
        draft: content({ requiredAssurance: 'super' }),
      })
      .expect(400);
    expect(bad.body.errors.map((e: { pointer: string }) => e.pointer)).toContain('/draft/requiredAssurance');
  });

  it('refuses an x-identity that binds no form field, or a field not kept encrypted', async () => {
    const token = { Authorization: `Bearer ${await catalogToken()}` };
    const create = (form: Record<string, unknown>) =>
      t.http
        .post('/v1/catalog/services')
        .set(token)
        .send({
          organisationId: unit,
          implementationCode: `IA-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`,
          type: 'administrative_licence',
          target: 'person',
          draft: content({ form }),
        });
    const nested = await create({
      type: 'object',
      properties: {
        applicant: {
          type: 'object',
          properties: { name: { type: 'string', 'x-identity': 'realName' } },
        },
      },
    });
    expect(nested.status).toBe(400);
    expect(nested.body.errors).toEqual([
      expect.objectContaining({
        pointer: '/draft/form/properties/applicant/properties/name/x-identity',
        code: 'formSchema',
      }),
    ]);
    const atRoot = await create({ type: 'object', 'x-identity': 'realName', properties: {} });
    expect(atRoot.status).toBe(400);
    expect(atRoot.body.errors[0].pointer).toBe('/draft/form/x-identity');
    const unmarked = await create({
      type: 'object',
      properties: { name: { type: 'string', 'x-identity': 'realName' } },
    });
    expect(unmarked.status).toBe(400);
    expect(unmarked.body.errors[0]).toMatchObject({ pointer: '/draft/form/properties/name/x-identity' });
    const twice = await create({
      type: 'object',
      properties: {
        a: { type: 'string', 'x-personal': 'nationalId', 'x-identity': 'nationalId' },
        b: { type: 'string', 'x-personal': 'nationalId', 'x-identity': 'nationalId' },
      },
    });
    expect(twice.status).toBe(400);
    expect(twice.body.errors[0]).toMatchObject({ pointer: '/draft/form/properties/b/x-identity' });
    const unknown = await create({
      type: 'object',
      properties: { a: { type: 'string', 'x-personal': 'name', 'x-identity': 'birthday' } },
    });
    expect(unknown.status).toBe(400);
    expect(await count(`SELECT count(*) AS n FROM service WHERE implementation_code LIKE 'IA-%'`, [])).toBe(
      0,
    );
  });

  it('lets an unverified citizen keep a draft but refuses the submission (403), changing nothing', async () => {
    const d = await steps.draft(unverified, serviceId, {
      applicantName: '自称张三',
      idNumber: nationalId(),
      phone: '13812345678',
    });
    // Not verified: the bound fields are the citizen's own word, left as typed.
    expect(d.formData.applicantName).toBe('自称张三');
    await steps.attach(unverified, d.id, '身份证');
    const before = await steps.row(d.id);
    const res = await t.http.post(`/v1/applications/${d.id}/submit`).set(as(unverified)).send();
    expect(res.status).toBe(403);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.body).toMatchObject({
      code: 'IDENTITY_ASSURANCE_REQUIRED',
      status: 403,
      type: 'https://onewindow.dev/problems/identity-assurance-required',
      requiredAssurance: 'real_name',
      title: '需要实名认证',
    });
    expect(res.body.detail).toContain('国家网络身份认证');
    const en = await t.http
      .post(`/v1/applications/${d.id}/submit`)
      .set(as(unverified))
      .set('Accept-Language', 'en')
      .send()
      .expect(403);
    expect(en.body.detail).toContain('national eID');
    // Nothing changed: still a draft, no number, no case, no submission audited.
    expect(await steps.row(d.id)).toEqual(before);
    expect(await steps.caseOf(d.id)).toBeUndefined();
    expect(
      await count(
        `SELECT count(*) AS n FROM audit_leaf WHERE action = 'application.submit' AND resource_id = $1`,
        [d.id],
      ),
    ).toBe(0);
    // GraphQL speaks the same code and member.
    const gql = await t.http
      .post('/graphql')
      .set(as(unverified))
      .send({
        query: 'mutation($id: ID!) { submitApplication(id: $id) { id status } }',
        variables: { id: d.id },
      })
      .expect(200);
    expect(gql.body.errors[0].extensions).toMatchObject({
      code: 'IDENTITY_ASSURANCE_REQUIRED',
      status: 403,
      requiredAssurance: 'real_name',
    });
    expect((await steps.row(d.id))?.status).toBe('draft');
  });

  it('fills the bound fields from the verified identity, stores them encrypted, and lets the submission through', async () => {
    const d = await steps.draft(verified, serviceId, { phone: '13812345678' });
    expect(d.formData).toMatchObject({
      applicantName: verified.realName,
      idNumber: verified.nationalId,
      phone: '13812345678',
    });
    const row = await steps.row(d.id);
    expect(JSON.stringify(row?.form_data)).not.toContain(verified.nationalId);
    expect(String(row?.form_personal)).not.toContain(verified.nationalId);
    expect(String(row?.form_personal)).not.toContain(verified.realName);
    const read = await t.http.get(`/v1/applications/${d.id}`).set(as(verified)).expect(200);
    expect(read.body.formData.idNumber).toBe(verified.nationalId);
    // The same values given again (the ID's check letter in either case) are not a change.
    await t.http
      .put(`/v1/applications/${d.id}`)
      .set(as(verified))
      .set('If-Match', `"v${d.version}"`)
      .send({
        formData: {
          applicantName: verified.realName,
          idNumber: verified.nationalId.toLowerCase(),
          phone: '13812345679',
        },
      })
      .expect(200);
    await steps.attach(verified, d.id, '身份证');
    const submitted = await t.http
      .post(`/v1/applications/${d.id}/submit`)
      .set(as(verified))
      .send()
      .expect(200);
    expect(submitted.body).toMatchObject({
      status: 'submitted',
      formData: { applicantName: verified.realName },
    });
    expect((await steps.caseOf(d.id)).status).toBeTruthy();
    // Staff see the verified values masked, like any personal field.
    const clerk = await staff.person(unit, [{ role: RoleName.Clerk, unit }]);
    const seen = await t.http.get(`/v1/applications/${d.id}`).set(staff.tok(clerk)).expect(200);
    expect(seen.body.formData.idNumber).not.toBe(verified.nationalId);
    expect(seen.body.formData.idNumber).toContain(verified.nationalId.slice(-4));
  });

  it('refuses a draft or an update that changes a locked field (400 form.locked, pointer, both languages)', async () => {
    const drafts = () =>
      count(`SELECT count(*) AS n FROM application WHERE applicant_account_id = $1`, [verified.id]);
    const before = await drafts();
    const other = await t.http
      .post('/v1/applications')
      .set(as(verified))
      .send({ serviceId, formData: { applicantName: '冒名', phone: '13812345678' } });
    expect(other.status).toBe(400);
    expect(other.body.errors).toEqual([
      {
        pointer: '/formData/applicantName',
        code: 'form.locked',
        message: '“申请人姓名”已按您的实名认证信息填写，不能修改',
      },
    ]);
    expect(await drafts()).toBe(before);
    const d = await steps.draft(verified, plainServiceId, {});
    const changed = await t.http
      .put(`/v1/applications/${d.id}`)
      .set(as(verified))
      .set('If-Match', `"v${d.version}"`)
      .set('Accept-Language', 'en')
      .send({ formData: { idNumber: nationalId() } });
    expect(changed.status).toBe(400);
    expect(changed.body.errors).toEqual([
      {
        pointer: '/formData/idNumber',
        code: 'form.locked',
        message: 'ID number is filled from your verified identity and cannot be changed',
      },
    ]);
    expect((await steps.row(d.id))?.version).toBe(d.version);
  });

  it('refuses a supplement answer that changes a locked field, and takes one that keeps it', async () => {
    const a = await steps.submitted(verified, serviceId, { phone: '13812345678' });
    const clerk = await staff.person(unit, [{ role: RoleName.Clerk, unit }]);
    await steps.act(staff.tok(clerk), a.id, 'request_supplement', {
      items: [{ field: 'applicantName', description: '请核对姓名' }],
      reason: '信息有误',
    });
    const before = await steps.row(a.id);
    const changed = await t.http
      .post(`/v1/applications/${a.id}/supplement`)
      .set(as(verified))
      .send({ formData: { applicantName: '改名' } });
    expect(changed.status).toBe(400);
    expect(changed.body.errors).toEqual([
      expect.objectContaining({ pointer: '/formData/applicantName', code: 'form.locked' }),
    ]);
    expect(await steps.row(a.id)).toEqual(before);
    const kept = await t.http
      .post(`/v1/applications/${a.id}/supplement`)
      .set(as(verified))
      .send({ formData: { applicantName: verified.realName } })
      .expect(200);
    expect(kept.body.supplement.answeredAt).not.toBeNull();
    expect(kept.body.formData.applicantName).toBe(verified.realName);
  });

  it('applies the binding on a service with no requirement only to verified accounts', async () => {
    const typed = nationalId();
    const own = await steps.draft(unverified, plainServiceId, {
      applicantName: '李自填',
      idNumber: typed,
      phone: '13812345678',
    });
    expect(own.formData).toMatchObject({ applicantName: '李自填', idNumber: typed });
    await steps.attach(unverified, own.id, '身份证');
    await t.http.post(`/v1/applications/${own.id}/submit`).set(as(unverified)).send().expect(200);
  });

  it('fills a draft written before verification with the verified values when read and submitted', async () => {
    const later = await signedInCitizen(t);
    const id = nationalId();
    expect((await profile(later, { realName: '赵后验', nationalId: id })).status).toBe(200);
    const d = await steps.draft(later, serviceId, {
      applicantName: '赵旧名',
      idNumber: nationalId(),
      phone: '13812345678',
    });
    await t.db.query(
      `UPDATE account SET identity_assurance = 'real_name', identity_verified_by = 'counter', identity_verified_at = now()
       WHERE id = $1`,
      [later.id],
    );
    const read = await t.http.get(`/v1/applications/${d.id}`).set(as(later)).expect(200);
    expect(read.body.formData).toMatchObject({ applicantName: '赵后验', idNumber: id });
    await steps.attach(later, d.id, '身份证');
    const submitted = await t.http.post(`/v1/applications/${d.id}/submit`).set(as(later)).send().expect(200);
    expect(submitted.body.formData).toMatchObject({ applicantName: '赵后验', idNumber: id });
  });

  it('lets a counter clerk verify a citizen by identity card (audited), after which the submission passes', async () => {
    const person = await signedInCitizen(t);
    const d = await steps.draft(person, serviceId, { applicantName: '周自填', phone: '13812345678' });
    await steps.attach(person, d.id, '身份证');
    await t.http.post(`/v1/applications/${d.id}/submit`).set(as(person)).send().expect(403);
    const card = { realName: '周卡名', nationalId: nationalId() };
    const path = `/v1/accounts/${person.id}/identity-verification`;
    // Who may not: the citizen themself, staff without case:handle, anonymous.
    await t.http.post(path).set(as(person)).send(card).expect(403);
    const auditor = await staff.person(unit, [{ role: RoleName.Auditor, unit }]);
    await t.http.post(path).set(staff.tok(auditor)).send(card).expect(403);
    await t.http.post(path).send(card).expect(401);
    const clerk = await staff.person(unit, [{ role: RoleName.Clerk, unit }]);
    // Not a citizen account, or none: 404; another account's number: 409, nothing changed.
    await t.http
      .post(`/v1/accounts/${clerk.id}/identity-verification`)
      .set(staff.tok(clerk))
      .send(card)
      .expect(404);
    const taken = await t.http
      .post(path)
      .set(staff.tok(clerk))
      .send({ ...card, nationalId: verified.nationalId })
      .expect(409);
    expect(taken.body.code).toBe('CONFLICT');
    const unchanged = await t.db.query<{ identity_assurance: string }>(
      'SELECT identity_assurance FROM account WHERE id = $1',
      [person.id],
    );
    expect(unchanged[0].identity_assurance).toBe('none');

    const res = await t.http.post(path).set(staff.tok(clerk)).send(card).expect(200);
    expect(res.body).toMatchObject({
      accountId: person.id,
      identityAssurance: 'real_name',
      identityVerifiedBy: 'counter',
    });
    expect(JSON.stringify(res.body)).not.toContain(card.nationalId);
    const [row] = await t.db.query<Record<string, unknown>>(
      `SELECT real_name, identity_assurance, identity_verified_by, identity_verified_at, national_id_masked
       FROM account WHERE id = $1`,
      [person.id],
    );
    expect(row).toMatchObject({
      real_name: '周卡名',
      identity_assurance: 'real_name',
      identity_verified_by: 'counter',
      national_id_masked: `${card.nationalId.slice(0, 3)}***********${card.nationalId.slice(-4)}`,
    });
    expect(
      await count(
        `SELECT count(*) AS n FROM audit_leaf WHERE action = 'account.identity.verify' AND subject_id = $1 AND actor_id = $2`,
        [person.id, clerk.id],
      ),
    ).toBe(1);
    // The draft now shows and submits the card's values.
    const submitted = await t.http.post(`/v1/applications/${d.id}/submit`).set(as(person)).send().expect(200);
    expect(submitted.body.formData).toMatchObject({ applicantName: '周卡名', idNumber: card.nationalId });

    // GraphQL: the same operation and rules.
    const other = await signedInCitizen(t);
    const gql = await t.http
      .post('/graphql')
      .set(staff.tok(clerk))
      .send({
        query:
          'mutation($id: ID!, $input: IdentityVerificationInput!) { verifyAccountIdentity(id: $id, input: $input) { accountId identityAssurance } }',
        variables: { id: other.id, input: { realName: '吴卡名', nationalId: nationalId() } },
      })
      .expect(200);
    expect(gql.body.data.verifyAccountIdentity).toEqual({
      accountId: other.id,
      identityAssurance: 'real_name',
    });
    const notUuid = await t.http
      .post('/graphql')
      .set(staff.tok(clerk))
      .send({
        query:
          'mutation($id: ID!, $input: IdentityVerificationInput!) { verifyAccountIdentity(id: $id, input: $input) { accountId } }',
        variables: { id: 'nope', input: { realName: '吴卡名', nationalId: nationalId() } },
      })
      .expect(200);
    expect(notUuid.body.errors[0].extensions.code).toBe('NOT_FOUND');
  });

  it('shows the account its assurance (masked ID, never the full number) and keeps the verified fields', async () => {
    const me = await t.http.get('/v1/me').set(as(verified)).expect(200);
    expect(me.body).toMatchObject({
      identityAssurance: 'real_name',
      nationalId: expect.stringMatching(/^\d{3}\*+/),
    });
    expect(Date.parse(me.body.identityVerifiedAt)).toBeGreaterThan(0);
    expect(JSON.stringify(me.body)).not.toContain(verified.nationalId);
    const plain = await t.http.get('/v1/me').set(as(unverified)).expect(200);
    expect(plain.body).toMatchObject({ identityAssurance: 'none', identityVerifiedAt: null });
    const gql = await t.http
      .post('/graphql')
      .set(as(verified))
      .send({ query: '{ me { identityAssurance identityVerifiedAt nationalId } }' })
      .expect(200);
    expect(gql.body.data.me.identityAssurance).toBe('real_name');
    expect(gql.body.data.me.nationalId).not.toBe(verified.nationalId);

    const rename = await profile(verified, { realName: '陈改名', nationalId: nationalId() });
    expect(rename.status).toBe(400);
    expect(rename.body.errors.map((e: { pointer: string; code: string }) => [e.pointer, e.code])).toEqual([
      ['/realName', 'identityVerified'],
      ['/nationalId', 'identityVerified'],
    ]);
    const [row] = await t.db.query<{ real_name: string }>('SELECT real_name FROM account WHERE id = $1', [
      verified.id,
    ]);
    expect(row.real_name).toBe(verified.realName);
    // The display name stays the holder's to change.
    expect((await profile(verified, { displayName: '小陈', realName: verified.realName })).status).toBe(200);
  });
});

export type { AppBody };
