import { randomUUID } from 'node:crypto';
import type { Response } from 'supertest';
import { startTestApp, TestApp } from '../support/test-app';
import { scopedToken } from '../support/tokens';

/** Values as base64url JSON, the encoding of cursors (these lack the list name a real cursor starts with). */
const rawCursor = (values: unknown[]) => Buffer.from(JSON.stringify(values)).toString('base64url');

interface Org {
  id: string;
  name: string;
  kind: string;
  regionCode: string;
  parentId: string | null;
  uscc: string | null;
  contacts: Record<string, string>;
  active: boolean;
  version: number;
}

const problem = (res: Response) =>
  JSON.parse(res.text) as { code: string; status: number; errors?: { pointer: string; code: string }[] };
const pointers = (res: Response) => (problem(res).errors ?? []).map((e) => e.pointer);
/** A word no other test (or run) uses, to find this test's rows with ?q= and in SQL. */
const tag = () => `t${randomUUID().replace(/-/g, '').slice(0, 12)}`;

describe('organisations (REST)', () => {
  let t: TestApp;
  let admin: string;
  let citizen: string;
  let region: string;
  let region2: string;

  const auth = (token: string) => ({ Authorization: `Bearer ${token}` });

  async function createRegion(): Promise<string> {
    for (;;) {
      const code = `9${String(Math.floor(Math.random() * 1e5)).padStart(5, '0')}`;
      const res = await t.http
        .post('/v1/regions')
        .set(auth(admin))
        .send({ code, name: `测试区${code}`, nameEn: `Test ${code}`, level: 'city' });
      if (res.status === 201) return code;
      if (res.status !== 409) throw new Error(`region create failed: ${res.status} ${res.text}`);
    }
  }

  async function createOrg(body: Record<string, unknown>): Promise<Org> {
    const res = await t.http
      .post('/v1/organisations')
      .set(auth(admin))
      .send({ kind: 'agency', regionCode: region, ...body });
    if (res.status !== 201) throw new Error(`organisation create failed: ${res.status} ${res.text}`);
    return res.body as Org;
  }

  async function closureOf(id: string): Promise<Array<{ ancestor: string; depth: number }>> {
    const rows = await t.db.query<{ ancestor: string; depth: number }>(
      'SELECT ancestor_id AS ancestor, depth FROM organisation_closure WHERE descendant_id = $1 ORDER BY depth',
      [id],
    );
    return rows.map((r) => ({ ancestor: r.ancestor, depth: Number(r.depth) }));
  }

  const countByName = async (name: string) =>
    Number(
      (await t.db.query<{ n: string }>('SELECT count(*) AS n FROM organisation WHERE name = $1', [name]))[0]
        .n,
    );

  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMIT_ANONYMOUS: '100000', RATE_LIMIT_AUTHENTICATED: '100000' });
    admin = await scopedToken(t, 'staff', ['organisation:manage']);
    citizen = await scopedToken(t, 'citizen', ['self:service']);
    region = await createRegion();
    region2 = await createRegion();
  });
  afterAll(() => t.close());

  describe('list', () => {
    let word: string;
    let ids: string[];

    beforeAll(async () => {
      word = tag();
      ids = [];
      for (let i = 0; i < 5; i++)
        ids.push((await createOrg({ name: `名录${word}${i}`, kind: i % 2 ? 'department' : 'agency' })).id);
    });

    it('is public and pages with limit, nextCursor and Link rel="next" until the last page', async () => {
      const seen: string[] = [];
      let url: string | null = `/v1/organisations?q=${word}&limit=2`;
      let pages = 0;
      while (url) {
        const res = await t.http.get(url).expect(200);
        pages++;
        expect(res.body.items.length).toBeLessThanOrEqual(2);
        seen.push(...(res.body.items as Org[]).map((o) => o.id));
        if (res.body.nextCursor) {
          const link = res.headers.link;
          const m = /^<([^>]+)>; rel="next"$/.exec(link);
          expect(m).not.toBeNull();
          const next = new URL(m![1]);
          // Same query, cursor replaced.
          expect(next.searchParams.get('q')).toBe(word);
          expect(next.searchParams.get('limit')).toBe('2');
          expect(next.searchParams.get('cursor')).toBe(res.body.nextCursor);
          expect(next.origin).toBe(t.config.publicBaseUrl);
          url = `${next.pathname}${next.search}`;
        } else {
          expect(res.headers.link).toBeUndefined();
          url = null;
        }
      }
      expect(pages).toBe(3);
      expect(seen).toEqual(ids); // UUIDv7 order = creation order, no duplicates, none missing
    });

    it('uses 20 as the default page size and has no Link on a single page', async () => {
      const res = await t.http.get(`/v1/organisations?q=${word}`).expect(200);
      expect(res.body.items).toHaveLength(5);
      expect(res.body.nextCursor).toBeNull();
      expect(res.headers.link).toBeUndefined();
    });

    it('filters by kind, region, parentId, within and q', async () => {
      const w = tag();
      const root = await createOrg({ name: `根${w}` });
      const child = await createOrg({ name: `子${w}`, kind: 'department', parentId: root.id });
      const grandchild = await createOrg({ name: `孙${w}`, kind: 'office', parentId: child.id });
      const elsewhere = await createOrg({ name: `外${w}`, regionCode: region2 });
      const idsOf = async (query: string) =>
        ((await t.http.get(`/v1/organisations?q=${w}&${query}`).expect(200)).body.items as Org[])
          .map((o) => o.id)
          .sort();

      expect(await idsOf('kind=department')).toEqual([child.id]);
      expect(await idsOf(`region=${region2}`)).toEqual([elsewhere.id]);
      expect(await idsOf(`region=${region}`)).toEqual([root.id, child.id, grandchild.id].sort());
      expect(await idsOf(`parentId=${root.id}`)).toEqual([child.id]);
      expect(await idsOf(`within=${root.id}`)).toEqual([root.id, child.id, grandchild.id].sort());
      expect(await idsOf(`within=${child.id}`)).toEqual([child.id, grandchild.id].sort());
      // q matches words in the name only, and LIKE wildcards in q are literal.
      expect(
        (await t.http.get(`/v1/organisations?q=${encodeURIComponent(`孙${w}`)}`).expect(200)).body.items.map(
          (o: Org) => o.id,
        ),
      ).toEqual([grandchild.id]);
      expect(
        (await t.http.get(`/v1/organisations?q=${encodeURIComponent('%')}${w}`).expect(200)).body.items,
      ).toEqual([]);
    });

    it('filters by region at street and community level (12-digit codes cut at segment boundaries)', async () => {
      const w = tag();
      const street = `${region}001000`;
      const community = `${region}001100`;
      for (const [code, level, parentCode] of [
        [street, 'street', region],
        [community, 'street', street],
      ]) {
        const res = await t.http
          .post('/v1/regions')
          .set(auth(admin))
          .send({ code, name: `街道${code}`, level, parentCode });
        expect([201, 409]).toContain(res.status); // 409: an earlier test of this run made it
      }
      const org = await createOrg({ name: `社区服务站${w}`, kind: 'service_centre', regionCode: community });
      const idsOf = async (code: string) =>
        ((await t.http.get(`/v1/organisations?q=${w}&region=${code}`).expect(200)).body.items as Org[]).map(
          (o) => o.id,
        );
      expect(await idsOf(street)).toEqual([org.id]);
      expect(await idsOf(community)).toEqual([org.id]);
      expect(await idsOf(region)).toEqual([org.id]);
      expect(await idsOf(`${region}002000`)).toEqual([]);
    });

    it('hides inactive units from the directory', async () => {
      const w = tag();
      const org = await createOrg({ name: `停用${w}` });
      await t.http
        .put(`/v1/organisations/${org.id}`)
        .set(auth(admin))
        .set('If-Match', '"v1"')
        .send({ name: org.name, kind: 'agency', regionCode: region, active: false })
        .expect(200);
      expect((await t.http.get(`/v1/organisations?q=${w}`).expect(200)).body.items).toEqual([]);
      // Still readable by id.
      expect((await t.http.get(`/v1/organisations/${org.id}`).expect(200)).body.active).toBe(false);
    });

    it.each([
      ['not base64 JSON', 'Zm9vYmFy'],
      ['wrong arity', rawCursor(['a', 'b'])],
      ['a number where an id belongs', rawCursor([42])],
      ['a string that is no id', rawCursor(['not-a-uuid'])],
    ])('answers an invalid cursor (%s) with 400 INVALID_CURSOR', async (_label, cursor) => {
      const res = await t.http.get(`/v1/organisations?cursor=${cursor}`).expect(400);
      expect(problem(res).code).toBe('INVALID_CURSOR');
    });

    it('refuses a cursor with characters outside base64url as a validation error on /cursor', async () => {
      const res = await t.http.get('/v1/organisations?cursor=a%2Fb').expect(400);
      expect(problem(res).code).toBe('VALIDATION_FAILED');
      expect(pointers(res)).toContain('/cursor');
    });

    it.each(['0', '101', 'abc', '1.5'])('refuses limit=%s with 400 pointing at /limit', async (limit) => {
      const res = await t.http.get(`/v1/organisations?limit=${limit}`).expect(400);
      expect(problem(res).code).toBe('VALIDATION_FAILED');
      expect(pointers(res)).toContain('/limit');
    });

    it('refuses unknown query parameters and malformed filters', async () => {
      expect(pointers(await t.http.get('/v1/organisations?sort=name').expect(400))).toContain('/sort');
      expect(pointers(await t.http.get('/v1/organisations?within=abc').expect(400))).toContain('/within');
      expect(pointers(await t.http.get('/v1/organisations?kind=castle').expect(400))).toContain('/kind');
      expect(pointers(await t.http.get('/v1/organisations?region=12').expect(400))).toContain('/region');
    });
  });

  describe('get by id', () => {
    it('returns the unit', async () => {
      const org = await createOrg({
        name: `单位${tag()}`,
        contacts: { phone: '010-12345678', hours: '工作日 9:00-17:00' },
      });
      const res = await t.http.get(`/v1/organisations/${org.id}`).expect(200);
      expect(res.body).toEqual(org);
      expect(res.body.contacts).toEqual({ phone: '010-12345678', hours: '工作日 9:00-17:00' });
    });

    it('answers 404 NOT_FOUND for an unknown uuid', async () => {
      const res = await t.http.get(`/v1/organisations/${randomUUID()}`).expect(404);
      expect(problem(res).code).toBe('NOT_FOUND');
    });

    it('answers 400 on /id for a non-uuid', async () => {
      const res = await t.http.get('/v1/organisations/12345').expect(400);
      expect(problem(res).code).toBe('VALIDATION_FAILED');
      expect(pointers(res)).toEqual(['/id']);
    });

    it('names the unit in English for Accept-Language: en, in Chinese otherwise', async () => {
      const w = tag();
      const org = await createOrg({ name: `市场监督管理局${w}`, nameEn: `Market Regulation ${w}` });
      const en = await t.http
        .get(`/v1/organisations/${org.id}`)
        .set('Accept-Language', 'en-GB,en;q=0.9')
        .expect(200);
      expect(en.body.name).toBe(`Market Regulation ${w}`);
      expect(en.headers['content-language']).toBe('en');
      const zh = await t.http.get(`/v1/organisations/${org.id}`).expect(200);
      expect(zh.body.name).toBe(`市场监督管理局${w}`);
      expect(zh.headers['content-language']).toBe('zh-CN');
      const list = await t.http.get(`/v1/organisations?q=${w}`).set('Accept-Language', 'en').expect(200);
      expect(list.body.items.map((o: Org) => o.name)).toEqual([`Market Regulation ${w}`]);
      // Without an English name, English callers get the Chinese one.
      const plain = await createOrg({ name: `无英文名${w}` });
      expect(
        (await t.http.get(`/v1/organisations/${plain.id}`).set('Accept-Language', 'en').expect(200)).body
          .name,
      ).toBe(`无英文名${w}`);
    });
  });

  describe('create', () => {
    it('answers 201 with the unit, writes the row and its closure rows', async () => {
      const w = tag();
      const parent = await createOrg({ name: `上级${w}` });
      const res = await t.http
        .post('/v1/organisations')
        .set(auth(admin))
        .send({
          name: `政务服务中心${w}`,
          nameEn: `Service Centre ${w}`,
          kind: 'service_centre',
          regionCode: region,
          parentId: parent.id,
          contacts: { phone: '12345', email: 'centre@example.gov', website: 'https://example.gov/centre' },
        })
        .expect(201);
      expect(res.body).toEqual({
        id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
        name: `政务服务中心${w}`,
        kind: 'service_centre',
        regionCode: region,
        parentId: parent.id,
        uscc: null,
        contacts: { phone: '12345', email: 'centre@example.gov', website: 'https://example.gov/centre' },
        active: true,
        version: 1,
      });
      const [row] = await t.db.query<Record<string, unknown>>('SELECT * FROM organisation WHERE id = $1', [
        res.body.id,
      ]);
      expect(row).toMatchObject({
        name: `政务服务中心${w}`,
        name_en: `Service Centre ${w}`,
        kind: 'service_centre',
        parent_id: parent.id,
        active: true,
        version: 1,
      });
      expect(await closureOf(res.body.id)).toEqual([
        { ancestor: res.body.id, depth: 0 },
        { ancestor: parent.id, depth: 1 },
      ]);
      expect(await closureOf(parent.id)).toEqual([{ ancestor: parent.id, depth: 0 }]);
    });

    it('refuses an unknown field with 400 whitelistValidation and writes nothing', async () => {
      const name = `多余字段${tag()}`;
      const res = await t.http
        .post('/v1/organisations')
        .set(auth(admin))
        .send({ name, kind: 'agency', regionCode: region, active: false })
        .expect(400);
      expect(problem(res).errors).toContainEqual(
        expect.objectContaining({ pointer: '/active', code: 'whitelistValidation' }),
      );
      expect(await countByName(name)).toBe(0);
    });

    it('refuses wrong types field by field, nested ones included', async () => {
      const res = await t.http
        .post('/v1/organisations')
        .set(auth(admin))
        .send({
          name: 123,
          kind: 'castle',
          regionCode: 110000,
          parentId: 'x',
          contacts: { phone: 5, email: 'nope' },
        })
        .expect(400);
      expect(new Set(pointers(res))).toEqual(
        new Set(['/name', '/kind', '/regionCode', '/parentId', '/contacts/phone', '/contacts/email']),
      );
    });

    it('refuses a missing body and a non-JSON body', async () => {
      expect(problem(await t.http.post('/v1/organisations').set(auth(admin)).expect(400)).code).toBe(
        'VALIDATION_FAILED',
      );
      const res = await t.http
        .post('/v1/organisations')
        .set(auth(admin))
        .set('Content-Type', 'application/json')
        .send('{"name":');
      expect(res.status).toBe(400);
      expect(problem(res).code).toBe('MALFORMED_JSON');
    });

    it('refuses an unknown region on /regionCode and an unknown parent with 404', async () => {
      const name = `无地区${tag()}`;
      const res = await t.http
        .post('/v1/organisations')
        .set(auth(admin))
        .send({ name, kind: 'agency', regionCode: '999999999999' })
        .expect(400);
      expect(problem(res).errors).toEqual([
        expect.objectContaining({ pointer: '/regionCode', code: 'unknownRegion' }),
      ]);
      const orphan = await t.http
        .post('/v1/organisations')
        .set(auth(admin))
        .send({ name, kind: 'agency', regionCode: region, parentId: randomUUID() });
      expect(orphan.status).toBe(404);
      expect(await countByName(name)).toBe(0);
    });

    it('answers a duplicate unified social credit code with 409', async () => {
      const uscc = `91${String(Math.floor(Math.random() * 1e15)).padStart(15, '0')}X`;
      await createOrg({ name: `信用代码${tag()}`, uscc });
      const res = await t.http
        .post('/v1/organisations')
        .set(auth(admin))
        .send({ name: `信用代码${tag()}`, kind: 'agency', regionCode: region, uscc });
      expect(res.status).toBe(409);
      expect(problem(res).code).toBe('CONFLICT');
    });

    it('answers an anonymous caller 401 and a citizen 403, writing nothing', async () => {
      const name = `越权${tag()}`;
      const body = { name, kind: 'agency', regionCode: region };
      const anon = await t.http.post('/v1/organisations').send(body).expect(401);
      expect(problem(anon).code).toBe('UNAUTHENTICATED');
      expect(anon.headers['www-authenticate']).toBe('Bearer');
      const cit = await t.http.post('/v1/organisations').set(auth(citizen)).send(body).expect(403);
      expect(problem(cit).code).toBe('FORBIDDEN');
      expect(
        (
          await t.http
            .post('/v1/regions')
            .set(auth(citizen))
            .send({ code: '988888', name: '区', level: 'city' })
        ).status,
      ).toBe(403);
      expect(await countByName(name)).toBe(0);
    });

    it('answers a garbage token 401 INVALID_TOKEN even on a public read', async () => {
      const res = await t.http.get('/v1/organisations').set('Authorization', 'Bearer a.b.c').expect(401);
      expect(problem(res).code).toBe('INVALID_TOKEN');
    });
  });

  describe('update with If-Match', () => {
    const put = (id: string, ifMatch: string | null, body: Record<string, unknown>, token = admin) => {
      const req = t.http.put(`/v1/organisations/${id}`).set(auth(token));
      if (ifMatch !== null) req.set('If-Match', ifMatch);
      return req.send({ kind: 'agency', regionCode: region, active: true, ...body });
    };
    const versionOf = async (id: string) =>
      Number(
        (await t.db.query<{ version: number }>('SELECT version FROM organisation WHERE id = $1', [id]))[0]
          .version,
      );

    it('answers 200 with version + 1 and stores the change', async () => {
      const org = await createOrg({ name: `旧名${tag()}` });
      const name = `新名${tag()}`;
      const res = await put(org.id, '"v1"', { name, contacts: { phone: '0571-1234567' } }).expect(200);
      expect(res.body).toMatchObject({ id: org.id, name, version: 2, contacts: { phone: '0571-1234567' } });
      const [row] = await t.db.query<Record<string, unknown>>(
        'SELECT name, version, contacts FROM organisation WHERE id = $1',
        [org.id],
      );
      expect(row).toEqual({ name, version: 2, contacts: { phone: '0571-1234567' } });
      // The ETag a GET gives is what If-Match takes back.
      const get = await t.http.get(`/v1/organisations/${org.id}`).expect(200);
      expect(get.headers.etag).toBe('"v2"');
      await put(org.id, get.headers.etag, { name: `${name}再改` }).expect(200);
      expect(await versionOf(org.id)).toBe(3);
    });

    it('answers a stale If-Match with 412 and changes nothing', async () => {
      const org = await createOrg({ name: `并发${tag()}` });
      await put(org.id, '"v1"', { name: `第一次${tag()}` }).expect(200);
      const res = await put(org.id, '"v1"', { name: `第二次${tag()}` }).expect(412);
      expect(problem(res).code).toBe('PRECONDITION_FAILED');
      expect(await versionOf(org.id)).toBe(2);
    });

    it.each(['*', '"v0", "v1"'])(
      'lets If-Match %s through: it names the current representation (RFC 9110 §13.1.1)',
      async (ifMatch) => {
        const org = await createOrg({ name: `任意${tag()}` });
        await put(org.id, ifMatch, { name: `改${tag()}` }).expect(200);
        expect(await versionOf(org.id)).toBe(2);
      },
    );

    it('answers a missing If-Match with 428', async () => {
      const org = await createOrg({ name: `无条件${tag()}` });
      const res = await put(org.id, null, { name: 'x2' }).expect(428);
      expect(problem(res).code).toBe('PRECONDITION_REQUIRED');
      expect(await versionOf(org.id)).toBe(1);
    });

    it.each(['W/"v1"', 'v1', '"1"', '"v0", "v2"'])(
      'answers If-Match %s (weak, not ours or no current tag) with 412',
      async (ifMatch) => {
        const org = await createOrg({ name: `弱标签${tag()}` });
        const res = await put(org.id, ifMatch, { name: `改${tag()}` }).expect(412);
        expect(problem(res).code).toBe('PRECONDITION_FAILED');
        expect(await versionOf(org.id)).toBe(1);
      },
    );

    it('answers 404 for an unknown unit and 403 for a citizen', async () => {
      expect((await put(randomUUID(), '"v1"', { name: '不存在' })).status).toBe(404);
      const org = await createOrg({ name: `公民改${tag()}` });
      expect((await put(org.id, '"v1"', { name: '公民改名' }, citizen)).status).toBe(403);
      expect(await versionOf(org.id)).toBe(1);
    });

    it('refuses to move a unit below itself or below its own descendant (409 INVALID_STATE)', async () => {
      const w = tag();
      const a = await createOrg({ name: `甲${w}` });
      const b = await createOrg({ name: `乙${w}`, parentId: a.id });
      const below = await put(a.id, '"v1"', { name: a.name, parentId: b.id }).expect(409);
      expect(problem(below).code).toBe('INVALID_STATE');
      const self = await put(a.id, '"v1"', { name: a.name, parentId: a.id }).expect(409);
      expect(problem(self).code).toBe('INVALID_STATE');
      expect(await versionOf(a.id)).toBe(1);
      expect(await closureOf(b.id)).toEqual([
        { ancestor: b.id, depth: 0 },
        { ancestor: a.id, depth: 1 },
      ]);
    });

    it('rewrites the closure rows of the whole subtree on a move, and `within` follows', async () => {
      const w = tag();
      const r1 = await createOrg({ name: `一${w}` });
      const r2 = await createOrg({ name: `二${w}` });
      const top = await createOrg({ name: `顶${w}`, parentId: r2.id });
      const a = await createOrg({ name: `部${w}`, kind: 'department', parentId: r1.id });
      const b = await createOrg({ name: `科${w}`, kind: 'office', parentId: a.id });
      const within = async (id: string) =>
        ((await t.http.get(`/v1/organisations?within=${id}`).expect(200)).body.items as Org[])
          .map((o) => o.id)
          .sort();
      expect(await within(r1.id)).toEqual([r1.id, a.id, b.id].sort());

      // Move a (with b below it) from r1 to below r2's child `top`.
      const moved = await put(a.id, '"v1"', { name: a.name, kind: 'department', parentId: top.id }).expect(
        200,
      );
      expect(moved.body).toMatchObject({ parentId: top.id, version: 2 });

      expect(await within(r1.id)).toEqual([r1.id]);
      expect(await within(r2.id)).toEqual([r2.id, top.id, a.id, b.id].sort());
      expect(await within(top.id)).toEqual([top.id, a.id, b.id].sort());
      expect(await closureOf(b.id)).toEqual([
        { ancestor: b.id, depth: 0 },
        { ancestor: a.id, depth: 1 },
        { ancestor: top.id, depth: 2 },
        { ancestor: r2.id, depth: 3 },
      ]);
      // Moving to the top level leaves the subtree to itself.
      await put(a.id, '"v2"', { name: a.name, kind: 'department' }).expect(200);
      expect(await within(r2.id)).toEqual([r2.id, top.id].sort());
      expect(await closureOf(b.id)).toEqual([
        { ancestor: b.id, depth: 0 },
        { ancestor: a.id, depth: 1 },
      ]);
    });
  });
});
