/**
 * `npm start` as a developer runs it: the launcher (scripts/start.mjs) builds dist/ only when a
 * build input changed since the last build, then runs the built server, forwarding signals and
 * passing its exit code on. And the start banner ends with the demo accounts: nothing printed
 * after them before the first request.
 *
 * Runs on a copy of the build inputs in a temporary directory (node_modules linked), so its builds
 * neither replace the repository's dist/ under another process nor see a file edited meanwhile.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync, symlinkSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
import request from 'supertest';
import { freePort } from '../support/built-server';

const REPO = resolve(__dirname, '..', '..');
const ROOT = mkdtempSync(join(tmpdir(), 'ow-start-root-'));
const INPUTS = [
  'src',
  'migrations',
  'scripts',
  'bench',
  'tsconfig.json',
  'tsconfig.build.json',
  'nest-cli.json',
  'package.json',
  'package-lock.json',
];
const PG = process.env.TEST_DATABASE_URL;

jest.setTimeout(400_000);

class Launched {
  stdout = '';
  stderr = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(readonly proc: ChildProcess) {
    proc.stdout!.setEncoding('utf8').on('data', (s: string) => (this.stdout += s));
    proc.stderr!.setEncoding('utf8').on('data', (s: string) => (this.stderr += s));
    this.exited = new Promise((ok) => proc.once('exit', (code, signal) => ok({ code, signal })));
  }

  async waitFor(pattern: RegExp, ms: number): Promise<RegExpMatchArray> {
    const until = Date.now() + ms;
    let done = false;
    void this.exited.then(() => (done = true));
    for (;;) {
      const m = this.stdout.match(pattern);
      if (m) return m;
      if (done || Date.now() > until) throw new Error(`no ${pattern}:\n${this.stdout}\n${this.stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

const running = new Set<Launched>();

beforeAll(() => {
  for (const name of INPUTS) cpSync(join(REPO, name), join(ROOT, name), { recursive: true });
  symlinkSync(join(REPO, 'node_modules'), join(ROOT, 'node_modules'), 'dir');
});

/**
 * Runs `npm start` in the copy with only the given environment: through npm and its `sh -c`, as a
 * developer or a supervisor does, so a signal must cross both to reach the server.
 */
function launch(env: Record<string, string>): Launched {
  const proc = spawn('npm', ['start'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? tmpdir(),
      npm_config_update_notifier: 'false',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const l = new Launched(proc);
  running.add(l);
  void l.exited.then(() => running.delete(l));
  return l;
}

afterAll(async () => {
  // Only the launchers this file started; each takes its server down with it on SIGTERM.
  for (const l of running) l.proc.kill('SIGTERM');
  await Promise.all([...running].map((l) => l.exited));
  rmSync(ROOT, { recursive: true, force: true });
});

describe('npm start (scripts/start.mjs, through npm)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ow-start-'));
  const database = `onewindow_start_${process.pid}`;
  let databaseUrl: string | undefined;

  /** Runs statements on the PostgreSQL server of the test run (TEST_DATABASE_URL). */
  async function admin(...statements: string[]): Promise<void> {
    const client = new Client({ connectionString: PG });
    await client.connect();
    try {
      for (const sql of statements) await client.query(sql);
    } finally {
      await client.end();
    }
  }

  beforeAll(async () => {
    if (!PG) return;
    // A database of its own: the demo seed must not land in a database someone else uses.
    await admin(`DROP DATABASE IF EXISTS ${database}`, `CREATE DATABASE ${database}`);
    const u = new URL(PG);
    u.pathname = `/${database}`;
    databaseUrl = u.toString();
  });

  afterAll(async () => {
    rmSync(dataDir, { recursive: true, force: true });
    if (PG) await admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  });

  async function env(): Promise<Record<string, string>> {
    return {
      NODE_ENV: 'development',
      DATA_DIR: dataDir,
      HOST: '127.0.0.1',
      PORT: String(await freePort()),
      // A separate metrics listener adds a banner line: the demo accounts must still come last. Its
      // port is the system's pick (0): two free ports asked for in a row can be the same one.
      METRICS_PORT: '0',
      // The default level (info), so Nest's own start-up lines are there to be ordered against.
      LOG_LEVEL: 'info',
      ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    };
  }

  /** What follows the ready line: the banner, which must end with the demo accounts. */
  function afterReady(out: string): string[] {
    const lines = out.split('\n');
    return lines.slice(lines.findIndex((l) => l.startsWith('OneWindow ready in ')));
  }

  it('builds when there is no build, prints the demo accounts last, and stops on SIGTERM with exit 0', async () => {
    const l = launch(await env());
    await l.waitFor(/OneWindow start: building \(no build\)/, 10_000);
    const [, url] = await l.waitFor(/OneWindow ready in \d+ ms on (http:\/\/\S+)/, 300_000);
    await l.waitFor(/X-API-Key.*\n/, 5_000);
    expect(existsSync(join(ROOT, 'dist', '.build-stamp'))).toBe(true);
    // Quiet for a moment: nothing (no log line of a worker or cache) follows the demo accounts.
    await new Promise((r) => setTimeout(r, 2_000));
    const tail = afterReady(l.stdout).filter((s) => s !== '');
    expect(tail.at(-1)).toMatch(/^\s+API key \(X-API-Key\)\s+X-API-Key\s+owk_demo/);
    const demoAt = tail.findIndex((s) => s.includes('Demo accounts (development only'));
    expect(demoAt).toBeGreaterThan(0);
    expect(tail.findIndex((s) => s.includes('Metrics: http://'))).toBeLessThan(demoAt);
    expect(tail.slice(demoAt + 1).every((s) => /^ {4}\S/.test(s))).toBe(true);
    expect(tail.slice(demoAt).join('\n')).toMatch(/administrator\s+admin\s+Demo#2026 {2}\(TOTP secret \w+\)/);

    // The server behind npm and the launcher answers, and SIGTERM sent to npm reaches it.
    expect((await request(url).get('/health/ready')).status).toBe(200);
    l.proc.kill('SIGTERM');
    expect(await l.exited).toEqual({ code: 0, signal: null });
    expect(l.stdout).toContain('SIGTERM received: draining requests');
    expect(l.stdout).toContain('OneWindow stopped');
    expect(l.stderr).toBe('');
  });

  it('starts from the built output without building when nothing changed, and passes SIGINT on', async () => {
    const started = Date.now();
    const l = launch(await env());
    const [, url] = await l.waitFor(/OneWindow ready in \d+ ms on (http:\/\/\S+)/, 120_000);
    const readyMs = Date.now() - started;
    expect(l.stdout).toContain('OneWindow start: build up to date');
    expect(l.stdout).not.toContain('OneWindow start: building');
    // On an existing database too, the demo accounts end what the start prints.
    await l.waitFor(/X-API-Key.*\n/, 5_000);
    expect(
      afterReady(l.stdout)
        .filter((s) => s !== '')
        .at(-1),
    ).toMatch(/^\s+API key \(X-API-Key\)\s+X-API-Key\s+owk_demo/);
    process.stdout.write(`npm start with an up-to-date build: ready in ${readyMs} ms\n`);
    expect((await request(url).get('/health/live')).status).toBe(200);
    l.proc.kill('SIGINT');
    expect(await l.exited).toEqual({ code: 0, signal: null });
    expect(l.stdout).toContain('SIGINT received: draining requests');
  });

  it("rebuilds after a source file is touched, and exits with the server's own exit code (78 on a configuration error)", async () => {
    // A touched input (content unchanged) makes the build stale.
    const later = new Date(Date.now() + 1000);
    utimesSync(join(ROOT, 'src', 'main.ts'), later, later);
    const l = launch({ ...(await env()), PORT: 'not-a-port' });
    expect(await l.exited).toEqual({ code: 78, signal: null });
    expect(l.stdout).toContain('OneWindow start: building (sources changed)');
    expect(l.stderr).toContain('Configuration error');
    // The rebuilt output is stamped: the next start does not build again.
    const again = launch({ ...(await env()), PORT: 'not-a-port' });
    expect(await again.exited).toEqual({ code: 78, signal: null });
    expect(again.stdout).toContain('OneWindow start: build up to date');
  });
});
