import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';

/**
 * Checks one HTTP answer against the served OpenAPI 3.1 document: the status is listed for the
 * operation (or covered by `default` / `4XX`), the content type is listed for that status, the body
 * is valid against its schema (ajv, JSON Schema 2020-12, $refs resolved against components),
 * required response headers are present, and none of the watched headers appears undeclared.
 */

/** Headers whose presence the document must announce when an answer carries them. */
export const WATCHED_HEADERS = [
  'ETag',
  'Link',
  'Location',
  'Idempotent-Replayed',
  'RateLimit',
  'RateLimit-Policy',
  'Retry-After',
];

export type ViolationKind =
  | 'undocumented status'
  | 'undocumented content type'
  | 'body not JSON'
  | 'body schema'
  | 'missing required header'
  | 'undeclared header'
  | 'header schema';

export interface Violation {
  kind: ViolationKind;
  detail: string;
}

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

type Json = Record<string, unknown>;

interface ResponseObject {
  description?: string;
  headers?: Record<string, Json>;
  content?: Record<string, { schema?: Json }>;
  $ref?: string;
}

interface DocOperation {
  responses?: Record<string, ResponseObject>;
}

export interface OpenApiDocument {
  paths: Record<string, Record<string, unknown>>;
  components?: Record<string, Record<string, Json> | undefined>;
}

const DOC_ID = 'urn:onewindow:openapi';

/** `#/components/…` → the same pointer inside the document registered with ajv. */
function rebase<T>(schema: T): T {
  return JSON.parse(JSON.stringify(schema).replace(/"#\/components\//g, `"${DOC_ID}#/components/`)) as T;
}

export class Conformance {
  private readonly ajv: Ajv2020;
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor(private readonly doc: OpenApiDocument) {
    this.ajv = new Ajv2020({ strict: false, allErrors: false, validateFormats: true });
    addFormats(this.ajv);
    // OpenAPI's own formats (OAS 3.1 §4.4) and those @nestjs/swagger emits.
    const int = (bits: number) => (n: number) =>
      Number.isInteger(n) && n >= -(2 ** (bits - 1)) && n < 2 ** (bits - 1);
    this.ajv.addFormat('int32', { type: 'number', validate: int(32) });
    this.ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isInteger(n) });
    for (const f of ['float', 'double']) this.ajv.addFormat(f, { type: 'number', validate: () => true });
    for (const f of ['password', 'binary', 'byte'])
      this.ajv.addFormat(f, { type: 'string', validate: () => true });
    this.ajv.addSchema({ $id: DOC_ID, components: doc.components ?? {} });
  }

  private operation(method: string, path: string): DocOperation | undefined {
    return this.doc.paths[path]?.[method.toLowerCase()] as DocOperation | undefined;
  }

  private deref<T extends Json | ResponseObject>(obj: T): T {
    let out: Json = obj as Json;
    for (let i = 0; i < 10 && typeof out.$ref === 'string'; i++) {
      const [, section, name] = /^#\/components\/([^/]+)\/(.+)$/.exec(out.$ref) ?? [];
      out = this.doc.components?.[section]?.[name] ?? {};
    }
    return out as T;
  }

  private validator(schema: Json): ValidateFunction {
    // Keyed by the schema itself: most answers share a few (Problem, a page of X).
    const key = JSON.stringify(schema);
    let v = this.compiled.get(key);
    if (!v) {
      v = this.ajv.compile(rebase(schema));
      this.compiled.set(key, v);
    }
    return v;
  }

  /** The documented response for a status: exact, then `4XX`, then `default`. */
  responseFor(method: string, path: string, status: number): [string, ResponseObject] | undefined {
    const responses = this.operation(method, path)?.responses ?? {};
    for (const key of [String(status), `${String(status)[0]}XX`, 'default']) {
      if (responses[key]) return [key, this.deref(responses[key])];
    }
    return undefined;
  }

  check(method: string, path: string, res: Answer): Violation[] {
    const out: Violation[] = [];
    const op = this.operation(method, path);
    if (!op) return [{ kind: 'undocumented status', detail: `${method} ${path} is not in the document` }];
    const found = this.responseFor(method, path, res.status);
    if (!found) {
      const listed = Object.keys(op.responses ?? {}).join(', ');
      return [{ kind: 'undocumented status', detail: `${res.status} (listed: ${listed})` }];
    }
    const [statusKey, response] = found;

    // content type
    const rawType = header(res, 'content-type');
    const mediaType = rawType?.split(';')[0].trim().toLowerCase();
    const content = response.content ?? {};
    const hasBody = res.text !== undefined && res.text.length > 0;
    let schema: Json | undefined;
    if (hasBody || mediaType) {
      const listed = Object.keys(content);
      const match = listed.find((t) => mediaMatches(t, mediaType ?? ''));
      if (!match) {
        out.push({
          kind: 'undocumented content type',
          detail: `${res.status} ${mediaType ?? '(none)'} (listed for ${statusKey}: ${listed.join(', ') || 'no content'})`,
        });
      } else {
        schema = content[match].schema;
      }
    }

    // body schema (JSON media types only)
    if (schema && mediaType && /(^application\/json$|\+json$)/.test(mediaType)) {
      let body: unknown;
      let parsed = true;
      try {
        body = JSON.parse(res.text);
      } catch {
        parsed = false;
        out.push({ kind: 'body not JSON', detail: `${res.status} ${res.text.slice(0, 80)}` });
      }
      if (parsed) {
        const validate = this.validator(schema);
        if (!validate(body)) {
          const e = validate.errors?.[0];
          out.push({
            kind: 'body schema',
            detail: `${res.status} ${e?.instancePath || '/'} ${e?.message ?? ''}${
              e?.params ? ` ${JSON.stringify(e.params).slice(0, 120)}` : ''
            } (schema ${e?.schemaPath ?? ''})`,
          });
        }
      }
    }

    // headers
    const declared = Object.fromEntries(
      Object.entries(response.headers ?? {}).map(([name, h]) => [name.toLowerCase(), this.deref(h)]),
    );
    for (const [name, h] of Object.entries(declared)) {
      const value = header(res, name);
      if (h.required === true && value === undefined)
        out.push({ kind: 'missing required header', detail: `${res.status} ${name}` });
      if (value !== undefined && h.schema) {
        const s = this.deref(h.schema as Json);
        const typed = s.type === 'integer' || s.type === 'number' ? Number(value) : value;
        if ((s.type === 'integer' || s.type === 'number') && !/^-?\d+(\.\d+)?$/.test(value)) {
          out.push({
            kind: 'header schema',
            detail: `${res.status} ${name}: ${value.slice(0, 80)} is not a number`,
          });
        } else if (!this.validator(s)(typed)) {
          out.push({ kind: 'header schema', detail: `${res.status} ${name}: ${value.slice(0, 80)}` });
        }
      }
    }
    for (const name of WATCHED_HEADERS) {
      if (header(res, name) !== undefined && !declared[name.toLowerCase()])
        out.push({ kind: 'undeclared header', detail: `${res.status} ${name}` });
    }
    return out;
  }
}

function header(res: Answer, name: string): string | undefined {
  const v = res.headers[name.toLowerCase()];
  return Array.isArray(v) ? v.join(', ') : v;
}

/** `application/json` matches itself; `image/*` and `*\/*` match their range. */
function mediaMatches(listed: string, actual: string): boolean {
  const l = listed.toLowerCase();
  if (l === actual || l === '*/*') return true;
  return l.endsWith('/*') && actual.startsWith(l.slice(0, -1));
}
