// Signed-note verifier keys (C2SP signed-note `vkey`s) and Ed25519 key helpers, node:crypto only.
// They sit in the config layer so loadConfig can check AUDIT_WITNESS_TRUSTED_KEYS at boot without
// importing the audit module; src/modules/platform/audit/checkpoint.ts builds note signing on them.

import { createHash, createPublicKey, KeyObject } from 'node:crypto';

export const ALG_ED25519 = 0x01;
export const ED25519_KEY_SIZE = 32;

export interface ParsedVkey {
  name: string;
  keyId: number;
  publicKey: KeyObject;
}

/** The 32-byte raw Ed25519 public key (the JWK `x` member), accepting a public or private KeyObject. */
export function rawEd25519PublicKey(key: KeyObject): Buffer {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  assertEd25519(pub, 'public');
  const x = pub.export({ format: 'jwk' }).x;
  if (typeof x !== 'string') throw new Error('Ed25519 public key export has no x member');
  return Buffer.from(x, 'base64url');
}

export function ed25519PublicKeyFromRaw(raw: Buffer): KeyObject {
  if (raw.length !== ED25519_KEY_SIZE)
    throw new RangeError(`Ed25519 public keys are ${ED25519_KEY_SIZE} bytes`);
  return createPublicKey({
    key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') },
    format: 'jwk',
  });
}

/** Signed-note key ID: first 4 bytes (big-endian uint32) of SHA-256(name || "\n" || 0x01 || pubkey). */
export function noteKeyId(keyName: string, publicKey: KeyObject): number {
  assertKeyName(keyName);
  const digest = createHash('sha256')
    .update(keyName, 'utf8')
    .update(Buffer.from([0x0a, ALG_ED25519]))
    .update(rawEd25519PublicKey(publicKey))
    .digest();
  return digest.readUInt32BE(0);
}

/** Verifier key string `name+hex8(keyid)+base64(0x01 || pubkey)`, as published for auditors and witnesses. */
export function publicKeyToVkey(keyName: string, publicKey: KeyObject): string {
  const id = noteKeyId(keyName, publicKey).toString(16).padStart(8, '0');
  const key = Buffer.concat([Buffer.from([ALG_ED25519]), rawEd25519PublicKey(publicKey)]).toString('base64');
  return `${keyName}+${id}+${key}`;
}

/** Inverse of publicKeyToVkey; throws unless the embedded key ID matches the name and key. */
export function vkeyToPublicKey(vkey: string): ParsedVkey {
  // Split on the first two '+': names and hex IDs never contain one, but the base64 key may.
  const first = vkey.indexOf('+');
  const second = first < 0 ? -1 : vkey.indexOf('+', first + 1);
  if (first <= 0 || second < 0) throw new Error('malformed vkey');
  const name = vkey.slice(0, first);
  const idHex = vkey.slice(first + 1, second);
  const keyB64 = vkey.slice(second + 1);
  assertKeyName(name);
  if (!/^[0-9a-f]{8}$/.test(idHex)) throw new Error('malformed vkey: key ID must be 8 lower-case hex digits');
  const keyBytes = decodeBase64Strict(keyB64);
  if (!keyBytes || keyBytes.length !== 1 + ED25519_KEY_SIZE || keyBytes[0] !== ALG_ED25519) {
    throw new Error('malformed vkey: expected base64(0x01 || 32-byte Ed25519 key)');
  }
  const publicKey = ed25519PublicKeyFromRaw(keyBytes.subarray(1));
  const keyId = parseInt(idHex, 16);
  if (noteKeyId(name, publicKey) !== keyId)
    throw new Error('malformed vkey: key ID does not match name and key');
  return { name, keyId, publicKey };
}

/** Node's base64 decoder skips junk; round-tripping rejects non-canonical input so one value has one encoding. */
export function decodeBase64Strict(s: string): Buffer | null {
  if (s.length === 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(s)) return null;
  const buf = Buffer.from(s, 'base64');
  return buf.toString('base64') === s ? buf : null;
}

export function isValidKeyName(name: string): boolean {
  return name.length > 0 && !/[\s+]/u.test(name) && isWellFormedUtf16(name);
}

export function assertKeyName(name: string): void {
  if (!isValidKeyName(name)) throw new RangeError(`invalid note key name ${JSON.stringify(name)}`);
}

/** Lone surrogates cannot be encoded as UTF-8, so the signed bytes would not match the string. */
export function isWellFormedUtf16(s: string): boolean {
  return Buffer.from(s, 'utf8').toString('utf8') === s;
}

export function assertEd25519(key: KeyObject, type: 'public' | 'private'): void {
  if (!(key instanceof KeyObject) || key.type !== type || key.asymmetricKeyType !== 'ed25519') {
    throw new TypeError(`expected an Ed25519 ${type} KeyObject`);
  }
}
