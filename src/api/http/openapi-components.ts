import type { HeaderObject, SchemaObject } from '@nestjs/swagger';
import { ErrorCode } from '../errors/error-code';
import { TEXT_PATTERN } from './openapi-schema-limits';

// The reusable components the published contract adds (openapi-conventions.ts): the Problem
// schema of every error response and the response headers operations refer to.

/** Header values: visible ASCII only. */
export const PRINTABLE_ASCII = '^[\\x20-\\x7E]*$';

export const PROBLEM_JSON = 'application/problem+json';
export const PROBLEM_REF = '#/components/schemas/Problem';

/** The RFC 9457 problem document every error response carries. */
export function problemSchema(): SchemaObject {
  const text = (maxLength: number, description: string): SchemaObject => ({
    type: 'string',
    maxLength,
    pattern: TEXT_PATTERN,
    description,
  });
  return {
    type: 'object',
    description:
      'RFC 9457 problem details. `type` and `code` are stable and language-neutral; `title` and `detail` follow Accept-Language.',
    required: ['type', 'title', 'status', 'detail', 'code'],
    properties: {
      type: {
        type: 'string',
        format: 'uri',
        maxLength: 2048,
        description: 'Stable URI naming the problem type',
      },
      title: text(200, 'Short, human-readable summary of the problem type'),
      status: {
        type: 'integer',
        format: 'int32',
        minimum: 100,
        maximum: 599,
        description: 'The HTTP status code',
      },
      detail: text(2000, 'Explanation specific to this occurrence'),
      instance: {
        type: 'string',
        format: 'uri-reference',
        maxLength: 2048,
        description:
          'The request path, percent-encoded, cut at 2048 characters (problemInstance in problem.ts)',
      },
      code: {
        type: 'string',
        enum: Object.values(ErrorCode),
        description: 'Machine-readable error code (same vocabulary as GraphQL `extensions.code`)',
      },
      requestId: {
        type: 'string',
        maxLength: 128,
        pattern: '^[A-Za-z0-9._:-]{1,128}$',
        description: 'Echo of X-Request-Id, for support',
      },
      requiredAssurance: {
        type: 'string',
        enum: ['none', 'real_name'],
        description:
          'IDENTITY_ASSURANCE_REQUIRED only: the identity assurance the service needs (real_name: sign in with the national eID or be verified at a counter)',
      },
      errors: {
        type: 'array',
        maxItems: 1000,
        description: 'One entry per failed rule on a field',
        items: {
          type: 'object',
          required: ['pointer', 'code', 'message'],
          properties: {
            pointer: {
              type: 'string',
              format: 'json-pointer',
              maxLength: 512,
              description:
                'JSON Pointer (RFC 6901: `~` as `~0`, `/` as `~1`) to the field in the request; a pointer longer ' +
                'than 512 characters names the nearest ancestor that fits',
            },
            code: {
              type: 'string',
              maxLength: 64,
              pattern: '^[A-Za-z0-9_.-]*$',
              description: 'The rule that failed, e.g. isUuid or maxLength',
            },
            message: text(1000, 'What is wrong with the field'),
          },
        },
      },
    },
  };
}

/** The response headers the conventions reference (components.headers). */
export const HEADERS: Record<string, HeaderObject> = {
  RateLimit: {
    description:
      'Quota left in the current window (draft-ietf-httpapi-ratelimit-headers), e.g. `"default";r=299;t=60`.',
    schema: { type: 'string', maxLength: 256, pattern: PRINTABLE_ASCII },
  },
  'RateLimit-Policy': {
    description: 'The quota policy that applies to the caller, e.g. `"default";q=300;w=60`.',
    schema: { type: 'string', maxLength: 256, pattern: PRINTABLE_ASCII },
  },
  'Retry-After': {
    description: 'Seconds to wait before retrying.',
    schema: { type: 'integer', format: 'int32', minimum: 0, maximum: 86_400 },
  },
  'Access-Control-Allow-Origin': {
    description:
      'Echoes the request Origin when it is on the CORS allowlist (CORS_ORIGINS); absent otherwise. Never `*`.',
    schema: { type: 'string', format: 'uri', maxLength: 2048 },
  },
  ETag: {
    description:
      'Strong validator of the representation: `"v<version>"` for a versioned resource (send it back in ' +
      'If-Match), otherwise a hash of the body. Send it in If-None-Match to be answered 304 when unchanged.',
    schema: { type: 'string', maxLength: 128, pattern: '^(W/)?"[\\x21\\x23-\\x7E]*"$' },
  },
  Link: {
    description: 'The next page of the list, absolute (RFC 8288): `<https://…?cursor=…>; rel="next"`.',
    schema: { type: 'string', maxLength: 16_384, pattern: PRINTABLE_ASCII },
  },
  Location: {
    description: 'The URL of the resource the request created.',
    schema: { type: 'string', format: 'uri-reference', maxLength: 2048 },
  },
  'Idempotent-Replayed': {
    description:
      'Present (`true`) when this answer is the stored answer to an earlier request with the same Idempotency-Key.',
    schema: { type: 'string', enum: ['true'] },
  },
};
