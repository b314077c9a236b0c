// The FIELD_KEYS keyring format ("kid1:base64key,kid2:base64key"), parsed here in the config layer so
// loadConfig can refuse a malformed keyring at boot without importing the personal-data module;
// FieldCipher (src/modules/platform/identity/personal-data/field-cipher.ts) uses the same parser.

export const KEY_BYTES = 32;
export const KEY_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
export const BASE64_KEY_PATTERN = /^(?:[A-Za-z0-9+/]+={0,2}|[A-Za-z0-9_-]+)$/;

export type FieldCipherErrorCode =
  | 'INVALID_CONFIG'
  | 'INVALID_KEYRING'
  | 'MALFORMED_ENVELOPE'
  | 'UNSUPPORTED_VERSION'
  | 'UNKNOWN_KEY'
  | 'DECRYPTION_FAILED';

/** Typed error; messages never contain key material or plaintext. */
export class FieldCipherError extends Error {
  override readonly name = 'FieldCipherError';

  constructor(
    readonly code: FieldCipherErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Parses the env keyring format `kid1:base64key,kid2:base64key` (standard or url-safe base64, 32-byte keys).
 * Errors name the offending entry by position/key id, never by key material.
 */
export function parseKeyring(spec: string): Record<string, Buffer> {
  if (typeof spec !== 'string' || spec.trim() === '') {
    throw new FieldCipherError(
      'INVALID_KEYRING',
      'keyring is empty; expected "kid1:base64key,kid2:base64key"',
    );
  }
  const keyring: Record<string, Buffer> = {};
  spec.split(',').forEach((rawEntry, index) => {
    const entry = rawEntry.trim();
    const position = `keyring entry #${index + 1}`;
    const colon = entry.indexOf(':');
    if (colon < 0) {
      throw new FieldCipherError('INVALID_KEYRING', `${position} must look like "kid:base64key"`);
    }
    const keyId = entry.slice(0, colon).trim();
    assertKeyId(keyId, 'INVALID_KEYRING', position);
    if (Object.prototype.hasOwnProperty.call(keyring, keyId)) {
      throw new FieldCipherError('INVALID_KEYRING', `${position}: duplicate key id "${keyId}"`);
    }
    keyring[keyId] = decodeKey(entry.slice(colon + 1).trim(), `${position} ("${keyId}")`);
  });
  return keyring;
}

export function assertKeyId(keyId: string, code: FieldCipherErrorCode, context = 'key id'): void {
  if (!KEY_ID_PATTERN.test(keyId)) {
    throw new FieldCipherError(code, `${context}: key id must match [A-Za-z0-9_-]{1,64}`);
  }
}

export function decodeKey(encoded: string, label: string): Buffer {
  if (encoded === '' || !BASE64_KEY_PATTERN.test(encoded)) {
    throw new FieldCipherError('INVALID_KEYRING', `${label}: key is not valid base64`);
  }
  const key = Buffer.from(encoded, 'base64');
  if (key.length !== KEY_BYTES) {
    throw new FieldCipherError(
      'INVALID_KEYRING',
      `${label}: key must decode to ${KEY_BYTES} bytes, got ${key.length}`,
    );
  }
  return key;
}
