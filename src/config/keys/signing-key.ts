// Loads the Ed25519 key that signs audit checkpoints (and, later, e-licences) from SIGNING_KEY.
// No Nest or config imports: config.ts calls it at boot to fail fast, and the auditor CLI reuses it.

import { createHash, createPrivateKey, createPublicKey, KeyObject } from 'node:crypto';

export interface SigningKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
}

/** PKCS#8 DER header of an Ed25519 private key (RFC 8410): SEQUENCE { v0, id-Ed25519, OCTET STRING { seed } }. */
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/** Fixed, public seed of the development key: checkpoints survive restarts, and production refuses `dev`. */
const DEV_SEED = createHash('sha256').update('onewindow development signing key (not secret)').digest();

export const DEV_SIGNING_KEY = 'dev';

export class SigningKeyError extends Error {}

/** An Ed25519 private key from a raw 32-byte seed. */
export function ed25519FromSeed(seed: Buffer): KeyObject {
  if (seed.length !== 32) throw new SigningKeyError('an Ed25519 seed is 32 bytes');
  return createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: 'der', type: 'pkcs8' });
}

/**
 * `dev` → the deterministic development key; otherwise a PKCS#8 Ed25519 private key given as PEM, as
 * base64 of the PEM text (one line, fits an environment variable), or as base64 of the DER.
 * Generate one with: openssl genpkey -algorithm ed25519 | base64 -w0
 */
export function loadSigningKey(value: string): SigningKey {
  const privateKey = value === DEV_SIGNING_KEY ? ed25519FromSeed(DEV_SEED) : parsePrivateKey(value.trim());
  if (privateKey.asymmetricKeyType !== 'ed25519') {
    throw new SigningKeyError(
      `must be an Ed25519 private key, got ${privateKey.asymmetricKeyType ?? 'an unknown key type'}`,
    );
  }
  return { privateKey, publicKey: createPublicKey(privateKey) };
}

function parsePrivateKey(value: string): KeyObject {
  const hint =
    'expected a PKCS#8 Ed25519 private key as PEM or base64 (openssl genpkey -algorithm ed25519 | base64 -w0)';
  try {
    if (value.startsWith('-----BEGIN')) return createPrivateKey({ key: value, format: 'pem' });
    if (!/^[A-Za-z0-9+/\s]+={0,2}$/.test(value)) throw new SigningKeyError(hint);
    const bytes = Buffer.from(value, 'base64');
    const text = bytes.toString('utf8');
    if (text.trimStart().startsWith('-----BEGIN')) return createPrivateKey({ key: text, format: 'pem' });
    return createPrivateKey({ key: bytes, format: 'der', type: 'pkcs8' });
  } catch (e) {
    if (e instanceof SigningKeyError) throw e;
    throw new SigningKeyError(`${hint} (${e instanceof Error ? e.message : String(e)})`);
  }
}
