import { permissionRegistry } from '../../src/api/auth/permission-registry';
import { randomUUID } from 'node:crypto';
import {
  PersonalDataService,
  PersonalField,
} from '../../src/modules/platform/identity/personal-data/personal-data.service';
import { RoleName } from '../../src/modules/platform/identity/staff/role-catalogue';
import { totpCode } from '../../src/modules/platform/identity/staff/totp';
import { startTestApp, TestApp } from '../support/test-app';
import {
  auth,
  enrolFixtureTotp,
  FIXTURE_PASSWORD,
  grant,
  makeCitizen,
  makeUnit,
  Person,
  signedInStaff,
  signIn,
  uniq,
} from './staff-fixtures';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe('staff, roles and delegations', () => {
  let t: TestApp;
  // root ─┬─ X ── X1
  //       └─ Y
  let root: string;
  let X: string;
  let X1: string;
  let Y: string;
  let admin: Person;
  let orgAdminX: Person;
  let supervisor: Person;
  let plainX: Person;
  let clerkY: Person;
  const { person, tok } = signedInStaff(() => t);

  const accountRow = async (id: string) =>
    (await t.db.query<Record<string, unknown>>('SELECT * FROM account WHERE id = $1', [id]))[0];

  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMIT_ANONYMOUS: '100000', RATE_LIMIT_AUTHENTICATED: '100000' });
    root = await makeUnit(t, '测试市局');
    X = await makeUnit(t, '甲区分局', root);
    X1 = await makeUnit(t, '登记注册科', X);
    Y = await makeUnit(t, '乙区分局', root);
    admin = await person(root, [{ role: RoleName.Admin, unit: null }]);
    orgAdminX = await person(X, [{ role: RoleName.OrgAdmin, unit: X }]);
    supervisor = await person(root, [{ role: RoleName.Supervisor, unit: root }]);
    plainX = await person(X1);
    clerkY = await person(Y, [{ role: RoleName.Clerk, unit: Y }]);
  });
  afterAll(() => t.close());

  describe('staff accounts', () => {
    it('creates a staff account in a unit within scope, with an argon2id hash', async () => {
      const username = `new.${uniq()}`;
      const res = await t.http
        .post('/v1/staff')
        .set(tok(orgAdminX))
        .send({
          username,
          displayName: '新同事',
          password: FIXTURE_PASSWORD,
          organisationId: X1,
          email: `${username}@Example.gov`,
        })
        .expect(201);
      expect(res.body).toMatchObject({
        username,
        displayName: '新同事',
        organisationId: X1,
        status: 'active',
        totpEnabled: false,
        roles: [],
      });
      expect(res.body).not.toHaveProperty('passwordHash');
      const row = await accountRow(res.body.id);
      expect(row).toMatchObject({
        kind: 'staff',
        status: 'active',
        organisation_id: X1,
        email: `${username}@example.gov`,
      });
      expect(String(row.password_hash)).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
      // the new colleague can sign in (through the real login where it is mounted)
      const token = await signIn(t, { id: res.body.id, login: username }, 'staff');
      const me = await t.http.get('/v1/staff/me').set(auth(token)).expect(200);
      expect(me.body).toMatchObject({ id: res.body.id, username, roles: [], delegations: [] });
    });

    it('answers 404 for a unit outside the caller scope (or missing) and creates nothing', async () => {
      for (const organisationId of [Y, root, randomUUID()]) {
        const username = `out.${uniq()}`;
        const res = await t.http
          .post('/v1/staff')
          .set(tok(orgAdminX))
          .send({ username, displayName: '越权', password: FIXTURE_PASSWORD, organisationId })
          .expect(404);
        expect(res.body.code).toBe('NOT_FOUND');
        expect(await t.db.query('SELECT 1 FROM account WHERE username = $1', [username])).toHaveLength(0);
      }
    });

    it('refuses taken usernames, weak passwords and unknown fields', async () => {
      const body = { displayName: '重复', password: FIXTURE_PASSWORD, organisationId: X1 };
      const taken = await t.http
        .post('/v1/staff')
        .set(tok(orgAdminX))
        .send({ ...body, username: plainX.login })
        .expect(409);
      expect(taken.body.code).toBe('CONFLICT');
      const weak = await t.http
        .post('/v1/staff')
        .set(tok(orgAdminX))
        .send({ ...body, username: `w.${uniq()}`, password: '12345678' })
        .expect(400);
      expect(weak.body.errors.map((e: { pointer: string }) => e.pointer)).toContain('/password');
      const extra = await t.http
        .post('/v1/staff')
        .set(tok(orgAdminX))
        .send({ ...body, username: `e.${uniq()}`, kind: 'staff', isAdmin: true })
        .expect(400);
      expect(extra.body.code).toBe('VALIDATION_FAILED');
      const badName = await t.http
        .post('/v1/staff')
        .set(tok(orgAdminX))
        .send({ ...body, username: 'Bad Name' })
        .expect(400);
      expect(badName.body.errors[0].pointer).toBe('/username');
    });

    it('refuses callers without staff:manage', async () => {
      const body = {
        username: `r.${uniq()}`,
        displayName: '拒绝',
        password: FIXTURE_PASSWORD,
        organisationId: Y,
      };
      await t.http.post('/v1/staff').set(tok(clerkY)).send(body).expect(403);
      await t.http.post('/v1/staff').set(tok(supervisor)).send(body).expect(403);
      await t.http.post('/v1/staff').send(body).expect(401);
      const citizen = await makeCitizen(t);
      await t.http
        .post('/v1/staff')
        .set(auth(await signIn(t, citizen, 'citizen')))
        .send(body)
        .expect(403);
      expect(await t.db.query('SELECT 1 FROM account WHERE username = $1', [body.username])).toHaveLength(0);
    });

    it('lists only staff whose home unit is within scope, in pages', async () => {
      const ids = async (p: Person) => {
        const res = await t.http.get(`/v1/staff?within=${root}&limit=100`).set(tok(p)).expect(200);
        return res.body.items.map((s: { id: string }) => s.id) as string[];
      };
      const seenByX = await ids(orgAdminX);
      expect(seenByX).toEqual(expect.arrayContaining([orgAdminX.id, plainX.id]));
      expect(seenByX).not.toContain(clerkY.id);
      expect(seenByX).not.toContain(supervisor.id);
      const seenBySupervisor = await ids(supervisor);
      expect(seenBySupervisor).toEqual(
        expect.arrayContaining([orgAdminX.id, plainX.id, clerkY.id, supervisor.id]),
      );

      const first = await t.http.get(`/v1/staff?within=${root}&limit=1`).set(tok(supervisor)).expect(200);
      expect(first.body.items).toHaveLength(1);
      expect(first.body.nextCursor).toEqual(expect.any(String));
      const second = await t.http
        .get(`/v1/staff?within=${root}&limit=1&cursor=${first.body.nextCursor}`)
        .set(tok(supervisor))
        .expect(200);
      expect(second.body.items[0].id).not.toBe(first.body.items[0].id);

      const byName = await t.http
        .get(`/v1/staff?q=${encodeURIComponent(clerkY.login)}`)
        .set(tok(supervisor))
        .expect(200);
      expect(byName.body.items.map((s: { id: string }) => s.id)).toEqual([clerkY.id]);
      const hidden = await t.http
        .get(`/v1/staff?q=${encodeURIComponent(clerkY.login)}`)
        .set(tok(orgAdminX))
        .expect(200);
      expect(hidden.body.items).toEqual([]);
    });

    it('reads one staff member only within scope; others are 404', async () => {
      await t.http.get(`/v1/staff/${clerkY.id}`).set(tok(orgAdminX)).expect(404);
      const seen = await t.http.get(`/v1/staff/${clerkY.id}`).set(tok(supervisor)).expect(200);
      expect(seen.body.roles).toEqual([
        expect.objectContaining({ role: 'clerk', organisationId: Y, validFrom: null, validUntil: null }),
      ]);
      await t.http.get(`/v1/staff/${randomUUID()}`).set(tok(admin)).expect(404);
      await t.http.get('/v1/staff/not-a-uuid').set(tok(admin)).expect(400);
      await t.http.get(`/v1/staff/${plainX.id}`).set(tok(clerkY)).expect(403);
    });

    it('updates with If-Match; disabling ends the sessions at once', async () => {
      const victim = await person(X1);
      await t.http.get('/v1/staff/me').set(tok(victim)).expect(200);
      const current = await t.http.get(`/v1/staff/${victim.id}`).set(tok(orgAdminX)).expect(200);
      const body = { displayName: '改名', organisationId: X1, status: 'disabled' };
      await t.http.put(`/v1/staff/${victim.id}`).set(tok(orgAdminX)).send(body).expect(428);
      await t.http
        .put(`/v1/staff/${victim.id}`)
        .set(tok(orgAdminX))
        .set('If-Match', `"v${current.body.version + 5}"`)
        .send(body)
        .expect(412);
      await t.http
        .put(`/v1/staff/${victim.id}`)
        .set(tok(orgAdminX))
        .set('If-Match', `"v${current.body.version}"`)
        .send({ ...body, organisationId: Y })
        .expect(404);
      const res = await t.http
        .put(`/v1/staff/${victim.id}`)
        .set(tok(orgAdminX))
        .set('If-Match', `"v${current.body.version}"`)
        .send(body)
        .expect(200);
      expect(res.body).toMatchObject({
        displayName: '改名',
        status: 'disabled',
        version: current.body.version + 1,
      });
      const row = await accountRow(victim.id);
      expect(row.status).toBe('disabled');
      expect(row.tokens_valid_after).not.toBeNull();
      const refused = await t.http.get('/v1/staff/me').set(tok(victim)).expect(401);
      expect(refused.body.code).toBe('INVALID_TOKEN');
      // out of scope: a member of Y cannot be changed by X's administrator
      await t.http
        .put(`/v1/staff/${clerkY.id}`)
        .set(tok(orgAdminX))
        .set('If-Match', '"v1"')
        .send({ ...body, organisationId: Y })
        .expect(404);
      expect((await accountRow(clerkY.id)).status).toBe('active');
    });
  });

  describe('roles', () => {
    it('lists the catalogue to administrators only', async () => {
      const res = await t.http.get('/v1/roles').set(tok(orgAdminX)).set('Accept-Language', 'en').expect(200);
      const clerk = res.body.find((r: { name: string }) => r.name === 'clerk');
      // the built-in bundle first, then what loaded modules declared as granted by the role
      expect(clerk).toEqual({
        name: 'clerk',
        title: 'Clerk',
        permissions: [
          'case:handle',
          'personal-data:read',
          'directory:read',
          ...permissionRegistry.grantedBy('clerk'),
        ],
      });
      await t.http.get('/v1/roles').set(tok(clerkY)).expect(403);
    });

    it('assigns and revokes roles within scope, effective on the next request', async () => {
      const target = await person(X1);
      await t.http.get('/v1/staff').set(tok(target)).expect(403);
      const res = await t.http
        .post(`/v1/staff/${target.id}/roles`)
        .set(tok(orgAdminX))
        .send({ role: 'org_admin', organisationId: X1 })
        .expect(201);
      expect(res.body).toMatchObject({ role: 'org_admin', organisationId: X1, grantedBy: orgAdminX.id });
      const rows = await t.db.query<{ role: string }>(
        'SELECT role FROM role_assignment WHERE account_id = $1',
        [target.id],
      );
      expect(rows).toEqual([{ role: 'org_admin' }]);
      // the same access token now carries the role (grants are loaded per request), once the second
      // factor that org_admin needs is there
      const waiting = await t.http.get(`/v1/staff?within=${root}&limit=100`).set(tok(target)).expect(403);
      expect(waiting.body.code).toBe('SECOND_FACTOR_ENROLMENT_REQUIRED');
      await enrolFixtureTotp(t, target.id);
      const list = await t.http.get(`/v1/staff?within=${root}&limit=100`).set(tok(target)).expect(200);
      expect(list.body.items.map((s: { id: string }) => s.id)).toContain(target.id);
      expect(list.body.items.map((s: { id: string }) => s.id)).not.toContain(orgAdminX.id); // X is above X1
      const me = await t.http.get('/v1/staff/me').set(tok(target)).expect(200);
      expect(me.body.roles).toEqual([expect.objectContaining({ id: res.body.id, role: 'org_admin' })]);

      await t.http.delete(`/v1/staff/${target.id}/roles/${res.body.id}`).set(tok(clerkY)).expect(403);
      await t.http.delete(`/v1/staff/${target.id}/roles/${randomUUID()}`).set(tok(orgAdminX)).expect(404);
      await t.http.delete(`/v1/staff/${target.id}/roles/${res.body.id}`).set(tok(orgAdminX)).expect(204);
      expect(
        await t.db.query('SELECT 1 FROM role_assignment WHERE account_id = $1', [target.id]),
      ).toHaveLength(0);
      await t.http.get('/v1/staff').set(tok(target)).expect(403);
    });

    it('keeps role assignment inside the scope and away from admin and oneself', async () => {
      const target = await person(X1);
      const assign = (p: Person, id: string, body: object) =>
        t.http.post(`/v1/staff/${id}/roles`).set(tok(p)).send(body);
      expect((await assign(orgAdminX, target.id, { role: 'clerk', organisationId: Y })).status).toBe(404);
      expect((await assign(orgAdminX, clerkY.id, { role: 'clerk', organisationId: X1 })).status).toBe(404);
      expect((await assign(orgAdminX, target.id, { role: 'admin' })).status).toBe(403);
      expect((await assign(orgAdminX, target.id, { role: 'admin', organisationId: X })).status).toBe(403);
      expect((await assign(orgAdminX, orgAdminX.id, { role: 'clerk', organisationId: X1 })).status).toBe(403);
      expect((await assign(orgAdminX, target.id, { role: 'clerk' })).status).toBe(400);
      expect((await assign(orgAdminX, target.id, { role: 'king', organisationId: X1 })).status).toBe(400);
      const window = {
        role: 'clerk',
        organisationId: X1,
        validFrom: new Date(Date.now() + DAY).toISOString(),
        validUntil: new Date().toISOString(),
      };
      expect((await assign(orgAdminX, target.id, window)).status).toBe(400);
      expect((await assign(supervisor, target.id, { role: 'clerk', organisationId: X1 })).status).toBe(403);
      expect(
        await t.db.query('SELECT 1 FROM role_assignment WHERE account_id = $1', [target.id]),
      ).toHaveLength(0);

      expect((await assign(orgAdminX, target.id, { role: 'clerk', organisationId: X1 })).status).toBe(201);
      expect((await assign(orgAdminX, target.id, { role: 'clerk', organisationId: X1 })).status).toBe(409);
      // a global administrator may grant admin, which is then held everywhere
      expect((await assign(admin, target.id, { role: 'admin' })).status).toBe(201);
      await enrolFixtureTotp(t, target.id); // the administrator's role needs a second factor
      await t.http.get(`/v1/staff/${clerkY.id}`).set(tok(target)).expect(200);
    });

    it('honours the validity window of an assignment', async () => {
      const early = await person(X1, [
        { role: RoleName.OrgAdmin, unit: X1, validFrom: new Date(Date.now() + HOUR) },
      ]);
      const late = await person(X1, [
        { role: RoleName.OrgAdmin, unit: X1, validUntil: new Date(Date.now() - HOUR) },
      ]);
      const now = await person(X1, [
        {
          role: RoleName.OrgAdmin,
          unit: X1,
          validFrom: new Date(Date.now() - HOUR),
          validUntil: new Date(Date.now() + HOUR),
        },
      ]);
      await t.http.get('/v1/staff').set(tok(early)).expect(403);
      await t.http.get('/v1/staff').set(tok(late)).expect(403);
      await t.http.get('/v1/staff').set(tok(now)).expect(200);
    });
  });

  describe('delegations', () => {
    const window = (fromMs: number, toMs: number) => ({
      validFrom: new Date(Date.now() + fromMs).toISOString(),
      validUntil: new Date(Date.now() + toMs).toISOString(),
    });
    /** POST /v1/staff/me/delegations by `from` for `to`: org_admin in X unless the body says otherwise. */
    const postDelegation = (from: Person, to: Person, body: object) =>
      t.http
        .post('/v1/staff/me/delegations')
        .set(tok(from))
        .send({ toAccountId: to.id, role: 'org_admin', organisationId: X, ...body });

    it('lets the delegate exercise the role in that unit within the window, recorded on behalf of the delegator', async () => {
      const delegator = await person(X, [{ role: RoleName.OrgAdmin, unit: X }]);
      const delegate = await person(Y);
      await enrolFixtureTotp(t, delegate.id); // org_admin, even delegated, needs a second factor
      await t.http.get('/v1/staff').set(tok(delegate)).expect(403);
      const res = await postDelegation(delegator, delegate, {
        ...window(-60_000, DAY),
        reason: '休假',
      }).expect(201);
      expect(res.body).toMatchObject({
        fromAccountId: delegator.id,
        toAccountId: delegate.id,
        role: 'org_admin',
        organisationId: X,
        revokedAt: null,
      });

      const list = await t.http.get(`/v1/staff?within=${root}&limit=100`).set(tok(delegate)).expect(200);
      const seen = list.body.items.map((s: { id: string }) => s.id);
      expect(seen).toContain(plainX.id);
      expect(seen).not.toContain(clerkY.id);
      await t.http.get(`/v1/staff/${clerkY.id}`).set(tok(delegate)).expect(404);

      const created = await t.http
        .post('/v1/staff')
        .set(tok(delegate))
        .send({
          username: `d.${uniq()}`,
          displayName: '代办',
          password: FIXTURE_PASSWORD,
          organisationId: X1,
        })
        .expect(201);
      const leaves = await t.db.query<{ actor_id: string; on_behalf_of: string }>(
        `SELECT actor_id, on_behalf_of FROM audit_leaf WHERE action = 'staff.create' AND resource_id = $1`,
        [created.body.id],
      );
      expect(leaves).toEqual([{ actor_id: delegate.id, on_behalf_of: delegator.id }]);

      for (const p of [delegator, delegate]) {
        const mine = await t.http.get('/v1/staff/me/delegations').set(tok(p)).expect(200);
        expect(mine.body.map((d: { id: string }) => d.id)).toContain(res.body.id);
      }

      // either party may end it; then the role is gone at once
      const outsider = await person(X1);
      await t.http.post(`/v1/staff/me/delegations/${res.body.id}/revoke`).set(tok(outsider)).expect(404);
      const revoked = await t.http
        .post(`/v1/staff/me/delegations/${res.body.id}/revoke`)
        .set(tok(delegator))
        .expect(200);
      expect(revoked.body.revokedAt).toEqual(expect.any(String));
      await t.http.get('/v1/staff').set(tok(delegate)).expect(403);
      await t.http.post(`/v1/staff/me/delegations/${res.body.id}/revoke`).set(tok(delegate)).expect(409);
    });

    it('records no delegator when the person acts under a role of their own', async () => {
      // Holds org_admin in Y themselves and, for a colleague, the clerk role in X: managing staff
      // is their own authority, so the audit leaf must not name the colleague.
      const delegator = await person(X, [{ role: RoleName.Clerk, unit: X }]);
      const delegate = await person(Y, [{ role: RoleName.OrgAdmin, unit: Y }]);
      await postDelegation(delegator, delegate, {
        role: 'clerk',
        ...window(-60_000, DAY),
        reason: '出差',
      }).expect(201);
      const created = await t.http
        .post('/v1/staff')
        .set(tok(delegate))
        .send({ username: `o.${uniq()}`, displayName: '自办', password: FIXTURE_PASSWORD, organisationId: Y })
        .expect(201);
      const leaves = await t.db.query<{ actor_id: string; on_behalf_of: string | null }>(
        `SELECT actor_id, on_behalf_of FROM audit_leaf WHERE action = 'staff.create' AND resource_id = $1`,
        [created.body.id],
      );
      expect(leaves).toEqual([{ actor_id: delegate.id, on_behalf_of: null }]);
    });

    it('has no effect before or after its window', async () => {
      const delegator = await person(X, [{ role: RoleName.OrgAdmin, unit: X }]);
      const delegate = await person(Y);
      await enrolFixtureTotp(t, delegate.id); // org_admin, even delegated, needs a second factor
      const future = await postDelegation(delegator, delegate, {
        ...window(HOUR, DAY),
        reason: '出差',
      }).expect(201);
      await t.http.get('/v1/staff').set(tok(delegate)).expect(403);
      // move the window into the past (the API only accepts windows that have not ended)
      await t.db.query('UPDATE delegation SET valid_from = $2, valid_until = $3 WHERE id = $1', [
        future.body.id,
        new Date(Date.now() - DAY),
        new Date(Date.now() - HOUR),
      ]);
      await t.http.get('/v1/staff').set(tok(delegate)).expect(403);
      // and inside it, as a control
      await t.db.query('UPDATE delegation SET valid_until = $2 WHERE id = $1', [
        future.body.id,
        new Date(Date.now() + HOUR),
      ]);
      await t.http.get('/v1/staff').set(tok(delegate)).expect(200);
    });

    it('ends when the delegator no longer holds the role or is disabled', async () => {
      const delegator = await person(X, []);
      const assignment = await grant(t, delegator.id, { role: RoleName.OrgAdmin, unit: X });
      const delegate = await person(Y);
      await enrolFixtureTotp(t, delegate.id); // org_admin, even delegated, needs a second factor
      await postDelegation(delegator, delegate, {
        organisationId: X1,
        ...window(-60_000, DAY),
        reason: '借调',
      }).expect(201);
      await t.http.get('/v1/staff').set(tok(delegate)).expect(200);
      await t.db.query('DELETE FROM role_assignment WHERE id = $1', [assignment]);
      await t.http.get('/v1/staff').set(tok(delegate)).expect(403);
      await grant(t, delegator.id, { role: RoleName.OrgAdmin, unit: X });
      await t.http.get('/v1/staff').set(tok(delegate)).expect(200);
      await t.db.query(`UPDATE account SET status = 'disabled' WHERE id = $1`, [delegator.id]);
      await t.http.get('/v1/staff').set(tok(delegate)).expect(403);
    });

    it('refuses bad windows, roles not held, admin, oneself and unknown colleagues', async () => {
      const delegator = await person(X, [{ role: RoleName.OrgAdmin, unit: X }]);
      const delegate = await person(Y);
      await enrolFixtureTotp(t, delegate.id); // org_admin, even delegated, needs a second factor
      const post = (body: object) =>
        postDelegation(delegator, delegate, { reason: '测试', ...window(0, DAY), ...body });
      const tooLong = await post(window(0, 91 * DAY)).expect(400);
      expect(tooLong.body.errors[0]).toMatchObject({ pointer: '/validUntil', code: 'maxWindow' });
      await post(window(0, 90 * DAY)).expect(201);
      await post(window(-2 * DAY, -DAY)).expect(400);
      await post(window(DAY, 0)).expect(400);
      await post({ toAccountId: delegator.id }).expect(400);
      await post({ role: 'approver' }).expect(403);
      await post({ organisationId: Y }).expect(403);
      await post({ organisationId: root }).expect(403);
      await post({ role: 'admin' }).expect(403);
      await post({ toAccountId: randomUUID() }).expect(404);
      await post({ validFrom: 'yesterday' }).expect(400);
      const citizen = await makeCitizen(t);
      await post({ toAccountId: citizen.id }).expect(404);
      await t.http
        .post('/v1/staff/me/delegations')
        .set(auth(await signIn(t, citizen, 'citizen')))
        .send({})
        .expect(403);
    });
  });

  describe('TOTP', () => {
    it('enrols with the current password, turns on only with a confirming code, and is reset by an administrator', async () => {
      const me = await person(X1);
      const row = async () =>
        (
          await t.db.query<{ totp_secret_enc: string | null; totp_pending_enc: string | null }>(
            'SELECT totp_secret_enc, totp_pending_enc FROM account WHERE id = $1',
            [me.id],
          )
        )[0];
      // A session alone cannot start it: the current password is asked for.
      const bare = await t.http.post('/v1/staff/me/totp').set(tok(me)).send({}).expect(400);
      expect(bare.body.errors[0].pointer).toBe('/password');
      const wrong = await t.http
        .post('/v1/staff/me/totp')
        .set(tok(me))
        .send({ password: 'Not-the-password-1' })
        .expect(400);
      expect(wrong.body.errors[0]).toMatchObject({ pointer: '/password', code: 'currentPasswordIncorrect' });
      expect(await row()).toEqual({ totp_secret_enc: null, totp_pending_enc: null });

      const res = await t.http
        .post('/v1/staff/me/totp')
        .set(tok(me))
        .send({ password: FIXTURE_PASSWORD })
        .expect(201);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.body.secret).toMatch(/^[A-Z2-7]{32}$/);
      expect(res.body.expiresIn).toBe(600);
      expect(res.body.otpauthUri).toBe(
        `otpauth://totp/OneWindow:${encodeURIComponent(me.login)}?secret=${res.body.secret}&issuer=OneWindow&algorithm=SHA1&digits=6&period=30`,
      );
      // Waiting for its code: stored encrypted, not yet on.
      const pending = await row();
      expect(pending.totp_secret_enc).toBeNull();
      expect(pending.totp_pending_enc).toMatch(/^v1\./);
      expect(pending.totp_pending_enc).not.toContain(res.body.secret);
      expect(
        t.app.get(PersonalDataService).decrypt(PersonalField.TotpSecret, pending.totp_pending_enc!),
      ).toBe(res.body.secret);
      expect((await t.http.get('/v1/staff/me').set(tok(me)).expect(200)).body.totpEnabled).toBe(false);

      const good = totpCode(res.body.secret);
      const bad = String((Number(good) + 1) % 1_000_000).padStart(6, '0');
      const refused = await t.http
        .post('/v1/staff/me/totp/confirm')
        .set(tok(me))
        .send({ code: bad })
        .expect(400);
      expect(refused.body.code).toBe('VERIFICATION_CODE_INVALID');
      expect((await row()).totp_secret_enc).toBeNull();
      const confirmed = await t.http
        .post('/v1/staff/me/totp/confirm')
        .set(tok(me))
        .send({ code: good })
        .expect(200);
      expect(confirmed.headers['cache-control']).toBe('no-store');
      expect(confirmed.body.recoveryCodes).toHaveLength(10);
      const on = await row();
      expect(on.totp_pending_enc).toBeNull();
      expect(t.app.get(PersonalDataService).decrypt(PersonalField.TotpSecret, on.totp_secret_enc!)).toBe(
        res.body.secret,
      );
      await t.http.post('/v1/staff/me/totp').set(tok(me)).send({ password: FIXTURE_PASSWORD }).expect(409);
      expect((await t.http.get('/v1/staff/me').set(tok(me)).expect(200)).body.totpEnabled).toBe(true);

      const login = await t.http.post('/v1/auth/login').send({ login: me.login, password: FIXTURE_PASSWORD });
      expect(login.status).toBe(401);
      expect(login.body.code).toBe('SECOND_FACTOR_REQUIRED');

      await t.http.post(`/v1/staff/${me.id}/totp/reset`).set(tok(clerkY)).expect(403);
      await t.http.post(`/v1/staff/${me.id}/totp/reset`).set(tok(orgAdminX)).expect(204);
      expect(await row()).toEqual({ totp_secret_enc: null, totp_pending_enc: null });
      const [{ n }] = await t.db.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM recovery_code WHERE account_id = $1',
        [me.id],
      );
      expect(n).toBe(0);
      const citizen = await makeCitizen(t);
      await t.http
        .post('/v1/staff/me/totp')
        .set(auth(await signIn(t, citizen, 'citizen')))
        .send({ password: FIXTURE_PASSWORD })
        .expect(403);
    });
  });
});
