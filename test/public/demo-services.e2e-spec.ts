import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { RequestContext } from '../../src/api/context/request-context';
import { uuidv7 } from '../../src/database/uuid';
import { WorkflowEngine } from '../../src/modules/internal/workflow/workflow-engine.service';
import { DEMO_PASSWORD, seedDemoData } from '../../src/modules/platform/demo/demo-seed';
import { DEMO_WORKFLOWS } from '../../src/modules/public/catalog/demo/demo-services';
import { DEMO_SERVICES } from '../../src/modules/public/catalog/demo/demo-services.data';
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
              (SELECT count(*) FROM workflow_definition w WHERE w.case_type = 'service' AND w.service_id = s.id) AS workflows,
              (SELECT w.spec FROM workflow_definition w WHERE w.case_type = 'service' AND w.service_id = s.id AND w.state = 'active') AS active_spec
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
      (
        await t.db.query<{ id: string }>(
          `SELECT id FROM workflow_definition WHERE case_type = 'service' AND service_id = $1`,
          [r.id],
        )
      )[0].id;
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

  it('lets the demo staff work each workflow to the end, and the supervisor count it', async () => {
    const tokens = new Map<string, string>();
    const login = async (l: string) => {
      if (!tokens.has(l)) {
        const res = await t.http
          .post('/v1/auth/login')
          .send({ login: l, password: DEMO_PASSWORD })
          .expect(200);
        tokens.set(l, res.body.accessToken as string);
      }
      return { Authorization: `Bearer ${tokens.get(l)}` };
    };
    const [citizen] = await t.db.query<{ id: string }>(`SELECT id FROM account WHERE phone = '13800000001'`);
    const start = async (r: Row, data: Record<string, unknown>) =>
      (
        await t.app.get(WorkflowEngine).start(RequestContext.system('test'), {
          subjectType: 'demo',
          subjectId: uuidv7(),
          number: `DEMO${Date.now()}`,
          caseType: 'service',
          subjectKey: r.id,
          applicantAccountId: citizen.id,
          receivedAt: new Date(),
          data,
        })
      ).id;
    const act = async (user: string, id: string, action: string, body: Record<string, unknown> = {}) => {
      const res = await t.http
        .post(`/v1/cases/${id}/actions/${action}`)
        .set(await login(user))
        .send(body);
      return { status: res.status, stage: res.body.stage as string, text: res.text };
    };
    const ok = async (user: string, id: string, action: string, body: Record<string, unknown> = {}) => {
      const res = await act(user, id, action, body);
      if (res.status !== 200) throw new Error(`${user} ${action}: ${res.status} ${res.text}`);
      return res.stage;
    };
    const closedOf = async (id: string) =>
      (
        await t.db.query<{ status: string; outcome: string }>(
          'SELECT status, outcome FROM case_file WHERE id = $1',
          [id],
        )
      )[0];
    const byUnit = (name: string) => rows.find((r) => r.organisation === name)!;

    const biz = await start(byUnit('登记注册科'), { applicantName: '王五', businessScope: '日用百货零售' });
    expect(await ok('clerk.a', biz, 'accept')).toBe('review');
    expect(await ok('reviewer.a', biz, 'pass')).toBe('approval');
    expect(await ok('approver.a', biz, 'approve')).toBe('decision');
    expect(await ok('approver.a', biz, 'decide', { decision: 'approved' })).toBe('issuing');
    expect(await ok('approver.a', biz, 'issue')).toBe('delivery');
    expect(await ok('clerk.a', biz, 'deliver', { method: 'window' })).toBe('closed');
    expect(await closedOf(biz)).toEqual({ status: 'closed', outcome: 'approved' });

    const permit = await start(byUnit('户政科'), { applicantName: '赵六', basis: 'employment' });
    await ok('clerk.police', permit, 'accept');
    await ok('reviewer.police', permit, 'pass');
    expect(await ok('approver.police', permit, 'approve')).toBe('approval');
    // the second level belongs to the bureau above the section
    expect((await act('approver.police', permit, 'approve')).status).toBeGreaterThanOrEqual(400);
    expect(await ok('chief.police', permit, 'approve')).toBe('decision');
    await ok('approver.police', permit, 'decide', { decision: 'approved' });
    expect(await ok('approver.police', permit, 'issue')).toBe('closed');
    expect(await closedOf(permit)).toEqual({ status: 'closed', outcome: 'approved' });

    const card = await start(byUnit('养老服务科'), { applicantName: '孙奶奶', hukouType: 'local' });
    expect(await ok('clerk.civil', card, 'accept')).toBe('decision');
    await ok('clerk.civil', card, 'decide', { decision: 'approved' });
    expect(await ok('clerk.civil', card, 'issue')).toBe('closed');
    expect(await closedOf(card)).toEqual({ status: 'closed', outcome: 'approved' });

    const beijingDay = (offsetDays: number) =>
      new Date(Date.now() + 8 * 3_600_000 + offsetDays * 86_400_000).toISOString().slice(0, 10);
    const stats = await t.http
      .get(`/v1/statistics/cases?from=${beijingDay(0)}&to=${beijingDay(1)}&groupBy=service&caseType=service`)
      .set(await login('supervisor'))
      .expect(200);
    expect(stats.body.rows).toEqual([
      expect.objectContaining({
        serviceTitle: '个体工商户设立登记',
        received: 1,
        completed: 1,
        completedOnTime: 1,
      }),
    ]);
  });
});
