import type { OpenAPIObject, ResponseObject } from '@nestjs/swagger';
import {
  applyConventions,
  DEFAULT_MAX_ITEMS,
  DEFAULT_MAX_LENGTH,
  fillLimits,
  PropertyRules,
  removeNullable,
  RouteFacts,
  sortKeys,
  TEXT_PATTERN,
} from './openapi-conventions';

describe('removeNullable (OpenAPI 3.1 has no nullable keyword)', () => {
  it('turns nullable types into type arrays, enums included, and drops nullable: false', () => {
    const schema = {
      type: 'object',
      properties: {
        name: { type: 'string', nullable: true },
        tags: { type: ['string'], nullable: true },
        kind: { type: 'string', enum: ['a', 'b'], nullable: true },
        plain: { type: 'integer', nullable: false },
        // A property literally named `nullable` is a schema, not the keyword.
        nullable: { type: 'boolean' },
      },
    };
    removeNullable(schema);
    expect(schema.properties).toEqual({
      name: { type: ['string', 'null'] },
      tags: { type: ['string', 'null'] },
      kind: { type: ['string', 'null'], enum: ['a', 'b', null] },
      plain: { type: 'integer' },
      nullable: { type: 'boolean' },
    });
  });

  it('leaves the arrays it was given alone (a validator may hold the same enum list)', () => {
    const KINDS = ['a', 'b'];
    const types = ['string'];
    const schema = { properties: { k: { type: types, enum: KINDS, nullable: true } } };
    removeNullable(schema);
    expect(schema.properties.k).toEqual({ type: ['string', 'null'], enum: ['a', 'b', null] });
    expect(KINDS).toEqual(['a', 'b']);
    expect(types).toEqual(['string']);
  });

  it('wraps a nullable $ref or allOf in anyOf with null, keeping the description outside', () => {
    const schema: Record<string, unknown> = {
      allOf: [{ $ref: '#/components/schemas/Kind' }],
      nullable: true,
      description: 'd',
    };
    removeNullable(schema);
    expect(schema).toEqual({
      description: 'd',
      anyOf: [{ allOf: [{ $ref: '#/components/schemas/Kind' }] }, { type: 'null' }],
    });
  });
});

describe('fillLimits (documented defaults where a DTO declares none)', () => {
  it('fills only what is missing and reports each filled place', () => {
    const doc = {
      a: { type: 'string' },
      b: { type: 'string', maxLength: 5, pattern: '^x+$' },
      c: { type: 'string', format: 'uuid' },
      d: { type: 'string', enum: ['x'] },
      e: { type: ['integer', 'null'], minimum: 1 },
      f: { type: 'integer', format: 'int64', exclusiveMaximum: 10 },
      g: { type: 'array', items: { type: 'string', format: 'date-time' } },
    };
    const filled = fillLimits(doc);
    expect(doc).toEqual({
      a: { type: 'string', maxLength: DEFAULT_MAX_LENGTH, pattern: TEXT_PATTERN },
      b: { type: 'string', maxLength: 5, pattern: '^x+$' },
      c: { type: 'string', format: 'uuid', maxLength: 36 },
      d: { type: 'string', enum: ['x'] },
      e: { type: ['integer', 'null'], format: 'int32', minimum: 1, maximum: 2 ** 31 - 1 },
      f: { type: 'integer', format: 'int64', minimum: Number.MIN_SAFE_INTEGER, exclusiveMaximum: 10 },
      g: {
        type: 'array',
        maxItems: DEFAULT_MAX_ITEMS,
        items: { type: 'string', format: 'date-time', maxLength: 64 },
      },
    });
    expect(filled).toEqual([
      '$.a maxLength',
      '$.a pattern',
      '$.c maxLength',
      '$.e maximum',
      '$.f minimum',
      '$.g maxItems',
      '$.g.items maxLength',
    ]);
  });

  it('documents free text as the input check enforces it: anything but NUL', () => {
    const re = new RegExp(TEXT_PATTERN);
    expect(re.test('第一行\n第二行\tend\r\n')).toBe(true);
    expect(re.test('nul\u0000')).toBe(false);
  });
});

describe('applyConventions', () => {
  const base = (): OpenAPIObject => ({
    openapi: '3.1.0',
    info: { title: 't', version: '1' },
    servers: [{ url: 'https://api.example.gov' }],
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      schemas: { InDto: { type: 'object', properties: { name: { type: 'string', maxLength: 10 } } } },
    },
    paths: {
      '/v1/things': {
        get: {
          operationId: 'Things_list',
          summary: 'List things.',
          responses: { '200': { description: '' } },
          'x-public': true,
        } as never,
        post: {
          operationId: 'Things_create',
          security: [{ bearer: [] }],
          'x-permissions': ['a:write', 'b:admin'],
          requestBody: {
            content: { 'application/json': { schema: { $ref: '#/components/schemas/InDto' } } },
          },
          responses: { '201': { description: 'Created' }, '403': { description: 'forbidden' } },
        } as never,
      },
    },
  });

  it('makes public operations optionally authenticated and protected ones name their permissions', () => {
    const doc = base();
    applyConventions(doc);
    const { get, post } = doc.paths['/v1/things'];
    expect(get!.security).toEqual([{}, { bearer: [] }]);
    expect(post!.security).toEqual([{ bearer: ['a:write'] }, { bearer: ['b:admin'] }]);
    expect(get).not.toHaveProperty('x-public');
    expect(post).not.toHaveProperty('x-permissions');
    expect(get!.description).toBe(
      'List things.\n\nOpen to anonymous callers; credentials, when presented, must be valid and are used.',
    );
    expect(post!.description).toBe('Requires one of the permissions `a:write`, `b:admin`.');
    expect(Object.keys(get!.responses).sort()).toEqual(['200', '400', '401', '404', '429', '500', '503']);
    expect(Object.keys(post!.responses).sort()).toEqual([
      '201',
      '400',
      '401',
      '403',
      '404',
      '409',
      '413',
      '415',
      '429',
      '500',
      '503',
    ]);
    expect(post!.responses['403']).toMatchObject({
      content: { 'application/problem+json': {} },
      headers: { RateLimit: {} },
    });
    expect(get!.responses['200']).toMatchObject({
      description: 'OK',
      headers: { RateLimit: {}, 'RateLimit-Policy': {} },
    });
    expect(doc.components!.schemas!.InDto).toMatchObject({ additionalProperties: false });
    expect(doc.tags).toEqual([{ name: 'things', description: 'Operations on things.' }]);
    expect(doc.servers![0]).toMatchObject({ 'x-internal': false });
  });

  it('declares CORS and rate-limit headers on every response, redirects included', () => {
    const doc = base();
    doc.paths['/v1/go'] = {
      get: {
        operationId: 'Go_redirect',
        'x-public': true,
        responses: {
          '302': {
            description: 'Found',
            headers: { Location: { schema: { type: 'string', format: 'uri' } } },
          },
        },
      } as never,
    };
    applyConventions(doc);
    const found = doc.paths['/v1/go'].get!.responses['302'] as ResponseObject;
    expect(Object.keys(found.headers ?? {}).sort()).toEqual([
      'Access-Control-Allow-Origin',
      'Location',
      'RateLimit',
      'RateLimit-Policy',
    ]);
  });

  it('refuses duplicate operationIds', () => {
    const doc = base();
    (doc.paths['/v1/things'].post as { operationId: string }).operationId = 'Things_list';
    expect(() => applyConventions(doc)).toThrow(
      /operationId Things_list is used by both GET \/v1\/things and POST \/v1\/things/,
    );
  });
});

describe('sortKeys', () => {
  it('sorts object keys at every depth and keeps array order', () => {
    const sorted = sortKeys({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: undefined } });
    expect(JSON.stringify(sorted)).toBe('{"a":{"d":[3,{"y":2,"z":1}]},"b":1}');
  });
});

describe('applyConventions: what the HTTP layer adds (issue 11 §1)', () => {
  const problemRef = { $ref: '#/components/schemas/Problem' };
  const doc = (paths: Record<string, unknown>, schemas: Record<string, unknown> = {}): OpenAPIObject =>
    ({
      openapi: '3.1.0',
      info: { title: 't', version: '1' },
      components: {
        securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
        schemas: {
          Thing: { type: 'object', properties: { id: { type: 'string' } } },
          ThingPage: {
            type: 'object',
            properties: {
              items: { type: 'array', items: { $ref: '#/components/schemas/Thing' } },
              nextCursor: { type: 'string', nullable: true },
            },
          },
          ...schemas,
        },
      },
      paths,
    }) as OpenAPIObject;
  const json = (name: string) => ({
    content: { 'application/json': { schema: { $ref: `#/components/schemas/${name}` } } },
  });
  const facts = (over: Partial<RouteFacts> = {}): RouteFacts => ({
    uuidPathParams: new Map(),
    downloads: new Set(),
    optionalProps: new Map(),
    exactlyOneOf: new Map(),
    rules: new Map(),
    queryClasses: new Map(),
    ...over,
  });
  const responsesOf = (d: OpenAPIObject, path: string, method: 'get' | 'post' | 'put') =>
    d.paths[path][method]!.responses as Record<string, ResponseObject>;

  it('merges header parameters case-insensitively (the declared one wins) and drops Authorization', () => {
    const d = doc({
      '/v1/things/{id}': {
        get: {
          operationId: 'Things_get',
          'x-public': true,
          parameters: [
            { name: 'prefer', in: 'header', required: true, schema: { type: 'string' } },
            {
              name: 'Prefer',
              in: 'header',
              required: false,
              description: 'return=elder',
              schema: { type: 'string' },
            },
            { name: 'authorization', in: 'header', required: true, schema: { type: 'string' } },
          ],
          responses: { '200': { description: 'ok', ...json('Thing') } },
        },
      },
    });
    applyConventions(d);
    const headers = (d.paths['/v1/things/{id}'].get!.parameters ?? []).filter(
      (p) => !('$ref' in p) && p.in === 'header',
    );
    expect(headers).toEqual([
      {
        name: 'Prefer',
        in: 'header',
        required: false,
        description: 'return=elder',
        schema: expect.any(Object),
      },
    ]);
  });

  it('refuses a header read with @Headers() that no decorator declares (it would be documented required)', () => {
    const d = doc({
      '/v1/token': {
        post: {
          operationId: 'OAuth_token',
          'x-public': true,
          parameters: [
            { name: 'x-client-cert-thumbprint', in: 'header', required: true, schema: { type: 'string' } },
          ],
          responses: { '200': { description: 'ok' } },
        },
      },
    });
    expect(() => applyConventions(d)).toThrow(/POST \/v1\/token reads header x-client-cert-thumbprint/);
  });

  it('declares ETag, If-None-Match and 304 on JSON reads, Link on pages, and no 304 on a download', () => {
    const d = doc({
      '/v1/things': {
        get: {
          operationId: 'Things_list',
          'x-public': true,
          responses: { '200': { description: '', ...json('ThingPage') } },
        },
      },
      '/v1/things/{id}': {
        get: {
          operationId: 'Things_get',
          'x-public': true,
          responses: { '200': { description: '', ...json('Thing') } },
        },
      },
      '/v1/things/{id}/content': {
        get: {
          operationId: 'Things_content',
          'x-public': true,
          responses: {
            '200': { description: '', content: { 'application/pdf': { schema: { type: 'string' } } } },
          },
        },
      },
    });
    applyConventions(d, facts({ downloads: new Set(['Things_content']) }));
    const list = responsesOf(d, '/v1/things', 'get');
    expect(Object.keys(list['200'].headers!)).toEqual(expect.arrayContaining(['ETag', 'Link', 'RateLimit']));
    expect(Object.keys(list['304'].headers!)).toEqual(
      expect.arrayContaining(['ETag', 'Link', 'RateLimit', 'RateLimit-Policy']),
    );
    expect(Object.keys(responsesOf(d, '/v1/things/{id}', 'get')['304'].headers!)).not.toContain('Link');
    expect(list['304']).not.toHaveProperty('content');
    expect(d.paths['/v1/things'].get!.parameters).toContainEqual({
      $ref: '#/components/parameters/IfNoneMatch',
    });
    expect(d.components!.parameters!.IfNoneMatch).toMatchObject({
      name: 'If-None-Match',
      in: 'header',
      required: false,
    });
    const one = responsesOf(d, '/v1/things/{id}', 'get');
    expect(Object.keys(one['200'].headers!)).toContain('ETag');
    expect(Object.keys(one['200'].headers!)).not.toContain('Link');
    const content = responsesOf(d, '/v1/things/{id}/content', 'get');
    expect(Object.keys(content['200'].headers!)).toContain('ETag');
    expect(content['304']).toBeUndefined();
  });

  it('declares replays, Location and ETag on a created draft, Retry-After on 409/503, 409/413/415 on writes', () => {
    const d = doc({
      '/v1/things': {
        post: {
          operationId: 'Things_create',
          security: [{ bearer: [] }],
          'x-created': { location: true },
          parameters: [
            {
              name: 'Idempotency-Key',
              in: 'header',
              required: false,
              description: 'key',
              schema: { type: 'string' },
            },
          ],
          requestBody: json('Thing'),
          responses: { '201': { description: 'created', ...json('Thing') }, '409': { description: 'busy' } },
        },
      },
    });
    applyConventions(d, facts());
    const r = responsesOf(d, '/v1/things', 'post');
    expect(Object.keys(r['201'].headers!)).toEqual(
      expect.arrayContaining(['Location', 'ETag', 'Idempotent-Replayed', 'RateLimit']),
    );
    expect(r['409'].headers).toHaveProperty('Retry-After');
    expect(r['503'].headers).toHaveProperty('Retry-After');
    expect(r['503'].content).toEqual({ 'application/problem+json': { schema: problemRef } });
    expect(r['413'].content).toEqual({ 'application/problem+json': { schema: problemRef } });
    expect(r['415'].content).toEqual({ 'application/problem+json': { schema: problemRef } });
    expect(d.paths['/v1/things'].post).not.toHaveProperty('x-created');
    expect(d.components!.headers!.Location).toMatchObject({ schema: { format: 'uri-reference' } });
  });

  it('gives each request content type its own schema (an upload: a form part or the raw bytes)', () => {
    const binary = { type: 'string', format: 'binary', maxLength: 10 };
    const d = doc({
      '/v1/files': {
        post: {
          operationId: 'Files_upload',
          'x-public': true,
          'x-content-schemas': {
            'multipart/form-data': { type: 'object', required: ['file'], properties: { file: binary } },
            '*': binary,
          },
          requestBody: {
            content: {
              'multipart/form-data': { schema: { oneOf: [] } },
              'application/pdf': { schema: { oneOf: [] } },
            },
          },
          responses: { '201': { description: 'created' } },
        },
      },
    });
    applyConventions(d);
    const content = (
      d.paths['/v1/files'].post!.requestBody as { content: Record<string, { schema: unknown }> }
    ).content;
    expect(content['multipart/form-data'].schema).toMatchObject({ type: 'object', required: ['file'] });
    expect(content['application/pdf'].schema).toEqual(binary);
    expect(d.paths['/v1/files'].post).not.toHaveProperty('x-content-schemas');
  });

  it('states what the validators check: UUID path ids, integer/uuid/pattern rules, null through @IsOptional, exactly-one groups', () => {
    const d = doc(
      {
        '/v1/things/{id}': {
          put: {
            operationId: 'Things_update',
            security: [{ bearer: [] }],
            parameters: [
              { name: 'id', in: 'path', required: true, schema: { type: 'string' } },
              { name: 'limit', in: 'query', required: false, schema: { type: 'number' } },
            ],
            requestBody: json('ContactIn'),
            responses: { '200': { description: 'ok' } },
          },
        },
      },
      {
        ContactIn: {
          type: 'object',
          properties: {
            phone: { type: 'string', maxLength: 20 },
            email: { type: 'string', maxLength: 254 },
            ownerId: { type: 'string' },
          },
        },
      },
    );
    applyConventions(
      d,
      facts({
        uuidPathParams: new Map([['Things_update', new Set(['id'])]]),
        queryClasses: new Map([['Things_update', 'ThingQuery']]),
        rules: new Map<string, Map<string, PropertyRules>>([
          ['ThingQuery', new Map([['limit', { integer: true }]])],
          [
            'ContactIn',
            new Map([
              ['phone', { pattern: '^1\\d{10}$' }],
              ['ownerId', { uuid: true }],
            ]),
          ],
        ]),
        optionalProps: new Map([['ContactIn', new Set(['phone', 'email'])]]),
        exactlyOneOf: new Map([['ContactIn', ['phone', 'email']]]),
      }),
    );
    const [id, limit] = d.paths['/v1/things/{id}'].put!.parameters as unknown as {
      schema: Record<string, unknown>;
    }[];
    expect(id.schema).toEqual({ type: 'string', format: 'uuid', minLength: 36, maxLength: 36 });
    expect(limit.schema).toMatchObject({ type: 'integer', format: 'int32' });
    const schema = d.components!.schemas!.ContactIn as {
      properties: Record<string, Record<string, unknown>>;
      oneOf: unknown;
    };
    expect(schema.properties.phone).toEqual({
      type: ['string', 'null'],
      maxLength: 20,
      pattern: '^1\\d{10}$',
    });
    expect(schema.properties.email.type).toEqual(['string', 'null']);
    expect(schema.properties.ownerId).toMatchObject({ type: 'string', format: 'uuid' });
    expect(schema.oneOf).toEqual([
      { required: ['phone'], properties: { phone: { not: { type: 'null' } } } },
      { required: ['email'], properties: { email: { not: { type: 'null' } } } },
    ]);
  });

  it('calls an integer with bounds beyond int32 an int64', () => {
    const n = { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER };
    fillLimits(n);
    expect(n).toMatchObject({ format: 'int64' });
  });
});
