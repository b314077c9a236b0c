import { randomUUID } from 'node:crypto';
import { RoleName } from '../../src/modules/platform/identity/staff/role-catalogue';
import { totpCode } from '../../src/modules/platform/identity/staff/totp';
import { expectOncePerKey, KeyedMutation, Vars } from '../support/graphql-idempotency';
import { startTestApp, TestApp } from '../support/test-app';
import { accountIdOf, latestCode, PASSWORD, signedInCitizen, uniquePhone } from './citizen-fixtures';
import { auth, FIXTURE_PASSWORD, makeUnit, Person, signedInStaff, uniq } from './staff-fixtures';

/**
 * The GraphQL twins of the identity REST endpoints: staff administration, OAuth clients, API
 * keys and the credential flows. They call the same service methods as the controllers, so the
 * same rules hold (scope, rotation, reuse detection, secrets shown once); these tests check the
 * transport gives the same shapes and the same codes, and that the database changed as on REST.
 */

interface GqlError {
  message: string;
  extensions: { code: string; status?: number; errors?: Array<{ pointer: string; code: string }> };
}
interface TokenPair {
  accessToken: string;
  tokenType: string;
  expiresIn: number;
  refreshToken: string;
  refreshExpiresIn: number;
}
interface StaffNode {
  id: string;
  version: number;
}
interface ClientNode {
  id: string;
  clientId: string;
  clientSecret: string;
}
interface ApiKeyNode {
  id: string;
  prefix: string;
  key: string;
}
interface GqlResult<T = Record<string, unknown>> {
  data: T | null;
  errors?: GqlError[];
}

describe('identity over GraphQL', () => {
  let t: TestApp;
  let X: string;
  let X1: string;
  let Y: string;
  let orgAdminX: Person;
  let clerkX: Person;
  let admin: Person;
  const { person, tok } = signedInStaff(() => t);

  async function gql<T = Record<string, unknown>>(
    query: string,
    variables: Record<string, unknown> = {},
    headers: Record<string, string> = {},
  ): Promise<GqlResult<T>> {
    const res = await t.http.post('/graphql').set(headers).send({ query, variables });
    return res.body as GqlResult<T>;
  }
  const codeOf = (r: GqlResult) => r.errors?.[0]?.extensions.code;
  const countRows = async (sql: string, params: unknown[]) =>
    Number((await t.db.query<{ n: string }>(`SELECT count(*) AS n FROM ${sql}`, params))[0].n);

  beforeAll(async () => {
    t = await startTestApp({
      RATE_LIMIT_ANONYMOUS: '100000',
      RATE_LIMIT_AUTHENTICATED: '100000',
      // supertest connects over loopback: trusting it lets X-Forwarded-For name distinct callers
      TRUST_PROXY: 'loopback',
    });
    const root = await makeUnit(t, '图谱市局');
    X = await makeUnit(t, '图谱甲区', root);
    X1 = await makeUnit(t, '图谱甲区科室', X);
    Y = await makeUnit(t, '图谱乙区', root);
    orgAdminX = await person(X, [{ role: RoleName.OrgAdmin, unit: X }]);
    clerkX = await person(X, [{ role: RoleName.Clerk, unit: X }]);
    admin = await person(root, [{ role: RoleName.Admin, unit: null }]);
  });
  afterAll(() => t.close());

  describe('credential flows', () => {
    const TOKENS = 'accessToken tokenType expiresIn refreshToken refreshExpiresIn';

    it('registers, verifies, logs in, rotates refresh tokens, detects reuse and logs out', async () => {
      const phone = uniquePhone();
      const reg = await gql(
        'mutation($i: RegisterInput!) { register(input: $i) { status channel codeExpiresIn } }',
        { i: { phone, password: PASSWORD, kind: 'citizen' } },
      );
      expect(reg).toEqual({
        data: {
          register: { status: 'pending_verification', channel: 'sms', codeExpiresIn: expect.any(Number) },
        },
      });
      const id = await accountIdOf(t, { phone });
      const wrong = await gql('mutation($i: VerifyContactInput!) { verifyContact(input: $i) }', {
        i: { phone, code: 'abc' },
      });
      expect(codeOf(wrong)).toBe('VALIDATION_FAILED');
      const verified = await gql('mutation($i: VerifyContactInput!) { verifyContact(input: $i) }', {
        i: { phone, code: await latestCode(t, id) },
      });
      expect(verified).toEqual({ data: { verifyContact: true } });

      const login = await gql<{ login: TokenPair }>(
        `mutation($i: LoginInput!) { login(input: $i) { ${TOKENS} } }`,
        { i: { login: phone, password: PASSWORD } },
      );
      expect(login.errors).toBeUndefined();
      expect(login.data!.login).toEqual({
        accessToken: expect.any(String),
        tokenType: 'Bearer',
        expiresIn: t.config.jwt.accessTtlSeconds,
        refreshToken: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
        refreshExpiresIn: t.config.jwt.refreshTtlSeconds,
      });
      const first = login.data!.login;
      const me = (token: string) => gql('{ me { id } }', {}, auth(token));
      expect((await me(first.accessToken)).data).toEqual({ me: { id } });

      const r1 = await gql<{ refresh: TokenPair }>(
        `mutation($i: RefreshInput!) { refresh(input: $i) { ${TOKENS} } }`,
        { i: { refreshToken: first.refreshToken } },
      );
      expect(r1.errors).toBeUndefined();
      expect(r1.data!.refresh.refreshToken).not.toBe(first.refreshToken);
      const rows = await t.db.query<{ used_at: Date | null; session_id: string }>(
        'SELECT used_at, session_id FROM refresh_token WHERE account_id = $1 ORDER BY id',
        [id],
      );
      expect(rows).toHaveLength(2);
      expect(rows[0].used_at).not.toBeNull();

      // The used token again: the whole family ends, the rotated pair with it (same rule as REST).
      const reuse = await gql('mutation($i: RefreshInput!) { refresh(input: $i) { accessToken } }', {
        i: { refreshToken: first.refreshToken },
      });
      expect(reuse.data).toBeNull();
      expect(codeOf(reuse)).toBe('INVALID_REFRESH_TOKEN');
      const [session] = await t.db.query<{ revoked_reason: string }>(
        'SELECT revoked_reason FROM auth_session WHERE id = $1',
        [rows[0].session_id],
      );
      expect(session.revoked_reason).toBe('reuse');
      expect(codeOf(await me(r1.data!.refresh.accessToken))).toBe('INVALID_TOKEN');

      // Logout ends exactly this session.
      const again = await gql<{ login: TokenPair }>(
        `mutation($i: LoginInput!) { login(input: $i) { ${TOKENS} } }`,
        { i: { login: phone, password: PASSWORD } },
      );
      const token = again.data!.login.accessToken;
      expect(await gql('mutation { logout }', {}, auth(token))).toEqual({ data: { logout: true } });
      expect(codeOf(await me(token))).toBe('INVALID_TOKEN');
      const afterLogout = await gql('mutation($i: RefreshInput!) { refresh(input: $i) { accessToken } }', {
        i: { refreshToken: again.data!.login.refreshToken },
      });
      expect(codeOf(afterLogout)).toBe('INVALID_REFRESH_TOKEN');
      expect(codeOf(await gql('mutation { logout }'))).toBe('UNAUTHENTICATED');
    });

    it('refuses a wrong password with the REST code and changes the password with a fresh pair', async () => {
      const c = await signedInCitizen(t);
      const bad = await gql('mutation($i: LoginInput!) { login(input: $i) { accessToken } }', {
        i: { login: c.phone, password: 'Not-the-password-1' },
      });
      expect(bad.data).toBeNull();
      expect(codeOf(bad)).toBe('INVALID_CREDENTIALS');

      const changed = await gql<{ changePassword: TokenPair }>(
        `mutation($i: ChangePasswordInput!) { changePassword(input: $i) { ${TOKENS} } }`,
        { i: { currentPassword: c.password, newPassword: 'Fresh-Lantern-2025' } },
        auth(c.accessToken),
      );
      expect(changed.errors).toBeUndefined();
      expect(changed.data!.changePassword.tokenType).toBe('Bearer');
      // the old session's tokens are gone, the new pair works
      expect(codeOf(await gql('{ me { id } }', {}, auth(c.accessToken)))).toBe('INVALID_TOKEN');
      expect((await gql('{ me { id } }', {}, auth(changed.data!.changePassword.accessToken))).data).toEqual({
        me: { id: c.id },
      });
    });

    it('resets a forgotten password with the same answer for unknown contacts', async () => {
      const c = await signedInCitizen(t);
      const ask = (phone: string) =>
        gql('mutation($i: PasswordResetRequestInput!) { requestPasswordReset(input: $i) { status } }', {
          i: { phone },
        });
      const unknown = await ask(uniquePhone());
      expect(unknown).toEqual({ data: { requestPasswordReset: { status: 'accepted' } } });
      expect(await ask(c.phone)).toEqual(unknown);
      const code = await latestCode(t, c.id, 'auth.password-reset');
      const confirm = (newPassword: string) =>
        gql('mutation($i: PasswordResetConfirmInput!) { confirmPasswordReset(input: $i) }', {
          i: { phone: c.phone, code, newPassword },
        });
      const weak = await confirm('short');
      expect(weak.errors?.[0].extensions).toMatchObject({
        code: 'VALIDATION_FAILED',
        errors: [{ pointer: '/input/newPassword', code: 'passwordPolicy' }],
      });
      expect(await confirm('Brand-new-pass-42')).toEqual({ data: { confirmPasswordReset: true } });
      expect(codeOf(await gql('{ me { id } }', {}, auth(c.accessToken)))).toBe('INVALID_TOKEN');
      await t.http.post('/v1/auth/login').send({ login: c.phone, password: 'Brand-new-pass-42' }).expect(200);
    });

    it('updates the profile of the signed-in citizen', async () => {
      const c = await signedInCitizen(t);
      const res = await gql(
        'mutation($i: UpdateProfileInput!) { updateProfile(input: $i) { id displayName version } }',
        { i: { displayName: '图谱市民' } },
        auth(c.accessToken),
      );
      expect(res.data).toEqual({
        updateProfile: { id: c.id, displayName: '图谱市民', version: expect.any(Number) },
      });
      const [row] = await t.db.query<{ display_name: string }>(
        'SELECT display_name FROM account WHERE id = $1',
        [c.id],
      );
      expect(row.display_name).toBe('图谱市民');
    });
  });

  describe('staff administration', () => {
    const STAFF =
      'id username displayName organisationId status totpEnabled version roles { id role organisationId }';

    it('creates, lists, reads and updates staff within scope, with expectedVersion as If-Match', async () => {
      const username = `g.${uniq()}`;
      const created = await gql<{ createStaff: StaffNode }>(
        `mutation($i: CreateStaffInput!) { createStaff(input: $i) { ${STAFF} } }`,
        { i: { username, displayName: '图谱新人', password: 'Graph#Pass-2026', organisationId: X1 } },
        tok(orgAdminX),
      );
      expect(created.errors).toBeUndefined();
      const s = created.data!.createStaff;
      expect(s).toEqual({
        id: expect.any(String),
        username,
        displayName: '图谱新人',
        organisationId: X1,
        status: 'active',
        totpEnabled: false,
        version: expect.any(Number),
        roles: [],
      });
      expect(await countRows(`account WHERE id = $1 AND kind = 'staff'`, [s.id])).toBe(1);
      expect(await countRows(`audit_leaf WHERE action = 'staff.create' AND resource_id = $1`, [s.id])).toBe(
        1,
      );

      // outside the caller's scope: NOT_FOUND, and nothing is created
      const outside = await gql(
        'mutation($i: CreateStaffInput!) { createStaff(input: $i) { id } }',
        {
          i: { username: `g.${uniq()}`, displayName: '越权', password: 'Graph#Pass-2026', organisationId: Y },
        },
        tok(orgAdminX),
      );
      expect(codeOf(outside)).toBe('NOT_FOUND');
      // unknown fields and bad values are VALIDATION_FAILED, as on REST
      const invalid = await gql(
        'mutation($i: CreateStaffInput!) { createStaff(input: $i) { id } }',
        { i: { username: 'X', displayName: '', password: 'short', organisationId: 'nope' } },
        tok(orgAdminX),
      );
      expect(codeOf(invalid)).toBe('VALIDATION_FAILED');

      const page = await gql<{
        staff: { edges: Array<{ node: { id: string } }>; pageInfo: { hasNextPage: boolean } };
      }>(
        'query($w: ID) { staff(first: 100, within: $w) { edges { cursor node { id username } } pageInfo { hasNextPage endCursor } } }',
        { w: X },
        tok(orgAdminX),
      );
      expect(page.data!.staff.edges.map((e) => e.node.id)).toEqual(
        expect.arrayContaining([s.id, orgAdminX.id]),
      );
      const one = await gql(
        'query($id: ID!) { staffMember(id: $id) { id username } }',
        { id: s.id },
        tok(orgAdminX),
      );
      expect(one.data).toEqual({ staffMember: { id: s.id, username } });
      const bad = await gql(
        'query($id: ID!) { staffMember(id: $id) { id } }',
        { id: 'not-a-uuid' },
        tok(orgAdminX),
      );
      expect(codeOf(bad)).toBe('VALIDATION_FAILED');

      const update = (expectedVersion: number, displayName: string) =>
        gql(
          `mutation($id: ID!, $v: Int!, $i: UpdateStaffInput!) { updateStaff(id: $id, expectedVersion: $v, input: $i) { ${STAFF} } }`,
          { id: s.id, v: expectedVersion, i: { displayName, organisationId: X1, status: 'active' } },
          tok(orgAdminX),
        );
      const stale = await update(s.version - 1, '过期');
      expect(codeOf(stale)).toBe('PRECONDITION_FAILED');
      const updated = await update(s.version, '图谱改名');
      expect(updated.data!.updateStaff).toMatchObject({ displayName: '图谱改名', version: s.version + 1 });
      const [row] = await t.db.query<{ display_name: string }>(
        'SELECT display_name FROM account WHERE id = $1',
        [s.id],
      );
      expect(row.display_name).toBe('图谱改名');
    });

    it('assigns and revokes roles and resets a second factor', async () => {
      const target = await person(X1);
      const assigned = await gql<{ assignRole: { id: string; role: string; organisationId: string } }>(
        'mutation($s: ID!, $i: AssignRoleInput!) { assignRole(staffId: $s, input: $i) { id role organisationId grantedBy } }',
        { s: target.id, i: { role: 'clerk', organisationId: X1 } },
        tok(orgAdminX),
      );
      expect(assigned.data!.assignRole).toMatchObject({ role: 'clerk', organisationId: X1 });
      const assignmentId = assigned.data!.assignRole.id;
      expect(await countRows('role_assignment WHERE id = $1', [assignmentId])).toBe(1);
      // a role outside the caller's scope and a role given to oneself are refused
      const yRole = await gql(
        'mutation($s: ID!, $i: AssignRoleInput!) { assignRole(staffId: $s, input: $i) { id } }',
        { s: target.id, i: { role: 'clerk', organisationId: Y } },
        tok(orgAdminX),
      );
      expect(codeOf(yRole)).toBe('NOT_FOUND');

      const revoked = await gql(
        'mutation($s: ID!, $a: ID!) { revokeRole(staffId: $s, assignmentId: $a) }',
        { s: target.id, a: assignmentId },
        tok(orgAdminX),
      );
      expect(revoked).toEqual({ data: { revokeRole: true } });
      const [ra] = await t.db.query<{ n: string }>(
        'SELECT count(*) AS n FROM role_assignment WHERE id = $1 AND (valid_until IS NULL OR valid_until > now())',
        [assignmentId],
      );
      expect(Number(ra.n)).toBe(0);

      const reset = await gql(
        'mutation($s: ID!) { resetStaffTotp(staffId: $s) }',
        { s: target.id },
        tok(orgAdminX),
      );
      expect(reset).toEqual({ data: { resetStaffTotp: true } });
      const roles = await gql<{ roles: Array<{ name: string; permissions: string[] }> }>(
        '{ roles { name title permissions } }',
        {},
        tok(orgAdminX),
      );
      expect(roles.data!.roles.find((r) => r.name === 'clerk')?.permissions).toEqual(
        expect.arrayContaining(['case:handle']),
      );
      // the global administrator's role no longer bundles self:service
      expect(roles.data!.roles.find((r) => r.name === 'admin')?.permissions).not.toContain('self:service');
    });

    it('serves the staff member their own profile, TOTP enrolment and delegations', async () => {
      const me = await person(X, [{ role: RoleName.Clerk, unit: X }]);
      const colleague = await person(X);
      const profile = await gql(
        '{ myStaffProfile { id username roles { role } delegations { id } } }',
        {},
        tok(me),
      );
      expect(profile.data).toEqual({
        myStaffProfile: { id: me.id, username: me.login, roles: [{ role: 'clerk' }], delegations: [] },
      });

      // A session alone cannot start an enrolment: the current password is asked for.
      const ENROL =
        'mutation($i: StartTotpEnrolmentInput!) { enrolTotp(input: $i) { secret otpauthUri expiresIn } }';
      expect(codeOf(await gql(ENROL, { i: { password: 'Not-the-password-1' } }, tok(me)))).toBe(
        'VALIDATION_FAILED',
      );
      const enrol = await gql<{ enrolTotp: { secret: string; otpauthUri: string; expiresIn: number } }>(
        ENROL,
        { i: { password: FIXTURE_PASSWORD } },
        tok(me),
      );
      expect(enrol.data!.enrolTotp.secret).toMatch(/^[A-Z2-7]+$/);
      expect(enrol.data!.enrolTotp.otpauthUri).toContain(`secret=${enrol.data!.enrolTotp.secret}`);
      expect(enrol.data!.enrolTotp.expiresIn).toBe(600);
      const CONFIRM = 'mutation($i: ConfirmTotpInput!) { confirmTotp(input: $i) { recoveryCodes } }';
      const good = totpCode(enrol.data!.enrolTotp.secret);
      const bad = String((Number(good) + 1) % 1_000_000).padStart(6, '0');
      expect(codeOf(await gql(CONFIRM, { i: { code: bad } }, tok(me)))).toBe('VERIFICATION_CODE_INVALID');
      const confirmed = await gql<{ confirmTotp: { recoveryCodes: string[] } }>(
        CONFIRM,
        { i: { code: good } },
        tok(me),
      );
      expect(confirmed.data!.confirmTotp.recoveryCodes).toHaveLength(10);
      expect(codeOf(await gql(ENROL, { i: { password: FIXTURE_PASSWORD } }, tok(me)))).toBe('CONFLICT');

      const from = new Date();
      const created = await gql<{ createDelegation: { id: string } }>(
        'mutation($i: CreateDelegationInput!) { createDelegation(input: $i) { id fromAccountId toAccountId role reason revokedAt } }',
        {
          i: {
            toAccountId: colleague.id,
            role: 'clerk',
            organisationId: X,
            validFrom: from.toISOString(),
            validUntil: new Date(from.getTime() + 86_400_000).toISOString(),
            reason: '图谱休假',
          },
        },
        tok(me),
      );
      expect(created.data!.createDelegation).toEqual({
        id: expect.any(String),
        fromAccountId: me.id,
        toAccountId: colleague.id,
        role: 'clerk',
        reason: '图谱休假',
        revokedAt: null,
      });
      const id = created.data!.createDelegation.id;
      const mine = await gql('{ myDelegations { id } }', {}, tok(colleague));
      expect(mine.data).toEqual({ myDelegations: [{ id }] });
      // someone else's delegation is NOT_FOUND
      const stranger = await gql(
        'mutation($id: ID!) { revokeDelegation(id: $id) { id } }',
        { id },
        tok(clerkX),
      );
      expect(codeOf(stranger)).toBe('NOT_FOUND');
      const revoked = await gql(
        'mutation($id: ID!) { revokeDelegation(id: $id) { id revokedAt } }',
        { id },
        tok(me),
      );
      expect(revoked.data).toEqual({ revokeDelegation: { id, revokedAt: expect.any(String) } });
      const [row] = await t.db.query<{ revoked_at: Date | null }>(
        'SELECT revoked_at FROM delegation WHERE id = $1',
        [id],
      );
      expect(row.revoked_at).not.toBeNull();
    });
  });

  describe('machine clients and API keys', () => {
    const CLIENT =
      'id clientId name organisationId scopes certThumbprint active previousSecretExpiresAt lastUsedAt createdAt';

    it('creates a client whose secret is shown once and works at the (REST) token endpoint, rotates and deactivates it', async () => {
      const created = await gql<{ createClient: ClientNode }>(
        `mutation($i: CreateClientInput!) { createClient(input: $i) { ${CLIENT} clientSecret } }`,
        { i: { name: `图谱系统${uniq()}`, organisationId: X, scopes: ['directory:read'] } },
        tok(orgAdminX),
      );
      expect(created.errors).toBeUndefined();
      const c = created.data!.createClient;
      expect(c).toMatchObject({
        clientId: expect.stringMatching(/^owc_/),
        organisationId: X,
        scopes: ['directory:read'],
      });
      expect(c.clientSecret).toEqual(expect.any(String));
      const [stored] = await t.db.query<Record<string, unknown>>('SELECT * FROM oauth_client WHERE id = $1', [
        c.id,
      ]);
      expect(JSON.stringify(stored)).not.toContain(c.clientSecret);
      const token = () =>
        t.http.post('/v1/oauth/token').type('form').send({
          grant_type: 'client_credentials',
          client_id: c.clientId,
          client_secret: c.clientSecret,
        });
      await token().expect(200);
      // read back: no secret field exists on Client
      const read = await gql(
        'query($id: ID!) { client(id: $id) { clientSecret } }',
        { id: c.id },
        tok(orgAdminX),
      );
      expect(codeOf(read)).toBe('VALIDATION_FAILED');
      const listed = await gql<{ clients: { edges: Array<{ node: { id: string } }> } }>(
        'query($w: ID) { clients(first: 100, within: $w) { edges { node { id } } pageInfo { hasNextPage } } }',
        { w: X },
        tok(orgAdminX),
      );
      expect(listed.data!.clients.edges.map((e) => e.node.id)).toContain(c.id);

      const rotated = await gql<{ rotateClientSecret: ClientNode }>(
        'mutation($id: ID!) { rotateClientSecret(id: $id, input: { graceSeconds: 0 }) { id clientSecret previousSecretExpiresAt } }',
        { id: c.id },
        tok(orgAdminX),
      );
      expect(rotated.data!.rotateClientSecret.clientSecret).not.toBe(c.clientSecret);
      await token().expect(401);

      const off = await gql(
        'mutation($id: ID!) { deactivateClient(id: $id) { id active } }',
        { id: c.id },
        tok(orgAdminX),
      );
      expect(off.data).toEqual({ deactivateClient: { id: c.id, active: false } });
      const [row] = await t.db.query<{ active: boolean }>('SELECT active FROM oauth_client WHERE id = $1', [
        c.id,
      ]);
      expect(row.active).toBe(false);

      // a client of a sibling unit is NOT_FOUND for the unit's administrator, found for the global one
      const yClient = await gql<{ createClient: { id: string } }>(
        'mutation($i: CreateClientInput!) { createClient(input: $i) { id } }',
        { i: { name: `乙系统${uniq()}`, organisationId: Y, scopes: [] } },
        tok(admin),
      );
      const yId = yClient.data!.createClient.id;
      expect(
        codeOf(await gql('query($id: ID!) { client(id: $id) { id } }', { id: yId }, tok(orgAdminX))),
      ).toBe('NOT_FOUND');
      expect((await gql('query($id: ID!) { client(id: $id) { id } }', { id: yId }, tok(admin))).data).toEqual(
        {
          client: { id: yId },
        },
      );
      // a scope the caller does not hold there, and a self-service scope, are refused
      const selfScope = await gql(
        'mutation($i: CreateClientInput!) { createClient(input: $i) { id } }',
        { i: { name: `坏系统${uniq()}`, organisationId: X, scopes: ['self:service'] } },
        tok(orgAdminX),
      );
      expect(codeOf(selfScope)).toBe('VALIDATION_FAILED');
    });

    it('creates an API key shown once, lists it by prefix and revokes it', async () => {
      const created = await gql<{ createApiKey: ApiKeyNode }>(
        'mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { id prefix name organisationId ownerAccountId scopes expiresAt revokedAt key } }',
        { i: { name: `图谱钥匙${uniq()}`, organisationId: X, scopes: ['account:read'] } },
        tok(orgAdminX),
      );
      expect(created.errors).toBeUndefined();
      const k = created.data!.createApiKey;
      expect(k).toMatchObject({
        ownerAccountId: orgAdminX.id,
        organisationId: X,
        scopes: ['account:read'],
        revokedAt: null,
      });
      expect(k.key.startsWith(k.prefix)).toBe(true);
      const [stored] = await t.db.query<Record<string, unknown>>('SELECT * FROM api_key WHERE id = $1', [
        k.id,
      ]);
      expect(JSON.stringify(stored)).not.toContain(k.key);

      // the key itself works on GraphQL as X-API-Key
      const asKey = await gql('{ staff(first: 1) { edges { node { id } } } }', {}, { 'X-API-Key': k.key });
      expect(asKey.errors).toBeUndefined();
      const listed = await gql<{ apiKeys: { edges: Array<{ node: { id: string; prefix: string } }> } }>(
        '{ apiKeys(first: 100) { edges { node { id prefix } } } }',
        {},
        tok(orgAdminX),
      );
      expect(listed.data!.apiKeys.edges.map((e) => e.node)).toContainEqual({ id: k.id, prefix: k.prefix });

      const revoked = await gql(
        'mutation($id: ID!) { revokeApiKey(id: $id) { id revokedAt } }',
        { id: k.id },
        tok(orgAdminX),
      );
      expect(revoked.data).toEqual({ revokeApiKey: { id: k.id, revokedAt: expect.any(String) } });
      const after = await gql('{ staff(first: 1) { edges { node { id } } } }', {}, { 'X-API-Key': k.key });
      expect(after.data).toBeNull();
      expect(codeOf(after)).toBe('INVALID_TOKEN');
      expect(
        codeOf(
          await gql(
            'mutation($id: ID!) { revokeApiKey(id: $id) { id } }',
            { id: randomUUID() },
            tok(orgAdminX),
          ),
        ),
      ).toBe('NOT_FOUND');
    });
  });

  describe('mutations with an idempotencyKey, like their REST twins', () => {
    type Headers = Record<string, string>;
    let admins: [Person, Person];
    let clerks: [Person, Person];
    const prefix = `k${uniq()}.`;
    const phones: string[] = [];
    const ids = (people: Person[]) => [people.map((p) => p.id)];
    const input = (v: Vars) => v.input as Record<string, string>;
    const headers = (h: Headers) => h;

    beforeAll(async () => {
      admins = [orgAdminX, await person(X, [{ role: RoleName.OrgAdmin, unit: X }])];
      clerks = [clerkX, await person(X, [{ role: RoleName.Clerk, unit: X }])];
    });

    const cases: Record<string, KeyedMutation<Headers>> = {
      createStaff: {
        query: `mutation($input: CreateStaffInput!, $key: String) {
          createStaff(input: $input, idempotencyKey: $key) { id username displayName organisationId version } }`,
        callers: () => [tok(admins[0]), tok(admins[1])],
        headers,
        fresh: async () => ({
          input: {
            username: `${prefix}${uniq()}`,
            displayName: '幂等新人',
            password: 'Graph#Pass-2026',
            organisationId: X1,
          },
        }),
        changed: (v) => ({ input: { ...input(v), displayName: '另一新人' } }),
        effects: () => countRows('account WHERE username LIKE $1', [`${prefix}%`]),
        rest: (v) => ({ path: '/v1/staff', body: input(v), status: 201 }),
      },
      assignRole: {
        query: `mutation($staffId: ID!, $input: AssignRoleInput!, $key: String) {
          assignRole(staffId: $staffId, input: $input, idempotencyKey: $key) { id role organisationId grantedBy } }`,
        callers: () => [tok(admins[0]), tok(admins[1])],
        headers,
        fresh: async () => ({ staffId: (await person(X1)).id, input: { role: 'clerk', organisationId: X1 } }),
        changed: (v) => ({ ...v, input: { ...input(v), role: 'reviewer' } }),
        effects: () => countRows('role_assignment WHERE granted_by = ANY($1)', ids(admins)),
        rest: (v) => ({
          path: `/v1/staff/${v.staffId as string}/roles`,
          body: { ...input(v), role: 'clerk' },
          status: 201,
        }),
      },
      createDelegation: {
        query: `mutation($input: CreateDelegationInput!, $key: String) {
          createDelegation(input: $input, idempotencyKey: $key) { id fromAccountId toAccountId role validFrom validUntil reason } }`,
        callers: () => [tok(clerks[0]), tok(clerks[1])],
        headers,
        fresh: async () => {
          const from = new Date();
          return {
            input: {
              toAccountId: (await person(X)).id,
              role: 'clerk',
              organisationId: X,
              validFrom: from.toISOString(),
              validUntil: new Date(from.getTime() + 86_400_000).toISOString(),
              reason: '幂等休假',
            },
          };
        },
        changed: (v) => ({ input: { ...input(v), reason: '另一休假' } }),
        effects: () => countRows('delegation WHERE from_account_id = ANY($1)', ids(clerks)),
        rest: (v) => ({
          path: '/v1/staff/me/delegations',
          body: { ...input(v), role: 'clerk' },
          status: 201,
        }),
      },
      register: {
        query: `mutation($input: RegisterInput!, $key: String) {
          register(input: $input, idempotencyKey: $key) { status channel codeExpiresIn } }`,
        // Anonymous callers' keys are scoped by address (TRUST_PROXY=loopback: X-Forwarded-For is honoured).
        callers: () => [{ 'X-Forwarded-For': '203.0.113.10' }, { 'X-Forwarded-For': '203.0.113.11' }],
        headers,
        fresh: async () => {
          phones.push(uniquePhone());
          return { input: { phone: phones[phones.length - 1], password: PASSWORD, kind: 'citizen' } };
        },
        changed: (v) => ({ input: { ...input(v), kind: 'business' } }),
        effects: () =>
          countRows('verification_code v JOIN account a ON a.id = v.account_id WHERE a.phone = ANY($1)', [
            phones,
          ]),
        // A code goes out at most once a minute: age the first, so that a second run would send another.
        beforeRetry: async () => {
          await t.db.query(
            `UPDATE verification_code SET created_at = created_at - interval '2 minutes'
             WHERE account_id IN (SELECT id FROM account WHERE phone = ANY($1))`,
            [phones],
          );
        },
        rest: (v) => ({ path: '/v1/auth/register', body: input(v), status: 201 }),
      },
    };

    it.each(Object.keys(cases))('%s acts at most once per key and caller', (name) =>
      expectOncePerKey(t, cases[name]),
    );
  });

  it('keeps secrets out of caches: GraphQL answers carry Cache-Control no-store', async () => {
    const res = await t.http
      .post('/graphql')
      .set(tok(orgAdminX))
      .send({
        query: 'mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { key } }',
        variables: { i: { name: `缓存${uniq()}`, organisationId: X, scopes: [] } },
      });
    expect(res.body.data.createApiKey.key).toEqual(expect.any(String));
    expect(res.headers['cache-control']).toBe('no-store');
  });

  describe('citizen self-service is for citizens', () => {
    it('refuses staff, even the global administrator, on me and its REST twin', async () => {
      expect(codeOf(await gql('{ me { id } }', {}, tok(admin)))).toBe('FORBIDDEN');
      expect(codeOf(await gql('{ me { id } }', {}, tok(clerkX)))).toBe('FORBIDDEN');
      const rest = await t.http.get('/v1/me').set(tok(admin)).expect(403);
      expect(rest.body.code).toBe('FORBIDDEN');
      await t.http.put('/v1/me/profile').set(tok(admin)).send({ displayName: '管理员' }).expect(403);
      await t.http.get('/v1/me/data-access').set(tok(admin)).expect(403);
      // what the administrator still does: its own staff profile and password
      expect((await gql('{ myStaffProfile { id } }', {}, tok(admin))).data).toEqual({
        myStaffProfile: { id: admin.id },
      });
    });
  });

  describe('metrics', () => {
    const counter = async (type: string, outcome: string) => {
      const text = (await t.http.get('/metrics').expect(200)).text;
      const m = new RegExp(
        `^graphql_operations_total\\{type="${type}",outcome="${outcome}"\\} (\\d+)`,
        'm',
      ).exec(text);
      return m ? Number(m[1]) : 0;
    };

    it('counts GraphQL operations by type and outcome', async () => {
      const okBefore = await counter('query', 'ok');
      const errBefore = await counter('mutation', 'error');
      await gql('{ roles { name } }', {}, tok(orgAdminX));
      await gql('mutation { logout }');
      expect(await counter('query', 'ok')).toBe(okBefore + 1);
      expect(await counter('mutation', 'error')).toBe(errBefore + 1);
    });
  });
});
