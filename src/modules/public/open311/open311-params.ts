import { DomainError, FieldError, notFound } from '../../../api/errors/domain-error';
import { ErrorCode } from '../../../api/errors/error-code';
import { OPEN311_FORMATS, Open311Format } from './open311-wire';

/**
 * Reading GeoReport v2 arguments from a query string or a form body (both arrive as flat maps:
 * the platform's parsers keep `attribute[CODE][]` as a literal key). The spec's "Optional" rule
 * holds throughout: an empty argument is an absent one. Unknown arguments are ignored, since
 * clients send their own (FixMyStreet posts `update_id_ext`, `title`, `email_alerts_requested` …).
 * Refusals collect every field error, as 400 VALIDATION_FAILED with a pointer named like the
 * argument (`/lat`, `/attribute[WIDTH]`), which the Open311 error form turns into one error each.
 */
export type RawParams = Record<string, unknown>;

/** W3C date-time with a zone (the spec's only date form); seconds and a fraction optional. */
const W3C_DATETIME =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-](\d{2}):(\d{2}))$/;
const DECIMAL = /^[+-]?(?:\d{1,3}(?:\.\d{1,15})?|\.\d{1,15})$/;
const DAY_MS = 86_400_000;
export const MAX_SPAN_DAYS = 90;
export const MAX_PAGE_SIZE = 1000;
export const MAX_IDS = 1000;
/** deepest page a client may ask for (page × page_size), so no query scans without bound */
export const MAX_OFFSET = 100_000;

export class Params {
  readonly errors: FieldError[] = [];

  constructor(private readonly raw: RawParams) {}

  /** Throws the collected refusals, if any. */
  done(): void {
    if (this.errors.length)
      throw new DomainError(ErrorCode.ValidationFailed, { count: this.errors.length }, this.errors);
  }

  fail(name: string, code: string, message: string): undefined {
    this.errors.push({ pointer: `/${name}`, code, message });
    return undefined;
  }

  /** Whether an argument was sent with a value (an empty one counts as not sent). */
  has(name: string): boolean {
    const v = this.raw[name];
    return v !== undefined && v !== null && v !== '' && !(Array.isArray(v) && v.every((x) => x === ''));
  }

  /** A single text argument: trimmed of nothing, empty → absent, repeated → refused. */
  text(name: string, maxLength = 4000): string | undefined {
    const v = this.raw[name];
    if (v === undefined || v === null || v === '') return undefined;
    if (typeof v !== 'string') return this.fail(name, 'isString', 'must be given once, as text');
    if (v.length > maxLength) return this.fail(name, 'maxLength', `must be at most ${maxLength} characters`);
    return v;
  }

  required(name: string, maxLength?: number): string | undefined {
    const v = this.text(name, maxLength);
    if (v === undefined && !this.errors.some((e) => e.pointer === `/${name}`))
      this.fail(name, 'isNotEmpty', 'is required');
    return v;
  }

  /** Every value of an argument that may repeat (`media_url`), empty ones dropped. */
  all(name: string, maxLength = 2048, max = 10): string[] {
    const v = this.raw[name];
    const list = Array.isArray(v) ? v : v === undefined || v === null ? [] : [v];
    const out: string[] = [];
    for (const x of list) {
      if (typeof x !== 'string') return this.fail(name, 'isString', 'must be text') ?? [];
      if (x.length > maxLength)
        return this.fail(name, 'maxLength', `must be at most ${maxLength} characters`) ?? [];
      if (x !== '') out.push(x);
    }
    if (out.length > max) return this.fail(name, 'arrayMaxSize', `may be given at most ${max} times`) ?? [];
    return out;
  }

  /** A comma-separated list (`service_request_id=1,2`), each item trimmed, empty items dropped. */
  list(name: string, max = MAX_IDS, itemMax = 100): string[] | undefined {
    const v = this.text(name, max * (itemMax + 1));
    if (v === undefined) return undefined;
    const items = [
      ...new Set(
        v
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
      ),
    ];
    if (items.length > max) return this.fail(name, 'arrayMaxSize', `may list at most ${max} values`);
    if (items.some((s) => s.length > itemMax))
      return this.fail(name, 'maxLength', `values must be at most ${itemMax} characters`);
    return items.length ? items : undefined;
  }

  /** A decimal degree within ±limit (WGS84 lat/long). */
  degrees(name: string, limit: number): number | undefined {
    const v = this.text(name, 40);
    if (v === undefined) return undefined;
    const n = Number(v.trim());
    if (!DECIMAL.test(v.trim()) || !Number.isFinite(n) || Math.abs(n) > limit)
      return this.fail(
        name,
        'isNumber',
        `must be a decimal number of degrees between -${limit} and ${limit}`,
      );
    return n;
  }

  /** A W3C date-time with its zone; `+` read as a space (an unencoded offset in a URL) is put back. */
  date(name: string): Date | undefined {
    const v = this.text(name, 40)?.replace(/ (\d{2}:\d{2})$/, '+$1');
    if (v === undefined) return undefined;
    const d = parseW3c(v);
    if (!d)
      return this.fail(
        name,
        'isDateString',
        'must be a W3C date-time with a zone, e.g. 2010-01-01T00:00:00Z',
      );
    return d;
  }

  /** A positive integer at most `max`. */
  positive(name: string, max: number): number | undefined {
    const v = this.text(name, 12);
    if (v === undefined) return undefined;
    const n = /^\d{1,9}$/.test(v) ? Number(v) : NaN;
    if (!(n >= 1 && n <= max)) return this.fail(name, 'min', `must be a whole number from 1 to ${max}`);
    return n;
  }

  /** One of the given values, case-insensitively (lower-cased). */
  oneOf<T extends string>(name: string, allowed: readonly T[]): T | undefined {
    const v = this.text(name, 100)?.toLowerCase();
    if (v === undefined) return undefined;
    if (!(allowed as readonly string[]).includes(v))
      return this.fail(name, 'isIn', `must be one of ${allowed.join(', ')}`);
    return v as T;
  }

  /** `attribute[CODE]=v` and `attribute[CODE][]=v1&attribute[CODE][]=v2` (multivaluelist). */
  attributes(): Record<string, string | string[]> {
    const out: Record<string, string | string[]> = {};
    for (const [key, v] of Object.entries(this.raw)) {
      const m = /^attribute\[([^\][]{1,100})\](\[\])?$/.exec(key);
      if (!m) continue;
      const [, code, multi] = m;
      const given = (Array.isArray(v) ? v : [v]) as unknown[];
      if (given.some((x) => x !== undefined && x !== null && (typeof x !== 'string' || x.length > 4000))) {
        this.fail(key, 'isString', 'must be text of at most 4000 characters');
        continue;
      }
      const values = given.filter((x): x is string => typeof x === 'string' && x !== '');
      if (!values.length) continue;
      const prior = out[code];
      const priors = prior === undefined ? [] : Array.isArray(prior) ? prior : [prior];
      out[code] = multi || priors.length || values.length > 1 ? [...priors, ...values] : values[0];
    }
    if (Object.keys(out).length > 200) this.fail('attribute', 'maxProperties', 'at most 200 attributes');
    return out;
  }
}

export function parseW3c(v: string): Date | undefined {
  const m = W3C_DATETIME.exec(v);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s = '0', , oh = '0', om = '0'] = m;
  const day = new Date(Date.UTC(+y, +mo - 1, +d));
  const validDay = day.getUTCFullYear() === +y && day.getUTCMonth() === +mo - 1 && day.getUTCDate() === +d;
  if (!validDay || +h > 23 || +mi > 59 || +s > 59 || +oh > 23 || +om > 59) return undefined;
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : new Date(t);
}

/** The suffix of a route (`services.xml`): only the two formats the discovery document names. */
export function formatParam(value: string): Open311Format {
  const f = value.toLowerCase();
  if ((OPEN311_FORMATS as readonly string[]).includes(f)) return f as Open311Format;
  throw notFound('open311Format');
}

/**
 * The requested_datetime window: at most 90 days; without dates the most recent 90 days, with one
 * date the 90 days after the start or before the end.
 */
export function dateWindow(p: Params, now = new Date()): { from: Date; to: Date } | undefined {
  const start = p.date('start_date');
  const end = p.date('end_date');
  if (p.errors.some((e) => e.pointer === '/start_date' || e.pointer === '/end_date')) return undefined;
  const to = end ?? (start ? new Date(start.getTime() + MAX_SPAN_DAYS * DAY_MS) : now);
  const from = start ?? new Date(to.getTime() - MAX_SPAN_DAYS * DAY_MS);
  if (from > to) return p.fail('end_date', 'min', 'must not be before start_date');
  if (to.getTime() - from.getTime() > MAX_SPAN_DAYS * DAY_MS)
    return p.fail('end_date', 'max', `start_date and end_date may span at most ${MAX_SPAN_DAYS} days`);
  return { from, to };
}

/** The common `page` / `page_size` extension; page_size defaults to the spec's 1000. */
export function paging(p: Params): { limit: number; offset: number } {
  const pageSize = p.positive('page_size', MAX_PAGE_SIZE) ?? MAX_PAGE_SIZE;
  const page = p.positive('page', MAX_OFFSET) ?? 1;
  const offset = (page - 1) * pageSize;
  if (offset > MAX_OFFSET) p.fail('page', 'max', `page × page_size may reach at most ${MAX_OFFSET} requests`);
  return { limit: pageSize, offset: Math.min(offset, MAX_OFFSET) };
}
