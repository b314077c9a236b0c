import { randomUUID } from 'node:crypto';
import { startTestApp, TestApp } from '../support/test-app';
import { scopedToken } from '../support/tokens';

/**
 * @IdempotentMutation (src/api/graphql/idempotent-mutation.ts) fingerprints a GraphQL mutation as
 * its REST twin, so one Idempotency-Key means the same on both transports. expectOncePerKey (the
 * GraphQL specs) covers GraphQL first, then REST; this covers REST first, then GraphQL, a changed
 * body on either side, and a decorated mutation called without a key.
 */
describe('GraphQL idempotency keys are the REST twin’s keys', () => {
  let t: TestApp;
  let admin: string;
  const regionCode = `95${String(Math.floor(Math.random() * 1e4)).padStart(4, '0')}`;
  const CREATE = `mutation($input: CreateOrganisationInput!, $key: String) {
    createOrganisation(input: $input, idempotencyKey: $key) { id name kind regionCode version } }`;
  const gql = (variables: Record<string, unknown>) =>
    t.http.post('/graphql').set('Authorization', `Bearer ${admin}`).send({ query: CREATE, variables });
  const rest = (body: object, key?: string) => {
    const req = t.http.post('/v1/organisations').set('Authorization', `Bearer ${admin}`);
    if (key) req.set('Idempotency-Key', key);
    return req.send(body);
  };
  const named = async (name: string) =>
    (await t.db.query<{ id: string }>('SELECT id FROM organisation WHERE name = $1', [name])).map(
      (r) => r.id,
    );
  const keyRows = async (key: string) =>
    Number(
      (
        await t.db.query<{ n: string }>('SELECT count(*) AS n FROM idempotency_key WHERE "key" = $1', [key])
      )[0].n,
    );

  beforeAll(async () => {
    t = await startTestApp({ LOG_LEVEL: 'error' });
    admin = await scopedToken(t, 'staff', ['organisation:manage']);
    await t.http
      .post('/v1/regions')
      .set('Authorization', `Bearer ${admin}`)
      .send({ code: regionCode, name: '键省', level: 'province' })
      .expect(201);
  });
  afterAll(() => t.close());

  it('a key used through REST replays through GraphQL: the same answer, nothing written twice', async () => {
    const key = `k-${randomUUID()}`;
    const input = { name: `键一局-${key.slice(2, 10)}`, kind: 'agency', regionCode };
    const first = await rest(input, key).expect(201);
    expect(first.body).toMatchObject({ name: input.name, kind: 'agency', regionCode, version: 1 });

    const replay = await gql({ input, key });
    expect(replay.body.errors).toBeUndefined();
    expect(replay.body.data.createOrganisation).toEqual({
      id: first.body.id,
      name: input.name,
      kind: 'agency',
      regionCode,
      version: 1,
    });
    expect(await named(input.name)).toEqual([first.body.id]);
    expect(await keyRows(key)).toBe(1);
  });

  it('the key with another body is IDEMPOTENCY_KEY_REUSED on both transports, whichever came first', async () => {
    const key = `k-${randomUUID()}`;
    const input = { name: `键二局-${key.slice(2, 10)}`, kind: 'agency', regionCode };
    const other = { ...input, name: `${input.name}-改` };
    await rest(input, key).expect(201);

    const viaGql = await gql({ input: other, key });
    expect(viaGql.body.data).toBeNull();
    expect(viaGql.body.errors[0].extensions.code).toBe('IDEMPOTENCY_KEY_REUSED');
    const viaRest = await rest(other, key).expect(422);
    expect(viaRest.body).toMatchObject({ status: 422, code: 'IDEMPOTENCY_KEY_REUSED' });
    expect(await named(other.name)).toEqual([]);

    // GraphQL first: REST with another body under that key is refused the same way.
    const key2 = `k-${randomUUID()}`;
    const third = { ...input, name: `${input.name}-三` };
    const created = await gql({ input: third, key: key2 });
    expect(created.body.errors).toBeUndefined();
    const refused = await rest({ ...third, name: `${third.name}-改` }, key2).expect(422);
    expect(refused.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(await named(third.name)).toEqual([created.body.data.createOrganisation.id]);
    expect(await named(`${third.name}-改`)).toEqual([]);
  });

  it('a decorated mutation without a key simply runs, each call once, and stores no key', async () => {
    const before = Number(
      (await t.db.query<{ n: string }>('SELECT count(*) AS n FROM idempotency_key'))[0].n,
    );
    const input = { name: `无键局-${randomUUID().slice(0, 8)}`, kind: 'agency', regionCode };
    const a = await gql({ input });
    const b = await gql({ input });
    expect([a.body.errors, b.body.errors]).toEqual([undefined, undefined]);
    expect(a.body.data.createOrganisation.id).not.toBe(b.body.data.createOrganisation.id);
    expect((await named(input.name)).sort()).toEqual(
      [a.body.data.createOrganisation.id, b.body.data.createOrganisation.id].sort(),
    );
    const after = Number((await t.db.query<{ n: string }>('SELECT count(*) AS n FROM idempotency_key'))[0].n);
    expect(after).toBe(before);
  });

  it('a failed mutation keeps no key: the same key then runs the corrected request', async () => {
    const key = `k-${randomUUID()}`;
    const bad = await gql({ input: { name: '', kind: 'agency', regionCode }, key });
    expect(bad.body.errors[0].extensions.code).toBe('VALIDATION_FAILED');
    expect(await keyRows(key)).toBe(0);
    const input = { name: `改正局-${key.slice(2, 10)}`, kind: 'agency', regionCode };
    const ok = await gql({ input, key });
    expect(ok.body.errors).toBeUndefined();
    expect(await named(input.name)).toEqual([ok.body.data.createOrganisation.id]);
    expect(await keyRows(key)).toBe(1);
  });
});
