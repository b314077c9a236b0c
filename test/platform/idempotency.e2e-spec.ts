import { createHash, randomUUID } from 'node:crypto';
import { Client } from 'pg';
import type { Response } from 'supertest';
import { requestFingerprint } from '../../src/api/http/idempotency';
import { responseAad } from '../../src/api/http/idempotency-cipher';
import { DEV_SECRETS } from '../../src/config/config';
import { FieldCipher } from '../../src/modules/platform/identity/personal-data/field-cipher';
import { IdempotencyService } from '../../src/api/http/idempotency.service';
import { uuidv7 } from '../../src/database/uuid';
import { onPostgres, startTestApp, TestApp } from '../support/test-app';
import { scopedToken } from '../support/tokens';

const problem = (res: Response) => JSON.parse(res.text) as { code: string };
const word = () => `i${randomUUID().replace(/-/g, '').slice(0, 12)}`;
const newKey = () => randomUUID();
/** The advisory lock IdempotencyService takes for (scope, key). */
const lockOf = (scope: string, key: string) =>
  createHash('sha256').update(`${scope}\n${key}`).digest().readBigInt64BE(0).toString();

interface KeyRow {
  request_hash: string;
  response_status: number;
  response_body: string | null;
  cipher_key_id: string | null;
  expires_at: Date;
}

/** The stored answer, opened with the development FIELD_KEYS the test app runs with. */
const cipher = new FieldCipher({
  keys: FieldCipher.parseKeyring(DEV_SECRETS.FIELD_KEYS),
  activeKeyId: 'dev1',
  blindIndexKey: Buffer.from(DEV_SECRETS.BLIND_INDEX_KEY, 'base64'),
});
const opened = (row: KeyRow & { scope: string; key: string }) =>
  JSON.parse(cipher.decrypt(row.response_body!, responseAad(row.scope, row.key))) as unknown;

describe('Idempotency-Key (POST /v1/organisations)', () => {
  let t: TestApp;
  let adminSub: string;
  let admin: string;
  let otherAdmin: string;
  let region: string;

  const post = (key: string | null, body: Record<string, unknown>, token = admin) => {
    const req = t.http.post('/v1/organisations').set('Authorization', `Bearer ${token}`);
    if (key !== null) req.set('Idempotency-Key', key);
    return req.send(body);
  };
  const orgBody = (name: string) => ({ name, kind: 'agency', regionCode: region });
  const countByName = async (name: string) =>
    Number(
      (await t.db.query<{ n: string }>('SELECT count(*) AS n FROM organisation WHERE name = $1', [name]))[0]
        .n,
    );
  const keyRows = (key: string) =>
    t.db.query<KeyRow & { scope: string; key: string }>(
      'SELECT * FROM idempotency_key WHERE "key" = $1 ORDER BY scope',
      [key],
    );

  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMIT_ANONYMOUS: '100000', RATE_LIMIT_AUTHENTICATED: '100000' });
    adminSub = uuidv7();
    admin = await scopedToken(t, 'staff', ['organisation:manage'], adminSub);
    otherAdmin = await scopedToken(t, 'staff', ['organisation:manage']);
    for (;;) {
      const code = `9${String(Math.floor(Math.random() * 1e5)).padStart(5, '0')}`;
      const res = await t.http
        .post('/v1/regions')
        .set('Authorization', `Bearer ${admin}`)
        .send({ code, name: `幂等${code}`, level: 'city' });
      if (res.status === 201) {
        region = code;
        break;
      }
      if (res.status !== 409) throw new Error(res.text);
    }
  });
  afterAll(() => t.close());

  it('answers the first request 201 and replays it: same status and body, Idempotent-Replayed, one row', async () => {
    const key = newKey();
    const name = `首次${word()}`;
    const first = await post(key, orgBody(name)).expect(201);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    const again = await post(key, orgBody(name)).expect(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toEqual(first.body);
    // The key as an RFC 8941 string is the same key; key order in the body does not matter.
    const quoted = await post(`"${key}"`, { regionCode: region, kind: 'agency', name }).expect(201);
    expect(quoted.headers['idempotent-replayed']).toBe('true');
    expect(quoted.body).toEqual(first.body);

    expect(await countByName(name)).toBe(1);
    const rows = await keyRows(key);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      scope: `staff:${adminSub}`,
      request_hash: requestFingerprint('POST', '/v1/organisations', orgBody(name)),
      response_status: 201,
      cipher_key_id: 'dev1',
    });
    // Sealed at rest: a FieldCipher envelope, bound to this caller and key, holding the answer.
    expect(rows[0].response_body).toMatch(/^v1\.dev1\./);
    expect(rows[0].response_body).not.toContain(name);
    expect(opened(rows[0])).toEqual(first.body);
    expect(() =>
      cipher.decrypt(rows[0].response_body!, responseAad('staff:someone-else', rows[0].key)),
    ).toThrow();
    // Kept for IDEMPOTENCY_TTL_HOURS (24 by default).
    const hoursLeft = (new Date(rows[0].expires_at).getTime() - Date.now()) / 3_600_000;
    expect(hoursLeft).toBeGreaterThan(23.9);
    expect(hoursLeft).toBeLessThanOrEqual(24.01);
  });

  it('refuses the same key with a different body: 422 IDEMPOTENCY_KEY_REUSED, nothing written', async () => {
    const key = newKey();
    const name = `原请求${word()}`;
    const other = `另一请求${word()}`;
    await post(key, orgBody(name)).expect(201);
    const res = await post(key, orgBody(other)).expect(422);
    expect(problem(res).code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(await countByName(other)).toBe(0);
    // The same key on another endpoint is a different request as well.
    const region = await t.http
      .post('/v1/regions')
      .set('Authorization', `Bearer ${admin}`)
      .set('Idempotency-Key', key)
      .send({ code: '977777', name: '复用', level: 'city' })
      .expect(422);
    expect(problem(region).code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(await t.db.query("SELECT 1 FROM region WHERE code = '977777'")).toEqual([]);
  });

  it('keeps keys per caller: another caller with the same key gets an independent create', async () => {
    const key = newKey();
    const name = `两个调用方${word()}`;
    const mine = await post(key, orgBody(name)).expect(201);
    const theirs = await post(key, orgBody(name), otherAdmin).expect(201);
    expect(theirs.headers['idempotent-replayed']).toBeUndefined();
    expect(theirs.body.id).not.toBe(mine.body.id);
    expect(await countByName(name)).toBe(2);
    expect((await keyRows(key)).map((r) => r.response_status)).toEqual([201, 201]);
    // And each one's retry replays its own answer.
    expect((await post(key, orgBody(name), otherAdmin).expect(201)).body.id).toBe(theirs.body.id);
    expect((await post(key, orgBody(name)).expect(201)).body.id).toBe(mine.body.id);
  });

  it.each([
    ['empty', ''],
    ['too long', 'k'.repeat(256)],
    ['with a space', 'a b'],
    ['with a slash', 'a/b'],
    ['percent-encoded', '%E5%B9%82'],
    ['an unbalanced quote', '"abc'],
    ['a list', 'abc, def'],
  ])('refuses a key that is %s with 400 IDEMPOTENCY_KEY_INVALID, writing nothing', async (_label, key) => {
    const name = `坏键${word()}`;
    const res = await post(key, orgBody(name)).expect(400);
    expect(problem(res).code).toBe('IDEMPOTENCY_KEY_INVALID');
    expect(await countByName(name)).toBe(0);
  });

  it('accepts a 255-character key', async () => {
    const key = `${newKey()}${'k'.repeat(219)}`;
    expect(key).toHaveLength(255);
    await post(key, orgBody(`长键${word()}`)).expect(201);
    expect(await keyRows(key)).toHaveLength(1);
  });

  it('works without a key (the key is optional on this endpoint) and keeps no record', async () => {
    const before = Number(
      (await t.db.query<{ n: string }>('SELECT count(*) AS n FROM idempotency_key'))[0].n,
    );
    const name = `无键${word()}`;
    await post(null, orgBody(name)).expect(201);
    await post(null, orgBody(name)).expect(201);
    expect(await countByName(name)).toBe(2);
    expect(Number((await t.db.query<{ n: string }>('SELECT count(*) AS n FROM idempotency_key'))[0].n)).toBe(
      before,
    );
  });

  it('does not store failed requests: after a 400 the same key runs the corrected request', async () => {
    const key = newKey();
    const name = `修正后${word()}`;
    const invalid = await post(key, { ...orgBody(name), kind: 'castle' }).expect(400);
    expect(problem(invalid).code).toBe('VALIDATION_FAILED');
    expect(await keyRows(key)).toEqual([]);
    // A failure inside the service (unknown region) is not stored either.
    await post(key, { ...orgBody(name), regionCode: '999999999999' }).expect(400);
    expect(await keyRows(key)).toEqual([]);
    const ok = await post(key, orgBody(name)).expect(201);
    expect(ok.headers['idempotent-replayed']).toBeUndefined();
    expect(await countByName(name)).toBe(1);
    expect(await keyRows(key)).toEqual([expect.objectContaining({ response_status: 201 })]);
  });

  it('keeps no record for refused callers (401/403 come before the key is claimed)', async () => {
    const key = newKey();
    await t.http
      .post('/v1/organisations')
      .set('Idempotency-Key', key)
      .send(orgBody(`匿名${word()}`))
      .expect(401);
    const citizen = await scopedToken(t, 'citizen', ['self:service']);
    await post(key, orgBody(`公民${word()}`), citizen).expect(403);
    expect(await keyRows(key)).toEqual([]);
  });

  it('lets exactly one of two concurrent duplicates through; the other replays or gets 409', async () => {
    for (let round = 0; round < 5; round++) {
      const key = newKey();
      const name = `并发${word()}`;
      const [a, b] = await Promise.all([post(key, orgBody(name)), post(key, orgBody(name))]);
      const results = [a, b].map((r) => ({
        status: r.status,
        replayed: r.headers['idempotent-replayed'] === 'true',
        code: r.status === 409 ? problem(r).code : undefined,
      }));
      const fresh = results.filter((r) => r.status === 201 && !r.replayed);
      const others = results.filter((r) => !(r.status === 201 && !r.replayed));
      expect(fresh).toHaveLength(1);
      expect(others).toHaveLength(1);
      expect([
        { status: 201, replayed: true, code: undefined },
        { status: 409, replayed: false, code: 'IDEMPOTENCY_KEY_IN_FLIGHT' },
      ]).toContainEqual(others[0]);
      if (others[0].status === 201) expect(b.body).toEqual(a.body);
      expect(await countByName(name)).toBe(1);
    }
  });

  // A second connection can hold the key's lock only on PostgreSQL: the embedded database has one.
  (onPostgres ? it : it.skip)(
    'answers 409 IDEMPOTENCY_KEY_IN_FLIGHT with Retry-After while another request holds the key',
    async () => {
      const key = newKey();
      const name = `处理中${word()}`;
      const holder = new Client({ connectionString: process.env.OW_TEST_DATABASE_URL });
      await holder.connect();
      try {
        // The lock the first request's transaction holds until its COMMIT.
        await holder.query('SELECT pg_advisory_lock($1::bigint)', [lockOf(`staff:${adminSub}`, key)]);
        const res = await post(key, orgBody(name)).expect(409);
        expect(problem(res).code).toBe('IDEMPOTENCY_KEY_IN_FLIGHT');
        expect(res.headers['retry-after']).toBe('1');
        // While the first request runs its body is not known yet: another body waits as well.
        expect(problem(await post(key, orgBody(`${name}x`)).expect(409)).code).toBe(
          'IDEMPOTENCY_KEY_IN_FLIGHT',
        );
        expect(await countByName(name)).toBe(0);
        expect(await keyRows(key)).toEqual([]);
      } finally {
        await holder.end();
      }
      // Released (the first request ended without committing): the key runs the request.
      const ok = await post(key, orgBody(name)).expect(201);
      expect(ok.headers['idempotent-replayed']).toBeUndefined();
      expect(await countByName(name)).toBe(1);
    },
  );

  it('never stores an "in progress" record: a key is either unknown or holds a committed answer', async () => {
    const key = newKey();
    const name = `原子${word()}`;
    // Watch the table from inside the handler's own transaction: the record is written there, after
    // the effect, and no statement before COMMIT is visible to anyone else.
    const [a, b] = await Promise.all([post(key, orgBody(name)), post(key, orgBody(name))]);
    expect([a.status, b.status].sort()).toEqual(expect.arrayContaining([201]));
    const rows = await keyRows(key);
    expect(rows).toHaveLength(1);
    expect(Object.keys(rows[0]).sort()).toEqual(
      [
        'cipher_key_id',
        'created_at',
        'expires_at',
        'key',
        'location',
        'request_hash',
        'response_body',
        'response_status',
        'scope',
      ].sort(),
    );
    expect(await countByName(name)).toBe(1);
  });

  it('ignores an expired record: the key runs a new request', async () => {
    const key = newKey();
    const name = `过期${word()}`;
    const first = await post(key, orgBody(name)).expect(201);
    await t.db.query(`UPDATE idempotency_key SET expires_at = now() - interval '1 second' WHERE "key" = $1`, [
      key,
    ]);
    const second = await post(key, orgBody(name)).expect(201);
    expect(second.headers['idempotent-replayed']).toBeUndefined();
    expect(second.body.id).not.toBe(first.body.id);
    expect(await countByName(name)).toBe(2);
    // The fresh record replaces the expired one.
    const rows = await keyRows(key);
    expect(rows).toHaveLength(1);
    expect(opened(rows[0])).toEqual(second.body);
    expect(new Date(rows[0].expires_at).getTime()).toBeGreaterThan(Date.now());
    // An expired record of another request does not make the key "reused".
    await t.db.query(`UPDATE idempotency_key SET expires_at = now() - interval '1 second' WHERE "key" = $1`, [
      key,
    ]);
    await post(key, orgBody(`${name}另`)).expect(201);
  });

  it('prunes expired records', async () => {
    const key = newKey();
    await t.db.query(
      `INSERT INTO idempotency_key (scope, "key", request_hash, response_status, expires_at)
       VALUES ('staff:someone', $1, $2, 201, now() - interval '1 hour')`,
      [key, 'x'.repeat(64)],
    );
    expect(await t.app.get(IdempotencyService).pruneExpired(true)).toBeGreaterThanOrEqual(1);
    expect(await keyRows(key)).toEqual([]);
  });

  it('applies to regions too (POST /v1/regions is @Idempotent)', async () => {
    const key = newKey();
    for (;;) {
      const code = `9${String(Math.floor(Math.random() * 1e5)).padStart(5, '0')}`;
      const body = { code, name: `区${code}`, level: 'district', parentCode: region };
      const first = await t.http
        .post('/v1/regions')
        .set('Authorization', `Bearer ${admin}`)
        .set('Idempotency-Key', key)
        .send(body);
      if (first.status === 409) continue; // code taken by another test; the 409 released the key
      expect(first.status).toBe(201);
      const again = await t.http
        .post('/v1/regions')
        .set('Authorization', `Bearer ${admin}`)
        .set('Idempotency-Key', key)
        .send(body)
        .expect(201);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.body).toEqual(first.body);
      break;
    }
  });
});
