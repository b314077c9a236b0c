import { appendFileSync } from 'node:fs';
import { GraphQLSchemaHost } from '@nestjs/graphql';
import type { Test } from 'supertest';
import { ALL_PERMISSIONS, Permission } from '../../src/api/auth/permission';
import { buildOpenApi } from '../../src/api/http/openapi';
import { graphqlCases } from '../support/fuzz/graphql-cases';
import {
  bodyCases,
  casesFor,
  describeRequest,
  FuzzRequest,
  Operation,
  operationsOf,
} from '../support/fuzz/openapi-cases';
import type { Hints } from '../support/fuzz/domain-values';
import { fuzzSeeds, Rng } from '../support/fuzz/prng';
import { checkAnswer, SQL_RE, STACK_RE } from '../support/fuzz/response-check';
import { diffCounts, rowCounts } from '../support/fuzz/row-counts';
import type { Components } from '../support/fuzz/schema-sample';
import { RoleName } from '../../src/modules/platform/identity/staff/role-catalogue';
// shared fixtures: accounts written straight to the database
import { enrolFixtureTotp, makeCitizen, makeStaff } from '../identity/staff-fixtures';
import { startTestApp, TestApp } from '../support/test-app';
import { scopedToken } from '../support/tokens';
import { directoryHints, sendFuzzRequest } from '../support/fuzz/fuzz-http';

/**
 * "Bad input is answered, never crashes; a refused request changes nothing." Cases come from the
 * live OpenAPI document and GraphQL schema, so a new route is fuzzed the day it appears.
 * Reproduce a failure with FUZZ_SEED=<printed seed>; FUZZ_CASES raises the per-operation budget.
 * FUZZ_SEEDS=<n> sweeps n seeds in one boot (CI runs one), and FUZZ_LOG=<file> appends each
 * seed's outcome to a file as it finishes, so a long sweep can be followed and its failing
 * seeds collected.
 */
const SEEDS = fuzzSeeds();
const CASES_PER_OPERATION = Number(process.env.FUZZ_CASES ?? 12);
const FUZZ_LOG = process.env.FUZZ_LOG;
const OAUTH_TOKEN = 'POST /v1/oauth/token';

type Caller = { name: string; token: () => Promise<string | null> };

const TITLE =
  SEEDS.length === 1 ? `FUZZ_SEED=${SEEDS[0]}` : `FUZZ_SEEDS=${SEEDS.length} from FUZZ_SEED=${SEEDS[0]}`;

describe(`schema-driven robustness (${TITLE})`, () => {
  let t: TestApp;
  let ops: Operation[];
  let components: Components;
  let callers: Caller[];

  beforeAll(async () => {
    // Generous quotas: the suite sends a few thousand requests from one address on purpose.
    t = await startTestApp({ RATE_LIMIT_ANONYMOUS: '1000000', RATE_LIMIT_AUTHENTICATED: '1000000' });
    const doc = buildOpenApi(t.app, t.config) as unknown as Parameters<typeof operationsOf>[0];
    ops = operationsOf(doc);
    components = { ...doc.components, hints: await fixtures() };
    // Real accounts, so /me-style routes get past "who are you" (the staff one a global admin, so
    // it holds every permission like the synthetic token). On every other operation the staff
    // token's subject is a fresh synthetic account, whose grants are the token's scopes. A fresh
    // token per operation: logout or a password change may retire the previous one.
    const staff = await makeStaff(t, components.hints!.organisationId[0], [
      { role: RoleName.Admin, unit: null },
    ]);
    // The administrator's role takes effect only with a second factor: the fixture one.
    await enrolFixtureTotp(t, staff.id);
    const citizen = await makeCitizen(t);
    let turn = 0;
    callers = [
      { name: 'anonymous', token: () => Promise.resolve(null) },
      {
        name: 'staff(all permissions)',
        token: () => scopedToken(t, 'staff', ALL_PERMISSIONS, turn++ % 2 ? staff.id : undefined),
      },
      { name: 'citizen', token: () => scopedToken(t, 'citizen', [Permission.SelfService], citizen.id) },
    ];
    // eslint-disable-next-line no-console
    console.log(`fuzz: ${TITLE}, ${ops.length} operations, ${CASES_PER_OPERATION} cases each`);
  });
  afterAll(() => t?.close());

  /**
   * A region and an organisation of the suite's own, offered to the generators by field name, so
   * "valid" samples reach the services; everything else the fuzzer names is random and unknown.
   */
  async function fixtures(): Promise<Hints> {
    const rng = new Rng(SEEDS[0]).fork('fixtures');
    return directoryHints(t, `98${String(rng.int(1e10)).padStart(10, '0')}`, '模糊测试');
  }

  const send = (r: FuzzRequest, token: string | null): Test => sendFuzzRequest(t, r, token);

  /** Sends and checks; returns the status, or records why the answer is wrong. */
  async function probe(
    r: FuzzRequest,
    caller: string,
    token: string | null,
    failures: string[],
    oauth = false,
  ): Promise<number> {
    try {
      const res = await send(r, token);
      const wrong = checkAnswer(res, { oauthErrors: oauth, open311Errors: r.url.startsWith('/open311/') });
      if (wrong.length)
        failures.push(
          `${describeRequest(r, caller)}\n    → ${res.status}: ${wrong.join('; ')}\n    ${res.text.slice(0, 300)}`,
        );
      return res.status;
    } catch (err) {
      failures.push(
        `${describeRequest(r, caller)}\n    → no answer: ${err instanceof Error ? err.message : String(err)}`,
      );
      return 0;
    }
  }

  /** The failures as one message ('' when none); logged to FUZZ_LOG in full, seed first. */
  const report = (seed: number, test: string, failures: string[]) => {
    if (FUZZ_LOG) {
      const lines = failures.map((f) => `  ${f.replace(/\n/g, '\n  ')}\n`).join('');
      appendFileSync(FUZZ_LOG, `${failures.length ? 'FAIL' : 'ok'} FUZZ_SEED=${seed} ${test}\n${lines}`);
    }
    return failures.length
      ? `${failures.length} bad answer(s) with FUZZ_SEED=${seed}:\n${failures.slice(0, 40).join('\n')}`
      : '';
  };

  it('finds the operations in the live OpenAPI document', () => {
    expect(ops.length).toBeGreaterThan(40);
    const ids = ops.map((o) => `${o.method} ${o.path}`);
    expect(ids).toEqual(
      expect.arrayContaining(['GET /v1/organisations', 'POST /v1/organisations', OAUTH_TOKEN]),
    );
    // Bodies are generated from real schemas, not from nothing.
    expect(ops.filter((o) => o.body).length).toBeGreaterThan(15);
  });

  // One boot, as many seeds as asked: every seeded case stream below derives from `seed`.
  describe.each(SEEDS)('FUZZ_SEED=%i', (seed) => {
    it('answers every mutated request of every operation, for every kind of caller, without a 5xx or a leak', async () => {
      const failures: string[] = [];
      const statuses = new Map<number, number>();
      let sent = 0;
      for (const op of ops) {
        const key = `${op.method} ${op.path}`;
        const cases = casesFor(op, components, new Rng(seed).fork(key), CASES_PER_OPERATION);
        for (const caller of callers) {
          const token = await caller.token();
          for (const c of cases) {
            const status = await probe(c, caller.name, token, failures, key === OAUTH_TOKEN);
            statuses.set(status, (statuses.get(status) ?? 0) + 1);
            sent++;
          }
        }
      }
      // eslint-disable-next-line no-console
      console.log(
        `fuzz: ${sent} requests, statuses ${JSON.stringify(Object.fromEntries([...statuses].sort()))}`,
      );
      expect(report(seed, 'REST', failures)).toBe('');
      // Some cases must get through validation, or the generator is only testing the guard.
      expect([...statuses.keys()].some((s) => s >= 200 && s < 300)).toBe(true);
      // Neither `__proto__` nor `constructor.prototype` in a body reached Object.prototype.
      expect(({} as Record<string, unknown>).fuzzPolluted).toBeUndefined();
    }, 180_000);

    describe('a refused request changes nothing', () => {
      /** Requests that must each be refused (4xx), with the reason they must be. */
      async function refusedBatch(): Promise<{ r: FuzzRequest; caller: string; token: string | null }[]> {
        const rng = new Rng(seed).fork('refused');
        const admin = await scopedToken(t, 'staff', ALL_PERMISSIONS);
        const citizen = await scopedToken(t, 'citizen', [Permission.SelfService]);
        const reader = await scopedToken(t, 'staff', [Permission.DirectoryRead]);
        const batch: { r: FuzzRequest; caller: string; token: string | null }[] = [];
        const mutating = ops.filter((o) => o.method !== 'GET');
        for (const op of ops) {
          const [valid] = casesFor(op, components, rng.fork(op.id), 1);
          const withKey = (r: FuzzRequest): FuzzRequest =>
            op.params.some((p) => p.in === 'header' && p.name === 'Idempotency-Key')
              ? { ...r, headers: { ...r.headers, 'Idempotency-Key': `fuzz-${rng.uuid()}` } }
              : r;
          if (!op.open) {
            // no token at all
            batch.push({
              r: withKey({ ...valid, label: 'anonymous on a protected route' }),
              caller: 'anonymous',
              token: null,
            });
            if (!op.scopes.includes(Permission.SelfService)) {
              batch.push({
                r: withKey({ ...valid, label: 'citizen on a staff route' }),
                caller: 'citizen',
                token: citizen,
              });
            }
            if (!op.scopes.includes(Permission.DirectoryRead)) {
              batch.push({
                r: withKey({ ...valid, label: 'staff lacking the permission' }),
                caller: 'directory reader',
                token: reader,
              });
            }
          }
          if (!mutating.includes(op)) continue;
          // Everything below is allowed past the guard; the input itself must be refused.
          const caller = op.open
            ? { caller: 'anonymous', token: null }
            : { caller: 'staff(all permissions)', token: admin };
          if (
            op.scopes.includes(Permission.SelfService) &&
            !op.scopes.includes(Permission.StaffSelf) &&
            !op.open
          ) {
            Object.assign(caller, { caller: 'citizen', token: citizen });
          }
          if (op.body) {
            const mustFail = new Set([
              'unknown extra field',
              'not JSON with a JSON content type',
              'array instead of the object',
              'null body',
              'JSON string body',
            ]);
            for (const b of bodyCases(op.body.schema, components, rng.fork(`${op.id} body`))) {
              if (!mustFail.has(b.label)) continue;
              batch.push({
                r: withKey({
                  ...valid,
                  headers: { ...valid.headers, 'Content-Type': b.contentType! },
                  body: b.raw,
                  label: `invalid body: ${b.label}`,
                }),
                ...caller,
              });
            }
          }
          // a random id names nothing: 404, and nothing is created in its place
          const idParams = op.params.filter(
            (p) => p.in === 'path' && (p.name === 'id' || /Id$/.test(p.name)),
          );
          if (idParams.length && !op.open) {
            const url = op.path.replace(/\{([^}]+)\}/g, () => rng.uuid());
            batch.push({ r: withKey({ ...valid, url, label: 'unknown id' }), ...caller });
          }
        }
        return batch;
      }

      it('leaves the row count of every table (audit, outbox and idempotency included) unchanged', async () => {
        const batch = await refusedBatch();
        expect(batch.length).toBeGreaterThan(60);
        const before = await rowCounts(t.db);
        expect(Object.keys(before)).toEqual(expect.arrayContaining(['organisation', 'idempotency_key']));
        const failures: string[] = [];
        const accepted: string[] = [];
        for (const { r, caller, token } of batch) {
          const status = await probe(r, caller, token, failures, `${r.method} ${r.url}` === OAUTH_TOKEN);
          if (status < 400) accepted.push(`${describeRequest(r, caller)} → ${status}`);
        }
        const after = await rowCounts(t.db);
        expect(report(seed, 'refused', failures)).toBe('');
        expect(accepted).toEqual([]);
        expect(diffCounts(before, after)).toEqual([]);
      });
    });

    describe('GraphQL', () => {
      it('answers wrong-typed and oversized variables for every query and mutation with a coded error, never INTERNAL', async () => {
        const schema = t.app.get(GraphQLSchemaHost).schema;
        const cases = graphqlCases(schema, new Rng(seed).fork('graphql'), Math.max(10, CASES_PER_OPERATION));
        const fields = new Set(cases.map((c) => c.field));
        expect(fields.size).toBeGreaterThan(5);
        const failures: string[] = [];
        for (const caller of callers) {
          const token = await caller.token();
          for (const c of cases) {
            let req = t.http.post('/graphql');
            if (token) req = req.set('Authorization', `Bearer ${token}`);
            const res = await req.send({ query: c.query, variables: c.variables });
            const errors = (res.body?.errors ?? []) as { extensions?: { code?: unknown } }[];
            const wrong: string[] = [];
            // A body the HTTP layer refuses as too large or too complex never reaches GraphQL: it
            // is answered as any endpoint's 413, a coded problem+json (checked as REST answers are).
            if (res.status === 413) wrong.push(...checkAnswer(res));
            else if (res.status !== 200 && res.status !== 400) wrong.push(`HTTP ${res.status}`);
            if (STACK_RE.test(res.text) || SQL_RE.test(res.text)) wrong.push('leak');
            if (res.status === 400 && !errors.length) wrong.push('400 without errors');
            for (const e of res.status === 413 ? [] : errors) {
              if (typeof e.extensions?.code !== 'string') wrong.push('error without extensions.code');
              else if (e.extensions.code === 'INTERNAL') wrong.push('INTERNAL');
            }
            if (wrong.length) {
              const vars = JSON.stringify(c.variables).slice(0, 200);
              failures.push(
                `${caller.name} ${c.field} (${c.label}) vars=${vars}\n    → ${res.status}: ${wrong.join('; ')}\n    ${res.text.slice(0, 300)}`,
              );
            }
          }
        }
        expect(report(seed, 'GraphQL', failures)).toBe('');
      }, 120_000);
    });
  });

  // Each was a 500 the fuzzer found; pinned here because the default budget samples cases at random.
  describe('regressions found by fuzzing', () => {
    const problemOf = (res: { status: number; headers: Record<string, string>; text: string }) => {
      expect(res.status).toBe(400);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      return JSON.parse(res.text) as { code: string; errors: { pointer: string; code: string }[] };
    };

    it('refuses a 5000-level body with 400 maxDepth (class-transformer overflowed the stack)', async () => {
      const deep = `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`;
      const res = await t.http
        .post('/v1/auth/refresh')
        .set('Content-Type', 'application/json')
        .send(`{"refreshToken":"x","zz":${deep}}`);
      expect(problemOf(res)).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ code: 'maxDepth' }] });
    });

    it('refuses NUL in a search query with 400 naming the parameter (PostgreSQL cannot hold NUL)', async () => {
      const res = await t.http.get('/v1/organisations?q=a%00b');
      expect(problemOf(res)).toMatchObject({
        code: 'VALIDATION_FAILED',
        errors: [{ pointer: '/q', code: 'usableText' }],
      });
    });

    it('refuses a lone surrogate in a body with 400 (validator.js isEmail threw URIError)', async () => {
      const before = await rowCounts(t.db);
      const res = await t.http
        .post('/v1/auth/password-reset/request')
        .set('Content-Type', 'application/json')
        .send('{"email":"\\ud800x@example.com"}');
      expect(problemOf(res)).toMatchObject({
        code: 'VALIDATION_FAILED',
        errors: [{ pointer: '/email', code: 'usableText' }],
      });
      expect(diffCounts(before, await rowCounts(t.db))).toEqual([]);
    });

    it('refuses ISO 8601 forms Date cannot read (20250601, week dates) with 400 isInstant, REST and GraphQL', async () => {
      const citizen = await scopedToken(t, 'citizen', [Permission.SelfService]);
      for (const at of ['20250601', '2025-W01-1']) {
        const rest = await t.http
          .get(`/v1/me/data-access?since=${at}`)
          .set('Authorization', `Bearer ${citizen}`);
        expect(problemOf(rest)).toMatchObject({ errors: [{ pointer: '/since', code: 'isInstant' }] });
        const gql = await t.http
          .post('/graphql')
          .set('Authorization', `Bearer ${citizen}`)
          .send({
            query: 'query($s: DateTime) { myDataAccess(since: $s) { totalCount } }',
            variables: { s: at },
          });
        // GraphQL's DateTime scalar refuses it before the resolver (RFC 3339 only)
        expect(gql.body.errors[0].extensions).toMatchObject({ code: 'VALIDATION_FAILED' });
        expect(gql.body.errors[0].message).toContain('RFC 3339 date-time');
      }
      const staff = await scopedToken(t, 'staff', ALL_PERMISSIONS);
      const delegation = await t.http
        .post('/v1/staff/me/delegations')
        .set('Authorization', `Bearer ${staff}`)
        .send({
          toAccountId: '01a21c9f-1c9f-7006-8f00-854ba4358fc0',
          role: 'auditor',
          organisationId: components.hints!.organisationId[0],
          reason: 'holiday cover',
          validFrom: '2025-W01-1',
          validUntil: '20250601',
        });
      const body = problemOf(delegation);
      expect(body.errors.map((e) => `${e.pointer} ${e.code}`).sort()).toEqual([
        '/validFrom isInstant',
        '/validUntil isInstant',
      ]);
    });

    it('refuses NUL in GraphQL variables and in inline string literals with VALIDATION_FAILED, in GraphQL shape', async () => {
      const literal = await t.http
        .post('/graphql')
        .send({ query: '{ regions(parentCode: "a\\u0000b") { code } }' });
      const variable = await t.http.post('/graphql').send({
        query: 'query($p: String) { regions(parentCode: $p) { code } }',
        variables: { p: 'a\u0000b' },
      });
      for (const [res, pointer] of [
        [literal, '/query'],
        [variable, '/variables/p'],
      ] as const) {
        expect(res.status).toBe(400);
        expect(res.body.data).toBeUndefined();
        expect(res.body.errors[0].extensions).toMatchObject({
          code: 'VALIDATION_FAILED',
          status: 400,
          errors: [{ pointer, code: 'usableText' }],
        });
      }
      // The literal check is remembered per parsed document: the same text is refused again.
      const again = await t.http
        .post('/graphql')
        .send({ query: '{ regions(parentCode: "a\\u0000b") { code } }' });
      expect(again.status).toBe(400);
      expect(again.body.errors[0].extensions.errors).toEqual([
        expect.objectContaining({ pointer: '/query' }),
      ]);
    });
  });

  describe('OWASP API4 resource limits (smoke; the full tests live beside each feature)', () => {
    it('refuses limit=100000 with 400', async () => {
      const res = await t.http.get('/v1/organisations?limit=100000');
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
    });

    it('refuses a 2 MB JSON body with 413 before any handler runs', async () => {
      const before = await rowCounts(t.db);
      const res = await t.http
        .post('/v1/auth/login')
        .set('Content-Type', 'application/json')
        .send(JSON.stringify({ login: 'x'.repeat(2 * 1024 * 1024), password: 'x' }));
      expect(res.status).toBe(413);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body.code).toBe('PAYLOAD_TOO_LARGE');
      expect(diffCounts(before, await rowCounts(t.db))).toEqual([]);
    });

    it('refuses 1000 aliases and depth 30 in GraphQL with QUERY_TOO_COMPLEX', async () => {
      const aliases = `{ ${Array.from({ length: 1000 }, (_, i) => `a${i}: apiInfo { name }`).join(' ')} }`;
      const depth = `{ __type(name: "ApiInfo") { name ${'ofType { '.repeat(28)}name${' }'.repeat(28)} } }`;
      for (const query of [aliases, depth]) {
        const res = await t.http.post('/graphql').send({ query });
        expect(res.status).toBe(400);
        expect(res.body.errors[0].extensions.code).toBe('QUERY_TOO_COMPLEX');
      }
    });
  });
});
