import { randomUUID } from 'node:crypto';
import { JobWorker } from '../../src/modules/platform/jobs/job-worker.service';
import { AuthRetentionService } from '../../src/modules/platform/identity/auth/auth-retention.service';
import { NotificationsService } from '../../src/modules/platform/notifications/notifications.service';
import {
  PersonalDataService,
  PersonalField,
} from '../../src/modules/platform/identity/personal-data/personal-data.service';
import { randomUscc } from '../support/random-ids';
import { startTestApp, TestApp } from '../support/test-app';
import { scopedToken } from '../support/tokens';
import {
  accountIdOf,
  Citizen,
  latestCode,
  nationalId,
  PASSWORD,
  signedInCitizen,
  uniquePhone,
} from './citizen-fixtures';

describe('me: the signed-in account', () => {
  let t: TestApp;
  beforeAll(async () => (t = await startTestApp({ RATE_LIMIT_ANONYMOUS: '100000' })));
  afterAll(() => t.close());

  const bearer = (c: Pick<Citizen, 'accessToken'>) => `Bearer ${c.accessToken}`;
  const idColumns = async (id: string) =>
    (
      await t.db.query<{
        national_id_enc: string | null;
        national_id_bidx: string | null;
        national_id_last4: string | null;
        real_name: string | null;
        version: number;
      }>(
        'SELECT national_id_enc, national_id_bidx, national_id_last4, real_name, version FROM account WHERE id = $1',
        [id],
      )
    )[0];

  it('refuses anonymous callers', async () => {
    const res = await t.http.get('/v1/me').expect(401);
    expect(res.body.code).toBe('UNAUTHENTICATED');
    await t.http.put('/v1/me/profile').send({ displayName: 'x' }).expect(401);
    await t.http.post('/v1/me/password').send({ currentPassword: 'a', newPassword: 'b' }).expect(401);
  });

  it('shows the account with contacts masked and no secrets', async () => {
    const c = await signedInCitizen(t, { displayName: '小张' });
    const res = await t.http.get('/v1/me').set('Authorization', bearer(c)).expect(200);
    expect(res.body).toEqual({
      id: c.id,
      kind: 'citizen',
      status: 'active',
      displayName: '小张',
      phone: `${c.phone.slice(0, 3)}****${c.phone.slice(-4)}`,
      email: null,
      realName: null,
      nationalId: null,
      identityAssurance: 'none',
      identityVerifiedAt: null,
      unifiedSocialCreditCode: null,
      createdAt: expect.any(String),
      version: expect.any(Number),
    });
    expect(res.headers['cache-control']).toContain('no-store');
  });

  describe('PUT /v1/me/profile needs If-Match (no lost updates)', () => {
    it('428 without it, 412 with a stale ETag, 200 with the one GET /v1/me gave', async () => {
      const c = await signedInCitizen(t, { displayName: '原名' });
      const me = await t.http.get('/v1/me').set('Authorization', bearer(c)).expect(200);
      const etag = me.headers.etag;
      expect(etag).toBe(`"v${me.body.version}"`);
      const put = (ifMatch: string | null, displayName: string) => {
        const req = t.http.put('/v1/me/profile').set('Authorization', bearer(c));
        if (ifMatch !== null) req.set('If-Match', ifMatch);
        return req.send({ displayName });
      };
      const blind = await put(null, '盲改');
      expect([blind.status, blind.body.code]).toEqual([428, 'PRECONDITION_REQUIRED']);
      const stale = await put(`"v${me.body.version + 3}"`, '旧版');
      expect([stale.status, stale.body.code]).toEqual([412, 'PRECONDITION_FAILED']);
      expect((await idColumns(c.id)).version).toBe(me.body.version);
      const ok = await put(etag, '新名');
      expect(ok.status).toBe(200);
      expect(ok.body.displayName).toBe('新名');
      expect(ok.body.version).toBeGreaterThan(me.body.version);
      expect((await idColumns(c.id)).version).toBe(ok.body.version);
      // the ETag just used is now stale: a second tab holding it is refused
      const second = await put(etag, '另一个标签页');
      expect(second.status).toBe(412);
      const after = await t.http.get('/v1/me').set('Authorization', bearer(c)).expect(200);
      expect(after.body.displayName).toBe('新名');
    });
  });

  describe('profile and national ID', () => {
    it('refuses an ID with a wrong check digit and changes nothing', async () => {
      const c = await signedInCitizen(t);
      const good = nationalId();
      const bad = good.slice(0, 17) + (good[17] === '0' ? '1' : '0');
      const res = await t.http
        .put('/v1/me/profile')
        .set('If-Match', '*')
        .set('Authorization', bearer(c))
        .send({ nationalId: bad, realName: '张三' })
        .expect(400);
      expect(res.body.errors).toEqual([
        expect.objectContaining({ pointer: '/nationalId', code: 'isNationalId' }),
      ]);
      // Problem details never echo the number back.
      expect(JSON.stringify(res.body)).not.toContain(bad);
      expect(await idColumns(c.id)).toMatchObject({
        national_id_enc: null,
        national_id_bidx: null,
        real_name: null,
      });
    });

    it('stores a valid ID encrypted with a blind index and answers it masked', async () => {
      const c = await signedInCitizen(t);
      const id = nationalId();
      const before = (await idColumns(c.id)).version;
      const res = await t.http
        .put('/v1/me/profile')
        .set('If-Match', '*')
        .set('Authorization', bearer(c))
        .send({ nationalId: id, realName: '张三丰', displayName: '三丰' })
        .expect(200);
      expect(res.body).toMatchObject({
        nationalId: `${id.slice(0, 3)}${'*'.repeat(11)}${id.slice(-4)}`,
        realName: '张**',
        displayName: '三丰',
      });
      expect(JSON.stringify(res.body)).not.toContain(id);
      expect(res.body).not.toHaveProperty('passwordHash');
      expect(res.body).not.toHaveProperty('nationalIdEnc');

      const row = await idColumns(c.id);
      expect(row.national_id_enc).toMatch(/^v1\./);
      expect(row.national_id_enc).not.toContain(id);
      expect(row.national_id_enc).not.toContain(id.slice(6, 14));
      const pd = t.app.get(PersonalDataService);
      expect(row.national_id_bidx).toBe(pd.blindIndex(PersonalField.NationalId, id));
      expect(pd.decrypt(PersonalField.NationalId, row.national_id_enc!)).toBe(id);
      expect(row.national_id_last4).toBe(id.slice(-4));
      expect(row.real_name).toBe('张三丰');
      expect(row.version).toBe(before + 1);
      const leaves = await t.db.query<{ action: string; actor_id: string; resource_id: string }>(
        `SELECT action, actor_id, resource_id FROM audit_leaf WHERE subject_id = $1 AND action = 'account.profile.update'`,
        [c.id],
      );
      expect(leaves).toEqual([{ action: 'account.profile.update', actor_id: c.id, resource_id: c.id }]);

      const again = await t.http.get('/v1/me').set('Authorization', bearer(c)).expect(200);
      expect(again.body.nationalId).toBe(res.body.nationalId);
    });

    it('lets one ID belong to one account only (409), however it is spelled', async () => {
      const a = await signedInCitizen(t);
      const b = await signedInCitizen(t);
      const id = nationalId('X');
      await t.http
        .put('/v1/me/profile')
        .set('If-Match', '*')
        .set('Authorization', bearer(a))
        .send({ nationalId: id.toLowerCase() })
        .expect(200);
      expect((await idColumns(a.id)).national_id_last4).toBe(id.slice(-4));
      const res = await t.http
        .put('/v1/me/profile')
        .set('If-Match', '*')
        .set('Authorization', bearer(b))
        .send({ nationalId: ` ${id} ` })
        .expect(409);
      expect(res.body.code).toBe('CONFLICT');
      expect(JSON.stringify(res.body)).not.toContain(id);
      expect((await idColumns(b.id)).national_id_bidx).toBeNull();
      // Setting the same ID again on its own account is fine.
      await t.http
        .put('/v1/me/profile')
        .set('If-Match', '*')
        .set('Authorization', bearer(a))
        .send({ nationalId: id })
        .expect(200);
    });

    it("never shows one citizen another's data", async () => {
      const a = await signedInCitizen(t);
      const b = await signedInCitizen(t);
      await t.http
        .put('/v1/me/profile')
        .set('If-Match', '*')
        .set('Authorization', bearer(a))
        .send({ nationalId: nationalId(), realName: '李四' })
        .expect(200);
      const res = await t.http.get('/v1/me').set('Authorization', bearer(b)).expect(200);
      expect(res.body).toMatchObject({ id: b.id, nationalId: null, realName: null });
    });

    it('clears a field with null', async () => {
      const c = await signedInCitizen(t);
      await t.http
        .put('/v1/me/profile')
        .set('If-Match', '*')
        .set('Authorization', bearer(c))
        .send({ nationalId: nationalId(), realName: '王五' })
        .expect(200);
      const res = await t.http
        .put('/v1/me/profile')
        .set('If-Match', '*')
        .set('Authorization', bearer(c))
        .send({ nationalId: null, realName: null })
        .expect(200);
      expect(res.body).toMatchObject({ nationalId: null, realName: null });
      expect(await idColumns(c.id)).toMatchObject({
        national_id_enc: null,
        national_id_bidx: null,
        national_id_last4: null,
        real_name: null,
      });
    });

    it.each([
      ['a status change', { status: 'disabled' }, '/status'],
      ['a kind change', { kind: 'staff' }, '/kind'],
      ['the encrypted column', { nationalIdEnc: 'v1.x.y.z' }, '/nationalIdEnc'],
      ['a numeric name', { displayName: 42 }, '/displayName'],
      ['a control character', { displayName: 'a\u0007b' }, '/displayName'],
      ['digits in a real name', { realName: 'Zhang3' }, '/realName'],
      ['a 17-digit ID', { nationalId: '11010119900307123' }, '/nationalId'],
    ])('refuses %s with 400 and changes nothing', async (_n, body, pointer) => {
      const c = await signedInCitizen(t);
      const before = await t.db.query(
        'SELECT status, kind, display_name, real_name, version FROM account WHERE id = $1',
        [c.id],
      );
      const res = await t.http
        .put('/v1/me/profile')
        .set('If-Match', '*')
        .set('Authorization', bearer(c))
        .send(body)
        .expect(400);
      expect(res.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ pointer })]));
      expect(
        await t.db.query('SELECT status, kind, display_name, real_name, version FROM account WHERE id = $1', [
          c.id,
        ]),
      ).toEqual(before);
    });

    it('keeps credit codes to business accounts', async () => {
      const code = randomUscc();
      const citizen = await signedInCitizen(t);
      const res = await t.http
        .put('/v1/me/profile')
        .set('If-Match', '*')
        .set('Authorization', bearer(citizen))
        .send({ unifiedSocialCreditCode: code })
        .expect(400);
      expect(res.body.errors[0]).toMatchObject({ pointer: '/unifiedSocialCreditCode', code: 'businessOnly' });

      const business = await signedInCitizen(t, { kind: 'business' });
      const ok = await t.http
        .put('/v1/me/profile')
        .set('If-Match', '*')
        .set('Authorization', bearer(business))
        .send({ unifiedSocialCreditCode: code })
        .expect(200);
      expect(ok.body).toMatchObject({ kind: 'business', unifiedSocialCreditCode: code });
      const other = await signedInCitizen(t, { kind: 'business' });
      await t.http
        .put('/v1/me/profile')
        .set('If-Match', '*')
        .set('Authorization', bearer(other))
        .send({ unifiedSocialCreditCode: code })
        .expect(409);
    });

    // A live token of no account no longer exists: a session names its account by foreign key, and
    // deleting the account deletes its sessions (ON DELETE CASCADE), which ends the token.
    it('refuses a token whose account is gone, its session gone with it', async () => {
      const sub = randomUUID();
      const token = await scopedToken(t, 'citizen', ['self:service'], sub);
      await t.http.get('/v1/me').set('Authorization', `Bearer ${token}`).expect(200);
      await t.db.query('DELETE FROM account WHERE id = $1', [sub]);
      expect(await t.db.query('SELECT id FROM auth_session WHERE account_id = $1', [sub])).toEqual([]);
      expect((await t.http.get('/v1/me').set('Authorization', `Bearer ${token}`).expect(401)).body.code).toBe(
        'INVALID_TOKEN',
      );
    });
  });

  describe('GraphQL me', () => {
    const query = '{ me { id kind status phone nationalId realName } }';

    it('answers the same masked view', async () => {
      const c = await signedInCitizen(t);
      const id = nationalId();
      await t.http
        .put('/v1/me/profile')
        .set('If-Match', '*')
        .set('Authorization', bearer(c))
        .send({ nationalId: id, realName: '赵六' })
        .expect(200);
      const res = await t.http.post('/graphql').set('Authorization', bearer(c)).send({ query }).expect(200);
      expect(res.body.errors).toBeUndefined();
      expect(res.body.data.me).toEqual({
        id: c.id,
        // GraphQL enum values are the REST strings (README, GraphQL).
        kind: 'citizen',
        status: 'active',
        phone: `${c.phone.slice(0, 3)}****${c.phone.slice(-4)}`,
        nationalId: `${id.slice(0, 3)}${'*'.repeat(11)}${id.slice(-4)}`,
        realName: '赵*',
      });
    });

    it('refuses anonymous callers', async () => {
      const res = await t.http.post('/graphql').send({ query });
      expect(res.body.data?.me ?? null).toBeNull();
      expect(res.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    });

    it('does not expose secrets in the schema', async () => {
      const res = await t.http
        .post('/graphql')
        .send({ query: '{ __type(name: "Me") { fields { name } } }' })
        .expect(200);
      const names = (res.body.data.__type.fields as { name: string }[]).map((f) => f.name);
      expect(names).not.toEqual(expect.arrayContaining(['passwordHash']));
      expect(names.some((n) => /hash|enc|secret|bidx/i.test(n))).toBe(false);
    });
  });

  describe('password change', () => {
    it('checks the current password and the policy, then ends every session', async () => {
      const c = await signedInCitizen(t);
      const other = await t.http
        .post('/v1/auth/login')
        .send({ login: c.phone, password: c.password })
        .expect(200);
      const change = (body: object) =>
        t.http.post('/v1/me/password').set('Authorization', bearer(c)).send(body);

      const wrong = await change({
        currentPassword: 'Not-my-password-1',
        newPassword: 'Fresh-password-88',
      }).expect(400);
      expect(wrong.body.errors[0]).toMatchObject({
        pointer: '/currentPassword',
        code: 'currentPasswordIncorrect',
      });
      expect(
        (await change({ currentPassword: c.password, newPassword: 'abcdefgh' }).expect(400)).body.errors[0],
      ).toMatchObject({ pointer: '/newPassword', code: 'passwordPolicy' });
      expect(
        (await change({ currentPassword: c.password, newPassword: c.password }).expect(400)).body.errors[0],
      ).toMatchObject({ code: 'passwordReused' });
      await change({ currentPassword: c.password, newPassword: 'Fresh-password-88', extra: 1 }).expect(400);

      const ok = await change({ currentPassword: c.password, newPassword: 'Fresh-password-88' }).expect(200);
      expect(ok.body).toMatchObject({
        tokenType: 'Bearer',
        accessToken: expect.any(String),
        refreshToken: expect.any(String),
      });
      const [row] = await t.db.query<{ tokens_valid_after: Date | null }>(
        'SELECT tokens_valid_after FROM account WHERE id = $1',
        [c.id],
      );
      expect(row.tokens_valid_after).not.toBeNull();
      expect(
        await t.db.query(
          `SELECT 1 FROM audit_leaf WHERE subject_id = $1 AND action = 'account.password.change'`,
          [c.id],
        ),
      ).toHaveLength(1);

      // Old access and refresh tokens, of this session and the other, are refused.
      await t.http.get('/v1/me').set('Authorization', bearer(c)).expect(401);
      await t.http.get('/v1/me').set('Authorization', `Bearer ${other.body.accessToken}`).expect(401);
      expect(
        (await t.http.post('/v1/auth/refresh').send({ refreshToken: c.refreshToken }).expect(401)).body.code,
      ).toBe('INVALID_REFRESH_TOKEN');
      await t.http.post('/v1/auth/refresh').send({ refreshToken: other.body.refreshToken }).expect(401);
      const sessions = await t.db.query<{ revoked_reason: string | null }>(
        'SELECT revoked_reason FROM auth_session WHERE account_id = $1 ORDER BY id',
        [c.id],
      );
      expect(sessions.map((s) => s.revoked_reason)).toEqual(['password_change', 'password_change', null]);

      // The pair returned with the change works; so does the new password, not the old.
      await t.http.get('/v1/me').set('Authorization', `Bearer ${ok.body.accessToken}`).expect(200);
      await t.http.post('/v1/auth/refresh').send({ refreshToken: ok.body.refreshToken }).expect(200);
      await t.http.post('/v1/auth/login').send({ login: c.phone, password: c.password }).expect(401);
      await t.http.post('/v1/auth/login').send({ login: c.phone, password: 'Fresh-password-88' }).expect(200);
    });

    it('slows guesses at the current password, without locking the owner out of signing in', async () => {
      const c = await signedInCitizen(t);
      const change = (currentPassword: string) =>
        t.http
          .post('/v1/me/password')
          .set('Authorization', bearer(c))
          .send({ currentPassword, newPassword: 'Fresh-password-88' });
      for (let i = 0; i < 3; i++) await change(`Nope-${i}-xyz`).expect(400);
      const slowed = await change(c.password).expect(429);
      expect(slowed.body.code).toBe('RATE_LIMITED');
      expect(slowed.headers['retry-after']).toBe('1');
      // The guesses cost the token's holder time; signing in is counted apart and stays open.
      await t.http.post('/v1/auth/login').send({ login: c.phone, password: c.password }).expect(200);
      await new Promise((r) => setTimeout(r, 1100));
      await change(c.password).expect(200);
    });
  });

  describe('notification delivery', () => {
    it('delivers queued codes through the transport and keeps no copy of them', async () => {
      const phone = uniquePhone();
      await t.http.post('/v1/auth/register').send({ phone, password: PASSWORD, kind: 'citizen' }).expect(201);
      const id = await accountIdOf(t, { phone });
      expect(await latestCode(t, id)).toMatch(/^\d{6}$/);
      await t.app.get(JobWorker).drain();
      const [row] = await t.db.query<{
        status: string;
        attempts: number;
        sent_at: Date | null;
        params: Record<string, unknown>;
      }>('SELECT status, attempts, sent_at, params FROM notification_outbox WHERE account_id = $1', [id]);
      expect(row).toMatchObject({ status: 'sent', attempts: 1, params: { code: '[scrubbed]', minutes: 10 } });
      expect(row.sent_at).not.toBeNull();
    });

    it('purges sign-in records and delivered messages past their retention', async () => {
      const c = await signedInCitizen(t);
      const count = async (table: string) =>
        (
          await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE account_id = $1`, [
            c.id,
          ])
        )[0].n;
      await t.app.get(JobWorker).drain();
      expect(await count('verification_code')).toBe(1);
      expect(await count('refresh_token')).toBe(1);
      // Nothing is due yet.
      await t.app.get(AuthRetentionService).purge();
      await t.app.get(NotificationsService).purgeDelivered();
      expect([
        await count('verification_code'),
        await count('refresh_token'),
        await count('auth_session'),
        await count('notification_outbox'),
      ]).toEqual([1, 1, 1, 1]);

      const later = new Date(Date.now() + 60 * 86_400_000);
      await t.app.get(AuthRetentionService).purge(later);
      await t.app.get(NotificationsService).purgeDelivered(later);
      expect([
        await count('verification_code'),
        await count('refresh_token'),
        await count('auth_session'),
        await count('notification_outbox'),
      ]).toEqual([0, 0, 0, 0]);
    });
  });
});
