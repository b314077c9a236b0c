import Ajv2020, { ErrorObject, ValidateFunction } from 'ajv/dist/2020';
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

/** Larger schemas are refused: a form that big is a mistake, and compiling it costs the server. */
const MAX_SCHEMA_BYTES = 64 * 1024;

/**
 * One ajv per process, strict: unknown keywords (other than x-ui), loose types and `required`
 * without the property all fail at compile. No remote $ref is ever loaded (no loadSchema).
 */
function newAjv(): Ajv2020 {
  const ajv = new Ajv2020({ strict: true, allErrors: true, validateFormats: true, addUsedSchema: false });
  addFormats(ajv);
  ajv.addKeyword({ keyword: 'x-ui', metaSchema: X_UI_META });
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
  try {
    return { validate: ajv.compile(s), errors: [] };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return fail(base + locate(s, message), 'formSchema', message.slice(0, 300));
  }
}

/** Finds where a strict-mode complaint (`unknown keyword: "foo"`) points, for a useful pointer. */
function locate(schema: unknown, message: string): string {
  const key = /keyword: "([^"]+)"/.exec(message)?.[1] ?? /property "([^"]+)"/.exec(message)?.[1];
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

/** ajv's errors as pointers into the submitted data; `required` points at the missing field. */
export function formErrors(errors: ErrorObject[] | null | undefined): { pointer: string; message: string }[] {
  return (errors ?? []).map((e) => {
    if (e.keyword === 'required') {
      const missing = (e.params as { missingProperty: string }).missingProperty;
      return { pointer: `${e.instancePath}/${escape(missing)}`, message: 'is required' };
    }
    if (e.keyword === 'additionalProperties') {
      const extra = (e.params as { additionalProperty: string }).additionalProperty;
      return { pointer: `${e.instancePath}/${escape(extra)}`, message: 'is not a field of this form' };
    }
    return { pointer: e.instancePath || '/', message: e.message ?? 'is invalid' };
  });
}
