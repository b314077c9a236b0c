import { randomUUID } from 'node:crypto';
import { RepresentativeScope } from '../../src/modules/platform/identity/business/business-representative.entity';
import { RepresentativesService } from '../../src/modules/platform/identity/business/representatives.service';
import { RoleName } from '../../src/modules/platform/identity/staff/role-catalogue';
import { randomUscc } from '../support/random-ids';
import { startTestApp, TestApp } from '../support/test-app';
import { Citizen, citizenByEmail, signedInCitizen, uniqueEmail, uniquePhone } from './citizen-fixtures';
import { auth, makeStaff, makeUnit, signIn } from './staff-fixtures';

/**
 * 授权经办人: a business account authorises citizens to act for it; the citizen sees the
 * businesses they represent. Every account here is registered and signed in through the API.
 */

const DAY = 86_400_000;
const uscc = () => randomUscc();

const inDays = (n: number) => new Date(Date.now() + n * DAY).toISOString();

describe('business representatives', () => {
  let t: TestApp;
  beforeAll(
    async () =>
      (t = await startTestApp({ RATE_LIMIT_ANONYMOUS: '100000', RATE_LIMIT_AUTHENTICATED: '100000' })),
  );
  afterAll(() => t.close());

  const as = (c: Pick<Citizen, 'accessToken'>) => auth(c.accessToken);
  const business = async (extra: Record<string, unknown> = {}) =>
    signedInCitizen(t, {
      kind: 'business',
      displayName: `企业${randomUUID().slice(0, 6)}`,
      unifiedSocialCreditCode: uscc(),
      ...extra,
    });
  const grant = (b: Citizen, body: object) => t.http.post('/v1/me/representatives').set(as(b)).send(body);
  const rowsOf = (businessId: string) =>
    t.db.query<{
      id: string;
      representative_account_id: string;
      scope: string;
      valid_from: Date;
      valid_until: Date;
      revoked_at: Date | null;
    }>('SELECT * FROM business_representative WHERE business_account_id = $1 ORDER BY created_at', [
      businessId,
    ]);
  const leaves = (subject: string, action: string) =>
    t.db.query<{ actor_id: string; resource_id: string; resource_type: string }>(
      `SELECT actor_id, resource_id, resource_type FROM audit_leaf WHERE subject_id = $1 AND action = $2 ORDER BY seq`,
      [subject, action],
    );

  it('refuses anonymous callers', async () => {
    await t.http.get('/v1/me/representatives').expect(401);
    await t.http
      .post('/v1/me/representatives')
      .send({ phone: uniquePhone(), scope: 'apply', validUntil: inDays(30) })
      .expect(401);
    await t.http.post(`/v1/me/representatives/${randomUUID()}/revoke`).expect(401);
    expect((await t.http.get('/v1/me/businesses').expect(401)).body.code).toBe('UNAUTHENTICATED');
  });

  it('lets a business authorise a citizen by phone; both sides see it, personal data masked', async () => {
    const b = await business();
    const rep = await signedInCitizen(t, { displayName: '经办人小王' });
    await t.http
      .put('/v1/me/profile')
      .set('If-Match', '*')
      .set(as(rep))
      .send({ realName: '王小明' })
      .expect(200);
    const validUntil = inDays(90);
    const res = await grant(b, { phone: rep.phone, scope: 'apply', validUntil }).expect(201);
    expect(res.body).toEqual({
      id: expect.any(String),
      business: {
        id: b.id,
        displayName: expect.stringMatching(/^企业/),
        unifiedSocialCreditCode: expect.any(String),
      },
      representative: {
        id: rep.id,
        displayName: '经办人小王',
        realName: '王**',
        phone: `${rep.phone.slice(0, 3)}****${rep.phone.slice(-4)}`,
        email: null,
      },
      scope: 'apply',
      validFrom: expect.any(String),
      validUntil,
      revokedAt: null,
      status: 'active',
      createdAt: expect.any(String),
    });
    expect(JSON.stringify(res.body)).not.toContain('王小明');
    expect(JSON.stringify(res.body)).not.toContain(rep.phone);

    const [row] = await rowsOf(b.id);
    expect(row).toMatchObject({
      id: res.body.id,
      representative_account_id: rep.id,
      scope: 'apply',
      revoked_at: null,
    });
    expect(row.valid_until.toISOString()).toBe(validUntil);
    expect(Math.abs(row.valid_from.getTime() - Date.now())).toBeLessThan(60_000);
    expect(await leaves(rep.id, 'business.representative.grant')).toEqual([
      { actor_id: b.id, resource_id: row.id, resource_type: 'business_representative' },
    ]);

    expect((await t.http.get('/v1/me/representatives').set(as(b)).expect(200)).body).toEqual([res.body]);
    expect((await t.http.get('/v1/me/businesses').set(as(rep)).expect(200)).body).toEqual([res.body]);
    // Nobody else sees it, from either side.
    const stranger = await signedInCitizen(t);
    expect((await t.http.get('/v1/me/businesses').set(as(stranger)).expect(200)).body).toEqual([]);
    expect((await t.http.get('/v1/me/representatives').set(as(stranger)).expect(200)).body).toEqual([]);
    const otherBusiness = await business();
    expect((await t.http.get('/v1/me/representatives').set(as(otherBusiness)).expect(200)).body).toEqual([]);

    const svc = t.app.get(RepresentativesService);
    expect(await svc.mayActFor(rep.id, b.id, RepresentativeScope.Apply)).toBe(true);
    expect(await svc.mayActFor(rep.id, b.id, RepresentativeScope.All)).toBe(false);
    expect(await svc.mayActFor(stranger.id, b.id, RepresentativeScope.Apply)).toBe(false);
  });

  it('finds the person by e-mail too, and a scheduled authorisation is listed but not yet in force', async () => {
    const b = await business();
    const rep = await citizenByEmail(t);
    const res = await grant(b, {
      email: rep.email.toUpperCase(),
      scope: 'all',
      validFrom: inDays(7),
      validUntil: inDays(60),
    }).expect(201);
    expect(res.body).toMatchObject({
      status: 'scheduled',
      scope: 'all',
      representative: { id: rep.id, phone: null },
    });
    expect(res.body.representative.email).toMatch(/^u\*\*\*@example\.test$/);
    expect(
      (await t.http.get('/v1/me/businesses').set(as(rep)).expect(200)).body.map((r: { id: string }) => r.id),
    ).toEqual([res.body.id]);
    expect(await t.app.get(RepresentativesService).mayActFor(rep.id, b.id, RepresentativeScope.Apply)).toBe(
      false,
    );
  });

  it('answers 404 when no active citizen account has the contact, and writes nothing', async () => {
    const b = await business();
    const other = await business();
    for (const body of [
      { phone: uniquePhone(), scope: 'apply', validUntil: inDays(30) },
      { email: uniqueEmail(), scope: 'apply', validUntil: inDays(30) },
      // a business account is not a person
      { phone: other.phone, scope: 'apply', validUntil: inDays(30) },
      // nor is the business itself
      { phone: b.phone, scope: 'apply', validUntil: inDays(30) },
    ]) {
      const res = await grant(b, body).expect(404);
      expect(res.body.code).toBe('NOT_FOUND');
    }
    const disabled = await signedInCitizen(t);
    await t.db.query(`UPDATE account SET status = 'disabled' WHERE id = $1`, [disabled.id]);
    await grant(b, { phone: disabled.phone, scope: 'apply', validUntil: inDays(30) }).expect(404);
    expect(await rowsOf(b.id)).toEqual([]);
  });

  it.each([
    [
      'both phone and e-mail',
      (p: string) => ({ phone: p, email: uniqueEmail(), scope: 'apply', validUntil: inDays(30) }),
      ['/email', '/phone'],
    ],
    ['neither phone nor e-mail', () => ({ scope: 'apply', validUntil: inDays(30) }), ['/email', '/phone']],
    [
      'a window over one year',
      (p: string) => ({ phone: p, scope: 'apply', validUntil: inDays(367) }),
      ['/validUntil'],
    ],
    [
      'an end in the past',
      (p: string) => ({ phone: p, scope: 'apply', validUntil: inDays(-1) }),
      ['/validUntil'],
    ],
    [
      'a start in the past',
      (p: string) => ({ phone: p, scope: 'apply', validFrom: inDays(-2), validUntil: inDays(30) }),
      ['/validFrom'],
    ],
    [
      'an end before the start',
      (p: string) => ({ phone: p, scope: 'apply', validFrom: inDays(10), validUntil: inDays(5) }),
      ['/validUntil'],
    ],
    [
      'an unknown scope',
      (p: string) => ({ phone: p, scope: 'everything', validUntil: inDays(30) }),
      ['/scope'],
    ],
    [
      'a date that is not ISO 8601',
      (p: string) => ({ phone: p, scope: 'apply', validUntil: 'next week' }),
      ['/validUntil'],
    ],
    ['a malformed phone', () => ({ phone: '12345', scope: 'apply', validUntil: inDays(30) }), ['/phone']],
    [
      'the representative id smuggled in',
      (p: string) => ({
        phone: p,
        scope: 'apply',
        validUntil: inDays(30),
        representativeAccountId: randomUUID(),
      }),
      ['/representativeAccountId'],
    ],
  ])('refuses %s with 400 naming the field, and writes nothing', async (_n, body, pointers) => {
    const b = await business();
    const rep = await signedInCitizen(t);
    const res = await grant(b, body(rep.phone)).expect(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
    expect([...new Set(res.body.errors.map((e: { pointer: string }) => e.pointer))].sort()).toEqual(pointers);
    expect(await rowsOf(b.id)).toEqual([]);
    expect(await leaves(rep.id, 'business.representative.grant')).toEqual([]);
  });

  it('accepts exactly one year', async () => {
    const b = await business();
    const rep = await signedInCitizen(t);
    const end = new Date();
    end.setUTCFullYear(end.getUTCFullYear() + 1);
    end.setUTCMinutes(end.getUTCMinutes() - 1);
    await grant(b, { phone: rep.phone, scope: 'apply', validUntil: end.toISOString() }).expect(201);
  });

  it('keeps authorising to business accounts with a credit code (403 / 409), staff 403', async () => {
    const citizen = await signedInCitizen(t);
    const rep = await signedInCitizen(t);
    const body = { phone: rep.phone, scope: 'apply', validUntil: inDays(30) };
    expect((await grant(citizen, body).expect(403)).body.code).toBe('FORBIDDEN');
    // 403 comes before the validation of the window.
    await grant(citizen, { ...body, validUntil: inDays(900) }).expect(403);

    const noCode = await signedInCitizen(t, { kind: 'business' });
    expect((await grant(noCode, body).expect(409)).body.code).toBe('INVALID_STATE');

    const unit = await makeUnit(t, '授权测试局');
    const admin = await makeStaff(t, unit, [{ role: RoleName.Admin, unit: null }]);
    const clerk = await makeStaff(t, unit, [{ role: RoleName.Clerk, unit }]);
    for (const s of [admin, clerk]) {
      const token = auth(await signIn(t, s, 'staff'));
      await t.http.post('/v1/me/representatives').set(token).send(body).expect(403);
      await t.http.get('/v1/me/representatives').set(token).expect(403);
      await t.http.get('/v1/me/businesses').set(token).expect(403);
    }
    expect(
      await t.db.query('SELECT 1 FROM business_representative WHERE representative_account_id = $1', [
        rep.id,
      ]),
    ).toEqual([]);
  });

  it('refuses a second authorisation of the same person while one is in force (409)', async () => {
    const b = await business();
    const rep = await signedInCitizen(t);
    await grant(b, { phone: rep.phone, scope: 'apply', validUntil: inDays(30) }).expect(201);
    const res = await grant(b, { phone: rep.phone, scope: 'all', validUntil: inDays(60) }).expect(409);
    expect(res.body.code).toBe('CONFLICT');
    expect(await rowsOf(b.id)).toHaveLength(1);
    // Another business may authorise the same person.
    await grant(await business(), { phone: rep.phone, scope: 'all', validUntil: inDays(60) }).expect(201);
    expect((await t.http.get('/v1/me/businesses').set(as(rep)).expect(200)).body).toHaveLength(2);
  });

  it('revokes: only the business that granted it, once; then it may grant again', async () => {
    const b = await business();
    const other = await business();
    const rep = await signedInCitizen(t);
    const { body } = await grant(b, { phone: rep.phone, scope: 'apply', validUntil: inDays(30) }).expect(201);

    await t.http.post(`/v1/me/representatives/${body.id}/revoke`).set(as(other)).expect(404);
    // The representative cannot revoke through the business's endpoint either.
    await t.http.post(`/v1/me/representatives/${body.id}/revoke`).set(as(rep)).expect(403);
    await t.http.post('/v1/me/representatives/not-a-uuid/revoke').set(as(b)).expect(400);
    expect((await rowsOf(b.id))[0].revoked_at).toBeNull();
    expect(await leaves(rep.id, 'business.representative.revoke')).toEqual([]);

    const res = await t.http.post(`/v1/me/representatives/${body.id}/revoke`).set(as(b)).expect(200);
    expect(res.body).toMatchObject({ id: body.id, status: 'revoked', revokedAt: expect.any(String) });
    expect((await rowsOf(b.id))[0].revoked_at).not.toBeNull();
    expect(await leaves(rep.id, 'business.representative.revoke')).toEqual([
      { actor_id: b.id, resource_id: body.id, resource_type: 'business_representative' },
    ]);
    expect((await t.http.get('/v1/me/businesses').set(as(rep)).expect(200)).body).toEqual([]);
    expect(await t.app.get(RepresentativesService).mayActFor(rep.id, b.id, RepresentativeScope.Apply)).toBe(
      false,
    );
    const again = await t.http.post(`/v1/me/representatives/${body.id}/revoke`).set(as(b)).expect(409);
    expect(again.body.code).toBe('INVALID_STATE');

    // The business keeps the record; a new authorisation is a new row.
    await grant(b, { phone: rep.phone, scope: 'all', validUntil: inDays(10) }).expect(201);
    const list = (await t.http.get('/v1/me/representatives').set(as(b)).expect(200)).body;
    expect(list.map((r: { status: string }) => r.status)).toEqual(['active', 'revoked']);
  });

  it('shows both sides in GraphQL me { representatives businesses }', async () => {
    const b = await business();
    const rep = await signedInCitizen(t);
    const { body } = await grant(b, { phone: rep.phone, scope: 'apply', validUntil: inDays(30) }).expect(201);
    const query =
      '{ me { id representatives { id scope status representative { id phone } } businesses { id business { id unifiedSocialCreditCode } } } }';
    const asBusiness = await t.http.post('/graphql').set(as(b)).send({ query }).expect(200);
    expect(asBusiness.body.errors).toBeUndefined();
    expect(asBusiness.body.data.me).toEqual({
      id: b.id,
      representatives: [
        {
          id: body.id,
          scope: 'apply',
          status: 'active',
          representative: { id: rep.id, phone: body.representative.phone },
        },
      ],
      businesses: [],
    });
    const asRep = await t.http.post('/graphql').set(as(rep)).send({ query }).expect(200);
    expect(asRep.body.data.me).toEqual({
      id: rep.id,
      representatives: [],
      businesses: [
        {
          id: body.id,
          business: { id: b.id, unifiedSocialCreditCode: body.business.unifiedSocialCreditCode },
        },
      ],
    });
  });
});
