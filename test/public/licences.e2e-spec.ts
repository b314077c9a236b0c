import { createHash, createPublicKey, verify } from 'node:crypto';
import {
  nationalIdCheckChar,
  uniformCodeCheckChar,
} from '../../src/modules/platform/identity/personal-data/national-id';
import { RoleName } from '../../src/modules/platform/identity/staff/role-catalogue';
import { QR_PNG_SCALE, qrCode, qrModules } from '../../src/modules/public/licences/qr';
import {
  auth,
  makeCitizen,
  makeStaff,
  makeUnit,
  signIn,
  TEST_REGION,
  uniq,
} from '../identity/staff-fixtures';
import { startTestApp, TestApp } from '../support/test-app';
import { scopedToken } from '../support/tokens';

/** A valid resident ID number (random birth date), to prove it is never stored or shown in full. */
function nationalId(): string {
  const day = String(1 + Math.floor(Math.random() * 28)).padStart(2, '0');
  const body = `1101051980${String(1 + Math.floor(Math.random() * 12)).padStart(2, '0')}${day}${String(Math.floor(Math.random() * 1000)).padStart(3, '0')}`;
  return body + nationalIdCheckChar(body);
}

/**
 * `id` with a check character that is wrong both for a resident ID (MOD 11-2) and for a unified
 * social credit code, which the holder field also accepts and whose charset holds the digits: both
 * real check characters are computed and another one is picked, so the case is refused every run
 * (swapping in '0' or '1' made a valid credit code about one run in 31).
 */
const wrongCheck = (id: string): string => {
  const first17 = id.slice(0, 17);
  const real = [nationalIdCheckChar(first17), uniformCodeCheckChar(first17)];
  return first17 + [...'0123456789X'].find((c) => !real.includes(c))!;
};

const CODE_RE = /^[0-9A-HJKMNP-TV-Z]{16}$/;
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

interface LicenceBody {
  id: string;
  number: string;
  verificationCode: string;
  verificationUrl: string;
  holderName: string;
  version: number;
  [k: string]: unknown;
}

describe('e-licences: issue, verify, QR, revoke', () => {
  let t: TestApp;
  let X: string;
  let X1: string;
  let Y: string;
  /** staff holding every permission in unit X (and below) only */
  let staffX: Record<string, string>;
  /** staff holding every permission in unit Y only */
  let staffY: Record<string, string>;
  /** a clerk in X: no licence permissions */
  let clerkX: Record<string, string>;
  let holder: { id: string; headers: Record<string, string> };
  let otherCitizen: Record<string, string>;

  const binary = (res: { body: unknown; text?: string }): Buffer =>
    Buffer.isBuffer(res.body) ? res.body : Buffer.from(res.text ?? '', 'utf8');
  const countBySource = async (source: string): Promise<number> =>
    (
      await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM licence WHERE source_reference = $1', [
        source,
      ])
    )[0].n;
  const gql = (
    query: string,
    variables: Record<string, unknown> = {},
    headers: Record<string, string> = {},
  ) =>
    t.http.post('/graphql').set('Content-Type', 'application/json').set(headers).send({ query, variables });

  const body = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
    licenceType: { code: 'GTGSH-YYZZ', name: '个体工商户营业执照' },
    holderAccountId: holder.id,
    holderName: '张三丰',
    holderIdNumber: nationalId(),
    issuerOrganisationId: X1,
    validFrom: '2026-01-01',
    validUntil: '2099-12-31',
    fields: {
      名称: `三丰小卖部${uniq()}`,
      经营场所: '演示市某路 1 号',
      组成形式: '个人经营',
      经营范围: '日用百货零售',
    },
    sourceReference: `app-${uniq()}`,
    ...over,
  });
  const issue = async (over: Record<string, unknown> = {}, as = staffX): Promise<LicenceBody> => {
    const res = await t.http.post('/v1/licences').set(as).send(body(over));
    if (res.status !== 201) throw new Error(`issue: ${res.status} ${res.text}`);
    return res.body as LicenceBody;
  };

  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMIT_ANONYMOUS: '100000', RATE_LIMIT_AUTHENTICATED: '100000' });
    const root = await makeUnit(t, '证照市局');
    X = await makeUnit(t, '证照甲区', root);
    X1 = await makeUnit(t, '证照甲区窗口', X);
    Y = await makeUnit(t, '证照乙区', root);
    // The admin role held in a unit grants its permissions (licence:issue and licence:revoke included) there and below.
    staffX = auth(await signIn(t, await makeStaff(t, X, [{ role: RoleName.Admin, unit: X }]), 'staff'));
    staffY = auth(await signIn(t, await makeStaff(t, Y, [{ role: RoleName.Admin, unit: Y }]), 'staff'));
    clerkX = auth(await signIn(t, await makeStaff(t, X, [{ role: RoleName.Clerk, unit: X }]), 'staff'));
    const h = await makeCitizen(t);
    holder = { id: h.id, headers: auth(await signIn(t, h, 'citizen')) };
    otherCitizen = auth(await signIn(t, await makeCitizen(t), 'citizen'));
  });
  afterAll(() => t.close());

  describe('issue', () => {
    it('lets staff issue in a unit below theirs: signed, numbered, masked, audited', async () => {
      const id = nationalId();
      const input = body({ holderIdNumber: id });
      const res = await t.http.post('/v1/licences').set(staffX).send(input).expect(201);
      const l = res.body;
      expect(l).toMatchObject({
        licenceType: { code: 'GTGSH-YYZZ', name: '个体工商户营业执照' },
        holderAccountId: holder.id,
        holderName: '张**', // staff see the name masked
        holderIdMasked: `110***********${id.slice(14)}`,
        issuer: { id: X1 },
        validFrom: '2026-01-01',
        validUntil: '2099-12-31',
        fields: input.fields,
        status: 'active',
        revokedAt: null,
        sourceReference: input.sourceReference,
        version: 1,
      });
      expect(l.number).toMatch(new RegExp(`^${TEST_REGION}-\\d{4}-[0-9A-HJKMNP-TV-Z]{10}$`));
      // content keeps the issuer's order (a licence is read in its template's order)
      expect(Object.keys(l.fields)).toEqual(Object.keys(input.fields as object));
      expect(l.verificationCode).toMatch(CODE_RE);
      expect(l.verificationUrl).toBe(
        `${t.config.publicBaseUrl}/v1/licence-verifications/${l.verificationCode}`,
      );
      expect(l.signature).toMatch(/^[A-Za-z0-9+/]{86}==$/);
      expect(res.text).not.toContain(id);

      const [row] = await t.db.query<Record<string, unknown>>('SELECT * FROM licence WHERE id = $1', [l.id]);
      expect(row).toMatchObject({
        holder_name: '张三丰',
        issuer_organisation_id: X1,
        status: 'active',
        verification_code: l.verificationCode,
      });
      expect(JSON.stringify(row)).not.toContain(id.slice(6, 14)); // the birth date never reaches the table
      const leaves = await t.db.query<{ subject_id: string }>(
        `SELECT subject_id FROM audit_leaf WHERE action = 'licence.issue' AND resource_id = $1`,
        [l.id],
      );
      expect(leaves).toEqual([{ subject_id: holder.id }]);
    });

    it('refuses a unit outside the caller’s scope as not found, and writes nothing', async () => {
      const input = body({ issuerOrganisationId: Y });
      const res = await t.http.post('/v1/licences').set(staffX).send(input).expect(404);
      expect(res.body.code).toBe('NOT_FOUND');
      expect(await countBySource(input.sourceReference as string)).toBe(0);
      // ...and an unknown unit alike
      await t.http
        .post('/v1/licences')
        .set(staffX)
        .send(body({ issuerOrganisationId: '01900000-0000-7000-8000-000000000000' }))
        .expect(404);
    });

    it('refuses citizens, staff without the permission and anonymous callers, writing nothing', async () => {
      const input = body();
      expect((await t.http.post('/v1/licences').set(holder.headers).send(input).expect(403)).body.code).toBe(
        'FORBIDDEN',
      );
      await t.http.post('/v1/licences').set(clerkX).send(input).expect(403);
      await t.http.post('/v1/licences').send(input).expect(401);
      expect(await countBySource(input.sourceReference as string)).toBe(0);
    });

    it('lets a caller holding licence:issue everywhere issue for any unit', async () => {
      const token = await scopedToken(t, 'staff', ['licence:issue']);
      const res = await t.http
        .post('/v1/licences')
        .set(auth(token))
        .send(body({ issuerOrganisationId: Y, holderAccountId: null }))
        .expect(201);
      expect(res.body.issuer.id).toBe(Y);
      expect(res.body.holderAccountId).toBeNull();
    });

    it('replays a retried issue with the same Idempotency-Key instead of issuing twice', async () => {
      const input = body();
      const key = `lic-${uniq()}`;
      const a = await t.http
        .post('/v1/licences')
        .set(staffX)
        .set('Idempotency-Key', key)
        .send(input)
        .expect(201);
      const b = await t.http
        .post('/v1/licences')
        .set(staffX)
        .set('Idempotency-Key', key)
        .send(input)
        .expect(201);
      expect(b.body.id).toBe(a.body.id);
      expect(await countBySource(input.sourceReference as string)).toBe(1);
    });

    const tooMany = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`项${i}`, 'v']));
    it.each([
      ['51 fields', { fields: tooMany }, '/fields', 'licenceFields'],
      ['a field of 501 characters', { fields: { 经营范围: 'x'.repeat(501) } }, '/fields', 'licenceFields'],
      ['a national ID in a field', { fields: { 经营者证件: nationalId() } }, '/fields', 'licenceFields'],
      [
        'a mobile number in a field',
        { fields: { 联系电话: '电话 13812345678' } },
        '/fields',
        'licenceFields',
      ],
      [
        'an e-mail address in a field',
        { fields: { 邮箱: 'zhang.san@example.com' } },
        '/fields',
        'licenceFields',
      ],
      ['a non-string field', { fields: { 注册资本: 100 } }, '/fields', 'licenceFields'],
      ['fields as an array', { fields: ['a'] }, '/fields', 'licenceFields'],
      [
        'validUntil before validFrom',
        { validFrom: '2026-05-02', validUntil: '2026-05-01' },
        '/validUntil',
        'notBeforeValidFrom',
      ],
      ['an impossible date', { validUntil: '2026-02-30' }, '/validUntil', 'calendarDate'],
      ['a date-time for a date', { validFrom: '2026-01-01T00:00:00Z' }, '/validFrom', 'calendarDate'],
      [
        'an ID number with a wrong check character',
        { holderIdNumber: wrongCheck(nationalId()) },
        '/holderIdNumber',
        'holderId',
      ],
      ['a national ID as the holder name', { holderName: nationalId() }, '/holderName', 'licenceText'],
      ['an empty holder name', { holderName: ' ' }, '/holderName', 'licenceText'],
      [
        'a bad type code',
        { licenceType: { code: '营业执照', name: '营业执照' } },
        '/licenceType/code',
        'matches',
      ],
      ['a malformed issuer id', { issuerOrganisationId: 'x' }, '/issuerOrganisationId', 'isUuid'],
      ['an unknown property', { holderIdFull: '1' }, '/holderIdFull', 'whitelistValidation'],
    ])('answers 400 for %s and writes nothing', async (_name, over, pointer, code) => {
      const input = body(over);
      const res = await t.http.post('/v1/licences').set(staffX).send(input).expect(400);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(res.body.code).toBe('VALIDATION_FAILED');
      expect(res.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ pointer, code })]));
      expect(await countBySource(input.sourceReference as string)).toBe(0);
    });

    it('accepts a one-day licence and one without expiry', async () => {
      expect((await issue({ validFrom: '2026-05-01', validUntil: '2026-05-01' })).validUntil).toBe(
        '2026-05-01',
      );
      expect((await issue({ validUntil: null })).validUntil).toBeNull();
    });
  });

  describe('public verification', () => {
    it('takes a null holder ID number as none (documented nullable), not as a server error', async () => {
      const l = await issue({ holderIdNumber: null });
      const v = (await t.http.get(`/v1/licence-verifications/${l.verificationCode}`).expect(200)).body;
      expect(v.holderIdMasked).toBeNull();
    });

    it('answers valid with masked personal data, and the signature checks offline', async () => {
      const id = nationalId();
      const l = await issue({ holderIdNumber: id });
      const res = await t.http.get(`/v1/licence-verifications/${l.verificationCode}`).expect(200);
      const v = res.body;
      expect(v).toMatchObject({
        valid: true,
        status: 'active',
        signatureValid: true,
        id: l.id,
        number: l.number,
        holderName: '张**',
        holderIdMasked: `110***********${id.slice(14)}`,
        issuer: { id: X1 },
        validFrom: '2026-01-01',
        validUntil: '2099-12-31',
        fields: l.fields,
        revokedAt: null,
        algorithm: 'Ed25519',
        signature: l.signature,
        publicKeyUrl: `${t.config.publicBaseUrl}/v1/licence-verifications/public-key`,
      });
      expect(res.text).not.toContain('张三丰');
      expect(res.text).not.toContain(id);

      // Offline: only the public-key response and the canonical payload, no call back to the registry.
      const key = (await t.http.get('/v1/licence-verifications/public-key').expect(200)).body;
      expect(key).toMatchObject({ algorithm: 'Ed25519', keyId: v.keyId, canonicalization: 'RFC 8785' });
      const thumbprint = createHash('sha256')
        .update(JSON.stringify({ crv: key.jwk.crv, kty: key.jwk.kty, x: key.jwk.x }))
        .digest('base64url');
      expect(thumbprint).toBe(v.keyId);
      const signed = Buffer.from(v.canonicalPayload, 'utf8');
      const signature = Buffer.from(v.signature, 'base64');
      const fromJwk = createPublicKey({
        key: { kty: key.jwk.kty, crv: key.jwk.crv, x: key.jwk.x },
        format: 'jwk',
      });
      expect(verify(null, signed, fromJwk, signature)).toBe(true);
      expect(verify(null, signed, createPublicKey(key.publicKeyPem), signature)).toBe(true);
      // ...and the signed payload says what the response says.
      const payload = JSON.parse(v.canonicalPayload);
      expect(payload).toMatchObject({
        id: l.id,
        number: l.number,
        holderName: '张**',
        holderIdMasked: v.holderIdMasked,
        issuer: v.issuer,
        issuedAt: v.issuedAt,
        validFrom: v.validFrom,
        validUntil: v.validUntil,
        fields: v.fields,
        keyId: v.keyId,
      });
      expect(v.canonicalPayload).not.toContain('张三丰');
      // A changed byte does not verify.
      expect(
        verify(null, Buffer.from(v.canonicalPayload.replace('张**', '李**'), 'utf8'), fromJwk, signature),
      ).toBe(false);
    });

    it('reads a code typed in lower case with separators', async () => {
      const l = await issue();
      const typed = l.verificationCode.toLowerCase().replace(/(.{4})(?!$)/g, '$1-');
      expect((await t.http.get(`/v1/licence-verifications/${typed}`).expect(200)).body.id).toBe(l.id);
    });

    it('answers 404 for unknown and malformed codes', async () => {
      const unknown = await t.http.get('/v1/licence-verifications/ZZZZZZZZZZZZZZZZ').expect(404);
      expect(unknown.body.code).toBe('NOT_FOUND');
      await t.http.get('/v1/licence-verifications/not-a-code').expect(404);
      await t.http.get(`/v1/licence-verifications/${'A'.repeat(300)}`).expect(404);
    });

    it('reports valid=false when the record was changed behind the registry (signature recomputed)', async () => {
      const a = await issue();
      await t.db.query(
        `UPDATE licence SET fields = (SELECT jsonb_agg(CASE WHEN e->>0 = '经营范围' THEN '["经营范围", "烟草零售"]'::jsonb ELSE e END)
                                      FROM jsonb_array_elements(fields) e) WHERE id = $1`,
        [a.id],
      );
      const va = (await t.http.get(`/v1/licence-verifications/${a.verificationCode}`).expect(200)).body;
      expect(va).toMatchObject({ valid: false, signatureValid: false, status: 'active' });
      expect(va.fields.经营范围).toBe('烟草零售');

      // The full name is not published, but it is bound: changing it breaks the signature too.
      const b = await issue();
      await t.db.query(`UPDATE licence SET holder_name = '张三峰' WHERE id = $1`, [b.id]);
      const vb = (await t.http.get(`/v1/licence-verifications/${b.verificationCode}`).expect(200)).body;
      expect(vb).toMatchObject({ valid: false, signatureValid: false, holderName: '张**' });

      const c = await issue();
      await t.db.query(`UPDATE licence SET valid_until = '2199-12-31' WHERE id = $1`, [c.id]);
      expect(
        (await t.http.get(`/v1/licence-verifications/${c.verificationCode}`).expect(200)).body.valid,
      ).toBe(false);
    });

    it('reports expired and not-yet-valid licences as not valid, with a good signature', async () => {
      const old = await issue({ validFrom: '2020-01-01', validUntil: '2020-12-31' });
      expect(
        (await t.http.get(`/v1/licence-verifications/${old.verificationCode}`).expect(200)).body,
      ).toMatchObject({
        valid: false,
        status: 'expired',
        signatureValid: true,
      });
      const later = await issue({ validFrom: '2098-01-01' });
      expect(
        (await t.http.get(`/v1/licence-verifications/${later.verificationCode}`).expect(200)).body,
      ).toMatchObject({
        valid: false,
        status: 'not_yet_valid',
        signatureValid: true,
      });
    });

    it('is rate-limited like everything else', async () => {
      const l = await issue();
      const res = await t.http.get(`/v1/licence-verifications/${l.verificationCode}`).expect(200);
      expect(res.headers['ratelimit']).toMatch(/^"default";r=\d+;t=\d+$/);
    });
  });

  describe('revoke', () => {
    it('is refused outside the issuer’s scope (404), to citizens (403), and on a stale If-Match (412)', async () => {
      const l = await issue();
      await t.http.post(`/v1/licences/${l.id}/revoke`).set(staffY).send({ reason: '越权' }).expect(404);
      await t.http
        .post(`/v1/licences/${l.id}/revoke`)
        .set(holder.headers)
        .send({ reason: '自己撤' })
        .expect(403);
      await t.http.post(`/v1/licences/${l.id}/revoke`).set(clerkX).send({ reason: '无权' }).expect(403);
      await t.http
        .post(`/v1/licences/${l.id}/revoke`)
        .set(staffX)
        .set('If-Match', '"v9"')
        .send({ reason: '旧版本' })
        .expect(412);
      await t.http.post(`/v1/licences/${l.id}/revoke`).set(staffX).send({ reason: '' }).expect(400);
      await t.http
        .post(`/v1/licences/${l.id}/revoke`)
        .set(staffX)
        .send({ reason: `含身份证 ${nationalId()}` })
        .expect(400);
      const [row] = await t.db.query<{ status: string; version: number }>(
        'SELECT status, version FROM licence WHERE id = $1',
        [l.id],
      );
      expect(row).toEqual({ status: 'active', version: 1 });
    });

    it('revokes: verification then says valid=false with when and why; a second revoke is a conflict', async () => {
      const l = await issue();
      const res = await t.http
        .post(`/v1/licences/${l.id}/revoke`)
        .set(staffX)
        .set('If-Match', `"v${l.version}"`)
        .send({ reason: '经营者申请注销' })
        .expect(200);
      expect(res.body).toMatchObject({ status: 'revoked', revocationReason: '经营者申请注销', version: 2 });
      expect(res.body.revokedAt).toEqual(expect.any(String));

      const v = (await t.http.get(`/v1/licence-verifications/${l.verificationCode}`).expect(200)).body;
      expect(v).toMatchObject({
        valid: false,
        status: 'revoked',
        signatureValid: true,
        revokedAt: res.body.revokedAt,
        revocationReason: '经营者申请注销',
      });
      const again = await t.http
        .post(`/v1/licences/${l.id}/revoke`)
        .set(staffX)
        .send({ reason: '再撤' })
        .expect(409);
      expect(again.body.code).toBe('INVALID_STATE');
      const leaves = await t.db.query(
        `SELECT 1 FROM audit_leaf WHERE action = 'licence.revoke' AND resource_id = $1`,
        [l.id],
      );
      expect(leaves).toHaveLength(1);
    });
  });

  describe('QR codes and the holder’s views', () => {
    it('serves the verification URL as PNG and SVG to the holder and the issuer', async () => {
      const l = await issue();
      const png = await t.http.get(`/v1/licences/${l.id}/qr.png`).set(holder.headers).expect(200);
      expect(png.headers['content-type']).toBe('image/png');
      const pngBytes = binary(png);
      expect(pngBytes.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
      // IHDR: a square of (modules + 2 × 4 quiet-zone modules) × 8 pixels, for the symbol of this URL.
      const side = (qrModules(l.verificationUrl) + 8) * QR_PNG_SCALE;
      expect(pngBytes.toString('latin1', 12, 16)).toBe('IHDR');
      expect([pngBytes.readUInt32BE(16), pngBytes.readUInt32BE(20)]).toEqual([side, side]);
      expect(pngBytes.length).toBeGreaterThan(500);

      const svg = await t.http.get(`/v1/licences/${l.id}/qr.svg`).set(staffX).expect(200);
      expect(svg.headers['content-type']).toMatch(/^image\/svg\+xml/);
      const svgText = binary(svg).toString('utf8');
      expect(svgText).toMatch(/^<svg [^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
      expect(svgText.trimEnd()).toMatch(/<\/svg>$/);
      // The encoder is deterministic: the served symbol is exactly the one for this URL, and not for another.
      expect(svgText).toBe((await qrCode(l.verificationUrl, 'svg')).toString('utf8'));
      expect(svgText).not.toBe((await qrCode(`${l.verificationUrl}0`, 'svg')).toString('utf8'));
    });

    it('hides a licence and its QR code from everyone else as not found', async () => {
      const l = await issue();
      for (const path of [
        `/v1/licences/${l.id}`,
        `/v1/licences/${l.id}/qr.png`,
        `/v1/licences/${l.id}/qr.svg`,
      ]) {
        await t.http.get(path).set(staffY).expect(404);
        await t.http.get(path).set(otherCitizen).expect(404);
        await t.http.get(path).set(clerkX).expect(403);
        await t.http.get(path).expect(401);
      }
      await t.http.get('/v1/licences/not-a-uuid/qr.png').set(holder.headers).expect(400);
    });

    it('shows the holder the full name, staff the masked one', async () => {
      const l = await issue();
      expect((await t.http.get(`/v1/licences/${l.id}`).set(holder.headers).expect(200)).body.holderName).toBe(
        '张三丰',
      );
      const staffView = await t.http.get(`/v1/licences/${l.id}`).set(staffX).expect(200);
      expect(staffView.body.holderName).toBe('张**');
      expect(staffView.headers.etag).toBe('"v1"');
    });

    it('lists my licences, newest first, paged; nobody else’s', async () => {
      const a = await issue();
      const b = await issue();
      const first = await t.http.get('/v1/me/licences?limit=1').set(holder.headers).expect(200);
      expect(first.body.items.map((x: LicenceBody) => x.id)).toEqual([b.id]);
      expect(first.body.items[0].holderName).toBe('张三丰');
      const second = await t.http
        .get(`/v1/me/licences?limit=1&cursor=${first.body.nextCursor}`)
        .set(holder.headers)
        .expect(200);
      expect(second.body.items.map((x: LicenceBody) => x.id)).toEqual([a.id]);
      const others = await t.http.get('/v1/me/licences?limit=100').set(otherCitizen).expect(200);
      expect(others.body.items.map((x: LicenceBody) => x.id)).not.toContain(a.id);
      await t.http.get('/v1/me/licences').expect(401);
      await t.http.get('/v1/me/licences').set(staffX).expect(403);
    });
  });

  describe('GraphQL', () => {
    it('verifies by code for anyone, with the content as name/value pairs', async () => {
      const l = await issue();
      const res = await gql(
        `query($code: String!) { licenceVerification(code: $code) {
          valid status signatureValid number holderName issuer { id name } fields { name value } canonicalPayload } }`,
        { code: l.verificationCode },
      ).expect(200);
      expect(res.body.errors).toBeUndefined();
      const v = res.body.data.licenceVerification;
      expect(v).toMatchObject({
        valid: true,
        status: 'active',
        signatureValid: true,
        number: l.number,
        holderName: '张**',
      });
      expect(v.fields).toEqual(
        Object.entries(l.fields as Record<string, string>).map(([name, value]) => ({ name, value })),
      );
      const missing = await gql(`{ licenceVerification(code: "ZZZZZZZZZZZZZZZZ") { valid } }`);
      expect(missing.body.errors[0].extensions.code).toBe('NOT_FOUND');
    });

    it('lists myLicences for the holder only', async () => {
      const l = await issue();
      const Q = `{ myLicences(first: 5) { edges { node { id holderName fields { name value } } } pageInfo { hasNextPage } } }`;
      const mine = await gql(Q, {}, holder.headers).expect(200);
      expect(mine.body.errors).toBeUndefined();
      expect(mine.body.data.myLicences.edges[0].node).toMatchObject({ id: l.id, holderName: '张三丰' });
      const anonymous = await gql(Q);
      expect(anonymous.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
      const other = await gql(Q, {}, otherCitizen).expect(200);
      expect(other.body.data.myLicences.edges.map((e: { node: { id: string } }) => e.node.id)).not.toContain(
        l.id,
      );
    });
  });
});
