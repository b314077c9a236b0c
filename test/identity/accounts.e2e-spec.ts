import { randomUUID } from 'node:crypto';
import { RoleName } from '../../src/modules/platform/identity/staff/role-catalogue';
import { startTestApp, TestApp } from '../support/test-app';
import { scopedToken } from '../support/tokens';
import { Citizen, nationalId, signedInCitizen } from './citizen-fixtures';
import { auth, makeStaff, makeUnit, Person, signIn } from './staff-fixtures';

/**
 * Staff reading a citizen's personal data (P5, items 8 + 10): masked by default, unmasked only with
 * personal-data:unmask and a reason, every read (refusals excepted) an audit leaf the citizen sees
 * in GET /v1/me/data-access. Unit-scoped staff see no citizen yet (no module relates citizens to
 * units so far): 404, like an unknown id.
 */

const masked = (id: string) => `${id.slice(0, 3)}${'*'.repeat(11)}${id.slice(-4)}`;

describe('staff read of personal data', () => {
  let t: TestApp;
  let unit: string;
  let admin: Record<string, string>;
  let supervisor: Record<string, string>;
  let orgAdmin: Record<string, string>;
  let clerk: Record<string, string>;
  let adminPerson: Person;
  let supervisorPerson: Person;
  let citizen: Citizen;
  let idNumber: string;

  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMIT_ANONYMOUS: '100000', RATE_LIMIT_AUTHENTICATED: '100000' });
    unit = await makeUnit(t, '个人信息核查局');
    const sub = await makeUnit(t, '核查科', unit);
    adminPerson = await makeStaff(t, unit, [{ role: RoleName.Admin, unit: null }]);
    supervisorPerson = await makeStaff(t, unit, [{ role: RoleName.Supervisor, unit: null }]);
    const orgAdminPerson = await makeStaff(t, unit, [{ role: RoleName.OrgAdmin, unit }]);
    const clerkPerson = await makeStaff(t, sub, [{ role: RoleName.Clerk, unit: sub }]);
    admin = auth(await signIn(t, adminPerson, 'staff'));
    supervisor = auth(await signIn(t, supervisorPerson, 'staff'));
    orgAdmin = auth(await signIn(t, orgAdminPerson, 'staff'));
    clerk = auth(await signIn(t, clerkPerson, 'staff'));
    citizen = await signedInCitizen(t, { displayName: '被查询人' });
    idNumber = nationalId();
    await t.http
      .put('/v1/me/profile')
      .set('If-Match', '*')
      .set(auth(citizen.accessToken))
      .send({ nationalId: idNumber, realName: '李小龙' })
      .expect(200);
  });
  afterAll(() => t.close());

  const leaves = (subject: string) =>
    t.db.query<{
      action: string;
      actor_id: string;
      actor_kind: string;
      resource_type: string;
      resource_id: string;
      purpose: string | null;
      organisation_id: string | null;
    }>(
      `SELECT action, actor_id, actor_kind, resource_type, resource_id, purpose, organisation_id
       FROM audit_leaf WHERE subject_id = $1 AND actor_kind IN ('staff', 'client', 'apikey') ORDER BY seq`,
      [subject],
    );
  const leafCount = async () =>
    Number((await t.db.query<{ n: string }>('SELECT count(*) AS n FROM audit_leaf'))[0].n);
  const read = (who: Record<string, string> | null, id: string, query: Record<string, string> = {}) => {
    const req = t.http.get(`/v1/accounts/${id}`).query(query);
    return who ? req.set(who) : req;
  };

  it('stores the display mask of the ID (first three, last four) and shows it in /v1/me', async () => {
    const [row] = await t.db.query<{ national_id_masked: string; national_id_last4: string }>(
      'SELECT national_id_masked, national_id_last4 FROM account WHERE id = $1',
      [citizen.id],
    );
    expect(row).toEqual({ national_id_masked: masked(idNumber), national_id_last4: idNumber.slice(-4) });
    const me = await t.http.get('/v1/me').set(auth(citizen.accessToken)).expect(200);
    expect(me.body.nationalId).toBe(masked(idNumber));
  });

  it('refuses anonymous callers (401), citizens and staff without account:read (403), and writes nothing', async () => {
    const before = await leafCount();
    expect((await read(null, citizen.id).expect(401)).body.code).toBe('UNAUTHENTICATED');
    await t.http
      .post('/v1/accounts/lookup')
      .send({ nationalId: idNumber, reason: '核实身份信息' })
      .expect(401);
    for (const who of [auth(citizen.accessToken), clerk]) {
      expect((await read(who, citizen.id).expect(403)).body.code).toBe('FORBIDDEN');
      await read(who, citizen.id, { unmask: 'nationalId', reason: '核实身份信息' }).expect(403);
      await t.http
        .post('/v1/accounts/lookup')
        .set(who)
        .send({ nationalId: idNumber, reason: '核实身份信息' })
        .expect(403);
    }
    expect(await leafCount()).toBe(before);
  });

  it('gives a supervisor (account:read everywhere) the masked profile and records the read', async () => {
    const res = await read(supervisor, citizen.id).expect(200);
    expect(res.body).toEqual({
      id: citizen.id,
      kind: 'citizen',
      status: 'active',
      displayName: '被查询人',
      realName: '李**',
      nationalId: masked(idNumber),
      phone: `${citizen.phone.slice(0, 3)}****${citizen.phone.slice(-4)}`,
      email: null,
      unifiedSocialCreditCode: null,
      unmasked: [],
      createdAt: expect.any(String),
      version: expect.any(Number),
    });
    expect(res.headers['cache-control']).toContain('no-store');
    expect(JSON.stringify(res.body)).not.toContain(idNumber);
    expect(JSON.stringify(res.body)).not.toContain('李小龙');
    expect(JSON.stringify(res.body)).not.toContain(citizen.phone);
    expect((await leaves(citizen.id)).at(-1)).toEqual({
      action: 'account.read',
      actor_id: supervisorPerson.id,
      actor_kind: 'staff',
      resource_type: 'account',
      resource_id: citizen.id,
      purpose: null,
      organisation_id: unit,
    });

    await read(supervisor, citizen.id, { reason: '复核低保申请材料' }).expect(200);
    expect((await leaves(citizen.id)).at(-1)).toMatchObject({
      action: 'account.read',
      purpose: '复核低保申请材料',
    });
  });

  it('refuses unmasking without personal-data:unmask (403) and writes nothing', async () => {
    const before = await leafCount();
    const res = await read(supervisor, citizen.id, { unmask: 'nationalId', reason: '核实身份信息' }).expect(
      403,
    );
    expect(res.body.code).toBe('FORBIDDEN');
    expect(JSON.stringify(res.body)).not.toContain(idNumber);
    expect(await leafCount()).toBe(before);
  });

  it.each([
    ['unmask without a reason', { unmask: 'nationalId' }, '/reason'],
    ['a reason too short', { unmask: 'nationalId', reason: '查' }, '/reason'],
    ['a reason too long', { unmask: 'nationalId', reason: '查'.repeat(201) }, '/reason'],
    ['a reason with a control character', { unmask: 'nationalId', reason: '核实\u0007身份信息' }, '/reason'],
    ['an unknown field', { unmask: 'passwordHash', reason: '核实身份信息' }, '/unmask'],
    ['a field twice', { unmask: 'nationalId,nationalId', reason: '核实身份信息' }, '/unmask'],
    ['an unknown parameter', { reason: '核实身份信息', include: 'all' }, '/include'],
  ])('answers %s with 400 naming it, and writes nothing', async (_n, query, pointer) => {
    const before = await leafCount();
    const res = await read(admin, citizen.id, query).expect(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
    expect(res.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ pointer })]));
    expect(await leafCount()).toBe(before);
  });

  it('unmasks for a holder of personal-data:unmask with a reason, recording both leaves', async () => {
    const reason = '办理户籍迁移需核对身份证号';
    const res = await read(admin, citizen.id, { unmask: 'nationalId,realName', reason }).expect(200);
    expect(res.body).toMatchObject({
      id: citizen.id,
      nationalId: idNumber,
      realName: '李小龙',
      phone: `${citizen.phone.slice(0, 3)}****${citizen.phone.slice(-4)}`,
      unmasked: ['nationalId', 'realName'],
    });
    const tail = (await leaves(citizen.id)).slice(-3);
    expect(tail).toEqual([
      expect.objectContaining({
        action: 'account.read',
        resource_type: 'account',
        actor_id: adminPerson.id,
        purpose: reason,
      }),
      expect.objectContaining({
        action: 'account.unmask',
        resource_type: 'account.national_id',
        resource_id: citizen.id,
        purpose: reason,
      }),
      expect.objectContaining({
        action: 'account.unmask',
        resource_type: 'account.real_name',
        resource_id: citizen.id,
        purpose: reason,
      }),
    ]);
    // The log holds the reason and ids only, never the number itself.
    const [{ n }] = await t.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM audit_leaf WHERE purpose LIKE $1 OR resource_id LIKE $1`,
      [`%${idNumber}%`],
    );
    expect(n).toBe(0);
    // The repeated-parameter form works too.
    const twice = await t.http
      .get(`/v1/accounts/${citizen.id}?unmask=phone&unmask=email&reason=${encodeURIComponent(reason)}`)
      .set(admin)
      .expect(200);
    expect(twice.body).toMatchObject({
      phone: citizen.phone,
      email: null,
      unmasked: ['phone', 'email'],
      nationalId: masked(idNumber),
    });
  });

  it('answers 404 alike for unknown ids, staff accounts and citizens outside the caller’s scope, writing nothing', async () => {
    const before = await leafCount();
    const unknown = await read(admin, randomUUID()).expect(404);
    expect(unknown.body.code).toBe('NOT_FOUND');
    // Staff accounts are read through /v1/staff, not here.
    await read(admin, supervisorPerson.id).expect(404);
    // An organisation admin holds account:read in its unit only: no citizen is related to a unit yet.
    const outOfScope = await read(orgAdmin, citizen.id).expect(404);
    expect(outOfScope.body.detail).toBe(unknown.body.detail);
    await t.http
      .post('/v1/accounts/lookup')
      .set(orgAdmin)
      .send({ nationalId: idNumber, reason: '核实身份信息' })
      .expect(404);
    expect((await read(admin, 'not-a-uuid').expect(400)).body.errors[0]).toMatchObject({ pointer: '/id' });
    expect(await leafCount()).toBe(before);
  });

  it('answers 404 to machine callers whose scope is their own agency (API keys)', async () => {
    const key = await t.http
      .post('/v1/api-keys')
      .set(admin)
      .send({ name: `核查钥匙-${randomUUID().slice(0, 6)}`, organisationId: unit, scopes: ['account:read'] })
      .expect(201);
    const before = await leafCount();
    await read({ 'X-API-Key': key.body.key }, citizen.id).expect(404);
    expect(await leafCount()).toBe(before);
    // A caller holding account:read everywhere (a synthetic token in tests) reads.
    const global = await scopedToken(t, 'staff', ['account:read']);
    await read(auth(global), citizen.id).expect(200);
  });

  it('looks an account up by national ID in the body, through the blind index, audited', async () => {
    const reason = '窗口核验申请人身份';
    const res = await t.http
      .post('/v1/accounts/lookup')
      .set(supervisor)
      .send({ nationalId: ` ${idNumber.toLowerCase()} `, reason })
      .expect(200);
    expect(res.body).toMatchObject({ id: citizen.id, nationalId: masked(idNumber), unmasked: [] });
    expect(res.headers['cache-control']).toContain('no-store');
    expect((await leaves(citizen.id)).at(-1)).toMatchObject({
      action: 'account.lookup',
      actor_id: supervisorPerson.id,
      purpose: reason,
    });

    const before = await leafCount();
    const other = nationalId();
    const none = await t.http
      .post('/v1/accounts/lookup')
      .set(supervisor)
      .send({ nationalId: other, reason })
      .expect(404);
    expect(JSON.stringify(none.body)).not.toContain(other);
    const bad = idNumber.slice(0, 17) + (idNumber[17] === '0' ? '1' : '0');
    const invalid = await t.http
      .post('/v1/accounts/lookup')
      .set(supervisor)
      .send({ nationalId: bad, reason })
      .expect(400);
    expect(invalid.body.errors).toEqual([
      expect.objectContaining({ pointer: '/nationalId', code: 'isNationalId' }),
    ]);
    expect(JSON.stringify(invalid.body)).not.toContain(bad);
    const noReason = await t.http
      .post('/v1/accounts/lookup')
      .set(supervisor)
      .send({ nationalId: idNumber })
      .expect(400);
    expect(noReason.body.errors.map((e: { pointer: string }) => e.pointer)).toContain('/reason');
    expect(await leafCount()).toBe(before);
  });

  it('serves the same read over GraphQL, with the same refusals', async () => {
    const query = `query ($id: ID!, $unmask: [UnmaskField!], $reason: String) {
      account(id: $id, unmask: $unmask, reason: $reason) { id nationalId realName unmasked }
    }`;
    const gql = (who: Record<string, string> | null, variables: object) => {
      const req = t.http.post('/graphql').send({ query, variables });
      return who ? req.set(who) : req;
    };
    const reason = '核对补贴发放对象';
    const ok = await gql(admin, { id: citizen.id, unmask: ['nationalId'], reason }).expect(200);
    expect(ok.body.errors).toBeUndefined();
    expect(ok.body.data.account).toEqual({
      id: citizen.id,
      nationalId: idNumber,
      realName: '李**',
      unmasked: ['nationalId'],
    });
    expect((await leaves(citizen.id)).at(-1)).toMatchObject({ action: 'account.unmask', purpose: reason });

    const before = await leafCount();
    const code = async (who: Record<string, string> | null, variables: object) =>
      (await gql(who, variables)).body.errors?.[0]?.extensions?.code as string;
    expect(await code(admin, { id: citizen.id, unmask: ['nationalId'] })).toBe('VALIDATION_FAILED');
    expect(await code(supervisor, { id: citizen.id, unmask: ['nationalId'], reason })).toBe('FORBIDDEN');
    expect(await code(orgAdmin, { id: citizen.id })).toBe('NOT_FOUND');
    expect(await code(clerk, { id: citizen.id })).toBe('FORBIDDEN');
    expect(await code(auth(citizen.accessToken), { id: citizen.id })).toBe('FORBIDDEN');
    expect(await code(null, { id: citizen.id })).toBe('UNAUTHENTICATED');
    expect(await leafCount()).toBe(before);

    const masked_ = await gql(supervisor, { id: citizen.id }).expect(200);
    expect(masked_.body.data.account).toMatchObject({ nationalId: masked(idNumber), unmasked: [] });
    expect(await leafCount()).toBe(before + 1);
  });

  it('shows the citizen every one of these reads, with the reasons and the agency, never the person', async () => {
    const res = await t.http.get('/v1/me/data-access?limit=100').set(auth(citizen.accessToken)).expect(200);
    const items = res.body.items as Array<{
      action: string;
      purpose: string | null;
      agency: { id: string } | null;
      system: { kind: string };
    }>;
    const mine = await leaves(citizen.id);
    expect(items).toHaveLength(mine.length);
    expect(items.map((i) => i.action)).toEqual(mine.map((l) => l.action).reverse());
    expect(items.map((i) => i.purpose)).toEqual(
      expect.arrayContaining([
        '复核低保申请材料',
        '办理户籍迁移需核对身份证号',
        '窗口核验申请人身份',
        '核对补贴发放对象',
      ]),
    );
    expect(new Set(items.map((i) => i.action))).toEqual(
      new Set(['account.read', 'account.unmask', 'account.lookup']),
    );
    expect(items.find((i) => i.action === 'account.lookup')).toMatchObject({
      agency: { id: unit },
      system: { kind: 'staff', clientId: null },
    });
    expect(JSON.stringify(res.body)).not.toContain(adminPerson.id);
    expect(JSON.stringify(res.body)).not.toContain(supervisorPerson.id);
  });
});
