import { STATUS_CODES } from 'node:http';
import type {
  HeaderObject,
  OpenAPIObject,
  OperationObject,
  ReferenceObject,
  ResponseObject,
  SchemaObject,
} from '@nestjs/swagger';
import { ErrorCode } from '../errors/error-code';
import { ALLOW_PERMISSIONS_EXTENSION, PUBLIC_EXTENSION } from '../auth/allow.decorator';

/**
 * Turns the document @nestjs/swagger builds into the published contract: RFC 9457 problem
 * responses and rate-limit headers on every operation, explicit optional security on public
 * operations, OpenAPI 3.1 null types instead of `nullable`, and limits on every string, integer
 * and array (Spectral's `spectral:oas` + OWASP API Security ruleset, see .spectral.yaml).
 *
 * Limits belong on the DTOs (@MaxLength, @Matches, @ArrayMaxSize, @Min/@Max, @IsInt): the swagger
 * plugin copies them here. Where a DTO has none yet, `fillLimits` writes the documented platform
 * defaults below, which are a documentation floor, not a validator: prefer fixing the DTO.
 */

/** Default maxLength of a string without one, by format (free text: DEFAULT_MAX_LENGTH). */
export const DEFAULT_MAX_LENGTH = 10_000;
const MAX_LENGTH_BY_FORMAT: Record<string, number> = {
  uuid: 36,
  date: 10,
  'date-time': 64,
  time: 32,
  email: 254,
  uri: 2048,
  'uri-reference': 2048,
  url: 2048,
  ipv4: 15,
  ipv6: 45,
};
/** Default maxItems of an array without one. */
export const DEFAULT_MAX_ITEMS = 1000;
/**
 * Free text: what every input is held to (src/api/errors/unusable-input.ts refuses NUL and lone
 * surrogates in any body or variable; JSON Schema can state the NUL part). Tighten both together.
 */
export const TEXT_PATTERN = '^[^\\u0000]*$';
const PRINTABLE_ASCII = '^[\\x20-\\x7E]*$';

const PROBLEM_JSON = 'application/problem+json';
const PROBLEM_REF = '#/components/schemas/Problem';

const TAG_DESCRIPTIONS: Record<string, string> = {
  platform: 'Liveness and readiness of the platform itself.',
  organisations: 'The directory of agencies, departments, service centres and the regions they serve.',
};

type Node = Record<string, unknown>;
const isNode = (v: unknown): v is Node => typeof v === 'object' && v !== null && !Array.isArray(v);
const ref = (name: string): ReferenceObject => ({ $ref: name });
const isRef = (v: unknown): v is ReferenceObject => isNode(v) && typeof v.$ref === 'string';

function problemSchema(): SchemaObject {
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
      instance: { type: 'string', format: 'uri-reference', maxLength: 2048, description: 'The request path' },
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
              description: 'JSON Pointer (RFC 6901) to the field in the request body',
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

const HEADERS: Record<string, HeaderObject> = {
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
};
const hdr = (name: keyof typeof HEADERS): ReferenceObject => ref(`#/components/headers/${name}`);
const commonHeaders = (): Record<string, ReferenceObject> => ({
  RateLimit: hdr('RateLimit'),
  'RateLimit-Policy': hdr('RateLimit-Policy'),
  'Access-Control-Allow-Origin': hdr('Access-Control-Allow-Origin'),
});

const ERROR_DESCRIPTIONS: Record<string, string> = {
  '400': 'The request is malformed or fails validation (problem+json, `errors[]` per field)',
  '401': 'Missing, invalid or expired credentials (problem+json)',
  '403': 'The caller lacks the permission (problem+json)',
  '404': 'No such resource, or not visible to the caller (problem+json)',
  '429': 'Rate limit exceeded; retry after Retry-After seconds (problem+json)',
  '500': 'Unexpected error; the body carries only a request id (problem+json)',
};

function errorResponse(
  status: string,
  description = ERROR_DESCRIPTIONS[status] ?? 'Error (problem+json)',
): ResponseObject {
  const res: ResponseObject = { description, content: { [PROBLEM_JSON]: { schema: ref(PROBLEM_REF) } } };
  if (status.startsWith('4')) {
    res.headers = commonHeaders();
    if (status === '429') res.headers['Retry-After'] = hdr('Retry-After');
  }
  return res;
}

/** Makes an existing response follow the conventions without losing what the decorators said. */
function completeResponse(status: string, res: ResponseObject): void {
  const code = Number(status);
  if (!res.description) res.description = STATUS_CODES[code] ?? status;
  if (code >= 400 && !res.content) res.content = { [PROBLEM_JSON]: { schema: ref(PROBLEM_REF) } };
  if (/^[24]/.test(status)) {
    res.headers = { ...commonHeaders(), ...(res.headers ?? {}) };
    if (status === '429' && !res.headers['Retry-After']) res.headers['Retry-After'] = hdr('Retry-After');
  }
  // CORS applies to every answer: a response that lists headers (a redirect's Location, say) lists it too.
  if (res.headers && !res.headers['Access-Control-Allow-Origin']) {
    res.headers['Access-Control-Allow-Origin'] = hdr('Access-Control-Allow-Origin');
  }
}

function* operations(doc: OpenAPIObject): Generator<[string, string, OperationObject]> {
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const method of ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const) {
      const op = item[method];
      if (op) yield [path, method, op];
    }
  }
}

function accessNote(isPublic: boolean, permissions: unknown): string {
  if (isPublic) return 'Open to anonymous callers; credentials, when presented, must be valid and are used.';
  if (Array.isArray(permissions) && permissions.length) {
    const list = permissions.map((p) => `\`${String(p)}\``).join(', ');
    return permissions.length === 1
      ? `Requires the permission ${list}.`
      : `Requires one of the permissions ${list}.`;
  }
  return 'Requires authentication.';
}

function completeOperations(doc: OpenAPIObject): void {
  // Public operations accept anonymous callers or any scheme a protected operation accepts.
  const schemeNames = new Set<string>();
  for (const [, , op] of operations(doc))
    for (const s of op.security ?? []) Object.keys(s).forEach((k) => schemeNames.add(k));
  const seenIds = new Map<string, string>();

  for (const [path, method, op] of operations(doc)) {
    const where = `${method.toUpperCase()} ${path}`;
    const ext = op as unknown as Node;
    // @Public wins over @Allow, as in the guard (a class-level @Allow also decorates public methods).
    const isPublic = ext[PUBLIC_EXTENSION] === true || !op.security?.length;
    const permissions = ext[ALLOW_PERMISSIONS_EXTENSION];
    delete ext[PUBLIC_EXTENSION];
    delete ext[ALLOW_PERMISSIONS_EXTENSION];
    const responses = op.responses as Record<string, ResponseObject | ReferenceObject>;
    if (isPublic) {
      op.security = [{}, ...[...schemeNames].map((k) => ({ [k]: [] }))];
      // The 403 a class-level @Allow documented does not apply; a 403 the operation declares itself stays.
      const forbidden = responses['403'];
      if (forbidden && !isRef(forbidden) && forbidden.description === ERROR_DESCRIPTIONS['403'])
        delete responses['403'];
    } else if (Array.isArray(permissions) && permissions.length) {
      // OpenAPI 3.1 lets non-OAuth requirements name roles: one requirement per permission (any of them grants).
      const schemes = [...new Set((op.security ?? []).flatMap((s) => Object.keys(s)))];
      op.security = permissions.flatMap((p) => schemes.map((k) => ({ [k]: [String(p)] })));
    }
    if (op.operationId) {
      const other = seenIds.get(op.operationId);
      if (other)
        throw new Error(`OpenAPI: operationId ${op.operationId} is used by both ${other} and ${where}`);
      seenIds.set(op.operationId, where);
    }
    if (!op.tags?.length)
      op.tags = [path.split('/').find((s) => s && !/^v\d+$/.test(s) && !s.startsWith('{')) ?? 'platform'];
    if (!op.description)
      op.description = [op.summary, accessNote(isPublic, permissions)].filter(Boolean).join('\n\n');

    // 401 applies to public operations too: a presented but invalid token is refused.
    const wanted = ['400', '401', '404', '429', '500', ...(isPublic ? [] : ['403'])];
    for (const status of wanted) if (!responses[status]) responses[status] = errorResponse(status);
    for (const [status, res] of Object.entries(responses)) if (!isRef(res)) completeResponse(status, res);
  }
}

/** OpenAPI 3.1 has no `nullable`: `{type: t, nullable: true}` becomes `{type: [t, 'null']}`. */
export function removeNullable(node: unknown): void {
  if (Array.isArray(node)) return node.forEach(removeNullable);
  if (!isNode(node)) return;
  for (const v of Object.values(node)) removeNullable(v);
  if (typeof node.nullable !== 'boolean') return;
  const nullable = node.nullable;
  delete node.nullable;
  if (!nullable) return;
  if (Array.isArray(node.enum) && !node.enum.includes(null)) node.enum.push(null);
  if (typeof node.type === 'string') node.type = [node.type, 'null'];
  else if (Array.isArray(node.type)) {
    if (!node.type.includes('null')) node.type.push('null');
  } else if ('$ref' in node || 'allOf' in node || 'oneOf' in node || 'anyOf' in node) {
    const { description, ...inner } = node;
    for (const k of Object.keys(node)) delete node[k];
    if (description !== undefined) node.description = description;
    node.anyOf = [inner, { type: 'null' }];
  }
}

const hasType = (node: Node, t: string): boolean =>
  node.type === t || (Array.isArray(node.type) && (node.type as unknown[]).includes(t));

/**
 * Writes the documented defaults where a schema has no limit (same selection as the OWASP
 * ruleset: every object whose `type` is or includes string / integer / array).
 * Returns the JSON paths it filled, so the contract script can list what still needs a DTO fix.
 */
export function fillLimits(node: unknown, path = '$', filled: string[] = []): string[] {
  if (Array.isArray(node)) {
    node.forEach((v, i) => fillLimits(v, `${path}[${i}]`, filled));
    return filled;
  }
  if (!isNode(node)) return filled;
  if (hasType(node, 'string') && !('enum' in node) && !('const' in node)) {
    if (node.maxLength === undefined) {
      node.maxLength = MAX_LENGTH_BY_FORMAT[String(node.format)] ?? DEFAULT_MAX_LENGTH;
      filled.push(`${path} maxLength`);
    }
    if (node.format === undefined && node.pattern === undefined) {
      node.pattern = TEXT_PATTERN;
      filled.push(`${path} pattern`);
    }
  }
  if (hasType(node, 'integer')) {
    const int64 = node.format === 'int64';
    if (node.format === undefined) node.format = 'int32';
    const [min, max] = int64 ? [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER] : [-(2 ** 31), 2 ** 31 - 1];
    if (node.minimum === undefined && node.exclusiveMinimum === undefined) {
      node.minimum = min;
      filled.push(`${path} minimum`);
    }
    if (node.maximum === undefined && node.exclusiveMaximum === undefined) {
      node.maximum = max;
      filled.push(`${path} maximum`);
    }
  }
  if (hasType(node, 'array') && node.maxItems === undefined) {
    node.maxItems = DEFAULT_MAX_ITEMS;
    filled.push(`${path} maxItems`);
  }
  for (const [k, v] of Object.entries(node)) fillLimits(v, `${path}.${k}`, filled);
  return filled;
}

/**
 * Request bodies are validated with `forbidNonWhitelisted`, so unknown properties are refused:
 * the schemas say so with `additionalProperties: false` (schemas used inside an allOf are left
 * open, as a closed member would reject the other members' properties).
 */
function closeRequestSchemas(doc: OpenAPIObject): void {
  const schemas = (doc.components?.schemas ?? {}) as Record<string, unknown>;
  const name = (r: string) => r.replace('#/components/schemas/', '');
  const inAllOf = new Set<string>();
  const collectAllOf = (n: unknown): void => {
    if (Array.isArray(n)) return n.forEach(collectAllOf);
    if (!isNode(n)) return;
    if (Array.isArray(n.allOf)) for (const m of n.allOf) if (isRef(m)) inAllOf.add(name(m.$ref));
    Object.values(n).forEach(collectAllOf);
  };
  collectAllOf(doc);

  const reached = new Set<string>();
  const visit = (n: unknown): void => {
    if (Array.isArray(n)) return n.forEach(visit);
    if (!isNode(n)) return;
    if (isRef(n)) {
      const target = name(n.$ref);
      if (!reached.has(target) && schemas[target]) {
        reached.add(target);
        visit(schemas[target]);
      }
      return;
    }
    Object.values(n).forEach(visit);
  };
  for (const [, , op] of operations(doc)) if (op.requestBody) visit(op.requestBody);

  const close = (n: unknown, isRoot: boolean): void => {
    if (!isNode(n) || isRef(n)) return;
    if (
      n.type === 'object' &&
      isNode(n.properties) &&
      n.additionalProperties === undefined &&
      !(isRoot && n.allOf)
    ) {
      n.additionalProperties = false;
    }
    if (isNode(n.properties)) for (const p of Object.values(n.properties)) close(p, false);
    if (isNode(n.items)) close(n.items, false);
  };
  for (const s of reached) if (!inAllOf.has(s)) close(schemas[s], true);
  // Inline request schemas (not behind a $ref).
  for (const [, , op] of operations(doc)) {
    const body = op.requestBody;
    if (body && !isRef(body))
      for (const media of Object.values(body.content ?? {})) close(media.schema, true);
  }
}

function completeTags(doc: OpenAPIObject): void {
  const used = new Set<string>();
  for (const [, , op] of operations(doc)) for (const t of op.tags ?? []) used.add(t);
  const declared = new Map((doc.tags ?? []).map((t) => [t.name, t]));
  for (const t of used) if (!declared.has(t)) declared.set(t, { name: t });
  for (const t of declared.values()) t.description ??= TAG_DESCRIPTIONS[t.name] ?? `Operations on ${t.name}.`;
  doc.tags = [...declared.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/** Applies every convention in place and returns the JSON paths that got a default limit. */
export function applyConventions(doc: OpenAPIObject): string[] {
  doc.info.contact = { name: 'OneWindow platform team', url: 'https://onewindow.dev' };
  doc.servers = (doc.servers ?? []).map((s) => ({
    ...s,
    description:
      s.description ??
      'The deployment that serves this document (production, staging or local, per PUBLIC_BASE_URL)',
    'x-internal': false,
  }));
  doc.components ??= {};
  const schemes = doc.components.securitySchemes ?? {};
  const bearer = schemes.bearer;
  if (bearer && !isRef(bearer)) {
    bearer.description =
      'Access token (JWS, typ at+jwt, RFC 9068) in the Authorization header. Verification follows RFC8725: ' +
      'an allow-listed algorithm, explicit typing, issuer and audience checked, short lifetime.';
  }
  const apiKey = schemes.apiKey;
  if (apiKey && !isRef(apiKey))
    apiKey.description =
      'API key for integrator systems, sent only in the X-API-Key header (never in the URL).';
  doc.components.schemas = { ...doc.components.schemas, Problem: problemSchema() };
  doc.components.headers = { ...doc.components.headers, ...HEADERS };

  completeOperations(doc);
  closeRequestSchemas(doc);
  removeNullable(doc);
  completeTags(doc);
  return fillLimits(doc);
}

/** Recursively sorts object keys (arrays keep their order), so the committed file diffs cleanly. */
export function sortKeys<T>(value: T): T {
  if (Array.isArray(value)) return value.map(sortKeys) as T;
  if (isNode(value)) {
    const out: Node = {};
    for (const k of Object.keys(value).sort()) if (value[k] !== undefined) out[k] = sortKeys(value[k]);
    return out as T;
  }
  return value;
}
