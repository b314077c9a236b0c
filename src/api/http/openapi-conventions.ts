import { STATUS_CODES } from 'node:http';
import type {
  OpenAPIObject,
  OperationObject,
  ParameterObject,
  ReferenceObject,
  ResponseObject,
  SchemaObject,
} from '@nestjs/swagger';
import { ALLOW_PERMISSIONS_EXTENSION, PUBLIC_EXTENSION } from '../auth/allow.decorator';
import { CREATED_EXTENSION } from './created';
import { CONTENT_SCHEMAS_EXTENSION, PropertyRules, RouteFacts } from './openapi-route-facts';
import { fillLimits, hasType, removeNullable } from './openapi-schema-limits';
import { HEADERS, PRINTABLE_ASCII, PROBLEM_JSON, PROBLEM_REF, problemSchema } from './openapi-components';

// Moved to openapi-route-facts.ts; re-exported for openapi.ts, the DTOs and controllers that use them.
export { ApiExactlyOneOf, CONTENT_SCHEMAS_EXTENSION, collectRouteFacts } from './openapi-route-facts';
export type { PropertyRules, RouteFacts } from './openapi-route-facts';
export {
  DEFAULT_MAX_ITEMS,
  DEFAULT_MAX_LENGTH,
  fillLimits,
  removeNullable,
  TEXT_PATTERN,
} from './openapi-schema-limits';

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

const TAG_DESCRIPTIONS: Record<string, string> = {
  platform: 'Liveness and readiness of the platform itself.',
  organisations: 'The directory of agencies, departments, service centres and the regions they serve.',
};

type Node = Record<string, unknown>;
const isNode = (v: unknown): v is Node => typeof v === 'object' && v !== null && !Array.isArray(v);
const ref = (name: string): ReferenceObject => ({ $ref: name });
const isRef = (v: unknown): v is ReferenceObject => isNode(v) && typeof v.$ref === 'string';

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
