import { XMLParser, XMLValidator } from 'fast-xml-parser';

/** Anything that looks like a leaked stack frame, source location or module path. */
export const STACK_RE =
  /\bat \S+ \(|\.[jt]s:\d+|node_modules|\/src\/|\/dist\/|\bError: |\bTypeError\b|\bRangeError\b/;

/** Text a PostgreSQL or TypeORM error would leak. */
export const SQL_RE =
  /QueryFailedError|syntax error at or near|violates (?:foreign key|not-null|check|unique|exclusion) constraint|invalid input syntax for|invalid input value for enum|relation "[^"]+" does not exist|column "[^"]+"|value too long for type|out of range for type|\bSELECT\b[\s\S]{0,200}\bFROM\b|\bINSERT INTO\b|\bUPDATE\b\s+"?\w+"?\s+SET\b|duplicate key value/i;

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

export interface CheckOptions {
  /** RFC 6749 §5.2 JSON errors instead of problem+json (POST /v1/oauth/token) */
  oauthErrors?: boolean;
  /** GeoReport v2 error documents instead of problem+json (/open311/v2, all but 429) */
  open311Errors?: boolean;
}

/**
 * What is wrong with an Open311 error answer: `<errors><error><code/><description/></error></errors>`
 * as well-formed XML (text/xml) or `[{code, description}]` (application/json), codes = the status
 * class's documented ones (the body's code may be more specific than the HTTP status).
 */
function open311Problems(res: Answer, type: string): string[] {
  if (/^text\/xml; charset=utf-8/i.test(type)) {
    if (XMLValidator.validate(res.text) !== true) return [`${res.status} Open311 XML is not well-formed`];
    const doc = new XMLParser().parse(res.text) as { errors?: { error?: unknown } };
    const errors = [doc.errors?.error ?? []].flat() as Array<{ code?: unknown; description?: unknown }>;
    if (!errors.length || errors.some((e) => e.code === undefined || !e.description))
      return [`${res.status} Open311 XML without <errors><error><code/><description/>`];
    return [];
  }
  if (/^application\/json; charset=utf-8/i.test(type)) {
    let body: unknown;
    try {
      body = JSON.parse(res.text);
    } catch {
      return [`${res.status} Open311 JSON error is not JSON`];
    }
    const list = Array.isArray(body) ? (body as Array<{ code?: unknown; description?: unknown }>) : [];
    if (!list.length || list.some((e) => typeof e.code !== 'number' || typeof e.description !== 'string'))
      return [`${res.status} Open311 JSON error is not [{code, description}]`];
    return [];
  }
  return [`${res.status} Open311 error content-type ${type || '(none)'}`];
}

/**
 * What is wrong with one answer to bad input, as a list of reasons (empty when fine):
 * never 5xx; 4xx are problem+json with code/type/status/requestId; nothing from the insides.
 */
export function checkAnswer(res: Answer, opts: CheckOptions = {}): string[] {
  const out: string[] = [];
  if (res.status >= 500) out.push(`status ${res.status}`);
  if (STACK_RE.test(res.text)) out.push(`stack trace or path in body: ${excerpt(res.text, STACK_RE)}`);
  if (SQL_RE.test(res.text)) out.push(`SQL text in body: ${excerpt(res.text, SQL_RE)}`);
  if (res.status < 400) return out;

  const type = String(res.headers['content-type'] ?? '');
  if (opts.open311Errors && res.status !== 429) return [...out, ...open311Problems(res, type)];
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(res.text) as Record<string, unknown>;
  } catch {
    out.push(`${res.status} body is not JSON: ${res.text.slice(0, 120)}`);
    return out;
  }
  if (opts.oauthErrors && res.status !== 429 && typeof body.error === 'string' && !('code' in body)) {
    if (!/^application\/json/.test(type)) out.push(`OAuth error content-type ${type}`);
    if (!/^[\x20-\x21\x23-\x5B\x5D-\x7E]+$/.test(body.error))
      out.push(`OAuth error code ${JSON.stringify(body.error)}`);
    return out;
  }
  if (!/^application\/problem\+json/.test(type)) out.push(`${res.status} content-type ${type || '(none)'}`);
  for (const k of ['code', 'type', 'status', 'requestId']) {
    if (body[k] === undefined || body[k] === null || body[k] === '')
      out.push(`${res.status} problem without ${k}`);
  }
  if (body.status !== undefined && body.status !== res.status)
    out.push(`problem status ${JSON.stringify(body.status)} ≠ HTTP ${res.status}`);
  if (body.code === 'INTERNAL') out.push('code INTERNAL');
  return out;
}

function excerpt(text: string, re: RegExp): string {
  const m = re.exec(text);
  if (!m) return '';
  return JSON.stringify(text.slice(Math.max(0, m.index - 60), m.index + 80));
}
