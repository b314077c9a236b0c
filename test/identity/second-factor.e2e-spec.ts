import { RoleName } from '../../src/modules/platform/identity/staff/role-catalogue';
import { totpCode } from '../../src/modules/platform/identity/staff/totp';
import { startTestApp, TestApp } from '../support/test-app';
import { auth, FIXTURE_PASSWORD, makeStaff, makeUnit, Person, signIn } from './staff-fixtures';

/**
 * The staff second factor: roles that need it, two-step enrolment, recovery codes, and the
 * administrator's reset. People here sign in through POST /v1/auth/login like anyone else.
 */
describe('staff second factor', () => {
  let t: TestApp;
  let X: string;
  let admin: Person;
  let adminToken: string;
  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMIT_ANONYMOUS: '100000', RATE_LIMIT_AUTHENTICATED: '100000' });
    X = await makeUnit(t, '二次认证分局');
    admin = await makeStaff(t, X, [{ role: RoleName.Admin, unit: null }]);
    adminToken = await signIn(t, admin, 'staff'); // the fixture enrols its authenticator
  });
  afterAll(() => t.close());

  const password = (p: Person) => ({ login: p.login, password: FIXTURE_PASSWORD });
  const row = async (id: string) =>
    (
      await t.db.query<{ totp_secret_enc: string | null; totp_pending_enc: string | null; version: number }>(
        'SELECT totp_secret_enc, totp_pending_enc, version FROM account WHERE id = $1',
        [id],
      )
    )[0];
  const recoveryRows = (id: string) =>
    t.db.query<{ code_hash: string; used_at: Date | null }>(
      'SELECT code_hash, used_at FROM recovery_code WHERE account_id = $1 ORDER BY id',
      [id],
    );
  const auditOf = async (id: string) =>
    t.db.query<{ action: string; actor_id: string | null }>(
      `SELECT action, actor_id FROM audit_leaf WHERE subject_id = $1 AND action LIKE 'staff.totp%' ORDER BY seq`,
      [id],
    );
  /** Starts and confirms an enrolment in the session `token`; the secret and the recovery codes. */
  async function enrol(token: string): Promise<{ secret: string; recoveryCodes: string[] }> {
    const started = await t.http
      .post('/v1/staff/me/totp')
      .set(auth(token))
      .send({ password: FIXTURE_PASSWORD })
      .expect(201);
    const confirmed = await t.http
      .post('/v1/staff/me/totp/confirm')
      .set(auth(token))
      .send({ code: totpCode(started.body.secret) })
      .expect(200);
    return { secret: started.body.secret, recoveryCodes: confirmed.body.recoveryCodes };
  }

  describe('roles that need it', () => {
    it('lets an organisation administrator without one sign in, but their role waits for the enrolment', async () => {
      const orgAdmin = await makeStaff(t, X, [{ role: RoleName.OrgAdmin, unit: X }]);
      const login = await t.http.post('/v1/auth/login').send(password(orgAdmin)).expect(200);
      expect(login.body.secondFactorEnrolmentRequired).toBe(true);
      const token = login.body.accessToken as string;
      const refused = await t.http.get('/v1/staff').set(auth(token)).expect(403);
      expect(refused.body).toMatchObject({ code: 'SECOND_FACTOR_ENROLMENT_REQUIRED', status: 403 });
      expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
      // Nothing is created through a role that waits.
      const create = await t.http
        .post('/v1/staff')
        .set(auth(token))
        .send({
          username: `w.${Date.now()}`,
          displayName: '等待',
          organisationId: X,
          password: 'Waiting-Role-2026',
        })
        .expect(403);
      expect(create.body.code).toBe('SECOND_FACTOR_ENROLMENT_REQUIRED');
      // The staff member's own routes work: that is how they enrol.
      await t.http.get('/v1/staff/me').set(auth(token)).expect(200);
      await enrol(token);
      await t.http.get('/v1/staff').set(auth(token)).expect(200);
    });

    it('holds the global administrator to it too, and a clerk not', async () => {
      const bare = await makeStaff(t, X, [{ role: RoleName.Admin, unit: null }]);
      const login = await t.http.post('/v1/auth/login').send(password(bare)).expect(200);
      expect(login.body.secondFactorEnrolmentRequired).toBe(true);
      const res = await t.http.get('/v1/staff').set(auth(login.body.accessToken)).expect(403);
      expect(res.body.code).toBe('SECOND_FACTOR_ENROLMENT_REQUIRED');

      const clerk = await makeStaff(t, X, [{ role: RoleName.Clerk, unit: X }]);
      const clerkLogin = await t.http.post('/v1/auth/login').send(password(clerk)).expect(200);
      expect(clerkLogin.body.secondFactorEnrolmentRequired).toBeUndefined();
    });

    it('refuses to start with an unknown role in STAFF_SECOND_FACTOR_ROLES', async () => {
      await expect(startTestApp({ STAFF_SECOND_FACTOR_ROLES: 'admin,janitor' })).rejects.toThrow(
        /STAFF_SECOND_FACTOR_ROLES names unknown roles: janitor/,
      );
    });
  });

  describe('enrolment', () => {
    it('expires an unconfirmed enrolment after ten minutes, leaving the factor off', async () => {
      const me = await makeStaff(t, X);
      const token = await signIn(t, me, 'staff');
      const started = await t.http
        .post('/v1/staff/me/totp')
        .set(auth(token))
        .send({ password: FIXTURE_PASSWORD })
        .expect(201);
      await t.db.query(`UPDATE account SET totp_pending_at = now() - interval '601 seconds' WHERE id = $1`, [
        me.id,
      ]);
      const before = await row(me.id);
      const late = await t.http
        .post('/v1/staff/me/totp/confirm')
        .set(auth(token))
        .send({ code: totpCode(started.body.secret) })
        .expect(409);
      expect(late.body.code).toBe('INVALID_STATE');
      expect(await row(me.id)).toEqual(before);
      expect(before.totp_secret_enc).toBeNull();
    });

    it('ends the other sessions when it is confirmed: one opened with the password alone gains nothing', async () => {
      const orgAdmin = await makeStaff(t, X, [{ role: RoleName.OrgAdmin, unit: X }]);
      const other = (await t.http.post('/v1/auth/login').send(password(orgAdmin)).expect(200)).body;
      const mine = (await t.http.post('/v1/auth/login').send(password(orgAdmin)).expect(200)).body;
      await enrol(mine.accessToken);
      await t.http.get('/v1/staff').set(auth(mine.accessToken)).expect(200);
      expect((await t.http.get('/v1/staff').set(auth(other.accessToken)).expect(401)).body.code).toBe(
        'INVALID_TOKEN',
      );
      await t.http.post('/v1/auth/refresh').send({ refreshToken: other.refreshToken }).expect(401);
      const [s] = await t.db.query<{ revoked_reason: string }>(
        'SELECT revoked_reason FROM auth_session WHERE account_id = $1 AND revoked_at IS NOT NULL',
        [orgAdmin.id],
      );
      expect(s.revoked_reason).toBe('second_factor');
      expect((await auditOf(orgAdmin.id)).map((a) => a.action)).toEqual([
        'staff.totp.enrol',
        'staff.totp.confirm',
      ]);
    });
  });

  describe('recovery codes', () => {
    it('are shown once, stored only as keyed hashes, and each signs in once instead of a TOTP code', async () => {
      const me = await makeStaff(t, X);
      const { recoveryCodes } = await enrol(await signIn(t, me, 'staff'));
      expect(recoveryCodes).toHaveLength(10);
      for (const c of recoveryCodes) expect(c).toMatch(/^[A-HJ-NP-Z2-9]{5}-[A-HJ-NP-Z2-9]{5}$/);
      expect(new Set(recoveryCodes).size).toBe(10);
      const stored = await recoveryRows(me.id);
      expect(stored).toHaveLength(10);
      for (const r of stored) {
        expect(r.code_hash).toMatch(/^[0-9a-f]{64}$/);
        expect(recoveryCodes.map((c) => c.replace('-', ''))).not.toContain(r.code_hash);
        expect(r.used_at).toBeNull();
      }

      // Typed back in lower case without the hyphen, it still works, once.
      const typed = recoveryCodes[3].replace('-', '').toLowerCase();
      const ok = await t.http
        .post('/v1/auth/login')
        .send({ ...password(me), recoveryCode: typed })
        .expect(200);
      expect(ok.body.accessToken).toEqual(expect.any(String));
      expect((await recoveryRows(me.id)).filter((r) => r.used_at)).toHaveLength(1);
      const again = await t.http
        .post('/v1/auth/login')
        .send({ ...password(me), recoveryCode: recoveryCodes[3] })
        .expect(401);
      expect(again.body.code).toBe('INVALID_CREDENTIALS');
      // A made-up code does not work either, and uses nothing up.
      await t.http
        .post('/v1/auth/login')
        .send({ ...password(me), recoveryCode: 'AAAAA-AAAAA' })
        .expect(401);
      expect((await recoveryRows(me.id)).filter((r) => r.used_at)).toHaveLength(1);
      expect((await auditOf(me.id)).map((a) => a.action)).toContain('staff.totp.recovery-code.use');
    });

    it('refuses a malformed recovery code with 400', async () => {
      const res = await t.http
        .post('/v1/auth/login')
        .send({ login: 'someone', password: 'x', recoveryCode: 'not-a-code!' })
        .expect(400);
      expect(res.body.errors[0].pointer).toBe('/recoveryCode');
    });
  });

  describe("an administrator's reset", () => {
    it('removes the factor and the recovery codes, is audited with who did it, and is never your own', async () => {
      const me = await makeStaff(t, X, [{ role: RoleName.OrgAdmin, unit: X }]);
      const token = await signIn(t, me, 'staff'); // enrolled by the fixture
      await t.db.query(
        `INSERT INTO recovery_code (id, account_id, code_hash) VALUES (gen_random_uuid(), $1, repeat('a', 64))`,
        [me.id],
      );
      const own = await t.http.post(`/v1/staff/${me.id}/totp/reset`).set(auth(token)).expect(403);
      expect(own.body.code).toBe('FORBIDDEN');
      expect((await row(me.id)).totp_secret_enc).not.toBeNull();

      const before = await row(me.id);
      await t.http.post(`/v1/staff/${me.id}/totp/reset`).set(auth(adminToken)).expect(204);
      const after = await row(me.id);
      expect(after.totp_secret_enc).toBeNull();
      expect(after.version).toBe(before.version + 1);
      expect(await recoveryRows(me.id)).toEqual([]);
      const leaves = await auditOf(me.id);
      expect(leaves[leaves.length - 1]).toEqual({ action: 'staff.totp.reset', actor_id: admin.id });
      // Their role waits again, in the session they already hold.
      expect((await t.http.get('/v1/staff').set(auth(token)).expect(403)).body.code).toBe(
        'SECOND_FACTOR_ENROLMENT_REQUIRED',
      );
    });

    it('is the same through GraphQL resetStaffTotp', async () => {
      const me = await makeStaff(t, X);
      await enrol(await signIn(t, me, 'staff'));
      const res = await t.http
        .post('/graphql')
        .set(auth(adminToken))
        .send({ query: 'mutation($s: ID!) { resetStaffTotp(staffId: $s) }', variables: { s: me.id } })
        .expect(200);
      expect(res.body).toEqual({ data: { resetStaffTotp: true } });
      expect((await row(me.id)).totp_secret_enc).toBeNull();
      expect(await recoveryRows(me.id)).toEqual([]);
      expect((await auditOf(me.id)).map((a) => a.action)).toContain('staff.totp.reset');
    });
  });
  describe('configuration', () => {
    // Last: it restarts the app with another setting (the embedded database takes one app at a time).
    it('follows STAFF_SECOND_FACTOR_ROLES, but never lets the administrator off', async () => {
      await t.close();
      t = await startTestApp({ STAFF_SECOND_FACTOR_ROLES: 'none', RATE_LIMIT_ANONYMOUS: '100000' });
      const orgAdmin = await makeStaff(t, X, [{ role: RoleName.OrgAdmin, unit: X }]);
      const login = await t.http.post('/v1/auth/login').send(password(orgAdmin)).expect(200);
      expect(login.body.secondFactorEnrolmentRequired).toBeUndefined();
      await t.http.get('/v1/staff').set(auth(login.body.accessToken)).expect(200);
      const bare = await makeStaff(t, X, [{ role: RoleName.Admin, unit: null }]);
      const adminLogin = await t.http.post('/v1/auth/login').send(password(bare)).expect(200);
      expect(adminLogin.body.secondFactorEnrolmentRequired).toBe(true);
      const res = await t.http.get('/v1/staff').set(auth(adminLogin.body.accessToken)).expect(403);
      expect(res.body.code).toBe('SECOND_FACTOR_ENROLMENT_REQUIRED');
    });
  });
});
