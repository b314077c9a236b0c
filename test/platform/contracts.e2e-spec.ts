import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { OpenAPIObject, OperationObject, ResponseObject } from '@nestjs/swagger';
import { Permission } from '../../src/api/auth/permission';
import { ErrorCode } from '../../src/api/errors/error-code';
import { buildOpenApi } from '../../src/api/http/openapi';
import { startTestApp, TestApp } from '../support/test-app';

const COMMITTED = join(__dirname, '..', '..', 'openapi', 'openapi.json');
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;
type Node = Record<string, unknown>;

function operations(doc: OpenAPIObject): [string, OperationObject][] {
  const out: [string, OperationObject][] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const m of METHODS) if (item[m]) out.push([`${m.toUpperCase()} ${path}`, item[m]]);
  }
  return out;
}

/** Every object in the document with its JSON path. */
function* nodes(value: unknown, path = '$'): Generator<[string, Node]> {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) yield* nodes(value[i], `${path}[${i}]`);
  } else if (value && typeof value === 'object') {
    yield [path, value as Node];
    for (const [k, v] of Object.entries(value)) yield* nodes(v, `${path}.${k}`);
  }
}

const hasType = (n: Node, t: string) => n.type === t || (Array.isArray(n.type) && n.type.includes(t));

describe('OpenAPI contract', () => {
  let t: TestApp;
  let doc: OpenAPIObject;
  beforeAll(async () => {
    t = await startTestApp();
    doc = buildOpenApi(t.app, t.config);
  });
  afterAll(() => t.close());

  it('has operations to check (the checks below cannot pass on an empty document)', () => {
    expect(operations(doc).length).toBeGreaterThan(3);
  });

  it('is OpenAPI 3.1 and never uses the 3.0 `nullable` keyword', () => {
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
    const nullable = [...nodes(doc)].filter(([, n]) => typeof n.nullable === 'boolean').map(([p]) => p);
    expect(nullable).toEqual([]);
  });

  it('answers every operation’s client and server errors with problem+json', () => {
    const missing: string[] = [];
    for (const [op, o] of operations(doc)) {
      const responses = o.responses as Record<string, ResponseObject>;
      const problem = (status: string) =>
        (responses[status]?.content?.['application/problem+json']?.schema as Node | undefined)?.$ref ===
        '#/components/schemas/Problem';
      if (!Object.keys(responses).some((s) => s.startsWith('4') && problem(s)))
        missing.push(`${op}: no 4xx problem+json`);
      // An operation may declare another error shape on purpose (the OAuth token endpoint answers
      // RFC 6749 errors), but every one of these statuses must be documented with a body.
      for (const s of ['400', '401', '404', '429', '500'])
        if (!responses[s]?.content) missing.push(`${op}: ${s}`);
      if (!problem('500')) missing.push(`${op}: 500 is not problem+json`);
      if (!responses['429']?.headers?.['Retry-After']) missing.push(`${op}: 429 without Retry-After`);
      for (const [s, r] of Object.entries(responses)) {
        if (/^[24]/.test(s) && !r.headers?.RateLimit) missing.push(`${op}: ${s} without RateLimit`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('describes the Problem body with exactly the error codes the API uses', () => {
    const problem = doc.components?.schemas?.Problem as Node & { properties: Record<string, Node> };
    expect(problem.properties.code.enum).toEqual(Object.values(ErrorCode));
    expect(problem.required).toEqual(expect.arrayContaining(['type', 'title', 'status', 'detail', 'code']));
  });

  it('states the access rule of every operation: anonymous allowed, or the permissions required', () => {
    const permissions = new Set<string>(Object.values(Permission));
    const wrong: string[] = [];
    for (const [op, o] of operations(doc)) {
      const security = o.security ?? [];
      const isPublic = security.some((s) => Object.keys(s).length === 0);
      const roles = security.flatMap((s) => Object.values(s).flat());
      if (!security.length) wrong.push(`${op}: no security`);
      else if (isPublic && roles.length) wrong.push(`${op}: public but names roles`);
      else if (!isPublic && (!roles.length || roles.some((r) => !permissions.has(r))))
        wrong.push(`${op}: roles ${roles.join(',')}`);
      if (!isPublic && !(o.responses as Record<string, unknown>)['403'])
        wrong.push(`${op}: protected without 403`);
      if (!o.description) wrong.push(`${op}: no description`);
    }
    expect(wrong).toEqual([]);
  });

  it('has unique operationIds and a described tag for every tag in use', () => {
    const ids = operations(doc).map(([, o]) => o.operationId);
    expect(ids.every(Boolean)).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    const declared = new Map((doc.tags ?? []).map((tag) => [tag.name, tag.description]));
    for (const [, o] of operations(doc))
      for (const tag of o.tags ?? []) expect(declared.get(tag)).toEqual(expect.any(String));
  });

  it('limits every string, integer and array (OWASP API4)', () => {
    const unlimited: string[] = [];
    for (const [p, n] of nodes(doc)) {
      if (hasType(n, 'string') && n.maxLength === undefined && n.enum === undefined && n.const === undefined)
        unlimited.push(p);
      if (
        hasType(n, 'integer') &&
        (n.format === undefined || n.minimum === undefined || n.maximum === undefined)
      )
        unlimited.push(p);
      if (hasType(n, 'array') && n.maxItems === undefined) unlimited.push(p);
    }
    expect(unlimited).toEqual([]);
  });

  it('refuses unknown request-body properties in the schema as the validation pipe does', () => {
    const open: string[] = [];
    for (const [op, o] of operations(doc)) {
      const body = o.requestBody as { content?: Record<string, { schema?: Node }> } | undefined;
      const ref = body?.content?.['application/json']?.schema?.$ref;
      if (typeof ref !== 'string') continue;
      const schema = doc.components?.schemas?.[ref.split('/').pop()!] as Node;
      if (schema.type === 'object' && schema.additionalProperties !== false) open.push(op);
    }
    expect(open).toEqual([]);
  });

  it('serves at /openapi.json the generated document, with the committed inventory of operations', async () => {
    const res = await t.http.get('/openapi.json').expect(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    const served = res.body as OpenAPIObject;
    expect(served.paths).toEqual(doc.paths);
    expect(served.openapi).toBe(doc.openapi);

    // API9 inventory: the routes this build exposes are the ones in the committed contract.
    expect(existsSync(COMMITTED)).toBe(true);
    const committed = JSON.parse(readFileSync(COMMITTED, 'utf8')) as OpenAPIObject;
    const inventory = (d: OpenAPIObject) =>
      operations(d)
        .map(([op]) => op)
        .sort();
    expect({ served: inventory(served), hint: 'run `npm run contracts` after changing routes' }).toEqual({
      served: inventory(committed),
      hint: 'run `npm run contracts` after changing routes',
    });
    expect(committed.servers?.every((s) => s.url.startsWith('https://'))).toBe(true);
    expect([...nodes(committed)].filter(([, n]) => typeof n.nullable === 'boolean')).toEqual([]);
  });

  it('renders the API reference at /docs as HTML', async () => {
    const res = await t.http.get('/docs').redirects(2).expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.text).toContain('swagger-ui');
  });

  it('answers an unknown route with a body that fits the documented Problem schema', async () => {
    const res = await t.http.get('/v1/no-such-route-for-contracts').expect(404);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    const schema = doc.components?.schemas?.Problem as {
      properties: Record<string, unknown>;
      required: string[];
    };
    const body = res.body as Record<string, unknown>;
    expect(Object.keys(body).filter((k) => !(k in schema.properties))).toEqual([]);
    for (const k of schema.required) expect(body[k]).toBeDefined();
    expect(Object.values(ErrorCode)).toContain(body.code);
  });
});

describe('OpenAPI contract with DOCS_ENABLED=false', () => {
  let t: TestApp;
  beforeAll(async () => (t = await startTestApp({ DOCS_ENABLED: 'false' })));
  afterAll(() => t.close());

  it('publishes neither the document nor the reference pages', async () => {
    const json = await t.http.get('/openapi.json').expect(404);
    expect(json.headers['content-type']).toMatch(/^application\/problem\+json/);
    await t.http.get('/docs').expect(404);
  });
});
