import { Logger } from '@nestjs/common';
import { createHash } from 'node:crypto';
import type { ChannelsConfig } from '../../../../config/config';

/** The mini-program platforms whose login codes we accept. */
export const CHANNELS = ['wechat-mp', 'alipay-mp'] as const;
export type Channel = (typeof CHANNELS)[number];

/** What a platform says about a login code. `session_key` and the like are dropped at the boundary. */
export type ExchangeResult =
  | { outcome: 'ok'; openid: string }
  /** the platform refused the code: wrong, expired or already used */
  | { outcome: 'rejected' }
  /** no such app configured here */
  | { outcome: 'unknown-app' }
  /** the platform did not answer usably (timeout, error status, malformed body): retry later */
  | { outcome: 'unavailable' };

/**
 * Exchanges a mini-program login code (wx.login, my.getAuthCode) for the user's openid in that app,
 * server-side: the openid and session key never travel to the client, the AppSecret never leaves
 * the server (ecosystem-security §1). Selected by CHANNEL_PROVIDER.
 */
export interface ChannelProvider {
  exchange(channel: Channel, appId: string, code: string): Promise<ExchangeResult>;
}

export const CHANNEL_PROVIDER = Symbol('CHANNEL_PROVIDER');

/** openids and user ids as platforms issue them (WeChat: 28 characters; Alipay: 16 digits or ~40 characters) */
export const OPENID_RE = /^[A-Za-z0-9_-]{8,128}$/;

/**
 * DEVELOPMENT ONLY. Calls nobody: the openid is a hash of (channel, appId, code), so the same code
 * always gives the same openid and a local mini-program (or a test) can stand for any number of
 * users by choosing codes. Anyone who knows a code string "is" that user, which is why loadConfig
 * refuses CHANNEL_PROVIDER=dev in production and the constructor refuses it again.
 */
export class DevChannelProvider implements ChannelProvider {
  constructor(env: string) {
    if (env === 'production') throw new Error('DevChannelProvider must never run in production');
  }

  exchange(channel: Channel, appId: string, code: string): Promise<ExchangeResult> {
    // A code the platform would never issue lets tests exercise the refusal path.
    if (code.startsWith('invalid')) return Promise.resolve({ outcome: 'rejected' });
    const digest = createHash('sha256').update(`${channel}\n${appId}\n${code}`, 'utf8').digest('base64url');
    return Promise.resolve({ outcome: 'ok', openid: `dev_${digest.slice(0, 24)}` });
  }
}

/** WeChat errcodes that mean "this code is no good" (as opposed to "WeChat is not answering"). */
const WECHAT_CODE_REJECTED = new Set([40029, 40163, 40226]);
/** a code2Session answer is a few hundred bytes; anything far larger is not one */
const MAX_BODY_BYTES = 16 * 1024;

/**
 * The platforms themselves. WeChat: GET /sns/jscode2session (code2Session) with the app's
 * AppSecret. Alipay (alipay.system.oauth.token) needs RSA2-signed requests and a key pair per app;
 * it is not configured yet, so its apps are unknown here.
 *
 * The answer is treated as untrusted input (OWASP API10): bounded time and size, every field
 * checked, and an unusable answer is "unavailable", never an exception with the body in it.
 */
export class PlatformChannelProvider implements ChannelProvider {
  private readonly log = new Logger('ChannelProvider');

  constructor(
    private readonly config: ChannelsConfig,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {}

  async exchange(channel: Channel, appId: string, code: string): Promise<ExchangeResult> {
    if (channel !== 'wechat-mp') return { outcome: 'unknown-app' };
    const secret = Object.prototype.hasOwnProperty.call(this.config.wechatApps, appId)
      ? this.config.wechatApps[appId]
      : undefined;
    if (!secret) return { outcome: 'unknown-app' };
    const url = new URL(`${this.config.wechatApiBase}/sns/jscode2session`);
    url.search = new URLSearchParams({
      appid: appId,
      secret,
      js_code: code,
      grant_type: 'authorization_code',
    }).toString();
    let body: unknown;
    try {
      const res = await this.fetchImpl(url, {
        method: 'GET',
        redirect: 'error',
        signal: AbortSignal.timeout(this.config.timeoutMs),
      });
      const text = await readBounded(res, MAX_BODY_BYTES);
      if (!res.ok || text === null) {
        this.log.warn(
          `code2Session for ${appId} answered HTTP ${res.status}${text === null ? ' (body too large)' : ''}`,
        );
        return { outcome: 'unavailable' };
      }
      body = JSON.parse(text);
    } catch (err) {
      // Never log the URL: it carries the AppSecret.
      const name = (err as { name?: unknown } | null)?.name;
      this.log.warn(`code2Session for ${appId} failed: ${typeof name === 'string' ? name : 'error'}`);
      return { outcome: 'unavailable' };
    }
    return interpretCode2Session(body);
  }
}

/** Reads at most `max` bytes of a response body; null when it is longer. */
async function readBounded(res: Response, max: number): Promise<string | null> {
  const declared = Number(res.headers.get('content-length') ?? 0);
  if (declared > max) return null;
  if (!res.body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (size > max) return null;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** { openid, session_key, unionid? } on success; { errcode, errmsg } otherwise (errcode 0 also means success). */
export function interpretCode2Session(body: unknown): ExchangeResult {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return { outcome: 'unavailable' };
  const b = body as Record<string, unknown>;
  const errcode = b.errcode;
  if (errcode !== undefined && errcode !== 0) {
    return typeof errcode === 'number' && WECHAT_CODE_REJECTED.has(errcode)
      ? { outcome: 'rejected' }
      : { outcome: 'unavailable' };
  }
  if (typeof b.openid !== 'string' || !OPENID_RE.test(b.openid)) return { outcome: 'unavailable' };
  return { outcome: 'ok', openid: b.openid };
}

export function createChannelProvider(env: string, config: ChannelsConfig): ChannelProvider {
  return config.provider === 'dev' ? new DevChannelProvider(env) : new PlatformChannelProvider(config);
}
