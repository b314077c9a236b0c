import { SignJWT } from 'jose';
import { randomBytes } from 'node:crypto';
import { Account, AccountKind, AccountStatus } from '../../src/modules/platform/identity/account.entity';
import { PasswordService } from '../../src/modules/platform/identity/auth/password.service';
import {
  PersonalDataService,
  PersonalField,
} from '../../src/modules/platform/identity/personal-data/personal-data.service';
import { newTotpSecret, totpCode } from '../../src/modules/platform/identity/staff/totp';
import { randomUscc } from '../support/random-ids';
import { startTestApp, TestApp } from '../support/test-app';
import {
  accountIdOf,
  latestCode,
  PASSWORD,
  signedInCitizen,
  uniqueEmail,
  uniquePhone,
} from './citizen-fixtures';

describe('auth: citizen and business accounts', () => {
  let t: TestApp;
  beforeAll(async () => (t = await startTestApp({ RATE_LIMIT_ANONYMOUS: '100000' })));
  afterAll(() => t.close());

  const accountRow = async (id: string) =>
    (
      await t.db.query<{
        status: string;
        version: number;
        password_hash: string;
      }>('SELECT status, version, password_hash FROM account WHERE id = $1', [id])
    )[0];
  const countByPhone = async (phone: string) =>
    (await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM account WHERE phone = $1', [phone]))[0]
      .n;
  const me = (token: string) => t.http.get('/v1/me').set('Authorization', `Bearer ${token}`);
  const auditActions = async (id: string) =>
    (
      await t.db.query<{ action: string }>(
        'SELECT action FROM audit_leaf WHERE subject_id = $1 ORDER BY seq',
        [id],
      )
    ).map((r) => r.action);

  describe('register → verify → login → refresh → logout', () => {
    it('runs the whole flow, detects refresh-token reuse and refuses tokens of an ended session', async () => {
      const phone = uniquePhone();
      const reg = await t.http
        .post('/v1/auth/register')
        .send({ phone: `+86 ${phone}`, password: PASSWORD, kind: 'citizen', displayName: '小张' })
        .expect(201);
      expect(reg.body).toEqual({ status: 'pending_verification', channel: 'sms', codeExpiresIn: 600 });
      const id = await accountIdOf(t, { phone });
      expect((await accountRow(id)).status).toBe('pending');

      // The code travels only in the outbox; the code table keeps a keyed hash of it.
      const code = await latestCode(t, id);
      expect(code).toMatch(/^\d{6}$/);
      const [stored] = await t.db.query<{ code_hash: string; attempts: number; expires_at: Date }>(
        `SELECT code_hash, attempts, expires_at FROM verification_code WHERE account_id = $1`,
        [id],
      );
      expect(stored.code_hash).toMatch(/^[0-9a-f]{64}$/);
      expect(stored.code_hash).not.toContain(code);
      expect(stored.expires_at.getTime() - Date.now()).toBeGreaterThan(9 * 60_000);
      const [outbox] = await t.db.query<{ channel: string; recipient: string; status: string }>(
        `SELECT channel, recipient, status FROM notification_outbox WHERE account_id = $1`,
        [id],
      );
      expect(outbox).toEqual({ channel: 'sms', recipient: phone, status: 'pending' });

      await t.http
        .post('/v1/auth/login')
        .send({ login: phone, password: PASSWORD })
        .expect(403)
        .expect((r) => expect(r.body.code).toBe('ACCOUNT_NOT_VERIFIED'));
      await t.http.post('/v1/auth/verify').send({ phone, code }).expect(204);
      expect((await accountRow(id)).status).toBe('active');
      expect(await auditActions(id)).toEqual(['account.register', 'account.verify']);
      // The same code cannot be used twice.
      await t.http.post('/v1/auth/verify').send({ phone, code }).expect(400);

      const login = await t.http
        .post('/v1/auth/login')
        .send({ login: phone, password: PASSWORD })
        .expect(200);
      expect(login.headers['cache-control']).toBe('no-store');
      expect(login.body).toEqual({
        accessToken: expect.any(String),
        tokenType: 'Bearer',
        expiresIn: 900,
        refreshToken: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
        refreshExpiresIn: t.config.jwt.refreshTtlSeconds,
      });
      const [storedToken] = await t.db.query<{ token_hash: string; session_id: string }>(
        'SELECT token_hash, session_id FROM refresh_token WHERE account_id = $1',
        [id],
      );
      expect(storedToken.token_hash).toMatch(/^[0-9a-f]{64}$/);
      expect(storedToken.token_hash).not.toBe(login.body.refreshToken);
      const claims = JSON.parse(
        Buffer.from(login.body.accessToken.split('.')[1], 'base64url').toString(),
      ) as Record<string, unknown>;
      expect(claims).toMatchObject({
        sub: id,
        kind: 'citizen',
        sid: storedToken.session_id,
        iss: t.config.jwt.issuer,
        aud: t.config.jwt.audience,
      });
      expect((await me(login.body.accessToken).expect(200)).body.id).toBe(id);

      const r1 = await t.http
        .post('/v1/auth/refresh')
        .send({ refreshToken: login.body.refreshToken })
        .expect(200);
      expect(r1.body.refreshToken).not.toBe(login.body.refreshToken);
      await me(r1.body.accessToken).expect(200);
      const rows = await t.db.query<{ parent_id: string | null; used_at: Date | null; session_id: string }>(
        'SELECT parent_id, used_at, session_id FROM refresh_token WHERE account_id = $1 ORDER BY id',
        [id],
      );
      expect(rows).toHaveLength(2);
      expect(rows[0].used_at).not.toBeNull();
      expect(rows[1].session_id).toBe(rows[0].session_id);
      expect(rows[1].parent_id).not.toBeNull();

      // Replaying the used token ends the whole family: the rotated pair dies with it.
      const reuse = await t.http
        .post('/v1/auth/refresh')
        .send({ refreshToken: login.body.refreshToken })
        .expect(401);
      expect(reuse.body.code).toBe('INVALID_REFRESH_TOKEN');
      const [session] = await t.db.query<{ revoked_at: Date | null; revoked_reason: string }>(
        'SELECT revoked_at, revoked_reason FROM auth_session WHERE id = $1',
        [storedToken.session_id],
      );
      expect(session.revoked_reason).toBe('reuse');
      await t.http.post('/v1/auth/refresh').send({ refreshToken: r1.body.refreshToken }).expect(401);
      expect((await me(r1.body.accessToken).expect(401)).body.code).toBe('INVALID_TOKEN');

      // A fresh login, then logout: that session's access and refresh tokens stop working.
      const again = await t.http
        .post('/v1/auth/login')
        .send({ login: phone, password: PASSWORD })
        .expect(200);
      await me(again.body.accessToken).expect(200);
      await t.http
        .post('/v1/auth/logout')
        .set('Authorization', `Bearer ${again.body.accessToken}`)
        .expect(204);
      expect((await me(again.body.accessToken).expect(401)).body.code).toBe('INVALID_TOKEN');
      await t.http.post('/v1/auth/refresh').send({ refreshToken: again.body.refreshToken }).expect(401);
    });

    it('keeps other sessions of the account alive on logout', async () => {
      const c = await signedInCitizen(t);
      const other = await t.http
        .post('/v1/auth/login')
        .send({ login: c.phone, password: c.password })
        .expect(200);
      await t.http.post('/v1/auth/logout').set('Authorization', `Bearer ${c.accessToken}`).expect(204);
      await me(c.accessToken).expect(401);
      await me(other.body.accessToken).expect(200);
    });

    it('refuses logout without a token', async () => {
      expect((await t.http.post('/v1/auth/logout').expect(401)).body.code).toBe('UNAUTHENTICATED');
    });

    it('signs in by e-mail too, case-insensitively', async () => {
      const email = uniqueEmail();
      await t.http
        .post('/v1/auth/register')
        .send({ email: email.toUpperCase(), password: PASSWORD, kind: 'citizen' })
        .expect(201);
      const id = await accountIdOf(t, { email });
      const [row] = await t.db.query<{ channel: string }>(
        'SELECT channel FROM notification_outbox WHERE account_id = $1',
        [id],
      );
      expect(row.channel).toBe('email');
      await t.http
        .post('/v1/auth/verify')
        .send({ email, code: await latestCode(t, id) })
        .expect(204);
      await t.http
        .post('/v1/auth/login')
        .send({ login: ` ${email.toUpperCase()} `, password: PASSWORD })
        .expect(200);
    });
  });

  describe('registration', () => {
    it('answers a taken contact exactly like a new one, creating nothing', async () => {
      const c = await signedInCitizen(t);
      const res = await t.http
        .post('/v1/auth/register')
        .send({ phone: c.phone, password: 'Another-pass-9', kind: 'business' })
        .expect(201);
      expect(res.body).toEqual({ status: 'pending_verification', channel: 'sms', codeExpiresIn: 600 });
      expect(await countByPhone(c.phone)).toBe(1);
      const [row] = await t.db.query<{ kind: string }>('SELECT kind FROM account WHERE id = $1', [c.id]);
      expect(row.kind).toBe('citizen');
      // The holder is told someone tried; no code is sent, and the notice is not repeated at will.
      await t.http
        .post('/v1/auth/register')
        .send({ phone: c.phone, password: 'Another-pass-9', kind: 'citizen' })
        .expect(201);
      const notices = await t.db.query(
        'SELECT 1 FROM notification_outbox WHERE account_id = $1 AND template = $2',
        [c.id, 'auth.account-exists'],
      );
      expect(notices).toHaveLength(1);
    });

    it('re-registering a pending contact sends no second account, and the verified password is that of the code', async () => {
      const phone = uniquePhone();
      await t.http.post('/v1/auth/register').send({ phone, password: PASSWORD, kind: 'citizen' }).expect(201);
      const id = await accountIdOf(t, { phone });
      await t.db.query(
        `UPDATE verification_code SET created_at = created_at - interval '2 minutes' WHERE account_id = $1`,
        [id],
      );
      await t.http
        .post('/v1/auth/register')
        .send({ phone, password: 'Second-choice-77', kind: 'citizen' })
        .expect(201);
      expect(await countByPhone(phone)).toBe(1);
      const codes = await t.db.query<{ expires_at: Date }>(
        'SELECT expires_at FROM verification_code WHERE account_id = $1 ORDER BY id',
        [id],
      );
      expect(codes).toHaveLength(2);
      expect(codes[0].expires_at.getTime()).toBeLessThanOrEqual(Date.now());
      await t.http
        .post('/v1/auth/verify')
        .send({ phone, code: await latestCode(t, id) })
        .expect(204);
      await t.http.post('/v1/auth/login').send({ login: phone, password: PASSWORD }).expect(401);
      await t.http.post('/v1/auth/login').send({ login: phone, password: 'Second-choice-77' }).expect(200);
    });

    it('replays a retried registration with the same Idempotency-Key', async () => {
      const phone = uniquePhone();
      const body = { phone, password: PASSWORD, kind: 'citizen' };
      const key = `reg-${phone}`;
      const first = await t.http.post('/v1/auth/register').set('Idempotency-Key', key).send(body).expect(201);
      const replay = await t.http
        .post('/v1/auth/register')
        .set('Idempotency-Key', key)
        .send(body)
        .expect(201);
      expect(replay.headers['idempotent-replayed']).toBe('true');
      expect(replay.body).toEqual(first.body);
      expect(await countByPhone(phone)).toBe(1);
      await t.http
        .post('/v1/auth/register')
        .set('Idempotency-Key', key)
        .send({ ...body, kind: 'business' })
        .expect(422);
    });

    it('sends at most one code a minute to the same account', async () => {
      const phone = uniquePhone();
      await t.http.post('/v1/auth/register').send({ phone, password: PASSWORD, kind: 'citizen' }).expect(201);
      await t.http.post('/v1/auth/register').send({ phone, password: PASSWORD, kind: 'citizen' }).expect(201);
      const id = await accountIdOf(t, { phone });
      expect(await t.db.query('SELECT 1 FROM verification_code WHERE account_id = $1', [id])).toHaveLength(1);
    });

    it.each([
      ['all digits', { password: '1234567890' }, '/password', 'passwordPolicy'],
      ['too short', { password: 'aB3$' }, '/password', 'passwordPolicy'],
      ['all lower case', { password: 'onlylowercaseletters' }, '/password', 'passwordPolicy'],
      ['common', { password: 'Password123' }, '/password', 'commonPassword'],
      ['no contact', { phone: undefined }, '/phone', 'exactlyOneContact'],
      ['two contacts', { email: 'a@example.test' }, '/email', 'exactlyOneContact'],
      ['bad phone', { phone: '12345' }, '/phone', 'matches'],
      ['staff kind', { kind: 'staff' }, '/kind', 'isIn'],
      ['unknown field', { status: 'active' }, '/status', 'whitelistValidation'],
      ['wrong type', { password: 12345678 }, '/password', 'isString'],
      [
        'citizen with a credit code',
        { unifiedSocialCreditCode: '91350100M000100Y43' },
        '/unifiedSocialCreditCode',
        'businessOnly',
      ],
      [
        'bad credit code',
        { kind: 'business', unifiedSocialCreditCode: '91350100M000100Y44' },
        '/unifiedSocialCreditCode',
        'isUnifiedSocialCreditCode',
      ],
    ])('refuses %s with 400 and creates nothing', async (_name, patch, pointer, rule) => {
      const phone = uniquePhone();
      const body: Record<string, unknown> = { phone, password: PASSWORD, kind: 'citizen', ...patch };
      const res = await t.http.post('/v1/auth/register').send(body).expect(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
      expect(res.body.errors).toEqual(
        expect.arrayContaining([expect.objectContaining({ pointer, code: rule })]),
      );
      expect(await countByPhone(phone)).toBe(0);
    });

    it('refuses a password containing the phone number', async () => {
      const phone = uniquePhone();
      const res = await t.http
        .post('/v1/auth/register')
        .send({ phone, password: `Pw${phone}`, kind: 'citizen' })
        .expect(400);
      expect(res.body.errors[0]).toMatchObject({ pointer: '/password', code: 'passwordContainsLogin' });
    });

    it('registers a business account with its credit code, once per code', async () => {
      const uscc = await freeCreditCode();
      const phone = uniquePhone();
      await t.http
        .post('/v1/auth/register')
        .send({ phone, password: PASSWORD, kind: 'business', unifiedSocialCreditCode: uscc.toLowerCase() })
        .expect(201);
      const [row] = await t.db.query<{ kind: string; unified_social_credit_code: string }>(
        'SELECT kind, unified_social_credit_code FROM account WHERE phone = $1',
        [phone],
      );
      expect(row).toEqual({ kind: 'business', unified_social_credit_code: uscc });
      const second = await t.http
        .post('/v1/auth/register')
        .send({ phone: uniquePhone(), password: PASSWORD, kind: 'business', unifiedSocialCreditCode: uscc })
        .expect(409);
      expect(second.body.code).toBe('CONFLICT');
    });
  });

  describe('verification codes', () => {
    async function pending(): Promise<{ phone: string; id: string; code: string }> {
      const phone = uniquePhone();
      await t.http.post('/v1/auth/register').send({ phone, password: PASSWORD, kind: 'citizen' }).expect(201);
      const id = await accountIdOf(t, { phone });
      return { phone, id, code: await latestCode(t, id) };
    }
    const wrong = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, '0');
    const attempts = async (id: string) =>
      (
        await t.db.query<{ attempts: number }>(
          'SELECT attempts FROM verification_code WHERE account_id = $1',
          [id],
        )
      )[0].attempts;

    it('refuses a wrong code and counts the attempt', async () => {
      const p = await pending();
      const res = await t.http
        .post('/v1/auth/verify')
        .send({ phone: p.phone, code: wrong(p.code) })
        .expect(400);
      expect(res.body.code).toBe('VERIFICATION_CODE_INVALID');
      expect(await attempts(p.id)).toBe(1);
      expect((await accountRow(p.id)).status).toBe('pending');
    });

    it('refuses the right code once expired', async () => {
      const p = await pending();
      await t.db.query(
        `UPDATE verification_code SET expires_at = now() - interval '1 second' WHERE account_id = $1`,
        [p.id],
      );
      expect(
        (await t.http.post('/v1/auth/verify').send({ phone: p.phone, code: p.code }).expect(400)).body.code,
      ).toBe('VERIFICATION_CODE_INVALID');
      expect((await accountRow(p.id)).status).toBe('pending');
    });

    it('refuses the right code after five wrong tries', async () => {
      const p = await pending();
      for (let i = 0; i < 5; i++)
        await t.http
          .post('/v1/auth/verify')
          .send({ phone: p.phone, code: wrong(p.code) })
          .expect(400);
      await t.http.post('/v1/auth/verify').send({ phone: p.phone, code: p.code }).expect(400);
      expect(await attempts(p.id)).toBe(5);
      expect((await accountRow(p.id)).status).toBe('pending');
    });

    it('answers an unknown contact like a wrong code', async () => {
      const res = await t.http
        .post('/v1/auth/verify')
        .send({ phone: uniquePhone(), code: '123456' })
        .expect(400);
      expect(res.body.code).toBe('VERIFICATION_CODE_INVALID');
    });

    it.each([
      ['a 5-digit code', { code: '12345' }],
      ['a numeric code', { code: 123456 }],
      ['an extra field', { code: '123456', kind: 'citizen' }],
    ])('refuses %s with 400', async (_n, patch) => {
      const res = await t.http
        .post('/v1/auth/verify')
        .send({ phone: uniquePhone(), ...patch })
        .expect(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
    });
  });

  describe('login failures', () => {
    it('answers an unknown account and a wrong password alike', async () => {
      const c = await signedInCitizen(t);
      const before = await accountRow(c.id);
      const unknown = await t.http
        .post('/v1/auth/login')
        .send({ login: uniquePhone(), password: PASSWORD })
        .expect(401);
      const wrongPw = await t.http
        .post('/v1/auth/login')
        .send({ login: c.phone, password: 'Not-the-password-1' })
        .expect(401);
      for (const r of [unknown, wrongPw])
        expect(r.body).toMatchObject({ code: 'INVALID_CREDENTIALS', status: 401 });
      expect(unknown.body.title).toBe(wrongPw.body.title);
      expect(unknown.body.detail).toBe(wrongPw.body.detail);
      // The account row is not touched by a failure: the count lives in login_throttle, by keyed hash.
      expect(await accountRow(c.id)).toEqual(before);
    });

    it('slows one address guessing one login with 429 and Retry-After, even for the right password, and never locks', async () => {
      const c = await signedInCitizen(t);
      const before = await accountRow(c.id);
      for (let i = 0; i < 3; i++)
        await t.http
          .post('/v1/auth/login')
          .send({ login: c.phone, password: `Wrong-password-${i}` })
          .expect(401);
      const right = await t.http
        .post('/v1/auth/login')
        .send({ login: c.phone, password: c.password })
        .expect(429);
      expect(right.body.code).toBe('RATE_LIMITED');
      expect(right.headers['retry-after']).toBe('1');
      expect(right.body.accessToken).toBeUndefined();
      // No lock on the account: once the (one-second) wait has passed, the right password works.
      await new Promise((r) => setTimeout(r, 1100));
      await t.http.post('/v1/auth/login').send({ login: c.phone, password: c.password }).expect(200);
      expect((await accountRow(c.id)).status).toBe(before.status);
    });

    it('throttles one address hammering one unknown login', async () => {
      const login = uniquePhone();
      for (let i = 0; i < 3; i++)
        await t.http.post('/v1/auth/login').send({ login, password: PASSWORD }).expect(401);
      const res = await t.http.post('/v1/auth/login').send({ login, password: PASSWORD }).expect(429);
      expect(res.body.code).toBe('RATE_LIMITED');
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
      // Another login from the same address is not affected.
      await t.http.post('/v1/auth/login').send({ login: uniquePhone(), password: PASSWORD }).expect(401);
    });

    it.each([
      ['an unknown field', { login: '13800000000', password: PASSWORD, remember: true }],
      ['a numeric login', { login: 13800000000, password: PASSWORD }],
      ['a missing password', { login: '13800000000' }],
      ['a 7-digit totp', { login: '13800000000', password: PASSWORD, totp: '1234567' }],
    ])('refuses %s with 400', async (_n, body) => {
      expect((await t.http.post('/v1/auth/login').send(body).expect(400)).body.code).toBe(
        'VALIDATION_FAILED',
      );
    });

    it('refuses a malformed refresh token with 400 and an unknown one with 401', async () => {
      await t.http.post('/v1/auth/refresh').send({ refreshToken: 'short' }).expect(400);
      const res = await t.http
        .post('/v1/auth/refresh')
        .send({ refreshToken: randomBytes(32).toString('base64url') })
        .expect(401);
      expect(res.body.code).toBe('INVALID_REFRESH_TOKEN');
    });
  });

  describe('forged and stale access tokens', () => {
    let c: Awaited<ReturnType<typeof signedInCitizen>>;
    let sid: string;
    beforeAll(async () => {
      c = await signedInCitizen(t);
      sid = (JSON.parse(Buffer.from(c.accessToken.split('.')[1], 'base64url').toString()) as { sid: string })
        .sid;
    });

    function forge(
      o: {
        secret?: Uint8Array;
        alg?: string;
        typ?: string;
        iss?: string;
        aud?: string;
        exp?: number;
        iat?: number;
      } = {},
    ): Promise<string> {
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT({ kind: 'citizen', sid })
        .setProtectedHeader({ alg: o.alg ?? 'HS256', typ: o.typ ?? 'at+jwt' })
        .setSubject(c.id)
        .setJti('forged')
        .setIssuer(o.iss ?? t.config.jwt.issuer)
        .setAudience(o.aud ?? t.config.jwt.audience)
        .setIssuedAt(o.iat ?? now)
        .setExpirationTime(o.exp ?? now + 300)
        .sign(o.secret ?? t.config.jwt.secret);
    }

    it('accepts a token built the right way (the control for the cases below)', async () => {
      await me(await forge()).expect(200);
    });

    it.each([
      [
        'alg none',
        async () => {
          const enc = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
          const now = Math.floor(Date.now() / 1000);
          const payload = {
            sub: c.id,
            kind: 'citizen',
            sid,
            jti: 'x',
            iss: t.config.jwt.issuer,
            aud: t.config.jwt.audience,
            iat: now,
            exp: now + 300,
          };
          return `${enc({ alg: 'none', typ: 'at+jwt' })}.${enc(payload)}.`;
        },
      ],
      ['HS256 with another secret', () => forge({ secret: randomBytes(32) })],
      ['HS512', () => forge({ alg: 'HS512' })],
      [
        'expired',
        () => forge({ iat: Math.floor(Date.now() / 1000) - 3600, exp: Math.floor(Date.now() / 1000) - 60 }),
      ],
      ['a wrong audience', () => forge({ aud: 'someone-else' })],
      ['a wrong issuer', () => forge({ iss: 'https://evil.example' })],
      ['a wrong typ', () => forge({ typ: 'JWT' })],
      ['a garbled token', () => Promise.resolve('abc.def.ghi')],
    ])('refuses %s with 401 INVALID_TOKEN', async (_n, make) => {
      const res = await me(await make()).expect(401);
      expect(res.body.code).toBe('INVALID_TOKEN');
      expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
    });

    it('refuses a token whose session does not exist', async () => {
      const token = await new SignJWT({ kind: 'citizen', sid: '01900000-0000-7000-8000-000000000000' })
        .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt' })
        .setSubject(c.id)
        .setJti('x')
        .setIssuer(t.config.jwt.issuer)
        .setAudience(t.config.jwt.audience)
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(t.config.jwt.secret);
      await me(token).expect(401);
    });

    it('refuses an account token that names no session, citizen and staff alike', async () => {
      const staff = await signedInStaffId();
      for (const [kind, sub] of [
        ['citizen', c.id],
        ['staff', staff],
      ]) {
        // Signed with the server's own key: only the missing sid is wrong.
        const token = await new SignJWT({ kind })
          .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt' })
          .setSubject(sub)
          .setJti('no-sid')
          .setIssuer(t.config.jwt.issuer)
          .setAudience(t.config.jwt.audience)
          .setIssuedAt()
          .setExpirationTime('5m')
          .sign(t.config.jwt.secret);
        const res = await t.http
          .get(kind === 'staff' ? '/v1/staff/me' : '/v1/me')
          .set('Authorization', `Bearer ${token}`);
        expect(res.status).toBe(401);
        expect(res.body.code).toBe('INVALID_TOKEN');
        expect(res.headers['www-authenticate']).toMatch(/^Bearer error="invalid_token"/);
      }
      // The same account's token with its session is accepted (the control).
      await me(c.accessToken).expect(200);
    });

    it('refuses tokens of a disabled account', async () => {
      const other = await signedInCitizen(t);
      await t.db.query(`UPDATE account SET status = 'disabled' WHERE id = $1`, [other.id]);
      await me(other.accessToken).expect(401);
      await t.http.post('/v1/auth/refresh').send({ refreshToken: other.refreshToken }).expect(401);
      const login = await t.http
        .post('/v1/auth/login')
        .send({ login: other.phone, password: other.password })
        .expect(403);
      expect(login.body.code).toBe('ACCOUNT_DISABLED');
    });
  });

  describe('password reset', () => {
    it('answers 202 for unknown and known contacts alike, and resets with the code', async () => {
      const c = await signedInCitizen(t);
      const unknown = await t.http
        .post('/v1/auth/password-reset/request')
        .send({ phone: uniquePhone() })
        .expect(202);
      const known = await t.http.post('/v1/auth/password-reset/request').send({ phone: c.phone }).expect(202);
      expect(unknown.body).toEqual(known.body);
      const code = await latestCode(t, c.id, 'auth.password-reset');

      const weak = await t.http
        .post('/v1/auth/password-reset/confirm')
        .send({ phone: c.phone, code, newPassword: 'short' })
        .expect(400);
      expect(weak.body.errors[0]).toMatchObject({ pointer: '/newPassword', code: 'passwordPolicy' });
      const wrongCode = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
      await t.http
        .post('/v1/auth/password-reset/confirm')
        .send({ phone: c.phone, code: wrongCode, newPassword: 'Brand-new-pass-42' })
        .expect(400);

      await t.http
        .post('/v1/auth/password-reset/confirm')
        .send({ phone: c.phone, code, newPassword: 'Brand-new-pass-42' })
        .expect(204);
      expect(await auditActions(c.id)).toContain('account.password.reset');
      await t.http.post('/v1/auth/login').send({ login: c.phone, password: c.password }).expect(401);
      await t.http.post('/v1/auth/login').send({ login: c.phone, password: 'Brand-new-pass-42' }).expect(200);
      // Every earlier session ended.
      await me(c.accessToken).expect(401);
      await t.http.post('/v1/auth/refresh').send({ refreshToken: c.refreshToken }).expect(401);
      // The code is spent.
      await t.http
        .post('/v1/auth/password-reset/confirm')
        .send({ phone: c.phone, code, newPassword: 'Another-new-pass-43' })
        .expect(400);
    });
  });

  describe('staff second factor at login', () => {
    it('requires the TOTP code of an enrolled staff account and refuses a replayed one', async () => {
      const username = `staff${randomBytes(5).toString('hex')}`;
      const secret = newTotpSecret();
      const repo = t.db.repo(Account);
      const staff = repo.create({
        kind: AccountKind.Staff,
        status: AccountStatus.Active,
        username,
        passwordHash: await t.app.get(PasswordService).hash(PASSWORD),
        totpSecretEnc: t.app.get(PersonalDataService).encrypt(PersonalField.TotpSecret, secret),
      });
      await repo.save(staff);

      const missing = await t.http
        .post('/v1/auth/login')
        .send({ login: username, password: PASSWORD })
        .expect(401);
      expect(missing.body.code).toBe('SECOND_FACTOR_REQUIRED');
      const now = Date.now();
      const good = totpCode(secret, now);
      const bad = String((Number(good) + 1) % 1_000_000).padStart(6, '0');
      const wrong = await t.http
        .post('/v1/auth/login')
        .send({ login: username, password: PASSWORD, totp: bad })
        .expect(401);
      expect(wrong.body.code).toBe('INVALID_CREDENTIALS');
      // A wrong password with a right code is still a wrong password.
      await t.http
        .post('/v1/auth/login')
        .send({ login: username, password: 'Wrong-password-1', totp: good })
        .expect(401);

      const ok = await t.http
        .post('/v1/auth/login')
        .send({ login: username, password: PASSWORD, totp: good })
        .expect(200);
      const claims = JSON.parse(Buffer.from(ok.body.accessToken.split('.')[1], 'base64url').toString()) as {
        kind: string;
      };
      expect(claims.kind).toBe('staff');
      await t.http
        .post('/v1/auth/login')
        .send({ login: username, password: PASSWORD, totp: good })
        .expect(401);
      // Staff tokens do not open the citizen self-service routes.
      await me(ok.body.accessToken).expect(403);
    });
  });

  /** A staff account with no role (so no second factor is needed), signed in; its id. */
  async function signedInStaffId(): Promise<string> {
    const username = `staff${randomBytes(5).toString('hex')}`;
    const repo = t.db.repo(Account);
    const staff = await repo.save(
      repo.create({
        kind: AccountKind.Staff,
        status: AccountStatus.Active,
        username,
        passwordHash: await t.app.get(PasswordService).hash(PASSWORD),
      }),
    );
    await t.http.post('/v1/auth/login').send({ login: username, password: PASSWORD }).expect(200);
    return staff.id;
  }

  const freeCreditCode = async (): Promise<string> => randomUscc('913501');
});
