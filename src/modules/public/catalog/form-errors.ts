import type { ErrorObject } from 'ajv/dist/2020';
import type { Language } from '../../../api/context/request-context';
import type { FieldError } from '../../../api/errors/domain-error';

/**
 * ajv's errors on an application form, turned into what a citizen reads: one field error per
 * problem, with a stable code `form.<keyword>` (clients may key on it) and a message in the caller's
 * language naming the field by its label and giving the limit. Raw ajv text (English, with regexes)
 * never reaches the caller. Needs ajv's `verbose` option, for the schema each error comes from.
 */

type Schema = Record<string, unknown>;

/**
 * Message templates per language. `{field}` is the field's name (quoted label, or "this field"),
 * `{other}` a second field's name; the rest are the keyword's limits. Keys are `keyword` or
 * `keyword.variant` (a format, a type, a special case); a missing variant falls back to the keyword.
 */
export const FORM_TEXT: Record<Language, Record<string, string>> = {
  'zh-CN': {
    named: '“{name}”',
    unnamed: '此项',
    required: '请填写{field}',
    'type.string': '{field}须为文本',
    'type.number': '{field}须为数字',
    'type.integer': '{field}须为整数',
    'type.boolean': '{field}须为“是”或“否”',
    'type.array': '{field}须为列表',
    'type.object': '{field}须为一组信息',
    'type.null': '{field}须留空',
    type: '{field}的填写方式不正确',
    pattern: '{field}的格式不正确',
    format: '{field}的格式不正确',
    'format.email': '{field}须为有效的电子邮箱地址',
    'format.date': '{field}须为有效的日期，如 2025-06-01',
    'format.time': '{field}须为有效的时间，如 08:30:00+08:00',
    'format.date-time': '{field}须为有效的日期和时间，如 2025-06-01 08:30:00+08:00',
    'format.uri': '{field}须为有效的网址',
    'format.hostname': '{field}须为有效的域名',
    'format.ip': '{field}须为有效的 IP 地址',
    'format.uuid': '{field}须为有效的 UUID',
    'format.duration': '{field}须为有效的时长',
    'format.number': '{field}须为有效的数字',
    minLength: '{field}至少须填写 {limit} 个字符',
    maxLength: '{field}最多只能填写 {limit} 个字符',
    minimum: '{field}不得小于 {limit}',
    maximum: '{field}不得大于 {limit}',
    exclusiveMinimum: '{field}须大于 {limit}',
    exclusiveMaximum: '{field}须小于 {limit}',
    formatMinimum: '{field}不得早于 {limit}',
    formatMaximum: '{field}不得晚于 {limit}',
    formatExclusiveMinimum: '{field}须晚于 {limit}',
    formatExclusiveMaximum: '{field}须早于 {limit}',
    multipleOf: '{field}须为 {limit} 的整数倍',
    enum: '{field}须为以下之一：{values}',
    'enum.many': '{field}的取值不在可选范围内',
    const: '{field}须为 {value}',
    'const.true': '须勾选{field}',
    minItems: '{field}至少须有 {limit} 项',
    maxItems: '{field}最多只能有 {limit} 项',
    uniqueItems: '{field}的第 {j} 项与第 {i} 项重复',
    minProperties: '{field}至少须填写 {limit} 项',
    maxProperties: '{field}最多只能填写 {limit} 项',
    additionalProperties: '此表单中没有这一项',
    anyOf: '{field}不符合任何一种可选的填写方式',
    'oneOf.many': '{field}同时符合多种填写方式，只能符合其中一种',
    not: '{field}的取值不被允许',
    dependentRequired: '填写了{other}时，还须填写{field}',
    if: '{field}不符合所选情形下的要求',
    contains: '{field}中至少须有 {limit} 项符合要求',
    'contains.range': '{field}中符合要求的项须为 {min} 至 {max} 项',
    propertyNames: '{field}中有名称不符合要求的项',
    notAllowed: '不允许填写此项',
    invalid: '{field}填写有误',
    locked: '{field}已按您的实名认证信息填写，不能修改',
  },
  en: {
    named: '{name}',
    unnamed: 'This field',
    required: '{field} is required',
    'type.string': '{field} must be text',
    'type.number': '{field} must be a number',
    'type.integer': '{field} must be a whole number',
    'type.boolean': '{field} must be yes or no',
    'type.array': '{field} must be a list',
    'type.object': '{field} must be a group of fields',
    'type.null': '{field} must be left empty',
    type: '{field} is of the wrong kind',
    pattern: '{field} is not in a valid format',
    format: '{field} is not in a valid format',
    'format.email': '{field} must be a valid e-mail address',
    'format.date': '{field} must be a valid date, such as 2025-06-01',
    'format.time': '{field} must be a valid time, such as 08:30:00+08:00',
    'format.date-time': '{field} must be a valid date and time, such as 2025-06-01 08:30:00+08:00',
    'format.uri': '{field} must be a valid web address',
    'format.hostname': '{field} must be a valid domain name',
    'format.ip': '{field} must be a valid IP address',
    'format.uuid': '{field} must be a valid UUID',
    'format.duration': '{field} must be a valid duration',
    'format.number': '{field} must be a valid number',
    minLength: '{field} must be at least {limit} character{s}',
    maxLength: '{field} must be at most {limit} character{s}',
    minimum: '{field} must be at least {limit}',
    maximum: '{field} must be at most {limit}',
    exclusiveMinimum: '{field} must be greater than {limit}',
    exclusiveMaximum: '{field} must be less than {limit}',
    formatMinimum: '{field} must not be before {limit}',
    formatMaximum: '{field} must not be after {limit}',
    formatExclusiveMinimum: '{field} must be after {limit}',
    formatExclusiveMaximum: '{field} must be before {limit}',
    multipleOf: '{field} must be a multiple of {limit}',
    enum: '{field} must be one of: {values}',
    'enum.many': '{field} is not one of the allowed values',
    const: '{field} must be {value}',
    'const.true': '{field} must be accepted',
    minItems: '{field} must have at least {limit} item{s}',
    maxItems: '{field} must have at most {limit} item{s}',
    uniqueItems: 'Items {j} and {i} of {field} are the same',
    minProperties: '{field} must have at least {limit} entr{ies}',
    maxProperties: '{field} must have at most {limit} entr{ies}',
    additionalProperties: 'This form has no such field',
    anyOf: '{field} does not match any of the allowed ways to fill it in',
    'oneOf.many':
      '{field} matches more than one of the allowed ways to fill it in; it must match exactly one',
    not: '{field} has a value that is not allowed',
    dependentRequired: '{field} is required when {other} is filled in',
    if: '{field} does not meet the requirements for the chosen case',
    contains: '{field} must have at least {limit} matching item{s}',
    'contains.range': '{field} must have {min} to {max} matching items',
    propertyNames: '{field} has entries whose names are not allowed',
    notAllowed: 'This field is not allowed',
    invalid: '{field} is not valid',
    locked: '{field} is filled from your verified identity and cannot be changed',
  },
};

/** Formats grouped under one message (ajv-formats names → the FORM_TEXT variant). */
const FORMAT_GROUP: Record<string, string> = {
  email: 'email',
  'idn-email': 'email',
  date: 'date',
  time: 'time',
  'iso-time': 'time',
  'date-time': 'date-time',
  'iso-date-time': 'date-time',
  uri: 'uri',
  url: 'uri',
  iri: 'uri',
  'uri-reference': 'uri',
  'iri-reference': 'uri',
  hostname: 'hostname',
  'idn-hostname': 'hostname',
  ipv4: 'ip',
  ipv6: 'ip',
  uuid: 'uuid',
  duration: 'duration',
  int32: 'number',
  int64: 'number',
  float: 'number',
  double: 'number',
};

/** Keywords whose error is about a sub-field (the pointer names it), not the value at the schema. */
const ABOUT_CHILD = new Set([
  'required',
  'additionalProperties',
  'unevaluatedProperties',
  'dependentRequired',
]);

/** At most this many enum values are listed; beyond, the message just says "not allowed". */
const ENUM_LISTED = 10;

/** An error inside an anyOf/oneOf branch, a `contains` or a `propertyNames` subschema. */
const IN_BRANCH = /\/(?:(?:anyOf|oneOf)\/\d+|contains|propertyNames)\//;

/**
 * ajv reports, besides an anyOf/oneOf, contains or propertyNames failure itself, why each branch or
 * item failed ("must be integer", "must match pattern"): noise to a citizen, who gets the one
 * message naming the field instead.
 */
export function formErrors(errors: ErrorObject[] | null | undefined, lang: Language): FieldError[] {
  return (errors ?? []).filter((e) => !IN_BRANCH.test(e.schemaPath)).map((e) => formError(e, lang));
}

function formError(e: ErrorObject, lang: Language): FieldError {
  const text = FORM_TEXT[lang];
  const parent = (e.parentSchema ?? {}) as Schema;
  const p = e.params as Record<string, unknown>;
  const say = (key: string, vars: Record<string, string | number> = {}, fieldSchema: Schema = parent) => {
    const base = key.split('.')[0];
    const template = text[key] ?? text[base] ?? text.invalid;
    const own = ABOUT_CHILD.has(base) ? null : customMessage(parent, lang);
    const field = fieldName(fieldSchema, lang);
    const all: Record<string, string | number> = { field, ...plural(vars.limit), ...vars };
    return own ?? fill(template, all);
  };
  const at = (pointer: string, code: string, message: string): FieldError => ({
    pointer,
    code: `form.${code}`,
    message,
  });
  const here = e.instancePath || '/';
  switch (e.keyword) {
    case 'required': {
      const missing = String(p.missingProperty);
      const sub = propertySchema(parent, missing);
      return at(`${e.instancePath}/${escape(missing)}`, 'required', say('required', {}, sub));
    }
    case 'additionalProperties':
    case 'unevaluatedProperties': {
      const extra = String(p.additionalProperty ?? p.unevaluatedProperty);
      return at(`${e.instancePath}/${escape(extra)}`, e.keyword, say('additionalProperties'));
    }
    case 'dependentRequired': {
      const missing = propertySchema(parent, String(p.missingProperty));
      const other = fieldName(propertySchema(parent, String(p.property)), lang);
      return at(here, 'dependentRequired', say('dependentRequired', { other }, missing));
    }
    case 'type': {
      const type = String(p.type).split(',')[0];
      return at(here, 'type', say(`type.${type}`));
    }
    case 'format': {
      const group = FORMAT_GROUP[String(p.format)] ?? '';
      return at(here, 'format', say(group ? `format.${group}` : 'format'));
    }
    case 'enum': {
      const allowed = (p.allowedValues as unknown[] | undefined) ?? [];
      if (allowed.length > ENUM_LISTED) return at(here, 'enum', say('enum.many'));
      return at(here, 'enum', say('enum', { values: allowed.map(show).join(lang === 'en' ? ', ' : '、') }));
    }
    case 'const':
      return at(
        here,
        'const',
        say(p.allowedValue === true ? 'const.true' : 'const', { value: show(p.allowedValue) }),
      );
    case 'uniqueItems':
      // ajv counts from 0; people count from 1.
      return at(here, 'uniqueItems', say('uniqueItems', { i: Number(p.i) + 1, j: Number(p.j) + 1 }));
    case 'oneOf':
      return at(here, 'oneOf', say(p.passingSchemas ? 'oneOf.many' : 'anyOf'));
    case 'contains': {
      const [min, max] = [Number(p.minContains ?? 1), p.maxContains];
      if (max === undefined) return at(here, 'contains', say('contains', { limit: min }));
      return at(here, 'contains', say('contains.range', { min, max: Number(max) }));
    }
    case 'false schema':
      return at(here, 'notAllowed', say('notAllowed'));
    case 'multipleOf':
      return at(here, 'multipleOf', say('multipleOf', { limit: show(p.multipleOf) }));
    default: {
      // minLength, maximum, minItems, formatMinimum, …: ajv gives the bound as params.limit.
      const known = Object.hasOwn(text, e.keyword);
      const vars: Record<string, string> = p.limit === undefined ? {} : { limit: show(p.limit) };
      return at(here, known ? e.keyword : 'invalid', say(known ? e.keyword : 'invalid', vars));
    }
  }
}

/**
 * `form.locked`: a field bound to the verified identity (`x-identity`) was given another value.
 * `pointer` is where the field sits in the request (e.g. /formData/name).
 */
export function lockedFieldError(
  pointer: string,
  fieldSchema: Schema | undefined,
  lang: Language,
): FieldError {
  return {
    pointer,
    code: 'form.locked',
    message: fill(FORM_TEXT[lang].locked, { field: fieldName(fieldSchema, lang) }),
  };
}

/** The field's name for a message: its label in the caller's language, else its title, else "this field". */
export function fieldName(schema: Schema | undefined, lang: Language): string {
  const text = FORM_TEXT[lang];
  const ui = schema?.['x-ui'] as { label?: unknown } | undefined;
  const label = ui?.label;
  const byLang = label && typeof label === 'object' ? (label as Record<string, unknown>) : null;
  const candidates = [
    byLang?.[lang],
    typeof label === 'string' ? label : undefined,
    schema?.title,
    ...(byLang ? Object.values(byLang) : []),
  ];
  const name = candidates.find((c): c is string => typeof c === 'string' && c.trim() !== '');
  return name ? fill(text.named, { name: name.trim() }) : text.unnamed;
}

/** The service's own message for the field (`x-message`), in the caller's language, if it gave one. */
function customMessage(schema: Schema, lang: Language): string | null {
  const own = schema['x-message'] as Record<string, unknown> | undefined;
  const message = own?.[lang];
  return typeof message === 'string' && message.trim() ? message : null;
}

function propertySchema(schema: Schema, key: string): Schema | undefined {
  const props = schema.properties as Record<string, Schema> | undefined;
  return props && Object.hasOwn(props, key) ? props[key] : undefined;
}

/** English plural endings for the limit, so "1 character" and "2 characters" both read right. */
function plural(limit: string | number | undefined): Record<string, string> {
  const one = Number(limit) === 1;
  return { s: one ? '' : 's', ies: one ? 'y' : 'ies' };
}

function show(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

function fill(template: string, vars: Record<string, string | number>): string {
  const filled = template.replace(/\{(\w+)\}/g, (_, k: string) => String(vars[k] ?? ''));
  return filled.charAt(0).toUpperCase() + filled.slice(1);
}

const escape = (k: string): string => k.replace(/~/g, '~0').replace(/\//g, '~1');
