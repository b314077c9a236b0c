import type { OpenAPIObject, ResponseObject } from '@nestjs/swagger';
import {
  applyConventions,
  DEFAULT_MAX_ITEMS,
  DEFAULT_MAX_LENGTH,
  fillLimits,
  removeNullable,
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
    expect(Object.keys(get!.responses).sort()).toEqual(['200', '400', '401', '404', '429', '500']);
    expect(Object.keys(post!.responses).sort()).toEqual(['201', '400', '401', '403', '404', '429', '500']);
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

  it('declares CORS on every response that lists headers, redirects included', () => {
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
    expect(Object.keys(found.headers ?? {}).sort()).toEqual(['Access-Control-Allow-Origin', 'Location']);
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
