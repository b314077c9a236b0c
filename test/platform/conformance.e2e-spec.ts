import { appendFileSync } from 'node:fs';
import type { Test } from 'supertest';
import { ALL_PERMISSIONS, Permission } from '../../src/api/auth/permission';
import { buildOpenApi } from '../../src/api/http/openapi';
import { RoleName } from '../../src/modules/platform/identity/staff/role-catalogue';
import { enrolFixtureTotp, makeCitizen, makeStaff } from '../identity/staff-fixtures';
import {
  Conformance,
  OpenApiDocument,
  Violation,
  ViolationKind,
} from '../support/conformance/response-conformance';
import type { Hints } from '../support/fuzz/domain-values';
import {
  casesFor,
  describeRequest,
  FuzzRequest,
  Operation,
  operationsOf,
} from '../support/fuzz/openapi-cases';
import { fuzzSeed, Rng } from '../support/fuzz/prng';
import { type Components, resolve } from '../support/fuzz/schema-sample';
import { startTestApp, TestApp } from '../support/test-app';
import { scopedToken } from '../support/tokens';
import { directoryHints, sendFuzzRequest } from '../support/fuzz/fuzz-http';

/**
 * The conformance gate: every answer the API gives must be one the served OpenAPI document
 * describes. Requests come from the document itself (the fuzz generators: a valid sample and
 * seeded invalid mutations per operation, for an anonymous caller, a staff member holding every
 * permission and a citizen), plus valid reads of real resources found by listing collections (200,
 * then 304 on If-None-Match), so success answers are checked as well as refusals. For each answer:
 * the status is listed (or `default`), its content type is listed for that status, the body is
 * valid against the schema (ajv, JSON Schema 2020-12), required headers are present and none of
 * ETag, Link, Location, Idempotent-Replayed, RateLimit, RateLimit-Policy, Retry-After appears
 * undeclared. Zero violations. FUZZ_SEED=<n> reproduces a run, CONFORMANCE_CASES=<n> sets the
 * mutated cases per operation (8), CONFORMANCE_LOG=<file> appends every violation found.
 */
const SEED = fuzzSeed();
const CASES_PER_OPERATION = Number(process.env.CONFORMANCE_CASES ?? 8);
const LOG = process.env.CONFORMANCE_LOG;

type Caller = { name: string; token: () => Promise<string | null> };

interface Found extends Violation {
  operation: string;
  reproducer: string;
}

describe(`conformance of every answer to the served OpenAPI document (FUZZ_SEED=${SEED})`, () => {
  let t: TestApp;
  let doc: OpenApiDocument;
  let conformance: Conformance;
  let ops: Operation[];
  let components: Components;
  let callers: Caller[];
  /** what the suite itself created: the only rows its valid writes touch */
  let own: { staff: string; citizen: string; organisation: string };
  const found: Found[] = [];
  const statuses = new Map<string, number>();
  let sent = 0;

  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMIT_ANONYMOUS: '1000000', RATE_LIMIT_AUTHENTICATED: '1000000' });
    doc = buildOpenApi(t.app, t.config) as unknown as OpenApiDocument;
    conformance = new Conformance(doc);
    ops = operationsOf(doc);
    components = { ...(doc.components as Components), hints: await fixtures() };
    const staff = await makeStaff(t, components.hints!.organisationId[0], [
      { role: RoleName.Admin, unit: null },
    ]);
    await enrolFixtureTotp(t, staff.id);
    const citizen = await makeCitizen(t);
    own = { staff: staff.id, citizen: citizen.id, organisation: components.hints!.organisationId[0] };
    callers = [
      { name: 'anonymous', token: () => Promise.resolve(null) },
      { name: 'staff(all permissions)', token: () => scopedToken(t, 'staff', ALL_PERMISSIONS, staff.id) },
      { name: 'citizen', token: () => scopedToken(t, 'citizen', [Permission.SelfService], citizen.id) },
    ];
  });
  afterAll(() => t?.close());

  async function fixtures(): Promise<Hints> {
    const rng = new Rng(SEED).fork('conformance fixtures');
    return directoryHints(t, `97${String(rng.int(1e10)).padStart(10, '0')}`, '一致性测试', true);
  }

  const send = (r: FuzzRequest, token: string | null): Test => sendFuzzRequest(t, r, token);

  /** Sends one request and records every way its answer departs from the document. */
  async function probe(op: Operation, r: FuzzRequest, caller: string, token: string | null) {
    const key = `${op.method} ${op.path}`;
    const reproducer = `FUZZ_SEED=${SEED} ${describeRequest(r, caller)}`;
    sent++;
    try {
      const res = await send(r, token);
      const bucket = res.headers.link ? `${res.status}+Link` : `${res.status}`;
      statuses.set(bucket, (statuses.get(bucket) ?? 0) + 1);
      for (const v of conformance.check(op.method, op.path, res))
        found.push({ ...v, operation: key, reproducer });
      return res;
    } catch (err) {
      found.push({
        kind: 'undocumented status',
        detail: `no answer: ${err instanceof Error ? err.message : String(err)}`,
        operation: key,
        reproducer,
      });
      return undefined;
    }
  }

  /** Violations grouped by kind, one line per distinct (operation, detail), with a reproducer. */
  function report(): string {
    if (!found.length) return '';
    const byKind = new Map<ViolationKind, Map<string, { n: number; v: Found }>>();
    for (const v of found) {
      const kind = byKind.get(v.kind) ?? new Map<string, { n: number; v: Found }>();
      byKind.set(v.kind, kind);
      const k = `${v.operation} ${v.detail}`;
      const seen = kind.get(k);
      if (seen) seen.n++;
      else kind.set(k, { n: 1, v });
    }
    const lines: string[] = [`${found.length} violation(s) in ${sent} requests (FUZZ_SEED=${SEED}):`];
    for (const [kind, items] of byKind) {
      lines.push(`## ${kind} (${items.size} distinct)`);
      for (const { n, v } of [...items.values()].slice(0, 60))
        lines.push(
          `- ${v.operation}: ${v.detail}${n > 1 ? ` (×${n})` : ''}\n    ${v.reproducer.slice(0, 400)}`,
        );
    }
    return lines.join('\n');
  }

  it('finds the operations and compiles every response schema of the document', () => {
    expect(ops.length).toBeGreaterThan(40);
    // Every documented response schema compiles (a dangling $ref would throw here).
    let compiled = 0;
    for (const op of ops) {
      const responses = (doc.paths[op.path][op.method.toLowerCase()] as { responses: object }).responses;
      for (const status of Object.keys(responses)) {
        if (!/^\d{3}$/.test(status)) continue;
        const found = conformance.responseFor(op.method, op.path, Number(status));
        for (const [type, media] of Object.entries(found?.[1].content ?? {})) {
          if (!media.schema || !/json$/.test(type)) continue;
          expect(() =>
            conformance.check(op.method, op.path, {
              status: Number(status),
              headers: { 'content-type': type },
              text: 'null',
            }),
          ).not.toThrow();
          compiled++;
        }
      }
    }
    expect(compiled).toBeGreaterThan(ops.length);
  });

  it('the checker itself catches an undocumented status, content type, body and header', () => {
    const op = ops.find((o) => o.method === 'GET' && o.path === '/v1/organisations')!;
    const kinds = (res: Parameters<Conformance['check']>[2]) =>
      conformance.check(op.method, op.path, res).map((v) => v.kind);
    expect(kinds({ status: 418, headers: {}, text: '' })).toEqual(['undocumented status']);
    expect(kinds({ status: 200, headers: { 'content-type': 'text/html' }, text: '<p>' })).toEqual([
      'undocumented content type',
    ]);
    expect(
      kinds({ status: 200, headers: { 'content-type': 'application/json' }, text: '{"items":7}' }),
    ).toContain('body schema');
    expect(
      kinds({
        status: 400,
        headers: { 'content-type': 'application/problem+json', 'idempotent-replayed': 'true' },
        text: '{"type":"about:blank","title":"x","status":400,"code":"VALIDATION_FAILED","requestId":"r"}',
      }),
    ).toContain('undeclared header');
  });

  it('answers valid reads of real resources as documented (200, then 304 on If-None-Match)', async () => {
    /** ids seen in collection answers, by the collection's path */
    const ids = new Map<string, string[]>();
    const harvest = (path: string, body: unknown) => {
      const items = (body as { items?: unknown[] } | undefined)?.items;
      if (!Array.isArray(items)) return;
      const list = ids.get(path) ?? [];
      for (const it of items.slice(0, 3)) {
        const id = (it as { id?: unknown; code?: unknown })?.id ?? (it as { code?: unknown })?.code;
        if (typeof id === 'string' && !list.includes(id)) list.push(id);
      }
      ids.set(path, list);
    };
    const gets = ops.filter((o) => o.method === 'GET');
    // Collections first (no path parameters), then resources under them, shallowest first.
    const depth = (o: Operation) => (o.path.match(/\{/g) ?? []).length;
    for (const op of [...gets].sort((a, b) => depth(a) - depth(b))) {
      for (const caller of callers) {
        if (!op.open && caller.name === 'anonymous') continue;
        // every path parameter from the collection the path continues
        let url = '';
        let ok = true;
        for (const segment of op.path.split('/').slice(1)) {
          const m = /^\{(.+)\}$/.exec(segment);
          if (!m) {
            url += `/${segment}`;
            continue;
          }
          const pool = ids.get(op.path.slice(0, op.path.indexOf(segment) - 1)) ?? [];
          if (!pool.length) {
            ok = false;
            break;
          }
          url += `/${encodeURIComponent(pool[0])}`;
        }
        if (!ok) continue;
        const token = await caller.token();
        // one item a page where the list takes a limit: a next page (and its Link) whenever there are two
        const paged = op.params.some((p) => p.in === 'query' && p.name === 'limit');
        const r: FuzzRequest = {
          method: 'GET',
          url: paged ? `${url}?limit=1` : url,
          headers: {},
          label: 'valid read',
        };
        const res = await probe(op, r, caller.name, token);
        if (!res || res.status !== 200) continue;
        harvest(op.path, res.body);
        const etag = res.headers.etag as string | undefined;
        if (etag)
          await probe(
            op,
            { ...r, headers: { 'If-None-Match': etag }, label: 'conditional read' },
            caller.name,
            token,
          );
      }
    }
    const ok = [...statuses].filter(([s]) => s.startsWith('200')).reduce((n, [, c]) => n + c, 0);
    expect(ok).toBeGreaterThan(20);
    // pages with a next one were read, and read again conditionally: Link on 200 and on 304 checked
    expect(statuses.get('200+Link')).toBeGreaterThan(0);
    expect(statuses.get('304+Link')).toBeGreaterThan(0);
  }, 120_000);

  it('answers valid updates of its own resources as documented (PUT with the ETag just read, then 412 with it again)', async () => {
    const [, staff, citizen] = callers;
    const targets: { get: string; put: string; caller: Caller }[] = [
      {
        get: `/v1/organisations/${own.organisation}`,
        put: `/v1/organisations/${own.organisation}`,
        caller: staff,
      },
      { get: `/v1/staff/${own.staff}`, put: `/v1/staff/${own.staff}`, caller: staff },
      { get: '/v1/me', put: '/v1/me/profile', caller: citizen },
    ];
    let updated = 0;
    for (const target of targets) {
      const putOp = ops.find(
        (o) =>
          o.method === 'PUT' && target.put.match(new RegExp(`^${o.path.replace(/\{[^}]+\}/g, '[^/]+')}$`)),
      );
      const getOp = ops.find(
        (o) =>
          o.method === 'GET' && target.get.match(new RegExp(`^${o.path.replace(/\{[^}]+\}/g, '[^/]+')}$`)),
      );
      expect([target.put, !!putOp, !!getOp]).toEqual([target.put, true, true]);
      const token = await target.caller.token();
      const read = await probe(
        getOp!,
        { method: 'GET', url: target.get, headers: {}, label: 'read before update' },
        target.caller.name,
        token,
      );
      expect(read?.status).toBe(200);
      // the body: what was read, cut to the fields the update takes
      const schema = resolve(putOp!.body!.schema, components);
      const current = read!.body as Record<string, unknown>;
      const body = Object.fromEntries(
        Object.keys(schema.properties ?? {})
          // masked personal data (`张**`) is not sent back
          .filter((k) => {
            const v = current[k];
            return v !== undefined && v !== null && !(typeof v === 'string' && v.includes('*'));
          })
          .map((k) => [k, current[k]]),
      );
      const etag = read!.headers.etag;
      const put: FuzzRequest = {
        method: 'PUT',
        url: target.put,
        headers: { 'Content-Type': 'application/json', 'If-Match': etag },
        body: JSON.stringify(body),
        label: 'valid update',
      };
      const res = await probe(putOp!, put, target.caller.name, token);
      if (res?.status === 200) updated++;
      else
        found.push({
          kind: 'undocumented status',
          detail: `valid update answered ${res?.status}: ${res?.text.slice(0, 200)}`,
          operation: `PUT ${putOp!.path}`,
          reproducer: describeRequest(put, target.caller.name),
        });
      const stale = await probe(
        putOp!,
        { ...put, label: 'update with a stale ETag' },
        target.caller.name,
        token,
      );
      expect(stale?.status).toBe(412);
    }
    expect(updated).toBe(targets.length);
  }, 60_000);

  it('answers the valid sample and seeded invalid mutations of every operation, for every kind of caller, as documented', async () => {
    for (const op of ops) {
      const key = `${op.method} ${op.path}`;
      const cases = casesFor(op, components, new Rng(SEED).fork(`conformance ${key}`), CASES_PER_OPERATION);
      for (const caller of callers) {
        const token = await caller.token();
        for (const c of cases) await probe(op, c, caller.name, token);
      }
    }
    expect(sent).toBeGreaterThan(ops.length * 3 * 4);
  }, 170_000);

  it('found zero violations', () => {
    const text = report();
    // eslint-disable-next-line no-console
    console.log(
      `conformance: ${sent} requests, statuses ${JSON.stringify(Object.fromEntries([...statuses].sort()))}, ${found.length} violation(s)`,
    );
    if (LOG) {
      // one line per distinct violation: kind | operation | detail | reproducer
      const seen = new Set<string>();
      for (const v of found) {
        const line = `${v.kind} | ${v.operation} | ${v.detail} | ${v.reproducer.slice(0, 300)}`;
        const k = `${v.kind} ${v.operation} ${v.detail}`;
        if (!seen.has(k)) appendFileSync(LOG, `${line.replace(/\n/g, ' ')}\n`);
        seen.add(k);
      }
    }
    expect(text).toBe('');
  });
});
