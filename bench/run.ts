/**
 * `npm run bench`: starts the built API on a real PostgreSQL (BENCH_DATABASE_URL, or a fresh
 * database on the local server) or, when none answers, on the embedded one; seeds a directory;
 * drives the public organisation list and /health/live with autocannon; measures the bare
 * node:http + pg baseline doing the same query in the same run; prints req/s, p50/p99 and ratios.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Client } from 'pg';
import autocannon from 'autocannon';

const ROOT = join(__dirname, '..', '..');
const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const GRAPHQL_LIST =
  '{ organisations(first: 20) { edges { cursor node { id name kind regionCode parentId uscc active version contacts { phone } } } pageInfo { hasNextPage endCursor } } }';

interface Result {
  name: string;
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
}

function freePort(): Promise<number> {
  return new Promise((ok) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => ok(port));
    });
  });
}

async function realDatabase(): Promise<string | null> {
  const base = process.env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
  const admin = new Client({ connectionString: base, connectionTimeoutMillis: 2000 });
  try {
    await admin.connect();
  } catch {
    return null;
  }
  if (process.env.BENCH_DATABASE_URL) {
    await admin.end();
    return base;
  }
  await admin.query('DROP DATABASE IF EXISTS onewindow_bench WITH (FORCE)');
  await admin.query('CREATE DATABASE onewindow_bench');
  await admin.end();
  const u = new URL(base);
  u.pathname = '/onewindow_bench';
  return u.toString();
}

async function waitFor(url: string, timeoutMs = 60_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${url} did not become ready`);
}

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Math.round(Number(m[1]) / 1024) : NaN;
}

type LoadOptions = Pick<autocannon.Options, 'method' | 'body' | 'headers'>;

async function load(name: string, url: string, opts: LoadOptions = {}): Promise<Result> {
  await autocannon({ url, connections: CONNECTIONS, duration: Math.min(3, DURATION), ...opts });
  const r = await autocannon({ url, connections: CONNECTIONS, duration: DURATION, ...opts });
  return { name, rps: Math.round(r.requests.average), p50: r.latency.p50, p99: r.latency.p99, non2xx: r.non2xx + r.errors };
}

async function seed(url: string): Promise<void> {
  const c = new Client({ connectionString: url });
  await c.connect();
  await c.query(`INSERT INTO region (code, name, level) VALUES ('980000', '基准省', 'province') ON CONFLICT DO NOTHING`);
  await c.query(`INSERT INTO organisation (id, name, kind, region_code, contacts, active, version, created_at, updated_at)
    SELECT gen_random_uuid(), '基准单位 ' || i, 'agency', '980000', '{"phone":"12345"}'::jsonb, true, 1, now(), now()
    FROM generate_series(1, 200) i`);
  await c.query(`INSERT INTO organisation_closure (ancestor_id, descendant_id, depth)
    SELECT id, id, 0 FROM organisation o WHERE NOT EXISTS (SELECT 1 FROM organisation_closure c WHERE c.descendant_id = o.id)`);
  await c.end();
}

function start(cmd: string[], env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, cmd, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
}

async function main(): Promise<void> {
  const dbUrl = await realDatabase();
  const apiPort = await freePort();
  const env: Record<string, string> = {
    NODE_ENV: 'production',
    PORT: String(apiPort),
    LOG_LEVEL: 'warn',
    SEED_DEMO_DATA: 'false',
    RATE_LIMIT_ANONYMOUS: '1000000',
    RATE_LIMIT_AUTHENTICATED: '1000000',
    JWT_SECRET: 'bench-' + 'x'.repeat(40),
    FIELD_KEYS: `bench:${Buffer.alloc(32, 3).toString('base64')}`,
    BLIND_INDEX_KEY: Buffer.alloc(32, 4).toString('base64'),
    // A throwaway Ed25519 key: production mode refuses the development key.
    SIGNING_KEY: Buffer.from(
      generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    ).toString('base64'),
  };
  if (dbUrl) env.DATABASE_URL = dbUrl;
  else {
    env.NODE_ENV = 'development';
    env.DATA_DIR = join(ROOT, '.bench', 'data');
  }

  const t0 = Date.now();
  const api = start(['dist/src/main.js'], env);
  await waitFor(`http://127.0.0.1:${apiPort}/health/ready`);
  const startupMs = Date.now() - t0;
  const rssAtReady = rssMb(api.pid!);
  if (dbUrl) await seed(dbUrl);

  const results: Result[] = [];
  const baseline: Result[] = [];
  results.push(await load('API  GET /v1/organisations?limit=20', `http://127.0.0.1:${apiPort}/v1/organisations?limit=20`));
  results.push(await load('API  GET /health/live', `http://127.0.0.1:${apiPort}/health/live`));
  const graphql = await load('API  GraphQL organisations(first: 20)', `http://127.0.0.1:${apiPort}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: GRAPHQL_LIST }),
  });
  const rssAfter = rssMb(api.pid!);
  api.kill('SIGTERM');

  if (dbUrl) {
    const barePort = await freePort();
    const bare = start(['dist/bench/bare-server.js'], { DATABASE_URL: dbUrl, PORT: String(barePort), DB_POOL_SIZE: '10' });
    await waitFor(`http://127.0.0.1:${barePort}/health`);
    baseline.push(await load('bare node:http+pg list', `http://127.0.0.1:${barePort}/list`));
    baseline.push(await load('bare node:http health', `http://127.0.0.1:${barePort}/health`));
    bare.kill('SIGTERM');
  }

  const lines = [
    `OneWindow benchmark (${dbUrl ? 'PostgreSQL' : 'embedded PGlite'}, ${CONNECTIONS} connections, ${DURATION} s per run)`,
    `start to ready: ${startupMs} ms; RSS at ready: ${rssAtReady} MB; RSS after load: ${rssAfter} MB`,
    '',
    '| endpoint | req/s | p50 ms | p99 ms | non-2xx | ratio to bare |',
    '|---|---:|---:|---:|---:|---:|',
  ];
  results.forEach((r, i) => {
    const b = baseline[i];
    lines.push(`| ${r.name} | ${r.rps} | ${r.p50} | ${r.p99} | ${r.non2xx} | ${b ? (r.rps / b.rps).toFixed(2) : 'n/a'} |`);
  });
  for (const b of baseline) lines.push(`| ${b.name} | ${b.rps} | ${b.p50} | ${b.p99} | ${b.non2xx} | 1.00 |`);
  const rest = results[0];
  lines.push(
    `| ${graphql.name} | ${graphql.rps} | ${graphql.p50} | ${graphql.p99} | ${graphql.non2xx} | ${baseline[0] ? (graphql.rps / baseline[0].rps).toFixed(2) : 'n/a'} |`,
    '',
    `GraphQL list / REST list: ${(graphql.rps / rest.rps).toFixed(2)}`,
  );
  const report = lines.join('\n');
  process.stdout.write(`${report}\n`);
  mkdirSync(join(ROOT, '.bench'), { recursive: true });
  writeFileSync(join(ROOT, '.bench', 'results.md'), `${report}\n`);
  process.exit(0);
}

main().catch((e: unknown) => {
  process.stderr.write(`bench failed: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
