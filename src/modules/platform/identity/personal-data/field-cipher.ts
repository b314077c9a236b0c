// Application-level field encryption (AEAD) and blind indexing for personal data at rest.
// Envelope: v1.<keyId>.<base64url iv(12)>.<base64url ciphertext||tag(16)>, AES-256-GCM.
// The version prefix leaves room for a v2 suite (e.g. SM4-CTR + HMAC-SM3 for GB/T 39786) without a data migration.
import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  createSecretKey,
  KeyObject,
  randomBytes,
} from 'node:crypto';
import {
  assertKeyId,
  BASE64_KEY_PATTERN,
  FieldCipherError,
  KEY_BYTES,
  KEY_ID_PATTERN,
  parseKeyring,
} from '../../../../config/keys/keyring';

const ENVELOPE_VERSION = 'v1';
const ALGORITHM = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** HMAC keys shorter than the hash output weaken the index; longer is fine. */
const MIN_BLIND_INDEX_KEY_BYTES = 32;
/** Key ids travel inside the envelope and the env keyring, so they must not contain `.`, `:` or `,`. */
/** Purposes are joined to the value with `:`, so a `:` in a purpose could make two (purpose, value) pairs collide. */
const PURPOSE_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;
const BASE64URL_PATTERN = /^[A-Za-z0-9_-]+$/;

export { FieldCipherError } from '../../../../config/keys/keyring';
export type { FieldCipherErrorCode } from '../../../../config/keys/keyring';

export interface FieldCipherOptions {
  /** keyId → 32-byte AES key. Keep retired keys here until every row is re-encrypted (rotation). */
  keys: Record<string, Buffer>;
  /** Key used for new encryptions. */
  activeKeyId: string;
  /** Separate HMAC key for blind indexes; must differ from every encryption key. */
  blindIndexKey: Buffer;
}

export class FieldCipher {
  private readonly keys = new Map<string, Buffer>();
  /**
   * The same keys as KeyObjects, made once: given a Buffer, every createCipheriv/createHmac imports
   * the key anew, which costs three to four times the encryption of a short field itself.
   */
  private readonly keyObjects = new Map<string, KeyObject>();
  private readonly blindIndexKey: KeyObject;
  readonly activeKeyId: string;

  constructor(options: FieldCipherOptions) {
    const entries = Object.entries(options.keys ?? {});
    if (entries.length === 0) {
      throw new FieldCipherError('INVALID_CONFIG', 'at least one encryption key is required');
    }
    for (const [keyId, key] of entries) {
      assertKeyId(keyId, 'INVALID_CONFIG');
      if (!Buffer.isBuffer(key) || key.length !== KEY_BYTES) {
        throw new FieldCipherError('INVALID_CONFIG', `key "${keyId}" must be exactly ${KEY_BYTES} bytes`);
      }
      // Copy so later mutation of the caller's buffers cannot silently change our keys.
      this.keys.set(keyId, Buffer.from(key));
    }
    if (!this.keys.has(options.activeKeyId)) {
      throw new FieldCipherError(
        'INVALID_CONFIG',
        `active key "${String(options.activeKeyId)}" is not in the keyring`,
      );
    }
    const { blindIndexKey } = options;
    if (!Buffer.isBuffer(blindIndexKey) || blindIndexKey.length < MIN_BLIND_INDEX_KEY_BYTES) {
      throw new FieldCipherError(
        'INVALID_CONFIG',
        `blind index key must be at least ${MIN_BLIND_INDEX_KEY_BYTES} bytes`,
      );
    }
    // Reusing an encryption key for HMAC couples two key lifecycles (rotation would change every index).
    for (const [keyId, key] of this.keys) {
      if (key.equals(blindIndexKey)) {
        throw new FieldCipherError(
          'INVALID_CONFIG',
          `blind index key must differ from encryption key "${keyId}"`,
        );
      }
    }
    this.activeKeyId = options.activeKeyId;
    for (const [keyId, key] of this.keys) this.keyObjects.set(keyId, createSecretKey(key));
    this.blindIndexKey = createSecretKey(Buffer.from(blindIndexKey));
  }

  /**
   * Encrypts with the active key and a fresh random IV. `aad` (e.g. `"citizen.national_id"`) binds the
   * ciphertext to its column so it cannot be copied into another field; pass the same value to `decrypt`.
   */
  encrypt(plaintext: string, aad?: string): string {
    const keyId = this.activeKeyId;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(ALGORITHM, this.keyObjects.get(keyId)!, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(associatedData(keyId, aad));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
    return [ENVELOPE_VERSION, keyId, iv.toString('base64url'), body.toString('base64url')].join('.');
  }

  /** Decrypts an envelope made with any key still in the keyring. Throws `FieldCipherError` on any failure. */
  decrypt(envelope: string, aad?: string): string {
    const { keyId, iv, body } = parseEnvelope(envelope);
    const key = this.keyObjects.get(keyId);
    if (!key) {
      throw new FieldCipherError('UNKNOWN_KEY', `envelope key "${keyId}" is not in the keyring`);
    }
    const tag = body.subarray(body.length - TAG_BYTES);
    const ciphertext = body.subarray(0, body.length - TAG_BYTES);
    try {
      // authTagLength pins the tag size so a truncated tag is rejected rather than accepted.
      const decipher = createDecipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(associatedData(keyId, aad));
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
    } catch {
      throw new FieldCipherError(
        'DECRYPTION_FAILED',
        'envelope failed authentication (tampered, wrong key or AAD)',
      );
    }
  }

  /** Key id of an envelope without decrypting it; throws on malformed input. */
  keyIdOf(envelope: string): string {
    return parseEnvelope(envelope).keyId;
  }

  /** True when the envelope was not written with the active key (a re-encryption job should rewrite it). */
  needsReEncryption(envelope: string): boolean {
    return this.keyIdOf(envelope) !== this.activeKeyId;
  }

  /**
   * Deterministic keyed hash for equality lookups and unique constraints on encrypted columns.
   * The caller must pass the normalised value (e.g. `normaliseNationalId`) or equal values will not match.
   * `purpose` separates domains so the same value indexed for two columns yields unrelated hashes.
   */
  blindIndex(normalisedValue: string, purpose: string): string {
    if (typeof purpose !== 'string' || !PURPOSE_PATTERN.test(purpose)) {
      throw new FieldCipherError('INVALID_CONFIG', 'blind index purpose must match [A-Za-z0-9_.-]{1,64}');
    }
    return createHmac('sha256', this.blindIndexKey)
      .update(`${purpose}:${normalisedValue}`, 'utf8')
      .digest('hex');
  }

  /**
   * Parses the env keyring format `kid1:base64key,kid2:base64key` (standard or url-safe base64, 32-byte keys).
   * Errors name the offending entry by position/key id, never by key material.
   */
  static parseKeyring(spec: string): Record<string, Buffer> {
    return parseKeyring(spec);
  }

  /** Parses a single base64 key (e.g. the blind index key env var); must decode to at least 32 bytes. */
  static parseKey(base64: string, label = 'key'): Buffer {
    if (typeof base64 !== 'string' || !BASE64_KEY_PATTERN.test(base64.trim())) {
      throw new FieldCipherError('INVALID_KEYRING', `${label} is not valid base64`);
    }
    const key = Buffer.from(base64.trim(), 'base64');
    if (key.length < KEY_BYTES) {
      throw new FieldCipherError(
        'INVALID_KEYRING',
        `${label} must decode to at least ${KEY_BYTES} bytes, got ${key.length}`,
      );
    }
    return key;
  }
}

/**
 * The envelope header is authenticated along with the caller's AAD, so the version and key id cannot be
 * swapped; a NUL separator keeps header and caller AAD unambiguous. Undefined AAD is treated as ''.
 */
function associatedData(keyId: string, aad: string | undefined): Buffer {
  return Buffer.from(`${ENVELOPE_VERSION}.${keyId}\u0000${aad ?? ''}`, 'utf8');
}

function decodeBase64url(part: string): Buffer | undefined {
  if (!BASE64URL_PATTERN.test(part)) return undefined;
  const bytes = Buffer.from(part, 'base64url');
  // Node's decoder is lenient; re-encoding rejects non-canonical spellings of the same bytes.
  return bytes.toString('base64url') === part ? bytes : undefined;
}

function parseEnvelope(envelope: string): { keyId: string; iv: Buffer; body: Buffer } {
  if (typeof envelope !== 'string') {
    throw new FieldCipherError('MALFORMED_ENVELOPE', 'envelope must be a string');
  }
  const parts = envelope.split('.');
  if (parts.length !== 4) {
    throw new FieldCipherError('MALFORMED_ENVELOPE', 'envelope must have 4 dot-separated parts');
  }
  const [version, keyId, ivPart, bodyPart] = parts;
  if (version !== ENVELOPE_VERSION) {
    throw new FieldCipherError(
      'UNSUPPORTED_VERSION',
      `unsupported envelope version "${version.slice(0, 8)}"`,
    );
  }
  if (!KEY_ID_PATTERN.test(keyId)) {
    throw new FieldCipherError('MALFORMED_ENVELOPE', 'envelope key id is malformed');
  }
  const iv = decodeBase64url(ivPart);
  if (!iv || iv.length !== IV_BYTES) {
    throw new FieldCipherError('MALFORMED_ENVELOPE', `envelope IV must be ${IV_BYTES} base64url bytes`);
  }
  const body = decodeBase64url(bodyPart);
  if (!body || body.length < TAG_BYTES) {
    throw new FieldCipherError(
      'MALFORMED_ENVELOPE',
      'envelope ciphertext is malformed or shorter than the tag',
    );
  }
  return { keyId, iv, body };
}
