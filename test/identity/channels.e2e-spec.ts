import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { DevChannelProvider } from '../../src/modules/platform/identity/channels/channel-provider';
import {
  PersonalDataService,
  PersonalField,
} from '../../src/modules/platform/identity/personal-data/personal-data.service';
import { RoleName } from '../../src/modules/platform/identity/staff/role-catalogue';
import { startTestApp, TestApp } from '../support/test-app';
import { Citizen, signedInCitizen } from './citizen-fixtures';
import { auth, makeStaff, makeUnit, signIn } from './staff-fixtures';

/**
 * Linked mini-program identities (P2): bind with a login code, list masked, unbind, and sign in with
 * a code. Runs on the development provider (CHANNEL_PROVIDER=dev: openid = hash of channel, app
 * and code), and at the end on the platform provider against a local code2Session stub.
 */

const APP = 'wx00000000000000a1';
const dev = new DevChannelProvider('test');
/** a fresh "wx.login" code: each one stands for a different mini-program user */
const newCode = () => `code_${randomUUID().replace(/-/g, '')}`;
const openidOf = async (code: string, appId = APP, channel: 'wechat-mp' | 'alipay-mp' = 'wechat-mp') => {
  const r = await dev.exchange(channel, appId, code);
  if (r.outcome !== 'ok') throw new Error('dev provider refused');
  return r.openid;
};

describe('linked channel identities', () => {
  let t: TestApp;
  beforeAll(async () => (t = await startTestApp({ RATE_LIMIT_ANONYMOUS: '100000' })));
  afterAll(() => t.close());

  const as = (c: Pick<Citizen, 'accessToken'>) => auth(c.accessToken);
  const bind = (c: Citizen, body: object) => t.http.post('/v1/me/channels').set(as(c)).send(body);
  const rowsOf = (accountId: string) =>
    t.db.query<{
      id: string;
      channel: string;
      app_id: string;
      openid_bidx: string;
      openid_enc: string;
      openid_masked: string;
    }>('SELECT * FROM channel_identity WHERE account_id = $1 ORDER BY created_at', [accountId]);
  const leaves = (subject: string, action: string) =>
    t.db.query<{ actor_id: string; actor_kind: string; resource_id: string; resource_type: string }>(
      `SELECT actor_id, actor_kind, resource_id, resource_type FROM audit_leaf WHERE subject_id = $1 AND action = $2 ORDER BY seq`,
      [subject, action],
    );

  it('refuses anonymous callers', async () => {
    expect((await t.http.get('/v1/me/channels').expect(401)).body.code).toBe('UNAUTHENTICATED');
    await t.http
      .post('/v1/me/channels')
      .send({ channel: 'wechat-mp', appId: APP, code: newCode() })
      .expect(401);
    await t.http.post(`/v1/me/channels/${randomUUID()}/unbind`).expect(401);
  });

  it('links the identity behind a code: stored encrypted with a blind index, shown masked, audited', async () => {
    const c = await signedInCitizen(t);
    const code = newCode();
    const openid = await openidOf(code);
    const res = await bind(c, { channel: 'wechat-mp', appId: APP, code }).expect(201);
    expect(res.body).toEqual({
      id: expect.any(String),
      channel: 'wechat-mp',
      appId: APP,
      openid: `${openid.slice(0, 3)}${'*'.repeat(openid.length - 7)}${openid.slice(-4)}`,
      createdAt: expect.any(String),
    });
    expect(res.headers['cache-control']).toContain('no-store');
    expect(JSON.stringify(res.body)).not.toContain(openid);

    const [row] = await rowsOf(c.id);
    expect(row).toMatchObject({ id: res.body.id, channel: 'wechat-mp', app_id: APP });
    expect(row.openid_enc).toMatch(/^v1\./);
    expect(row.openid_enc).not.toContain(openid);
    expect(row.openid_masked).toBe(res.body.openid);
    const pd = t.app.get(PersonalDataService);
    expect(pd.decrypt(PersonalField.ChannelOpenid, row.openid_enc)).toBe(openid);
    expect(row.openid_bidx).toBe(pd.blindIndex(PersonalField.ChannelOpenid, `wechat-mp\n${APP}\n${openid}`));
    expect(await leaves(c.id, 'channel.bind')).toEqual([
      { actor_id: c.id, actor_kind: 'citizen', resource_id: row.id, resource_type: 'channel_identity' },
    ]);

    const list = await t.http.get('/v1/me/channels').set(as(c)).expect(200);
    expect(list.body).toEqual([res.body]);
    expect(list.headers['cache-control']).toContain('no-store');
  });

  it('signs in with a code of a linked identity, and answers an unknown one with the same 401', async () => {
    const c = await signedInCitizen(t);
    const code = newCode();
    await bind(c, { channel: 'wechat-mp', appId: APP, code }).expect(201);

    const res = await t.http
      .post('/v1/auth/channel-login')
      .send({ channel: 'wechat-mp', appId: APP, code })
      .expect(200);
    expect(res.body).toEqual({
      accessToken: expect.any(String),
      tokenType: 'Bearer',
      expiresIn: expect.any(Number),
      refreshToken: expect.any(String),
      refreshExpiresIn: expect.any(Number),
    });
    expect(res.headers['cache-control']).toContain('no-store');
    expect(JSON.stringify(res.body)).not.toContain(await openidOf(code));
    const me = await t.http.get('/v1/me').set(auth(res.body.accessToken)).expect(200);
    expect(me.body.id).toBe(c.id);
    // A real session: the refresh token rotates, logout ends it.
    await t.http.post('/v1/auth/refresh').send({ refreshToken: res.body.refreshToken }).expect(200);
    const [{ n }] = await t.db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM auth_session WHERE account_id = $1',
      [c.id],
    );
    expect(n).toBe(2);

    const unknown = await t.http
      .post('/v1/auth/channel-login')
      .send({ channel: 'wechat-mp', appId: APP, code: newCode() })
      .expect(401);
    const refused = await t.http
      .post('/v1/auth/channel-login')
      .send({ channel: 'wechat-mp', appId: APP, code: 'invalid_code' })
      .expect(401);
    // Another app's identity of the same user is another identity.
    const otherApp = await t.http
      .post('/v1/auth/channel-login')
      .send({ channel: 'wechat-mp', appId: 'wx00000000000000b2', code })
      .expect(401);
    for (const r of [unknown, refused, otherApp]) {
      expect(r.body.code).toBe('INVALID_CREDENTIALS');
      expect(r.body.detail).toBe(unknown.body.detail);
    }
  });

  it('refuses an identity linked to another account (409) and writes nothing', async () => {
    const a = await signedInCitizen(t);
    const b = await signedInCitizen(t);
    const code = newCode();
    await bind(a, { channel: 'wechat-mp', appId: APP, code }).expect(201);
    const res = await bind(b, { channel: 'wechat-mp', appId: APP, code }).expect(409);
    expect(res.body.code).toBe('CONFLICT');
    expect(await rowsOf(b.id)).toEqual([]);
    expect(await rowsOf(a.id)).toHaveLength(1);
    expect(await leaves(b.id, 'channel.bind')).toEqual([]);
    // Still a's: the code signs a in, not b.
    const login = await t.http
      .post('/v1/auth/channel-login')
      .send({ channel: 'wechat-mp', appId: APP, code })
      .expect(200);
    expect((await t.http.get('/v1/me').set(auth(login.body.accessToken)).expect(200)).body.id).toBe(a.id);
  });

  it('answers the existing link when linked again, and one identity per app per account', async () => {
    const c = await signedInCitizen(t);
    const code = newCode();
    const first = await bind(c, { channel: 'wechat-mp', appId: APP, code }).expect(201);
    const again = await bind(c, { channel: 'wechat-mp', appId: APP, code }).expect(201);
    expect(again.body).toEqual(first.body);
    expect(await leaves(c.id, 'channel.bind')).toHaveLength(1);

    const second = await bind(c, { channel: 'wechat-mp', appId: APP, code: newCode() }).expect(409);
    expect(second.body.code).toBe('CONFLICT');
    // Other apps and other platforms are separate.
    await bind(c, { channel: 'wechat-mp', appId: 'wx00000000000000c3', code }).expect(201);
    await bind(c, { channel: 'alipay-mp', appId: '2021000000000001', code }).expect(201);
    const list = await t.http.get('/v1/me/channels').set(as(c)).expect(200);
    expect(list.body.map((i: { appId: string }) => i.appId)).toEqual([
      APP,
      'wx00000000000000c3',
      '2021000000000001',
    ]);
    expect(await rowsOf(c.id)).toHaveLength(3);
  });

  it.each([
    ['an unknown channel', { channel: 'qq-mp', appId: APP, code: 'abc' }, ['/channel']],
    ['a missing code', { channel: 'wechat-mp', appId: APP }, ['/code']],
    ['a code with odd characters', { channel: 'wechat-mp', appId: APP, code: 'a b;c' }, ['/code']],
    ['an overlong app id', { channel: 'wechat-mp', appId: 'w'.repeat(65), code: 'abc' }, ['/appId']],
    [
      'an openid sent by the client',
      { channel: 'wechat-mp', appId: APP, code: 'abc', openid: 'oX' },
      ['/openid'],
    ],
    ['nothing at all', {}, ['/channel', '/appId', '/code']],
  ])('refuses %s with 400 naming the field, and links nothing', async (_n, body, pointers) => {
    const c = await signedInCitizen(t);
    const res = await bind(c, body).expect(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
    expect([...new Set(res.body.errors.map((e: { pointer: string }) => e.pointer))].sort()).toEqual(
      [...pointers].sort(),
    );
    const login = await t.http.post('/v1/auth/channel-login').send(body).expect(400);
    expect(login.body.code).toBe('VALIDATION_FAILED');
    expect(await rowsOf(c.id)).toEqual([]);
  });

  it('refuses a code the platform rejects with 400 on /code', async () => {
    const c = await signedInCitizen(t);
    const res = await bind(c, { channel: 'wechat-mp', appId: APP, code: 'invalid_used_code' }).expect(400);
    expect(res.body.errors).toEqual([
      expect.objectContaining({ pointer: '/code', code: 'channelCodeInvalid' }),
    ]);
    expect(await rowsOf(c.id)).toEqual([]);
    expect(await leaves(c.id, 'channel.bind')).toEqual([]);
  });

  it('unlinks: only the owner, once; the code no longer signs in', async () => {
    const a = await signedInCitizen(t);
    const b = await signedInCitizen(t);
    const code = newCode();
    const { body } = await bind(a, { channel: 'wechat-mp', appId: APP, code }).expect(201);

    expect((await t.http.post(`/v1/me/channels/${body.id}/unbind`).set(as(b)).expect(404)).body.code).toBe(
      'NOT_FOUND',
    );
    expect(await rowsOf(a.id)).toHaveLength(1);
    expect(await leaves(a.id, 'channel.unbind')).toEqual([]);
    const bad = await t.http.post('/v1/me/channels/not-a-uuid/unbind').set(as(a)).expect(400);
    expect(bad.body.errors[0]).toMatchObject({ pointer: '/id' });

    await t.http.post(`/v1/me/channels/${body.id}/unbind`).set(as(a)).expect(204);
    expect(await rowsOf(a.id)).toEqual([]);
    expect(await leaves(a.id, 'channel.unbind')).toEqual([
      { actor_id: a.id, actor_kind: 'citizen', resource_id: body.id, resource_type: 'channel_identity' },
    ]);
    expect((await t.http.get('/v1/me/channels').set(as(a)).expect(200)).body).toEqual([]);
    await t.http.post('/v1/auth/channel-login').send({ channel: 'wechat-mp', appId: APP, code }).expect(401);
    await t.http.post(`/v1/me/channels/${body.id}/unbind`).set(as(a)).expect(404);
    // Free again: another account may now link it.
    await bind(b, { channel: 'wechat-mp', appId: APP, code }).expect(201);
  });

  it('tells a disabled account apart only to the holder of its identity', async () => {
    const c = await signedInCitizen(t);
    const code = newCode();
    await bind(c, { channel: 'wechat-mp', appId: APP, code }).expect(201);
    await t.db.query(`UPDATE account SET status = 'disabled' WHERE id = $1`, [c.id]);
    const res = await t.http
      .post('/v1/auth/channel-login')
      .send({ channel: 'wechat-mp', appId: APP, code })
      .expect(403);
    expect(res.body.code).toBe('ACCOUNT_DISABLED');
  });

  it('is for citizens and businesses: staff get 403', async () => {
    const unit = await makeUnit(t, '渠道测试局');
    const staff = await makeStaff(t, unit, [{ role: RoleName.Admin, unit: null }]);
    const token = await signIn(t, staff, 'staff');
    await t.http.get('/v1/me/channels').set(auth(token)).expect(403);
    await t.http
      .post('/v1/me/channels')
      .set(auth(token))
      .send({ channel: 'wechat-mp', appId: APP, code: newCode() })
      .expect(403);
    expect(
      (await t.db.query('SELECT 1 FROM channel_identity WHERE account_id = $1', [staff.id])).length,
    ).toBe(0);
  });

  it('shows the links in GraphQL me { channels }', async () => {
    const c = await signedInCitizen(t);
    const { body } = await bind(c, { channel: 'wechat-mp', appId: APP, code: newCode() }).expect(201);
    const res = await t.http
      .post('/graphql')
      .set(as(c))
      .send({ query: '{ me { id channels { id channel appId openid createdAt } } }' })
      .expect(200);
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data.me).toEqual({ id: c.id, channels: [body] });
    const schema = await t.http
      .post('/graphql')
      .send({ query: '{ __type(name: "ChannelIdentity") { fields { name } } }' })
      .expect(200);
    const names = schema.body.data.__type.fields.map((f: { name: string }) => f.name);
    expect(names.some((n: string) => /bidx|enc|account/i.test(n))).toBe(false);
  });
});

describe('linked channel identities through the platform provider (code2Session stub)', () => {
  let t: TestApp;
  let stub: Server;
  let answer: (url: URL, res: ServerResponse) => void;
  const calls: URL[] = [];
  const SECRET = '0123456789abcdef0123456789abcdef';

  beforeAll(async () => {
    stub = createServer((req: IncomingMessage, res: ServerResponse) => {
      const url = new URL(req.url ?? '/', 'http://stub');
      calls.push(url);
      answer(url, res);
    });
    await new Promise<void>((r) => stub.listen(0, '127.0.0.1', r));
    t = await startTestApp({
      RATE_LIMIT_ANONYMOUS: '100000',
      CHANNEL_PROVIDER: 'platform',
      WECHAT_MP_APPS: `${APP}:${SECRET}`,
      WECHAT_API_BASE: `http://127.0.0.1:${(stub.address() as AddressInfo).port}`,
      CHANNEL_TIMEOUT_MS: '500',
    });
  });
  afterAll(async () => {
    await t.close();
    stub.closeAllConnections();
    await new Promise<void>((r) => stub.close(() => r()));
  });

  const reply =
    (body: unknown, status = 200) =>
    (_url: URL, res: ServerResponse) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };

  it('binds and signs in with the openid code2Session returns, sending the secret only there', async () => {
    const c = await signedInCitizen(t);
    const openid = `oGZUI0eg${randomUUID().replace(/-/g, '').slice(0, 20)}`;
    answer = reply({ openid, session_key: 'never-stored' });
    calls.length = 0;
    const res = await t.http
      .post('/v1/me/channels')
      .set(auth(c.accessToken))
      .send({ channel: 'wechat-mp', appId: APP, code: 'wxcode1' })
      .expect(201);
    expect(res.body.openid).toBe(`${openid.slice(0, 3)}${'*'.repeat(openid.length - 7)}${openid.slice(-4)}`);
    expect(
      calls.map((u) => [u.pathname, u.searchParams.get('js_code'), u.searchParams.get('secret')]),
    ).toEqual([['/sns/jscode2session', 'wxcode1', SECRET]]);
    expect(JSON.stringify(res.body)).not.toContain(SECRET);
    const rows = await t.db.query<{ openid_enc: string }>(
      'SELECT openid_enc FROM channel_identity WHERE account_id = $1',
      [c.id],
    );
    expect(rows).toHaveLength(1);
    expect(
      JSON.stringify(await t.db.query('SELECT * FROM channel_identity WHERE account_id = $1', [c.id])),
    ).not.toContain('never-stored');

    // A later wx.login gives a new code for the same user: it signs in.
    answer = reply({ openid, session_key: 'another' });
    const login = await t.http
      .post('/v1/auth/channel-login')
      .send({ channel: 'wechat-mp', appId: APP, code: 'wxcode2' })
      .expect(200);
    expect((await t.http.get('/v1/me').set(auth(login.body.accessToken)).expect(200)).body.id).toBe(c.id);
  });

  it('answers a retried bind from its Idempotency-Key, since the platform takes a code only once', async () => {
    const c = await signedInCitizen(t);
    const openid = `oRetry${randomUUID().replace(/-/g, '').slice(0, 22)}`;
    answer = reply({ openid, session_key: 'k' });
    calls.length = 0;
    const key = `bind-${randomUUID()}`;
    const send = () =>
      t.http
        .post('/v1/me/channels')
        .set(auth(c.accessToken))
        .set('Idempotency-Key', key)
        .send({ channel: 'wechat-mp', appId: APP, code: 'wxcode-retry' });
    const first = await send().expect(201);
    answer = reply({ errcode: 40163, errmsg: 'code been used' });
    const retry = await send().expect(201);
    expect(retry.body).toEqual(first.body);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(calls).toHaveLength(1);
    // Without the key the used code is refused, as the platform says.
    await t.http
      .post('/v1/me/channels')
      .set(auth(c.accessToken))
      .send({ channel: 'wechat-mp', appId: APP, code: 'wxcode-retry' })
      .expect(400);
  });

  it('maps a refused code, an unknown app and a failing platform to 401/400/503', async () => {
    const c = await signedInCitizen(t);
    answer = reply({ errcode: 40029, errmsg: 'invalid code' });
    await t.http
      .post('/v1/auth/channel-login')
      .send({ channel: 'wechat-mp', appId: APP, code: 'x1' })
      .expect(401);
    const bindRefused = await t.http
      .post('/v1/me/channels')
      .set(auth(c.accessToken))
      .send({ channel: 'wechat-mp', appId: APP, code: 'x1' })
      .expect(400);
    expect(bindRefused.body.errors[0]).toMatchObject({ pointer: '/code', code: 'channelCodeInvalid' });

    calls.length = 0;
    const unknownApp = await t.http
      .post('/v1/auth/channel-login')
      .send({ channel: 'wechat-mp', appId: 'wx00000000000000ff', code: 'x2' })
      .expect(400);
    expect(unknownApp.body.errors[0]).toMatchObject({ pointer: '/appId', code: 'unknownApp' });
    await t.http
      .post('/v1/auth/channel-login')
      .send({ channel: 'alipay-mp', appId: '2021000000000001', code: 'x2' })
      .expect(400);
    expect(calls).toEqual([]);

    answer = reply({ errcode: -1, errmsg: 'system busy' });
    const busy = await t.http
      .post('/v1/me/channels')
      .set(auth(c.accessToken))
      .send({ channel: 'wechat-mp', appId: APP, code: 'x3' })
      .expect(503);
    expect(busy.body.code).toBe('SERVICE_UNAVAILABLE');
    expect(busy.headers['retry-after']).toBeDefined();
    answer = (_url, res) => void setTimeout(() => res.end('{}'), 2000).unref();
    await t.http
      .post('/v1/auth/channel-login')
      .send({ channel: 'wechat-mp', appId: APP, code: 'x4' })
      .expect(503);
    expect(await t.db.query('SELECT 1 FROM channel_identity WHERE account_id = $1', [c.id])).toEqual([]);
  });
});
