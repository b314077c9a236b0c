import { domainValue, Hints, patternValue } from './domain-values';
import type { Rng } from './prng';

/** The slice of JSON Schema (OpenAPI 3.1 flavour) the generators read. */
export interface Schema {
  $ref?: string;
  type?: string | string[];
  format?: string;
  enum?: unknown[];
  const?: unknown;
  allOf?: Schema[];
  oneOf?: Schema[];
  anyOf?: Schema[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  pattern?: string;
  example?: unknown;
  default?: unknown;
}

export interface Components {
  schemas?: Record<string, Schema>;
  /** not OpenAPI: field name → values that exist in the database (see domain-values.ts) */
  hints?: Hints;
}

/** Follows $ref and single-entry allOf (how @nestjs/swagger wraps enums) until a concrete schema. */
export function resolve(schema: Schema | undefined, components: Components, seen = 0): Schema {
  if (!schema) return {};
  if (seen > 20) return {};
  if (schema.$ref) {
    const name = schema.$ref.replace('#/components/schemas/', '');
    return resolve(components.schemas?.[name], components, seen + 1);
  }
  if (schema.allOf?.length) {
    const merged: Schema = { ...schema, allOf: undefined };
    for (const part of schema.allOf) {
      const r = resolve(part, components, seen + 1);
      Object.assign(merged, r, {
        properties: { ...merged.properties, ...r.properties },
        required: [...(merged.required ?? []), ...(r.required ?? [])],
      });
    }
    return merged;
  }
  if (schema.oneOf?.length) return resolve(schema.oneOf[0], components, seen + 1);
  if (schema.anyOf?.length)
    return resolve(schema.anyOf.find((s) => s.type !== 'null') ?? schema.anyOf[0], components, seen + 1);
  return schema;
}

/** The non-null type of a schema ('object' when it has properties and no type). */
export function typeOf(schema: Schema): string {
  const t = Array.isArray(schema.type) ? schema.type.find((x) => x !== 'null') : schema.type;
  if (t) return t;
  if (schema.properties) return 'object';
  if (schema.items) return 'array';
  if (schema.enum?.length) return typeof schema.enum[0];
  return 'string';
}

/** The generic "no control characters" pattern the conventions put on free text; anything else is specific. */
const isFreeTextPattern = (p: string | undefined) => !p || p.startsWith('^[^\\u0000');

function sampleString(schema: Schema, rng: Rng, name: string | undefined, hints: Hints): string {
  const known = domainValue(name, rng, hints) ?? patternValue(schema.pattern, rng);
  if (known !== undefined) return known;
  if (typeof schema.example === 'string') return schema.example;
  switch (schema.format) {
    case 'uuid':
      return rng.uuid();
    case 'date':
      return `20${rng.between(20, 30)}-0${rng.between(1, 9)}-1${rng.between(0, 9)}`;
    case 'date-time':
      return new Date(Date.UTC(2025, rng.int(12), rng.between(1, 28), rng.int(24))).toISOString();
    case 'email':
      return `fuzz-${rng.word(10)}@example.com`;
    case 'uri':
    case 'url':
      return `https://example.com/${rng.word(6)}`;
    case 'password':
      return `Pw-${rng.word(12)}-9`;
    default:
  }
  if (!isFreeTextPattern(schema.pattern)) {
    // A specific pattern (USCC, 6-digit code, https URL, ...): a plain word usually fails it, which is fine for a fuzzer.
    if (/\\d\{6\}/.test(schema.pattern!)) return String(rng.between(100000, 999999));
    if (/https/.test(schema.pattern!)) return `https://example.com/${rng.word(6)}`;
  }
  const min = schema.minLength ?? 1;
  const max = Math.min(schema.maxLength ?? 24, 24);
  return `fz${rng.word(Math.max(min, Math.min(max, 10)))}`.slice(0, Math.max(min, Math.min(max, 12)));
}

/** A plausible value for `schema`: valid where the schema says enough, close to valid otherwise. */
export function sample(
  schema: Schema | undefined,
  components: Components,
  rng: Rng,
  depth = 0,
  name?: string,
): unknown {
  const s = resolve(schema, components);
  if (s.const !== undefined) return s.const;
  if (s.enum?.length) return rng.pick(s.enum);
  switch (typeOf(s)) {
    case 'string':
      return sampleString(s, rng, name, components.hints ?? {});
    case 'integer': {
      const min = s.minimum ?? 1;
      const max = Math.min(s.maximum ?? min + 100, min + 1000);
      return rng.between(Math.ceil(min), Math.floor(max));
    }
    case 'number':
      return (s.minimum ?? 0) + rng.int(10);
    case 'boolean':
      return rng.chance(0.5);
    case 'array': {
      if (depth > 4) return [];
      const n = Math.max(s.minItems ?? 0, rng.int(3));
      return Array.from({ length: Math.min(n, s.maxItems ?? n) }, () =>
        sample(s.items, components, rng, depth + 1),
      );
    }
    case 'object': {
      if (depth > 4) return {};
      const out: Record<string, unknown> = {};
      const required = new Set(s.required ?? []);
      for (const [name, prop] of Object.entries(s.properties ?? {})) {
        if (required.has(name) || rng.chance(0.6)) out[name] = sample(prop, components, rng, depth + 1, name);
      }
      return out;
    }
    default:
      return null;
  }
}

/** A value of the wrong JSON type for `schema`. */
export function wrongType(schema: Schema, components: Components, rng: Rng): unknown {
  switch (typeOf(resolve(schema, components))) {
    case 'string':
      return rng.pick([12345, true, { a: 1 }, ['x'], -0.5, 'nul\u0000byte', '\ud800lone surrogate']);
    case 'integer':
    case 'number':
      return rng.pick([
        'abc',
        '12',
        true,
        { n: 1 },
        [1],
        1.5,
        2147483648,
        -2147483649,
        Number.MAX_SAFE_INTEGER + 2,
        1e21,
        -0,
      ]);
    case 'boolean':
      return rng.pick(['true', 1, 'yes', {}, [true]]);
    case 'array':
      return rng.pick(['x', 1, { 0: 'x' }, true]);
    default:
      return rng.pick(['x', 1, [], true, [{}]]);
  }
}
