import { randomInt, randomUUID } from 'node:crypto';
import { expectOncePerKey, KeyedMutation, Vars } from '../support/graphql-idempotency';
import { startTestApp, TestApp } from '../support/test-app';
import { scopedToken } from '../support/tokens';

const regionCode = `96${String(Math.floor(Math.random() * 1e4)).padStart(4, '0')}`;

describe('organisations over GraphQL', () => {
  let t: TestApp;
  let admin: string;
  let otherAdmin: string;
  let citizen: string;
  const gql = (query: string, variables: Record<string, unknown> = {}, token?: string) => {
    const req = t.http.post('/graphql').set('Content-Type', 'application/json');
    if (token) req.set('Authorization', `Bearer ${token}`);
    return req.send({ query, variables });
  };
  const CREATE = `mutation($input: CreateOrganisationInput!) { createOrganisation(input: $input) { id name kind regionCode version } }`;

  beforeAll(async () => {
    t = await startTestApp({ LOG_LEVEL: 'error' });
    admin = await scopedToken(t, 'staff', ['organisation:manage']);
    otherAdmin = await scopedToken(t, 'staff', ['organisation:manage']);
    citizen = await scopedToken(t, 'citizen', ['self:service']);
    const res = await gql(
      `mutation($input: CreateRegionInput!) { createRegion(input: $input) { code } }`,
      { input: { code: regionCode, name: '图省', level: 'province' } },
      admin,
    );
    expect(res.body.errors).toBeUndefined();
  });
  afterAll(() => t.close());

  it('creates, reads and pages through the directory', async () => {
    const ids: string[] = [];
    for (const name of ['图一局', '图二局', '图三局']) {
      const res = await gql(CREATE, { input: { name, kind: 'agency', regionCode } }, admin);
      expect(res.body.errors).toBeUndefined();
      expect(res.body.data.createOrganisation).toMatchObject({
        name,
        kind: 'agency',
        regionCode,
        version: 1,
      });
      ids.push(res.body.data.createOrganisation.id);
    }
    const LIST = `query($after: String) { organisations(region: "${regionCode}", first: 2, after: $after) {
      edges { cursor node { id name } } pageInfo { hasNextPage endCursor } } }`;
    const first = await gql(LIST);
    expect(first.body.data.organisations.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual(
      ids.slice(0, 2),
    );
    expect(first.body.data.organisations.pageInfo.hasNextPage).toBe(true);
    const second = await gql(LIST, { after: first.body.data.organisations.pageInfo.endCursor });
    expect(second.body.data.organisations.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual([
      ids[2],
    ]);
    expect(second.body.data.organisations.pageInfo.hasNextPage).toBe(false);

    const one = await gql(`query($id: ID!) { organisation(id: $id) { id name } }`, { id: ids[0] });
    expect(one.body.data.organisation).toEqual({ id: ids[0], name: '图一局' });
  });

  it('refuses anonymous and citizen writers with the REST error codes, writing nothing', async () => {
    const before = await t.db.query<{ n: string }>(
      'SELECT count(*) AS n FROM organisation WHERE region_code = $1',
      [regionCode],
    );
    const anon = await gql(CREATE, { input: { name: '匿名局', kind: 'agency', regionCode } });
    expect(anon.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    const cit = await gql(CREATE, { input: { name: '市民局', kind: 'agency', regionCode } }, citizen);
    expect(cit.body.errors[0].extensions.code).toBe('FORBIDDEN');
    const after = await t.db.query<{ n: string }>(
      'SELECT count(*) AS n FROM organisation WHERE region_code = $1',
      [regionCode],
    );
    expect(after[0].n).toBe(before[0].n);
  });

  it('validates input and refuses a stale expectedVersion', async () => {
    const bad = await gql(CREATE, { input: { name: 'x', kind: 'agency', regionCode: '12' } }, admin);
    expect(bad.body.errors[0].extensions.code).toBe('VALIDATION_FAILED');
    const created = await gql(CREATE, { input: { name: '版本局', kind: 'agency', regionCode } }, admin);
    const id = created.body.data.createOrganisation.id;
    const UPDATE = `mutation($id: ID!, $v: Int!, $input: UpdateOrganisationInput!) {
      updateOrganisation(id: $id, expectedVersion: $v, input: $input) { version name } }`;
    const input = { name: '版本局二', kind: 'agency', regionCode, active: true };
    const ok = await gql(UPDATE, { id, v: 1, input }, admin);
    expect(ok.body.data.updateOrganisation).toEqual({ version: 2, name: '版本局二' });
    const stale = await gql(UPDATE, { id, v: 1, input: { ...input, name: '过期' } }, admin);
    expect(stale.body.errors[0].extensions.code).toBe('PRECONDITION_FAILED');
    const row = await t.db.query<{ name: string }>('SELECT name FROM organisation WHERE id = $1', [id]);
    expect(row[0].name).toBe('版本局二');
  });

  describe('mutations with an idempotencyKey, like POST /v1/organisations and /v1/regions', () => {
    const count = async (sql: string) =>
      Number((await t.db.query<{ n: string }>(`SELECT count(*) AS n FROM ${sql}`, [regionCode]))[0].n);
    const admins = {
      callers: (): [string, string] => [admin, otherAdmin],
      headers: (token: string) => ({ Authorization: `Bearer ${token}` }),
    };
    const input = (v: Vars) => v.input as Record<string, string>;
    const cases: Record<string, KeyedMutation<string>> = {
      createOrganisation: {
        ...admins,
        query: `mutation($input: CreateOrganisationInput!, $key: String) {
          createOrganisation(input: $input, idempotencyKey: $key) { id name kind regionCode parentId version } }`,
        fresh: async () => ({
          input: { name: `键局${randomUUID().slice(0, 8)}`, kind: 'agency', regionCode },
        }),
        changed: (v) => ({ input: { ...input(v), name: `${input(v).name}二` } }),
        effects: () => count('organisation WHERE region_code = $1'),
        rest: (v) => ({ path: '/v1/organisations', body: { ...input(v), kind: 'agency' }, status: 201 }),
      },
      createRegion: {
        ...admins,
        query: `mutation($input: CreateRegionInput!, $key: String) {
          createRegion(input: $input, idempotencyKey: $key) { code name level parentCode } }`,
        fresh: async () => {
          const code = `${regionCode}${String(randomInt(0, 1e6)).padStart(6, '0')}`;
          return { input: { code, name: `键区${code}`, level: 'district', parentCode: regionCode } };
        },
        changed: (v) => ({ input: { ...input(v), name: `${input(v).name}二` } }),
        effects: () => count('region WHERE parent_code = $1'),
        rest: (v) => ({ path: '/v1/regions', body: { ...input(v), level: 'district' }, status: 201 }),
      },
    };

    it.each(Object.keys(cases))('%s acts at most once per key and caller', (name) =>
      expectOncePerKey(t, cases[name]),
    );
  });
});
