/**
 * Stored answers are sealed at rest: a replayed body may hold personal data (a national ID, a
 * phone number) and the record outlives the request by IDEMPOTENCY_TTL_HOURS. The api layer does
 * not import modules, so the cipher comes in through this token; the app provides the project's
 * FieldCipher built from FIELD_KEYS (AES-256-GCM envelopes `v1.<keyId>.<iv>.<ciphertext>`).
 */
export const IDEMPOTENCY_CIPHER = Symbol('IDEMPOTENCY_CIPHER');

export interface IdempotencyCipher {
  /** the key new envelopes are sealed with (FIELD_KEYS' first entry) */
  readonly activeKeyId: string;
  encrypt(plaintext: string, aad: string): string;
  decrypt(envelope: string, aad: string): string;
}

/**
 * The associated data binds an envelope to its record: a body copied onto another caller's key
 * does not decrypt.
 */
export function responseAad(scope: string, key: string): string {
  return `idempotency_key.response_body\u0000${scope}\u0000${key}`;
}
