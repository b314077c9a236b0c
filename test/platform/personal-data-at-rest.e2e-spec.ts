import { randomUUID } from 'node:crypto';
import { Permission } from '../../src/api/auth/permission';
import { RoleName } from '../../src/modules/platform/identity/staff/role-catalogue';
import { Citizen, nationalId, signedInCitizen, uniqueEmail, uniquePhone } from '../identity/citizen-fixtures';
import { gql } from '../identity/graphql-matrix';
import { makeUnit, Person, signedInStaff, uniq } from '../identity/staff-fixtures';
import { AppBody, applicationSteps, as, guideContent } from '../public/applications-helpers';
import { startTestApp, TestApp } from '../support/test-app';
import { scopedToken } from '../support/tokens';
import { activeWorkflow, instantSpec, publishServiceWithWorkflow } from '../support/workflow-fixtures';

/**
 * Personal data at rest (issue 10 §3): form fields marked `x-personal` are stored only as an
 * AES-256-GCM envelope, shown in full to their owner, masked to staff unless unmasked with a reason
 * (audited), never copied into the case, its events, notifications or the licence; and after a
 * whole journey no table holds the national ID, phone number or e-mail address in clear outside the
 * columns designed for them.
 */

/** A form with every kind of personal field, and one plain answer. */
const PD_FORM = {
  type: 'object',
  required: ['applicantName', 'idNumber', 'phone'],
  additionalProperties: false,
  properties: {
    applicantName: { type: 'string', maxLength: 50, 'x-personal': 'name', 'x-ui': { label: '姓名' } },
    idNumber: {
      type: 'string',
      pattern: '^\\d{17}[\\dX]$',
      'x-personal': 'nationalId',
      'x-ui': { label: '公民身份号码', widget: 'id-card' },
    },
    phone: { type: 'string', pattern: '^1\\d{10}$', 'x-personal': 'phone', 'x-ui': { label: '手机号' } },
    email: { type: 'string', format: 'email', 'x-personal': 'email', 'x-ui': { label: '电子邮箱' } },
    address: {
      type: 'object',
      'x-personal': 'address',
      properties: { city: { type: 'string' }, street: { type: 'string' } },
      'x-ui': { label: '住址', widget: 'address' },
    },
    shopArea: { type: 'number', minimum: 0, 'x-ui': { label: '经营面积' } },
  },
};

/**
 * Columns designed to hold an account's own contact in clear: its login identifiers, and the
 * address a queued message (a verification code) is delivered to. Only the account's contact may
 * be there; the values typed into the form may be nowhere.
 */
const DESIGNED = new Set(['account.phone', 'account.email', 'notification_outbox.recipient']);

describe('personal data at rest', () => {
  let t: TestApp;
  let unit: string;
  let serviceId: string;
  let alice: Citizen;
  let clerk: Person;
  const staff = signedInStaff(() => t);
  const steps = applicationSteps(() => t);
  const id = nationalId();
  const phone = uniquePhone();
  const email = uniqueEmail();
  const form = {
    applicantName: '张三丰',
    idNumber: id,
    phone,
    email,
    address: { city: '浙江省杭州市西湖区', street: '文三路90号' },
    shopArea: 12,
  };

  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMIT_ANONYMOUS: '100000', RATE_LIMIT_AUTHENTICATED: '100000' });
    unit = await makeUnit(t, '个人信息局');
    serviceId = (
      await publishServiceWithWorkflow(t, unit, {
        content: { ...guideContent(), form: PD_FORM },
        spec: instantSpec(),
      })
    ).serviceId;
    alice = await signedInCitizen(t);
    clerk = await staff.person(unit, [{ role: RoleName.Clerk, unit }]);
  });
  afterAll(() => t?.close());

  const catalogToken = () =>
    scopedToken(t, 'staff', [Permission.CatalogManage, Permission.CatalogReview, Permission.WorkflowManage]);
  const newService = async (formSchema: unknown) =>
    t.http
      .post('/v1/catalog/services')
      .set({ Authorization: `Bearer ${await catalogToken()}` })
      .send({
        organisationId: unit,
        implementationCode: `PD-${uniq()}`,
        type: 'administrative_licence',
        target: 'person',
        draft: { ...guideContent(), form: formSchema },
      });

  it('checks x-personal when a form is saved: a known kind, on a top-level property only', async () => {
    const before = await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM service');
    const unknownKind = await newService({
      type: 'object',
      properties: { idNumber: { type: 'string', 'x-personal': 'ssn' } },
    });
    expect(unknownKind.status).toBe(400);
    expect(unknownKind.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(JSON.stringify(unknownKind.body.errors)).toContain('/draft/form');
    const nested = await newService({
      type: 'object',
      properties: {
        person: { type: 'object', properties: { id: { type: 'string', 'x-personal': 'nationalId' } } },
      },
    });
    expect(nested.status).toBe(400);
    expect(nested.body.errors).toEqual([
      expect.objectContaining({
        pointer: '/draft/form/properties/person/properties/id/x-personal',
        code: 'formSchema',
      }),
    ]);
    expect(await t.db.query('SELECT count(*)::int AS n FROM service')).toEqual(before);
    const good = await newService(PD_FORM);
    expect(good.status).toBe(201);
  });

  it('refuses to publish a service whose workflow guard reads a personal field (the case never holds it)', async () => {
    const token = await catalogToken();
    const as = { Authorization: `Bearer ${token}` };
    const created = await newService(PD_FORM);
    expect(created.status).toBe(201);
    const id = (created.body as { id: string }).id;
    const spec = instantSpec();
    spec.stages[0].actions[0].guard = { path: '/form/idNumber', op: 'exists' };
    await activeWorkflow(t, id, spec, as);
    await t.http.post(`/v1/catalog/services/${id}/submit`).set(as).send().expect(200);
    const refused = await t.http.post(`/v1/catalog/services/${id}/publish`).set(as).send();
    expect(refused.status).toBe(400);
    expect(refused.body.errors).toEqual([
      expect.objectContaining({ pointer: '/workflow', code: 'personalGuard' }),
    ]);
    const [row] = await t.db.query<{ status: string; current_published_version_id: string | null }>(
      'SELECT status, current_published_version_id FROM service WHERE id = $1',
      [id],
    );
    expect(row.current_published_version_id).toBeNull();
  });

  it('a whole journey leaves no national ID, phone or e-mail in clear outside the columns made for them', async () => {
    // profile with the national ID
    await t.http
      .put('/v1/me/profile')
      .set('If-Match', '*')
      .set(as(alice))
      .send({ realName: '张三丰', nationalId: id })
      .expect(200);

    // draft: the owner gets every answer back; the row holds only the plain ones
    const draft = await t.http
      .post('/v1/applications')
      .set(as(alice))
      .set('Idempotency-Key', `pd-${randomUUID()}`)
      .send({ serviceId, formData: form })
      .expect(201);
    const appId = (draft.body as AppBody).id;
    expect(draft.body.formData).toEqual(form);
    const row = await steps.row(appId);
    expect(row!.form_data).toEqual({ shopArea: 12 });
    expect(row!.form_personal).toMatch(/^v1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);

    // PUT and GraphQL read: the same rules
    const updated = await t.http
      .put(`/v1/applications/${appId}`)
      .set('If-Match', '*')
      .set(as(alice))
      .send({ formData: { ...form, shopArea: 13 } })
      .expect(200);
    expect(updated.body.formData).toEqual({ ...form, shopArea: 13 });
    expect((await steps.row(appId))!.form_data).toEqual({ shopArea: 13 });
    const viaGql = await gql(t, as(alice), `query($id: ID!) { application(id: $id) { formData } }`, {
      id: appId,
    });
    expect(formDataOf(viaGql)).toEqual({ ...form, shopArea: 13 });

    // submit: the case gets the plain answers only
    await steps.attach(alice, appId, '身份证');
    const submitted = await t.http
      .post(`/v1/applications/${appId}/submit`)
      .set(as(alice))
      .set('Idempotency-Key', `pd-${randomUUID()}`)
      .expect(200);
    expect(submitted.body.formData).toEqual({ ...form, shopArea: 13 });
    const [caseRow] = await t.db.query<{ id: string; data: unknown }>(
      `SELECT id, data FROM case_file WHERE subject_type = 'application' AND subject_id = $1`,
      [appId],
    );
    expect(caseRow.data).toEqual({ shopArea: 13 });

    // staff: masked by kind, the plain answer as it is
    const masked = await t.http.get(`/v1/applications/${appId}`).set(staff.tok(clerk)).expect(200);
    expect(masked.body.formData).toEqual({
      applicantName: '张**',
      idNumber: `${id.slice(0, 3)}***********${id.slice(14)}`,
      phone: `${phone.slice(0, 3)}****${phone.slice(7)}`,
      email: `${email[0]}***@example.test`,
      address: { city: '浙江省杭州市***', street: '******' },
      shopArea: 13,
    });

    // the case actions, through to the licence
    await steps.act(staff.tok(clerk), appId, 'accept');
    await steps.act(staff.tok(clerk), appId, 'decide', { decision: 'approved', reason: '符合条件' });
    await steps.act(staff.tok(clerk), appId, 'issue');
    const issued = (await t.http.get(`/v1/applications/${appId}`).set(as(alice)).expect(200)).body as AppBody;
    expect(issued.status).toBe('issued');
    const code = issued.licence!.verificationUrl.split('/').pop()!;

    // the public verification: holder masked, no personal form field
    const verified = await t.http.get(`/v1/licence-verifications/${code}`).expect(200);
    expect(verified.body.holderName).toBe('张**');
    expect(verified.body.fields).toEqual({
      申请编号: issued.number,
      办理事项: expect.any(String),
      经营面积: '13',
    });
    const publicText = JSON.stringify(verified.body);
    for (const secret of ['张三丰', id, phone, email, '文三路']) expect(publicText).not.toContain(secret);

    // every column of every table
    const hits = await scanForClearValues(t, [id, phone, email, alice.phone]);
    const allowed = (h: { column: string; value: string }) =>
      DESIGNED.has(h.column) && h.value === alice.phone;
    expect(hits.filter((h) => !allowed(h)).map((h) => h.column)).toEqual([]);
    // the scan does find what is meant to be there (it is not blind)
    expect(hits.map((h) => h.column)).toContain('account.phone');
  });

  it('staff unmask a personal field only with personal-data:unmask and a reason, audited; refusals change nothing', async () => {
    const app = await steps.submitted(alice, serviceId, form);
    const leaves = () =>
      t.db.query<{ action: string; resource_type: string; resource_id: string; purpose: string | null }>(
        `SELECT action, resource_type, resource_id, purpose FROM audit_leaf
          WHERE resource_id LIKE $1 AND action LIKE 'application.%' ORDER BY seq`,
        [`${app.id}%`],
      );
    const before = await leaves();
    const handler = `Bearer ${await scopedToken(t, 'staff', [Permission.CaseHandle])}`;
    const unmasker = `Bearer ${await scopedToken(t, 'staff', [Permission.CaseHandle, Permission.PersonalDataUnmask])}`;

    const noPermission = await t.http
      .get(`/v1/applications/${app.id}?unmask=idNumber&reason=核对身份信息`)
      .set('Authorization', handler);
    expect(noPermission.status).toBe(403);
    expect(noPermission.headers['content-type']).toMatch(/application\/problem\+json/);
    const noReason = await t.http
      .get(`/v1/applications/${app.id}?unmask=idNumber`)
      .set('Authorization', unmasker);
    expect(noReason.status).toBe(400);
    const notPersonal = await t.http
      .get(`/v1/applications/${app.id}?unmask=shopArea&reason=核对身份信息`)
      .set('Authorization', unmasker);
    expect(notPersonal.status).toBe(400);
    expect(notPersonal.body.errors).toEqual([expect.objectContaining({ pointer: '/unmask' })]);
    expect(await leaves()).toEqual(before);

    const clear = await t.http
      .get(`/v1/applications/${app.id}?unmask=idNumber,phone&reason=核对身份信息`)
      .set('Authorization', unmasker)
      .expect(200);
    expect(clear.body.formData).toMatchObject({ idNumber: id, phone, applicantName: '张**' });
    expect(clear.body.formData.email).toBe(`${email[0]}***@example.test`);
    const after = (await leaves()).slice(before.length);
    expect(after).toEqual([
      expect.objectContaining({ action: 'application.read', purpose: '核对身份信息' }),
      {
        action: 'application.unmask',
        resource_type: 'application.form_personal',
        resource_id: `${app.id}/idNumber`,
        purpose: '核对身份信息',
      },
      {
        action: 'application.unmask',
        resource_type: 'application.form_personal',
        resource_id: `${app.id}/phone`,
        purpose: '核对身份信息',
      },
    ]);
    // the applicant sees who unmasked what, and why
    const access = await t.http.get('/v1/me/data-access').set(as(alice)).expect(200);
    expect(JSON.stringify(access.body)).toContain('核对身份信息');

    // GraphQL: the same rule and the same result
    const gqlAuth = { Authorization: unmasker };
    const refused = await gql(
      t,
      gqlAuth,
      `query($id: ID!) { application(id: $id, unmask: ["idNumber"]) { formData } }`,
      { id: app.id },
    );
    expect(refused.errors?.[0]?.extensions?.code).toBe('VALIDATION_FAILED');
    for (const bad of ['[null]', '[""]', `[${Array.from({ length: 21 }, () => '"phone"').join(',')}]`]) {
      const res = await gql(
        t,
        gqlAuth,
        `query($id: ID!) { application(id: $id, unmask: ${bad}, reason: "核对联系方式") { formData } }`,
        { id: app.id },
      );
      expect(res.errors?.[0]?.extensions?.code).toBe('VALIDATION_FAILED');
    }
    expect(await leaves()).toHaveLength(before.length + 3);
    const viaGql = await gql(
      t,
      gqlAuth,
      `query($id: ID!) { application(id: $id, unmask: ["email"], reason: "核对联系方式") { formData } }`,
      { id: app.id },
    );
    expect(formDataOf(viaGql)).toMatchObject({
      email,
      idNumber: `${id.slice(0, 3)}***********${id.slice(14)}`,
    });
  });
});

const formDataOf = (res: { data: Record<string, unknown> | null }): Record<string, unknown> =>
  (res.data!.application as { formData: Record<string, unknown> }).formData;

/**
 * Every text-like column of every table (information_schema), searched for each value in clear.
 * Returns `table.column` and the value for each hit.
 */
async function scanForClearValues(
  t: TestApp,
  values: string[],
): Promise<Array<{ column: string; value: string }>> {
  const columns = await t.db.query<{ table_name: string; column_name: string }>(
    `SELECT c.table_name, c.column_name FROM information_schema.columns c
       JOIN information_schema.tables tb ON tb.table_schema = c.table_schema AND tb.table_name = c.table_name
      WHERE c.table_schema = current_schema() AND tb.table_type = 'BASE TABLE'
        AND c.data_type IN ('text', 'character varying', 'character', 'jsonb', 'json', 'ARRAY', 'USER-DEFINED')
      ORDER BY c.table_name, c.column_name`,
  );
  const hits: Array<{ column: string; value: string }> = [];
  for (const { table_name: table, column_name: column } of columns)
    for (const value of values) {
      const [{ n }] = await t.db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM "${table}" WHERE "${column}"::text LIKE $1`,
        [`%${value}%`],
      );
      if (n > 0) hits.push({ column: `${table}.${column}`, value });
    }
  return hits;
}
