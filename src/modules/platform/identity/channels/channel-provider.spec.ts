import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ChannelsConfig, ConfigError, loadConfig } from '../../../../config/config';
import {
  createChannelProvider,
  DevChannelProvider,
  interpretCode2Session,
  PlatformChannelProvider,
} from './channel-provider';

const APP = 'wx0123456789abcdef';
const SECRET = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
const OPENID = 'oGZUI0egBJY1zhBYw2KhdUfwVJJE';

describe('DevChannelProvider', () => {
  const dev = new DevChannelProvider('development');

  it('derives a stable openid per (channel, app, code), distinct otherwise', async () => {
    const a = await dev.exchange('wechat-mp', APP, 'alice');
    expect(a).toEqual({ outcome: 'ok', openid: expect.stringMatching(/^dev_[A-Za-z0-9_-]{24}$/) });
    expect(await dev.exchange('wechat-mp', APP, 'alice')).toEqual(a);
    const others = [
      await dev.exchange('wechat-mp', APP, 'bob'),
      await dev.exchange('alipay-mp', APP, 'alice'),
      await dev.exchange('wechat-mp', 'wx0000000000000000', 'alice'),
    ];
    for (const o of others) expect(o).not.toEqual(a);
  });

  it("refuses codes starting with 'invalid' (the refusal path for local tests)", async () => {
    expect(await dev.exchange('wechat-mp', APP, 'invalid-code')).toEqual({ outcome: 'rejected' });
  });

  it('refuses to exist in production', () => {
    expect(() => new DevChannelProvider('production')).toThrow(/never run in production/);
  });
});

describe('interpretCode2Session', () => {
  it.each([
    [
      { openid: OPENID, session_key: 'k', unionid: 'u' },
      { outcome: 'ok', openid: OPENID },
    ],
    [
      { openid: OPENID, session_key: 'k', errcode: 0, errmsg: 'ok' },
      { outcome: 'ok', openid: OPENID },
    ],
    [{ errcode: 40029, errmsg: 'invalid code' }, { outcome: 'rejected' }],
    [{ errcode: 40163, errmsg: 'code been used' }, { outcome: 'rejected' }],
    [{ errcode: 40226, errmsg: 'high risk user' }, { outcome: 'rejected' }],
    [{ errcode: -1, errmsg: 'system busy' }, { outcome: 'unavailable' }],
    [{ errcode: 45011, errmsg: 'rate limit' }, { outcome: 'unavailable' }],
    [{ errcode: '40029' }, { outcome: 'unavailable' }],
    [{ openid: 'x' }, { outcome: 'unavailable' }],
    [{ openid: `${OPENID}<script>` }, { outcome: 'unavailable' }],
    [{ openid: 42 }, { outcome: 'unavailable' }],
    [[OPENID], { outcome: 'unavailable' }],
    [null, { outcome: 'unavailable' }],
    ['openid', { outcome: 'unavailable' }],
  ])('%j → %j', (body, expected) => {
    expect(interpretCode2Session(body)).toEqual(expected);
  });
});

describe('PlatformChannelProvider (WeChat code2Session against a local stub)', () => {
  let server: Server;
  let base: string;
  let handler: (req: IncomingMessage, res: ServerResponse) => void;
  const seen: URL[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push(new URL(req.url ?? '/', 'http://stub'));
      handler(req, res);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    server.closeAllConnections();
    return new Promise<void>((r) => server.close(() => r()));
  });
  beforeEach(() => (seen.length = 0));

  const provider = (over: Partial<ChannelsConfig> = {}) =>
    new PlatformChannelProvider({
      provider: 'platform',
      wechatApps: { [APP]: SECRET },
      wechatApiBase: base,
      timeoutMs: 300,
      ...over,
    });
  const json = (status: number, body: unknown) => (_req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };

  it('exchanges the code with the app secret and keeps only the openid', async () => {
    handler = json(200, { openid: OPENID, session_key: 'secret-session-key' });
    expect(await provider().exchange('wechat-mp', APP, 'the-code')).toEqual({
      outcome: 'ok',
      openid: OPENID,
    });
    expect(seen).toHaveLength(1);
    expect(seen[0].pathname).toBe('/sns/jscode2session');
    expect(Object.fromEntries(seen[0].searchParams)).toEqual({
      appid: APP,
      secret: SECRET,
      js_code: 'the-code',
      grant_type: 'authorization_code',
    });
  });

  it('maps a refused code to rejected and platform trouble to unavailable', async () => {
    handler = json(200, { errcode: 40163, errmsg: 'code been used' });
    expect(await provider().exchange('wechat-mp', APP, 'c')).toEqual({ outcome: 'rejected' });
    handler = json(200, { errcode: -1, errmsg: 'system error' });
    expect(await provider().exchange('wechat-mp', APP, 'c')).toEqual({ outcome: 'unavailable' });
    handler = json(502, { openid: OPENID });
    expect(await provider().exchange('wechat-mp', APP, 'c')).toEqual({ outcome: 'unavailable' });
    handler = (_req, res) => res.end('<html>not json</html>');
    expect(await provider().exchange('wechat-mp', APP, 'c')).toEqual({ outcome: 'unavailable' });
  });

  it('gives up on an oversized or slow answer', async () => {
    handler = (_req, res) => res.end(JSON.stringify({ openid: OPENID, pad: 'x'.repeat(64 * 1024) }));
    expect(await provider().exchange('wechat-mp', APP, 'c')).toEqual({ outcome: 'unavailable' });
    handler = (_req, res) => void setTimeout(() => res.end(JSON.stringify({ openid: OPENID })), 1000).unref();
    const started = Date.now();
    expect(await provider().exchange('wechat-mp', APP, 'c')).toEqual({ outcome: 'unavailable' });
    expect(Date.now() - started).toBeLessThan(900);
  });

  it('does not follow redirects (the secret must not travel elsewhere)', async () => {
    handler = (_req, res) => {
      res.writeHead(302, { location: 'http://127.0.0.1:1/steal' });
      res.end();
    };
    expect(await provider().exchange('wechat-mp', APP, 'c')).toEqual({ outcome: 'unavailable' });
    expect(seen).toHaveLength(1);
  });

  it('answers unknown-app for unconfigured apps and for Alipay, without calling anyone', async () => {
    handler = json(200, { openid: OPENID });
    expect(await provider().exchange('wechat-mp', 'wxffffffffffffffff', 'c')).toEqual({
      outcome: 'unknown-app',
    });
    expect(await provider().exchange('wechat-mp', '__proto__', 'c')).toEqual({ outcome: 'unknown-app' });
    expect(await provider().exchange('alipay-mp', APP, 'c')).toEqual({ outcome: 'unknown-app' });
    expect(seen).toHaveLength(0);
  });

  it('is what createChannelProvider picks for provider=platform', () => {
    expect(
      createChannelProvider('production', {
        provider: 'platform',
        wechatApps: {},
        wechatApiBase: base,
        timeoutMs: 100,
      }),
    ).toBeInstanceOf(PlatformChannelProvider);
    expect(
      createChannelProvider('development', {
        provider: 'dev',
        wechatApps: {},
        wechatApiBase: base,
        timeoutMs: 100,
      }),
    ).toBeInstanceOf(DevChannelProvider);
  });
});

describe('channel settings in loadConfig', () => {
  const pem = generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  const production = {
    NODE_ENV: 'production',
    DATABASE_URL: 'postgresql://db.example/onewindow',
    AUDIT_ORIGIN: 'gov.example/audit',
    JWT_SECRET: randomBytes(32).toString('hex'),
    FIELD_KEYS: `k1:${randomBytes(32).toString('base64')}`,
    BLIND_INDEX_KEY: randomBytes(32).toString('base64'),
    SIGNING_KEY: Buffer.from(pem).toString('base64'),
  };

  it('defaults to dev outside production and to platform in production', () => {
    expect(loadConfig({ NODE_ENV: 'test' }).channels).toMatchObject({ provider: 'dev', wechatApps: {} });
    expect(loadConfig(production).channels).toMatchObject({
      provider: 'platform',
      wechatApiBase: 'https://api.weixin.qq.com',
    });
  });

  it('refuses the dev provider and a plain-http WeChat base in production', () => {
    expect(() => loadConfig({ ...production, CHANNEL_PROVIDER: 'dev' })).toThrow(ConfigError);
    expect(() => loadConfig({ ...production, CHANNEL_PROVIDER: 'dev' })).toThrow(/refused in production/);
    expect(() => loadConfig({ ...production, WECHAT_API_BASE: 'http://api.weixin.qq.com' })).toThrow(/https/);
  });

  it('reads app secrets and never echoes one in an error', () => {
    const cfg = loadConfig({
      NODE_ENV: 'test',
      WECHAT_MP_APPS: `${APP}:${SECRET}, wx00000000000000ff:${SECRET}X`,
    });
    expect(cfg.channels.wechatApps).toEqual({ [APP]: SECRET, wx00000000000000ff: `${SECRET}X` });
    for (const bad of [`${APP}:short`, `notanappid:${SECRET}`, SECRET]) {
      let message = '';
      try {
        loadConfig({ NODE_ENV: 'test', WECHAT_MP_APPS: bad });
      } catch (e) {
        message = (e as Error).message;
      }
      expect(message).toMatch(/WECHAT_MP_APPS/);
      expect(message).not.toContain(SECRET);
      expect(message).not.toContain('short');
    }
    expect(() => loadConfig({ NODE_ENV: 'test', CHANNEL_PROVIDER: 'wechat' })).toThrow(/CHANNEL_PROVIDER/);
  });
});
