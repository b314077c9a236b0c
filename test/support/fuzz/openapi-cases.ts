import { cursorCodecs } from '../../../src/api/http/pagination';
import type { Rng } from './prng';
import { Components, resolve, sample, Schema, typeOf, wrongType } from './schema-sample';

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

export interface OpParam {
  name: string;
  in: 'path' | 'query' | 'header';
  required: boolean;
  schema: Schema;
}

export interface Operation {
  method: string;
  path: string;
  id: string;
  params: OpParam[];
  /** request body schema and the content types it is documented for */
  body: { schema: Schema; contentTypes: string[] } | null;
  /** true when an anonymous caller may call it (an empty security requirement) */
  open: boolean;
  /** permissions named in the bearer requirements */
  scopes: string[];
}

export interface FuzzRequest {
  method: string;
  /** path and query exactly as sent (already percent-encoded where intended) */
  url: string;
  headers: Record<string, string>;
  body?: string;
  /** what was mutated, for the failure report */
  label: string;
}

interface OpenApiDoc {
  paths: Record<string, Record<string, unknown>>;
  components?: Components;
}

/** Every operation of the document, with its parameters and body schema. */
export function operationsOf(doc: OpenApiDoc): Operation[] {
  const ops: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of METHODS) {
      const op = item[method] as
        | {
            operationId?: string;
            parameters?: { name: string; in: string; required?: boolean; schema?: Schema }[];
            requestBody?: { content?: Record<string, { schema?: Schema }> };
            security?: Record<string, string[]>[];
          }
        | undefined;
      if (!op) continue;
      const content = op.requestBody?.content ?? {};
      const types = Object.keys(content);
      const security = op.security ?? [];
      ops.push({
        method: method.toUpperCase(),
        path,
        id: op.operationId ?? `${method} ${path}`,
        params: (op.parameters ?? [])
          .filter((p) => p.in === 'path' || p.in === 'query' || p.in === 'header')
          .map((p) => ({
            name: p.name,
            in: p.in as OpParam['in'],
            required: !!p.required,
            schema: p.schema ?? {},
          })),
        body: types.length ? { schema: content[types[0]].schema ?? {}, contentTypes: types } : null,
        open: security.length === 0 || security.some((s) => Object.keys(s).length === 0),
        scopes: [...new Set(security.flatMap((s) => Object.values(s).flat()))],
      });
    }
  }
  return ops;
}

/** Path segments nobody should be able to turn into a 500 (raw URL text: some are deliberately mis-encoded). */
export const PATH_GARBAGE = [
  'x',
  '..%2F..%2Fetc%2Fpasswd',
  '../../etc',
  'a'.repeat(5000),
  encodeURIComponent('名字🙂ü'),
  '%00',
  'abc%00def',
  '%FF',
  '%',
  '-1',
  '0',
  '99999999999999999999',
  '1.5',
  '1e3',
  '%20',
  '%27%20OR%201%3D1--',
  '{00000000-0000-0000-0000-000000000000}',
  'FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF',
  '00000000-0000-0000-0000-000000000000',
  '2025-02-30',
  '9999-99-99',
  'null',
  'undefined',
  '__proto__',
  'constructor',
];

/** Query values of the wrong type, out of range, or hostile; raw URL text. */
export const QUERY_GARBAGE = [
  'abc',
  '-1',
  '0',
  '100000',
  '1e309',
  'NaN',
  'Infinity',
  '1.5',
  '%00',
  '%FF',
  '',
  encodeURIComponent('名字🙂'),
  '99999999999999999999',
  '2025-13-45T99%3A99%3A99Z',
  '%2B275760-09-13T00%3A00%3A00.000Z',
  '0000-01-01',
  'true',
  '__proto__',
];

/** Cursors that decode (base64url JSON arrays) but hold values of the wrong type or size for any keyset. */
export const HOSTILE_CURSORS = [
  ['x', 'y'],
  [null, 'not-a-uuid'],
  [1e300, 'x'],
  ['2025-99-99T00:00:00Z', '00000000-0000-0000-0000-000000000000'],
  [-1],
  ['x', 'y', 'z'],
  [{}, []],
  ['\u0000', '\u0000'],
].map((v) => Buffer.from(JSON.stringify(v)).toString('base64url'));

/** Values no keyset cursor holds where they stand: impossible dates, ids of the wrong kind, odd JSON. */
const CURSOR_VALUES: unknown[] = [
  '2025-99-99T00:00:00Z',
  '2026-02-30T00:00:00.000Z',
  '+275760-09-13T00:00:00.000Z',
  '0000-01-01T00:00:00Z',
  'infinity',
  '-infinity',
  '00000000-0000-0000-0000-000000000000',
  '123',
  '99999999999999999999',
  'x',
  '',
  "' OR 1=1--",
  '\u0000',
  0,
  -1,
  1.5,
  2 ** 31,
  1e300,
  null,
  true,
  {},
  [],
];

/**
 * Cursors under the name of a real list (any list: the cursor may reach another), holding 1 to 4
 * values drawn from CURSOR_VALUES, some well-formed: these get past the name check to each value's.
 */
export function namedHostileCursors(rng: Rng, n: number): string[] {
  const names = [...cursorCodecs().keys()];
  if (!names.length) return [];
  return Array.from({ length: n }, () => {
    const values = Array.from({ length: rng.between(1, 4) }, () =>
      rng.chance(0.3)
        ? rng.pick([rng.uuid(), '2026-01-01T00:00:00.000Z', 'infinity', 1, '42'])
        : rng.pick(CURSOR_VALUES),
    );
    return Buffer.from(JSON.stringify([rng.pick(names), ...values])).toString('base64url');
  });
}

/** Header values for documented header parameters (Idempotency-Key, Authorization). */
export const HEADER_GARBAGE = [
  'x'.repeat(300),
  ' ',
  'Basic !!!',
  `Basic ${Buffer.from('nocolon').toString('base64')}`,
  `Basic ${Buffer.from(`${'a'.repeat(2000)}:b`).toString('base64')}`,
  'Bearer',
  '\t',
  'ok-key, second-key',
];

/** Dates a JS Date, class-validator or PostgreSQL may each read differently (year 0, ±275760, 24:00, offsets). */
export const EDGE_DATES = [
  '0000-01-01T00:00:00Z',
  '0001-01-01T00:00:00Z',
  '9999-12-31T23:59:59.999Z',
  '+275760-09-13T00:00:00.000Z',
  '-000001-01-01T00:00:00Z',
  '-271821-04-20T00:00:00Z',
  '2025-02-30T00:00:00Z',
  '2025-02-29',
  '2025-12-31T24:00:00Z',
  '2025-06-01T12:00:00+14:00',
  '2025-06-01T12:00:00.1234567890Z',
  '1969-12-31T23:59:59Z',
  '2025-W01-1',
  '20250601',
  '0000-00-00',
  '1900-01-01',
  '2025-152',
];

/** Numbers just past what the declared bounds, a PostgreSQL int4/int8 or a JS double hold. */
function boundaryValues(p: OpParam, components: Components, rng: Rng): string[] {
  const s = resolve(p.schema, components);
  const t = typeOf(s);
  if (s.format === 'date' || s.format === 'date-time' || /At$|^(since|until|date)$/.test(p.name)) {
    return rng.sample(EDGE_DATES, 3).map(encodeURIComponent);
  }
  if (t !== 'integer' && t !== 'number') return [];
  const out = ['2147483648', '-2147483649', '9223372036854775808', '9007199254740993', '1e21'];
  if (s.maximum !== undefined) out.push(String(s.maximum + 1));
  if (s.minimum !== undefined) out.push(String(s.minimum - 1));
  return rng.sample(out, 4);
}

/** The value a parameter gets when it is not the one being mutated. */
function baseValue(p: OpParam, components: Components, rng: Rng): string {
  const s = resolve(p.schema, components);
  const known = components.hints?.[p.name];
  if (known?.length) return rng.pick(known);
  if (p.in === 'path' && typeOf(s) === 'string' && !s.format && !s.enum) return rng.uuid();
  return String(sample(s, components, rng, 0, p.name));
}

const enc = (v: string) => encodeURIComponent(v);

function buildUrl(op: Operation, pathValues: Record<string, string>, query: string[]): string {
  const path = op.path.replace(/\{([^}]+)\}/g, (_m, name: string) => pathValues[name]);
  return query.length ? `${path}?${query.join('&')}` : path;
}

/** `{"a":{"a":…"bottom"…}}` as text: JSON.stringify itself overflows the stack at a few thousand levels. */
const nestedText = (depth: number) => `${'{"a":'.repeat(depth)}"bottom"${'}'.repeat(depth)}`;

/** Names of the body's fields, preferring those of `type` when asked. */
function fieldsOf(schema: Schema, components: Components, type?: string): string[] {
  const props = Object.entries(resolve(schema, components).properties ?? {});
  const typed = type ? props.filter(([, s]) => typeOf(resolve(s, components)) === type) : [];
  return (typed.length ? typed : props).map(([n]) => n);
}

type BodyCase = { label: string; contentType?: string; raw?: string };

/** One mutated body per kind; `valid` is the schema sample. */
export function bodyCases(schema: Schema, components: Components, rng: Rng): BodyCase[] {
  const valid = sample(schema, components, rng) as Record<string, unknown>;
  const s = resolve(schema, components);
  const fields = fieldsOf(schema, components);
  const field = fields.length ? rng.pick(fields) : 'anything';
  const json = (label: string, value: unknown): BodyCase => ({
    label,
    contentType: 'application/json',
    raw: JSON.stringify(value),
  });
  const withField = (name: string, value: unknown) => ({ ...valid, [name]: value });
  const required = s.required?.length ? s.required : fields;
  const dropped = { ...valid };
  if (required.length) delete dropped[rng.pick(required)];
  const stringField = rng.pick(
    fieldsOf(schema, components, 'string').concat(fields.length ? [] : ['anything']),
  );
  const objectFields = fieldsOf(schema, components, 'object');
  const validText = JSON.stringify(valid);
  /** `{<prefix>, ...valid without `replaces`}` (a later duplicate key would win over the prefix). */
  const spliceRaw = (prefix: string, replaces?: string) => {
    const rest = { ...valid };
    if (replaces) delete rest[replaces];
    const text = JSON.stringify(rest);
    return text === '{}' ? `{${prefix}}` : `{${prefix},${text.slice(1)}`;
  };
  return [
    json('valid sample', valid),
    json(
      `wrong type for ${field}`,
      withField(field, wrongType(s.properties?.[field] ?? {}, components, rng)),
    ),
    json('missing a required field', dropped),
    json('all fields missing', {}),
    json('unknown extra field', withField(`zz_${rng.word(5)}`, 1)),
    json(`null ${field}`, withField(field, null)),
    json('null body', null),
    json(`100 KB string in ${stringField}`, withField(stringField, 'x'.repeat(100 * 1024))),
    json(`NUL character in ${stringField}`, withField(stringField, 'a\u0000b')),
    ...fieldsOf(schema, components, 'string')
      .filter(
        (f) =>
          /date/.test(resolve(s.properties?.[f], components).format ?? '') ||
          /At$|^valid(From|Until)$|^date$/.test(f),
      )
      .map((f) => {
        const d = rng.pick(EDGE_DATES);
        return json(`edge date ${d} in ${f}`, withField(f, d));
      }),
    json(`100 KB of multi-byte text in ${stringField}`, withField(stringField, '字'.repeat(34 * 1024))),
    {
      label: `depth-500 nesting in ${field}`,
      contentType: 'application/json',
      raw: spliceRaw(`${JSON.stringify(field)}:${nestedText(500)}`, field),
    },
    {
      label: 'depth-5000 nesting in an unknown field',
      contentType: 'application/json',
      raw: spliceRaw(`"zz_deep":${nestedText(5000)}`),
    },
    json('array instead of the object', [valid]),
    json(`array for ${objectFields[0] ?? field}`, withField(objectFields[0] ?? field, [valid])),
    json(`object for ${field}`, withField(field, { $gt: '' })),
    {
      label: `number too large in ${field}`,
      contentType: 'application/json',
      raw: spliceRaw(`${JSON.stringify(field)}:1e400`, field),
    },
    {
      label: `30-digit integer in ${field}`,
      contentType: 'application/json',
      raw: spliceRaw(`${JSON.stringify(field)}:123456789012345678901234567890`, field),
    },
    {
      label: '__proto__ key',
      contentType: 'application/json',
      raw: spliceRaw('"__proto__":{"fuzzPolluted":true}'),
    },
    {
      label: 'constructor.prototype key',
      contentType: 'application/json',
      raw: spliceRaw('"constructor":{"prototype":{"fuzzPolluted":true}}'),
    },
    { label: 'not JSON with a JSON content type', contentType: 'application/json', raw: "{'name': not json" },
    {
      label: 'truncated JSON',
      contentType: 'application/json',
      raw: validText.slice(0, Math.max(1, validText.length - 2)),
    },
    { label: 'JSON string body', contentType: 'application/json', raw: '"just a string"' },
    { label: 'empty body with a JSON content type', contentType: 'application/json', raw: '' },
    {
      label: 'form-encoded body',
      contentType: 'application/x-www-form-urlencoded',
      raw: new URLSearchParams(
        Object.entries(valid ?? {}).map(([k, v]): [string, string] => [
          k,
          typeof v === 'string' ? v : JSON.stringify(v),
        ]),
      ).toString(),
    },
    {
      label: 'form body with repeated keys',
      contentType: 'application/x-www-form-urlencoded',
      raw: `${enc(field)}=a&${enc(field)}=b&x[y]=1`,
    },
    { label: 'JSON sent as text/plain', contentType: 'text/plain', raw: validText },
    { label: 'unsupported charset', contentType: 'application/json; charset=klingon', raw: validText },
    { label: 'XML body', contentType: 'application/xml', raw: '<a>1</a>' },
  ];
}

/** Cases for one operation: path garbage and random uuids, bad query values, mutated bodies, bad headers. */
export function casesFor(op: Operation, components: Components, rng: Rng, max: number): FuzzRequest[] {
  const pathParams = op.params.filter((p) => p.in === 'path');
  const queryParams = op.params.filter((p) => p.in === 'query');
  const headerParams = op.params.filter((p) => p.in === 'header');
  const basePath = Object.fromEntries(pathParams.map((p) => [p.name, enc(baseValue(p, components, rng))]));
  const baseBody = op.body ? JSON.stringify(sample(op.body.schema, components, rng)) : undefined;
  const jsonHeaders: Record<string, string> =
    baseBody !== undefined ? { 'Content-Type': 'application/json' } : {};
  const make = (
    label: string,
    o: { path?: Record<string, string>; query?: string[]; headers?: Record<string, string>; body?: BodyCase },
  ): FuzzRequest => {
    const body =
      o.body ??
      (baseBody !== undefined ? { label: '', contentType: 'application/json', raw: baseBody } : undefined);
    return {
      method: op.method,
      url: buildUrl(op, { ...basePath, ...o.path }, o.query ?? []),
      headers: {
        ...(body?.contentType ? { 'Content-Type': body.contentType } : jsonHeaders),
        // updates need a precondition; without one they stop at 428 before the body matters
        ...(op.method === 'PUT' || op.method === 'PATCH' || op.method === 'DELETE'
          ? { 'If-Match': '"v1"' }
          : {}),
        ...o.headers,
      },
      body: body?.raw,
      label,
    };
  };

  const cases: FuzzRequest[] = [];
  // (a) every path parameter a random uuid, (b) each of them garbage, and integers past int4/int8
  if (pathParams.length) {
    cases.push(
      make('path params: random uuids', {
        path: Object.fromEntries(pathParams.map((p) => [p.name, rng.uuid()])),
      }),
    );
    for (const p of pathParams) {
      for (const g of [...rng.sample(PATH_GARBAGE, 3), ...boundaryValues(p, components, rng)]) {
        cases.push(make(`path ${p.name} = ${g.slice(0, 40)}`, { path: { [p.name]: g } }));
      }
    }
  }
  for (const p of queryParams) {
    const values = [
      ...(p.name === 'cursor' ? [...rng.sample(HOSTILE_CURSORS, 2), ...namedHostileCursors(rng, 3)] : []),
      ...rng.sample(QUERY_GARBAGE, 2),
      ...boundaryValues(p, components, rng),
      'bad%00nul',
    ];
    for (const v of values)
      cases.push(make(`query ${p.name} = ${v.slice(0, 40)}`, { query: [`${enc(p.name)}=${v}`] }));
    cases.push(make(`query ${p.name} repeated`, { query: [`${enc(p.name)}=1`, `${enc(p.name)}=2`] }));
    cases.push(make(`query ${p.name} as 8 KB string`, { query: [`${enc(p.name)}=${'q'.repeat(8 * 1024)}`] }));
    cases.push(make(`query ${p.name}[x] bracket syntax`, { query: [`${enc(p.name)}[x]=1`] }));
  }
  cases.push(make('unknown query parameter', { query: ['zz_unknown=1'] }));
  for (const h of headerParams) {
    for (const bad of rng.sample(HEADER_GARBAGE, 2)) {
      cases.push(make(`header ${h.name} = ${bad.slice(0, 20)}`, { headers: { [h.name]: bad } }));
    }
  }
  if (op.method === 'PUT' || op.method === 'PATCH' || op.method === 'DELETE') {
    for (const bad of ['W/"v1"', '"v99999999999"', '*', 'x'.repeat(2000), '"v-1"']) {
      cases.push(make(`If-Match = ${bad.slice(0, 20)}`, { headers: { 'If-Match': bad } }));
    }
  }
  cases.push(
    make('odd Accept-Language and X-Request-Id', {
      headers: { 'Accept-Language': 'zh;q=abc,*;q=-1,' + 'x'.repeat(500), 'X-Request-Id': '../../' },
    }),
  );
  if (op.body) {
    for (const b of bodyCases(op.body.schema, components, rng))
      cases.push(make(`body: ${b.label}`, { body: b }));
  } else if (op.method !== 'GET') {
    cases.push(
      make('unexpected body', {
        body: { label: '', contentType: 'application/json', raw: '{"zz":1,"__proto__":{"x":1}}' },
      }),
    );
  }

  // Always keep the valid sample and the random-uuid path; the rest is a seeded subset.
  const keep = cases.filter(
    (c) => c.label === 'body: valid sample' || c.label === 'path params: random uuids',
  );
  const rest = rng.sample(
    cases.filter((c) => !keep.includes(c)),
    Math.max(0, max - keep.length),
  );
  return [...keep, ...rest];
}

/** `curl`-ish one-liner of a request, long values elided, for the failure report. */
export function describeRequest(r: FuzzRequest, caller: string): string {
  const cut = (s: string) => (s.length > 160 ? `${s.slice(0, 160)}…(${s.length} chars)` : s);
  const body = r.body === undefined ? '' : ` body=${cut(r.body)}`;
  const ct = r.headers['Content-Type'] ? ` [${r.headers['Content-Type']}]` : '';
  return `${caller} ${r.method} ${cut(r.url)}${ct}${body} (${r.label})`;
}
