import { GraphQLSchemaHost } from '@nestjs/graphql';
import {
  getNamedType,
  GraphQLEnumType,
  GraphQLInputObjectType,
  GraphQLInputType,
  GraphQLNamedType,
  GraphQLObjectType,
  GraphQLSchema,
  isEnumType,
  isInputObjectType,
  isObjectType,
} from 'graphql';
import type { Response } from 'supertest';
import { printSortedSchema } from '../../src/api/graphql/graphql.module';
import { QUERY_LIMITS } from '../../src/api/graphql/limits';
import { buildOpenApi } from '../../src/api/http/openapi';
import { signedInCitizen } from '../identity/citizen-fixtures';
import { auth, makeUnit } from '../identity/staff-fixtures';
import { startTestApp, TestApp } from '../support/test-app';

const API_INFO = '{ apiInfo { name title version languages language } }';
const ALLOWED_EXTENSIONS = ['code', 'status', 'type', 'title', 'errors'];

/** Every error speaks our vocabulary and carries nothing else: no stacktrace, no exception. */
function expectCleanErrors(res: Response, code: string): void {
  expect(res.text).not.toMatch(/stacktrace|exception|originalError|\.ts:\d+/i);
  const errors = res.body.errors as { message: string; extensions: Record<string, unknown> }[];
  expect(errors.length).toBeGreaterThan(0);
  for (const e of errors) {
    expect(Object.keys(e.extensions).every((k) => ALLOWED_EXTENSIONS.includes(k))).toBe(true);
    expect(e.extensions).toMatchObject({
      status: expect.any(Number),
      type: expect.stringMatching(/^https:\/\/onewindow\.dev\/problems\//),
    });
  }
  expect(errors.map((e) => e.extensions.code)).toContain(code);
}

/** `__type(name:"ApiInfo") { name ofType { ... { name } } }` nests to exactly `depth` levels. */
const nested = (depth: number) =>
  `{ __type(name: "ApiInfo") { name ${'ofType { '.repeat(depth - 2)}name${' }'.repeat(depth - 2)} } }`;
const aliased = (n: number) =>
  `{ ${Array.from({ length: n }, (_, i) => `a${i}: apiInfo { name }`).join(' ')} }`;

describe('GraphQL endpoint (test defaults: introspection on)', () => {
  let t: TestApp;
  beforeAll(async () => (t = await startTestApp()));
  afterAll(() => t.close());

  const gql = (query: string, variables?: Record<string, unknown>) =>
    t.http.post('/graphql').send({ query, variables });

  it('answers apiInfo in zh-CN by default, through the auth and rate-limit guards', async () => {
    const res = await gql(API_INFO).expect(200);
    expect(res.body).toEqual({
      data: {
        apiInfo: {
          name: 'OneWindow',
          title: 'OneWindow 一网通办政务服务接口',
          version: '1',
          languages: ['zh-CN', 'en'],
          language: 'zh-CN',
        },
      },
    });
    expect(res.headers['content-language']).toBe('zh-CN');
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    // The RateLimitGuard (an APP_GUARD) ran for the resolver and counted this request.
    expect(res.headers['ratelimit']).toMatch(/^"default";r=\d+;t=\d+$/);
  });

  it('negotiates the language from Accept-Language inside the resolver (request context is bound)', async () => {
    const res = await gql(API_INFO).set('Accept-Language', 'en-GB,en;q=0.9').expect(200);
    expect(res.body.data.apiInfo).toMatchObject({ language: 'en', title: 'OneWindow e-government API' });
    expect(res.headers['content-language']).toBe('en');
  });

  it('runs the AuthGuard for resolvers: a bad bearer token on a public query is refused with INVALID_TOKEN', async () => {
    const res = await gql(API_INFO).set('Authorization', 'Bearer not-a-jwt').expect(200);
    expect(res.body.data).toBeNull();
    expectCleanErrors(res, 'INVALID_TOKEN');
    expect(res.body.errors[0]).toMatchObject({
      path: ['apiInfo'],
      extensions: { status: 401, title: '访问令牌无效' },
    });
  });

  it(`accepts depth ${QUERY_LIMITS.maxDepth} and refuses depth 30 with QUERY_TOO_COMPLEX`, async () => {
    const ok = await gql(nested(QUERY_LIMITS.maxDepth)).expect(200);
    expect(ok.body.data.__type.name).toBe('ApiInfo');
    expect(ok.body.errors).toBeUndefined();

    const limit = await gql(nested(QUERY_LIMITS.maxDepth + 1)).expect(400);
    expectCleanErrors(limit, 'QUERY_TOO_COMPLEX');

    const res = await gql(nested(30)).set('Accept-Language', 'en').expect(400);
    expect(res.body.data).toBeUndefined();
    expectCleanErrors(res, 'QUERY_TOO_COMPLEX');
    expect(res.body.errors[0]).toMatchObject({
      message: `Query depth 30 exceeds the limit of ${QUERY_LIMITS.maxDepth}.`,
      extensions: { status: 400, title: 'Query too complex' },
    });
  });

  it(`accepts ${QUERY_LIMITS.maxAliases} aliases and refuses 100`, async () => {
    const ok = await gql(aliased(QUERY_LIMITS.maxAliases)).expect(200);
    expect(Object.keys(ok.body.data)).toHaveLength(QUERY_LIMITS.maxAliases);

    const res = await gql(aliased(100)).set('Accept-Language', 'en').expect(400);
    expectCleanErrors(res, 'QUERY_TOO_COMPLEX');
    expect(res.body.errors[0].message).toBe(
      `The query uses 100 aliases; at most ${QUERY_LIMITS.maxAliases} are allowed.`,
    );
  });

  it('refuses a cost bomb on a list field: 15 aliased pages of 100 organisations', async () => {
    const pages = (n: number, first: number) =>
      `{ ${Array.from({ length: n }, (_, i) => `p${i}: organisations(first: ${first}) { edges { node { id name } } }`).join(' ')} }`;
    // each page costs 1 + first x (edges 1 + node 1): 4 x 201 = 804 fits, 15 x 201 = 3015 does not
    const ok = await gql(pages(4, 100)).expect(200);
    expect(ok.body.errors).toBeUndefined();
    expect(Object.keys(ok.body.data)).toHaveLength(4);

    const res = await gql(pages(15, 100)).set('Accept-Language', 'en').expect(400);
    expect(res.body.data).toBeUndefined();
    expectCleanErrors(res, 'QUERY_TOO_COMPLEX');
    expect(res.body.errors[0].message).toMatch(/^Estimated query cost 3015 exceeds the limit of 1000/);

    // the same through variables
    const vars = await gql(
      `query ($n: Int!) { a: organisations(first: $n) { edges { node { id } } } b: organisations(first: $n) { edges { node { id } } } c: organisations(first: $n) { edges { node { id } } } d: organisations(first: $n) { edges { node { id } } } e: organisations(first: $n) { edges { node { id } } } }`,
      { n: 100 },
    ).expect(400);
    expectCleanErrors(vars, 'QUERY_TOO_COMPLEX');

    // Costs are remembered per document and variables: the same text is refused again, and the
    // same document with small variables is costed on its own.
    const again = await gql(pages(15, 100)).expect(400);
    expectCleanErrors(again, 'QUERY_TOO_COMPLEX');
    const five = `query ($n: Int!) { a: organisations(first: $n) { edges { node { id } } } b: organisations(first: $n) { edges { node { id } } } c: organisations(first: $n) { edges { node { id } } } d: organisations(first: $n) { edges { node { id } } } e: organisations(first: $n) { edges { node { id } } } }`;
    expect((await gql(five, { n: 2 }).expect(200)).body.errors).toBeUndefined();
    expectCleanErrors(await gql(five, { n: 100 }).expect(400), 'QUERY_TOO_COMPLEX');
  });

  it('caps first at 100 with VALIDATION_FAILED naming the argument', async () => {
    const res = await gql('{ organisations(first: 101) { edges { cursor } } }');
    expect(res.body.data).toBeNull();
    expectCleanErrors(res, 'VALIDATION_FAILED');
    expect(res.body.errors[0].extensions.errors).toEqual([
      expect.objectContaining({ pointer: '/first', code: 'max' }),
    ]);
  });

  it('refuses a document with too many tokens', async () => {
    const res = await gql(`{ apiInfo { ${'name '.repeat(QUERY_LIMITS.maxTokens)} } }`)
      .set('Accept-Language', 'en')
      .expect(400);
    expectCleanErrors(res, 'QUERY_TOO_COMPLEX');
    expect(res.body.errors[0].message).toBe(
      `The query exceeds the limit of ${QUERY_LIMITS.maxTokens} tokens.`,
    );
  });

  it('answers a malformed query with 400 VALIDATION_FAILED and where it broke', async () => {
    const res = await gql('{ apiInfo { name ').expect(400);
    expectCleanErrors(res, 'VALIDATION_FAILED');
    expect(res.body.errors[0]).toMatchObject({
      message: expect.stringMatching(/^Syntax Error/),
      locations: [{ line: 1, column: 18 }],
    });
  });

  it('answers unknown fields and missing variables with 400 VALIDATION_FAILED (suggestions allowed in development)', async () => {
    const typo = await gql('{ apiInf { name } }').expect(400);
    expectCleanErrors(typo, 'VALIDATION_FAILED');
    expect(typo.body.errors[0].message).toMatch(/Did you mean "apiInfo"/);

    const vars = await gql('query ($lang: String!) { apiInfo { name } }').expect(400);
    expectCleanErrors(vars, 'VALIDATION_FAILED');
  });

  it('keeps CSRF prevention: a simple request without a preflight header is refused', async () => {
    const textPlain = await t.http
      .post('/graphql')
      .set('Content-Type', 'text/plain')
      .send(JSON.stringify({ query: API_INFO }));
    expect(textPlain.status).toBe(400);
    expect(textPlain.text).not.toContain('OneWindow');

    const get = await t.http.get('/graphql').query({ query: API_INFO });
    expect(get.status).toBe(400);
    expectCleanErrors(get, 'VALIDATION_FAILED');

    const preflighted = await t.http
      .get('/graphql')
      .query({ query: API_INFO })
      .set('apollo-require-preflight', 'true')
      .expect(200);
    expect(preflighted.body.data.apiInfo.name).toBe('OneWindow');
  });

  it('refuses batched operations (one operation per HTTP request)', async () => {
    const res = await t.http.post('/graphql').send([{ query: API_INFO }, { query: API_INFO }]);
    expect(res.status).toBe(400);
    expect(res.text).not.toContain('"apiInfo"');
  });

  it('prints the schema sorted, for the committed openapi/schema.graphql', () => {
    const sdl = printSortedSchema(t.app);
    expect(sdl).toMatch(/type ApiInfo \{\n(.*\n)*?\s+languages: \[String!\]!\n/);
    expect(sdl).toMatch(/type Query \{\n(.*\n)*?\s+apiInfo: ApiInfo!\n/);
    expect(sdl.indexOf('type ApiInfo')).toBeLessThan(sdl.indexOf('type Query'));
    expect(printSortedSchema(t.app)).toBe(sdl);
  });

  it('allows introspection and the GraphiQL landing page when configured (not production)', async () => {
    const res = await gql('{ __schema { queryType { name } } }').expect(200);
    expect(res.body.data.__schema.queryType.name).toBe('Query');
    const page = await t.http.get('/graphql').set('Accept', 'text/html').expect(200);
    expect(page.text).toMatch(/graphiql/i);
  });
});

describe('GraphQL endpoint with GRAPHQL_INTROSPECTION=false (production setting)', () => {
  let t: TestApp;
  beforeAll(async () => (t = await startTestApp({ GRAPHQL_INTROSPECTION: 'false' })));
  afterAll(() => t.close());

  const gql = (query: string) => t.http.post('/graphql').send({ query });

  it('refuses __schema and __type', async () => {
    for (const query of ['{ __schema { types { name } } }', '{ __type(name: "ApiInfo") { name } }']) {
      const res = await gql(query).expect(400);
      expectCleanErrors(res, 'VALIDATION_FAILED');
      expect(res.body.data).toBeUndefined();
      expect(res.text).not.toContain('apiInfo');
    }
  });

  it('does not leak field names through "Did you mean" suggestions', async () => {
    const res = await gql('{ apiInf { name } }').expect(400);
    expectCleanErrors(res, 'VALIDATION_FAILED');
    expect(res.text).not.toMatch(/Did you mean|apiInfo/);
  });

  it('serves no landing page', async () => {
    const page = await t.http.get('/graphql').set('Accept', 'text/html');
    expect(page.text).not.toMatch(/graphiql/i);
  });

  it('still answers ordinary queries', async () => {
    const res = await gql(API_INFO).expect(200);
    expect(res.body.data.apiInfo.name).toBe('OneWindow');
  });
});

describe('GraphQL endpoint under a tight anonymous quota', () => {
  let t: TestApp;
  beforeAll(async () => (t = await startTestApp({ RATE_LIMIT_ANONYMOUS: '2' })));
  afterAll(() => t.close());

  it('counts GraphQL requests and refuses the third with RATE_LIMITED and Retry-After', async () => {
    const send = () =>
      t.http.post('/graphql').send({ query: '{ a: apiInfo { name } b: apiInfo { version } }' });
    // Two root fields in one request count once (the guard runs per root field).
    expect((await send()).body.data.a.name).toBe('OneWindow');
    expect((await send()).body.data.b.version).toBe('1');
    const refused = await send();
    expect(refused.body.data).toBeNull();
    expectCleanErrors(refused, 'RATE_LIMITED');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
  });
});

/**
 * Issue 11 §3: GraphQL carries REST's types. Dates are DateTime (instants) or Date (calendar
 * days) scalars, free-form objects JSONObject, enum values REST's strings, every connection a
 * totalCount.
 */
describe('GraphQL types on par with REST', () => {
  let t: TestApp;
  let schema: GraphQLSchema;
  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMIT_ANONYMOUS: '100000', RATE_LIMIT_AUTHENTICATED: '100000' });
    schema = t.app.get(GraphQLSchemaHost).schema;
  });
  afterAll(() => t.close());

  const fieldsOf = (): { where: string; name: string; type: GraphQLNamedType }[] =>
    Object.values(schema.getTypeMap())
      .filter((type) => !type.name.startsWith('__') && (isObjectType(type) || isInputObjectType(type)))
      .flatMap((type) =>
        Object.values((type as GraphQLObjectType | GraphQLInputObjectType).getFields()).flatMap((f) => [
          { where: `${type.name}.${f.name}`, name: f.name, type: getNamedType(f.type) },
          ...('args' in f ? f.args : []).map((a: { name: string; type: GraphQLInputType }) => ({
            where: `${type.name}.${f.name}(${a.name})`,
            name: a.name,
            type: getNamedType(a.type),
          })),
        ]),
      );

  it('types every instant as DateTime and every calendar day as Date; no JSON travels as text', () => {
    const fields = fieldsOf();
    const dateish = fields.filter((f) =>
      /(At|^validFrom|^validUntil|^since|^until|^dueBefore|^nextDeadline|^timestamp|^at|^dueDate|^date)$/.test(
        f.name,
      ),
    );
    expect(dateish.length).toBeGreaterThan(80);
    // deadline(receivedAt) takes a calendar date or an instant (REST alike): the one String left
    const strings = dateish.filter((f) => f.type.name === 'String').map((f) => f.where);
    expect(strings).toEqual(['Query.deadline(receivedAt)']);
    expect(
      dateish
        .filter((f) => f.type.name === 'Date')
        .map((f) => f.where)
        .sort(),
    ).toEqual(
      [
        'CalendarDeadline.dueDate',
        'Licence.validFrom',
        'Licence.validUntil',
        'LicenceVerification.validFrom',
        'LicenceVerification.validUntil',
        'WorkCalendarDay.date',
      ].sort(),
    );
    expect(fields.filter((f) => /Json$/.test(f.name)).map((f) => f.where)).toEqual([]);
    expect(fields.find((f) => f.where === 'Application.formData')?.type.name).toBe('JSONObject');
    expect(fields.find((f) => f.where === 'ServiceGuide.guide')?.type.name).toBe('Guide');
  });

  it("names every enum value after REST's string (a descending sort key -x as x_desc)", () => {
    const doc = buildOpenApi(t.app, t.config) as unknown as {
      components: { schemas: Record<string, { enum?: string[] }> };
    };
    const enums = Object.values(schema.getTypeMap()).filter(
      (type): type is GraphQLEnumType => isEnumType(type) && !type.name.startsWith('__'),
    );
    let compared = 0;
    for (const e of enums) {
      // the value each name stands for is the REST string, and the name is that string
      for (const v of e.getValues()) expect(v.name).toBe(String(v.value).replace(/^-(.*)$/, '$1_desc'));
      const rest = doc.components.schemas[e.name]?.enum;
      if (!rest) continue;
      expect([...e.getValues().map((v) => v.value as string)].sort()).toEqual([...rest].sort());
      compared++;
    }
    expect(compared).toBeGreaterThanOrEqual(10);
    expect(schema.getType('TaskSort')).toMatchObject({});
    expect((schema.getType('TaskSort') as GraphQLEnumType).getValue('createdAt_desc')?.value).toBe(
      '-createdAt',
    );
    expect(
      (schema.getType('ApplicationStatus') as GraphQLEnumType).getValue('supplement_required')?.value,
    ).toBe('supplement_required');
  });

  it('refuses an invalid DateTime input with VALIDATION_FAILED, as REST refuses the same value', async () => {
    const citizen = await signedInCitizen(t);
    const q = (query: string, variables?: Record<string, unknown>) =>
      t.http.post('/graphql').set(auth(citizen.accessToken)).send({ query, variables });
    for (const bad of ['2026-02-30T00:00:00Z', '2026-02-01T25:00:00Z', 'yesterday']) {
      const rest = await t.http
        .get(`/v1/me/data-access?since=${encodeURIComponent(bad)}`)
        .set(auth(citizen.accessToken))
        .expect(400);
      expect(rest.body.code).toBe('VALIDATION_FAILED');
      const literal = await q(`{ myDataAccess(since: "${bad}") { totalCount } }`).expect(400);
      expectCleanErrors(literal, 'VALIDATION_FAILED');
      expect(literal.body.errors[0].message).toContain('DateTime');
      const variable = await q('query($s: DateTime) { myDataAccess(since: $s) { totalCount } }', {
        s: bad,
      }).expect(400);
      expectCleanErrors(variable, 'VALIDATION_FAILED');
    }
    // a bare day is no instant: DateTime wants RFC 3339 (REST's ISO 8601 check still takes it as midnight UTC)
    const day = await q('{ myDataAccess(since: "2026-02-01") { totalCount } }').expect(400);
    expectCleanErrors(day, 'VALIDATION_FAILED');
    const ok = await q('query($s: DateTime) { myDataAccess(since: $s) { totalCount edges { cursor } } }', {
      s: '2026-02-01T08:00:00+08:00',
    }).expect(200);
    expect(ok.body).toEqual({ data: { myDataAccess: { totalCount: 0, edges: [] } } });
  });

  it('fills totalCount with every row the filter matches, whatever the page size or cursor', async () => {
    const parent = await makeUnit(t, '计数局');
    for (let i = 0; i < 3; i++) await makeUnit(t, '计数科', parent);
    const [{ n }] = await t.db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM organisation WHERE parent_id = $1 AND active',
      [parent],
    );
    expect(n).toBe(3);
    const page = (after?: string) =>
      t.http
        .post('/graphql')
        .send({
          query:
            'query($p: ID, $a: String) { organisations(parentId: $p, first: 2, after: $a) { totalCount edges { node { id } } pageInfo { endCursor hasNextPage } } }',
          variables: { p: parent, a: after },
        })
        .expect(200);
    const first = (await page()).body.data.organisations;
    expect(first).toMatchObject({ totalCount: n, pageInfo: { hasNextPage: true } });
    expect(first.edges).toHaveLength(2);
    const second = (await page(first.pageInfo.endCursor)).body.data.organisations;
    expect(second).toMatchObject({ totalCount: n, pageInfo: { hasNextPage: false } });
    expect(second.edges).toHaveLength(1);
  });
});
