// What an e-licence's signature covers, and how it is made and checked. Pure: node:crypto only, so a
// verifier can copy it, and a verifier in another language can follow it from this description:
//
//   payload   = the object built by licencePayload() (every value a string, null or an object of them)
//   canonical = RFC 8785 (JCS): keys sorted by UTF-16 code units, no whitespace, JSON string escaping
//   signature = base64(Ed25519(UTF-8 bytes of canonical))          (RFC 8032, no pre-hash)
//   keyId     = RFC 7638 JWK thumbprint (SHA-256, base64url) of the Ed25519 public key
//
// The payload holds only what a public verifier is shown: the holder's name masked, the ID number
// masked. The full name is bound by a keyed digest (holderBinding), so changing it in the database
// also breaks the signature, without publishing it to everyone who scans a QR code.

import { createHash, createHmac, KeyObject, sign, verify } from 'node:crypto';

/** Names the payload layout; a new layout gets a new value, old licences keep verifying under theirs. */
export const LICENCE_PAYLOAD_FORMAT = 'onewindow.licence.v1';

export interface LicencePayload {
  format: typeof LICENCE_PAYLOAD_FORMAT;
  id: string;
  number: string;
  licenceType: { code: string; name: string };
  /** masked, e.g. 张** */
  holderName: string;
  /** masked, e.g. 110***********1234; null when the licence names no ID */
  holderIdMasked: string | null;
  /** HMAC of the licence id and the full holder name (see holderBinding) */
  holderBinding: string;
  issuer: { id: string; name: string };
  /** ISO 8601 UTC with milliseconds */
  issuedAt: string;
  /** YYYY-MM-DD */
  validFrom: string;
  /** YYYY-MM-DD, or null for a licence without expiry */
  validUntil: string | null;
  fields: Record<string, string>;
  keyId: string;
}

type Canonical = string | null | { [key: string]: Canonical };

/**
 * RFC 8785 for the values a payload holds (strings, null, objects): no numbers, so there is no
 * float formatting to disagree on; arrays and other types are refused rather than guessed at.
 */
export function canonicalJson(value: Canonical): string {
  if (value === null || typeof value === 'string') return JSON.stringify(value);
  if (typeof value !== 'object' || Array.isArray(value))
    throw new TypeError('canonical JSON: unsupported value');
  const keys = Object.keys(value).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(',')}}`;
}

/** RFC 7638 thumbprint of an Ed25519 public key: SHA-256 over {"crv","kty","x"} in that order. */
export function ed25519KeyId(publicKey: KeyObject): string {
  const jwk = publicKey.export({ format: 'jwk' });
  if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519' || typeof jwk.x !== 'string')
    throw new TypeError('not an Ed25519 public key');
  return createHash('sha256').update(`{"crv":"Ed25519","kty":"OKP","x":"${jwk.x}"}`).digest('base64url');
}

/**
 * Binds the full holder name into the signature without revealing it: HMAC-SHA256 under a server key,
 * over the licence id and the name, so equal names on two licences do not link them publicly.
 */
export function holderBinding(key: Buffer, licenceId: string, fullName: string): string {
  return createHmac('sha256', key)
    .update(`onewindow.licence.holder\n${licenceId}\n${fullName}`, 'utf8')
    .digest('base64url');
}

export function canonicalPayload(payload: LicencePayload): string {
  return canonicalJson(payload as unknown as Canonical);
}

export function signLicence(canonical: string, privateKey: KeyObject): string {
  return sign(null, Buffer.from(canonical, 'utf8'), privateKey).toString('base64');
}

/** False for anything but a canonical base64 Ed25519 signature that verifies over exactly these bytes. */
export function verifyLicence(canonical: string, signature: string, publicKey: KeyObject): boolean {
  if (!/^[A-Za-z0-9+/]{86}==$/.test(signature)) return false;
  const sig = Buffer.from(signature, 'base64');
  if (sig.length !== 64 || sig.toString('base64') !== signature) return false;
  return verify(null, Buffer.from(canonical, 'utf8'), publicKey, sig);
}
