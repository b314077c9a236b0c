import { permissionRegistry } from '../../src/api/auth/permission-registry';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { OpenAPIObject, OperationObject, ParameterObject, ResponseObject } from '@nestjs/swagger';
import { ErrorCode } from '../../src/api/errors/error-code';
import { buildOpenApi } from '../../src/api/http/openapi';
import { signedInCitizen } from '../identity/citizen-fixtures';
import { makeUnit } from '../identity/staff-fixtures';
import { as, publishedService } from '../public/applications-helpers';
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
    // built-in and module-declared permissions alike (declarePermissions)
    const permissions = new Set<string>(permissionRegistry.names());
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

/** Issue 11 §1: the document is exact — what a generated client or a conformance fuzzer relies on. */
describe('OpenAPI contract: exact parameters, headers and answers', () => {
  let t: TestApp;
  let doc: OpenAPIObject;
  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMIT_ANONYMOUS: '100000', RATE_LIMIT_AUTHENTICATED: '100000' });
    doc = buildOpenApi(t.app, t.config);
  });
  afterAll(() => t.close());

  const params = (o: OperationObject) =>
    (o.parameters ?? []).filter((p): p is ParameterObject => !('$ref' in p));
  const response = (o: OperationObject, status: string) =>
    (o.responses as Record<string, ResponseObject | undefined>)[status];

  it('asks for no spurious or wrongly required header', () => {
    const wrong: string[] = [];
    for (const [op, o] of operations(doc)) {
      const seen = new Set<string>();
      for (const p of params(o).filter((x) => x.in === 'header')) {
        const name = p.name.toLowerCase();
        if (seen.has(name)) wrong.push(`${op}: ${p.name} twice`);
        seen.add(name);
        if (['authorization', 'x-client-cert-thumbprint', 'content-type', 'accept'].includes(name))
          wrong.push(`${op}: ${p.name}`);
        if (p.name !== 'If-Match' && p.required) wrong.push(`${op}: ${p.name} required`);
        if (!p.description) wrong.push(`${op}: ${p.name} undescribed`);
      }
    }
    expect(wrong).toEqual([]);
    const guide = doc.paths['/v1/services/{id}'].get!;
    expect(params(guide).filter((p) => p.in === 'header')).toEqual([
      expect.objectContaining({ name: 'Prefer', required: false }),
    ]);
    expect(params(doc.paths['/v1/oauth/token'].post!).filter((p) => p.in === 'header')).toEqual([]);
  });

  it('types every id, limit and cursor as strictly as the validation does', () => {
    const loose: string[] = [];
    for (const [op, o] of operations(doc)) {
      for (const p of params(o)) {
        const schema = p.schema as Node;
        if (p.in === 'path' && /(^id|Id)$/.test(p.name) && schema.format !== 'uuid')
          loose.push(`${op} ${p.name}`);
        if (p.name === 'limit' && schema.type !== 'integer') loose.push(`${op} limit`);
        if (p.name === 'cursor' && (schema.pattern !== '^[A-Za-z0-9_-]+$' || schema.maxLength !== 512))
          loose.push(`${op} cursor`);
      }
    }
    expect(loose).toEqual([]);
    expect(
      operations(doc).filter(([, o]) => params(o).some((p) => p.name === 'limit')).length,
    ).toBeGreaterThan(10);
  });

  it('gives the upload one schema per content type: a form with its file part, or the raw bytes', () => {
    const body = doc.paths['/v1/files'].post!.requestBody as { content: Record<string, { schema: Node }> };
    expect(body.content['multipart/form-data'].schema).toMatchObject({
      type: 'object',
      required: ['file'],
      properties: { file: { type: 'string', format: 'binary' } },
    });
    for (const type of [
      'application/pdf',
      'image/png',
      'image/jpeg',
      'application/ofd',
      'application/octet-stream',
    ])
      expect(body.content[type].schema).toMatchObject({
        type: 'string',
        format: 'binary',
        contentMediaType: type,
      });
    expect(JSON.stringify(body)).not.toContain('oneOf');
  });

  it('declares the headers and answers the HTTP layer adds', () => {
    const missing: string[] = [];
    for (const [op, o] of operations(doc)) {
      const ok = response(o, '200');
      if (op.startsWith('GET ') && ok?.content?.['application/json']) {
        if (!ok.headers?.ETag) missing.push(`${op}: 200 without ETag`);
        if (!response(o, '304')) missing.push(`${op}: no 304`);
        if (!(o.parameters ?? []).some((p) => '$ref' in p && p.$ref.endsWith('/IfNoneMatch')))
          missing.push(`${op}: no If-None-Match`);
      }
      const idempotent = params(o).some((p) => p.name === 'Idempotency-Key');
      for (const [s, r] of Object.entries(o.responses as Record<string, ResponseObject>)) {
        if (idempotent && s.startsWith('2') && !r.headers?.['Idempotent-Replayed'])
          missing.push(`${op}: ${s} without Idempotent-Replayed`);
        if (['409', '429', '503'].includes(s) && idempotent && !r.headers?.['Retry-After'])
          missing.push(`${op}: ${s} without Retry-After`);
      }
      if (!response(o, '503')?.headers?.['Retry-After']) missing.push(`${op}: 503 without Retry-After`);
      const ifMatch = params(o).find((p) => p.name === 'If-Match');
      if (ifMatch && !response(o, '412')) missing.push(`${op}: If-Match without 412`);
      if (ifMatch?.required && !response(o, '428')) missing.push(`${op}: required If-Match without 428`);
      if (o.requestBody && !response(o, '415')) missing.push(`${op}: body without 415`);
    }
    expect(missing).toEqual([]);
    expect(response(doc.paths['/v1/applications'].get!, '200')?.headers).toHaveProperty('Link');
    expect(Object.keys(response(doc.paths['/v1/applications'].post!, '201')?.headers ?? {})).toEqual(
      expect.arrayContaining(['Location', 'ETag', 'Idempotent-Replayed']),
    );
    for (const [path, method] of [
      ['/v1/cases/{id}/actions/{action}', 'post'],
      ['/v1/tasks/{id}/claim', 'post'],
      ['/v1/staff/me/totp', 'post'],
    ] as const)
      expect(response(doc.paths[path][method]!, '409')).toBeDefined();
    expect(params(doc.paths['/v1/staff/{id}'].put!).find((p) => p.name === 'If-Match')?.required).toBe(true);
  });

  it('says null where the validator lets it through, and exactly one of phone or email', () => {
    const schemas = doc.components!.schemas as Record<string, Node & { properties: Record<string, Node> }>;
    const reset = schemas.PasswordResetRequestDto;
    expect(reset.properties.phone.type).toEqual(['string', 'null']);
    expect(reset.properties.phone.pattern).toBe('^(?:(?:\\+?86[- ]?)?1[3-9]\\d{9}|\\+[1-9]\\d{6,14})$');
    expect(reset.oneOf).toEqual([
      { required: ['phone'], properties: { phone: { not: { type: 'null' } } } },
      { required: ['email'], properties: { email: { not: { type: 'null' } } } },
    ]);
    expect(schemas.NotificationPreferencesDto.properties.inapp.enum).toContain(null);
  });

  it('answers a 5000-character path with a Problem whose instance fits the schema (≤ 2048, a URI reference)', async () => {
    const res = await t.http.get(`/v1/files/${'a'.repeat(5000)}`).expect(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    const body = res.body as { instance: string; code: string };
    expect(body.code).toBe(ErrorCode.ValidationFailed);
    expect(body.instance).toBe(`/v1/files/${'a'.repeat(2048 - '/v1/files/'.length)}`);
    const odd = await t.http.get(`/v1/no-such/${'服'.repeat(1000)}`).expect(404);
    expect((odd.body as { instance: string }).instance.length).toBeLessThanOrEqual(2048);
    expect((odd.body as { instance: string }).instance).toMatch(
      /^(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/]|%[0-9A-F]{2})*$/,
    );
  });

  it('creates a draft with 201, Location and ETag, and the Location reads it back', async () => {
    const root = await makeUnit(t, '契约市局');
    const serviceId = await publishedService(t, root);
    const alice = await signedInCitizen(t);
    const created = await t.http
      .post('/v1/applications')
      .set(as(alice))
      .send({ serviceId, formData: { applicantName: '张' } })
      .expect(201);
    const body = created.body as { id: string; version: number };
    expect(created.headers.location).toBe(`/v1/applications/${body.id}`);
    expect(created.headers.etag).toBe(`"v${body.version}"`);
    const [row] = await t.db.query<{ status: string }>('SELECT status FROM application WHERE id = $1', [
      body.id,
    ]);
    expect(row).toEqual({ status: 'draft' });
    const read = await t.http.get(created.headers.location).set(as(alice)).expect(200);
    expect(read.headers.etag).toBe(created.headers.etag);
    const again = await t.http
      .get(created.headers.location)
      .set(as(alice))
      .set('If-None-Match', created.headers.etag)
      .expect(304);
    expect(again.headers.etag).toBe(created.headers.etag);
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
