/**
 * `npm run bench`: starts the built API on a real PostgreSQL (BENCH_DATABASE_URL, or a fresh
 * database on the local server) or, when none answers, on the embedded one; seeds a directory and
 * a published catalogue; drives each scenario (see scenarios()) with autocannon, back to back with
 * the bare node:http + pg baseline doing the same SQL; prints req/s, p50/p99 and the ratios.
 * Application submission (bench/submission.ts) also seeds a service with a workflow and a citizen,
 * and creates the drafts it submits before each load.
 * BENCH_DURATION (s per run), BENCH_CONNECTIONS, BENCH_REPEAT (pairs per scenario, median kept),
 * BENCH_ONLY (substring of scenario names) tune it.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Client, Pool } from 'pg';
import { compareSequencers } from './audit-sequencer';
import { hostileBodiesUnderLoad } from './hostile-bodies';
import { openLoop, OpenLoopRequest, OpenLoopResult } from './open-loop';
import { prepareSignedIn, seedSignedIn, shapeOf, SignedIn } from './signed-in';
import autocannon from 'autocannon';
import {
  loginCitizen,
  prepareSubmission,
  seedSubmission,
  submissionShortfall,
  SUBMIT_FORM_DATA,
} from './submission';

const ROOT = join(__dirname, '..', '..');
/** the build this file belongs to (dist/, or a helper's own output directory) */
const DIST = join(__dirname, '..');
const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
/** the sustained run whose RSS is reported (issue 11 §4 used 60 s at 200 connections); 0 skips it */
const SUSTAINED_SECONDS = Number(process.env.BENCH_SUSTAINED_SECONDS ?? 60);
const SUSTAINED_CONNECTIONS = Number(process.env.BENCH_SUSTAINED_CONNECTIONS ?? 200);
/** the open-loop runs: submissions per second (issue 11 §4: 100), the citizen's list per second */
const OPEN_RATE = Number(process.env.BENCH_OPEN_RATE ?? 100);
const OPEN_READ_RATE = Number(process.env.BENCH_OPEN_READ_RATE ?? 200);
const OPEN_SECONDS = Number(process.env.BENCH_OPEN_SECONDS ?? DURATION);
/** the database created (dropped first) on the local server, so concurrent benches need not share one */
const BENCH_DB_NAME = process.env.BENCH_DB_NAME ?? 'onewindow_bench';
if (!/^[a-z_][a-z0-9_]*$/.test(BENCH_DB_NAME)) throw new Error('BENCH_DB_NAME: lowercase letters, digits, _');
const GRAPHQL_LIST =
  '{ organisations(first: 20) { edges { cursor node { id name kind regionCode parentId uscc active version contacts { phone } } } pageInfo { hasNextPage endCursor } } }';

interface Result {
  name: string;
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  /** server CPU (user + system) per request in µs: unlike req/s, barely moved by other load on the machine */
  cpuUs: number;
}

type LoadOptions = Pick<autocannon.Options, 'method' | 'body' | 'headers' | 'requests'>;

/** Where a scenario runs: the API, the API with the catalogue cache off (cold reads), the bare server. */
type Server = 'api' | 'cold' | 'bare';

/**
 * One row of the report. Each API scenario is run back to back with its bare twin (the same SQL in
 * node:http + pg), so the ratio compares two runs under the same machine load. To add a scenario,
 * push one more entry in scenarios() and, when the bare server has no twin yet, add its route to
 * bench/bare-server.ts.
 */
interface Scenario {
  name: string;
  server: Exclude<Server, 'bare'>;
  path: string;
  opts?: LoadOptions;
  /** the bare server's route doing the same SQL; omitted when there is no fair twin */
  bare?: {
    path: string;
    opts?: LoadOptions;
    prepare?: (seconds: number, measured: boolean) => Promise<LoadOptions>;
  };
  /** the scenario this one should also be compared to (GraphQL → its REST twin) */
  twinOf?: string;
  /** issue target for the ratio to bare (documentation in the table) */
  target?: string;
  /**
   * Run before each load (warm-up and measured run, outside the CPU count) for scenarios that use
   * something up, such as drafts to submit: returns the options for a load of that many seconds.
   */
  prepare?: (seconds: number, measured: boolean) => Promise<LoadOptions>;
}

/** What the submission scenario needs once the API is up (PostgreSQL only). */
interface SubmissionSetup {
  port: number;
  serviceId: string;
  token: string;
  /** the signed-in reads' citizen, clerk and case (bench/signed-in.ts) */
  signedIn: SignedIn;
}

interface Row {
  scenario: Scenario;
  api: Result;
  bare?: Result;
}

const GRAPHQL_SERVICES =
  '{ services(first: 20) { edges { cursor node { id implementationCode title type target organisationId regionCode lifeEvents topics publishedAt } } pageInfo { hasNextPage endCursor } } }';

function scenarios(guideId: string, guideEtag: string, submission?: SubmissionSetup): Scenario[] {
  const gql = (query: string): LoadOptions => ({
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query }),
  });
  const list: Scenario[] = [
    // issue 2: the public directory list and health (cold = DIRECTORY_CACHE=off: every read
    // goes to the database, through the whole framework chain)
    {
      name: 'GET /v1/organisations?limit=20 cold',
      server: 'cold',
      path: '/v1/organisations?limit=20',
      bare: { path: '/list' },
      target: 'reference (cache off)',
    },
    {
      name: 'GET /v1/organisations?limit=20 warm',
      server: 'api',
      path: '/v1/organisations?limit=20',
      bare: { path: '/list' },
      target: '≥ 0.4',
    },
    { name: 'GET /health/live', server: 'api', path: '/health/live', bare: { path: '/health' } },
    {
      name: 'GraphQL organisations(first: 20) cold',
      server: 'cold',
      path: '/graphql',
      opts: gql(GRAPHQL_LIST),
      bare: { path: '/list' },
      twinOf: 'GET /v1/organisations?limit=20 cold',
      target: '≥ 0.6 of REST',
    },
    {
      name: 'GraphQL organisations(first: 20) warm',
      server: 'api',
      path: '/graphql',
      opts: gql(GRAPHQL_LIST),
      bare: { path: '/list' },
      twinOf: 'GET /v1/organisations?limit=20 warm',
      target: '≥ 0.6 of REST',
    },
    // issue 4: the published catalogue (cold = CATALOG_CACHE=off, every read goes to the database)
    {
      name: 'catalog list cold',
      server: 'cold',
      path: '/v1/services?limit=20',
      bare: { path: '/services' },
      target: 'reference (cache off)',
    },
    {
      name: 'catalog list warm',
      server: 'api',
      path: '/v1/services?limit=20',
      bare: { path: '/services' },
      target: '≥ 1.0',
    },
    {
      name: 'guide cold',
      server: 'cold',
      path: `/v1/services/${guideId}`,
      bare: { path: `/services/${guideId}` },
      target: 'reference (cache off)',
    },
    {
      name: 'guide warm',
      server: 'api',
      path: `/v1/services/${guideId}`,
      bare: { path: `/services/${guideId}` },
      target: '≥ 1.0',
    },
    {
      name: 'guide If-None-Match (304)',
      server: 'api',
      path: `/v1/services/${guideId}`,
      opts: { headers: { 'if-none-match': guideEtag } },
      bare: { path: `/services/${guideId}` },
      target: '≥ 1.0',
    },
    {
      name: 'GraphQL services(first: 20) warm',
      server: 'api',
      path: '/graphql',
      opts: gql(GRAPHQL_SERVICES),
      bare: { path: '/services' },
      twinOf: 'catalog list warm',
      target: '≥ 0.6 of REST',
    },
  ];
  if (submission) {
    // Issue 11 §4: what a signed-in user reads on every screen, each with a twin that verifies the
    // token and runs the same statements (session check, staff grants, the page) by hand.
    const { citizenToken, clerkToken, caseId } = submission.signedIn;
    const as = (token: string): LoadOptions => ({ headers: { authorization: `Bearer ${token}` } });
    list.push(
      {
        name: 'citizen applications list',
        server: 'api',
        path: '/v1/applications?limit=20',
        opts: as(citizenToken),
        bare: { path: '/me/applications?limit=20', opts: as(citizenToken) },
        target: '≥ 0.5',
      },
      {
        name: 'clerk task queue',
        server: 'api',
        path: '/v1/tasks?limit=20',
        opts: as(clerkToken),
        bare: { path: '/tasks?limit=20', opts: as(clerkToken) },
        target: '≥ 0.5',
      },
      {
        name: 'case read',
        server: 'api',
        path: `/v1/cases/${caseId}`,
        opts: as(clerkToken),
        bare: { path: `/cases/${caseId}`, opts: as(clerkToken) },
        target: '≥ 0.5',
      },
    );
    // Each request submits the next fresh draft with a unique Idempotency-Key (no replays): form
    // checked, numbered, case and tasks started, audited, in one transaction. Its bare twin runs
    // the same statements by hand (bench/bare-submission.ts) on drafts made the same way.
    const apiBase = `http://127.0.0.1:${submission.port}`;
    const drafts = (path?: (id: string) => string) => (seconds: number, measured: boolean) =>
      prepareSubmission(apiBase, submission.token, submission.serviceId, seconds, measured, path);
    list.push({
      name: 'application submission',
      server: 'api',
      path: '/v1/applications',
      prepare: drafts(),
      bare: {
        path: '/applications',
        opts: { method: 'POST', headers: { 'content-type': 'application/json' } },
        prepare: drafts((id) => `/applications/${id}/submit`),
      },
      target: '≥ 0.4',
    });
  }
  return list;
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

async function sequencerFigures(dbUrl: string) {
  const pool = new Pool({ connectionString: dbUrl, max: CONNECTIONS });
  try {
    return await compareSequencers(pool, CONNECTIONS, DURATION);
  } finally {
    await pool.end();
  }
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
  await admin.query(`DROP DATABASE IF EXISTS ${BENCH_DB_NAME} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${BENCH_DB_NAME}`);
  await admin.end();
  const u = new URL(base);
  u.pathname = `/${BENCH_DB_NAME}`;
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

function rssMb(pid: number, field: 'VmRSS' | 'VmHWM' = 'VmRSS'): number {
  const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Math.round(Number(m[1]) / 1024) : NaN;
}

/** Samples a process's RSS every 250 ms until stopped; returns the highest sample. */
function rssSampler(pid: number): { stop: () => number } {
  let max = rssMb(pid);
  const timer = setInterval(() => {
    try {
      max = Math.max(max, rssMb(pid));
    } catch {
      // exited
    }
  }, 250);
  return {
    stop: () => {
      clearInterval(timer);
      return max;
    },
  };
}

interface Sustained {
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  /** RSS (MB) before, highest sampled during, right after, and 10 s after the run */
  before: number;
  peak: number;
  after: number;
  settled: number;
}

/**
 * Issue 11 §4: the API under SUSTAINED_CONNECTIONS for SUSTAINED_SECONDS, its RSS sampled
 * throughout. Every connection cycles through the requests (the signed-in reads and the public
 * lists on PostgreSQL; the public lists on the embedded database).
 */
async function sustainedRun(url: string, pid: number, requests: autocannon.Request[]): Promise<Sustained> {
  const before = rssMb(pid);
  const sampler = rssSampler(pid);
  const r = await autocannon({
    url,
    connections: SUSTAINED_CONNECTIONS,
    duration: SUSTAINED_SECONDS,
    requests,
  });
  const peak = sampler.stop();
  const after = rssMb(pid);
  await new Promise((ok) => setTimeout(ok, 10_000));
  return {
    rps: Math.round(r.requests.average),
    p50: r.latency.p50,
    p99: r.latency.p99,
    non2xx: r.non2xx + r.errors,
    before,
    peak,
    after,
    settled: rssMb(pid),
  };
}

/** CPU seconds (user + system) a process has used so far, from /proc (clock ticks of 10 ms). */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function load(
  name: string,
  url: string,
  pid: number,
  opts: LoadOptions = {},
  prepare?: (seconds: number, measured: boolean) => Promise<LoadOptions>,
): Promise<Result> {
  const warmUp = Math.min(3, DURATION);
  const warmOpts = prepare ? { ...opts, ...(await prepare(warmUp, false)) } : opts;
  await autocannon({ url, connections: CONNECTIONS, duration: warmUp, ...warmOpts });
  const runOpts = prepare ? { ...opts, ...(await prepare(DURATION, true)) } : opts;
  const cpu0 = cpuSeconds(pid);
  const r = await autocannon({ url, connections: CONNECTIONS, duration: DURATION, ...runOpts });
  const cpuUs = Math.round(((cpuSeconds(pid) - cpu0) * 1e6) / Math.max(1, r.requests.total));
  return {
    name,
    rps: Math.round(r.requests.average),
    p50: r.latency.p50,
    p99: r.latency.p99,
    non2xx: r.non2xx + r.errors,
    cpuUs,
  };
}

const GUIDE_CONTENT = {
  guide: {
    legalBasis: '《中华人民共和国行政许可法》《促进个体工商户发展条例》',
    conditions: '年满十八周岁，具有完全民事行为能力；有固定经营场所',
    materials: [
      { name: '身份证', source: '申请人自备', copies: 1, form: 'both', required: true },
      { name: '经营场所证明', source: '申请人自备', copies: 1, form: 'electronic', required: true },
      { name: '委托书', source: '申请人自备', copies: 1, form: 'paper', required: false },
    ],
    legalLimit: { amount: 15, unit: 'working_days' },
    promisedLimit: { amount: 3, unit: 'working_days' },
    handlingType: 'promised',
    visitsRequired: 0,
    fees: [],
    onlineDepth: 4,
    places: [{ name: '政务服务中心', address: '基准路 1 号', hours: '周一至周五 9:00-17:00' }],
    steps: ['网上申请', '受理', '审查', '决定', '送达'],
    faq: [
      { q: '可以代办吗？', a: '可以，需提供委托书和代办人身份证。' },
      { q: '需要多长时间？', a: '材料齐全的，三个工作日内办结。' },
    ],
    consultPhone: '0755-12345678',
    supervisionPhone: '12345',
    lifeEvents: ['开办企业'],
    topics: ['市场监管'],
  },
  translations: {
    'zh-CN': { title: '个体工商户设立登记', summary: '个体工商户设立登记，全程网办' },
    en: { title: 'Sole proprietorship registration', summary: 'Register a sole proprietorship online' },
  },
  elder: { summary: '开小店，先登记。', steps: ['带身份证', '到窗口', '填一张表', '等通知'] },
  form: {
    type: 'object',
    required: ['applicantName'],
    properties: {
      applicantName: { type: 'string', maxLength: 50 },
      shopArea: { type: 'number', minimum: 0 },
    },
  },
};

/**
 * 200 organisations for the platform list; 200 published services with their versions for the
 * catalogue; the submission service, its workflow and citizen (bench/submission.ts).
 */
async function seed(url: string): Promise<{ guideId: string; submitServiceId: string }> {
  const c = new Client({ connectionString: url });
  await c.connect();
  await c.query(
    `INSERT INTO region (code, name, level) VALUES ('980000', '基准省', 'province') ON CONFLICT DO NOTHING`,
  );
  await c.query(`INSERT INTO organisation (id, name, kind, region_code, contacts, active, version, created_at, updated_at)
    SELECT gen_random_uuid(), '基准单位 ' || i, 'agency', '980000', '{"phone":"12345"}'::jsonb, true, 1, now(), now()
    FROM generate_series(1, 200) i`);
  await c.query(`INSERT INTO organisation_closure (ancestor_id, descendant_id, depth)
    SELECT id, id, 0 FROM organisation o WHERE NOT EXISTS (SELECT 1 FROM organisation_closure c WHERE c.descendant_id = o.id)`);
  await c.query(
    `WITH orgs AS (SELECT id, row_number() OVER (ORDER BY id) AS n FROM organisation WHERE region_code = '980000'),
     s AS (SELECT gen_random_uuid() AS id, gen_random_uuid() AS vid, i FROM generate_series(1, 200) i),
     ins AS (
       INSERT INTO service (id, organisation_id, region_code, implementation_code, type, target, status,
         current_published_version_id, draft_version_id, title_zh, title_en, life_events, topics, published_at,
         title_terms, search_terms, version, created_at, updated_at)
       SELECT s.id, (SELECT id FROM orgs WHERE n = 1 + (s.i % 200)), '980000', 'BENCH-' || s.i, 'administrative_licence',
         'person', 'published', s.vid, NULL, '个体工商户设立登记 ' || s.i, 'Sole proprietorship ' || s.i,
         '["开办企业"]'::jsonb, '["市场监管"]'::jsonb, now(), ' 个体 工商户 登记 ', ' 身份证 开办企业 ', 1, now(), now()
       FROM s RETURNING id, current_published_version_id AS vid)
     INSERT INTO service_version (id, service_id, number, state, content, published_at, published_by, version, created_at, updated_at)
     SELECT vid, id, 1, 'published', $1::jsonb, now(), NULL, 1, now(), now() FROM ins`,
    [JSON.stringify(GUIDE_CONTENT)],
  );
  const { rows } = await c.query<{ id: string }>(
    `SELECT id FROM service WHERE status = 'published' ORDER BY id LIMIT 1`,
  );
  const submitServiceId = await seedSubmission(c);
  await seedSignedIn(c, submitServiceId);
  await c.end();
  return { guideId: rows[0].id, submitServiceId };
}

/** Submitted applications in the API's tables and rows in the bare table, to check the run did the work. */
async function submissionCounts(url: string): Promise<{ submitted: number; drafts: number; bare: number }> {
  const c = new Client({ connectionString: url });
  await c.connect();
  const { rows } = await c.query<{ submitted: number; drafts: number; bare: number }>(
    `SELECT (SELECT count(*) FROM application WHERE status <> 'draft')::int AS submitted,
       (SELECT count(*) FROM application WHERE status = 'draft')::int AS drafts,
       (SELECT count(*) FROM bench_submission)::int AS bare`,
  );
  await c.end();
  return rows[0];
}

/**
 * Node flags the API runs with. Node 24 sizes V8's young generation from the machine's memory
 * (128 MB reserved here, against 32 MB on Node 20), which alone puts RSS at ready near 250 MB;
 * capping the semi-space at 16 MB gives ~195 MB for a few more (cheap) scavenges. The old space is
 * sized from the machine's memory too: under load V8 let it fill with garbage up to ~4× the live
 * heap before a full collection (live ~85 MB, RSS past 400 MB after 10 s at 200 connections);
 * capping it at 256 MB keeps RSS near 235 MB. The production start (npm start, Dockerfile) passes
 * the same flags; BENCH_NODE_FLAGS overrides them here.
 */
const API_NODE_FLAGS = (process.env.BENCH_NODE_FLAGS ?? '--max-semi-space-size=16 --max-old-space-size=256')
  .split(' ')
  .filter(Boolean);

/** Starts a script of this build (`src/main.js`: the API, with API_NODE_FLAGS). */
/** Every server the bench started, so a failed run stops them too instead of leaving them running. */
const started: ChildProcess[] = [];

function start(cmd: string[], env: Record<string, string>): ChildProcess {
  const flags = cmd[0] === 'src/main.js' ? API_NODE_FLAGS : [];
  cmd = [...flags, join(DIST, cmd[0]), ...cmd.slice(1)];
  const child = spawn(process.execPath, cmd, {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  started.push(child);
  return child;
}

function baseEnv(apiPort: number, dbUrl: string | null): Record<string, string> {
  const env: Record<string, string> = {
    NODE_ENV: 'production',
    PORT: String(apiPort),
    LOG_LEVEL: 'warn',
    SEED_DEMO_DATA: 'false',
    RATE_LIMIT_ANONYMOUS: '1000000',
    RATE_LIMIT_AUTHENTICATED: '1000000',
    // one citizen login lasts the whole run (submission scenario)
    ACCESS_TOKEN_TTL: '86400',
    JWT_SECRET: 'bench-' + 'x'.repeat(40),
    FIELD_KEYS: `bench:${Buffer.alloc(32, 3).toString('base64')}`,
    BLIND_INDEX_KEY: Buffer.alloc(32, 4).toString('base64'),
    // Production signs audit checkpoints under one configured origin, never host and port.
    AUDIT_ORIGIN: 'bench.onewindow.invalid/audit',
    // The bench stops its servers itself: no readiness drain before the listener closes.
    SHUTDOWN_DRAIN_MS: '0',
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
  return env;
}

/**
 * For the signed-in reads: one request to the API and one to its twin, whose JSON must have the
 * same keys (top level and first item); a difference is printed with the report.
 */
async function sameShapes(selected: Scenario[], base: (s: Server) => string): Promise<string[]> {
  const out: string[] = [];
  for (const s of selected.filter((x) => x.bare && x.opts?.headers && !x.opts.method)) {
    const get = async (url: string, opts?: LoadOptions) => {
      const res = await fetch(url, { headers: opts?.headers as Record<string, string> });
      return { status: res.status, shape: shapeOf(await res.json().catch(() => null)) };
    };
    const a = await get(base(s.server) + s.path, s.opts);
    const b = await get(base('bare') + s.bare!.path, s.bare!.opts);
    if (a.status !== 200 || b.status !== 200 || a.shape !== b.shape)
      out.push(`${s.name}: API ${a.status} {${a.shape}} ≠ twin ${b.status} {${b.shape}}`);
  }
  return out;
}

/**
 * BENCH_CAPTURE_SQL: one request per selected scenario, between two marker statements, for a
 * database whose log_statement is 'all' (ALTER DATABASE … SET log_statement = 'all' before the run,
 * with BENCH_DATABASE_URL): the statements between the markers are what that request issues. Reads
 * are sent as they are; a scenario that uses something up (submission) has its prepare() make what
 * it needs (BENCH_SUBMIT_DRAFTS=1 makes one draft) and then sends its first request, to the API and
 * then to its twin, and waits past the commit for the work kicked after it (event delivery).
 */
async function captureSql(dbUrl: string, selected: Scenario[], base: (s: Server) => string): Promise<void> {
  const marker = new Client({ connectionString: dbUrl });
  await marker.connect();
  const mark = (text: string) => marker.query(`SELECT $1::text AS bench_marker`, [text]);
  const send = async (name: string, url: string, init: RequestInit, settleMs: number) => {
    await mark(`begin ${name}`);
    const res = await fetch(url, init);
    const text = await res.text();
    await new Promise((r) => setTimeout(r, settleMs));
    await mark(`end ${name} ${res.status}`);
    let body: unknown = null;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON: no shape
    }
    return `${res.status} {${shapeOf(body)}}`;
  };
  type Setup = (r: object) => {
    method: string;
    path: string;
    headers: Record<string, string>;
    body?: string;
  };
  const first = async (prepare: NonNullable<Scenario['prepare']>) =>
    ((await prepare(1, false)).requests![0] as { setupRequest: Setup }).setupRequest({});
  for (const s of selected) {
    if (!s.prepare && !s.opts?.method) {
      await send(
        s.name,
        base(s.server) + s.path,
        { headers: s.opts?.headers as Record<string, string> },
        300,
      );
      continue;
    }
    if (!s.prepare) continue;
    const api = await first(s.prepare);
    const shape = await send(s.name, base(s.server) + api.path, api, 1500);
    if (!s.bare?.prepare) continue;
    const twin = await first(s.bare.prepare);
    const twinShape = await send(`${s.name} (twin)`, base('bare') + twin.path, twin, 1500);
    process.stdout.write(
      `${s.name}: API ${shape}${shape === twinShape ? ', twin the same' : ` ≠ twin ${twinShape}`}\n`,
    );
  }
  await marker.end();
}

const byNameHas = (rows: Row[], name: string): boolean => rows.some((r) => r.scenario.name === name);

const ratio = (a: number, b: number | undefined): string => (b ? (a / b).toFixed(2) : 'n/a');

async function main(): Promise<void> {
  const dbUrl = await realDatabase();
  const ports: Record<Server, number> = {
    api: await freePort(),
    cold: await freePort(),
    bare: await freePort(),
  };
  const env = baseEnv(ports.api, dbUrl);

  const t0 = Date.now();
  const api = start(['src/main.js'], env);
  await waitFor(`http://127.0.0.1:${ports.api}/health/ready`);
  const startupMs = Date.now() - t0;
  const rssAtReady = rssMb(api.pid!);
  const procs: ChildProcess[] = [api];
  const pids: Partial<Record<Server, number>> = { api: api.pid };
  const base = (server: Server) => `http://127.0.0.1:${ports[server]}`;
  let guideId: string | null = null;
  let submission: SubmissionSetup | undefined;
  if (dbUrl) {
    const seeded = await seed(dbUrl);
    guideId = seeded.guideId;
    const c = new Client({ connectionString: dbUrl });
    await c.connect();
    submission = {
      port: ports.api,
      serviceId: seeded.submitServiceId,
      token: await loginCitizen(base('api')),
      signedIn: await prepareSignedIn(base('api'), c, seeded.submitServiceId),
    };
    await c.end();
    // Cold runs: a second API with the shared read caches off, idle while not driven.
    // PGlite takes one connection, so there is no second API (nor a bare server) on the embedded database.
    const cold = start(['src/main.js'], {
      ...baseEnv(ports.cold, dbUrl),
      CATALOG_CACHE: 'off',
      DIRECTORY_CACHE: 'off',
    });
    const bare = start(['bench/bare-server.js'], {
      DATABASE_URL: dbUrl,
      PORT: String(ports.bare),
      DB_POOL_SIZE: '10',
      JWT_SECRET: env.JWT_SECRET,
      // the submission twin opens and seals personal answers with the API's key (bare-submission.ts)
      FIELD_KEYS: env.FIELD_KEYS,
    });
    procs.push(cold, bare);
    pids.cold = cold.pid;
    pids.bare = bare.pid;
    await waitFor(`${base('cold')}/health/ready`);
    await waitFor(`${base('bare')}/health`);
  }
  const guideEtag = guideId
    ? ((await fetch(`${base('api')}/v1/services/${guideId}`)).headers.get('etag') ?? '')
    : '';
  const chosen = scenarios(guideId ?? '00000000-0000-7000-8000-000000000000', guideEtag, submission).filter(
    (s) => (dbUrl || s.server === 'api') && (guideId || !s.path.startsWith('/v1/services')),
  );
  const only = process.env.BENCH_ONLY;
  /** BENCH_ONLY: substrings of names, comma-separated (a run or scenario is kept when one matches) */
  const wanted = (name: string) => !only || only.split(',').some((o) => name.includes(o));
  const repeat = Math.max(1, Number(process.env.BENCH_REPEAT ?? 1));

  const selected = chosen.filter((s) => wanted(s.name));
  if (process.env.BENCH_CAPTURE_SQL && dbUrl) {
    await captureSql(dbUrl, selected, base);
    for (const p of procs) p.kill('SIGTERM');
    process.exit(0);
  }
  const shapes = await sameShapes(selected, base);
  const rows: Row[] = [];
  for (const scenario of selected) {
    // Back to back, repeated: the median pair by ratio is reported, so one noisy run does not decide.
    const pairs: Row[] = [];
    for (let i = 0; i < repeat; i++) {
      const apiResult = await load(
        scenario.name,
        base(scenario.server) + scenario.path,
        pids[scenario.server]!,
        scenario.opts,
        scenario.prepare,
      );
      const bareResult =
        dbUrl && scenario.bare
          ? await load(
              `bare ${scenario.bare.path}`,
              base('bare') + scenario.bare.path,
              pids.bare!,
              scenario.bare.opts,
              scenario.bare.prepare,
            )
          : undefined;
      pairs.push({ scenario, api: apiResult, bare: bareResult });
    }
    pairs.sort((a, b) => a.api.rps / (a.bare?.rps ?? 1) - b.api.rps / (b.bare?.rps ?? 1));
    rows.push(pairs[Math.floor(pairs.length / 2)]);
  }
  // For reference: the single-row INSERT a hand-written "save the form" endpoint costs.
  const submissionRow = rows.find((r) => r.scenario.name === 'application submission');
  const singleInsert =
    submissionRow && dbUrl
      ? await load('bare single INSERT', `${base('bare')}/submissions`, pids.bare!, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(SUBMIT_FORM_DATA),
        })
      : undefined;
  // Issue 11 §4: submissions (and the citizen's list) at a fixed arrival rate, open loop.
  const openLoops: { name: string; result: OpenLoopResult }[] = [];
  if (submission && wanted('open-loop')) {
    const apiBase = base('api');
    const { citizenToken } = submission.signedIn;
    const drafts = async (seconds: number) => {
      const opts = await prepareSubmission(apiBase, submission.token, submission.serviceId, seconds, false);
      const setup = (opts.requests![0] as { setupRequest: (r: object) => OpenLoopRequest }).setupRequest;
      return (): OpenLoopRequest => setup({});
    };
    // a short warm-up at the same rate, then the measured run
    await openLoop(ports.api, OPEN_RATE, Math.min(3, OPEN_SECONDS), await drafts(Math.min(3, OPEN_SECONDS)));
    openLoops.push({
      name: `application submission at ${OPEN_RATE}/s`,
      result: await openLoop(ports.api, OPEN_RATE, OPEN_SECONDS, await drafts(OPEN_SECONDS)),
    });
    const read = (): OpenLoopRequest => ({
      method: 'GET',
      path: '/v1/applications?limit=20',
      headers: { authorization: `Bearer ${citizenToken}` },
    });
    openLoops.push({
      name: `citizen applications list at ${OPEN_READ_RATE}/s`,
      result: await openLoop(ports.api, OPEN_READ_RATE, OPEN_SECONDS, read),
    });
  }
  // Issue 11 §4: the API's memory through a long run at many connections.
  let sustained: Sustained | null = null;
  if (SUSTAINED_SECONDS > 0 && wanted('sustained run')) {
    const requests: autocannon.Request[] = [
      { method: 'GET', path: '/v1/services?limit=20' },
      { method: 'GET', path: '/v1/organisations?limit=20' },
    ];
    if (submission) {
      const { citizenToken, clerkToken, caseId } = submission.signedIn;
      const citizen = { authorization: `Bearer ${citizenToken}` };
      const clerk = { authorization: `Bearer ${clerkToken}` };
      requests.push(
        { method: 'GET', path: '/v1/applications?limit=20', headers: citizen },
        { method: 'GET', path: '/v1/tasks?limit=20', headers: clerk },
        { method: 'GET', path: `/v1/cases/${caseId}`, headers: clerk },
      );
    }
    sustained = await sustainedRun(base('api'), api.pid!, requests);
  }
  // Issue 10 §2: hostile bodies from one autocannon while another measures a normal read's p99.
  const hostile = wanted('hostile bodies')
    ? await hostileBodiesUnderLoad(base('api'), guideId ?? '00000000-0000-7000-8000-000000000000', DURATION)
    : null;
  const rssAfter = rssMb(api.pid!);
  const rssPeak = rssMb(api.pid!, 'VmHWM');
  for (const p of procs) p.kill('SIGTERM');
  const counts = dbUrl && byNameHas(rows, 'application submission') ? await submissionCounts(dbUrl) : null;
  // The sequencer protocols in SQL alone, on the now idle machine (PostgreSQL only).
  const sequencing = dbUrl && wanted('audit sequencing') ? await sequencerFigures(dbUrl) : null;

  const byName = new Map(rows.map((r) => [r.scenario.name, r]));
  const lines = [
    `OneWindow benchmark (${dbUrl ? 'PostgreSQL' : 'embedded PGlite'}, ${CONNECTIONS} connections, ${DURATION} s per run, ${repeat} run(s) per pair)`,
    `Node ${process.version}, API flags: ${API_NODE_FLAGS.join(' ') || 'none'}`,
    `start to ready: ${startupMs} ms; RSS at ready: ${rssAtReady} MB; RSS after load: ${rssAfter} MB; high-water mark (VmHWM) over the whole bench: ${rssPeak} MB`,
    ...(sustained
      ? [
          `sustained run (${SUSTAINED_SECONDS} s, ${SUSTAINED_CONNECTIONS} connections, ${submission ? 'signed-in reads and public lists' : 'public lists'} in turn): ` +
            `${sustained.rps} req/s, p50 ${sustained.p50} ms, p99 ${sustained.p99} ms, ${sustained.non2xx} non-2xx; ` +
            `RSS ${sustained.before} MB before, ${sustained.peak} MB at its highest, ${sustained.after} MB right after, ${sustained.settled} MB 10 s later`,
        ]
      : []),
    ...openLoops.map(
      ({ name, result: o }) =>
        `open loop, ${name} for ${o.seconds} s (latency from the scheduled send): p50 ${o.p50} ms, p99 ${o.p99} ms, max ${o.max} ms; ` +
        `${o.sent} sent, ${o.failed} failed, ${o.late} sent late (> 10 ms)`,
    ),
    ...shapes.map((d) => `JSON shape differs from the twin: ${d}`),
    '',
    '| scenario | API req/s | p50 ms | p99 ms | non-2xx | API CPU µs/req | bare req/s | bare p99 ms | bare non-2xx | bare CPU µs/req | ratio to bare (req/s) | ratio to bare (CPU) | target | ratio to REST twin |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|',
  ];
  for (const { scenario, api: r, bare: b } of rows) {
    const twin = scenario.twinOf ? byName.get(scenario.twinOf) : undefined;
    lines.push(
      `| ${scenario.name} | ${r.rps} | ${r.p50} | ${r.p99} | ${r.non2xx} | ${r.cpuUs} | ${b?.rps ?? 'n/a'} | ${b?.p99 ?? 'n/a'} | ${b?.non2xx ?? 'n/a'} | ${b?.cpuUs ?? 'n/a'} | ${ratio(r.rps, b?.rps)} | ${b ? ratio(b.cpuUs, r.cpuUs) : 'n/a'} | ${scenario.target ?? ''} | ${twin ? ratio(r.rps, twin.api.rps) : ''} |`,
    );
  }
  lines.push(
    '',
    'non-2xx counts 304s as well (the If-None-Match row answers 304 by design).',
    'ratio to bare (CPU) = bare CPU per request / API CPU per request: the throughput ratio both would',
    'reach when CPU-bound on an otherwise idle machine (database CPU not counted; it is the same SQL).',
  );
  if (submissionRow && singleInsert)
    lines.push(
      `application submission against a bare single-row INSERT (no auth, idempotency, case or audit): ` +
        `${singleInsert.rps} req/s, p99 ${singleInsert.p99} ms, ${singleInsert.cpuUs} µs CPU/req; ` +
        `ratio ${ratio(submissionRow.api.rps, singleInsert.rps)} (req/s), ${ratio(singleInsert.cpuUs, submissionRow.api.cpuUs)} (CPU).`,
    );
  if (counts)
    lines.push(
      `application submission: ${counts.submitted} applications submitted (API and its bare twin, warm-ups + runs; ${counts.drafts} drafts left over), ` +
        `${counts.bare} bare rows; measured runs: ${submissionShortfall.drafts} drafts prepared, ` +
        `${submissionShortfall.requests} request(s) found none left (409, in non-2xx).`,
    );
  if (hostile) {
    const { readAlone: a, readUnderAttack: u, hostile: h } = hostile;
    lines.push(
      `hostile bodies (issue 10 §2; 4 connections posting ~${Math.round(h.bytes / 1024)} KB bodies of 60,000 keys, 100,000 elements, 45,000 members): ` +
        `${h.rps} req/s, p99 ${h.p99} ms, ${h.refused413} answered 413, ${h.other} otherwise; ` +
        `GET /v1/services?limit=20 (10 connections) alone ${a.rps} req/s, p99 ${a.p99} ms; ` +
        `under attack ${u.rps} req/s, p99 ${u.p99} ms, ${u.non2xx} non-2xx.`,
    );
  }
  if (sequencing) {
    const { lockToCommit: a, queueWhenBusy: b } = sequencing;
    lines.push(
      `audit sequencing (SQL only, ${CONNECTIONS} connections, two leaves per business transaction): ` +
        `lock held to COMMIT ${a.commitsPerSecond} commits/s, p99 ${a.p99Ms} ms; ` +
        `queue when busy ${b.commitsPerSecond} commits/s, p99 ${b.p99Ms} ms; ratio ${ratio(b.commitsPerSecond, a.commitsPerSecond)}.`,
    );
  }
  const report = lines.join('\n');
  process.stdout.write(`${report}\n`);
  mkdirSync(join(ROOT, '.bench'), { recursive: true });
  writeFileSync(join(ROOT, '.bench', 'results.md'), `${report}\n`);
  process.exit(0);
}

main().catch((e: unknown) => {
  process.stderr.write(`bench failed: ${e instanceof Error ? e.stack : String(e)}\n`);
  for (const p of started) p.kill('SIGTERM');
  process.exit(1);
});
