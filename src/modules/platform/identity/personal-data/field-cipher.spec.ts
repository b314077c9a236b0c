import { createHmac, randomBytes } from 'node:crypto';
import { FieldCipher, FieldCipherError, FieldCipherErrorCode } from './field-cipher';

const K1 = Buffer.alloc(32, 1);
const K2 = Buffer.alloc(32, 2);
const BIDX = Buffer.alloc(32, 9);
const AAD = 'citizen.national_id';
const ID = '11010519491231002X';

function cipher(activeKeyId = 'k1', keys: Record<string, Buffer> = { k1: K1, k2: K2 }): FieldCipher {
  return new FieldCipher({ keys, activeKeyId, blindIndexKey: BIDX });
}

/** Asserts `fn` throws a FieldCipherError with the given code. */
function expectCode(fn: () => unknown, code: FieldCipherErrorCode): void {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(FieldCipherError);
  expect((caught as FieldCipherError).code).toBe(code);
}

/** Flips one bit of the decoded bytes of envelope part `index` and re-encodes it. */
function flipBit(envelope: string, index: 2 | 3, byte = 0): string {
  const parts = envelope.split('.');
  const bytes = Buffer.from(parts[index], 'base64url');
  bytes[byte] ^= 0x01;
  parts[index] = bytes.toString('base64url');
  return parts.join('.');
}

describe('FieldCipher encrypt/decrypt', () => {
  it('round-trips ASCII, CJK, emoji and empty strings', () => {
    const c = cipher();
    for (const text of [ID, '张三丰', '北京市东城区 🙂', '']) {
      expect(c.decrypt(c.encrypt(text, AAD), AAD)).toBe(text);
      expect(c.decrypt(c.encrypt(text))).toBe(text);
    }
  });

  it('produces the compact v1 envelope and does not leak the plaintext', () => {
    const envelope = cipher().encrypt(ID, AAD);
    expect(envelope).toMatch(/^v1\.k1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+$/);
    const [, , iv, body] = envelope.split('.');
    expect(Buffer.from(iv, 'base64url')).toHaveLength(12);
    expect(Buffer.from(body, 'base64url')).toHaveLength(Buffer.byteLength(ID) + 16);
    expect(envelope).not.toContain(ID);
  });

  it('uses a fresh IV per encryption (same plaintext → different envelopes)', () => {
    const c = cipher();
    const envelopes = new Set(Array.from({ length: 50 }, () => c.encrypt(ID, AAD)));
    expect(envelopes.size).toBe(50);
  });

  it('fails when the AAD does not match (ciphertext moved to another column)', () => {
    const c = cipher();
    const envelope = c.encrypt(ID, AAD);
    expectCode(() => c.decrypt(envelope, 'citizen.phone'), 'DECRYPTION_FAILED');
    expectCode(() => c.decrypt(envelope), 'DECRYPTION_FAILED');
    expectCode(() => c.decrypt(c.encrypt(ID), AAD), 'DECRYPTION_FAILED');
  });

  it('fails on tampered IV, ciphertext or tag', () => {
    const c = cipher();
    const envelope = c.encrypt(ID, AAD);
    const bodyLength = Buffer.from(envelope.split('.')[3], 'base64url').length;
    expectCode(() => c.decrypt(flipBit(envelope, 2), AAD), 'DECRYPTION_FAILED');
    expectCode(() => c.decrypt(flipBit(envelope, 3, 0), AAD), 'DECRYPTION_FAILED');
    expectCode(() => c.decrypt(flipBit(envelope, 3, bodyLength - 1), AAD), 'DECRYPTION_FAILED');
  });

  it('fails when the key id in the header is swapped to another known key', () => {
    const c = cipher();
    const swapped = c.encrypt(ID, AAD).replace(/^v1\.k1\./, 'v1.k2.');
    expectCode(() => c.decrypt(swapped, AAD), 'DECRYPTION_FAILED');
  });

  it('rejects a truncated tag instead of accepting a shorter one', () => {
    const c = cipher();
    const parts = c.encrypt(ID, AAD).split('.');
    parts[3] = Buffer.from(parts[3], 'base64url').subarray(0, -4).toString('base64url');
    expectCode(() => c.decrypt(parts.join('.'), AAD), 'DECRYPTION_FAILED');
  });

  it.each([
    ['', 'MALFORMED_ENVELOPE'],
    ['v1.k1.abc', 'MALFORMED_ENVELOPE'],
    ['v1.k1.a.b.c', 'MALFORMED_ENVELOPE'],
    ['v2.k1.AAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAA', 'UNSUPPORTED_VERSION'],
    ['v1.k:1.AAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAA', 'MALFORMED_ENVELOPE'],
    ['v1.k1.AAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAA', 'MALFORMED_ENVELOPE'], // 9-byte IV
    ['v1.k1.AAAAAAAAAAAAAAAA.AAAA', 'MALFORMED_ENVELOPE'], // shorter than a tag
    ['v1.k1.AAAAAAAAAAAAAAA+.AAAAAAAAAAAAAAAAAAAAAA', 'MALFORMED_ENVELOPE'], // not base64url
    ['v1.k1.AAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAB', 'MALFORMED_ENVELOPE'], // non-canonical base64url
  ] as const)('rejects malformed envelope %p with %s', (envelope, code) => {
    expectCode(() => cipher().decrypt(envelope, AAD), code);
  });

  it('rejects non-string envelopes with a typed error', () => {
    expectCode(() => cipher().decrypt(null as unknown as string), 'MALFORMED_ENVELOPE');
  });
});

describe('FieldCipher key rotation', () => {
  it('keeps decrypting old envelopes after the active key changes', () => {
    const before = cipher('k1');
    const oldEnvelope = before.encrypt(ID, AAD);
    const after = cipher('k2');
    const newEnvelope = after.encrypt(ID, AAD);

    expect(newEnvelope.startsWith('v1.k2.')).toBe(true);
    expect(after.decrypt(oldEnvelope, AAD)).toBe(ID);
    expect(after.decrypt(newEnvelope, AAD)).toBe(ID);
    expect(after.keyIdOf(oldEnvelope)).toBe('k1');
    expect(after.needsReEncryption(oldEnvelope)).toBe(true);
    expect(after.needsReEncryption(newEnvelope)).toBe(false);
  });

  it('fails with UNKNOWN_KEY once a retired key is removed from the keyring', () => {
    const oldEnvelope = cipher('k1').encrypt(ID, AAD);
    const k2Only = cipher('k2', { k2: K2 });
    expectCode(() => k2Only.decrypt(oldEnvelope, AAD), 'UNKNOWN_KEY');
  });

  it('does not decrypt with a different key registered under the same id', () => {
    const envelope = cipher('k1').encrypt(ID, AAD);
    const impostor = cipher('k1', { k1: Buffer.alloc(32, 7) });
    expectCode(() => impostor.decrypt(envelope, AAD), 'DECRYPTION_FAILED');
  });
});

describe('FieldCipher blind index', () => {
  it('is deterministic hex HMAC-SHA256(key, purpose + ":" + value)', () => {
    const c = cipher();
    const expected = createHmac('sha256', BIDX).update(`citizen.national_id:${ID}`).digest('hex');
    expect(c.blindIndex(ID, 'citizen.national_id')).toBe(expected);
    expect(c.blindIndex(ID, 'citizen.national_id')).toMatch(/^[0-9a-f]{64}$/);
  });

  it('is independent of the encryption keys (survives rotation)', () => {
    expect(cipher('k1').blindIndex(ID, 'p')).toBe(cipher('k2', { k2: K2 }).blindIndex(ID, 'p'));
  });

  it('separates purposes and values', () => {
    const c = cipher();
    expect(c.blindIndex(ID, 'citizen.national_id')).not.toBe(c.blindIndex(ID, 'applicant.national_id'));
    expect(c.blindIndex(ID, 'p')).not.toBe(c.blindIndex('11010519491231002x', 'p'));
  });

  it('changes with the blind index key', () => {
    const other = new FieldCipher({
      keys: { k1: K1 },
      activeKeyId: 'k1',
      blindIndexKey: Buffer.alloc(32, 8),
    });
    expect(other.blindIndex(ID, 'p')).not.toBe(cipher().blindIndex(ID, 'p'));
  });

  it.each(['', 'a:b', 'has space', 'x'.repeat(65)])('rejects ambiguous purpose %p', (purpose) => {
    expectCode(() => cipher().blindIndex(ID, purpose), 'INVALID_CONFIG');
  });
});

describe('FieldCipher construction', () => {
  it.each([
    ['no keys', { keys: {}, activeKeyId: 'k1', blindIndexKey: BIDX }],
    ['active key missing', { keys: { k1: K1 }, activeKeyId: 'k9', blindIndexKey: BIDX }],
    ['short key', { keys: { k1: Buffer.alloc(16) }, activeKeyId: 'k1', blindIndexKey: BIDX }],
    ['long key', { keys: { k1: Buffer.alloc(33) }, activeKeyId: 'k1', blindIndexKey: BIDX }],
    ['dot in key id', { keys: { 'k.1': K1 }, activeKeyId: 'k.1', blindIndexKey: BIDX }],
    ['short blind index key', { keys: { k1: K1 }, activeKeyId: 'k1', blindIndexKey: Buffer.alloc(16) }],
    ['blind index key reused', { keys: { k1: K1 }, activeKeyId: 'k1', blindIndexKey: Buffer.from(K1) }],
  ])('rejects %s', (_label, options) => {
    expectCode(() => new FieldCipher(options), 'INVALID_CONFIG');
  });

  it('copies keys so later mutation of the caller buffer has no effect', () => {
    const key = randomBytes(32);
    const c = new FieldCipher({ keys: { k1: key }, activeKeyId: 'k1', blindIndexKey: BIDX });
    const envelope = c.encrypt(ID, AAD);
    key.fill(0);
    expect(c.decrypt(envelope, AAD)).toBe(ID);
  });
});

describe('FieldCipher.parseKeyring / parseKey', () => {
  const b64 = (buf: Buffer) => buf.toString('base64');

  it('parses the env format, trimming whitespace, in standard or url-safe base64', () => {
    const url = Buffer.alloc(32, 0xfb); // encodes with '-'/'_' in base64url
    const keyring = FieldCipher.parseKeyring(` k1:${b64(K1)} , 2026-q3:${url.toString('base64url')}`);
    expect(Object.keys(keyring)).toEqual(['k1', '2026-q3']);
    expect(keyring.k1.equals(K1)).toBe(true);
    expect(keyring['2026-q3'].equals(url)).toBe(true);
  });

  it('feeds straight into the constructor', () => {
    const keys = FieldCipher.parseKeyring(`k1:${b64(K1)},k2:${b64(K2)}`);
    const c = new FieldCipher({ keys, activeKeyId: 'k2', blindIndexKey: FieldCipher.parseKey(b64(BIDX)) });
    expect(c.decrypt(c.encrypt(ID, AAD), AAD)).toBe(ID);
  });

  it.each([
    ['', /empty/],
    ['   ', /empty/],
    [`${b64(K1)}`, /entry #1 must look like "kid:base64key"/],
    [`:${b64(K1)}`, /entry #1: key id must match/],
    [`k.1:${b64(K1)}`, /entry #1: key id must match/],
    [`k1:${b64(K1)},`, /entry #2 must look like/],
    [`k1:${b64(K1)},k1:${b64(K2)}`, /entry #2: duplicate key id "k1"/],
    ['k1:', /entry #1 \("k1"\): key is not valid base64/],
    ['k1:not*base64!', /entry #1 \("k1"\): key is not valid base64/],
    [`k1:${b64(Buffer.alloc(16))}`, /must decode to 32 bytes, got 16/],
    [`k1:${b64(K1)},k2:${b64(Buffer.alloc(48))}`, /entry #2 \("k2"\): key must decode to 32 bytes, got 48/],
  ])('rejects %p', (spec, message) => {
    expectCode(() => FieldCipher.parseKeyring(spec), 'INVALID_KEYRING');
    expect(() => FieldCipher.parseKeyring(spec)).toThrow(message);
  });

  it('never echoes key material in error messages', () => {
    const secret = b64(randomBytes(24));
    expect(() => FieldCipher.parseKeyring(`k1:${secret}`)).toThrow(FieldCipherError);
    try {
      FieldCipher.parseKeyring(`k1:${secret}`);
    } catch (e) {
      expect((e as Error).message).not.toContain(secret);
    }
  });

  it('parseKey requires at least 32 bytes of valid base64', () => {
    expect(FieldCipher.parseKey(b64(randomBytes(64)))).toHaveLength(64);
    expectCode(() => FieldCipher.parseKey(b64(randomBytes(16)), 'BLIND_INDEX_KEY'), 'INVALID_KEYRING');
    expect(() => FieldCipher.parseKey('%%%', 'BLIND_INDEX_KEY')).toThrow(
      /BLIND_INDEX_KEY is not valid base64/,
    );
  });
});
