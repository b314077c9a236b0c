import { PublicReadFront } from '../../src/api/http/public-read-front';
import { auth, makeUnit, uniq } from '../identity/staff-fixtures';
import { startTestApp, TestApp } from '../support/test-app';
import { scopedToken } from '../support/tokens';
import { activeWorkflow, instantSpec, serviceContent } from '../support/workflow-fixtures';

/**
 * The public-read front (src/api/http/public-read-front.ts): once an anonymous read has been
 * answered from the published-catalogue cache, the same read is answered before Nest's chain.
 * A replay must be indistinguishable from the full path (body, ETag, caching and Link headers,
 * request id, security headers, rate limit), must never serve a caller with credentials, must
 * stop the moment the cache entry behind it is dropped, and must still be refused over quota.
 */

const REPLAYED = [
  'content-type',
  'etag',
  'cache-control',
  'link',
  'vary',
  'content-language',
  'x-content-type-options',
];

describe('public-read front', () => {
  let t: TestApp;
  let front: PublicReadFront;
  let staff: Record<string, string>;
  let unit: string;
  let serviceIds: string[];

  async function publishService(title: string): Promise<string> {
    const res = await t.http
      .post('/v1/catalog/services')
      .set(staff)
      .send({
        organisationId: unit,
        implementationCode: `FRONT-${uniq()}`,
        type: 'public_service',
        target: 'person',
        draft: serviceContent({
          translations: {
            'zh-CN': { title, summary: `${title}摘要` },
            en: { title: `${title} (en)`, summary: 'x' },
          },
        }),
      })
      .expect(201);
    const id = (res.body as { id: string }).id;
    await activeWorkflow(t, id, instantSpec(), staff);
    await t.http.post(`/v1/catalog/services/${id}/submit`).set(staff).send().expect(200);
    await t.http.post(`/v1/catalog/services/${id}/publish`).set(staff).send().expect(200);
    return id;
  }

  /** Runs `read` and tells how many of its answers the front gave. */
  async function served<T>(read: () => Promise<T>): Promise<[T, number]> {
    const before = front.hits;
    const result = await read();
    return [result, front.hits - before];
  }

  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMIT_ANONYMOUS: '100000', RATE_LIMIT_AUTHENTICATED: '100000' });
    front = t.app.get(PublicReadFront);
    staff = auth(await scopedToken(t, 'staff', ['catalog:manage', 'catalog:review', 'workflow:manage']));
    unit = await makeUnit(t, '前置缓存单位');
    serviceIds = [await publishService('前置一'), await publishService('前置二')];
  });
  afterAll(() => t.close());

  it('replays a cached list with the same bytes and headers, and still counts the rate limit', async () => {
    const url = `/v1/services?organisationId=${unit}&limit=1`;
    const [first, n1] = await served(() => t.http.get(url).set('X-Request-Id', 'front-1').expect(200));
    expect(n1).toBe(0);
    expect(first.headers.link).toMatch(/rel="next"/);
    const [second, n2] = await served(() => t.http.get(url).set('X-Request-Id', 'front-2').expect(200));
    expect(n2).toBe(1);
    expect(second.text).toBe(first.text);
    for (const h of REPLAYED) expect([h, second.headers[h]]).toEqual([h, first.headers[h]]);
    expect(second.headers['x-request-id']).toBe('front-2');
    expect(second.headers['content-length']).toBe(String(Buffer.byteLength(first.text)));
    expect(second.headers['ratelimit-policy']).toBe(first.headers['ratelimit-policy']);
    const remaining = (h: string) => Number(/r=(\d+)/.exec(h)![1]);
    expect(remaining(second.headers.ratelimit)).toBe(remaining(first.headers.ratelimit) - 1);
    expect(second.body.items.map((s: { id: string }) => s.id)).toEqual([serviceIds[0]]);
  });

  it('answers If-None-Match with 304 and HEAD without a body', async () => {
    const url = `/v1/services/${serviceIds[1]}`;
    const first = await t.http.get(url).expect(200);
    const [nm, n1] = await served(() => t.http.get(url).set('If-None-Match', first.headers.etag).expect(304));
    expect(n1).toBe(1);
    expect(nm.text).toBe('');
    expect(nm.headers.etag).toBe(first.headers.etag);
    expect(nm.headers['content-type']).toBeUndefined();
    const [head, n2] = await served(() => t.http.head(url).expect(200));
    expect(n2).toBe(1);
    expect(head.text).toBeUndefined();
    expect(head.headers.etag).toBe(first.headers.etag);
    // Language and Prefer are part of the key: an English or elder read is not the Chinese one.
    const en = await t.http.get(url).set('Accept-Language', 'en').expect(200);
    expect(en.body.title).toBe('前置二 (en)');
    const elder = await t.http.get(url).set('Prefer', 'return=elder').expect(200);
    expect(elder.headers.etag).not.toBe(first.headers.etag);
  });

  it('never answers a caller with credentials', async () => {
    const url = `/v1/services?organisationId=${unit}`;
    await t.http.get(url).expect(200);
    await t.http.get(url).expect(200);
    const [bad, n] = await served(() =>
      t.http.get(url).set('Authorization', 'Bearer not-a-token').expect(401),
    );
    expect(n).toBe(0);
    expect(bad.headers['content-type']).toMatch(/^application\/problem\+json/);
    const [key, n2] = await served(() => t.http.get(url).set('X-Api-Key', 'ow_bogus').expect(401));
    expect(n2).toBe(0);
    expect(key.body.code).toBeDefined();
  });

  it('stops replaying the moment a publication drops the cache entry behind it', async () => {
    const url = `/v1/services?organisationId=${unit}&limit=50`;
    const gql = {
      query: `query ($u: ID) { services(organisationId: $u, first: 50) { edges { node { id } } } }`,
      variables: { u: unit },
    };
    const before = await t.http.get(url).expect(200);
    await t.http.post('/graphql').send(gql).expect(200);
    const [[rest, graph], n] = await served(async () => [
      await t.http.get(url).expect(200),
      await t.http.post('/graphql').send(gql).expect(200),
    ]);
    expect(n).toBe(2);
    expect(rest.text).toBe(before.text);
    expect(graph.body.data.services.edges).toHaveLength(2);

    const third = await publishService('前置三');
    const [[rest2, graph2], n2] = await served(async () => [
      await t.http.get(url).expect(200),
      await t.http.post('/graphql').send(gql).expect(200),
    ]);
    expect(n2).toBe(0);
    expect(rest2.body.items.map((s: { id: string }) => s.id)).toContain(third);
    expect(graph2.body.data.services.edges.map((e: { node: { id: string } }) => e.node.id)).toContain(third);
    serviceIds.push(third);
  });

  it('replays only anonymous GraphQL queries made wholly of shared fields that succeeded', async () => {
    const list = { query: `{ services(first: 5) { edges { node { id title } } pageInfo { hasNextPage } } }` };
    const first = await t.http.post('/graphql').send(list).expect(200);
    const [again, n] = await served(() => t.http.post('/graphql').send(list).expect(200));
    expect(n).toBe(1);
    expect(again.text).toBe(first.text);
    expect(again.headers['content-type']).toBe(first.headers['content-type']);

    // A field that reads the database directly keeps the whole operation out.
    const mixed = {
      query: `{ services(first: 5) { edges { node { id } } } regions { code } }`,
    };
    await t.http.post('/graphql').send(mixed).expect(200);
    expect((await served(() => t.http.post('/graphql').send(mixed).expect(200)))[1]).toBe(0);

    // Errors are never replayed.
    const missing = { query: `{ service(id: "00000000-0000-4000-8000-000000000000") { id } }` };
    const err = await t.http.post('/graphql').send(missing);
    expect(err.body.errors[0].extensions.code).toBe('NOT_FOUND');
    expect((await served(() => t.http.post('/graphql').send(missing)))[1]).toBe(0);

    // Signed-in callers always go the whole way.
    const citizen = auth(await scopedToken(t, 'citizen', ['self:service']));
    await t.http.post('/graphql').set(citizen).send(list).expect(200);
    expect((await served(() => t.http.post('/graphql').set(citizen).send(list).expect(200)))[1]).toBe(0);
    // Mutations never.
    const mutation = { query: `mutation { __typename }` };
    await t.http.post('/graphql').send(mutation);
    expect((await served(() => t.http.post('/graphql').send(mutation)))[1]).toBe(0);
  });

  it('replays the organisation directory until an organisation changes', async () => {
    const list = `/v1/organisations?parentId=${unit}`;
    const gql = {
      query: `query ($p: ID) { organisations(parentId: $p) { edges { node { id name } } } }`,
      variables: { p: unit },
    };
    const child = await makeUnit(t, '前置子单位', unit);
    const first = await t.http.get(list).expect(200);
    await t.http.post('/graphql').send(gql).expect(200);
    const [[again, graph], n] = await served(async () => [
      await t.http.get(list).expect(200),
      await t.http.post('/graphql').send(gql).expect(200),
    ]);
    expect(n).toBe(2);
    expect(again.text).toBe(first.text);
    expect(graph.body.data.organisations.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual([
      child,
    ]);

    const admin = auth(await scopedToken(t, 'staff', ['organisation:manage']));
    const current = await t.http.get(`/v1/organisations/${child}`).expect(200);
    await t.http
      .put(`/v1/organisations/${child}`)
      .set(admin)
      .set('If-Match', current.headers.etag)
      .send({
        name: '改名子单位',
        kind: current.body.kind,
        regionCode: current.body.regionCode,
        parentId: unit,
        active: true,
      })
      .expect(200);
    const [[after, graphAfter], n2] = await served(async () => [
      await t.http.get(list).expect(200),
      await t.http.post('/graphql').send(gql).expect(200),
    ]);
    expect(n2).toBe(0);
    expect(after.body.items[0].name).toBe('改名子单位');
    expect(graphAfter.body.data.organisations.edges[0].node.name).toBe('改名子单位');
  });

  it('labels replays with their route in the metrics', async () => {
    const url = `/v1/services/${serviceIds[0]}`;
    await t.http.get(url).expect(200);
    await t.http.get(url).expect(200);
    const metrics = await t.http.get('/metrics').expect(200);
    expect(metrics.text).toMatch(
      /http_request_duration_seconds_count\{method="GET",route="\/v1\/services\/:id",status="200"\} \d+/,
    );
    expect(metrics.text).not.toMatch(/route="unmatched",status="200"/);
  });
});

describe('public-read front under a small quota', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMIT_ANONYMOUS: '3' });
  });
  afterAll(() => t.close());

  it('refuses the caller over quota with 429 even when the answer is replayable', async () => {
    const url = '/v1/services?limit=1';
    const codes: number[] = [];
    for (let i = 0; i < 4; i++) codes.push((await t.http.get(url)).status);
    expect(codes).toEqual([200, 200, 200, 429]);
    const refused = await t.http.get(url).expect(429);
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(refused.body.code).toBe('RATE_LIMITED');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(refused.headers.ratelimit).toMatch(/r=0/);
  });
});
