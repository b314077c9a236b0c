import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { DEMO_PASSWORD, seedDemoData } from '../../src/modules/platform/demo/demo-seed';
import { DEMO_WORKFLOWS } from '../../src/modules/platform/demo/demo-services';
import { DEMO_SERVICES } from '../../src/modules/platform/demo/demo-services.data';
import { validateWorkflowSpec } from '../../src/modules/internal/workflow/workflow-spec.validate';
import { ServiceContentDto } from '../../src/modules/public/catalog/dto/catalog.dto';
import { startTestApp, TestApp } from '../support/test-app';

interface Row {
  id: string;
  code: string;
  organisation: string;
  status: string;
  workflows: string;
  active_spec: Record<string, unknown> | null;
}

/** The three demo services: published, each with one active valid workflow, readable by anyone, workable by the demo staff. */
describe('demo services', () => {
  let t: TestApp;
  let rows: Row[];
  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMIT_ANONYMOUS: '100000' });
    await seedDemoData(t.app);
    rows = await state();
  });
  afterAll(() => t?.close());

  const state = () =>
    t.db.query<Row>(
      `SELECT s.id, s.implementation_code AS code, o.name AS organisation, s.status,
              (SELECT count(*) FROM workflow_definition w WHERE w.service_id = s.id) AS workflows,
              (SELECT w.spec FROM workflow_definition w WHERE w.service_id = s.id AND w.state = 'active') AS active_spec
       FROM service s JOIN organisation o ON o.id = s.organisation_id
       WHERE s.implementation_code = ANY($1) ORDER BY s.implementation_code`,
      [DEMO_SERVICES.map((s) => s.code)],
    );

  it('seeds three published services with one active workflow each, idempotently', async () => {
    expect(rows).toHaveLength(3);
    for (const r of rows) {
      expect(r.status).toBe('published');
      expect(Number(r.workflows)).toBe(1);
      expect(r.active_spec).toEqual(DEMO_WORKFLOWS[r.code]);
    }
    expect(rows.map((r) => r.organisation).sort()).toEqual(['养老服务科', '户政科', '登记注册科']);
    const again = await seedDemoData(t.app);
    expect(await state()).toEqual(rows);
    expect(again.accounts.map((a) => a.login)).toEqual(
      expect.arrayContaining(['approver.a', 'clerk.police', 'chief.police', 'clerk.civil']),
    );
  });

  it('ships guides within the catalogue limits and workflows the validator accepts', async () => {
    for (const s of DEMO_SERVICES) {
      const dto = plainToInstance(ServiceContentDto, s.content);
      const errors = await validate(dto, { whitelist: true, forbidNonWhitelisted: true });
      expect({ code: s.code, errors: errors.map((e) => e.toString()) }).toEqual({ code: s.code, errors: [] });
      expect(validateWorkflowSpec(DEMO_WORKFLOWS[s.code])).toEqual([]);
    }
    const permit = DEMO_WORKFLOWS[DEMO_SERVICES[1].code];
    expect(permit.stages.find((st) => st.key === 'approval')?.approval?.levels.map((l) => l.unit)).toEqual([
      'handling',
      'parent',
    ]);
    const senior = DEMO_WORKFLOWS[DEMO_SERVICES[2].code];
    expect(senior.stages.find((st) => st.key === 'acceptance')?.actions[0]).toMatchObject({
      effect: 'accept',
      to: 'decision',
    });
  });

  it('lists and shows them publicly: zh-CN, en and the elder version, with their forms', async () => {
    const list = await t.http.get('/v1/services?limit=100&region=99').expect(200);
    const listed = list.body.items.map((i: { id: string }) => i.id);
    for (const r of rows) expect(listed).toContain(r.id);

    const business = rows.find((r) => r.organisation === '登记注册科')!;
    const zh = await t.http.get(`/v1/services/${business.id}`).expect(200);
    expect(zh.body.title).toBe('个体工商户设立登记');
    expect(zh.body.guide.materials.length).toBeGreaterThanOrEqual(3);
    expect(zh.body.form.properties.businessScope['x-ui'].widget).toBe('textarea');
    const en = await t.http.get(`/v1/services/${business.id}`).set('Accept-Language', 'en').expect(200);
    expect(en.body.title).toBe('Registration of an individual business');
    const elder = await t.http.get(`/v1/services/${business.id}?mode=elder`).expect(200);
    expect(elder.body.mode).toBe('elder');

    const ok = await t.http
      .post(`/v1/services/${business.id}/form-validation`)
      .send({
        data: {
          applicantName: '王五',
          idNumber: '11010519800101123X',
          phone: '13800000009',
          organisationForm: 'individual',
          businessScope: '日用百货零售',
          businessAddress: '演示市甲区人民路 8 号',
          capital: 5,
        },
      })
      .expect(200);
    expect(ok.body).toMatchObject({ valid: true });
  });

  it('lets the demo staff read the workflows of the services they work', async () => {
    const login = async (l: string) =>
      (await t.http.post('/v1/auth/login').send({ login: l, password: DEMO_PASSWORD }).expect(200)).body
        .accessToken as string;
    const id = async (r: Row) =>
      (await t.db.query<{ id: string }>(`SELECT id FROM workflow_definition WHERE service_id = $1`, [r.id]))[0].id;
    const byUnit = (name: string) => rows.find((r) => r.organisation === name)!;
    const can = async (user: string, r: Row, status: number) =>
      t.http
        .get(`/v1/workflows/${await id(r)}`)
        .set('Authorization', `Bearer ${await login(user)}`)
        .expect(status);
    await can('clerk.a', byUnit('登记注册科'), 200);
    await can('reviewer.a', byUnit('登记注册科'), 200);
    await can('approver.a', byUnit('登记注册科'), 200);
    await can('clerk.police', byUnit('户政科'), 200);
    await can('chief.police', byUnit('户政科'), 200);
    await can('clerk.civil', byUnit('养老服务科'), 200);
    await can('clerk.b', byUnit('登记注册科'), 404);
    await can('clerk.police', byUnit('养老服务科'), 404);
  });
});
