import { RoleName } from '../../src/modules/platform/identity/staff/role-catalogue';
import { auth, makeCitizen, makeStaff, makeUnit, signIn, uniq } from '../identity/staff-fixtures';
import { expectOncePerKey } from '../support/graphql-idempotency';
import { startTestApp, TestApp } from '../support/test-app';
import { scopedToken } from '../support/tokens';
import { activeWorkflow, serviceContent, standardSpec } from '../support/workflow-fixtures';

type Headers = Record<string, string>;
interface Item {
  id: string;
  organisationId: string;
  implementationCode: string;
  title: string;
  status: string;
  openVersionNumber: number | null;
  openVersionState: string | null;
  currentPublishedVersionId: string | null;
  publishedAt: string | null;
  updatedAt: string;
  version: number;
}
interface GqlError {
  message: string;
  extensions: {
    code: string;
    status?: number;
    errors?: { pointer: string; code: string; message: string }[];
  };
}

const ITEM_FIELDS = `id organisationId implementationCode title type target status openVersionNumber openVersionState
  currentPublishedVersionId publishedAt updatedAt version`;
const ADMIN_FIELDS = `id organisationId implementationCode type target status currentPublishedVersionId version
  draft { id number state content publishedAt } published { id number state publishedAt }`;
const LIST = `query($first: Int, $after: String, $status: ServiceStatus, $q: String, $org: ID, $since: DateTime) {
  catalogueServices(first: $first, after: $after, status: $status, q: $q, organisationId: $org, updatedSince: $since) {
    edges { cursor node { ${ITEM_FIELDS} } } pageInfo { hasNextPage endCursor } } }`;

/**
 * The staff catalogue (issue 11 §3): the list of the caller's own services in any state over REST
 * and GraphQL, the staff operations as GraphQL mutations, GraphQL search equal to REST's, and
 * GraphQL validation errors equal to REST's problem for the same bad input.
 */
describe('staff catalogue: list, GraphQL operations, search and validation parity', () => {
  let t: TestApp;
  let X: string;
  let X2: string;
  let Y: string;
  let adminX: Headers;
  let adminY: Headers;
  let clerkX: Headers;
  let manageOnly: Headers;
  let citizen: Headers;
  let global: Headers;
  /** services of X (draft, in review, published, retired), of X2 (draft) and of Y (draft) */
  const ids: Record<string, string> = {};
  const tag = `T${uniq()}`.toUpperCase();

  const gql = (query: string, variables: Record<string, unknown> = {}, as: Headers = {}, lang = 'zh-CN') =>
    t.http.post('/graphql').set(as).set('Accept-Language', lang).send({ query, variables });
  const errorOf = (res: { body: { errors?: GqlError[] } }): GqlError | undefined => res.body.errors?.[0];
  const codeOf = (res: { body: { errors?: GqlError[] } }) => errorOf(res)?.extensions.code ?? 'ok';
  const row = async (id: string) =>
    (
      await t.db.query<{ status: string; version: number; draft_version_id: string | null }>(
        'SELECT status, version, draft_version_id FROM service WHERE id = $1',
        [id],
      )
    )[0];
  const count = async (sql: string, params: unknown[]) =>
    (await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${sql}`, params))[0].n;

  const body = (organisationId: string, title = '个体工商户登记', code = `${tag}-${uniq()}`) => {
    const draft = serviceContent();
    const tr = draft.translations as Record<string, Record<string, unknown>>;
    tr['zh-CN'] = { ...tr['zh-CN'], title };
    return {
      organisationId,
      implementationCode: code,
      type: 'administrative_licence',
      target: 'person',
      draft,
    };
  };
  const create = async (organisationId: string, title?: string): Promise<string> => {
    const res = await t.http.post('/v1/catalog/services').set(global).send(body(organisationId, title));
    expect(res.status).toBe(201);
    const id = (res.body as { id: string }).id;
    await activeWorkflow(t, id, standardSpec(), global);
    return id;
  };
  const step = async (id: string, action: string) =>
    expect((await t.http.post(`/v1/catalog/services/${id}/${action}`).set(global).send()).status).toBe(200);
  const restList = async (as: Headers, query = '') => {
    const res = await t.http.get(`/v1/catalog/services?limit=100&q=${tag}${query}`).set(as);
    return res;
  };
  const restIds = async (as: Headers, query = '') => {
    const res = await restList(as, query);
    expect(res.status).toBe(200);
    return (res.body.items as Item[]).map((i) => i.id);
  };

  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMIT_ANONYMOUS: '100000', RATE_LIMIT_AUTHENTICATED: '100000' });
    const root = await makeUnit(t, '目录二市局');
    X = await makeUnit(t, '目录二甲区', root);
    X2 = await makeUnit(t, '目录二甲区科室', X);
    Y = await makeUnit(t, '目录二乙区', root);
    const staffAt = async (unit: string, role: RoleName) =>
      auth(await signIn(t, await makeStaff(t, unit, [{ role, unit }]), 'staff'));
    adminX = await staffAt(X, RoleName.OrgAdmin);
    adminY = await staffAt(Y, RoleName.OrgAdmin);
    clerkX = await staffAt(X, RoleName.Clerk);
    citizen = auth(await signIn(t, await makeCitizen(t), 'citizen'));
    global = auth(await scopedToken(t, 'staff', ['catalog:manage', 'catalog:review', 'workflow:manage']));
    manageOnly = auth(await scopedToken(t, 'staff', ['catalog:manage']));

    ids.draftX = await create(X, '甲区草稿事项');
    ids.reviewX = await create(X, '甲区审核事项');
    await step(ids.reviewX, 'submit');
    ids.publishedX = await create(X, '甲区已发布事项');
    await step(ids.publishedX, 'submit');
    await step(ids.publishedX, 'publish');
    ids.retiredX = await create(X, '甲区停用事项');
    await step(ids.retiredX, 'submit');
    await step(ids.retiredX, 'publish');
    await step(ids.retiredX, 'retire');
    ids.draftX2 = await create(X2, '科室草稿事项');
    ids.draftY = await create(Y, '乙区草稿事项');
  });
  afterAll(() => t.close());

  describe('GET /v1/catalog/services and catalogueServices', () => {
    it("lists the caller's units' services in every state, units below included, newest first", async () => {
      const res = await restList(adminX);
      expect(res.status).toBe(200);
      expect(res.headers['cache-control']).toContain('no-store');
      const items = res.body.items as Item[];
      expect(items.map((i) => i.id)).toEqual([
        ids.draftX2,
        ids.retiredX,
        ids.publishedX,
        ids.reviewX,
        ids.draftX,
      ]);
      const byId = new Map(items.map((i) => [i.id, i]));
      expect(byId.get(ids.draftX)).toMatchObject({
        organisationId: X,
        title: '甲区草稿事项',
        status: 'draft',
        openVersionNumber: 1,
        openVersionState: 'draft',
        currentPublishedVersionId: null,
        publishedAt: null,
      });
      expect(byId.get(ids.reviewX)).toMatchObject({ status: 'in_review', openVersionState: 'in_review' });
      expect(byId.get(ids.publishedX)).toMatchObject({
        status: 'published',
        openVersionState: null,
        title: '甲区已发布事项',
        publishedAt: expect.any(String),
      });
      expect(byId.get(ids.retiredX)).toMatchObject({ status: 'retired' });
      // The version is the one If-Match / expectedVersion wants.
      expect(byId.get(ids.draftX)!.version).toBe((await row(ids.draftX)).version);
      // Y's administrator sees Y's draft only; the global catalogue staff see all six.
      expect(await restIds(adminY)).toEqual([ids.draftY]);
      expect(await restIds(global)).toHaveLength(6);
    });

    it('filters by status, text, owning unit (and below) and updatedSince; pages by cursor', async () => {
      expect(await restIds(adminX, '&status=draft')).toEqual([ids.draftX2, ids.draftX]);
      expect(await restIds(adminX, '&status=in_review')).toEqual([ids.reviewX]);
      expect(await restIds(adminX, '&status=retired')).toEqual([ids.retiredX]);
      // q matches the open version's title (a draft has no public title yet) or the code
      const titled = await t.http
        .get(`/v1/catalog/services?q=${encodeURIComponent('甲区审核')}`)
        .set(adminX)
        .expect(200);
      expect((titled.body.items as Item[]).map((i) => i.id)).toEqual([ids.reviewX]);
      const [{ implementation_code: code }] = await t.db.query<{ implementation_code: string }>(
        'SELECT implementation_code FROM service WHERE id = $1',
        [ids.publishedX],
      );
      const byCode = await t.http.get(`/v1/catalog/services?q=${code.toLowerCase()}`).set(adminX).expect(200);
      expect((byCode.body.items as Item[]).map((i) => i.id)).toEqual([ids.publishedX]);
      expect(await restIds(adminX, `&organisationId=${X2}`)).toEqual([ids.draftX2]);
      expect(await restIds(adminX, `&organisationId=${X}`)).toHaveLength(5);
      // another unit's id filters to nothing: it never widens the scope
      expect(await restIds(adminX, `&organisationId=${Y}`)).toEqual([]);
      // updatedSince: touch one, then ask from just before the touch
      const before = (await row(ids.draftX)).version;
      const since = new Date(Date.now() - 1000).toISOString();
      await t.db.query("UPDATE service SET updated_at = now() + interval '1 hour' WHERE id = $1", [
        ids.draftX,
      ]);
      expect(
        await restIds(adminX, `&updatedSince=${new Date(Date.now() + 30 * 60_000).toISOString()}`),
      ).toEqual([ids.draftX]);
      expect((await restIds(adminX, `&updatedSince=${since}`)).length).toBeGreaterThanOrEqual(1);
      expect((await row(ids.draftX)).version).toBe(before);

      // pages of two: the same order, nothing twice, a Link to the next page
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const res = await t.http
          .get(`/v1/catalog/services?limit=2&q=${tag}${cursor ? `&cursor=${cursor}` : ''}`)
          .set(adminX)
          .expect(200);
        seen.push(...(res.body.items as Item[]).map((i) => i.id));
        cursor = res.body.nextCursor as string | null;
        if (cursor) expect(res.headers.link).toContain('rel="next"');
      } while (cursor);
      expect(seen).toEqual(await restIds(adminX));
    });

    it('refuses citizens, anonymous callers and staff without a catalogue permission; bad filters are 400', async () => {
      expect((await t.http.get('/v1/catalog/services')).status).toBe(401);
      expect((await t.http.get('/v1/catalog/services').set(citizen)).status).toBe(403);
      expect((await t.http.get('/v1/catalog/services').set(clerkX)).status).toBe(403);
      for (const [query, pointer] of [
        ['status=gone', '/status'],
        ['updatedSince=yesterday', '/updatedSince'],
        ['organisationId=nope', '/organisationId'],
        ['q=', '/q'],
        ['cursor=abc', null],
      ] as const) {
        const res = await t.http.get(`/v1/catalog/services?${query}`).set(adminX);
        expect(res.status).toBe(400);
        if (pointer) expect(res.body.errors.map((e: { pointer: string }) => e.pointer)).toContain(pointer);
        else expect(res.body.code).toBe('INVALID_CURSOR');
      }
    });

    it('GraphQL catalogueServices gives the same items, filters and pages as REST', async () => {
      const all = await gql(LIST, { first: 100, q: tag }, adminX);
      expect(all.body.errors).toBeUndefined();
      const nodes = (all.body.data.catalogueServices.edges as { node: Item }[]).map((e) => e.node);
      const rest = await restList(adminX);
      expect(nodes).toEqual(rest.body.items);
      const drafts = await gql(LIST, { first: 100, q: tag, status: 'draft', org: X2 }, adminX);
      expect(drafts.body.data.catalogueServices.edges.map((e: { node: Item }) => e.node.id)).toEqual([
        ids.draftX2,
      ]);
      const page1 = await gql(LIST, { first: 2, q: tag }, adminX);
      const { hasNextPage, endCursor } = page1.body.data.catalogueServices.pageInfo;
      expect(hasNextPage).toBe(true);
      const page2 = await gql(LIST, { first: 2, q: tag, after: endCursor }, adminX);
      expect(page2.body.data.catalogueServices.edges.map((e: { node: Item }) => e.node.id)).toEqual(
        rest.body.items.slice(2, 4).map((i: Item) => i.id),
      );
      expect((await gql(LIST, { q: tag }, adminY)).body.data.catalogueServices.edges).toEqual([
        expect.objectContaining({ node: expect.objectContaining({ id: ids.draftY }) }),
      ]);
      expect(codeOf(await gql(LIST, {}))).toBe('UNAUTHENTICATED');
      expect(codeOf(await gql(LIST, {}, citizen))).toBe('FORBIDDEN');
      expect(codeOf(await gql(LIST, {}, clerkX))).toBe('FORBIDDEN');
      expect(codeOf(await gql(LIST, { after: 'abc' }, adminX))).toBe('INVALID_CURSOR');
    });
  });

  describe('staff catalogue operations over GraphQL', () => {
    const CREATE = `mutation($input: CreateCatalogueServiceInput!, $key: String) {
      createCatalogueService(input: $input, idempotencyKey: $key) { ${ADMIN_FIELDS} } }`;
    const UPDATE = `mutation($id: ID!, $v: Int!, $content: JSONObject!) {
      updateCatalogueServiceDraft(id: $id, expectedVersion: $v, input: $content) { ${ADMIN_FIELDS} } }`;
    const stepOp = (name: string) => `mutation($id: ID!, $v: Int, $key: String) {
      ${name}CatalogueService(id: $id, expectedVersion: $v, idempotencyKey: $key) { ${ADMIN_FIELDS} } }`;
    type Admin = {
      id: string;
      status: string;
      version: number;
      draft: { state: string; number: number } | null;
    };
    const gqlStep = async (name: string, id: string, as: Headers, v?: number) => {
      const res = await gql(stepOp(name), { id, v }, as);
      return { res, node: res.body.data?.[`${name}CatalogueService`] as Admin | undefined };
    };

    it('create → edit → submit → reject → submit → publish → retire → revise, with the database at each step', async () => {
      const input = body(X, '图形接口事项');
      const created = await gql(CREATE, { input }, adminX);
      expect(created.body.errors).toBeUndefined();
      const svc = created.body.data.createCatalogueService as Admin;
      expect(svc).toMatchObject({ status: 'draft', draft: { number: 1, state: 'draft' } });
      expect(await count('service WHERE id = $1 AND organisation_id = $2', [svc.id, X])).toBe(1);
      await activeWorkflow(t, svc.id, standardSpec(), adminX);

      // expectedVersion is If-Match: a stale one is refused and nothing changes
      const content = { ...input.draft, guide: { ...(input.draft.guide as object), visitsRequired: 0 } };
      const stale = await gql(UPDATE, { id: svc.id, v: svc.version + 7, content }, adminX);
      expect(codeOf(stale)).toBe('PRECONDITION_FAILED');
      const edited = await gql(UPDATE, { id: svc.id, v: svc.version, content }, adminX);
      expect(edited.body.errors).toBeUndefined();
      const [{ content: stored }] = await t.db.query<{ content: { guide: { visitsRequired: number } } }>(
        'SELECT v.content FROM service s JOIN service_version v ON v.id = s.draft_version_id WHERE s.id = $1',
        [svc.id],
      );
      expect(stored.guide.visitsRequired).toBe(0);

      let v = edited.body.data.updateCatalogueServiceDraft.version as number;
      expect(codeOf((await gqlStep('submit', svc.id, adminX, v + 1)).res)).toBe('PRECONDITION_FAILED');
      const submitted = await gqlStep('submit', svc.id, adminX, v);
      expect(submitted.node).toMatchObject({ status: 'in_review', draft: { state: 'in_review' } });
      expect((await row(svc.id)).status).toBe('in_review');
      const rejected = await gqlStep('reject', svc.id, adminX);
      expect(rejected.node).toMatchObject({ status: 'draft', draft: { state: 'draft' } });
      expect((await row(svc.id)).status).toBe('draft');
      await gqlStep('submit', svc.id, adminX);
      // manage alone may not publish (catalog:review)
      expect(codeOf((await gqlStep('publish', svc.id, manageOnly)).res)).toBe('FORBIDDEN');
      v = (await row(svc.id)).version;
      const published = await gqlStep('publish', svc.id, adminX, v);
      expect(published.res.body.errors).toBeUndefined();
      expect(published.node).toMatchObject({ status: 'published', draft: null });
      const pub = await t.http.get(`/v1/services/${svc.id}`).expect(200);
      expect(pub.body.title).toBe('图形接口事项');
      // a second publish is refused by the state check
      expect(codeOf((await gqlStep('publish', svc.id, adminX)).res)).toBe('INVALID_STATE');
      const retired = await gqlStep('retire', svc.id, adminX);
      expect(retired.node).toMatchObject({ status: 'retired' });
      await t.http.get(`/v1/services/${svc.id}`).expect(404);
      const revised = await gqlStep('revise', svc.id, adminX);
      expect(revised.node).toMatchObject({ draft: { number: 2, state: 'draft' } });
      expect((await row(svc.id)).draft_version_id).not.toBeNull();
      expect(await count("audit_leaf WHERE resource_id = $1 AND action LIKE 'service.%'", [svc.id])).toBe(8);

      const read = await gql(
        `query($id: ID!) { catalogueService(id: $id) { ${ADMIN_FIELDS} } }`,
        { id: svc.id },
        adminX,
      );
      expect(read.body.data.catalogueService).toEqual(revised.node);
      const rest = await t.http.get(`/v1/catalog/services/${svc.id}`).set(adminX).expect(200);
      expect(rest.body).toMatchObject({ id: svc.id, version: revised.node!.version, status: 'retired' });
    });

    it("refuses other units' staff (NOT_FOUND), citizens, anonymous callers and missing permissions; nothing changes", async () => {
      const before = await row(ids.draftX);
      const probe = async (as: Headers) => ({
        read: codeOf(
          await gql(`query($id: ID!) { catalogueService(id: $id) { id } }`, { id: ids.draftX }, as),
        ),
        create: codeOf(await gql(CREATE, { input: body(X) }, as)),
        update: codeOf(
          await gql(UPDATE, { id: ids.draftX, v: before.version, content: serviceContent() }, as),
        ),
        submit: codeOf((await gqlStep('submit', ids.draftX, as)).res),
        publish: codeOf((await gqlStep('publish', ids.reviewX, as)).res),
      });
      expect(await probe(adminY)).toEqual({
        read: 'NOT_FOUND',
        create: 'NOT_FOUND',
        update: 'NOT_FOUND',
        submit: 'NOT_FOUND',
        publish: 'NOT_FOUND',
      });
      for (const as of [citizen, clerkX])
        expect(await probe(as)).toEqual({
          read: 'FORBIDDEN',
          create: 'FORBIDDEN',
          update: 'FORBIDDEN',
          submit: 'FORBIDDEN',
          publish: 'FORBIDDEN',
        });
      expect(await probe({})).toEqual({
        read: 'UNAUTHENTICATED',
        create: 'UNAUTHENTICATED',
        update: 'UNAUTHENTICATED',
        submit: 'UNAUTHENTICATED',
        publish: 'UNAUTHENTICATED',
      });
      expect(await row(ids.draftX)).toEqual(before);
      expect((await row(ids.reviewX)).status).toBe('in_review');
      expect(await count('service WHERE implementation_code LIKE $1', [`${tag}%`])).toBe(7);
      // a malformed id is a 400 naming it, as REST's path parameter
      const bad = await gqlStep('submit', 'not-a-uuid', adminX);
      expect(errorOf(bad.res)?.extensions).toMatchObject({
        code: 'VALIDATION_FAILED',
        errors: [{ pointer: '/id', code: 'isUuid' }],
      });
    });

    it('createCatalogueService takes an idempotencyKey like POST /v1/catalog/services takes the header', async () => {
      const bodyOf = (v: Record<string, unknown>) => v.input as Record<string, unknown>;
      await expectOncePerKey(t, {
        query: CREATE,
        callers: () => [adminX, global],
        headers: (as: Headers) => as,
        fresh: () => Promise.resolve({ input: body(X) }),
        changed: (v) => ({ input: { ...bodyOf(v), target: 'business' } }),
        effects: () => count('service WHERE implementation_code LIKE $1', [`${tag}%`]),
        rest: (v) => ({ path: '/v1/catalog/services', body: bodyOf(v), status: 201 }),
      });
    });

    it('the lifecycle steps take an idempotencyKey: a retry replays the first answer and writes once', async () => {
      const id = await create(X, '键事项');
      const ask = (key: string) => gql(stepOp('submit'), { id, key }, adminX);
      const first = await ask('submit-key-1');
      expect(first.body.errors).toBeUndefined();
      const again = await ask('submit-key-1');
      expect(again.body).toEqual(first.body);
      expect(await count("audit_leaf WHERE resource_id = $1 AND action = 'service.submit'", [id])).toBe(1);
      const twin = await t.http
        .post(`/v1/catalog/services/${id}/submit`)
        .set(adminX)
        .set('Idempotency-Key', 'submit-key-1')
        .send();
      expect(twin.status).toBe(200);
      expect(twin.headers['idempotent-replayed']).toBe('true');
      // without the key the state check answers the second submission
      expect(codeOf(await gql(stepOp('submit'), { id }, adminX))).toBe('INVALID_STATE');
    });
  });

  describe('searchServices', () => {
    it('answers what GET /v1/services/search answers: the same hits, scores and order', async () => {
      const SEARCH = `query($q: String!, $limit: Int) { searchServices(q: $q, limit: $limit) {
        id implementationCode title type target organisationId regionCode lifeEvents topics publishedAt score } }`;
      for (const [q, lang] of [
        ['甲区已发布', 'zh-CN'],
        ['个体工商户 登记', 'zh-CN'],
        ['business', 'en'],
      ] as const) {
        const rest = await t.http
          .get(`/v1/services/search?q=${encodeURIComponent(q)}&limit=50`)
          .set('Accept-Language', lang)
          .expect(200);
        const res = await gql(SEARCH, { q, limit: 50 }, {}, lang);
        expect(res.body.errors).toBeUndefined();
        const pick = (h: Record<string, unknown>) =>
          Object.fromEntries(Object.keys(res.body.data.searchServices[0] ?? {}).map((k) => [k, h[k]]));
        expect(res.body.data.searchServices).toEqual(
          (rest.body.items as Record<string, unknown>[]).map(pick),
        );
      }
      const found = await gql(SEARCH, { q: '甲区已发布' });
      expect(found.body.data.searchServices.map((h: { id: string }) => h.id)).toContain(ids.publishedX);
      // retired and unpublished services are not found
      const hidden = await gql(SEARCH, { q: '甲区停用事项' });
      expect(hidden.body.data.searchServices.map((h: { id: string }) => h.id)).not.toContain(ids.retiredX);
    });
  });

  describe('validation errors: GraphQL carries what REST carries', () => {
    const restProblem = (res: { body: Record<string, unknown> }) => ({
      code: res.body.code,
      status: res.body.status,
      detail: res.body.detail,
      errors: res.body.errors as { pointer: string; code: string; message: string }[],
    });
    const gqlProblem = (res: { body: { errors?: GqlError[] } }, argument: string | null) => {
      const e = errorOf(res)!;
      return {
        code: e.extensions.code,
        status: e.extensions.status,
        detail: e.message,
        // pointers are relative to the argument: strip it to compare with REST's body pointers
        errors: (e.extensions.errors ?? []).map((f) => {
          if (argument)
            expect(`${f.pointer} ${JSON.stringify(e.extensions.errors)}`).toMatch(
              new RegExp(`^/${argument}/`),
            );
          return { ...f, pointer: argument ? f.pointer.slice(argument.length + 1) : f.pointer };
        }),
      };
    };

    it.each(['zh-CN', 'en'])(
      'same code, pointers, field codes and %s messages for the same bad input',
      async (lang) => {
        const draft = serviceContent();
        const bad = {
          organisationId: 'not-a-uuid',
          implementationCode: 'x!',
          type: 'administrative_licence',
          target: 'person',
          draft: {
            ...draft,
            guide: { ...(draft.guide as object), visitsRequired: -1, surprise: true },
            translations: { en: { title: 5 } },
            form: 'not an object',
          },
        };
        const rest = await t.http
          .post('/v1/catalog/services')
          .set(adminX)
          .set('Accept-Language', lang)
          .send(bad);
        expect(rest.status).toBe(400);
        const graph = await gql(
          'mutation($input: CreateCatalogueServiceInput!) { createCatalogueService(input: $input) { id } }',
          { input: bad },
          adminX,
          lang,
        );
        expect(graph.body.data).toBeNull();
        const expected = restProblem(rest);
        expect(expected.errors.length).toBeGreaterThanOrEqual(5);
        expect(expected.errors.map((e) => e.pointer)).toEqual(
          expect.arrayContaining([
            '/organisationId',
            '/implementationCode',
            '/draft/guide/surprise',
            '/draft/form',
          ]),
        );
        expect(gqlProblem(graph, 'input')).toEqual(expected);
        // errors the service finds (a form schema that does not compile) point the same way
        const badForm = {
          ...bad,
          organisationId: X,
          implementationCode: `${tag}-${uniq()}`,
          draft: { ...draft, form: { type: 'object', properties: { a: { type: 'nonsense' } } } },
        };
        const restForm = await t.http
          .post('/v1/catalog/services')
          .set(adminX)
          .set('Accept-Language', lang)
          .send(badForm);
        expect(restForm.status).toBe(400);
        expect(restProblem(restForm).errors[0].pointer).toMatch(/^\/draft\/form/);
        const gqlForm = await gql(
          'mutation($input: CreateCatalogueServiceInput!) { createCatalogueService(input: $input) { id } }',
          { input: badForm },
          adminX,
          lang,
        );
        expect(gqlProblem(gqlForm, 'input')).toEqual(restProblem(restForm));
        // messages are in the asked language
        const message = expected.errors.find((e) => e.pointer === '/organisationId')!.message;
        expect(/[\u4e00-\u9fff]/.test(message)).toBe(lang === 'zh-CN');

        // the draft replacement: REST's body is the content, GraphQL's `input` argument too
        const badContent = { ...draft, elder: { summary: '', steps: 'none' } };
        const restPut = await t.http
          .put(`/v1/catalog/services/${ids.draftX}/draft`)
          .set(adminX)
          .set('If-Match', `"v${(await row(ids.draftX)).version}"`)
          .set('Accept-Language', lang)
          .send(badContent);
        expect(restPut.status).toBe(400);
        const gqlPut = await gql(
          'mutation($id: ID!, $v: Int!, $c: JSONObject!) { updateCatalogueServiceDraft(id: $id, expectedVersion: $v, input: $c) { id } }',
          { id: ids.draftX, v: (await row(ids.draftX)).version, c: badContent },
          adminX,
          lang,
        );
        expect(gqlProblem(gqlPut, 'input')).toEqual(restProblem(restPut));

        // all-arguments classes point at the argument itself, as REST's query string does
        const restFiltered = await t.http
          .get('/v1/catalog/services?q=')
          .set(adminX)
          .set('Accept-Language', lang);
        const gqlList = await gql(LIST, { q: '' }, adminX, lang);
        expect(gqlProblem(gqlList, null)).toEqual(restProblem(restFiltered));
        const restSearch = await t.http.get('/v1/services/search?q=').set('Accept-Language', lang);
        const gqlSearch = await gql('query { searchServices(q: "") { id } }', {}, {}, lang);
        expect(gqlProblem(gqlSearch, null)).toEqual(restProblem(restSearch));
        // nothing was written by any of them
        expect(await count('service WHERE implementation_code = $1', ['x!'])).toBe(0);
      },
    );
  });
});
