/**
 * The built server as an operator runs it: `node dist/src/main.js` in its own process, on a free
 * port, with a fresh database (embedded in a temporary DATA_DIR, or on PostgreSQL in the
 * TEST_DATABASE_URL run). Covers what in-process tests cannot: the boot banner, exit codes,
 * signals, and data surviving a restart.
 *
 * Runs the BUILT code: it rebuilds dist/ first when dist/src/main.js is missing or older than a
 * source file (CI builds before testing). OW_SERVER_ENTRY points it at another build.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes, generateKeyPairSync, randomInt } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import request from 'supertest';
import { DEV_SECRETS } from '../../src/config/config';
import { DEMO_PASSWORD, DEMO_TOTP_SECRET } from '../../src/modules/platform/demo/demo-seed';
import { totpCode } from '../../src/modules/platform/identity/staff/totp';
import { ENTRY, ensureBuilt, freePort, NODE, ROOT } from '../support/built-server';

const PG = process.env.TEST_DATABASE_URL;
/** A first boot creates the database, migrates and seeds: ~5 s idle, much longer on a busy machine. */
const BOOT_MS = 90_000;

jest.setTimeout(120_000);

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

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

class ServerProcess {
  stdout = '';
  stderr = '';
  readonly exited: Promise<Exit>;
  exit?: Exit;

  constructor(readonly proc: ChildProcess) {
    proc.stdout!.setEncoding('utf8').on('data', (s: string) => (this.stdout += s));
    proc.stderr!.setEncoding('utf8').on('data', (s: string) => (this.stderr += s));
    this.exited = new Promise((ok) =>
      proc.once('exit', (code, signal) => ok((this.exit = { code, signal }))),
    );
  }

  /** stdout without pino's JSON log lines: what an operator reads on the console. */
  get console(): string {
    return this.stdout
      .split('\n')
      .filter((l) => !l.startsWith('{'))
      .join('\n');
  }

  async waitFor(pattern: RegExp, ms: number): Promise<RegExpMatchArray> {
    const until = Date.now() + ms;
    for (;;) {
      const m = this.stdout.match(pattern);
      if (m) return m;
      if (this.exit || Date.now() > until) {
        throw new Error(`no ${pattern} (exit ${JSON.stringify(this.exit)}):\n${this.stdout}\n${this.stderr}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Waits for the exit, failing after ms (the process is then killed). */
  async waitExit(ms: number): Promise<Exit> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, fail) => {
      timer = setTimeout(() => {
        this.proc.kill('SIGKILL');
        fail(new Error(`still running after ${ms} ms:\n${this.stdout}\n${this.stderr}`));
      }, ms);
    });
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}

const running = new Set<ServerProcess>();

/** Starts `node dist/src/main.js` with only the given environment (nothing leaks in from the test run). */
function spawnServer(env: Record<string, string>): ServerProcess {
  const proc = spawn(NODE, [ENTRY], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? tmpdir(), LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const server = new ServerProcess(proc);
  running.add(server);
  void server.exited.then(() => running.delete(server));
  return server;
}

/**
 * Starts a server on a free port and waits for its ready line; returns it with its base URL. The
 * port is free when chosen but not reserved: another process may take it before the server binds,
 * so a start that fails with EADDRINUSE is tried again on another port.
 */
async function startServer(env: Record<string, string>): Promise<{ server: ServerProcess; url: string }> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const server = spawnServer({ HOST: '127.0.0.1', PORT: String(port), ...env });
    try {
      const [, url] = await server.waitFor(/OneWindow ready in \d+ ms on (http:\/\/\S+)/, BOOT_MS);
      expect(url).toBe(`http://127.0.0.1:${port}`);
      return { server, url };
    } catch (err) {
      if (attempt >= 3 || !server.stderr.includes('EADDRINUSE')) throw err;
    }
  }
}

async function login(url: string, who: string): Promise<string> {
  // The demo administrators' roles need a second factor: theirs is the published demo one.
  const totp = ['admin', 'market.admin'].includes(who) ? totpCode(DEMO_TOTP_SECRET) : undefined;
  const res = await request(url).post('/v1/auth/login').send({ login: who, password: DEMO_PASSWORD, totp });
  expect(res.status).toBe(200);
  return res.body.accessToken as string;
}

/**
 * An HTTP/1.1 exchange on a raw socket, written in parts, so the test decides when the request is
 * complete. `read()` resolves with the status line, headers and body of the first response.
 */
class RawHttp {
  private readonly socket: Socket;
  private data = '';
  private readonly connected: Promise<void>;
  /** Resolves when the socket is closed (by either side). */
  readonly closed: Promise<void>;

  constructor(port: number) {
    this.socket = new Socket();
    this.closed = new Promise((ok) => this.socket.once('close', () => ok()));
    this.socket.setEncoding('utf8');
    this.socket.on('data', (s: string) => (this.data += s));
    this.socket.on('error', () => undefined);
    this.connected = new Promise((ok) => this.socket.connect(port, '127.0.0.1', ok));
  }

  async write(text: string): Promise<void> {
    await this.connected;
    await new Promise<void>((ok, fail) => this.socket.write(text, (err) => (err ? fail(err) : ok())));
  }

  async read(ms = 20_000): Promise<{ status: number; headers: Record<string, string>; body: string }> {
    const until = Date.now() + ms;
    for (;;) {
      const end = this.data.indexOf('\r\n\r\n');
      if (end >= 0) {
        const [statusLine, ...lines] = this.data.slice(0, end).split('\r\n');
        const headers = Object.fromEntries(
          lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]),
        );
        const body = this.data.slice(end + 4);
        if (Buffer.byteLength(body) >= Number(headers['content-length'] ?? 0)) {
          return { status: Number(statusLine.split(' ')[1]), headers, body };
        }
      }
      if (Date.now() > until) throw new Error(`no complete response within ${ms} ms; got: ${this.data}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  close(): void {
    this.socket.destroy();
  }
}

beforeAll(() => ensureBuilt(), 250_000);

afterAll(async () => {
  // Only the processes this file started, by their handle.
  for (const s of running) s.proc.kill('SIGKILL');
  await Promise.all([...running].map((s) => s.exited));
});

/**
 * On the embedded database by default; in the PostgreSQL run (TEST_DATABASE_URL) on a fresh
 * database of its own there, so the server's PostgreSQL path (migrations at boot, a real pool) runs too.
 */
describe(`the built server (node dist/src/main.js) on ${PG ? 'PostgreSQL' : 'the embedded database'}`, () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ow-process-'));
  const regionCode = `97${randomInt(1000, 10000)}`;
  const database = `onewindow_process_${process.pid}`;
  const env: Record<string, string> = { NODE_ENV: 'development', DATA_DIR: dataDir };
  let url: string;
  let server: ServerProcess;

  beforeAll(async () => {
    if (!PG) return;
    await admin(`DROP DATABASE IF EXISTS ${database}`, `CREATE DATABASE ${database}`);
    const u = new URL(PG);
    u.pathname = `/${database}`;
    env.DATABASE_URL = u.toString();
  });

  afterAll(async () => {
    rmSync(dataDir, { recursive: true, force: true });
    if (PG) await admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  });

  it('boots on an empty database and prints its URL, the docs and, in development, the demo accounts', async () => {
    ({ server, url } = await startServer(env));
    await server.waitFor(/X-API-Key.*\n/, 5000); // the banner's last line
    const out = server.console;
    expect(out).toContain(PG ? '(PostgreSQL)' : `(embedded PGlite in ${dataDir})`);
    expect(out).toContain(`API docs: ${url}/docs`);
    expect(out).toContain(`OpenAPI: ${url}/openapi.json`);
    expect(out).toContain(`GraphQL: ${url}/graphql`);
    expect(out).toContain('Demo accounts (development only');
    expect(out).toMatch(new RegExp(`administrator\\s+admin\\s+${DEMO_PASSWORD.replace('#', '\\#')}`));
    // A normal boot logs no error (not even a retried connection) and writes nothing to stderr.
    expect(server.stdout).not.toMatch(/"level":(50|60)/);
    expect(server.stderr).toBe('');
  });

  it('answers readiness, the API docs, the OpenAPI document and GraphQL', async () => {
    const ready = await request(url).get('/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({ status: 'ok', checks: { database: 'up' } });

    const docs = await request(url).get('/docs/');
    expect(docs.status).toBe(200);
    expect(docs.headers['content-type']).toMatch(/^text\/html/);
    expect(docs.text).toMatch(/swagger-ui/i);

    const openapi = await request(url).get('/openapi.json');
    expect(openapi.status).toBe(200);
    expect(openapi.headers['content-type']).toMatch(/^application\/json/);
    expect(openapi.body.openapi).toMatch(/^3\./);
    expect(Object.keys(openapi.body.paths)).toEqual(expect.arrayContaining(['/v1/regions', '/health/ready']));

    const gql = await request(url).post('/graphql').send({ query: '{ apiInfo { name } }' });
    expect(gql.status).toBe(200);
    expect(gql.body.errors).toBeUndefined();
    expect(gql.body.data.apiInfo.name).toEqual(expect.any(String));
    expect(gql.body.data.apiInfo.name.length).toBeGreaterThan(0);
  });

  it('stops on SIGTERM with exit code 0, and keeps its data for the next start', async () => {
    const admin = await login(url, 'admin');
    const created = await request(url)
      .post('/v1/regions')
      .set('Authorization', `Bearer ${admin}`)
      .send({ code: regionCode, name: '进程测试省', level: 'province' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ code: regionCode, name: '进程测试省' });

    server.proc.kill('SIGTERM');
    expect(await server.waitExit(15_000)).toEqual({ code: 0, signal: null });
    expect(server.console).toMatch(/SIGTERM received: draining requests\n.*OneWindow stopped/);
    expect(server.stderr).toBe('');

    ({ server, url } = await startServer(env));
    const regions = await request(url).get('/v1/regions');
    expect(regions.status).toBe(200);
    const mine = regions.body.filter((r: { code: string }) => r.code === regionCode);
    expect(mine).toEqual([
      expect.objectContaining({ code: regionCode, name: '进程测试省', level: 'province' }),
    ]);
    // The demo seed is idempotent: a second start adds no second demo province.
    expect(regions.body.filter((r: { code: string }) => r.code === '990000')).toHaveLength(1);
    // Another administrator: admin's TOTP code of this 30-second step is spent (no replay).
    await login(url, 'market.admin');
  });

  it('on SIGTERM answers readiness 503, finishes the request in flight, then exits 0', async () => {
    const port = Number(new URL(url).port);
    const body = JSON.stringify({ login: 'clerk.a', password: DEMO_PASSWORD });
    const half = Math.floor(body.length / 2);

    // Two requests in flight when the signal arrives: a login and a readiness probe, each with its
    // headers sent and its JSON body half sent. (A connection whose request headers are still
    // incomplete is closed at shutdown, by Apollo's drain: that request has not started.)
    const inFlight = new RawHttp(port);
    await inFlight.write(
      `POST /v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body.slice(0, half)}`,
    );
    const probe = new RawHttp(port);
    await probe.write(
      'GET /health/ready HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{',
    );
    await new Promise((r) => setTimeout(r, 1000)); // let the server read both

    server.proc.kill('SIGTERM');
    await server.waitFor(/SIGTERM received/, 10_000);

    await probe.write('}');
    const ready = await probe.read();
    expect(ready.status).toBe(503);
    expect(ready.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(JSON.parse(ready.body)).toMatchObject({ status: 503, code: 'SERVICE_UNAVAILABLE' });

    await inFlight.write(body.slice(half));
    const answered = await inFlight.read();
    const answeredAt = Date.now();
    expect(answered.status).toBe(200);
    expect(JSON.parse(answered.body).accessToken).toEqual(expect.any(String));

    // The client's keep-alive connection does not hold the shutdown open.
    expect(await server.waitExit(15_000)).toEqual({ code: 0, signal: null });
    expect(Date.now() - answeredAt).toBeLessThan(4000);
    expect(server.console).toContain('OneWindow stopped');
    inFlight.close();
    probe.close();
  });

  it('at LOG_LEVEL=info writes one request line per request, answers of the public-read front included', async () => {
    ({ server, url } = await startServer({ ...env, LOG_LEVEL: 'info' }));
    const query = { query: '{ services(first: 2) { edges { node { id } } } }' };
    for (let i = 1; i <= 2; i++) {
      expect((await request(url).get('/v1/services?limit=2').set('X-Request-Id', `rest-${i}`)).status).toBe(
        200,
      );
      expect((await request(url).post('/graphql').set('X-Request-Id', `gql-${i}`).send(query)).status).toBe(
        200,
      );
    }
    // The second of each pair is a replay of the front (the first filled the cache behind it).
    // The line is written when the response has finished: give the pipe a moment.
    await server.waitFor(/"requestId":"gql-2"[^\n]*"res":/, 5000);
    const lines = server.stdout
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map(
        (l) => JSON.parse(l) as { requestId?: string; req?: { url: string }; res?: { statusCode: number } },
      );
    for (const id of ['rest-1', 'rest-2', 'gql-1', 'gql-2']) {
      const mine = lines.filter((l) => l.requestId === id && l.res);
      expect([id, mine.length, mine[0]?.res?.statusCode]).toEqual([id, 1, 200]);
    }
    server.proc.kill('SIGTERM');
    expect(await server.waitExit(15_000)).toEqual({ code: 0, signal: null });
  });

  it('on SIGTERM with SHUTDOWN_DRAIN_MS keeps serving for the drain, readiness 503 with Retry-After, every answer Connection: close, then exits 0', async () => {
    const DRAIN = 2500;
    ({ server, url } = await startServer({ ...env, SHUTDOWN_DRAIN_MS: String(DRAIN) }));
    const port = Number(new URL(url).port);
    // A keep-alive client that already holds a connection (as a proxy's upstream pool does).
    const kept = new RawHttp(port);
    await kept.write('');
    expect((await request(url).get('/health/ready')).status).toBe(200);

    const signalledAt = Date.now();
    server.proc.kill('SIGTERM');
    await server.waitFor(/SIGTERM received/, 10_000);

    // Readiness is 503 at once, while the listener still takes new connections and serves them.
    const ready = await request(url).get('/health/ready').set('Connection', 'keep-alive');
    expect(ready.status).toBe(503);
    expect(ready.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(ready.body).toMatchObject({ status: 503, code: 'SERVICE_UNAVAILABLE' });
    expect(ready.headers['retry-after']).toBe('5');
    expect(ready.headers.connection).toBe('close');
    const regions = await request(url).get('/v1/regions').set('Connection', 'keep-alive');
    expect(regions.status).toBe(200);
    expect(regions.headers.connection).toBe('close');

    // The open keep-alive connection is answered, told to close, and closed by the server.
    await kept.write('GET /v1/regions HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n');
    const answered = await kept.read();
    expect(answered.status).toBe(200);
    expect(answered.headers.connection).toBe('close');
    await kept.closed;
    expect(Date.now() - signalledAt).toBeLessThan(DRAIN);

    // Then the listener closes and the process exits, not before the drain has run its course.
    expect(await server.waitExit(15_000)).toEqual({ code: 0, signal: null });
    expect(Date.now() - signalledAt).toBeGreaterThanOrEqual(DRAIN);
    expect(server.console).toMatch(
      new RegExp(
        `SIGTERM received: draining requests\\nDrained for ${DRAIN} ms: closing the listener\\nOneWindow stopped`,
      ),
    );
    expect(server.stderr).toBe('');
    await expect(request(url).get('/health/live')).rejects.toThrow(/ECONNREFUSED/);
  });
});

describe('a server that must not start', () => {
  const realSecrets = () => ({
    AUDIT_ORIGIN: 'gov.example/audit',
    JWT_SECRET: randomBytes(48).toString('base64'),
    FIELD_KEYS: `k1:${randomBytes(32).toString('base64')}`,
    BLIND_INDEX_KEY: randomBytes(32).toString('base64'),
    SIGNING_KEY: Buffer.from(
      generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    ).toString('base64'),
  });

  /** Runs the server to its exit; DATA_DIR points at a directory that must never be created. */
  async function refused(
    env: Record<string, string>,
  ): Promise<{ exit: Exit; server: ServerProcess; dataDir: string }> {
    const dataDir = join(tmpdir(), `ow-never-${randomBytes(6).toString('hex')}`);
    const server = spawnServer({ DATA_DIR: dataDir, PORT: String(await freePort()), ...env });
    const exit = await server.waitExit(60_000);
    return { exit, server, dataDir };
  }

  it.each([
    [{ PORT: 'abc' }, /^Configuration error: PORT must be an integer, got "abc"$/m],
    [{ LOG_LEVEL: 'loud' }, /^Configuration error: LOG_LEVEL must be one of/m],
    [
      { TRUST_PROXY: 'true' },
      /^Configuration error: TRUST_PROXY=true would let any client choose its address/m,
    ],
    [
      { METRICS_TOKEN: 'short' },
      /^Configuration error: METRICS_TOKEN must be 24 to 256 visible ASCII characters/m,
    ],
    [
      { DATABASE_URL: 'mysql://root@127.0.0.1/onewindow' },
      /^Configuration error: DATABASE_URL must start with postgres/m,
    ],
  ])('exits with 78 on %j, naming the variable, before touching anything', async (env, message) => {
    const { exit, server, dataDir } = await refused({ NODE_ENV: 'development', ...env });
    expect(exit).toEqual({ code: 78, signal: null });
    expect(server.stderr).toMatch(message);
    expect(server.stderr).not.toMatch(/\n\s+at /); // a message, not a stack trace
    expect(server.stdout).not.toContain('OneWindow ready');
    expect(existsSync(dataDir)).toBe(false);
  });

  it('refuses NODE_ENV=production with the published development secrets', async () => {
    const prod = { NODE_ENV: 'production', DATABASE_URL: 'postgresql://ow@127.0.0.1:1/onewindow' };
    const allDev = await refused({ ...prod, ...DEV_SECRETS });
    expect(allDev.exit.code).toBe(78);
    expect(allDev.server.stderr).toMatch(/Configuration error: FIELD_KEYS is the development secret/);

    const devJwt = await refused({ ...prod, ...realSecrets(), JWT_SECRET: DEV_SECRETS.JWT_SECRET });
    expect(devJwt.exit.code).toBe(78);
    expect(devJwt.server.stderr).toMatch(/Configuration error: JWT_SECRET is the development secret/);

    const none = await refused({ NODE_ENV: 'production' });
    expect(none.exit.code).toBe(78);
    expect(none.server.stderr).toMatch(/Configuration error: \w+ is required in production/);
  });

  it('exits 1 when its database cannot be reached, without printing the password', async () => {
    const closedPort = await freePort();
    const { exit, server } = await refused({
      NODE_ENV: 'production',
      ...realSecrets(),
      DATABASE_URL: `postgresql://ow:pw-${'s3cr3t'}@127.0.0.1:${closedPort}/onewindow`,
    });
    expect(exit).toEqual({ code: 1, signal: null });
    expect(server.stderr).toMatch(/OneWindow failed to start: .*ECONNREFUSED/);
    expect(server.stdout + server.stderr).not.toContain('pw-s3cr3t');
  });
});
