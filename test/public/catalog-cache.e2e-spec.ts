import { PublicReadFront } from '../../src/api/http/public-read-front';
import { DirectoryCache } from '../../src/modules/platform/organisations/directory-cache';
import { PublishedCatalogCache } from '../../src/modules/public/catalog/catalog-cache';
import { auth, makeUnit, uniq } from '../identity/staff-fixtures';
import { describeOnPostgres, onPostgres, startTestApp, TestApp } from '../support/test-app';
import { scopedToken } from '../support/tokens';
import { activeWorkflow, instantSpec, serviceContent } from '../support/workflow-fixtures';

/**
 * The published-catalogue cache: warm reads carry a strong ETag and public Cache-Control, answer
 * If-None-Match with 304, and a publication or retirement is seen at once by the instance that
 * made it and, through PostgreSQL NOTIFY, by every other instance. Two instances on one database
 * need a real PostgreSQL (the embedded PGlite serves one connection): that part needs
 * TEST_DATABASE_URL, like test/platform/faults.e2e-spec.ts.
 */

const GUIDE = serviceContent({
  translations: {
    'zh-CN': { title: '缓存事项', summary: '缓存事项摘要' },
    en: { title: 'Cached service', summary: 'A cached service' },
  },
});

async function draftService(t: TestApp, staff: Record<string, string>, unit: string): Promise<string> {
  const res = await t.http
    .post('/v1/catalog/services')
    .set(staff)
    .send({
      organisationId: unit,
      implementationCode: `CACHE-${uniq()}`,
      type: 'public_service',
      target: 'person',
      draft: GUIDE,
    });
  if (res.status !== 201) throw new Error(`create: ${res.status} ${res.text}`);
  const id = (res.body as { id: string }).id;
  // Publishing needs an active workflow (the workflow module's publish check).
  await activeWorkflow(t, id, instantSpec(), staff);
  const submit = await t.http.post(`/v1/catalog/services/${id}/submit`).set(staff).send();
  if (submit.status !== 200) throw new Error(`submit: ${submit.status} ${submit.text}`);
  return id;
}

const ids = (body: unknown) => (body as { items: { id: string }[] }).items.map((s) => s.id);

describe('published catalogue cache (one instance)', () => {
  let t: TestApp;
  let staff: Record<string, string>;
  let unit: string;

  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMIT_ANONYMOUS: '100000', RATE_LIMIT_AUTHENTICATED: '100000' });
    staff = auth(await scopedToken(t, 'staff', ['catalog:manage', 'catalog:review', 'workflow:manage']));
    unit = await makeUnit(t, '缓存单位');
  });
  afterAll(() => t.close());

  it('serves warm reads with one strong ETag, public caching and 304; publish and retire show at once', async () => {
    const list = `/v1/services?organisationId=${unit}`;
    const empty = await t.http.get(list).expect(200);
    expect(empty.body.items).toEqual([]);
    expect(empty.headers['cache-control']).toBe('public, max-age=30, stale-while-revalidate=300');
    expect(empty.headers.etag).toMatch(/^"h[A-Za-z0-9_-]{27}"$/);
    expect(empty.headers['content-type']).toMatch(/^application\/json/);
    await t.http.get(list).set('If-None-Match', empty.headers.etag).expect(304);

    const id = await draftService(t, staff, unit);
    // The draft is not public, and the cached empty list still matches.
    await t.http.get(list).set('If-None-Match', empty.headers.etag).expect(304);
    await t.http.get(`/v1/services/${id}`).expect(404);

    await t.http.post(`/v1/catalog/services/${id}/publish`).set(staff).send().expect(200);
    const after = await t.http.get(list).set('If-None-Match', empty.headers.etag).expect(200);
    expect(ids(after.body)).toEqual([id]);
    expect(after.headers.etag).not.toBe(empty.headers.etag);

    // The guide per language and mode: distinct tags, each stable and answering 304.
    const zh = await t.http.get(`/v1/services/${id}`).expect(200);
    const en = await t.http.get(`/v1/services/${id}`).set('Accept-Language', 'en').expect(200);
    const elder = await t.http.get(`/v1/services/${id}?mode=elder`).expect(200);
    expect(zh.body).toMatchObject({ id, mode: 'standard', title: '缓存事项' });
    expect(en.body).toMatchObject({ id, language: 'en', title: 'Cached service' });
    expect(elder.body).toMatchObject({ id, mode: 'elder' });
    expect(new Set([zh.headers.etag, en.headers.etag, elder.headers.etag]).size).toBe(3);
    const again = await t.http.get(`/v1/services/${id}`).expect(200);
    expect(again.headers.etag).toBe(zh.headers.etag);
    expect(again.text).toBe(zh.text);
    const nm = await t.http.get(`/v1/services/${id}`).set('If-None-Match', zh.headers.etag).expect(304);
    expect(nm.text).toBe('');
    expect(nm.headers.vary).toMatch(/Prefer/);

    // GraphQL reads the same cached list.
    const gql = await t.http
      .post('/graphql')
      .send({ query: `{ services(organisationId: "${unit}") { edges { node { id title } } } }` })
      .expect(200);
    expect(gql.body.data.services.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual([id]);

    await t.http.post(`/v1/catalog/services/${id}/retire`).set(staff).send().expect(200);
    await t.http.get(`/v1/services/${id}`).expect(404);
    expect((await t.http.get(list).expect(200)).body.items).toEqual([]);
  });
});

describeOnPostgres(
  `published catalogue cache across instances${onPostgres ? '' : ' (skipped: needs PostgreSQL, run npm run test:pg)'}`,
  () => {
    let a: TestApp;
    let b: TestApp;
    let staff: Record<string, string>;
    let unit: string;

    /** Polls `check` briefly: NOTIFY reaches the other instance asynchronously after the commit. */
    async function eventually(check: () => Promise<boolean>, what: string): Promise<void> {
      const deadline = Date.now() + 5000;
      while (!(await check())) {
        if (Date.now() > deadline) throw new Error(`${what}: not within 5 s`);
        await new Promise((r) => setTimeout(r, 25));
      }
    }

    beforeAll(async () => {
      a = await startTestApp({ RATE_LIMIT_ANONYMOUS: '100000', RATE_LIMIT_AUTHENTICATED: '100000' });
      b = await startTestApp({ RATE_LIMIT_ANONYMOUS: '100000', RATE_LIMIT_AUTHENTICATED: '100000' });
      staff = auth(await scopedToken(a, 'staff', ['catalog:manage', 'catalog:review', 'workflow:manage']));
      unit = await makeUnit(a, '缓存双实例');
    });
    afterAll(async () => {
      await b?.close();
      await a?.close();
    });

    it('listens on a dedicated connection', () => {
      expect(a.app.get(PublishedCatalogCache).listening).toBe(true);
      expect(b.app.get(PublishedCatalogCache).listening).toBe(true);
    });

    it('a publication and a retirement made through one instance reach the other one cache', async () => {
      const list = `/v1/services?organisationId=${unit}`;
      const id = await draftService(a, staff, unit);
      // Instance b caches the empty list (the TTL alone would keep it for minutes).
      const warm = await b.http.get(list).expect(200);
      expect(warm.body.items).toEqual([]);
      await b.http.get(list).set('If-None-Match', warm.headers.etag).expect(304);
      // Answered from the cache (or the public-read front replaying its entry).
      expect(b.app.get(PublishedCatalogCache).hits + b.app.get(PublicReadFront).hits).toBeGreaterThan(0);

      await a.http.post(`/v1/catalog/services/${id}/publish`).set(staff).send().expect(200);
      await eventually(
        async () => ids((await b.http.get(list).expect(200)).body).includes(id),
        'publication',
      );
      const guide = await b.http.get(`/v1/services/${id}`).expect(200);
      expect(guide.body).toMatchObject({ id, title: '缓存事项' });

      await a.http.post(`/v1/catalog/services/${id}/retire`).set(staff).send().expect(200);
      await eventually(async () => (await b.http.get(`/v1/services/${id}`)).status === 404, 'retirement');
      expect((await b.http.get(list).expect(200)).body.items).toEqual([]);
    });

    it('a lost listener switches the cache and the public-read front off until it listens again', async () => {
      const list = `/v1/services?organisationId=${unit}&limit=3`;
      const cache = b.app.get(PublishedCatalogCache);
      const front = b.app.get(PublicReadFront);
      await b.http.get(list).expect(200);
      const warm = front.hits;
      await b.http.get(list).expect(200);
      expect(front.hits).toBe(warm + 1);

      await a.db.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'onewindow-catalog-listener'`,
      );
      await eventually(async () => Promise.resolve(!cache.listening), 'listener lost');
      // A notification could be missed now: nothing is replayed or served from memory.
      const lost = front.hits;
      const body = (await b.http.get(list).expect(200)).text;
      await b.http.get(list).expect(200);
      expect(front.hits).toBe(lost);
      expect(cache.size).toBe(0);

      await eventually(async () => Promise.resolve(cache.listening), 'listener back');
      expect((await b.http.get(list).expect(200)).text).toBe(body);
      await b.http.get(list).expect(200);
      expect(front.hits).toBe(lost + 1);
    });

    it('an organisation change made through one instance reaches the other one directory cache', async () => {
      expect(b.app.get(DirectoryCache).listening).toBe(true);
      const admin = auth(await scopedToken(a, 'staff', ['organisation:manage']));
      const list = `/v1/organisations?parentId=${unit}`;
      expect((await b.http.get(list).expect(200)).body.items).toEqual([]);
      await b.http.get(list).expect(200);
      const child = await makeUnit(a, '目录子单位', unit);
      await eventually(
        async () => ids((await b.http.get(list).expect(200)).body).includes(child),
        'creation',
      );
      const current = await a.http.get(`/v1/organisations/${child}`).expect(200);
      await a.http
        .put(`/v1/organisations/${child}`)
        .set(admin)
        .set('If-Match', current.headers.etag)
        .send({
          name: '目录子单位',
          kind: current.body.kind,
          regionCode: current.body.regionCode,
          parentId: unit,
          active: false,
        })
        .expect(200);
      await eventually(
        async () => (await b.http.get(list).expect(200)).body.items.length === 0,
        'deactivation',
      );
    });
  },
);
