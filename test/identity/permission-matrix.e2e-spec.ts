import { createHash, randomUUID } from 'node:crypto';
import { RoleName, secondFactorRoles } from '../../src/modules/platform/identity/staff/role-catalogue';
import { GraphQLSchemaHost } from '@nestjs/graphql';
import { startTestApp, TestApp } from '../support/test-app';
import {
  CALLERS,
  Caller,
  GExpect,
  gql,
  GQL_IDENTITY_OPERATIONS,
  GqlRow,
  graphqlMatrix,
} from './graphql-matrix';
import {
  auth,
  FIXTURE_PASSWORD,
  grant,
  makeStaff,
  makeUnit,
  Person,
  signIn,
  signInCast,
  TEST_REGION,
  uniq,
} from './staff-fixtures';

/**
 * Every identity endpoint (P2–P4) against every kind of caller, with the exact status each must
 * get: 401 without credentials, 403 without the permission, 404 for a target outside the caller's
 * scope, 2xx otherwise. Tokens come from real logins and real client-credentials grants, so the
 * grants checked are the ones the PrincipalService loads from the database.
 */

type Expect = Record<Caller, number>;

/** anonymous 401, everyone else 403, then the given exceptions */
const deny = (allowed: Partial<Expect> = {}): Expect => ({
  ...(Object.fromEntries(CALLERS.map((c) => [c, 403])) as Expect),
  anonymous: 401,
  ...allowed,
});
const STAFF_ONLY = (status: number): Partial<Expect> => ({
  clerkX: status,
  clerkY: status,
  orgAdminX: status,
  supervisor: status,
  admin: status,
});

interface Row {
  name: string;
  method: 'get' | 'post' | 'put' | 'delete';
  path: (caller: Caller) => string | Promise<string>;
  body?: (caller: Caller) => object | Promise<object>;
  headers?: (caller: Caller) => Record<string, string> | Promise<Record<string, string>>;
  expect: Expect;
}

describe('identity permission matrix', () => {
  let t: TestApp;
  let root: string;
  let X: string;
  let X1: string;
  let Y: string;
  const creds = new Map<Caller, Record<string, string>>();
  const people = new Map<Caller, Person>();
  let staffX: Person;
  let staffY: Person;
  let clientY: string;
  let leafX: number;

  const as = (c: Caller) => creds.get(c) ?? {};
  const versionOf = async (table: 'account' | 'organisation', id: string) =>
    `"v${(await t.db.query<{ version: number }>(`SELECT version FROM ${table} WHERE id = $1`, [id]))[0].version}"`;
  const freshStaff = (home: string) => makeStaff(t, home);
  const adminPost = async (path: string, body: object) => {
    const res = await t.http.post(path).set(as('admin')).send(body);
    if (res.status !== 201) throw new Error(`${path}: ${res.status} ${res.text}`);
    return res.body as { id: string };
  };

  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMIT_ANONYMOUS: '100000', RATE_LIMIT_AUTHENTICATED: '100000' });
    root = await makeUnit(t, '矩阵市局');
    X = await makeUnit(t, '矩阵甲区', root);
    X1 = await makeUnit(t, '矩阵甲区科室', X);
    Y = await makeUnit(t, '矩阵乙区', root);
    const staff: Array<[Caller, string, RoleName, string | null]> = [
      ['clerkX', X, RoleName.Clerk, X],
      ['clerkY', Y, RoleName.Clerk, Y],
      ['orgAdminX', X, RoleName.OrgAdmin, X],
      ['supervisor', root, RoleName.Supervisor, root],
      ['admin', root, RoleName.Admin, null],
    ];
    await signInCast(t, staff, ['citizenA', 'citizenB'], people, creds);
    staffX = await freshStaff(X1);
    staffY = await freshStaff(Y);

    const client = await t.http
      .post('/v1/clients')
      .set(as('orgAdminX'))
      .send({ name: '矩阵业务系统', organisationId: X, scopes: ['directory:read', 'account:read'] })
      .expect(201);
    const token = await t.http
      .post('/v1/oauth/token')
      .type('form')
      .send({
        grant_type: 'client_credentials',
        client_id: client.body.clientId,
        client_secret: client.body.clientSecret,
      })
      .expect(200);
    creds.set('client', auth(token.body.access_token));
    const key = await t.http
      .post('/v1/api-keys')
      .set(as('orgAdminX'))
      .send({ name: '矩阵钥匙', organisationId: X, scopes: ['account:read'] })
      .expect(201);
    creds.set('apiKey', { 'X-API-Key': key.body.key });

    clientY = (
      await adminPost('/v1/clients', { name: '乙区系统', organisationId: Y, scopes: ['directory:read'] })
    ).id;
    const created = await t.http
      .post('/v1/staff')
      .set(as('orgAdminX'))
      .send({
        username: `leaf.${uniq()}`,
        displayName: '审计样本',
        password: 'Matrix#Pass-2026',
        organisationId: X1,
      })
      .expect(201);
    const [leaf] = await t.db.query<{ seq: string }>(
      `SELECT seq FROM audit_leaf WHERE action = 'staff.create' AND resource_id = $1`,
      [created.body.id],
    );
    leafX = Number(leaf.seq);
  });
  afterAll(() => t.close());

  const newStaffBody = (unit: () => string) => () => ({
    username: `m.${uniq()}`,
    displayName: '矩阵新人',
    password: 'Matrix#Pass-2026',
    organisationId: unit(),
  });
  const staffUpdate = (unit: () => string) => () => ({
    displayName: `改名${uniq()}`,
    organisationId: unit(),
    status: 'active',
  });
  const orgUpdate = (parent: () => string) => () => ({
    name: `矩阵科室${uniq()}`,
    kind: 'department',
    regionCode: TEST_REGION,
    parentId: parent(),
    active: true,
  });

  const rows: Row[] = [
    // staff
    {
      name: 'GET /v1/staff',
      method: 'get',
      path: () => '/v1/staff',
      expect: deny({ orgAdminX: 200, supervisor: 200, admin: 200, client: 200, apiKey: 200 }),
    },
    {
      name: 'POST /v1/staff (unit in X)',
      method: 'post',
      path: () => '/v1/staff',
      body: newStaffBody(() => X1),
      expect: deny({ orgAdminX: 201, admin: 201 }),
    },
    {
      name: 'POST /v1/staff (unit in Y)',
      method: 'post',
      path: () => '/v1/staff',
      body: newStaffBody(() => Y),
      expect: deny({ orgAdminX: 404, admin: 201 }),
    },
    {
      name: 'GET /v1/staff/{X staff}',
      method: 'get',
      path: () => `/v1/staff/${staffX.id}`,
      expect: deny({ orgAdminX: 200, supervisor: 200, admin: 200, client: 200, apiKey: 200 }),
    },
    {
      name: 'GET /v1/staff/{Y staff}',
      method: 'get',
      path: () => `/v1/staff/${staffY.id}`,
      expect: deny({ orgAdminX: 404, supervisor: 200, admin: 200, client: 404, apiKey: 404 }),
    },
    {
      name: 'PUT /v1/staff/{X staff}',
      method: 'put',
      path: () => `/v1/staff/${staffX.id}`,
      headers: async () => ({ 'If-Match': await versionOf('account', staffX.id) }),
      body: staffUpdate(() => X1),
      expect: deny({ orgAdminX: 200, admin: 200 }),
    },
    {
      name: 'PUT /v1/staff/{Y staff}',
      method: 'put',
      path: () => `/v1/staff/${staffY.id}`,
      headers: async () => ({ 'If-Match': await versionOf('account', staffY.id) }),
      body: staffUpdate(() => Y),
      expect: deny({ orgAdminX: 404, admin: 200 }),
    },
    { name: 'GET /v1/staff/me', method: 'get', path: () => '/v1/staff/me', expect: deny(STAFF_ONLY(200)) },
    {
      name: 'POST /v1/staff/me/totp',
      method: 'post',
      path: () => '/v1/staff/me/totp',
      body: () => ({ password: FIXTURE_PASSWORD }),
      // the administrators' roles need a second factor, so their fixtures are enrolled already
      expect: deny({ ...STAFF_ONLY(201), orgAdminX: 409, admin: 409 }),
    },
    {
      name: 'POST /v1/staff/me/totp/confirm',
      method: 'post',
      path: () => '/v1/staff/me/totp/confirm',
      // not the authenticator's code (one in a million it is; then 200)
      body: () => ({ code: '000000' }),
      expect: deny({ ...STAFF_ONLY(400), orgAdminX: 409, admin: 409 }),
    },
    {
      name: 'GET /v1/staff/me/delegations',
      method: 'get',
      path: () => '/v1/staff/me/delegations',
      expect: deny(STAFF_ONLY(200)),
    },
    {
      name: 'POST /v1/staff/me/delegations (clerk at X)',
      method: 'post',
      path: () => '/v1/staff/me/delegations',
      body: () => ({
        toAccountId: staffX.id,
        role: 'clerk',
        organisationId: X,
        validFrom: new Date().toISOString(),
        validUntil: new Date(Date.now() + 86_400_000).toISOString(),
        reason: '矩阵测试',
      }),
      expect: deny({ clerkX: 201 }),
    },
    {
      name: 'POST /v1/staff/me/delegations/{clerk X to X staff}/revoke',
      method: 'post',
      path: async () => {
        const [d] = await t.db.query<{ id: string }>(
          `INSERT INTO delegation (id, from_account_id, to_account_id, role, organisation_id, valid_from, valid_until, reason)
           VALUES (gen_random_uuid(), $1, $2, 'clerk', $3, now(), now() + interval '1 day', '矩阵') RETURNING id`,
          [people.get('clerkX')!.id, staffX.id, X],
        );
        return `/v1/staff/me/delegations/${d.id}/revoke`;
      },
      expect: deny({ clerkX: 200, clerkY: 404, orgAdminX: 404, supervisor: 404, admin: 404 }),
    },
    {
      name: 'POST /v1/staff/{X staff}/roles',
      method: 'post',
      path: async () => `/v1/staff/${(await freshStaff(X1)).id}/roles`,
      body: () => ({ role: 'clerk', organisationId: X1 }),
      expect: deny({ orgAdminX: 201, admin: 201 }),
    },
    {
      name: 'POST /v1/staff/{Y staff}/roles',
      method: 'post',
      path: async () => `/v1/staff/${(await freshStaff(Y)).id}/roles`,
      body: () => ({ role: 'clerk', organisationId: Y }),
      expect: deny({ orgAdminX: 404, admin: 201 }),
    },
    {
      name: 'DELETE /v1/staff/{X staff}/roles/{id}',
      method: 'delete',
      path: async () => {
        const p = await freshStaff(X1);
        return `/v1/staff/${p.id}/roles/${await grant(t, p.id, { role: RoleName.Clerk, unit: X1 })}`;
      },
      expect: deny({ orgAdminX: 204, admin: 204 }),
    },
    {
      name: 'DELETE /v1/staff/{Y staff}/roles/{id}',
      method: 'delete',
      path: async () => {
        const p = await freshStaff(Y);
        return `/v1/staff/${p.id}/roles/${await grant(t, p.id, { role: RoleName.Clerk, unit: Y })}`;
      },
      expect: deny({ orgAdminX: 404, admin: 204 }),
    },
    {
      name: 'POST /v1/staff/{X staff}/totp/reset',
      method: 'post',
      path: () => `/v1/staff/${staffX.id}/totp/reset`,
      expect: deny({ orgAdminX: 204, admin: 204 }),
    },
    {
      name: 'POST /v1/staff/{Y staff}/totp/reset',
      method: 'post',
      path: () => `/v1/staff/${staffY.id}/totp/reset`,
      expect: deny({ orgAdminX: 404, admin: 204 }),
    },
    {
      name: 'GET /v1/roles',
      method: 'get',
      path: () => '/v1/roles',
      expect: deny({ orgAdminX: 200, supervisor: 200, admin: 200, client: 200, apiKey: 200 }),
    },
    // machine clients
    {
      name: 'POST /v1/clients (X)',
      method: 'post',
      path: () => '/v1/clients',
      body: () => ({ name: `矩阵系统${uniq()}`, organisationId: X, scopes: ['directory:read'] }),
      expect: deny({ orgAdminX: 201, admin: 201 }),
    },
    {
      name: 'POST /v1/clients (Y)',
      method: 'post',
      path: () => '/v1/clients',
      body: () => ({ name: `矩阵系统${uniq()}`, organisationId: Y, scopes: ['directory:read'] }),
      expect: deny({ orgAdminX: 404, admin: 201 }),
    },
    {
      name: 'GET /v1/clients',
      method: 'get',
      path: () => '/v1/clients',
      expect: deny({ orgAdminX: 200, admin: 200 }),
    },
    {
      name: 'GET /v1/clients/{Y client}',
      method: 'get',
      path: () => `/v1/clients/${clientY}`,
      expect: deny({ orgAdminX: 404, admin: 200 }),
    },
    {
      name: 'POST /v1/clients/{X client}/rotate-secret',
      method: 'post',
      path: async () =>
        `/v1/clients/${(await adminPost('/v1/clients', { name: `轮换${uniq()}`, organisationId: X, scopes: [] })).id}/rotate-secret`,
      body: () => ({}),
      expect: deny({ orgAdminX: 200, admin: 200 }),
    },
    {
      name: 'POST /v1/clients/{Y client}/deactivate',
      method: 'post',
      path: async () =>
        `/v1/clients/${(await adminPost('/v1/clients', { name: `停用${uniq()}`, organisationId: Y, scopes: [] })).id}/deactivate`,
      expect: deny({ orgAdminX: 404, admin: 200 }),
    },
    {
      name: 'POST /v1/oauth/token (no client credentials)',
      method: 'post',
      path: () => '/v1/oauth/token',
      body: () => ({ grant_type: 'client_credentials' }),
      expect: Object.fromEntries(CALLERS.map((c) => [c, 401])) as Expect,
    },
    // API keys
    {
      name: 'POST /v1/api-keys (X)',
      method: 'post',
      path: () => '/v1/api-keys',
      body: () => ({ name: `矩阵钥匙${uniq()}`, organisationId: X, scopes: ['directory:read'] }),
      expect: deny({ orgAdminX: 201, admin: 201 }),
    },
    {
      name: 'GET /v1/api-keys',
      method: 'get',
      path: () => '/v1/api-keys',
      expect: deny({ orgAdminX: 200, admin: 200 }),
    },
    {
      name: 'POST /v1/api-keys/{Y key}/revoke',
      method: 'post',
      path: async () =>
        `/v1/api-keys/${(await adminPost('/v1/api-keys', { name: `乙钥匙${uniq()}`, organisationId: Y, scopes: [] })).id}/revoke`,
      expect: deny({ orgAdminX: 404, admin: 200 }),
    },
    // organisations
    {
      name: 'POST /v1/organisations (below X)',
      method: 'post',
      path: () => '/v1/organisations',
      body: () => ({ name: `矩阵新科${uniq()}`, kind: 'department', regionCode: TEST_REGION, parentId: X }),
      expect: deny({ orgAdminX: 201, admin: 201 }),
    },
    {
      name: 'POST /v1/organisations (below Y)',
      method: 'post',
      path: () => '/v1/organisations',
      body: () => ({ name: `矩阵新科${uniq()}`, kind: 'department', regionCode: TEST_REGION, parentId: Y }),
      expect: deny({ orgAdminX: 404, admin: 201 }),
    },
    {
      name: 'PUT /v1/organisations/{X1}',
      method: 'put',
      path: () => `/v1/organisations/${X1}`,
      headers: async () => ({ 'If-Match': await versionOf('organisation', X1) }),
      body: orgUpdate(() => X),
      expect: deny({ orgAdminX: 200, admin: 200 }),
    },
    {
      name: 'PUT /v1/organisations/{Y}',
      method: 'put',
      path: () => `/v1/organisations/${Y}`,
      headers: async () => ({ 'If-Match': await versionOf('organisation', Y) }),
      body: orgUpdate(() => root),
      expect: deny({ orgAdminX: 404, admin: 200 }),
    },
    {
      name: 'POST /v1/regions',
      method: 'post',
      path: () => '/v1/regions',
      body: () => ({
        code: `98${createHash('sha256').update(uniq()).digest('hex').replace(/\D/g, '').slice(0, 4).padEnd(4, '0')}`,
        name: '矩阵区划',
        level: 'city',
      }),
      expect: deny({ admin: 201, orgAdminX: 403 }),
    },
    // the caller's own account and data-access record: citizen and business accounts only. The
    // global administrator's '*' grant never implies self:service, so it is refused like other staff.
    {
      name: 'GET /v1/me',
      method: 'get',
      path: () => '/v1/me',
      expect: deny({ citizenA: 200, citizenB: 200 }),
    },
    {
      name: 'PUT /v1/me/profile',
      method: 'put',
      path: () => '/v1/me/profile',
      headers: async () => ({ 'If-Match': '*' }),
      body: () => ({ displayName: '矩阵市民' }),
      expect: deny({ citizenA: 200, citizenB: 200 }),
    },
    // channel identities and business representatives: the guard's answer (bodies are checked in their own suites);
    // these services serve citizen and business accounts only, so even the global administrator is refused
    {
      name: 'GET /v1/me/channels',
      method: 'get',
      path: () => '/v1/me/channels',
      expect: deny({ citizenA: 200, citizenB: 200 }),
    },
    {
      name: 'POST /v1/me/channels (empty body)',
      method: 'post',
      path: () => '/v1/me/channels',
      body: () => ({}),
      expect: deny({ citizenA: 400, citizenB: 400 }),
    },
    {
      name: 'POST /v1/me/channels/{unknown}/unbind',
      method: 'post',
      path: () => `/v1/me/channels/${randomUUID()}/unbind`,
      expect: deny({ citizenA: 404, citizenB: 404 }),
    },
    {
      name: 'GET /v1/me/representatives',
      method: 'get',
      path: () => '/v1/me/representatives',
      expect: deny({ citizenA: 200, citizenB: 200 }),
    },
    {
      name: 'POST /v1/me/representatives (empty body)',
      method: 'post',
      path: () => '/v1/me/representatives',
      body: () => ({}),
      expect: deny({ citizenA: 400, citizenB: 400 }),
    },
    {
      name: 'POST /v1/me/representatives/{unknown}/revoke',
      method: 'post',
      path: () => `/v1/me/representatives/${randomUUID()}/revoke`,
      expect: deny({ citizenA: 403, citizenB: 403 }),
    },
    {
      name: 'GET /v1/me/businesses',
      method: 'get',
      path: () => '/v1/me/businesses',
      expect: deny({ citizenA: 200, citizenB: 200 }),
    },
    {
      name: 'GET /v1/me/data-access',
      method: 'get',
      path: () => '/v1/me/data-access',
      expect: deny({ citizenA: 200, citizenB: 200 }),
    },
    // in-app inbox and notification preferences: every citizen or business account sees only its own
    // (bodies in the notifications suite)
    {
      name: 'GET /v1/me/notifications',
      method: 'get',
      path: () => '/v1/me/notifications',
      expect: deny({ citizenA: 200, citizenB: 200 }),
    },
    {
      name: 'GET /v1/me/notifications/unread-count',
      method: 'get',
      path: () => '/v1/me/notifications/unread-count',
      expect: deny({ citizenA: 200, citizenB: 200 }),
    },
    {
      name: 'POST /v1/me/notifications/read-all',
      method: 'post',
      path: () => '/v1/me/notifications/read-all',
      expect: deny({ citizenA: 200, citizenB: 200 }),
    },
    {
      name: 'POST /v1/me/notifications/{unknown}/read',
      method: 'post',
      path: () => `/v1/me/notifications/${randomUUID()}/read`,
      expect: deny({ citizenA: 404, citizenB: 404 }),
    },
    {
      name: 'GET /v1/me/notification-preferences',
      method: 'get',
      path: () => '/v1/me/notification-preferences',
      expect: deny({ citizenA: 200, citizenB: 200 }),
    },
    {
      name: 'PUT /v1/me/notification-preferences (empty body)',
      method: 'put',
      path: () => '/v1/me/notification-preferences',
      body: () => ({}),
      expect: deny({ citizenA: 400, citizenB: 400 }),
    },
    // audit
    {
      name: 'GET /v1/audit/checkpoint',
      method: 'get',
      path: () => '/v1/audit/checkpoint',
      expect: Object.fromEntries(CALLERS.map((c) => [c, 200])) as Expect,
    },
    {
      name: 'GET /v1/audit/leaves/{leaf by X}',
      method: 'get',
      path: () => `/v1/audit/leaves/${leafX}`,
      expect: deny({ supervisor: 200, admin: 200 }),
    },
  ];
  // last (after the GraphQL rows below): ends the sessions of everyone who may call it
  const logoutRow: Row = {
    name: 'POST /v1/auth/logout',
    method: 'post',
    path: () => '/v1/auth/logout',
    expect: deny({ citizenA: 204, citizenB: 204, ...STAFF_ONLY(204) }),
  };

  async function runRow(row: Row): Promise<void> {
    const actual = {} as Expect;
    for (const caller of CALLERS) {
      const req = t.http[row.method](await row.path(caller)).set(as(caller));
      if (row.headers) req.set(await row.headers(caller));
      const res = await (row.body ? req.send(await row.body(caller)) : req);
      actual[caller] = res.status;
      // refusals are problem+json (the token endpoint answers in RFC 6749's shape instead)
      if (res.status >= 400 && !row.name.includes('oauth'))
        expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    }
    expect(actual).toEqual(row.expect);
  }

  it.each(rows.map((r) => [r.name, r] as const))('%s', async (_name, row) => runRow(row));

  /** Routes left out on purpose, with the reason; everything else under these prefixes must have a row. */
  const NOT_IN_MATRIX: Record<string, string> = {
    'POST /v1/auth/register': 'public credential flow (auth suite)',
    'POST /v1/auth/verify': 'public credential flow (auth suite)',
    'POST /v1/auth/login': 'public credential flow (auth suite)',
    'POST /v1/auth/refresh': 'public credential flow (auth suite)',
    'POST /v1/auth/password-reset/request': 'public credential flow (auth suite)',
    'POST /v1/auth/password-reset/confirm': 'public credential flow (auth suite)',
    'POST /v1/me/password': 'changing it ends every session of the caller (auth suite)',
    'POST /v1/auth/channel-login': 'public credential flow (channels suite)',
    'GET /v1/auth/oidc/authorize': 'public credential flow (OIDC suite)',
    'GET /v1/auth/oidc/callback': 'public credential flow (OIDC suite)',
    'POST /v1/auth/oidc/exchange': 'public credential flow (OIDC suite, test/identity/oidc-eid.e2e-spec.ts)',
    'GET /v1/auth/oidc/jwks.json':
      'public key for private_key_jwt (OIDC suite, test/identity/oidc-eid.e2e-spec.ts)',
    'GET /v1/organisations': 'public directory',
    'GET /v1/organisations/:id': 'public directory',
    'GET /v1/regions': 'public directory',
    'GET /v1/audit/public-key': 'public',
    'GET /v1/audit/consistency-proof': 'public, needs a log of a given size (audit suite)',
    'GET /v1/audit/leaves/:id/inclusion-proof':
      'same permission and scope as GET /v1/audit/leaves/:id (audit suite)',
    'POST /v1/audit/witness':
      'public by design: only a trusted log key can make a checkpoint it accepts (audit-witness suite)',
    'GET /v1/audit/witnessed': 'public: cosigned checkpoints are published (audit-witness suite)',
    'GET /v1/me/licences': 'holder-only list (licences suite, test/public/licences.e2e-spec.ts)',
    'GET /v1/me/consultations':
      "the asker's own consultations only (engagement matrix, test/public/engagement-matrix.e2e-spec.ts)",
    'GET /v1/me/timeline': "the caller's own items only (timeline suite, test/public/timeline.e2e-spec.ts)",
    'GET /v1/me/ratings':
      "the rater's own ratings only (engagement matrix, test/public/engagement-matrix.e2e-spec.ts)",
  };

  it('has a row for every identity, organisation and audit route the application serves', () => {
    const covered = new Set(
      [...rows, logoutRow].map((r) =>
        r.name
          .replace(/\{[^}]+\}/g, ':id')
          .split(' ')
          .slice(0, 2)
          .join(' '),
      ),
    );
    const served = servedRoutes(t).filter((r) =>
      /^[A-Z]+ \/v1\/(staff|roles|clients|oauth|api-keys|organisations|regions|me|audit|auth)(\/|$)/.test(r),
    );
    expect(served.length).toBeGreaterThan(20);
    expect(served.filter((r) => !covered.has(r) && !NOT_IN_MATRIX[r])).toEqual([]);
  });

  // ---------------------------------------------------------------------------------------------
  // GraphQL: the same callers against every identity operation, with the exact outcome: 'ok', or
  // the extensions.code of the first error (UNAUTHENTICATED, FORBIDDEN, NOT_FOUND, ...).

  const G = graphqlMatrix({
    t: () => t,
    ids: () => ({ root, X, X1, Y, staffX, staffY, clerkX: people.get('clerkX')!.id }),
    freshStaff,
    adminId: async (mutation, input) => {
      const res = await gql(
        t,
        as('admin'),
        `mutation($i: ${mutation.input}!) { ${mutation.name}(input: $i) { id } }`,
        {
          i: input,
        },
      );
      if (res.errors) throw new Error(`${mutation.name}: ${JSON.stringify(res.errors)}`);
      return (res.data as Record<string, { id: string }>)[mutation.name].id;
    },
    versionOf: async (id) =>
      (await t.db.query<{ version: number }>('SELECT version FROM account WHERE id = $1', [id]))[0].version,
    clearTotp: async () => {
      const ids = [...people.entries()].filter(([c]) => !c.startsWith('citizen')).map(([, p]) => p.id);
      // Not of those whose roles need the factor: without it those roles would wait for an enrolment.
      await t.db.query(
        `UPDATE account SET totp_secret_enc = NULL, totp_pending_enc = NULL WHERE id = ANY($1::uuid[])
         AND NOT EXISTS (SELECT 1 FROM role_assignment r WHERE r.account_id = account.id AND r.role = ANY($2))`,
        [ids, [...secondFactorRoles(t.config.secondFactorRoles)]],
      );
    },
    grant: (accountId, unit) => grant(t, accountId, { role: RoleName.Clerk, unit }),
  });

  async function runGqlRow(
    row: GqlRow,
    credsOf: (c: Caller) => Promise<Record<string, string>>,
  ): Promise<void> {
    if (row.before) await row.before();
    const actual = {} as GExpect;
    for (const caller of CALLERS) {
      const res = await gql(
        t,
        await credsOf(caller),
        row.query,
        row.variables ? await row.variables(caller) : {},
      );
      actual[caller] = res.errors?.length ? res.errors[0].extensions.code : 'ok';
      // a refused operation yields no data; an answered one yields its field
      if (res.errors?.length) expect(res.data?.[row.name] ?? null).toBeNull();
      else expect(res.data?.[row.name]).toBeDefined();
    }
    expect(actual).toEqual(row.expect);
  }

  it.each(G.rows.map((r) => [`graphql ${r.name}${r.label ? ` (${r.label})` : ''}`, r] as const))(
    '%s',
    async (_name, row) => runGqlRow(row, async (c) => as(c)),
  );

  it('has a GraphQL row for every identity operation of the schema', () => {
    const schema = t.app.get(GraphQLSchemaHost).schema;
    const fields = new Set([
      ...Object.keys(schema.getQueryType()!.getFields()),
      ...Object.keys(schema.getMutationType()!.getFields()),
    ]);
    const covered = new Set([...G.rows, G.logout].map((r) => r.name));
    for (const op of GQL_IDENTITY_OPERATIONS) {
      expect({ op, inSchema: fields.has(op), covered: covered.has(op) }).toEqual({
        op,
        inSchema: true,
        covered: true,
      });
    }
  });

  // Logout over GraphQL ends sessions opened for this row only; the REST logout row then ends the matrix's own.
  it('graphql logout', async () => {
    await runGqlRow(G.logout, async (c) => {
      const p = people.get(c);
      if (!p) return as(c);
      await G.clearTotp();
      return auth(await signIn(t, p, c.startsWith('citizen') ? 'citizen' : 'staff'));
    });
  });

  it(logoutRow.name, async () => runRow(logoutRow));
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
