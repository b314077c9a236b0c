import { createHash, createPublicKey, generateKeyPairSync } from 'node:crypto';
import {
  canonicalJson,
  canonicalPayload,
  ed25519KeyId,
  holderBinding,
  LICENCE_PAYLOAD_FORMAT,
  LicencePayload,
  signLicence,
  verifyLicence,
} from './licence-signature';
import {
  chinaDate,
  containsNationalId,
  fieldsProblems,
  isCalendarDate,
  maskHolderId,
  newLicenceNumber,
  newVerificationCode,
  normaliseVerificationCode,
} from './licence-rules';
import { nationalIdCheckChar, uniformCodeCheckChar } from '../../platform/identity/personal-data/national-id';

/** A valid resident ID number, and the same digits with a wrong check character. */
const ID = `11010519491231002${nationalIdCheckChar('11010519491231002')}`;
const WRONG_CHECK = `${ID.slice(0, 17)}${ID[17] === '0' ? '1' : '0'}`;

const payload = (over: Partial<LicencePayload> = {}): LicencePayload => ({
  format: LICENCE_PAYLOAD_FORMAT,
  id: '01900000-0000-7000-8000-000000000001',
  number: '990000-2026-ABCDEFGH12',
  licenceType: { code: 'GTGSH-YYZZ', name: '个体工商户营业执照' },
  holderName: '张*',
  holderIdMasked: '110***********1234',
  holderBinding: 'b',
  issuer: { id: '01900000-0000-7000-8000-000000000002', name: '演示市场监督管理局' },
  issuedAt: '2026-03-01T02:03:04.005Z',
  validFrom: '2026-03-01',
  validUntil: null,
  fields: { 经营场所: '某路 1 号', a: 'x' },
  keyId: 'kid',
  ...over,
});

describe('canonicalJson (RFC 8785 for strings, null and objects)', () => {
  it('sorts keys by UTF-16 code units at every level, with no whitespace', () => {
    expect(canonicalJson({ b: '1', a: { d: null, c: '\u00e9"\n' } })).toBe(
      '{"a":{"c":"é\\"\\n","d":null},"b":"1"}',
    );
    // "\u20ac" (€) sorts after "\r" and before the CJK key: code units, not locale order.
    expect(canonicalJson({ 中: '1', '\u20ac': '2', '\r': '3' })).toBe('{"\\r":"3","€":"2","中":"1"}');
  });

  it('is the same for any key order, and differs when a value does', () => {
    expect(canonicalPayload(payload())).toBe(
      canonicalPayload(payload({ fields: { a: 'x', 经营场所: '某路 1 号' } })),
    );
    expect(canonicalPayload(payload())).not.toBe(
      canonicalPayload(payload({ fields: { a: 'y', 经营场所: '某路 1 号' } })),
    );
  });

  it('refuses what it cannot canonicalise unambiguously', () => {
    expect(() => canonicalJson({ n: 1 } as never)).toThrow(TypeError);
    expect(() => canonicalJson({ l: ['a'] } as never)).toThrow(TypeError);
  });
});

describe('Ed25519 licence signatures', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');

  it('verify over exactly the signed string, and only with the signing key', () => {
    const text = canonicalPayload(payload());
    const sig = signLicence(text, privateKey);
    expect(sig).toMatch(/^[A-Za-z0-9+/]{86}==$/);
    expect(verifyLicence(text, sig, publicKey)).toBe(true);
    expect(verifyLicence(canonicalPayload(payload({ holderName: '李*' })), sig, publicKey)).toBe(false);
    expect(verifyLicence(text, sig, generateKeyPairSync('ed25519').publicKey)).toBe(false);
  });

  it('rejects malformed and non-canonical signatures instead of throwing', () => {
    const text = canonicalPayload(payload());
    const sig = signLicence(text, privateKey);
    expect(verifyLicence(text, '', publicKey)).toBe(false);
    expect(verifyLicence(text, sig.slice(0, -4), publicKey)).toBe(false);
    expect(verifyLicence(text, `${sig} `, publicKey)).toBe(false);
    // The last base64 character carries 4 unused bits: its neighbour decodes to the same 64 bytes.
    const last = sig[85];
    expect('AQgw').toContain(last);
    const twin = sig.slice(0, 85) + String.fromCharCode(last.charCodeAt(0) + 1) + '==';
    expect(Buffer.from(twin, 'base64').equals(Buffer.from(sig, 'base64'))).toBe(true);
    expect(verifyLicence(text, twin, publicKey)).toBe(false);
  });

  it('names the key by its RFC 7638 thumbprint', () => {
    const x = publicKey.export({ format: 'jwk' }).x!;
    const expected = createHash('sha256')
      .update(`{"crv":"Ed25519","kty":"OKP","x":"${x}"}`)
      .digest('base64url');
    expect(ed25519KeyId(publicKey)).toBe(expected);
    expect(ed25519KeyId(createPublicKey(privateKey))).toBe(expected);
  });

  it('binds the full holder name per licence without revealing it', () => {
    const key = Buffer.alloc(32, 1);
    const a = holderBinding(key, 'id-1', '张三');
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(a).not.toContain('张');
    expect(holderBinding(key, 'id-1', '张三')).toBe(a);
    expect(holderBinding(key, 'id-2', '张三')).not.toBe(a);
    expect(holderBinding(key, 'id-1', '张四')).not.toBe(a);
    expect(holderBinding(Buffer.alloc(32, 2), 'id-1', '张三')).not.toBe(a);
  });
});

describe('licence rules', () => {
  it('makes unguessable 16-character Crockford codes and reads them back leniently', () => {
    const codes = new Set(Array.from({ length: 200 }, newVerificationCode));
    expect(codes.size).toBe(200);
    for (const c of codes) expect(c).toMatch(/^[0-9A-HJKMNP-TV-Z]{16}$/);
    expect(normaliseVerificationCode('abcd-efgh-jkmn-pq01')).toBe('ABCDEFGHJKMNPQ01');
    expect(normaliseVerificationCode('ABCDEFGHJKMNPQOl')).toBe('ABCDEFGHJKMNPQ01');
    expect(normaliseVerificationCode('ABCDEFGHJKMNPQ0U')).toBeNull();
    expect(normaliseVerificationCode('ABC')).toBeNull();
    expect(normaliseVerificationCode('A'.repeat(41))).toBeNull();
  });

  it('numbers licences by region and China year', () => {
    // 2025-12-31 20:00 UTC is already 2026 in Beijing.
    expect(newLicenceNumber('330100', new Date('2025-12-31T20:00:00Z'))).toMatch(
      /^330100-2026-[0-9A-HJKMNP-TV-Z]{10}$/,
    );
    expect(chinaDate(new Date('2026-03-01T15:59:59Z'))).toBe('2026-03-01');
    expect(chinaDate(new Date('2026-03-01T16:00:00Z'))).toBe('2026-03-02');
  });

  it('accepts only real calendar dates', () => {
    expect(isCalendarDate('2028-02-29')).toBe(true);
    expect(isCalendarDate('2026-02-29')).toBe(false);
    expect(isCalendarDate('2026-2-1')).toBe(false);
    expect(isCalendarDate('2026-01-01T00:00:00Z')).toBe(false);
  });

  it('finds national ID numbers in text, not any 18 digits', () => {
    expect(containsNationalId(`经营者身份证 ${ID} 号`)).toBe(true);
    expect(containsNationalId(`经营者身份证${ID.toLowerCase()}`)).toBe(true);
    expect(containsNationalId(`编号 ${WRONG_CHECK}`)).toBe(false);
    expect(containsNationalId(`${ID}9`)).toBe(false); // part of a longer number
  });

  it('masks ID numbers and credit codes, and refuses anything else', () => {
    expect(maskHolderId(ID.toLowerCase())).toBe(`110***********${ID.slice(14)}`);
    const uscc = `91350100M000100Y4${uniformCodeCheckChar('91350100M000100Y4')}`;
    expect(maskHolderId(uscc)).toBe(`913***********${uscc.slice(14)}`);
    expect(maskHolderId(WRONG_CHECK)).toBeNull();
    expect(maskHolderId('123')).toBeNull();
  });

  it('checks licence content: count, lengths, controls, ID numbers; pointers name the key', () => {
    expect(fieldsProblems({ 经营范围: '零售', note: 'a\nb' })).toEqual([]);
    expect(fieldsProblems([])[0].code).toBe('isObject');
    expect(fieldsProblems(null)[0].code).toBe('isObject');
    const many = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v']));
    expect(fieldsProblems(many)).toEqual([
      expect.objectContaining({ pointer: '/fields', code: 'maxProperties' }),
    ]);
    expect(fieldsProblems({ a: 'x'.repeat(501) })).toEqual([
      expect.objectContaining({ pointer: '/fields/a', code: 'maxLength' }),
    ]);
    expect(fieldsProblems({ a: '中'.repeat(500) })).toEqual([]);
    expect(fieldsProblems({ 'a/b': 1 })).toEqual([
      expect.objectContaining({ pointer: '/fields/a~1b', code: 'isString' }),
    ]);
    expect(fieldsProblems({ a: 'x\u0000' })[0].code).toBe('isText');
    expect(fieldsProblems({ a: '\ud800' })[0].code).toBe('isText');
    expect(fieldsProblems({ a: '' })[0].code).toBe('isNotEmpty');
    expect(fieldsProblems({ ['k'.repeat(101)]: 'v' })[0].code).toBe('maxLength');
    expect(fieldsProblems({ 身份证: ID })[0].code).toBe('noNationalId');
  });
});
