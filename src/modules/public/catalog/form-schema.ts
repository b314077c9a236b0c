import Ajv2020, { ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { FieldError } from '../../../api/errors/domain-error';

/** `x-ui` rendering hints beside any schema: a label (text or per language), an order and a widget. */
const X_UI_META = {
  type: 'object',
  properties: {
    label: {
      anyOf: [
        { type: 'string', maxLength: 200 },
        { type: 'object', additionalProperties: { type: 'string', maxLength: 200 }, maxProperties: 10 },
      ],
    },
    order: { type: 'integer', minimum: 0, maximum: 10000 },
    widget: {
      enum: [
        'text',
        'textarea',
        'select',
        'radio',
        'checkbox',
        'date',
        'number',
        'phone',
        'id-card',
        'address',
        'file',
      ],
    },
    help: { type: 'string', maxLength: 500 },
  },
  additionalProperties: false,
};

/**
 * `x-message` is a service's own wording for a field whose value is wrong (e.g. a `pattern` that no
 * generic message can explain), per language. It replaces the generic message for errors about that
 * field's value, never for a missing field. Checked when the form is saved, like every keyword.
 */
const X_MESSAGE_META = {
  type: 'object',
  properties: {
    'zh-CN': { type: 'string', minLength: 1, maxLength: 200 },
    en: { type: 'string', minLength: 1, maxLength: 200 },
  },
  required: ['zh-CN'],
  additionalProperties: false,
};

/**
 * `x-personal` marks a form field as personal data and says what kind it is. Marked values are kept
 * only encrypted (application.form_personal), masked by kind for staff, and never copied into the
 * case, its events, notifications or a licence. Only a top-level property may carry it: the whole
 * value of that field (text, or an object such as an address) is what gets encrypted.
 */
export const PERSONAL_KINDS = ['nationalId', 'phone', 'email', 'address', 'name'] as const;
export type PersonalKind = (typeof PERSONAL_KINDS)[number];

/**
 * `x-identity` binds a top-level field to the applicant's verified identity (issue 11 §2): for an
 * account whose identity is verified, the field is filled from it and may not be changed. The field
 * must also be marked `x-personal` of the matching kind (kept encrypted like any personal field) and
 * be text; each attribute may be bound once.
 */
export const IDENTITY_ATTRIBUTES = ['realName', 'nationalId'] as const;
export type IdentityAttribute = (typeof IDENTITY_ATTRIBUTES)[number];
const IDENTITY_PERSONAL_KIND: Record<IdentityAttribute, PersonalKind> = {
  realName: 'name',
  nationalId: 'nationalId',
};

/** Larger schemas are refused: a form that big is a mistake, and compiling it costs the server. */
const MAX_SCHEMA_BYTES = 64 * 1024;

/**
 * One ajv per process, strict: unknown keywords (other than x-ui, x-message, x-personal), loose
 * types and `required` without the property all fail at compile. No remote $ref is ever loaded.
 */
function newAjv(): Ajv2020 {
  // verbose: each error carries the schema it comes from, whose label names the field (form-errors.ts).
  const ajv = new Ajv2020({
    strict: true,
    allErrors: true,
    validateFormats: true,
    addUsedSchema: false,
    verbose: true,
  });
  addFormats(ajv);
  ajv.addKeyword({ keyword: 'x-ui', metaSchema: X_UI_META });
  ajv.addKeyword({ keyword: 'x-message', metaSchema: X_MESSAGE_META });
  ajv.addKeyword({ keyword: 'x-personal', metaSchema: { enum: PERSONAL_KINDS } });
  ajv.addKeyword({ keyword: 'x-identity', metaSchema: { enum: IDENTITY_ATTRIBUTES } });
  return ajv;
}

const ajv = newAjv();

export type FormSchemaResult =
  { validate: ValidateFunction; errors: [] } | { validate: null; errors: FieldError[] };

/** Compiles a form schema; problems come back as pointers under `base` (e.g. /draft/form). */
export function compileFormSchema(schema: unknown, base: string): FormSchemaResult {
  const fail = (pointer: string, code: string, message: string): FormSchemaResult => ({
    validate: null,
    errors: [{ pointer, code, message }],
  });
  if (!schema || typeof schema !== 'object' || Array.isArray(schema))
    return fail(base, 'formSchema', 'form must be a JSON Schema object');
  if (JSON.stringify(schema).length > MAX_SCHEMA_BYTES)
    return fail(base, 'formSchema', 'form schema is too large');
  const s = schema as Record<string, unknown>;
  if (s.type !== 'object')
    return fail(`${base}/type`, 'formSchema', 'the form schema must describe an object');
  if ('$id' in s || ('$schema' in s && s.$schema !== 'https://json-schema.org/draft/2020-12/schema'))
    return fail(`${base}/$schema`, 'formSchema', 'only draft 2020-12 schemas without $id are accepted');
  if (!ajv.validateSchema(s)) {
    return {
      validate: null,
      errors: (ajv.errors ?? []).slice(0, 20).map((e) => ({
        pointer: base + e.instancePath,
        code: 'formSchema',
        message: `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`,
      })),
    };
  }
  const misplaced = [...misplacedPersonal(s, base), ...identityBindingErrors(s, base)];
  if (misplaced.length) return { validate: null, errors: misplaced.slice(0, 20) };
  try {
    return { validate: ajv.compile(s), errors: [] };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return fail(base + locate(s, message), 'formSchema', message.slice(0, 300));
  }
}

/** The form's personal fields (top-level property → kind), as marked with `x-personal`. */
export function personalFields(schema: unknown): Map<string, PersonalKind> {
  const fields = new Map<string, PersonalKind>();
  const props = (schema as { properties?: unknown } | null)?.properties;
  if (!props || typeof props !== 'object') return fields;
  for (const [key, sub] of Object.entries(props as Record<string, unknown>)) {
    const kind = (sub as Record<string, unknown> | null)?.['x-personal'];
    if (typeof kind === 'string' && (PERSONAL_KINDS as readonly string[]).includes(kind))
      fields.set(key, kind as PersonalKind);
  }
  return fields;
}

/** The form's fields bound to the verified identity (top-level property → attribute), by `x-identity`. */
export function identityFields(schema: unknown): Map<string, IdentityAttribute> {
  const fields = new Map<string, IdentityAttribute>();
  const props = (schema as { properties?: unknown } | null)?.properties;
  if (!props || typeof props !== 'object') return fields;
  for (const [key, sub] of Object.entries(props as Record<string, unknown>)) {
    const attribute = (sub as Record<string, unknown> | null)?.['x-identity'];
    if (typeof attribute === 'string' && (IDENTITY_ATTRIBUTES as readonly string[]).includes(attribute))
      fields.set(key, attribute as IdentityAttribute);
  }
  return fields;
}

/**
 * `x-identity` must bind a form field: a top-level property (anywhere else there is no field to
 * fill), text, marked `x-personal` of the matching kind, each attribute once.
 */
function identityBindingErrors(schema: Record<string, unknown>, base: string): FieldError[] {
  const errors: FieldError[] = [];
  const refuse = (pointer: string, message: string): void => {
    errors.push({ pointer: `${base}${pointer}/x-identity`, code: 'formSchema', message });
  };
  const props = schema.properties;
  const topLevel = new Set<unknown>(
    props && typeof props === 'object' && !Array.isArray(props) ? Object.values(props) : [],
  );
  const walk = (node: unknown, path: string): void => {
    if (!node || typeof node !== 'object') return;
    if (
      !Array.isArray(node) &&
      'x-identity' in node &&
      !(path.startsWith('/properties/') && topLevel.has(node))
    )
      refuse(path, 'x-identity must bind a form field: a top-level property (/properties/<field>)');
    for (const [k, v] of Object.entries(node)) walk(v, `${path}/${escape(k)}`);
  };
  walk(schema, '');
  const bound = new Map<string, string>();
  for (const [field, attribute] of identityFields(schema)) {
    const sub = (props as Record<string, Record<string, unknown>>)[field];
    const at = `/properties/${escape(field)}`;
    const kind = IDENTITY_PERSONAL_KIND[attribute];
    if (sub['x-personal'] !== kind)
      refuse(at, `a field bound to ${attribute} must be marked "x-personal": "${kind}" (kept encrypted)`);
    if (sub.type !== 'string') refuse(at, `a field bound to ${attribute} must be of type string`);
    const other = bound.get(attribute);
    if (other !== undefined) refuse(at, `${attribute} is already bound to the field "${other}"`);
    else bound.set(attribute, field);
  }
  return errors;
}

/**
 * `x-personal` anywhere but on a top-level property: refused, since only whole top-level values are
 * encrypted, a nested mark would promise protection the store does not give.
 */
function misplacedPersonal(schema: Record<string, unknown>, base: string): FieldError[] {
  const errors: FieldError[] = [];
  const walk = (node: unknown, path: string, topLevelField: boolean): void => {
    if (!node || typeof node !== 'object') return;
    if (!Array.isArray(node) && 'x-personal' in node && !topLevelField)
      errors.push({
        pointer: `${base}${path}/x-personal`,
        code: 'formSchema',
        message: 'x-personal may only mark a top-level property (/properties/<field>)',
      });
    for (const [k, v] of Object.entries(node)) walk(v, `${path}/${escape(k)}`, false);
  };
  for (const [k, v] of Object.entries(schema)) {
    if (k === 'properties' && v && typeof v === 'object' && !Array.isArray(v)) {
      for (const [field, sub] of Object.entries(v)) walk(sub, `/properties/${escape(field)}`, true);
    } else walk(v, `/${escape(k)}`, false);
  }
  return errors.slice(0, 20);
}

/**
 * Finds where a compile complaint (`unknown keyword: "foo"`, `keyword "x-message" value is invalid`)
 * points, for a useful pointer.
 */
function locate(schema: unknown, message: string): string {
  const key = /keyword:? "([^"]+)"/.exec(message)?.[1] ?? /property "([^"]+)"/.exec(message)?.[1];
  // ajv names the schema holding the keyword when it can (`value is invalid at path "#/a"`, `… at
  // "#/a" (strictTypes)`): better than a search by name, which could pick another place.
  const holder = /at (?:path )?"#(\/[^"]*)"/.exec(message)?.[1];
  if (holder !== undefined && key) return `${holder}/${escape(key)}`;
  if (!key) return '';
  const walk = (node: unknown, path: string): string | null => {
    if (!node || typeof node !== 'object') return null;
    if (!Array.isArray(node) && Object.prototype.hasOwnProperty.call(node, key))
      return `${path}/${escape(key)}`;
    for (const [k, v] of Object.entries(node)) {
      const hit = walk(v, `${path}/${escape(k)}`);
      if (hit) return hit;
    }
    return null;
  };
  return walk(schema, '') ?? '';
}

const escape = (k: string): string => k.replace(/~/g, '~0').replace(/\//g, '~1');
