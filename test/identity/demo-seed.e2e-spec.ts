import type { INestApplication } from '@nestjs/common';
import {
  DEMO_API_KEY,
  DEMO_CLIENT_ID,
  DEMO_CLIENT_SECRET,
  DEMO_PASSWORD,
  DEMO_TOTP_SECRET,
  DEMO_VERIFIED_CITIZEN,
  demoBanner,
  seedDemoData,
} from '../../src/modules/platform/demo/demo-seed';
import {
  demoCredentialsIn,
  refuseDemoCredentialsInProduction,
} from '../../src/modules/platform/demo/demo-credentials';
import { RESIDENCE_PERMIT } from '../../src/modules/public/catalog/demo/demo-services.data';
import { samples } from '../support/sample-files';
import { totpCode } from '../../src/modules/platform/identity/staff/totp';
import { isValidUnifiedSocialCreditCode } from '../../src/modules/platform/identity/personal-data/national-id';
import { startTestApp, TestApp } from '../support/test-app';
import { productionEnv } from '../support/production-env';

describe('demo data', () => {
  let t: TestApp;
  beforeAll(async () => (t = await startTestApp({ RATE_LIMIT_ANONYMOUS: '100000' })));
  afterAll(() => t.close());

  const counts = async () =>
    (
      await t.db.query<Record<string, string>>(
        `SELECT (SELECT count(*) FROM region WHERE code LIKE '99%') AS regions,
                (SELECT count(*) FROM organisation WHERE region_code IN ('990000', '990100', '990102', '990105')) AS units,
                (SELECT count(*) FROM organisation_closure) AS closure,
                (SELECT count(*) FROM account) AS accounts,
                (SELECT count(*) FROM role_assignment) AS roles,
                (SELECT count(*) FROM oauth_client) AS clients,
                (SELECT count(*) FROM api_key) AS keys`,
      )
    )[0];

  it('seeds once, and a second run changes nothing and is fast', async () => {
    const first = await seedDemoData(t.app);
    const after = await counts();
    const started = Date.now();
    const second = await seedDemoData(t.app);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(await counts()).toEqual(after);
    expect(second).toEqual(first);
    expect(first.accounts.map((a) => a.login)).toEqual(
      expect.arrayContaining([
        'admin',
        'market.admin',
        'clerk.a',
        'reviewer.a',
        'clerk.b',
        'supervisor',
        'auditor',
        '13800000001',
        '13800000002',
        DEMO_VERIFIED_CITIZEN.phone,
        'biz@demo.onewindow.dev',
        DEMO_CLIENT_ID,
      ]),
    );
  });

  it('builds the demo tree: city bureau above both district branches, each with its two sections', async () => {
    const units = await t.db.query<{ name: string; parent: string | null; region_code: string }>(
      `SELECT o.name, p.name AS parent, o.region_code FROM organisation o LEFT JOIN organisation p ON p.id = o.parent_id
       WHERE o.region_code IN ('990000', '990100', '990102', '990105') ORDER BY o.region_code, o.name`,
    );
    expect(units).toEqual(
      expect.arrayContaining([
        { name: '演示省人民政府办公厅', parent: null, region_code: '990000' },
        { name: '演示市市场监督管理局', parent: null, region_code: '990100' },
        { name: '演示市公安局', parent: null, region_code: '990100' },
        { name: '户政科', parent: '演示市公安局', region_code: '990100' },
        { name: '演示市市场监督管理局甲区分局', parent: '演示市市场监督管理局', region_code: '990102' },
        { name: '登记注册科', parent: '演示市市场监督管理局甲区分局', region_code: '990102' },
        { name: '审批科', parent: '演示市市场监督管理局甲区分局', region_code: '990102' },
        { name: '登记注册科', parent: '演示市市场监督管理局乙区分局', region_code: '990105' },
      ]),
    );
    const [biz] = await t.db.query<{ unified_social_credit_code: string; status: string }>(
      `SELECT unified_social_credit_code, status FROM account WHERE email = 'biz@demo.onewindow.dev'`,
    );
    expect(isValidUnifiedSocialCreditCode(biz.unified_social_credit_code)).toBe(true);
    expect(biz.status).toBe('active');
  });

  it('lets the demo people, client and key in, each with its own reach', async () => {
    const login = async (l: string, totp?: string) =>
      (await t.http.post('/v1/auth/login').send({ login: l, password: DEMO_PASSWORD, totp }).expect(200)).body
        .accessToken as string;
    const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
    // The administrator's role needs a second factor: the demo one is enrolled with DEMO_TOTP_SECRET.
    const refused = await t.http.post('/v1/auth/login').send({ login: 'admin', password: DEMO_PASSWORD });
    expect(refused.status).toBe(401);
    expect(refused.body.code).toBe('SECOND_FACTOR_REQUIRED');
    const admin = await login('admin', totpCode(DEMO_TOTP_SECRET));
    const supervisor = await login('supervisor');
    const clerkA = await login('clerk.a');
    await login('13800000001');
    await login('biz@demo.onewindow.dev');

    const all = await t.http.get('/v1/staff?q=clerk.&limit=100').set(bearer(admin)).expect(200);
    const clerkB = all.body.items.find((s: { username: string }) => s.username === 'clerk.b');
    await t.http.get(`/v1/staff/${clerkB.id}`).set(bearer(supervisor)).expect(200);
    await t.http.get(`/v1/staff/${clerkB.id}`).set(bearer(clerkA)).expect(403);

    const token = await t.http
      .post('/v1/oauth/token')
      .type('form')
      .send({
        grant_type: 'client_credentials',
        client_id: DEMO_CLIENT_ID,
        client_secret: DEMO_CLIENT_SECRET,
      })
      .expect(200);
    expect(token.body.scope.split(' ')).toContain('directory:read');
    await t.http.get('/v1/staff').set('X-API-Key', DEMO_API_KEY).expect(403); // directory:read only
  });

  it('prints the demo authenticator beside the accounts whose role needs it', async () => {
    const banner = demoBanner(await seedDemoData(t.app));
    const line = (login: string) => banner.split('\n').find((l) => l.includes(` ${login} `))!;
    expect(line('admin')).toContain(`${DEMO_PASSWORD}  (TOTP secret ${DEMO_TOTP_SECRET})`);
    expect(line('market.admin')).toContain(`(TOTP secret ${DEMO_TOTP_SECRET})`);
    expect(line('clerk.a')).not.toContain('TOTP');
  });

  it('names every demo credential that still works, which a production start refuses', async () => {
    await seedDemoData(t.app);
    const found = await demoCredentialsIn(t.app);
    expect(found).toEqual(
      expect.arrayContaining([
        'demo API key owk_demo0001_…',
        `demo client secret of ${DEMO_CLIENT_ID}`,
        'demo password of admin',
        'demo password of market.admin',
        'demo password of clerk.a',
        'demo password of 13800000001',
        'demo password of biz@demo.onewindow.dev',
      ]),
    );
    // Not a production instance: the start goes on.
    await expect(refuseDemoCredentialsInProduction(t.app)).resolves.toBeUndefined();
  });

  it('stops a production start while they work, naming each (the bootstrap createApp runs)', async () => {
    await seedDemoData(t.app);
    // The embedded database takes one app at a time: this one steps aside, and comes back after.
    await t.close();
    try {
      await expect(startTestApp(productionEnv())).rejects.toThrow(
        new RegExp(
          'demo credentials are present in the production database; remove or change them first: .*' +
            `demo API key owk_demo0001_…; demo client secret of ${DEMO_CLIENT_ID}; .*demo password of admin;`,
        ),
      );
    } finally {
      t = await startTestApp({ RATE_LIMIT_ANONYMOUS: '100000' });
    }
  });

  it('has a verified demo citizen: the demo permit service refuses the unverified one and fills the verified identity', async () => {
    const summary = await seedDemoData(t.app);
    const entry = summary.accounts.find((a) => a.login === DEMO_VERIFIED_CITIZEN.phone);
    expect(entry?.role).toContain('verified');
    expect(demoBanner(summary)).toContain(DEMO_VERIFIED_CITIZEN.phone);
    const [row] = await t.db.query<Record<string, string | null>>(
      `SELECT real_name, identity_assurance, identity_verified_by, identity_verified_at, national_id_masked
       FROM account WHERE phone = $1`,
      [DEMO_VERIFIED_CITIZEN.phone],
    );
    expect(row).toMatchObject({
      real_name: DEMO_VERIFIED_CITIZEN.realName,
      identity_assurance: 'real_name',
      identity_verified_by: 'demo',
      national_id_masked: '110***********0027',
    });
    expect(row.identity_verified_at).not.toBeNull();
    const [plain] = await t.db.query<{ identity_assurance: string }>(
      `SELECT identity_assurance FROM account WHERE phone = '13800000001'`,
    );
    expect(plain.identity_assurance).toBe('none');

    const bearer = async (login: string) => ({
      Authorization: `Bearer ${
        (await t.http.post('/v1/auth/login').send({ login, password: DEMO_PASSWORD }).expect(200)).body
          .accessToken as string
      }`,
    });
    const [service] = await t.db.query<{ id: string; required_assurance: string }>(
      `SELECT id, required_assurance FROM service WHERE implementation_code = $1`,
      [RESIDENCE_PERMIT.code],
    );
    expect(service.required_assurance).toBe('real_name');
    const guide = await t.http.get(`/v1/services/${service.id}`).expect(200);
    expect(guide.body.requiredAssurance).toBe('real_name');
    // The residence permit (police, not the market bureau whose statistics demo-services checks).
    const form = {
      phone: '13800000009',
      currentAddress: '演示市甲区人民路 8 号',
      residentSince: '2024-01-02',
      basis: 'employment',
    };
    const apply = async (who: Record<string, string>) => {
      const draft = await t.http
        .post('/v1/applications')
        .set(who)
        .send({ serviceId: service.id, formData: form })
        .expect(201);
      for (const m of RESIDENCE_PERMIT.content.guide.materials.filter((x) => x.required)) {
        const file = await t.http
          .post('/v1/files')
          .set(who)
          .attach('file', samples.pdf(), { filename: 'm.pdf', contentType: 'application/pdf' })
          .expect(201);
        await t.http
          .post(`/v1/applications/${draft.body.id}/attachments`)
          .set(who)
          .send({ fileId: file.body.id, material: m.name })
          .expect(201);
      }
      return {
        draft: draft.body as { id: string; formData: Record<string, unknown> },
        submit: await t.http.post(`/v1/applications/${draft.body.id}/submit`).set(who).send(),
      };
    };
    const refused = await apply(await bearer('13800000001'));
    expect(refused.submit.status).toBe(403);
    expect(refused.submit.body).toMatchObject({
      code: 'IDENTITY_ASSURANCE_REQUIRED',
      requiredAssurance: 'real_name',
    });
    const ok = await apply(await bearer(DEMO_VERIFIED_CITIZEN.phone));
    expect(ok.draft.formData).toMatchObject({
      applicantName: DEMO_VERIFIED_CITIZEN.realName,
      idNumber: DEMO_VERIFIED_CITIZEN.nationalId,
    });
    expect(ok.submit.status).toBe(200);
    expect(ok.submit.body.status).toBe('submitted');
  });

  it('refuses to run in production, where its credentials would be public', async () => {
    const prodApp = { get: () => ({ env: 'production' }) } as unknown as INestApplication;
    await expect(seedDemoData(prodApp)).rejects.toThrow(/production/);
  });
});
