import { STATUS_CODES } from 'node:http';
import type { INestApplication } from '@nestjs/common';
import { INTERCEPTORS_METADATA, ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { ModulesContainer } from '@nestjs/core';
import { getMetadataStorage } from 'class-validator';
import type {
  HeaderObject,
  OpenAPIObject,
  OperationObject,
  ParameterObject,
  ReferenceObject,
  ResponseObject,
  SchemaObject,
} from '@nestjs/swagger';
import { ErrorCode } from '../errors/error-code';
import { ALLOW_PERMISSIONS_EXTENSION, PUBLIC_EXTENSION } from '../auth/allow.decorator';
import { CREATED_EXTENSION } from './created';
import { FileDownloadInterceptor } from './file-download';
import { UuidParam } from './uuid-param';

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
  '409':
    'CONFLICT, INVALID_STATE or INVALID_TRANSITION: the resource is not in a state that allows this, or a ' +
    'concurrent write won (retry) (problem+json)',
  '413': 'PAYLOAD_TOO_LARGE or BODY_TOO_COMPLEX: the body exceeds a size or shape limit (problem+json)',
  '415': 'UNSUPPORTED_MEDIA_TYPE: the body is not in a content type the operation takes (problem+json)',
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
  // The rate-limit guard and CORS run before anything answers: every status carries their headers.
  if (status !== 'default') {
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

/**
 * What the route metadata says and the swagger document cannot see (collectRouteFacts reads it from
 * the running app), by operationId.
 */
export interface RouteFacts {
  /** path parameters checked by the UuidParam pipe (a malformed one is 400) */
  uuidPathParams: Map<string, Set<string>>;
  /** handlers that answer a stored file (@Download: ETag = sha256, no 304) */
  downloads: Set<string>;
  /**
   * By class (= component schema) name, the properties marked @IsOptional: class-validator lets
   * null through them as well as absence, so the request schema must say null.
   */
  optionalProps: Map<string, Set<string>>;
  /** By class name, property groups of which exactly one must be given (@ApiExactlyOneOf) */
  exactlyOneOf: Map<string, string[]>;
  /** By class name, what class-validator checks per property that the schema must say too */
  rules: Map<string, Map<string, PropertyRules>>;
  /** By operationId, the class of its @Query() DTO (its rules apply to the query parameters) */
  queryClasses: Map<string, string>;
}

/** class-validator rules with a JSON Schema twin (the swagger plugin copies only literal arguments). */
export interface PropertyRules {
  pattern?: string;
  uuid?: boolean;
  integer?: boolean;
  /** the rule applies to each item of an array */
  each?: boolean;
}

function rulesOf(metas: { name?: string; propertyName: string; constraints?: unknown[]; each?: boolean }[]) {
  const out = new Map<string, PropertyRules>();
  for (const m of metas) {
    const r = out.get(m.propertyName) ?? {};
    const re = m.constraints?.[0];
    // Only flagless patterns: a `u` pattern (\p{L}) reads differently to a non-Unicode regex engine,
    // which JSON Schema tools may use (Spectral's example check does).
    if (m.name === 'matches' && re instanceof RegExp && re.flags === '') r.pattern = re.source;
    else if (m.name === 'isUuid') r.uuid = true;
    else if (m.name === 'isInt') r.integer = true;
    else continue;
    if (m.each) r.each = true;
    out.set(m.propertyName, r);
  }
  return out;
}

function applyRules(schema: unknown, r: PropertyRules): void {
  if (!isNode(schema) || isRef(schema)) return;
  const target = r.each && isNode(schema.items) ? schema.items : schema;
  if (r.pattern && target.pattern === undefined && hasType(target, 'string')) target.pattern = r.pattern;
  if (r.uuid && target.format === undefined && hasType(target, 'string')) target.format = 'uuid';
  if (r.integer && hasType(target, 'number'))
    target.type = Array.isArray(target.type)
      ? (target.type as unknown[]).map((t) => (t === 'number' ? 'integer' : t))
      : 'integer';
}

const EXACTLY_ONE_OF = 'onewindow:exactly-one-of';

/**
 * Says in the request schema that exactly one of the properties must be given (not null), as the
 * service checks (e.g. contactOf): a `oneOf` of one `required` branch per property. Inherited.
 */
export const ApiExactlyOneOf =
  (...props: string[]): ClassDecorator =>
  (target) =>
    Reflect.defineMetadata(EXACTLY_ONE_OF, props, target);

/** The extension a controller sets to give each request content type its own schema (an upload, say). */
export const CONTENT_SCHEMAS_EXTENSION = 'x-content-schemas';

/** Reads RouteFacts off every controller, with operationIds as openapi.ts names them. */
export function collectRouteFacts(app: INestApplication): RouteFacts {
  const facts: RouteFacts = {
    uuidPathParams: new Map(),
    downloads: new Set(),
    optionalProps: new Map(),
    exactlyOneOf: new Map(),
    rules: new Map(),
    queryClasses: new Map(),
  };
  const storage = getMetadataStorage();
  type Class = abstract new (...args: never[]) => unknown;
  const classes = new Set<Class>(
    (storage as unknown as { validationMetadatas: Map<Class, unknown> }).validationMetadatas.keys(),
  );
  for (const mod of app.get(ModulesContainer).values()) {
    for (const wrapper of mod.controllers.values()) {
      const type = wrapper.metatype as (new (...args: unknown[]) => unknown) | null;
      if (!type || typeof type !== 'function') continue;
      for (const method of Object.getOwnPropertyNames(type.prototype)) {
        if (method === 'constructor') continue;
        const operationId = `${type.name.replace(/Controller$/, '')}_${method}`;
        const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, type, method) ?? {}) as Record<
          string,
          { data?: unknown; pipes?: unknown[] }
        >;
        for (const [key, arg] of Object.entries(args)) {
          if (key.split(':')[0] !== String(RouteParamtypes.PARAM) || typeof arg.data !== 'string') continue;
          if (!arg.pipes?.includes(UuidParam)) continue;
          const names = facts.uuidPathParams.get(operationId) ?? new Set<string>();
          facts.uuidPathParams.set(operationId, names.add(arg.data));
        }
        // Body DTOs without rules of their own (a subclass) are known only from their routes.
        const proto = type.prototype as object;
        const paramTypes = (Reflect.getMetadata('design:paramtypes', proto, method) ?? []) as unknown[];
        for (const [key, arg] of Object.entries(args)) {
          const body = paramTypes[Number(key.split(':')[1])];
          const kind = key.split(':')[0];
          const whole = arg.data === undefined;
          if (typeof body !== 'function' || !whole) continue;
          if (kind === String(RouteParamtypes.BODY)) classes.add(body as Class);
          if (kind === String(RouteParamtypes.QUERY)) {
            classes.add(body as Class);
            facts.queryClasses.set(operationId, (body as Class).name);
          }
        }
        const handler = (proto as Record<string, unknown>)[method];
        const interceptors = (
          typeof handler === 'function' ? Reflect.getMetadata(INTERCEPTORS_METADATA, handler) : undefined
        ) as unknown[] | undefined;
        if (interceptors?.includes(FileDownloadInterceptor)) facts.downloads.add(operationId);
      }
    }
  }
  for (const cls of classes) {
    const metas = storage.getTargetValidationMetadatas(cls, '', true, false);
    const rules = rulesOf(metas);
    if (rules.size) facts.rules.set(cls.name, rules);
    const optional = metas.filter((m) => m.name === 'isOptional').map((m) => m.propertyName);
    if (optional.length) facts.optionalProps.set(cls.name, new Set(optional));
    const exclusive = Reflect.getMetadata(EXACTLY_ONE_OF, cls) as string[] | undefined;
    if (exclusive) facts.exactlyOneOf.set(cls.name, exclusive);
  }
  return facts;
}

const UUID_SCHEMA: SchemaObject = { type: 'string', format: 'uuid', maxLength: 36, minLength: 36 };
const isJsonContent = (res: ResponseObject | ReferenceObject | undefined): res is ResponseObject =>
  !!res && !isRef(res) && !!res.content?.['application/json'];

/** The schema behind a $ref (one level; component schemas do not chain refs here). */
function resolve(doc: OpenAPIObject, schema: unknown): Node | undefined {
  if (isRef(schema)) {
    const name = schema.$ref.replace('#/components/schemas/', '');
    const target = doc.components?.schemas?.[name];
    return isNode(target) ? target : undefined;
  }
  return isNode(schema) ? schema : undefined;
}

/** A keyset page (`{items: [...], nextCursor}`): the Link interceptor adds rel="next" to it. */
function isPageSchema(doc: OpenAPIObject, schema: unknown): boolean {
  const s = resolve(doc, schema);
  const props = s && isNode(s.properties) ? s.properties : undefined;
  return !!props && 'nextCursor' in props && isNode(props.items) && hasType(props.items, 'array');
}

/**
 * Header parameters as a client must send them. Header names are case-insensitive, so a
 * `@Headers('prefer')` beside `@ApiHeader({ name: 'Prefer' })` is one parameter (the declared one);
 * Authorization, Accept and Content-Type are not parameters in OpenAPI (security schemes and media
 * types say them). A header read with @Headers() and never declared would come out required and
 * undocumented: that is refused here, so the controller declares it (@ApiHeader) or reads it
 * outside swagger's view (a proxy-set header a client must not send).
 */
function normaliseHeaderParams(op: OperationObject, where: string): void {
  if (!op.parameters) return;
  const kept: (ParameterObject | ReferenceObject)[] = [];
  const byName = new Map<string, number>();
  for (const p of op.parameters) {
    if (isRef(p) || p.in !== 'header') {
      kept.push(p);
      continue;
    }
    const name = p.name.toLowerCase();
    if (name === 'authorization' || name === 'accept' || name === 'content-type') continue;
    const at = byName.get(name);
    if (at === undefined) {
      byName.set(name, kept.length);
      kept.push(p);
    } else if (!(kept[at] as ParameterObject).description) {
      kept[at] = p;
    }
  }
  for (const i of byName.values()) {
    const p = kept[i] as ParameterObject;
    if (!p.description)
      throw new Error(
        `OpenAPI: ${where} reads header ${p.name} without declaring it (add @ApiHeader with required and description)`,
      );
  }
  op.parameters = kept;
}

const IF_NONE_MATCH = 'IfNoneMatch';
const PARAMETERS: Record<string, ParameterObject> = {
  [IF_NONE_MATCH]: {
    name: 'If-None-Match',
    in: 'header',
    required: false,
    description:
      'ETag(s) of a representation the caller holds (or `*`): when one still matches, the answer is 304 with no body.',
    schema: { type: 'string', maxLength: 1024, pattern: PRINTABLE_ASCII },
  },
};

const withHeaders = (res: ResponseObject, headers: Record<string, ReferenceObject>): void => {
  res.headers = { ...(res.headers ?? {}), ...headers };
};

/**
 * Declares what the HTTP layer adds to an operation, from what the decorators already say, so a new
 * route is documented by the same rules:
 * - EtagInterceptor: a GET answering JSON carries ETag and answers If-None-Match with 304;
 *   a @Download carries the file's ETag;
 * - LinkHeaderInterceptor: a GET answering a page carries Link rel="next";
 * - @Idempotent (its Idempotency-Key header): a 2xx may be a replay (Idempotent-Replayed); its 409
 *   (key in flight) says Retry-After;
 * - @Created: the 201 carries Location and ETag;
 * - 503 (database or dependency unavailable, with Retry-After) on every operation;
 * - UuidParam path parameters are UUIDs; a route's own content schemas (CONTENT_SCHEMAS_EXTENSION).
 */
function declareHttpBehaviour(doc: OpenAPIObject, facts: RouteFacts | undefined): void {
  doc.components ??= {};
  doc.components.parameters = { ...doc.components.parameters, ...PARAMETERS };
  for (const [path, method, op] of operations(doc)) {
    const where = `${method.toUpperCase()} ${path}`;
    normaliseHeaderParams(op, where);
    const ext = op as unknown as Node;
    const responses = op.responses as Record<string, ResponseObject | ReferenceObject>;

    const queryClass = op.operationId ? facts?.queryClasses.get(op.operationId) : undefined;
    const queryRules = queryClass ? facts?.rules.get(queryClass) : undefined;
    for (const p of op.parameters ?? []) {
      const r = !isRef(p) && p.in === 'query' ? queryRules?.get(p.name) : undefined;
      if (r && !isRef(p)) applyRules(p.schema, r);
    }
    const uuids = op.operationId ? facts?.uuidPathParams.get(op.operationId) : undefined;
    for (const p of op.parameters ?? [])
      if (!isRef(p) && p.in === 'path' && uuids?.has(p.name)) p.schema = { ...UUID_SCHEMA };

    const bySchema = ext[CONTENT_SCHEMAS_EXTENSION];
    delete ext[CONTENT_SCHEMAS_EXTENSION];
    if (isNode(bySchema) && op.requestBody && !isRef(op.requestBody)) {
      for (const [type, media] of Object.entries(op.requestBody.content)) {
        const schema = bySchema[type] ?? bySchema['*'];
        if (isNode(schema)) media.schema = structuredClone(schema);
      }
    }

    const ok = responses['200'];
    if ((method === 'get' || method === 'head') && isJsonContent(ok)) {
      withHeaders(ok, { ETag: hdr('ETag') });
      const paged = isPageSchema(doc, ok.content!['application/json'].schema);
      if (paged) withHeaders(ok, { Link: hdr('Link') });
      // A 304 keeps the headers the 200 set before the tag matched: a page's Link among them.
      responses['304'] ??= {
        description: 'Not Modified: the If-None-Match tag still matches (no body)',
        headers: { ETag: hdr('ETag'), ...(paged ? { Link: hdr('Link') } : {}) },
      };
      op.parameters = [...(op.parameters ?? []), ref(`#/components/parameters/${IF_NONE_MATCH}`)];
    } else if (ok && !isRef(ok) && op.operationId && facts?.downloads.has(op.operationId)) {
      withHeaders(ok, { ETag: hdr('ETag') });
    }

    const created = responses['201'];
    if (ext[CREATED_EXTENSION] !== undefined && created && !isRef(created))
      withHeaders(created, { Location: hdr('Location'), ETag: hdr('ETag') });
    delete ext[CREATED_EXTENSION];

    const idempotent = (op.parameters ?? []).some(
      (p) => !isRef(p) && p.in === 'header' && p.name === 'Idempotency-Key',
    );
    for (const [status, res] of Object.entries(responses)) {
      if (isRef(res)) continue;
      if (idempotent && /^2/.test(status))
        withHeaders(res, { 'Idempotent-Replayed': hdr('Idempotent-Replayed') });
      if (idempotent && status === '409') withHeaders(res, { 'Retry-After': hdr('Retry-After') });
    }
    // A body in another content type is 415, one beyond the body limits 413 (input-guard.ts, body-shape.ts).
    if (op.requestBody)
      for (const status of ['413', '415']) if (!responses[status]) responses[status] = errorResponse(status);
    // Any write can lose a race (a unique index, a serialisation failure) or find the wrong state.
    if (method !== 'get' && method !== 'head' && !responses['409']) responses['409'] = errorResponse('409');
    responses['503'] ??= {
      description:
        'A dependency (the database, a pool) is unavailable; retry after Retry-After (problem+json)',
      content: { [PROBLEM_JSON]: { schema: ref(PROBLEM_REF) } },
    };
    const unavailable = responses['503'];
    if (!isRef(unavailable)) withHeaders(unavailable, { 'Retry-After': hdr('Retry-After') });
  }
  declareRequestRules(doc, facts);
}

/** Component schema names a request body reaches, through $refs at any depth. */
function requestSchemaNames(doc: OpenAPIObject): Set<string> {
  const schemas = (doc.components?.schemas ?? {}) as Record<string, unknown>;
  const reached = new Set<string>();
  const visit = (n: unknown): void => {
    if (Array.isArray(n)) return n.forEach(visit);
    if (!isNode(n)) return;
    if (isRef(n)) {
      const target = n.$ref.replace('#/components/schemas/', '');
      if (!reached.has(target) && schemas[target]) {
        reached.add(target);
        visit(schemas[target]);
      }
      return;
    }
    Object.values(n).forEach(visit);
  };
  for (const [, , op] of operations(doc)) if (op.requestBody) visit(op.requestBody);
  return reached;
}

/**
 * Request body schemas say what their validators check: the rules in PropertyRules, exactly-one
 * groups, and null on an @IsOptional property (class-validator skips the other rules for null as
 * for absence). A property that must not be null
 * uses @ValidateIf((_, v) => v !== undefined) instead of @IsOptional.
 */
function declareRequestRules(doc: OpenAPIObject, facts: RouteFacts | undefined): void {
  if (!facts) return;
  const schemas = (doc.components?.schemas ?? {}) as Record<string, unknown>;
  for (const name of requestSchemaNames(doc)) {
    const schema = schemas[name];
    const rules = facts.rules.get(name);
    if (rules && isNode(schema) && isNode(schema.properties))
      for (const [prop, r] of rules) applyRules(schema.properties[prop], r);
    const exclusive = facts.exactlyOneOf.get(name);
    if (exclusive && isNode(schema))
      schema.oneOf = exclusive.map((prop) => ({
        required: [prop],
        properties: { [prop]: { not: { type: 'null' } } },
      }));
    const optional = facts.optionalProps.get(name);
    if (!optional || !isNode(schema) || !isNode(schema.properties)) continue;
    for (const [prop, p] of Object.entries(schema.properties)) {
      if (!optional.has(prop) || !isNode(p) || p.nullable !== undefined) continue;
      if (hasType(p, 'null') || (Array.isArray(p.enum) && p.enum.includes(null))) continue;
      p.nullable = true;
    }
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
    // A bound beyond int32 (a bigint sequence, say) makes it an int64, never an int32 with a wider range.
    const wide = [node.minimum, node.maximum].some((b) => typeof b === 'number' && Math.abs(b) > 2 ** 31);
    if (node.format === undefined) node.format = wide ? 'int64' : 'int32';
    const int64 = node.format === 'int64';
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
export function applyConventions(doc: OpenAPIObject, facts?: RouteFacts): string[] {
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

  declareHttpBehaviour(doc, facts);
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
