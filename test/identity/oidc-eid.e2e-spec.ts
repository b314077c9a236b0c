import { createPublicKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import { maskNationalId } from '../../src/modules/platform/identity/personal-data/masking';
import {
  PersonalDataService,
  PersonalField,
} from '../../src/modules/platform/identity/personal-data/personal-data.service';
import { freePort } from '../support/built-server';
import { startTestApp, TestApp } from '../support/test-app';
import { nationalId, signedInCitizen, uniquePhone } from './citizen-fixtures';
import {
  browseProvider,
  CLIENT_ID,
  CLIENT_SECRET,
  PORTAL,
  REDIRECT_URI,
  sha256,
  TestProvider,
} from './oidc-fixtures';

// Issue 11 §2: the national eID sign-in with its documented defaults, the other client
// authentication methods, the assurance level (acr) and the frontend redirect with a one-time code.

const LOA_LOW = 'urn:eid:loa:low';
const LOA_SUBSTANTIAL = 'urn:eid:loa:substantial';
const LOA_HIGH = 'urn:eid:loa:high';
const FRONTEND = `${PORTAL}/eid/landing?from=eid`;
const BINDING_COOKIE = 'ow_oidc_binding';

const uniqueSubject = () => `eid-${randomBytes(8).toString('hex')}`;

interface AccountRow {
  real_name: string | null;
  phone: string | null;
  national_id_enc: string | null;
  national_id_bidx: string | null;
  national_id_masked: string | null;
  identity_assurance: string;
  identity_verified_by: string | null;
  identity_verified_at: Date | null;
}

/** Database reads the specs below share. */
function reads(t: () => TestApp) {
  return {
    accountOf: async (subject: string): Promise<string | null> =>
      (
        await t().db.query<{ account_id: string }>(
          'SELECT account_id FROM external_identity WHERE subject = $1',
          [subject],
        )
      )[0]?.account_id ?? null,
    row: async (id: string): Promise<AccountRow> =>
      (
        await t().db.query<AccountRow>(
          `SELECT real_name, phone, national_id_enc, national_id_bidx, national_id_masked,
                identity_assurance, identity_verified_by, identity_verified_at
         FROM account WHERE id = $1`,
          [id],
        )
      )[0],
    counts: async () =>
      (
        await t().db.query<{ accounts: string; identities: string }>(
          `SELECT (SELECT count(*) FROM account)::text AS accounts, (SELECT count(*) FROM external_identity)::text AS identities`,
        )
      )[0],
    audit: async (id: string): Promise<string[]> =>
      (
        await t().db.query<{ action: string }>(
          `SELECT action FROM audit_leaf WHERE resource_id = $1 AND action LIKE 'account.%' ORDER BY seq`,
          [id],
        )
      ).map((r) => r.action),
    decrypt: (enc: string) => t().app.get(PersonalDataService).decrypt(PersonalField.NationalId, enc),
  };
}

describe('eID sign-in with the documented defaults (OIDC_SCOPES, claim names, no OIDC_ACR_VALUES)', () => {
  let provider: TestProvider;
  let t: TestApp;
  const db = reads(() => t);

  beforeAll(async () => {
    provider = await TestProvider.start();
    t = await startTestApp({
      OIDC_ISSUER: provider.issuer,
      OIDC_CLIENT_ID: CLIENT_ID,
      OIDC_CLIENT_SECRET: CLIENT_SECRET,
      OIDC_REDIRECT_URI: REDIRECT_URI,
      RATE_LIMIT_ANONYMOUS: '100000',
    });
  }, 60_000);

  afterAll(async () => {
    await t?.close();
    await provider?.stop();
  });

  it('asks for openid profile phone and makes an account with name, phone and national ID, never verified', async () => {
    const authorize = await t.http.get('/v1/auth/oidc/authorize').expect(302);
    const url = new URL(authorize.headers.location);
    expect(url.searchParams.get('scope')).toBe('openid profile phone');
    expect(url.searchParams.has('acr_values')).toBe(false);
    // JSON mode: no browser binding cookie.
    expect(authorize.headers['set-cookie']).toBeUndefined();

    const subject = uniqueSubject();
    const phone = uniquePhone();
    const id = nationalId();
    // Even a provider that says it authenticated at a high level verifies nothing without OIDC_ACR_VALUES.
    await provider.setAccount(subject, {
      name: '周九',
      phone_number: phone,
      phone_number_verified: true,
      national_id: id,
      _acr: LOA_HIGH,
    });
    const res = await t.http
      .get(`/v1/auth/oidc/callback${(await browseProvider(url.href, subject)).search}`)
      .expect(200);
    expect(res.body.linked).toBe('created');

    const accountId = (await db.accountOf(subject))!;
    const row = await db.row(accountId);
    expect(row).toMatchObject({
      real_name: '周九',
      phone,
      national_id_masked: `${id.slice(0, 3)}${'*'.repeat(11)}${id.slice(-4)}`,
      identity_assurance: 'none',
      identity_verified_by: null,
      identity_verified_at: null,
    });
    expect(db.decrypt(row.national_id_enc!)).toBe(id);
    expect(await db.audit(accountId)).toEqual(['account.oidc.create']);
    const me = await t.http.get('/v1/me').set('Authorization', `Bearer ${res.body.accessToken}`).expect(200);
    expect(me.body.nationalId).toBe(maskNationalId(id));
  });

  it('has no JWKS (client_secret_basic) and no code exchange (no frontend redirect): 404', async () => {
    expect((await t.http.get('/v1/auth/oidc/jwks.json').expect(404)).body.code).toBe('NOT_FOUND');
    const res = await t.http
      .post('/v1/auth/oidc/exchange')
      .set('Cookie', `${BINDING_COOKIE}=${randomBytes(32).toString('base64url')}`)
      .send({ code: randomBytes(32).toString('base64url') })
      .expect(404);
    expect(res.body.code).toBe('NOT_FOUND');
  });
});

describe('eID sign-in with client_secret_post and OIDC_ACR_VALUES (JSON answers)', () => {
  let provider: TestProvider;
  let t: TestApp;
  const db = reads(() => t);

  beforeAll(async () => {
    provider = await TestProvider.start({ token_endpoint_auth_method: 'client_secret_post' });
    t = await startTestApp({
      OIDC_ISSUER: provider.issuer,
      OIDC_CLIENT_ID: CLIENT_ID,
      OIDC_CLIENT_SECRET: CLIENT_SECRET,
      OIDC_CLIENT_AUTH: 'client_secret_post',
      OIDC_REDIRECT_URI: REDIRECT_URI,
      OIDC_ACR_VALUES: `${LOA_SUBSTANTIAL} ${LOA_HIGH}`,
      OIDC_MAX_AGE: '3600',
      RATE_LIMIT_ANONYMOUS: '100000',
    });
  }, 60_000);

  afterAll(async () => {
    await t?.close();
    await provider?.stop();
  });

  async function callback(subject: string, status: number) {
    const authorize = await t.http.get('/v1/auth/oidc/authorize').expect(302);
    const url = new URL(authorize.headers.location);
    expect(url.searchParams.get('acr_values')).toBe(`${LOA_SUBSTANTIAL} ${LOA_HIGH}`);
    expect(url.searchParams.get('max_age')).toBe('3600');
    return t.http
      .get(`/v1/auth/oidc/callback${(await browseProvider(url.href, subject)).search}`)
      .expect(status);
  }

  it('refuses an ID token below the required acr (or without one) with 403 OIDC_ACR_NOT_MET, creating nothing', async () => {
    for (const acr of [LOA_LOW, undefined]) {
      const subject = uniqueSubject();
      await provider.setAccount(subject, {
        name: '吴十',
        national_id: nationalId(),
        ...(acr ? { _acr: acr } : {}),
      });
      const before = await db.counts();
      const res = await callback(subject, 403);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body.code).toBe('OIDC_ACR_NOT_MET');
      expect(res.body.detail).toContain(LOA_SUBSTANTIAL);
      expect(await db.counts()).toEqual(before);
      expect(await db.accountOf(subject)).toBeNull();
    }
  });

  it('marks the identity verified by the national eID when the acr is met and name + ID were given (client_secret_post)', async () => {
    const subject = uniqueSubject();
    const id = nationalId('X');
    await provider.setAccount(subject, { name: '郑十一', national_id: id, _acr: LOA_SUBSTANTIAL });
    const res = await callback(subject, 200);
    expect(res.body.linked).toBe('created');
    const accountId = (await db.accountOf(subject))!;
    const row = await db.row(accountId);
    expect(row).toMatchObject({
      real_name: '郑十一',
      national_id_masked: maskNationalId(id),
      identity_assurance: 'real_name',
      identity_verified_by: 'national_eid',
    });
    expect(Date.now() - row.identity_verified_at!.getTime()).toBeLessThan(60_000);
    expect(db.decrypt(row.national_id_enc!)).toBe(id);
    expect(await db.audit(accountId)).toEqual(['account.oidc.create', 'account.identity.verify']);

    // A second sign-in refreshes the time but logs no second verification.
    await callback(subject, 200);
    const again = await db.row(accountId);
    expect(again.identity_verified_at!.getTime()).toBeGreaterThanOrEqual(row.identity_verified_at!.getTime());
    expect(await db.audit(accountId)).toEqual(['account.oidc.create', 'account.identity.verify']);
  });

  it('lets the provider’s name and ID override what the person declared', async () => {
    const citizen = await signedInCitizen(t);
    const declared = nationalId();
    await t.http
      .put('/v1/me/profile')
      .set('If-Match', '*')
      .set('Authorization', `Bearer ${citizen.accessToken}`)
      .send({ realName: '自称名', nationalId: declared })
      .expect(200);
    const subject = uniqueSubject();
    // Linked by the national ID it declared (the same), then the name the eID has replaces the typed one.
    await provider.setAccount(subject, { name: '王真名', national_id: declared, _acr: LOA_HIGH });
    expect((await callback(subject, 200)).body.linked).toBe('existing');
    expect(await db.accountOf(subject)).toBe(citizen.id);
    expect(await db.row(citizen.id)).toMatchObject({
      real_name: '王真名',
      identity_assurance: 'real_name',
      identity_verified_by: 'national_eid',
    });

    // A person already linked, unverified (no ID from the provider then), declares an ID; the
    // next sign-in at the level replaces it with the one the provider vouches for.
    const later = uniqueSubject();
    await provider.setAccount(later, { name: '蒋十六', _acr: LOA_HIGH });
    const { accessToken } = (await callback(later, 200)).body as { accessToken: string };
    const linkedId = (await db.accountOf(later))!;
    await t.http
      .put('/v1/me/profile')
      .set('If-Match', '*')
      .set('Authorization', `Bearer ${accessToken}`)
      .send({ nationalId: nationalId(), realName: '蒋自称' })
      .expect(200);
    const vouched = nationalId();
    await provider.setAccount(later, { name: '蒋十六', national_id: vouched, _acr: LOA_HIGH });
    await callback(later, 200);
    const row = await db.row(linkedId);
    expect(row).toMatchObject({
      real_name: '蒋十六',
      national_id_masked: maskNationalId(vouched),
      identity_assurance: 'real_name',
    });
    expect(db.decrypt(row.national_id_enc!)).toBe(vouched);
    expect(await db.audit(linkedId)).toEqual([
      'account.oidc.create',
      'account.profile.update',
      'account.identity.verify',
    ]);
  });

  it('verifies nothing when the ID belongs to another account, or when no ID was given', async () => {
    // Signed in at the level, but the provider gave no ID: not verified.
    const subject = uniqueSubject();
    await provider.setAccount(subject, { name: '冯十二', _acr: LOA_HIGH });
    await callback(subject, 200);
    const accountId = (await db.accountOf(subject))!;
    expect((await db.row(accountId)).identity_assurance).toBe('none');

    // Another account holds the ID the provider now gives for this subject: it stays there.
    const other = await signedInCitizen(t);
    const id = nationalId();
    await t.http
      .put('/v1/me/profile')
      .set('If-Match', '*')
      .set('Authorization', `Bearer ${other.accessToken}`)
      .send({ nationalId: id })
      .expect(200);
    await provider.setAccount(subject, { name: '冯十二', national_id: id, _acr: LOA_HIGH });
    await callback(subject, 200);
    expect(await db.row(accountId)).toMatchObject({
      identity_assurance: 'none',
      national_id_bidx: null,
      identity_verified_by: null,
    });
    const holder = await db.row(other.id);
    expect(holder.identity_assurance).toBe('none');
    expect(db.decrypt(holder.national_id_enc!)).toBe(id);
    expect(await db.audit(accountId)).not.toContain('account.identity.verify');
  });
});

describe('eID sign-in with private_key_jwt and a frontend redirect (one-time code exchange)', () => {
  let provider: TestProvider;
  let t: TestApp;
  const db = reads(() => t);
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const publicJwk = createPublicKey(privateKey).export({ format: 'jwk' });

  beforeAll(async () => {
    // The provider fetches our public key from the app's JWKS endpoint, so the app listens on a
    // port known before either starts.
    const port = await freePort();
    provider = await TestProvider.start({
      token_endpoint_auth_method: 'private_key_jwt',
      jwks_uri: `http://127.0.0.1:${port}/v1/auth/oidc/jwks.json`,
    });
    t = await startTestApp({
      OIDC_ISSUER: provider.issuer,
      OIDC_CLIENT_ID: CLIENT_ID,
      OIDC_CLIENT_AUTH: 'private_key_jwt',
      OIDC_CLIENT_PRIVATE_KEY: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
      OIDC_CLIENT_KEY_ID: 'ow-test-1',
      OIDC_REDIRECT_URI: REDIRECT_URI,
      OIDC_ACR_VALUES: LOA_HIGH,
      OIDC_FRONTEND_REDIRECT_URI: FRONTEND,
      CORS_ORIGINS: PORTAL,
      RATE_LIMIT_ANONYMOUS: '100000',
    });
    await t.app.listen(port, '127.0.0.1');
  }, 60_000);

  afterAll(async () => {
    await t?.close();
    await provider?.stop();
  });

  /** authorize → provider → our callback; the callback's answer and the binding cookie authorize set. */
  async function signIn(subject: string) {
    const authorize = await t.http.get('/v1/auth/oidc/authorize').expect(302);
    const setCookie = ([] as string[]).concat(authorize.headers['set-cookie'] ?? []);
    const line = setCookie.find((c) => c.startsWith(`${BINDING_COOKIE}=`))!;
    expect(line).toBeDefined();
    const binding = line.slice(BINDING_COOKIE.length + 1, line.indexOf(';'));
    const providerUrl = new URL(authorize.headers.location);
    const cb = await browseProvider(providerUrl.href, subject);
    const res = await t.http.get(`/v1/auth/oidc/callback${cb.search}`);
    return { res, binding, line, cb, state: providerUrl.searchParams.get('state')! };
  }

  /** The frontend's view of the redirect: the one-time code, after checking nothing else leaks. */
  function codeFrom(res: { status: number; headers: Record<string, string>; text: string }): string {
    expect(res.status).toBe(303);
    expect(res.headers['cache-control']).toContain('no-store');
    const location = new URL(res.headers.location);
    expect(location.origin + location.pathname).toBe(`${PORTAL}/eid/landing`);
    expect(location.searchParams.get('from')).toBe('eid');
    expect([...location.searchParams.keys()].sort()).toEqual(['code', 'from']);
    expect(location.hash).toBe('');
    // No token anywhere in what the browser is handed.
    expect(res.headers.location).not.toMatch(/eyJ|token/i);
    expect(res.text).not.toMatch(/eyJ|accessToken|refreshToken/);
    return location.searchParams.get('code')!;
  }

  const exchange = (code: string, binding?: string) => {
    const req = t.http.post('/v1/auth/oidc/exchange').send({ code });
    return binding ? req.set('Cookie', `${BINDING_COOKIE}=${binding}`) : req;
  };
  const codeRow = async (code: string) =>
    (
      await t.db.query<{ used_at: Date | null; account_id: string; binding_hash: string }>(
        'SELECT used_at, account_id, binding_hash FROM oidc_login_code WHERE code_hash = $1',
        [sha256(code)],
      )
    )[0];

  it('publishes our public key (no private part) at /v1/auth/oidc/jwks.json', async () => {
    const res = await t.http.get('/v1/auth/oidc/jwks.json').expect(200);
    expect(res.body).toEqual({
      keys: [
        {
          kty: 'EC',
          crv: 'P-256',
          x: publicJwk.x,
          y: publicJwk.y,
          kid: 'ow-test-1',
          alg: 'ES256',
          use: 'sig',
        },
      ],
    });
  });

  it('sets an HttpOnly binding cookie at /authorize, asks for the acr, and keeps only its hash', async () => {
    const authorize = await t.http.get('/v1/auth/oidc/authorize').expect(302);
    const url = new URL(authorize.headers.location);
    expect(url.searchParams.get('acr_values')).toBe(LOA_HIGH);
    const line = ([] as string[]).concat(authorize.headers['set-cookie'] ?? [])[0];
    expect(line).toMatch(new RegExp(`^${BINDING_COOKIE}=[A-Za-z0-9_-]{43};`));
    expect(line).toMatch(/; Path=\/v1\/auth\/oidc/);
    expect(line).toMatch(/; HttpOnly/);
    expect(line).toMatch(/; SameSite=Lax/);
    const binding = line.slice(BINDING_COOKIE.length + 1, line.indexOf(';'));
    const [row] = await t.db.query<{ binding_hash: string }>(
      'SELECT binding_hash FROM oidc_state WHERE state_hash = $1',
      [sha256(url.searchParams.get('state')!)],
    );
    expect(row.binding_hash).toBe(sha256(binding));
  });

  it('redirects with a one-time code (no token) that this browser exchanges once, signed in with private_key_jwt', async () => {
    const subject = uniqueSubject();
    const id = nationalId();
    const phone = uniquePhone();
    await provider.setAccount(subject, {
      name: '陈十三',
      national_id: id,
      phone_number: phone,
      phone_number_verified: true,
      _acr: LOA_HIGH,
    });
    const { res, binding } = await signIn(subject);
    const code = codeFrom(res);
    // The account exists from the callback on; the session starts only at the exchange.
    const accountId = (await db.accountOf(subject))!;
    const sessions = () =>
      t.db.query('SELECT 1 FROM refresh_token WHERE account_id = $1', [accountId]).then((r) => r.length);
    expect(await sessions()).toBe(0);
    const stored = await codeRow(code);
    expect(stored).toMatchObject({ used_at: null, account_id: accountId, binding_hash: sha256(binding) });
    // Only the hash is stored.
    expect(await t.db.query('SELECT 1 FROM oidc_login_code WHERE code_hash = $1', [code])).toEqual([]);

    const first = await exchange(code, binding).expect(200);
    expect(first.headers['cache-control']).toContain('no-store');
    expect(first.body).toEqual({
      accessToken: expect.any(String),
      tokenType: 'Bearer',
      expiresIn: expect.any(Number),
      refreshToken: expect.any(String),
      refreshExpiresIn: expect.any(Number),
      linked: 'created',
      returnTo: null,
    });
    // The binding cookie is cleared once used.
    expect(([] as string[]).concat(first.headers['set-cookie'] ?? []).join()).toMatch(
      new RegExp(`${BINDING_COOKIE}=;.*Expires=Thu, 01 Jan 1970`),
    );
    expect((await codeRow(code)).used_at).toBeInstanceOf(Date);
    expect(await sessions()).toBe(1);
    const me = await t.http
      .get('/v1/me')
      .set('Authorization', `Bearer ${first.body.accessToken}`)
      .expect(200);
    expect(me.body).toMatchObject({ id: accountId, nationalId: maskNationalId(id) });
    expect(await db.row(accountId)).toMatchObject({
      real_name: '陈十三',
      phone,
      identity_assurance: 'real_name',
      identity_verified_by: 'national_eid',
    });
    expect(await db.audit(accountId)).toEqual(['account.oidc.create', 'account.identity.verify']);

    // Replayed: refused, and no second session.
    const replay = await exchange(code, binding).expect(400);
    expect(replay.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(replay.body.code).toBe('OIDC_CODE_INVALID');
    expect(await sessions()).toBe(1);
  });

  it('refuses the code from another browser (no or another binding cookie) without using it up', async () => {
    const subject = uniqueSubject();
    await provider.setAccount(subject, { name: '褚十四', _acr: LOA_HIGH });
    const { res, binding } = await signIn(subject);
    const code = codeFrom(res);
    const other = randomBytes(32).toString('base64url');
    for (const attempt of [exchange(code), exchange(code, other), exchange(code, 'not-a-binding')]) {
      expect((await attempt.expect(400)).body.code).toBe('OIDC_CODE_INVALID');
    }
    expect((await codeRow(code)).used_at).toBeNull();
    // Nor does another browser's own genuine binding work for this code.
    const { binding: theirs } = await signIn(uniqueSubject());
    expect((await exchange(code, theirs).expect(400)).body.code).toBe('OIDC_CODE_INVALID');
    await exchange(code, binding).expect(200);
  });

  it('refuses an expired code (over 60 seconds), leaving it unused', async () => {
    const subject = uniqueSubject();
    await provider.setAccount(subject, { _acr: LOA_HIGH });
    const { res, binding } = await signIn(subject);
    const code = codeFrom(res);
    const stored = await t.db.query<{ ttl: number }>(
      `SELECT extract(epoch FROM expires_at - created_at)::int AS ttl FROM oidc_login_code WHERE code_hash = $1`,
      [sha256(code)],
    );
    expect(stored[0].ttl).toBe(60);
    await t.db.query(
      `UPDATE oidc_login_code SET expires_at = now() - interval '1 second' WHERE code_hash = $1`,
      [sha256(code)],
    );
    expect((await exchange(code, binding).expect(400)).body.code).toBe('OIDC_CODE_INVALID');
    expect((await codeRow(code)).used_at).toBeNull();
    // Malformed codes fail validation.
    await exchange('short', binding).expect(400);
  });

  it('sends the browser to the frontend with ?error=<code> on failure: acr too low (nothing created), replayed state, provider error', async () => {
    const subject = uniqueSubject();
    await provider.setAccount(subject, { name: '卫十五', national_id: nationalId(), _acr: LOA_SUBSTANTIAL });
    const before = await db.counts();
    const { res, cb } = await signIn(subject);
    expect(res.status).toBe(303);
    const location = new URL(res.headers.location);
    expect(location.origin + location.pathname).toBe(`${PORTAL}/eid/landing`);
    expect(location.searchParams.get('error')).toBe('OIDC_ACR_NOT_MET');
    expect(location.searchParams.has('code')).toBe(false);
    expect(await db.counts()).toEqual(before);
    expect(await db.accountOf(subject)).toBeNull();

    const replay = await t.http.get(`/v1/auth/oidc/callback${cb.search}`).expect(303);
    expect(new URL(replay.headers.location).searchParams.get('error')).toBe('OIDC_STATE_INVALID');

    const authorize = await t.http.get('/v1/auth/oidc/authorize').expect(302);
    const aborted = await browseProvider(authorize.headers.location, uniqueSubject(), { abort: true });
    const denied = await t.http.get(`/v1/auth/oidc/callback${aborted.search}`).expect(303);
    expect(new URL(denied.headers.location).searchParams.get('error')).toBe('OIDC_PROVIDER_ERROR');
  });
});
