import { PUBLISHED_CACHE_CONTROL } from '../../src/api/http/shared-read-cache';
import { randomUUID } from 'node:crypto';
import { startTestApp, TestApp } from '../support/test-app';
import { scopedToken } from '../support/tokens';

const HASH_TAG = /^"h[A-Za-z0-9_-]{27}"$/;
const word = () => `e${randomUUID().replace(/-/g, '').slice(0, 12)}`;

describe('ETag, If-None-Match and Cache-Control', () => {
  let t: TestApp;
  let admin: string;
  let region: string;

  const createOrg = async (name: string, nameEn?: string) => {
    const res = await t.http
      .post('/v1/organisations')
      .set('Authorization', `Bearer ${admin}`)
      .send({ name, nameEn, kind: 'agency', regionCode: region })
      .expect(201);
    return res.body as { id: string; name: string; version: number };
  };
  const rename = (id: string, ifMatch: string, name: string) =>
    t.http
      .put(`/v1/organisations/${id}`)
      .set('Authorization', `Bearer ${admin}`)
      .set('If-Match', ifMatch)
      .send({ name, kind: 'agency', regionCode: region, active: true });

  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMIT_ANONYMOUS: '100000', RATE_LIMIT_AUTHENTICATED: '100000' });
    admin = await scopedToken(t, 'staff', ['organisation:manage']);
    for (;;) {
      const code = `9${String(Math.floor(Math.random() * 1e5)).padStart(5, '0')}`;
      const res = await t.http
        .post('/v1/regions')
        .set('Authorization', `Bearer ${admin}`)
        .send({ code, name: `标签${code}`, level: 'city' });
      if (res.status === 201) {
        region = code;
        break;
      }
      if (res.status !== 409) throw new Error(res.text);
    }
  });
  afterAll(() => t.close());

  describe('a single resource', () => {
    it('carries the strong ETag "v<version>" and no-cache for anonymous readers', async () => {
      const org = await createOrg(`单个${word()}`);
      const res = await t.http.get(`/v1/organisations/${org.id}`).expect(200);
      expect(res.headers.etag).toBe('"v1"');
      expect(res.headers['cache-control']).toBe('no-cache');
      expect(res.headers.vary).toMatch(/Accept-Language/);
    });

    it('answers a matching If-None-Match with an empty 304 that repeats the validators', async () => {
      const org = await createOrg(`条件${word()}`);
      for (const inm of ['"v1"', 'W/"v1"', '"v7", "v1"', '*']) {
        const res = await t.http.get(`/v1/organisations/${org.id}`).set('If-None-Match', inm).expect(304);
        expect(res.text).toBe('');
        expect(res.headers['content-length'] ?? '0').toBe('0');
        expect(res.headers['content-type']).toBeUndefined();
        expect(res.headers.etag).toBe('"v1"');
        expect(res.headers['cache-control']).toBe('no-cache');
      }
      const stale = await t.http.get(`/v1/organisations/${org.id}`).set('If-None-Match', '"v0"').expect(200);
      expect(stale.body.id).toBe(org.id);
    });

    it('answers HEAD with the same validators and a 304 when they match', async () => {
      const org = await createOrg(`头${word()}`);
      const head = await t.http.head(`/v1/organisations/${org.id}`).expect(200);
      expect(head.headers.etag).toBe('"v1"');
      await t.http.head(`/v1/organisations/${org.id}`).set('If-None-Match', '"v1"').expect(304);
    });

    it('changes after a PUT: the old tag no longer matches, the new one does', async () => {
      const org = await createOrg(`改后${word()}`);
      const before = await t.http.get(`/v1/organisations/${org.id}`).expect(200);
      // The ETag is what If-Match takes back.
      await rename(org.id, before.headers.etag, `新${word()}`).expect(200);
      const after = await t.http
        .get(`/v1/organisations/${org.id}`)
        .set('If-None-Match', before.headers.etag)
        .expect(200);
      expect(after.headers.etag).toBe('"v2"');
      expect(after.body.version).toBe(2);
      await t.http.get(`/v1/organisations/${org.id}`).set('If-None-Match', '"v2"').expect(304);
      // And the old tag is now refused by If-Match.
      expect((await rename(org.id, before.headers.etag, `又${word()}`)).status).toBe(412);
    });

    it('marks answers to a signed-in caller private, no-store (validators still work)', async () => {
      const org = await createOrg(`私有${word()}`);
      const res = await t.http
        .get(`/v1/organisations/${org.id}`)
        .set('Authorization', `Bearer ${admin}`)
        .expect(200);
      expect(res.headers['cache-control']).toBe('private, no-store');
      expect(res.headers.etag).toBe('"v1"');
      const nm = await t.http
        .get(`/v1/organisations/${org.id}`)
        .set('Authorization', `Bearer ${admin}`)
        .set('If-None-Match', '"v1"')
        .expect(304);
      expect(nm.headers['cache-control']).toBe('private, no-store');
    });

    it('puts no validators on errors', async () => {
      const res = await t.http.get(`/v1/organisations/${randomUUID()}`).set('If-None-Match', '*').expect(404);
      expect(res.headers.etag).toBeUndefined();
      expect(res.headers['cache-control']).toBeUndefined();
    });
  });

  describe('a list', () => {
    it('carries a hash ETag that is stable, answers 304, and changes with the content', async () => {
      const w = word();
      const org = await createOrg(`列表${w}`, `List ${w}`);
      const first = await t.http.get(`/v1/organisations?q=${w}`).expect(200);
      expect(first.headers.etag).toMatch(HASH_TAG);
      // The public directory is the same for every caller (served from the directory cache).
      expect(first.headers['cache-control']).toBe(PUBLISHED_CACHE_CONTROL);
      // An anonymous read that is not shared may be stored but must be revalidated.
      expect((await t.http.get('/v1/regions').expect(200)).headers['cache-control']).toBe('no-cache');
      const again = await t.http.get(`/v1/organisations?q=${w}`).expect(200);
      expect(again.headers.etag).toBe(first.headers.etag);
      const nm = await t.http
        .get(`/v1/organisations?q=${w}`)
        .set('If-None-Match', first.headers.etag)
        .expect(304);
      expect(nm.text).toBe('');

      // Another language is another representation, with another tag.
      const en = await t.http.get(`/v1/organisations?q=${w}`).set('Accept-Language', 'en').expect(200);
      expect(en.body.items[0].name).toBe(`List ${w}`);
      expect(en.headers.etag).not.toBe(first.headers.etag);
      await t.http
        .get(`/v1/organisations?q=${w}`)
        .set('Accept-Language', 'en')
        .set('If-None-Match', first.headers.etag)
        .expect(200);

      // A change to an item changes the list's tag.
      await rename(org.id, '"v1"', `列表${w}改`).expect(200);
      const changed = await t.http
        .get(`/v1/organisations?q=${w}`)
        .set('If-None-Match', first.headers.etag)
        .expect(200);
      expect(changed.headers.etag).toMatch(HASH_TAG);
      expect(changed.headers.etag).not.toBe(first.headers.etag);
      // A new item too.
      await createOrg(`列表${w}二`);
      const grown = await t.http
        .get(`/v1/organisations?q=${w}`)
        .set('If-None-Match', changed.headers.etag)
        .expect(200);
      expect(grown.body.items).toHaveLength(2);
      expect(grown.headers.etag).not.toBe(changed.headers.etag);
    });

    it('tags array answers (regions) by hash as well', async () => {
      const res = await t.http.get(`/v1/regions?parentCode=${region}`).expect(200);
      expect(res.headers.etag).toMatch(HASH_TAG);
      await t.http.get(`/v1/regions?parentCode=${region}`).set('If-None-Match', res.headers.etag).expect(304);
    });

    it('answers a paged list 304 with the Link header kept', async () => {
      const w = word();
      await createOrg(`翻页${w}1`);
      await createOrg(`翻页${w}2`);
      const page = await t.http.get(`/v1/organisations?q=${w}&limit=1`).expect(200);
      expect(page.headers.link).toMatch(/rel="next"$/);
      const nm = await t.http
        .get(`/v1/organisations?q=${w}&limit=1`)
        .set('If-None-Match', page.headers.etag)
        .expect(304);
      expect(nm.headers.link).toBe(page.headers.link);
    });
  });

  it('leaves writes alone: a POST answer carries no ETag or Cache-Control from the interceptor', async () => {
    const res = await t.http
      .post('/v1/organisations')
      .set('Authorization', `Bearer ${admin}`)
      .set('If-None-Match', '*')
      .send({ name: `写${word()}`, kind: 'agency', regionCode: region })
      .expect(201);
    expect(res.headers.etag).toBeUndefined();
    expect(res.headers['cache-control']).toBeUndefined();
  });
});
