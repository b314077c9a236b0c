import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { Account, AccountKind, AccountStatus } from '../../src/modules/platform/identity/account.entity';
import { maskNationalId } from '../../src/modules/platform/identity/personal-data/masking';
import {
  PersonalDataService,
  PersonalField,
} from '../../src/modules/platform/identity/personal-data/personal-data.service';
import { startTestApp, TestApp } from '../support/test-app';
import {
  accountIdOf,
  nationalId,
  PASSWORD,
  signedInCitizen,
  uniqueEmail,
  uniquePhone,
} from './citizen-fixtures';
import {
  base64urlSha256,
  browseProvider,
  CLIENT_ID,
  CLIENT_SECRET,
  NATIONAL_ID_CLAIM,
  PORTAL,
  REDIRECT_URI,
  sha256,
  TestProvider,
} from './oidc-fixtures';

describe('citizen sign-in through an external OpenID Connect provider', () => {
  let provider: TestProvider;
  let t: TestApp;

  beforeAll(async () => {
    provider = await TestProvider.start();
    t = await startTestApp({
      OIDC_ISSUER: provider.issuer,
      OIDC_CLIENT_ID: CLIENT_ID,
      OIDC_CLIENT_SECRET: CLIENT_SECRET,
      OIDC_REDIRECT_URI: REDIRECT_URI,
      OIDC_SCOPES: 'openid profile phone email national_id',
      OIDC_CLAIM_NATIONAL_ID: NATIONAL_ID_CLAIM,
      CORS_ORIGINS: PORTAL,
      RATE_LIMIT_ANONYMOUS: '100000',
    });
  }, 60_000);

  afterAll(async () => {
    await t?.close();
    if (!provider) return;
    await provider.stop();
    expect(provider.running).toBe(false);
  });

  const uniqueSubject = () => `eid-${randomBytes(8).toString('hex')}`;

  /** GET /authorize, checked, and the provider URL it redirects to. */
  async function authorize(query: Record<string, string> = {}): Promise<URL> {
    const res = await t.http.get('/v1/auth/oidc/authorize').query(query).expect(302);
    expect(res.headers['cache-control']).toContain('no-store');
    return new URL(res.headers.location);
  }

  /** The whole flow up to (not including) our callback. */
  async function providerCallback(subject: string, query: Record<string, string> = {}): Promise<URL> {
    return browseProvider((await authorize(query)).href, subject);
  }

  const callback = (cb: URL) => t.http.get(`/v1/auth/oidc/callback${cb.search}`);

  async function signIn(subject: string) {
    const res = await callback(await providerCallback(subject)).expect(200);
    expect(res.headers['cache-control']).toContain('no-store');
    return res.body as { accessToken: string; refreshToken: string; linked: string; returnTo: string | null };
  }

  const identityOf = async (subject: string) =>
    t.db.query<{ account_id: string; issuer: string }>(
      'SELECT account_id, issuer FROM external_identity WHERE subject = $1',
      [subject],
    );
  const counts = async () =>
    (
      await t.db.query<{ accounts: string; identities: string }>(
        `SELECT (SELECT count(*) FROM account)::text AS accounts, (SELECT count(*) FROM external_identity)::text AS identities`,
      )
    )[0];
  const accountRow = async (id: string) =>
    (
      await t.db.query<{
        kind: string;
        status: string;
        phone: string | null;
        email: string | null;
        real_name: string | null;
        national_id_enc: string | null;
        national_id_bidx: string | null;
        national_id_last4: string | null;
        password_hash: string | null;
      }>(
        `SELECT kind, status, phone, email, real_name, national_id_enc, national_id_bidx, national_id_last4, password_hash
         FROM account WHERE id = $1`,
        [id],
      )
    )[0];
  const auditActions = async (accountId: string) =>
    (
      await t.db.query<{ action: string }>(
        `SELECT action FROM audit_leaf WHERE resource_id = $1 AND action LIKE 'account.oidc.%' ORDER BY seq`,
        [accountId],
      )
    ).map((r) => r.action);

  it('redirects to the provider with state, nonce and an S256 challenge of the verifier it keeps', async () => {
    const url = await authorize();
    expect(url.origin + url.pathname).toBe(`${provider.issuer}/auth`);
    const p = url.searchParams;
    expect(p.get('response_type')).toBe('code');
    expect(p.get('client_id')).toBe(CLIENT_ID);
    expect(p.get('redirect_uri')).toBe(REDIRECT_URI);
    expect(p.get('scope')).toBe('openid profile phone email national_id');
    expect(p.get('code_challenge_method')).toBe('S256');
    expect(p.get('state')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(p.get('nonce')).toMatch(/^[A-Za-z0-9_-]{43}$/);

    // The verifier and nonce stay server-side, under the hash of the state, for 10 minutes.
    const [row] = await t.db.query<{ code_verifier: string; nonce: string; expires_at: Date }>(
      'SELECT code_verifier, nonce, expires_at FROM oidc_state WHERE state_hash = $1',
      [sha256(p.get('state')!)],
    );
    expect(base64urlSha256(row.code_verifier)).toBe(p.get('code_challenge'));
    expect(row.nonce).toBe(p.get('nonce'));
    expect(row.expires_at.getTime() - Date.now()).toBeGreaterThan(9 * 60_000);
    expect(row.expires_at.getTime() - Date.now()).toBeLessThanOrEqual(10 * 60_000);
    // Two sign-ins never share a state.
    expect((await authorize()).searchParams.get('state')).not.toBe(p.get('state'));
  });

  it('creates an active citizen account on first sign-in, ID encrypted and blind-indexed, and its token works', async () => {
    const subject = uniqueSubject();
    const phone = uniquePhone();
    const id = nationalId();
    await provider.setAccount(subject, {
      name: '王小明',
      phone_number: `+86${phone}`,
      phone_number_verified: true,
      [NATIONAL_ID_CLAIM]: id,
    });

    const body = await signIn(subject);
    expect(body).toEqual({
      accessToken: expect.any(String),
      tokenType: 'Bearer',
      expiresIn: expect.any(Number),
      refreshToken: expect.any(String),
      refreshExpiresIn: expect.any(Number),
      linked: 'created',
      returnTo: null,
    });

    const [link] = await identityOf(subject);
    expect(link.issuer).toBe(provider.issuer);
    const row = await accountRow(link.account_id);
    expect(row).toMatchObject({
      kind: 'citizen',
      status: 'active',
      phone,
      email: null,
      real_name: '王小明',
      national_id_last4: id.slice(-4),
      password_hash: null,
    });
    const personal = t.app.get(PersonalDataService);
    expect(row.national_id_enc).not.toContain(id);
    expect(personal.decrypt(PersonalField.NationalId, row.national_id_enc!)).toBe(id);
    expect(row.national_id_bidx).toBe(personal.blindIndex(PersonalField.NationalId, id));
    expect(await auditActions(link.account_id)).toEqual(['account.oidc.create']);

    const me = await t.http.get('/v1/me').set('Authorization', `Bearer ${body.accessToken}`).expect(200);
    expect(me.body).toMatchObject({
      id: link.account_id,
      kind: 'citizen',
      status: 'active',
      // The same mask as a registration's (first three, last four), not a bare last four.
      nationalId: maskNationalId(id),
    });
    expect(me.body.nationalId).toBe(`${id.slice(0, 3)}${'*'.repeat(11)}${id.slice(-4)}`);
    // Our refresh token, not the provider's, continues the session.
    await t.http.post('/v1/auth/refresh').send({ refreshToken: body.refreshToken }).expect(200);
  });

  it('signs the same subject in to the same account the second time', async () => {
    const subject = uniqueSubject();
    await provider.setAccount(subject, { name: '李四', [NATIONAL_ID_CLAIM]: nationalId() });
    const first = await signIn(subject);
    const before = await counts();
    const second = await signIn(subject);
    expect(second.linked).toBe('existing');
    expect(await counts()).toEqual(before);
    const links = await identityOf(subject);
    expect(links).toHaveLength(1);
    const me1 = await t.http.get('/v1/me').set('Authorization', `Bearer ${first.accessToken}`).expect(200);
    const me2 = await t.http.get('/v1/me').set('Authorization', `Bearer ${second.accessToken}`).expect(200);
    expect(me2.body.id).toBe(me1.body.id);
    expect(me2.body.id).toBe(links[0].account_id);
    expect(await auditActions(links[0].account_id)).toEqual(['account.oidc.create']);
  });

  it('links to the existing account whose phone the provider verified, and completes its national ID', async () => {
    const citizen = await signedInCitizen(t);
    const subject = uniqueSubject();
    const id = nationalId();
    await provider.setAccount(subject, {
      name: '赵六',
      phone_number: citizen.phone,
      phone_number_verified: true,
      [NATIONAL_ID_CLAIM]: id,
    });
    const before = await counts();

    const body = await signIn(subject);
    expect(body.linked).toBe('existing');
    expect(Number((await counts()).accounts)).toBe(Number(before.accounts));
    expect((await identityOf(subject))[0].account_id).toBe(citizen.id);
    const me = await t.http.get('/v1/me').set('Authorization', `Bearer ${body.accessToken}`).expect(200);
    expect(me.body.id).toBe(citizen.id);
    const row = await accountRow(citizen.id);
    expect(row.national_id_bidx).toBe(
      t.app.get(PersonalDataService).blindIndex(PersonalField.NationalId, id),
    );
    expect(row.real_name).toBe('赵六');
    // The password still works: linking adds a way in, it takes none away.
    await t.http.post('/v1/auth/login').send({ login: citizen.phone, password: PASSWORD }).expect(200);
    expect(await auditActions(citizen.id)).toEqual(['account.oidc.link']);
  });

  it('links by national ID through the blind index even without a phone', async () => {
    const citizen = await signedInCitizen(t);
    const id = nationalId();
    await t.http
      .put('/v1/me/profile')
      .set('If-Match', '*')
      .set('Authorization', `Bearer ${citizen.accessToken}`)
      .send({ nationalId: id, realName: '钱七' })
      .expect(200);
    const subject = uniqueSubject();
    await provider.setAccount(subject, { name: '钱七', [NATIONAL_ID_CLAIM]: id.toLowerCase() });
    const body = await signIn(subject);
    expect(body.linked).toBe('existing');
    expect((await identityOf(subject))[0].account_id).toBe(citizen.id);
  });

  it('does not link by an unverified phone: a new account without that phone is created', async () => {
    const citizen = await signedInCitizen(t);
    const subject = uniqueSubject();
    await provider.setAccount(subject, {
      name: '孙八',
      phone_number: citizen.phone,
      phone_number_verified: false,
    });
    const body = await signIn(subject);
    expect(body.linked).toBe('created');
    const [link] = await identityOf(subject);
    expect(link.account_id).not.toBe(citizen.id);
    expect((await accountRow(link.account_id)).phone).toBeNull();
    expect(await auditActions(citizen.id)).toEqual([]);
    expect(await t.db.query('SELECT 1 FROM external_identity WHERE account_id = $1', [citizen.id])).toEqual(
      [],
    );

    // Nor does a verified flag given as a string, or a verified e-mail claim without its flag.
    const other = uniqueSubject();
    const email = uniqueEmail();
    const emailOwner = await signedInCitizen(t);
    await t.db.query('UPDATE account SET email = $2 WHERE id = $1', [emailOwner.id, email]);
    await provider.setAccount(other, { phone_number: citizen.phone, phone_number_verified: 'true', email });
    expect((await signIn(other)).linked).toBe('created');
    expect(
      await t.db.query('SELECT 1 FROM external_identity WHERE account_id IN ($1, $2)', [
        citizen.id,
        emailOwner.id,
      ]),
    ).toEqual([]);
  });

  it('links by a verified e-mail', async () => {
    const owner = await signedInCitizen(t);
    const email = uniqueEmail();
    await t.db.query('UPDATE account SET email = $2 WHERE id = $1', [owner.id, email]);
    const subject = uniqueSubject();
    await provider.setAccount(subject, { email: email.toUpperCase(), email_verified: true });
    expect((await signIn(subject)).linked).toBe('existing');
    expect((await identityOf(subject))[0].account_id).toBe(owner.id);
  });

  it('never reaches a staff account through a citizen eID, even with its verified phone', async () => {
    const phone = uniquePhone();
    const repo = t.db.repo(Account);
    const staff = await repo.save(
      repo.create({
        kind: AccountKind.Staff,
        status: AccountStatus.Active,
        phone,
        username: `oidc-staff-${randomBytes(4).toString('hex')}`,
      }),
    );
    const subject = uniqueSubject();
    await provider.setAccount(subject, { phone_number: phone, phone_number_verified: true });
    const body = await signIn(subject);
    expect(body.linked).toBe('created');
    const [link] = await identityOf(subject);
    expect(link.account_id).not.toBe(staff.id);
    expect(await accountRow(link.account_id)).toMatchObject({ kind: 'citizen', phone: null });
  });

  it('activates a pending registration of the verified phone and drops the password nobody proved', async () => {
    const phone = uniquePhone();
    await t.http.post('/v1/auth/register').send({ phone, password: PASSWORD, kind: 'citizen' }).expect(201);
    const pendingId = await accountIdOf(t, { phone });
    const subject = uniqueSubject();
    await provider.setAccount(subject, { phone_number: phone, phone_number_verified: true });
    const body = await signIn(subject);
    expect(body.linked).toBe('existing');
    expect(await accountRow(pendingId)).toMatchObject({ status: 'active', password_hash: null });
    const res = await t.http.post('/v1/auth/login').send({ login: phone, password: PASSWORD }).expect(401);
    expect(res.body.code).toBe('INVALID_CREDENTIALS');
  });

  it('refuses a disabled account', async () => {
    const subject = uniqueSubject();
    await signIn(subject);
    const [link] = await identityOf(subject);
    await t.db.query(`UPDATE account SET status = 'disabled' WHERE id = $1`, [link.account_id]);
    const res = await callback(await providerCallback(subject)).expect(403);
    expect(res.body.code).toBe('ACCOUNT_DISABLED');
  });

  it('refuses a replayed state and creates nothing', async () => {
    const subject = uniqueSubject();
    const cb = await providerCallback(subject);
    await callback(cb).expect(200);
    const before = await counts();
    const res = await callback(cb).expect(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body.code).toBe('OIDC_STATE_INVALID');
    expect(await counts()).toEqual(before);
  });

  it('refuses a tampered state without touching the real one', async () => {
    const subject = uniqueSubject();
    const cb = await providerCallback(subject);
    const state = cb.searchParams.get('state')!;
    const tampered = new URL(cb);
    tampered.searchParams.set('state', (state[0] === 'A' ? 'B' : 'A') + state.slice(1));
    const before = await counts();
    const res = await callback(tampered).expect(400);
    expect(res.body.code).toBe('OIDC_STATE_INVALID');
    expect(await counts()).toEqual(before);
    expect(await identityOf(subject)).toEqual([]);
    // Malformed states fail validation; a missing one too.
    await t.http.get('/v1/auth/oidc/callback').query({ code: 'x', state: 'short' }).expect(400);
    await t.http.get('/v1/auth/oidc/callback').query({ code: 'x' }).expect(400);
    // The genuine state is still good once.
    expect((await callback(cb).expect(200)).body.linked).toBe('created');
  });

  it('refuses an expired state', async () => {
    const cb = await providerCallback(uniqueSubject());
    await t.db.query(`UPDATE oidc_state SET expires_at = now() - interval '1 second' WHERE state_hash = $1`, [
      sha256(cb.searchParams.get('state')!),
    ]);
    const before = await counts();
    expect((await callback(cb).expect(400)).body.code).toBe('OIDC_STATE_INVALID');
    expect(await counts()).toEqual(before);
  });

  it('answers the provider’s error with 400 and its code, and burns the state', async () => {
    const cb = await browseProvider((await authorize()).href, uniqueSubject(), { abort: true });
    expect(cb.searchParams.get('error')).toBe('access_denied');
    const res = await callback(cb).set('Accept-Language', 'en').expect(400);
    expect(res.body.code).toBe('OIDC_PROVIDER_ERROR');
    expect(res.body.detail).toContain('access_denied');
    expect((await callback(cb).expect(400)).body.code).toBe('OIDC_STATE_INVALID');
  });

  it('refuses an ID token whose nonce is not the one this sign-in sent (401), creating nothing', async () => {
    const subject = uniqueSubject();
    const cb = await providerCallback(subject);
    await t.db.query(`UPDATE oidc_state SET nonce = $2 WHERE state_hash = $1`, [
      sha256(cb.searchParams.get('state')!),
      randomBytes(32).toString('base64url'),
    ]);
    const before = await counts();
    const res = await callback(cb).expect(401);
    expect(res.body.code).toBe('OIDC_ID_TOKEN_INVALID');
    expect(await counts()).toEqual(before);
    expect(await identityOf(subject)).toEqual([]);
  });

  it('refuses a response claiming another issuer (RFC 9207 mix-up defence)', async () => {
    const cb = await providerCallback(uniqueSubject());
    cb.searchParams.set('iss', 'https://evil.example');
    expect((await callback(cb).expect(401)).body.code).toBe('OIDC_ID_TOKEN_INVALID');
  });

  it('echoes an allowlisted return_to and refuses any other', async () => {
    const returnTo = `${PORTAL}/services?x=1`;
    const body = (
      await callback(await providerCallback(uniqueSubject(), { return_to: returnTo })).expect(200)
    ).body;
    expect(body.returnTo).toBe(returnTo);
    for (const bad of [
      'https://evil.example/',
      'javascript:alert(1)',
      '/relative',
      `${PORTAL}.evil.example/`,
    ]) {
      const res = await t.http.get('/v1/auth/oidc/authorize').query({ return_to: bad }).expect(400);
      expect(res.body.errors).toEqual([expect.objectContaining({ pointer: '/return_to' })]);
    }
  });
});

describe('OIDC sign-in when OIDC_ISSUER is not set', () => {
  let t: TestApp;
  beforeAll(async () => (t = await startTestApp()));
  afterAll(() => t.close());

  it('answers 404 not found for the oidc resource', async () => {
    const res = await t.http.get('/v1/auth/oidc/authorize').set('Accept-Language', 'en').expect(404);
    expect(res.body.code).toBe('NOT_FOUND');
    expect(res.body.detail).toContain('single sign-on configuration');
    await t.http
      .get('/v1/auth/oidc/callback')
      .query({ state: randomBytes(32).toString('base64url'), code: 'x' })
      .expect(404);
  });
});

describe('OIDC sign-in when the provider cannot be reached', () => {
  let t: TestApp;
  beforeAll(async () => {
    // A port that was free a moment ago: nothing answers there.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as { port: number };
    await new Promise((resolve) => probe.close(resolve));
    t = await startTestApp({
      OIDC_ISSUER: `http://127.0.0.1:${port}`,
      OIDC_CLIENT_ID: CLIENT_ID,
      OIDC_CLIENT_SECRET: CLIENT_SECRET,
    });
  });
  afterAll(() => t.close());

  it('answers 503 and stores no state', async () => {
    const before = await t.db.query<{ n: string }>('SELECT count(*)::text AS n FROM oidc_state');
    const res = await t.http.get('/v1/auth/oidc/authorize').expect(503);
    expect(res.body.code).toBe('SERVICE_UNAVAILABLE');
    expect(await t.db.query('SELECT count(*)::text AS n FROM oidc_state')).toEqual(before);
  });
});
