/**
 * The bare baseline: node:http + pg running the same SQL as the API's public reads, with the same
 * pool size, so `npm run bench` can report the API as a ratio of what hand-written code reaches.
 * No cache, no ETag, no validation: every request goes to the database, as a hand-written
 * server without a cache would. For application submission, POST /applications/:id/submit runs
 * the API's same SQL by hand (bare-submission.ts); POST /submissions is a single-row INSERT, kept
 * for reference (below).
 */
import { randomUUID } from 'node:crypto';
import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import { Pool } from 'pg';
import { caseRead, myApplications, taskQueue } from './bare-reads';
import { submitSameSql } from './bare-submission';

const pool = new Pool({
  connectionString: process.env.DATABASE_URL,
  max: Number(process.env.DB_POOL_SIZE ?? 10),
});
const LIST_SQL = `SELECT o.id, o.name, o.name_en, o.kind, o.region_code, o.parent_id, o.uscc, o.contacts, o.active, o.version
  FROM organisation o WHERE o.active = true ORDER BY o.id ASC LIMIT 21`;

/** GET /v1/services: the columns TypeORM selects for the keyset page (status filter, id order, limit + 1). */
const SERVICE_COLUMNS = `s.id, s.created_at, s.updated_at, s.version, s.organisation_id, s.region_code,
  s.implementation_code, s.type, s.target, s.status, s.current_published_version_id, s.draft_version_id,
  s.title_zh, s.title_en, s.life_events, s.topics, s.published_at, s.title_terms, s.search_terms`;
const SERVICES_SQL = `SELECT ${SERVICE_COLUMNS} FROM service s WHERE s.status = $1 ORDER BY s.id ASC LIMIT 21`;
const SERVICES_AFTER_SQL = `SELECT ${SERVICE_COLUMNS} FROM service s WHERE s.status = $1 AND s.id > $2 ORDER BY s.id ASC LIMIT 21`;
/** GET /v1/services/:id: the service, then its published version (two queries, as the API's miss path). */
const SERVICE_SQL = `SELECT ${SERVICE_COLUMNS} FROM service s WHERE s.id = $1 LIMIT 1`;
const VERSION_SQL = `SELECT v.id, v.created_at, v.updated_at, v.version, v.service_id, v.number, v.state, v.content,
  v.published_at, v.published_by FROM service_version v WHERE v.id = $1 LIMIT 1`;

interface OrganisationRow {
  id: string;
  name: string;
  name_en: string | null;
  kind: string;
  region_code: string;
  parent_id: string | null;
  uscc: string | null;
  contacts: unknown;
  active: boolean;
  version: number;
}

interface ServiceRow {
  id: string;
  created_at: Date;
  organisation_id: string;
  region_code: string;
  implementation_code: string;
  type: string;
  target: string;
  status: string;
  current_published_version_id: string | null;
  title_zh: string | null;
  life_events: string[];
  topics: string[];
  published_at: Date | null;
}

interface VersionRow {
  number: number;
  created_at: Date;
  published_at: Date | null;
  content: {
    guide: Record<string, unknown>;
    translations: Record<string, { title: string; summary?: string; conditions?: string }>;
    form: unknown;
  };
}

function json(res: ServerResponse, body: unknown): void {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function fail(res: ServerResponse, status = 500): void {
  res.writeHead(status);
  res.end();
}

async function services(url: URL, res: ServerResponse): Promise<void> {
  const cursor = url.searchParams.get('cursor');
  const after = cursor
    ? (JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as string[])[0]
    : null;
  const { rows } = after
    ? await pool.query<ServiceRow>(SERVICES_AFTER_SQL, ['published', after])
    : await pool.query<ServiceRow>(SERVICES_SQL, ['published']);
  const items = rows.slice(0, 20).map((s) => ({
    id: s.id,
    implementationCode: s.implementation_code,
    title: s.title_zh ?? '',
    type: s.type,
    target: s.target,
    organisationId: s.organisation_id,
    regionCode: s.region_code,
    lifeEvents: s.life_events,
    topics: s.topics,
    publishedAt: (s.published_at ?? s.created_at).toISOString(),
  }));
  const last = items[items.length - 1];
  json(res, {
    items,
    nextCursor: rows.length > 20 ? Buffer.from(JSON.stringify([last.id])).toString('base64url') : null,
  });
}

async function guide(id: string, res: ServerResponse): Promise<void> {
  const { rows } = await pool.query<ServiceRow>(SERVICE_SQL, [id]);
  const s = rows[0];
  if (!s || s.status !== 'published' || !s.current_published_version_id) return fail(res, 404);
  const v = (await pool.query<VersionRow>(VERSION_SQL, [s.current_published_version_id])).rows[0];
  const { guide: g, translations, form } = v.content;
  const zh = translations['zh-CN'];
  json(res, {
    mode: 'standard',
    id: s.id,
    implementationCode: s.implementation_code,
    type: s.type,
    target: s.target,
    organisationId: s.organisation_id,
    language: 'zh-CN',
    versionNumber: v.number,
    publishedAt: (v.published_at ?? v.created_at).toISOString(),
    title: zh.title,
    summary: zh.summary ?? null,
    guide: { ...g, conditions: zh.conditions ?? g.conditions },
    form,
  });
}

/**
 * POST /submissions, the bare insert baseline for application submission: the body read and the
 * form checked by hand (the same fields and rules as the bench service's JSON Schema), then one row
 * inserted in a transaction and 201 with a small body. No auth, idempotency, numbering counter,
 * case, tasks or audit: what a hand-written "save the form" endpoint costs.
 */
const INSERT_SQL = `INSERT INTO bench_submission (id, applicant, form, number) VALUES ($1, $2, $3, $4)`;
const APPLICANT = randomUUID();
const PHONE = /^1\d{10}$/;
const FORM_KEYS = new Set(['applicantName', 'phone', 'shopArea']);
let sequence = 0;

function readBody(req: IncomingMessage, limit = 64 * 1024): Promise<string> {
  return new Promise((ok, ko) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) ko(new Error('too large'));
      else chunks.push(c);
    });
    req.on('end', () => ok(Buffer.concat(chunks).toString('utf8')));
    req.on('error', ko);
  });
}

function validForm(form: unknown): form is Record<string, unknown> {
  if (!form || typeof form !== 'object' || Array.isArray(form)) return false;
  const f = form as Record<string, unknown>;
  if (Object.keys(f).some((k) => !FORM_KEYS.has(k))) return false;
  if (typeof f.applicantName !== 'string' || f.applicantName.length < 1 || f.applicantName.length > 50)
    return false;
  if (typeof f.phone !== 'string' || !PHONE.test(f.phone)) return false;
  return f.shopArea === undefined || (typeof f.shopArea === 'number' && f.shopArea >= 0);
}

async function submit(req: IncomingMessage, res: ServerResponse): Promise<void> {
  let form: unknown;
  try {
    form = JSON.parse(await readBody(req));
  } catch {
    return fail(res, 400);
  }
  if (!validForm(form)) return fail(res, 422);
  const id = randomUUID();
  const now = new Date();
  const number = `${now.toISOString().slice(0, 10).replace(/-/g, '')}B${process.pid}-${++sequence}`;
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query(INSERT_SQL, [id, APPLICANT, JSON.stringify(form), number]);
    await client.query('COMMIT');
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  } finally {
    client.release();
  }
  res.writeHead(201, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ id, number, status: 'submitted', submittedAt: now.toISOString() }));
}

const GUIDE_PATH = /^\/services\/([0-9a-f-]{36})$/;
const CASE_PATH = /^\/cases\/([0-9a-f-]{36})$/;
const SUBMIT_PATH = /^\/applications\/([0-9a-f-]{36})\/submit$/;
/** The API's token secret, so the same-SQL submission twin can verify the citizen's token. */
const JWT_SECRET = process.env.JWT_SECRET ?? '';

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://bare');
  if (url.pathname === '/health') {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"status":"ok"}');
    return;
  }
  if (url.pathname === '/list') {
    pool.query<OrganisationRow>(LIST_SQL).then(
      ({ rows }) => {
        const items = rows.slice(0, 20).map((r) => ({
          id: r.id,
          name: r.name,
          kind: r.kind,
          regionCode: r.region_code,
          parentId: r.parent_id,
          uscc: r.uscc,
          contacts: r.contacts,
          active: r.active,
          version: r.version,
        }));
        json(res, { items, nextCursor: rows.length > 20 ? 'x' : null });
      },
      () => fail(res),
    );
    return;
  }
  if (url.pathname === '/services') {
    services(url, res).catch(() => fail(res));
    return;
  }
  // the signed-in reads' twins (bare-reads.ts): same statements as the API, token verified
  if (url.pathname === '/me/applications') {
    myApplications(pool, JWT_SECRET, req.headers.authorization, res).catch(() => fail(res));
    return;
  }
  if (url.pathname === '/tasks') {
    taskQueue(pool, JWT_SECRET, req.headers.authorization, res).catch(() => fail(res));
    return;
  }
  const caseMatch = CASE_PATH.exec(url.pathname);
  if (caseMatch) {
    caseRead(pool, JWT_SECRET, req.headers.authorization, caseMatch[1], res).catch(() => fail(res));
    return;
  }
  const same = SUBMIT_PATH.exec(url.pathname);
  if (same && req.method === 'POST') {
    submitSameSql(pool, JWT_SECRET, same[1], req, res, validForm).catch((e: Error) => {
      if (process.env.BARE_DEBUG) process.stderr.write(`${e.stack}\n`);
      fail(res);
    });
    return;
  }
  if (url.pathname === '/submissions' && req.method === 'POST') {
    submit(req, res).catch(() => fail(res));
    return;
  }
  const g = GUIDE_PATH.exec(url.pathname);
  if (g) {
    guide(g[1], res).catch(() => fail(res));
    return;
  }
  fail(res, 404);
});

server.listen(Number(process.env.PORT), '127.0.0.1', () => process.stdout.write('ready\n'));
process.on('SIGTERM', () => server.close(() => void pool.end().then(() => process.exit(0))));
