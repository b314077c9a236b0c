import { createHash, randomUUID } from 'node:crypto';
import type { Response } from 'supertest';
import { RoleName } from '../../src/modules/platform/identity/staff/role-catalogue';
import { startTestApp, TestApp } from '../support/test-app';
import { auth, makeUnit, Person, signedInStaff, uniq } from './staff-fixtures';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const basic = (id: string, secret: string) =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;
const THUMB = 'ab'.repeat(32);

describe('machine clients and API keys', () => {
  let t: TestApp;
  let X: string;
  let X1: string;
  let Y: string;
  let orgAdminX: Person;
  let orgAdminY: Person;
  let clerkX: Person;
  let staffX1: Person;
  let staffY: Person;
  const { person, tok } = signedInStaff(() => t);

  async function newClient(p: Person, body: Record<string, unknown> = {}) {
    const res = await t.http
      .post('/v1/clients')
      .set(tok(p))
      .send({
        name: `系统-${uniq()}`,
        organisationId: X,
        scopes: ['directory:read', 'account:read'],
        ...body,
      });
    if (res.status !== 201) throw new Error(`client create failed: ${res.status} ${res.text}`);
    return res.body as { id: string; clientId: string; clientSecret: string; scopes: string[] };
  }

  const tokenForm = (form: Record<string, string>, authorization?: string) => {
    const req = t.http.post('/v1/oauth/token').type('form');
    if (authorization) req.set('Authorization', authorization);
    return req.send(form);
  };

  const expectOAuthError = (res: Response, status: number, error: string) => {
    expect({ status: res.status, error: res.body.error }).toEqual({ status, error });
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body.error_description).toEqual(expect.any(String));
    expect(Object.keys(res.body).sort()).toEqual(['error', 'error_description']);
  };

  const staffIds = (res: Response) => res.body.items.map((s: { id: string }) => s.id) as string[];

  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMIT_ANONYMOUS: '100000', RATE_LIMIT_AUTHENTICATED: '100000' });
    const root = await makeUnit(t, '客户端测试局');
    X = await makeUnit(t, '甲', root);
    X1 = await makeUnit(t, '甲一', X);
    Y = await makeUnit(t, '乙', root);
    orgAdminX = await person(X, [{ role: RoleName.OrgAdmin, unit: X }]);
    orgAdminY = await person(Y, [{ role: RoleName.OrgAdmin, unit: Y }]);
    clerkX = await person(X, [{ role: RoleName.Clerk, unit: X }]);
    staffX1 = await person(X1);
    staffY = await person(Y);
  });
  afterAll(() => t.close());

  describe('client administration', () => {
    it('registers a client and shows its secret once, storing only a hash', async () => {
      const c = await newClient(orgAdminX);
      expect(c.clientId).toMatch(/^owc_[A-Za-z0-9_-]{22}$/);
      expect(c.clientSecret).toMatch(/^ows_[A-Za-z0-9_-]{43}$/);
      const [row] = await t.db.query<Record<string, unknown>>('SELECT * FROM oauth_client WHERE id = $1', [
        c.id,
      ]);
      expect(row).toMatchObject({
        client_id: c.clientId,
        organisation_id: X,
        active: true,
        secret_hash: sha256(c.clientSecret),
        created_by: orgAdminX.id,
      });
      expect(JSON.stringify(row)).not.toContain(c.clientSecret);
      const again = await t.http
        .post('/v1/clients')
        .set(tok(orgAdminX))
        .send({ name: `缓存-${uniq()}`, organisationId: X, scopes: [] })
        .expect(201);
      expect(again.headers['cache-control']).toBe('no-store');
      const shown = await t.http.get(`/v1/clients/${c.id}`).set(tok(orgAdminX)).expect(200);
      expect(shown.body).not.toHaveProperty('clientSecret');
      expect(JSON.stringify(shown.body)).not.toContain('secretHash');
    });

    it('refuses scopes the caller does not hold, units outside the scope, and callers without client:manage', async () => {
      const count = async () =>
        Number(
          (
            await t.db.query<{ n: string }>(
              'SELECT count(*) AS n FROM oauth_client WHERE organisation_id IN ($1, $2)',
              [X, Y],
            )
          )[0].n,
        );
      const before = await count();
      const post = (p: Person, body: object) =>
        t.http
          .post('/v1/clients')
          .set(tok(p))
          .send({ name: '越权系统', organisationId: X, scopes: ['directory:read'], ...body });
      expect((await post(orgAdminX, { scopes: ['audit:read'] })).status).toBe(403);
      expect((await post(orgAdminX, { organisationId: Y })).status).toBe(404);
      expect((await post(orgAdminX, { organisationId: randomUUID() })).status).toBe(404);
      expect((await post(orgAdminX, { scopes: ['self:service'] })).status).toBe(400);
      expect((await post(orgAdminX, { scopes: ['directory:read', 'directory:read'] })).status).toBe(400);
      expect((await post(orgAdminX, { certThumbprint: 'xyz' })).status).toBe(400);
      expect((await post(clerkX, {})).status).toBe(403);
      expect((await t.http.post('/v1/clients').send({})).status).toBe(401);
      expect(await count()).toBe(before);
    });

    it('lists and reads only clients within scope', async () => {
      const mine = await newClient(orgAdminX, { organisationId: X1 });
      const theirs = await newClient(orgAdminY, { organisationId: Y, scopes: ['directory:read'] });
      const list = await t.http.get('/v1/clients?limit=100').set(tok(orgAdminX)).expect(200);
      const ids = list.body.items.map((c: { id: string }) => c.id);
      expect(ids).toContain(mine.id);
      expect(ids).not.toContain(theirs.id);
      await t.http.get(`/v1/clients/${theirs.id}`).set(tok(orgAdminX)).expect(404);
      await t.http.post(`/v1/clients/${theirs.id}/rotate-secret`).set(tok(orgAdminX)).send({}).expect(404);
      await t.http.post(`/v1/clients/${theirs.id}/deactivate`).set(tok(orgAdminX)).expect(404);
      expect(
        (
          await t.db.query<{ active: boolean }>('SELECT active FROM oauth_client WHERE id = $1', [theirs.id])
        )[0].active,
      ).toBe(true);
    });
  });

  describe('POST /v1/oauth/token', () => {
    it('issues an RFC 6749 token for client credentials (Basic or body, form or JSON), acting within its unit', async () => {
      const c = await newClient(orgAdminX);
      const res = await tokenForm(
        { grant_type: 'client_credentials' },
        basic(c.clientId, c.clientSecret),
      ).expect(200);
      expect(res.body).toEqual({
        access_token: expect.any(String),
        token_type: 'Bearer',
        expires_in: t.config.jwt.accessTtlSeconds,
        scope: 'directory:read account:read',
      });
      expect(res.headers['cache-control']).toBe('no-store');
      const [, payload] = res.body.access_token.split('.');
      expect(JSON.parse(Buffer.from(payload, 'base64url').toString())).toMatchObject({
        sub: c.clientId,
        kind: 'client',
        org: X,
        scope: 'directory:read account:read',
      });

      // the client's scopes hold in its unit and below
      const list = await t.http.get('/v1/staff?limit=100').set(auth(res.body.access_token)).expect(200);
      expect(staffIds(list)).toEqual(expect.arrayContaining([orgAdminX.id, staffX1.id]));
      expect(staffIds(list)).not.toContain(staffY.id);
      await t.http.get(`/v1/staff/${staffY.id}`).set(auth(res.body.access_token)).expect(404);
      await t.http.post('/v1/staff').set(auth(res.body.access_token)).send({}).expect(403);

      const json = await t.http
        .post('/v1/oauth/token')
        .send({
          grant_type: 'client_credentials',
          client_id: c.clientId,
          client_secret: c.clientSecret,
          extra: 'ignored',
        })
        .expect(200);
      expect(json.body.token_type).toBe('Bearer');
      const form = await tokenForm({
        grant_type: 'client_credentials',
        client_id: c.clientId,
        client_secret: c.clientSecret,
        scope: 'directory:read',
      }).expect(200);
      expect(form.body.scope).toBe('directory:read');
      await t.http.get('/v1/staff').set(auth(form.body.access_token)).expect(403);
      const [row] = await t.db.query<{ last_used_at: Date | null }>(
        'SELECT last_used_at FROM oauth_client WHERE id = $1',
        [c.id],
      );
      expect(row.last_used_at).not.toBeNull();
    });

    it('answers invalid_client (401) for a wrong secret, an unknown client or no authentication', async () => {
      const c = await newClient(orgAdminX);
      const wrong = await tokenForm(
        { grant_type: 'client_credentials' },
        basic(c.clientId, `${c.clientSecret}x`),
      );
      expectOAuthError(wrong, 401, 'invalid_client');
      expect(wrong.headers['www-authenticate']).toMatch(/^Basic realm=/);
      expectOAuthError(
        await tokenForm({ grant_type: 'client_credentials', client_id: c.clientId, client_secret: 'guess' }),
        401,
        'invalid_client',
      );
      expectOAuthError(
        await tokenForm({
          grant_type: 'client_credentials',
          client_id: 'owc_nobody',
          client_secret: c.clientSecret,
        }),
        401,
        'invalid_client',
      );
      expectOAuthError(await tokenForm({ grant_type: 'client_credentials' }), 401, 'invalid_client');
      expectOAuthError(
        await tokenForm({ grant_type: 'client_credentials' }, 'Basic !!!'),
        401,
        'invalid_client',
      );
      expect(JSON.stringify(wrong.body)).not.toContain(c.clientSecret);
    });

    it('answers unsupported_grant_type, invalid_request and invalid_scope (400)', async () => {
      const c = await newClient(orgAdminX);
      const creds = basic(c.clientId, c.clientSecret);
      expectOAuthError(
        await tokenForm({ grant_type: 'password', username: 'a', password: 'b' }, creds),
        400,
        'unsupported_grant_type',
      );
      expectOAuthError(
        await tokenForm({ grant_type: 'authorization_code', code: 'x' }, creds),
        400,
        'unsupported_grant_type',
      );
      expectOAuthError(await tokenForm({}, creds), 400, 'invalid_request');
      expectOAuthError(
        await tokenForm({ grant_type: 'client_credentials', client_secret: c.clientSecret }, creds),
        400,
        'invalid_request',
      );
      expectOAuthError(
        await t.http
          .post('/v1/oauth/token')
          .send({ grant_type: ['client_credentials'] })
          .set('Authorization', creds),
        400,
        'invalid_request',
      );
      const scope = await tokenForm(
        { grant_type: 'client_credentials', scope: 'directory:read audit:read' },
        creds,
      );
      expectOAuthError(scope, 400, 'invalid_scope');
      expectOAuthError(
        await tokenForm({ grant_type: 'client_credentials', scope: 'staff:manage' }, creds),
        400,
        'invalid_scope',
      );
    });

    it('answers RFC 6749 errors, never problem+json, for refusals made before the controller', async () => {
      const c = await newClient(orgAdminX);
      const creds = basic(c.clientId, c.clientSecret);
      const json = (raw: string, authorization = creds) =>
        t.http
          .post('/v1/oauth/token')
          .set('Content-Type', 'application/json')
          .set('Authorization', authorization)
          .send(raw);
      const ascii = /^[\x20-\x21\x23-\x5B\x5D-\x7E]+$/;
      const cases: [string, Promise<Response>, number, string][] = [
        ['malformed JSON', json("{'grant_type': nope"), 400, 'invalid_request'],
        ['truncated JSON', json('{"grant_type":"client_cred'), 400, 'invalid_request'],
        [
          'a 2 MB body',
          json(JSON.stringify({ grant_type: 'client_credentials', pad: 'x'.repeat(2 * 1024 * 1024) })),
          400,
          'invalid_request',
        ],
        [
          'a depth-5000 body',
          json(`{"grant_type":"client_credentials","zz":${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}}`),
          400,
          'invalid_request',
        ],
        [
          'NUL in scope',
          tokenForm({ grant_type: 'client_credentials', scope: 'directory:read\u0000' }, creds),
          400,
          'invalid_request',
        ],
        [
          'a malformed Bearer token',
          tokenForm({ grant_type: 'client_credentials' }, 'Bearer not.a.token'),
          401,
          'invalid_client',
        ],
        [
          'an unknown scheme',
          tokenForm({ grant_type: 'client_credentials' }, 'Digest x=1'),
          401,
          'invalid_client',
        ],
      ];
      for (const [label, pending, status, error] of cases) {
        const res = await pending;
        try {
          expectOAuthError(res, status, error);
          expect(res.body.error_description).toMatch(ascii);
          if (status === 401) expect(res.headers['www-authenticate']).toMatch(/^Basic realm=/);
        } catch (e) {
          throw new Error(`${label}: ${res.status} ${res.text.slice(0, 200)}\n${String(e)}`, { cause: e });
        }
      }
      // the client never got a token out of any of them
      const used = await t.db.query<{ last_used_at: Date | null }>(
        'SELECT last_used_at FROM oauth_client WHERE id = $1',
        [c.id],
      );
      expect(used[0].last_used_at).toBeNull();
      // and the same request, well formed, still works
      const ok = await tokenForm({ grant_type: 'client_credentials' }, creds);
      expect(ok.status).toBe(200);
    });

    it('keeps the previous secret valid until the rotation deadline only', async () => {
      const c = await newClient(orgAdminX);
      const rotated = await t.http
        .post(`/v1/clients/${c.id}/rotate-secret`)
        .set(tok(orgAdminX))
        .send({ graceSeconds: 3600 })
        .expect(200);
      expect(rotated.body.clientSecret).not.toBe(c.clientSecret);
      expect(Date.parse(rotated.body.previousSecretExpiresAt) - Date.now()).toBeGreaterThan(3500_000);
      await tokenForm({ grant_type: 'client_credentials' }, basic(c.clientId, c.clientSecret)).expect(200);
      await tokenForm(
        { grant_type: 'client_credentials' },
        basic(c.clientId, rotated.body.clientSecret),
      ).expect(200);
      // the deadline passes
      await t.db.query(
        `UPDATE oauth_client SET previous_secret_expires_at = now() - interval '1 second' WHERE id = $1`,
        [c.id],
      );
      expectOAuthError(
        await tokenForm({ grant_type: 'client_credentials' }, basic(c.clientId, c.clientSecret)),
        401,
        'invalid_client',
      );
      await tokenForm(
        { grant_type: 'client_credentials' },
        basic(c.clientId, rotated.body.clientSecret),
      ).expect(200);
      // a rotation without grace cuts the old secret off at once
      const again = await t.http
        .post(`/v1/clients/${c.id}/rotate-secret`)
        .set(tok(orgAdminX))
        .send({ graceSeconds: 0 })
        .expect(200);
      expectOAuthError(
        await tokenForm({ grant_type: 'client_credentials' }, basic(c.clientId, rotated.body.clientSecret)),
        401,
        'invalid_client',
      );
      await tokenForm(
        { grant_type: 'client_credentials' },
        basic(c.clientId, again.body.clientSecret),
      ).expect(200);
      await t.http
        .post(`/v1/clients/${c.id}/rotate-secret`)
        .set(tok(orgAdminX))
        .send({ graceSeconds: 99_999_999 })
        .expect(400);
    });

    it('stops a deactivated client and the tokens it already holds', async () => {
      const c = await newClient(orgAdminX);
      const issued = await tokenForm(
        { grant_type: 'client_credentials' },
        basic(c.clientId, c.clientSecret),
      ).expect(200);
      await t.http.get('/v1/staff').set(auth(issued.body.access_token)).expect(200);
      await t.http.post(`/v1/clients/${c.id}/deactivate`).set(tok(clerkX)).expect(403);
      const res = await t.http.post(`/v1/clients/${c.id}/deactivate`).set(tok(orgAdminX)).expect(200);
      expect(res.body.active).toBe(false);
      expectOAuthError(
        await tokenForm({ grant_type: 'client_credentials' }, basic(c.clientId, c.clientSecret)),
        401,
        'invalid_client',
      );
      const refused = await t.http.get('/v1/staff').set(auth(issued.body.access_token)).expect(401);
      expect(refused.body.code).toBe('INVALID_TOKEN');
      await t.http.post(`/v1/clients/${c.id}/rotate-secret`).set(tok(orgAdminX)).send({}).expect(409);
    });

    it('requires the bound certificate thumbprint from the proxy', async () => {
      const c = await newClient(orgAdminX, { certThumbprint: THUMB.toUpperCase() });
      const creds = basic(c.clientId, c.clientSecret);
      expectOAuthError(await tokenForm({ grant_type: 'client_credentials' }, creds), 401, 'invalid_client');
      const wrong = await t.http
        .post('/v1/oauth/token')
        .type('form')
        .set('Authorization', creds)
        .set('X-Client-Cert-Thumbprint', 'cd'.repeat(32))
        .send({ grant_type: 'client_credentials' });
      expectOAuthError(wrong, 401, 'invalid_client');
      const colons = THUMB.toUpperCase().match(/../g)!.join(':');
      const issued = await t.http
        .post('/v1/oauth/token')
        .type('form')
        .set('Authorization', creds)
        .set('X-Client-Cert-Thumbprint', colons)
        .send({ grant_type: 'client_credentials' })
        .expect(200);
      // The token is bound to the certificate on every call (RFC 8705 §3), not only at issuance.
      const bearer = auth(issued.body.access_token);
      await t.http.get('/v1/staff').set(bearer).set('X-Client-Cert-Thumbprint', THUMB).expect(200);
      for (const presented of [undefined, 'cd'.repeat(32)]) {
        const call = t.http.get('/v1/staff').set(bearer);
        const res = await (presented ? call.set('X-Client-Cert-Thumbprint', presented) : call).expect(401);
        expect(res.body.code).toBe('INVALID_TOKEN');
      }
    });
  });

  describe('API keys', () => {
    async function newKey(p: Person, body: Record<string, unknown> = {}) {
      const res = await t.http
        .post('/v1/api-keys')
        .set(tok(p))
        .send({ name: `集成-${uniq()}`, organisationId: X, scopes: ['account:read'], ...body });
      if (res.status !== 201) throw new Error(`key create failed: ${res.status} ${res.text}`);
      return res.body as { id: string; key: string; prefix: string };
    }

    it('issues a key once, stores its hash, and lists only the prefix', async () => {
      const k = await newKey(orgAdminX);
      expect(k.key).toMatch(/^owk_[a-z0-9]{8}_[A-Za-z0-9_-]{43}$/);
      expect(k.key.startsWith(`${k.prefix}_`)).toBe(true);
      const fresh = await t.http
        .post('/v1/api-keys')
        .set(tok(orgAdminX))
        .send({ name: `缓存-${uniq()}`, organisationId: X, scopes: [] })
        .expect(201);
      expect(fresh.headers['cache-control']).toBe('no-store');
      const [row] = await t.db.query<Record<string, unknown>>('SELECT * FROM api_key WHERE id = $1', [k.id]);
      expect(row).toMatchObject({
        key_hash: sha256(k.key),
        owner_account_id: orgAdminX.id,
        organisation_id: X,
        revoked_at: null,
      });
      expect(new Date(row.expires_at as string).getTime()).toBeGreaterThan(Date.now() + 360 * 86_400_000);
      const list = await t.http.get('/v1/api-keys?limit=100').set(tok(orgAdminX)).expect(200);
      const listed = list.body.items.find((i: { id: string }) => i.id === k.id);
      expect(listed).toMatchObject({ prefix: k.prefix, name: expect.any(String), scopes: ['account:read'] });
      expect(listed).not.toHaveProperty('key');
      expect(JSON.stringify(list.body)).not.toContain(k.key.slice(14));
      const theirs = await t.http.get('/v1/api-keys?limit=100').set(tok(orgAdminY)).expect(200);
      expect(theirs.body.items.map((i: { id: string }) => i.id)).not.toContain(k.id);
    });

    it('authenticates X-API-Key with the key scopes held in its unit', async () => {
      const k = await newKey(orgAdminX);
      const res = await t.http.get('/v1/staff?limit=100').set('X-API-Key', k.key).expect(200);
      expect(staffIds(res)).toContain(staffX1.id);
      expect(staffIds(res)).not.toContain(staffY.id);
      await t.http.post('/v1/staff').set('X-API-Key', k.key).send({}).expect(403);
      const [row] = await t.db.query<{ last_used_at: Date | null }>(
        'SELECT last_used_at FROM api_key WHERE id = $1',
        [k.id],
      );
      expect(row.last_used_at).not.toBeNull();
    });

    it('ignores a key in the query string and refuses tampered, revoked and expired keys', async () => {
      const k = await newKey(orgAdminX);
      for (const q of ['api_key', 'apiKey', 'X-API-Key', 'x-api-key', 'key']) {
        const res = await t.http.get(`/v1/api-keys?${q}=${encodeURIComponent(k.key)}`).expect(401);
        expect(res.body.code).toBe('UNAUTHENTICATED');
      }
      const tampered = `${k.key.slice(0, -1)}${k.key.endsWith('A') ? 'B' : 'A'}`;
      expect((await t.http.get('/v1/staff').set('X-API-Key', tampered).expect(401)).body.code).toBe(
        'INVALID_TOKEN',
      );
      await t.http.get('/v1/staff').set('X-API-Key', 'owk_nope').expect(401);
      await t.http.get('/v1/staff').set('X-API-Key', k.key).set(tok(orgAdminX)).expect(401);

      await t.http.post(`/v1/api-keys/${k.id}/revoke`).set(tok(orgAdminY)).expect(404);
      await t.http.get('/v1/staff').set('X-API-Key', k.key).expect(200);
      const revoked = await t.http.post(`/v1/api-keys/${k.id}/revoke`).set(tok(orgAdminX)).expect(200);
      expect(revoked.body.revokedAt).toEqual(expect.any(String));
      expect((await t.http.get('/v1/staff').set('X-API-Key', k.key).expect(401)).body.code).toBe(
        'INVALID_TOKEN',
      );

      const e = await newKey(orgAdminX);
      await t.http.get('/v1/staff').set('X-API-Key', e.key).expect(200);
      await t.db.query(`UPDATE api_key SET expires_at = now() - interval '1 second' WHERE id = $1`, [e.id]);
      expect((await t.http.get('/v1/staff').set('X-API-Key', e.key).expect(401)).body.code).toBe(
        'INVALID_TOKEN',
      );
    });

    it('dies with its owner account', async () => {
      const owner = await person(X, [{ role: RoleName.OrgAdmin, unit: X }]);
      const k = await newKey(owner);
      await t.http.get('/v1/staff').set('X-API-Key', k.key).expect(200);
      await t.db.query(`UPDATE account SET status = 'disabled' WHERE id = $1`, [owner.id]);
      await t.http.get('/v1/staff').set('X-API-Key', k.key).expect(401);
    });

    it('refuses scopes not held, units out of scope, bad expiries and machine issuers', async () => {
      const post = (headers: Record<string, string>, body: object) =>
        t.http
          .post('/v1/api-keys')
          .set(headers)
          .send({ name: '越权钥匙', organisationId: X, scopes: ['account:read'], ...body });
      expect((await post(tok(orgAdminX), { scopes: ['audit:read'] })).status).toBe(403);
      expect((await post(tok(orgAdminX), { organisationId: Y })).status).toBe(404);
      expect((await post(tok(orgAdminX), { organisationId: undefined })).status).toBe(403);
      expect(
        (await post(tok(orgAdminX), { expiresAt: new Date(Date.now() - 1000).toISOString() })).status,
      ).toBe(400);
      expect(
        (await post(tok(orgAdminX), { expiresAt: new Date(Date.now() + 400 * 86_400_000).toISOString() }))
          .status,
      ).toBe(400);
      expect((await post(tok(clerkX), {})).status).toBe(403);
      const c = await newClient(orgAdminX, { scopes: ['apikey:manage', 'account:read'] });
      const machine = await tokenForm(
        { grant_type: 'client_credentials' },
        basic(c.clientId, c.clientSecret),
      ).expect(200);
      expect((await post(auth(machine.body.access_token), {})).status).toBe(403);
      expect(
        Number(
          (await t.db.query<{ n: string }>(`SELECT count(*) AS n FROM api_key WHERE name = '越权钥匙'`))[0].n,
        ),
      ).toBe(0);
    });
  });
});
