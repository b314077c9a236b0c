import { Permission } from '../../src/api/auth/permission';
import { ActorKind, RequestContext } from '../../src/api/context/request-context';
import { uuidv7 } from '../../src/database/uuid';
import { AuditEntry, AuditService } from '../../src/modules/platform/audit/audit.service';
import { OrganisationKind, RegionLevel } from '../../src/modules/platform/organisations/organisation.entity';
import { OrganisationsService } from '../../src/modules/platform/organisations/organisations.service';
import { startTestApp, TestApp } from '../support/test-app';
import { scopedToken } from '../support/tokens';

const DAY = 86_400_000;

describe('GET /v1/me/data-access (who looked at my data)', () => {
  let t: TestApp;
  let audit: AuditService;
  let agency: { id: string; name: string };
  const staffId = uuidv7();
  const clientId = uuidv7();
  const citizenA = uuidv7();
  const citizenB = uuidv7();
  let tokenA: string;
  let tokenB: string;

  function ctxOf(
    kind: ActorKind,
    id: string | null,
    organisationId: string | null,
    channel: string | null = 'console',
  ): RequestContext {
    const ctx = new RequestContext(`da-${uuidv7()}`, 'zh-CN', channel);
    ctx.actor = { kind, id, organisationId, grants: new Map() };
    return ctx;
  }
  const read = (subjectId: string, extra: Partial<AuditEntry> = {}): AuditEntry => ({
    action: 'account.read',
    resourceType: 'account',
    resourceId: subjectId,
    subjectId,
    purpose: '核实最低生活保障申请',
    legalBasis: '社会救助暂行办法 第十一条',
    ...extra,
  });
  const get = (token: string | null, query = '', lang?: string) => {
    const req = t.http.get(`/v1/me/data-access${query}`);
    if (token) req.set('Authorization', `Bearer ${token}`);
    if (lang) req.set('Accept-Language', lang);
    return req;
  };

  beforeAll(async () => {
    t = await startTestApp();
    audit = t.app.get(AuditService);
    const admin = RequestContext.system('data-access-test');
    admin.actor.grants = new Map([[Permission.OrganisationManage, '*']]);
    const orgs = t.app.get(OrganisationsService);
    const code = `8${String(Date.now()).slice(-5)}`;
    await orgs.createRegion(admin, { code, name: `数据区${code}`, level: RegionLevel.Province });
    agency = await orgs.create(admin, {
      name: `民政局${code}`,
      nameEn: `Civil Affairs Bureau ${code}`,
      kind: OrganisationKind.Agency,
      regionCode: code,
    });
    tokenA = await scopedToken(t, 'citizen', [Permission.SelfService], citizenA);
    tokenB = await scopedToken(t, 'citizen', [Permission.SelfService], citizenB);

    // In this order (oldest first):
    await audit.append(ctxOf('staff', staffId, agency.id), read(citizenA)); // 0 shown
    await audit.append(
      ctxOf('client', clientId, agency.id, null),
      read(citizenA, { action: 'evidence.provide', purpose: '跨部门核验户籍', legalBasis: null }),
    ); // 1 shown
    await audit.append(
      ctxOf('citizen', citizenA, null),
      read(citizenA, { action: 'account.update', purpose: null }),
    ); // own action: not shown
    await audit.append(RequestContext.system('nightly'), read(citizenA, { action: 'account.reindex' })); // system job: not shown
    await audit.append(
      ctxOf('staff', staffId, agency.id),
      read(citizenA, { purpose: '刑事侦查', hiddenUntil: new Date(Date.now() + 365 * DAY) }),
    ); // embargoed: hidden
    await audit.append(
      ctxOf('staff', staffId, agency.id),
      read(citizenA, { purpose: '已解密的核查', hiddenUntil: new Date(Date.now() - DAY) }),
    ); // 2 embargo passed: shown
    await audit.append(
      ctxOf('apikey', clientId, null, 'api'),
      read(citizenA, { action: 'licence.verify', purpose: '银行核验营业执照', legalBasis: 'consent' }),
    ); // 3 shown
    await audit.append(ctxOf('staff', staffId, agency.id), read(citizenB, { purpose: '乙的申请' })); // B only
  });
  afterAll(() => t.close());

  it("lists the staff and system accesses to the caller's data, newest first, agencies not people", async () => {
    const res = await get(tokenA).expect(200);
    expect(res.body.nextCursor).toBeNull();
    expect(res.body.items.map((i: { purpose: string }) => i.purpose)).toEqual([
      '银行核验营业执照',
      '已解密的核查',
      '跨部门核验户籍',
      '核实最低生活保障申请',
    ]);
    const [apikey, declassified, client, staff] = res.body.items;
    expect(staff).toEqual({
      seq: expect.any(Number),
      at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      action: 'account.read',
      purpose: '核实最低生活保障申请',
      legalBasis: '社会救助暂行办法 第十一条',
      agency: { id: agency.id, name: agency.name },
      system: { kind: 'staff', clientId: null },
      channel: 'console',
    });
    expect(client).toMatchObject({
      action: 'evidence.provide',
      legalBasis: null,
      system: { kind: 'client', clientId },
      channel: null,
      agency: { id: agency.id },
    });
    expect(declassified.system).toEqual({ kind: 'staff', clientId: null });
    expect(apikey).toMatchObject({ agency: null, system: { kind: 'apikey', clientId }, channel: 'api' });
    // The staff member stays anonymous to the citizen; the embargoed access is not even hinted at.
    expect(JSON.stringify(res.body)).not.toContain(staffId);
    expect(JSON.stringify(res.body)).not.toContain('刑事侦查');
    const seqs = res.body.items.map((i: { seq: number }) => i.seq);
    expect([...seqs].sort((a, b) => b - a)).toEqual(seqs);
  });

  it('names the agency in English when asked', async () => {
    const res = await get(tokenA, '', 'en').expect(200);
    expect(res.body.items[3].agency.name).toBe(`Civil Affairs Bureau ${agency.name.slice(3)}`);
  });

  it("never shows one citizen another's accesses", async () => {
    const res = await get(tokenB).expect(200);
    expect(res.body.items.map((i: { purpose: string }) => i.purpose)).toEqual(['乙的申请']);
    const stranger = await scopedToken(t, 'citizen', [Permission.SelfService]);
    expect((await get(stranger).expect(200)).body).toEqual({ items: [], nextCursor: null });
  });

  it('keeps an embargoed access hidden until its date and in the log all along', async () => {
    const [row] = await t.db.query<{ seq: string; hidden_until: Date }>(
      `SELECT seq::text AS seq, hidden_until FROM audit_leaf WHERE subject_id = $1 AND purpose = '刑事侦查'`,
      [citizenA],
    );
    expect(row.hidden_until.getTime()).toBeGreaterThan(Date.now());
    const res = await get(tokenA).expect(200);
    expect(res.body.items.map((i: { seq: number }) => i.seq)).not.toContain(Number(row.seq));

    // An embargo that ends shortly: hidden before, shown after, with no change to the log.
    const citizenC = uuidv7();
    const tokenC = await scopedToken(t, 'citizen', [Permission.SelfService], citizenC);
    await audit.append(
      ctxOf('staff', staffId, agency.id),
      read(citizenC, { purpose: '短期保密', hiddenUntil: new Date(Date.now() + 1500) }),
    );
    expect((await get(tokenC).expect(200)).body.items).toEqual([]);
    await new Promise((r) => setTimeout(r, 1600));
    expect((await get(tokenC).expect(200)).body.items.map((i: { purpose: string }) => i.purpose)).toEqual([
      '短期保密',
    ]);
  });

  it('pages with a cursor, without gaps or repeats', async () => {
    const first = await get(tokenA, '?limit=3').expect(200);
    expect(first.body.items).toHaveLength(3);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await get(tokenA, `?limit=3&cursor=${first.body.nextCursor}`).expect(200);
    expect(second.body.items).toHaveLength(1);
    expect(second.body.nextCursor).toBeNull();
    const all = (await get(tokenA).expect(200)).body.items;
    expect([...first.body.items, ...second.body.items]).toEqual(all);
  });

  it('filters by period', async () => {
    const future = new Date(Date.now() + DAY).toISOString();
    expect((await get(tokenA, `?since=${future}`).expect(200)).body.items).toEqual([]);
    const past = new Date(Date.now() - DAY).toISOString();
    expect((await get(tokenA, `?since=${past}&until=${future}`).expect(200)).body.items).toHaveLength(4);
    expect((await get(tokenA, `?until=${past}`).expect(200)).body.items).toEqual([]);
  });

  it('refuses anonymous callers and callers without self-service', async () => {
    const res = await get(null).expect(401);
    expect(res.body.code).toBe('UNAUTHENTICATED');
    const auditor = await scopedToken(t, 'staff', [Permission.AuditRead]);
    await get(auditor).expect(403);
  });

  it('serves the same list over GraphQL, paged as a connection', async () => {
    const gql = (query: string, variables: Record<string, unknown>, token?: string) => {
      const req = t.http.post('/graphql').set('Content-Type', 'application/json');
      if (token) req.set('Authorization', `Bearer ${token}`);
      return req.send({ query, variables });
    };
    const Q = `query($after: String) { myDataAccess(first: 3, after: $after) {
      edges { node { seq purpose agency { id name } system { kind clientId } } } pageInfo { hasNextPage endCursor } } }`;
    const first = await gql(Q, {}, tokenA);
    expect(first.body.errors).toBeUndefined();
    const page1 = first.body.data.myDataAccess;
    expect(page1.pageInfo.hasNextPage).toBe(true);
    const second = await gql(Q, { after: page1.pageInfo.endCursor }, tokenA);
    const page2 = second.body.data.myDataAccess;
    expect(page2.pageInfo.hasNextPage).toBe(false);
    const rest = (await get(tokenA).expect(200)).body.items;
    expect([...page1.edges, ...page2.edges].map((e: { node: { seq: number } }) => e.node.seq)).toEqual(
      rest.map((i: { seq: number }) => i.seq),
    );
    expect(page1.edges[0].node.system).toEqual({ kind: 'apikey', clientId });

    const anonymous = await gql(Q, {});
    expect(anonymous.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    const cp = await gql('{ auditCheckpoint { size rootHash checkpoint vkey } }', {});
    expect(cp.body.errors).toBeUndefined();
    expect(cp.body.data.auditCheckpoint.size).toBe(await audit.committedSize());
  });

  it('answers wrong inputs with 400 and the field', async () => {
    const forged = Buffer.from(JSON.stringify(['abc'])).toString('base64url');
    const cases: [string, string | null][] = [
      ['?limit=0', '/limit'],
      ['?limit=101', '/limit'],
      ['?limit=x', '/limit'],
      ['?cursor=***', '/cursor'],
      ['?since=yesterday', '/since'],
      ['?until=2026-13-01', '/until'],
      [`?since=${new Date().toISOString()}&until=${new Date(Date.now() - DAY).toISOString()}`, '/until'],
      ['?subjectId=' + citizenB, '/subjectId'],
      [`?cursor=${forged}`, null],
      ['?cursor=bm90LWpzb24', null],
    ];
    for (const [query, pointer] of cases) {
      const res = await get(tokenA, query).expect(400);
      if (pointer) expect(res.body.errors.map((e: { pointer: string }) => e.pointer)).toContain(pointer);
      else expect(res.body.code).toBe('INVALID_CURSOR');
    }
  });
});
