import { randomUUID } from 'node:crypto';
import { GraphQLSchemaHost } from '@nestjs/graphql';
import { ALL_PERMISSIONS, Permission } from '../../src/api/auth/permission';
import { buildOpenApi } from '../../src/api/http/openapi';
import { cursorCodecs } from '../../src/api/http/pagination';
import { uuidv7 } from '../../src/database/uuid';
import { CaseFile, CaseStatus } from '../../src/modules/internal/workflow/case.entity';
import { makeUnit, TEST_REGION, uniq } from '../identity/staff-fixtures';
import { diffCounts, rowCounts } from '../support/fuzz/row-counts';
import { CaseParents, caseParents } from '../support/case-parents';
import { startTestApp, TestApp } from '../support/test-app';
import { scopedToken } from '../support/tokens';
import { serviceContent } from '../support/workflow-fixtures';

/**
 * "Every cursor's contents are validated like any other input" (issue 10 §6): on every keyset list,
 * REST `?cursor=` and GraphQL `after:` refuse a cursor that decodes to an impossible date, the
 * wrong number of values, values of the wrong type, or another list's (or sort's) cursor with
 * 400 INVALID_CURSOR, and a well-formed one still pages. The table below must name every list the
 * OpenAPI document and the GraphQL schema offer, so a new list cannot skip these checks.
 */

type Caller = 'anonymous' | 'staff' | 'citizen';

interface KeysetList {
  /** the REST route as documented, and the URL to call (path ids filled in, sort chosen) */
  route: string;
  url: () => string;
  /** the Query field and its other arguments, e.g. `tasks(sort: warning`, or `organisations(` */
  field: string;
  args?: () => string;
  caller: Caller;
  /** a well-formed cursor: the list's name, then values of the right types */
  valid: unknown[];
}

const ID = '01900000-0000-7000-8000-0000000000aa';
const AT = '2026-03-01T08:00:00.000Z';
const AT_US = '2026-03-01T08:00:00.123456Z';

/** base64url JSON, as the API encodes cursors. */
const encode = (values: unknown): string => Buffer.from(JSON.stringify(values)).toString('base64url');

const INSTANT_RE = /^\d{4}-\d{2}-\d{2}T/;

/** The damaged variants of one list's valid cursor, by defect class. */
function defects(list: KeysetList, others: KeysetList[]): [string, string][] {
  const [name, ...values] = list.valid;
  const out: [string, string][] = [];
  // impossible dates: in each instant of the cursor, or where its id belongs when it has none
  const dateSlots = values.flatMap((v, i) => (typeof v === 'string' && INSTANT_RE.test(v) ? [i] : []));
  for (const slot of dateSlots.length ? dateSlots : [values.length - 1]) {
    for (const bad of [
      '2025-99-99T00:00:00Z',
      '2026-02-30T00:00:00.000Z',
      '2025-02-29T00:00:00Z',
      '2026-01-01T24:00:00Z',
      '0000-01-01T00:00:00Z',
      '+275760-09-13T00:00:00.000Z',
    ]) {
      const v = [...values];
      v[slot] = bad;
      out.push([`impossible date ${bad} at ${slot + 1}`, encode([name, ...v])]);
    }
  }
  // wrong arity
  out.push(['one value too many', encode([...list.valid, ID])]);
  out.push(['one value too few', encode(list.valid.slice(0, -1))]);
  out.push(['the list name alone', encode([name])]);
  out.push(['an empty array', encode([])]);
  out.push(['an object', encode({ name, values })]);
  // wrong types, one value at a time
  values.forEach((v, i) => {
    const wrong: unknown[] = [null, {}, [v], true, typeof v === 'number' ? String(v) : 42, 1.5];
    if (typeof v === 'string') wrong.push('1e3', "x' OR 1=1--", '', 'a\u0000b', '-1');
    // a number where a uuid belongs; a sequence number past a bigint
    if (typeof v === 'string') wrong.push(/^\d+$/.test(v) ? '99999999999999999999' : '123');
    if (typeof v === 'number') wrong.push(2 ** 40, -1e300);
    for (const w of wrong) {
      const copy = [...values];
      copy[i] = w;
      out.push([`${JSON.stringify(w).slice(0, 20)} at ${i + 1}`, encode([name, ...copy])]);
    }
  });
  // a cursor from another list or another sort of this one, and one from before cursors were named
  for (const other of others) {
    if (other.valid[0] !== name)
      out.push([`a cursor of ${other.route} (${other.valid[0] as string})`, encode(other.valid)]);
  }
  out.push(['an unnamed cursor', encode(values)]);
  out.push(['not base64url JSON', 'Zm9vYmFy']);
  return out;
}

describe('keyset cursors on every list, REST and GraphQL', () => {
  let t: TestApp;
  let tokens: Record<Caller, string | null>;
  let serviceId: string;
  let caseId: string;
  let parents: CaseParents;

  const LISTS: KeysetList[] = [
    {
      route: 'GET /v1/admin/jobs',
      url: () => '/v1/admin/jobs',
      field: '',
      caller: 'staff',
      valid: ['jobs', ID],
    },
    {
      route: 'GET /v1/api-keys',
      url: () => '/v1/api-keys',
      field: 'apiKeys(',
      caller: 'staff',
      valid: ['api-keys', ID],
    },
    {
      route: 'GET /v1/applications',
      url: () => '/v1/applications',
      field: 'myApplications(',
      caller: 'citizen',
      valid: ['applications', ID],
    },
    {
      route: 'GET /v1/catalog/services',
      url: () => '/v1/catalog/services',
      field: 'catalogueServices(',
      caller: 'staff',
      valid: ['catalog-services', ID],
    },
    {
      route: 'GET /v1/complaints',
      url: () => '/v1/complaints',
      field: 'complaints(',
      caller: 'staff',
      valid: ['complaints', ID],
    },
    {
      route: 'GET /v1/cases',
      url: () => '/v1/cases',
      field: 'cases(',
      caller: 'staff',
      valid: ['cases', AT, ID],
    },
    {
      route: 'GET /v1/cases',
      url: () => '/v1/cases',
      field: 'cases(',
      caller: 'staff',
      valid: ['cases', 'infinity', ID],
    },
    // a leap day is a real date
    {
      route: 'GET /v1/cases',
      url: () => '/v1/cases',
      field: 'cases(',
      caller: 'staff',
      valid: ['cases', '2024-02-29T12:00:00.000Z', ID],
    },
    {
      route: 'GET /v1/cases/{id}/notes',
      url: () => `/v1/cases/${caseId}/notes`,
      field: 'caseNotes(',
      args: () => `caseId: "${caseId}", `,
      caller: 'staff',
      valid: ['case-notes', ID],
    },
    {
      route: 'GET /v1/clients',
      url: () => '/v1/clients',
      field: 'clients(',
      caller: 'staff',
      valid: ['clients', ID],
    },
    {
      route: 'GET /v1/consultations',
      url: () => '/v1/consultations',
      field: 'consultations(',
      caller: 'staff',
      valid: ['consultations', ID],
    },
    {
      route: 'GET /v1/consultation-templates',
      url: () => `/v1/consultation-templates?organisationId=${ID}`,
      field: 'consultationTemplates(',
      args: () => `organisationId: "${ID}", `,
      caller: 'staff',
      valid: ['consultation-templates', ID],
    },
    {
      route: 'GET /v1/me/consultations',
      url: () => '/v1/me/consultations',
      field: 'myConsultations(',
      caller: 'citizen',
      valid: ['my-consultations', ID],
    },
    {
      route: 'GET /v1/me/data-access',
      url: () => '/v1/me/data-access',
      field: 'myDataAccess(',
      caller: 'citizen',
      valid: ['data-access', '12345'],
    },
    {
      route: 'GET /v1/me/licences',
      url: () => '/v1/me/licences',
      field: 'myLicences(',
      caller: 'citizen',
      valid: ['licences', ID],
    },
    {
      route: 'GET /v1/me/ratings',
      url: () => '/v1/me/ratings',
      field: 'myRatings(',
      caller: 'citizen',
      valid: ['ratings', ID],
    },
    {
      route: 'GET /v1/ratings',
      url: () => '/v1/ratings',
      field: 'unitRatings(',
      caller: 'staff',
      valid: ['unit-ratings', ID],
    },
    {
      route: 'GET /v1/rating-appeals',
      url: () => '/v1/rating-appeals',
      field: 'ratingAppeals(',
      caller: 'staff',
      valid: ['rating-appeals', ID],
    },
    {
      route: 'GET /v1/rectifications',
      url: () => '/v1/rectifications',
      field: 'rectifications(',
      caller: 'anonymous',
      valid: ['rectifications', ID],
    },
    {
      route: 'GET /v1/me/notifications',
      url: () => '/v1/me/notifications',
      field: 'myNotifications(',
      caller: 'citizen',
      valid: ['notifications', ID],
    },
    {
      route: 'GET /v1/me/timeline',
      url: () => '/v1/me/timeline',
      field: 'myTimeline(',
      caller: 'citizen',
      valid: ['timeline', AT, ID],
    },
    {
      route: 'GET /v1/organisations',
      url: () => '/v1/organisations',
      field: 'organisations(',
      caller: 'anonymous',
      valid: ['organisations', ID],
    },
    {
      route: 'GET /v1/services',
      url: () => '/v1/services',
      field: 'services(',
      caller: 'anonymous',
      valid: ['services', ID],
    },
    {
      route: 'GET /v1/services/{serviceId}/workflows',
      url: () => `/v1/services/${serviceId}/workflows`,
      field: 'workflowDefinitions(',
      args: () => `serviceId: "${serviceId}", `,
      caller: 'staff',
      valid: ['workflows', 3, ID],
    },
    {
      // The same versions through the generic case-type route (issue 12): the catalogue is case type `service`.
      route: 'GET /v1/case-types/{type}/subjects/{key}/workflows',
      url: () => `/v1/case-types/service/subjects/${serviceId}/workflows`,
      field: 'caseTypeWorkflowDefinitions(',
      args: () => `caseType: "service", subjectKey: "${serviceId}", `,
      caller: 'staff',
      valid: ['workflows', 3, ID],
    },
    {
      route: 'GET /v1/staff',
      url: () => '/v1/staff',
      field: 'staff(',
      caller: 'staff',
      valid: ['staff', ID],
    },
    {
      route: 'GET /v1/tasks',
      url: () => '/v1/tasks?sort=dueAt',
      field: 'tasks(sort: dueAt, ',
      caller: 'staff',
      valid: ['tasks-by-deadline', AT_US, ID],
    },
    {
      route: 'GET /v1/tasks',
      url: () => '/v1/tasks?sort=dueAt',
      field: 'tasks(sort: dueAt, ',
      caller: 'staff',
      valid: ['tasks-by-deadline', 'infinity', ID],
    },
    {
      route: 'GET /v1/tasks',
      url: () => '/v1/tasks?sort=-createdAt',
      field: 'tasks(sort: createdAt_desc, ',
      caller: 'staff',
      valid: ['tasks-newest-first', AT_US, ID],
    },
    {
      route: 'GET /v1/tasks',
      url: () => '/v1/tasks?sort=warning',
      field: 'tasks(sort: warning, ',
      caller: 'staff',
      valid: ['tasks-by-warning', 1, AT_US, ID],
    },
  ];

  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMIT_ANONYMOUS: '1000000', RATE_LIMIT_AUTHENTICATED: '1000000' });
    parents = await caseParents(t);
    tokens = {
      anonymous: null,
      staff: await scopedToken(t, 'staff', ALL_PERMISSIONS),
      citizen: await scopedToken(t, 'citizen', [Permission.SelfService]),
    };
    // A service and a case of their own, so the lists under them get past "not found" to the cursor.
    const unit = await makeUnit(t, '游标测试局');
    const created = await t.http
      .post('/v1/catalog/services')
      .set('Authorization', `Bearer ${tokens.staff}`)
      .send({
        organisationId: unit,
        implementationCode: `CUR-${uniq().toUpperCase()}`,
        type: 'administrative_licence',
        target: 'person',
        draft: serviceContent(),
      })
      .expect(201);
    serviceId = created.body.id as string;
    const c = await t.db.repo(CaseFile).save(
      t.db.repo(CaseFile).create({
        subjectType: 'application',
        subjectId: uuidv7(),
        number: `SQ${TEST_REGION}${uniq().toUpperCase()}`,
        caseType: 'service',
        subjectKey: serviceId,
        serviceId,
        definitionId: parents.definitionId,
        organisationId: unit,
        receivingOrganisationId: unit,
        regionCode: TEST_REGION,
        applicantAccountId: parents.applicantAccountId,
        stage: 'review',
        status: CaseStatus.Open,
        receivedAt: new Date(),
        acceptedAt: new Date(),
        limit: { amount: 20, unit: 'working_days' },
        dueAt: new Date(Date.now() + 20 * 86_400_000),
        warningLevel: 'green',
      }),
    );
    caseId = c.id;
  });
  afterAll(() => t?.close());

  const rest = (list: KeysetList, cursor: string) => {
    const url = list.url();
    const req = t.http.get(`${url}${url.includes('?') ? '&' : '?'}cursor=${cursor}`);
    const token = tokens[list.caller];
    return token ? req.set('Authorization', `Bearer ${token}`) : req;
  };

  const graphql = (list: KeysetList, after: string) => {
    const query = `query($after: String) { page: ${list.field}${list.args?.() ?? ''}after: $after) { edges { cursor } pageInfo { hasNextPage } } }`;
    const req = t.http.post('/graphql');
    const token = tokens[list.caller];
    return (token ? req.set('Authorization', `Bearer ${token}`) : req).send({ query, variables: { after } });
  };

  it('names every keyset list of the OpenAPI document and the GraphQL schema, and every declared cursor codec', () => {
    const doc = buildOpenApi(t.app, t.config) as unknown as {
      paths: Record<string, Record<string, { parameters?: { name: string; in: string }[] }>>;
    };
    const routes = Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.entries(item)
        .filter(([, op]) => op.parameters?.some((p) => p.in === 'query' && p.name === 'cursor'))
        .map(([method]) => `${method.toUpperCase()} ${path}`),
    );
    expect([...new Set(LISTS.map((l) => l.route))].sort()).toEqual(routes.sort());
    const query = t.app.get(GraphQLSchemaHost).schema.getQueryType()!;
    const fields = Object.values(query.getFields())
      .filter((f) => f.args.some((a) => a.name === 'after'))
      .map((f) => f.name);
    expect([...new Set(LISTS.filter((l) => l.field).map((l) => /^\w+/.exec(l.field)![0]))].sort()).toEqual(
      fields.sort(),
    );
    // Each list (and each sort) declares its own codec, under a name no other list uses.
    expect([...new Set(LISTS.map((l) => l.valid[0]))].sort()).toEqual([...cursorCodecs().keys()].sort());
  });

  it('refuses the cursor FUZZ_SEED=2049243546 drew for the case list (2025-99-99) with 400, not 500', async () => {
    // It was 500 INTERNAL: the date went to PostgreSQL unchecked, which could not read it.
    const cursor = encode(['2025-99-99T00:00:00Z', '00000000-0000-0000-0000-000000000000']);
    const res = await t.http.get(`/v1/cases?cursor=${cursor}`).set('Authorization', `Bearer ${tokens.staff}`);
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ code: 'INVALID_CURSOR', status: 400 });
  });

  describe.each(LISTS.map((l) => [`${l.route} ${JSON.stringify(l.valid)}`, l] as const))(
    '%s',
    (_title, list) => {
      it('pages on from a well-formed cursor, REST and GraphQL', async () => {
        const res = await rest(list, encode(list.valid));
        expect({ status: res.status, body: res.body as unknown }).toMatchObject({
          status: 200,
          body: { items: expect.any(Array) },
        });
        if (!list.field) return;
        const gql = await graphql(list, encode(list.valid));
        expect(gql.body.errors).toBeUndefined();
        expect(gql.body.data.page.edges).toEqual(expect.any(Array));
      });

      it('refuses impossible dates, wrong arity, wrong types and other lists’ cursors with 400 INVALID_CURSOR, REST and GraphQL, changing nothing', async () => {
        const before = await rowCounts(t.db);
        const wrong: string[] = [];
        for (const [label, cursor] of defects(list, LISTS)) {
          const res = await rest(list, cursor);
          if (
            res.status !== 400 ||
            res.body?.code !== 'INVALID_CURSOR' ||
            !/^application\/problem\+json/.test(res.headers['content-type'] ?? '')
          )
            wrong.push(`REST ${label}: ${res.status} ${res.text.slice(0, 160)}`);
          if (!list.field) continue;
          const gql = await graphql(list, cursor);
          const e = gql.body?.errors?.[0] as { extensions?: { code?: string } } | undefined;
          if (e?.extensions?.code !== 'INVALID_CURSOR' || gql.body.data?.page)
            wrong.push(`GraphQL ${label}: ${gql.status} ${gql.text.slice(0, 160)}`);
        }
        expect(wrong).toEqual([]);
        expect(diffCounts(before, await rowCounts(t.db))).toEqual([]);
      });
    },
  );

  it('issues cursors that name their list, and the next page follows on from them (organisations)', async () => {
    const admin = { Authorization: `Bearer ${tokens.staff}` };
    const region = `97${String(Date.now()).slice(-10)}`;
    await t.http
      .post('/v1/regions')
      .set(admin)
      .send({ code: region, name: `游标区 ${region}`, level: 'province' })
      .expect(201);
    const ids: string[] = [];
    for (const n of [1, 2, 3]) {
      const org = await t.http
        .post('/v1/organisations')
        .set(admin)
        .send({ kind: 'agency', name: `游标局 ${randomUUID()} ${n}`, regionCode: region })
        .expect(201);
      ids.push(org.body.id as string);
    }
    ids.sort();
    const first = await t.http.get(`/v1/organisations?region=${region}&limit=2`).expect(200);
    expect(first.body.items.map((o: { id: string }) => o.id)).toEqual(ids.slice(0, 2));
    expect(JSON.parse(Buffer.from(first.body.nextCursor as string, 'base64url').toString())).toEqual([
      'organisations',
      ids[1],
    ]);
    const second = await t.http
      .get(`/v1/organisations?region=${region}&limit=2&cursor=${first.body.nextCursor}`)
      .expect(200);
    expect(second.body).toMatchObject({ items: [{ id: ids[2] }], nextCursor: null });
    const gql = await t.http.post('/graphql').send({
      query: `{ organisations(region: "${region}", first: 2) { edges { cursor } pageInfo { endCursor } } }`,
    });
    expect(gql.body.data.organisations.pageInfo.endCursor).toBe(first.body.nextCursor);
    // The same cursor means nothing to another list.
    const staff = await t.http.get(`/v1/staff?cursor=${first.body.nextCursor}`).set(admin).expect(400);
    expect(staff.body.code).toBe('INVALID_CURSOR');
  });
});
