import { GraphQLError, GraphQLScalarType, Kind, valueFromASTUntyped, type ValueNode } from 'graphql';

/**
 * The custom scalars of the schema. Values travel exactly as REST's JSON carries them: a DateTime
 * is the same string REST prints (Date objects become `toISOString()`), a JSONObject is the same
 * object. Inputs reach resolvers as the string (or object) the client sent, once checked, so the
 * services and their class-validator rules see what a REST body would give them.
 */

/** RFC 3339 §5.6 date-time: full date, `T`, time with seconds, optional fraction, `Z` or an offset. */
const RFC3339_DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|[+-](\d{2}):(\d{2}))$/;
/** RFC 3339 full-date. */
const RFC3339_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function isRealDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  return day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** True for an RFC 3339 date-time naming a real instant (no 24:00, 02-30 or 25:61). */
export function isRfc3339DateTime(value: string): boolean {
  const m = RFC3339_DATE_TIME.exec(value);
  if (!m) return false;
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number);
  if (!isRealDate(y, mo, d) || h > 23 || mi > 59 || s > 59) return false;
  if (m[9] !== undefined && (Number(m[9]) > 23 || Number(m[10]) > 59)) return false;
  return !Number.isNaN(Date.parse(value));
}

/** True for an RFC 3339 full-date naming a real day. */
export function isRfc3339Date(value: string): boolean {
  const m = RFC3339_DATE.exec(value);
  return m !== null && isRealDate(Number(m[1]), Number(m[2]), Number(m[3]));
}

/** A rejected input: graphql-js reports it as BAD_USER_INPUT, which format-error.ts answers as VALIDATION_FAILED. */
const invalid = (message: string): GraphQLError => new GraphQLError(message);

function stringScalar(
  name: string,
  description: string,
  check: (value: string) => boolean,
  expected: string,
  fromDate?: (value: Date) => string,
): GraphQLScalarType<string, string> {
  const parse = (value: unknown): string => {
    if (typeof value !== 'string' || !check(value)) throw invalid(`${name} must be ${expected}`);
    return value;
  };
  return new GraphQLScalarType<string, string>({
    name,
    description,
    specifiedByURL: 'https://www.rfc-editor.org/rfc/rfc3339#section-5.6',
    serialize: (value) => {
      if (fromDate && value instanceof Date && !Number.isNaN(value.getTime())) return fromDate(value);
      // an output that breaks the contract is a server bug: it fails the field, never goes out malformed
      if (typeof value !== 'string' || !check(value))
        throw new TypeError(`${name} cannot represent ${String(value)}`);
      return value;
    },
    parseValue: parse,
    parseLiteral: (ast: ValueNode) => {
      if (ast.kind !== Kind.STRING) throw invalid(`${name} must be ${expected}`);
      return parse(ast.value);
    },
  });
}

/** Instants: RFC 3339 date-time with `Z` or an offset (REST's `format: date-time`). */
export const DateTimeScalar = stringScalar(
  'DateTime',
  'An instant: RFC 3339 date-time with Z or an offset, e.g. 2026-03-01T08:00:00.000Z; the same string REST returns.',
  isRfc3339DateTime,
  'an RFC 3339 date-time with Z or an offset, e.g. 2026-03-01T08:00:00Z',
  (d) => d.toISOString(),
);

/** Calendar days without a time or zone: holidays, licence validity, statistics periods (REST's `format: date`). */
export const DateScalar = stringScalar(
  'Date',
  'A calendar date: RFC 3339 full-date YYYY-MM-DD, e.g. 2026-10-01 (no time, no zone).',
  isRfc3339Date,
  'an RFC 3339 full-date YYYY-MM-DD',
);

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);

/**
 * A JSON object passed as is (REST's free-form `type: object` members: form data, form schemas,
 * workflow specs, case data). Arrays, strings and numbers are refused on input and on output.
 */
export const JsonObjectScalar = new GraphQLScalarType<Record<string, unknown>, Record<string, unknown>>({
  name: 'JSONObject',
  description:
    'A JSON object (RFC 8259), as REST carries it; what it holds is described by the field and the REST schema.',
  specifiedByURL: 'https://www.rfc-editor.org/rfc/rfc8259#section-4',
  serialize: (value) => {
    if (!isPlainObject(value)) throw new TypeError('JSONObject cannot represent a non-object value');
    return value;
  },
  parseValue: (value) => {
    if (!isPlainObject(value)) throw invalid('JSONObject must be a JSON object');
    return value;
  },
  parseLiteral: (ast, variables) => {
    if (ast.kind !== Kind.OBJECT) throw invalid('JSONObject must be a JSON object');
    return valueFromASTUntyped(ast, variables) as Record<string, unknown>;
  },
});
