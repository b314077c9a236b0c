import { ChildProcess, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

// A real OpenID provider (test/support/oidc-provider.mjs) and a browser at it, for the eID specs.

export const CLIENT_ID = 'onewindow-test';
export const CLIENT_SECRET = randomBytes(24).toString('base64url');
export const REDIRECT_URI = 'http://127.0.0.1:3999/v1/auth/oidc/callback';
export const PORTAL = 'https://portal.example.gov';
export const NATIONAL_ID_CLAIM = 'cn_national_id';

export const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');
export const base64urlSha256 = (s: string) => createHash('sha256').update(s, 'ascii').digest('base64url');

/** test/support/oidc-provider.mjs as a child process: a real, certified OP on loopback. */
export class TestProvider {
  private constructor(
    readonly issuer: string,
    private readonly child: ChildProcess,
    private readonly stderr: string[],
  ) {}

  /** `client`: registration metadata merged into our client's there (e.g. private_key_jwt and its jwks_uri). */
  static async start(client: Record<string, unknown> = {}): Promise<TestProvider> {
    const script = join(__dirname, '..', 'support', 'oidc-provider.mjs');
    const args = [script, CLIENT_ID, CLIENT_SECRET, REDIRECT_URI, JSON.stringify(client)];
    const child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const stderr: string[] = [];
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => stderr.push(chunk));
    const issuer = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`provider did not start: ${stderr.join('')}`)), 15_000);
      child.once('exit', (code) => reject(new Error(`provider exited with ${code}: ${stderr.join('')}`)));
      createInterface({ input: child.stdout }).on('line', (line) => {
        if (!line.startsWith('ready ')) return;
        clearTimeout(timer);
        resolve(line.slice('ready '.length));
      });
    });
    return new TestProvider(issuer, child, stderr);
  }

  /** The claims the provider releases for this subject from now on. */
  async setAccount(sub: string, claims: Record<string, unknown>): Promise<void> {
    const res = await fetch(`${this.issuer}/test/accounts/${encodeURIComponent(sub)}`, {
      method: 'PUT',
      body: JSON.stringify(claims),
    });
    if (res.status !== 204) throw new Error(`setAccount: ${res.status}`);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGTERM');
    await exited;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }
}

/** A browser's cookie jar for one host (the provider's), enough for its interaction cookies. */
export class CookieJar {
  private readonly cookies = new Map<string, string>();

  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  take(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const expired = attrs.some((a) => /^\s*expires=/i.test(a) && Date.parse(a.split('=')[1]) < Date.now());
      if (expired || attrs.some((a) => /^\s*max-age=0\s*$/i.test(a))) this.cookies.delete(name);
      else this.cookies.set(name, pair.slice(eq + 1));
    }
  }
}

/**
 * Plays the browser at the provider: follows its redirects, fills the dev login form with the
 * subject and accepts the consent form (or presses "abort"), until the provider redirects to our
 * callback. Returns that callback URL (code or error, state, iss).
 */
export async function browseProvider(
  providerUrl: string,
  subject: string,
  opts: { abort?: boolean } = {},
): Promise<URL> {
  const jar = new CookieJar();
  const go = async (url: URL, init: RequestInit = {}): Promise<Response> => {
    const res = await fetch(url, {
      ...init,
      redirect: 'manual',
      headers: { ...(init.headers as Record<string, string>), cookie: jar.header() },
    });
    jar.take(res);
    return res;
  };
  let url = new URL(providerUrl);
  for (let step = 0; step < 12; step++) {
    if (url.href.startsWith(REDIRECT_URI)) return url;
    const res = await go(url);
    if (res.status >= 300 && res.status < 400) {
      url = new URL(res.headers.get('location')!, url);
      continue;
    }
    expect(res.status).toBe(200);
    const html = await res.text();
    if (opts.abort) {
      url = new URL(/href="([^"]*\/abort)"/.exec(html)![1], url);
      continue;
    }
    const action = /<form[^>]*action="([^"]+)"/.exec(html)![1];
    const form = new URLSearchParams();
    for (const m of html.matchAll(/<input[^>]*type="hidden"[^>]*name="([^"]+)"[^>]*value="([^"]*)"/g))
      form.set(m[1], m[2]);
    if (form.get('prompt') === 'login') {
      form.set('login', subject);
      form.set('password', 'any');
    }
    const posted = await go(new URL(action, url), {
      method: 'POST',
      body: form.toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(posted.status).toBe(303);
    url = new URL(posted.headers.get('location')!, url);
  }
  throw new Error('the provider never redirected to the callback');
}
