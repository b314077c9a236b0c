import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../../../../config/config';
import { FieldCipher } from './field-cipher';

/**
 * The encrypted columns, each named once. The name is both the AEAD associated data (an envelope
 * copied into another column fails to decrypt) and the blind-index purpose (the same value indexed
 * for two columns gives unrelated hashes).
 */
export enum PersonalField {
  NationalId = 'account.national_id',
  TotpSecret = 'account.totp_secret',
  /** a mini-program openid (linked channel identity) */
  ChannelOpenid = 'channel_identity.openid',
  /** an application's form fields marked `x-personal`, as one JSON object */
  ApplicationForm = 'application.form_personal',
  /** a consultation message's text (the asker's question, follow-ups and answers) */
  ConsultationText = 'consultation_message.body_enc',
  /** a rating's comment (好差评): the rater's own words */
  RatingComment = 'rating.comment',
  /** a real-name work order's contact (names, e-mail, phone), as one JSON object */
  ComplaintContact = 'complaint.contact',
}

/**
 * FieldCipher built from FIELD_KEYS and BLIND_INDEX_KEY. The first key of FIELD_KEYS encrypts new
 * values; the others stay only to decrypt older rows until a re-encryption job rewrites them, so
 * rotation is "prepend a new key, restart, re-encrypt, drop the old key".
 * Construction fails at boot on a malformed keyring, never on the first request.
 */
@Injectable()
export class PersonalDataService {
  private readonly cipher: FieldCipher;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    const keys = FieldCipher.parseKeyring(config.fieldKeys);
    // Not Object.keys(keys)[0]: integer-like key ids ("1", "2") would be reordered by the engine.
    const activeKeyId = config.fieldKeys.split(',')[0].split(':')[0].trim();
    this.cipher = new FieldCipher({ keys, activeKeyId, blindIndexKey: config.blindIndexKey });
  }

  encrypt(field: PersonalField, plaintext: string): string {
    return this.cipher.encrypt(plaintext, field);
  }

  decrypt(field: PersonalField, envelope: string): string {
    return this.cipher.decrypt(envelope, field);
  }

  /** The key id new envelopes are written under (the first of FIELD_KEYS). */
  get activeKeyId(): string {
    return this.cipher.activeKeyId;
  }

  /**
   * The envelope under the active key, or null when it already is (rotation: `npm run keys:rotate`).
   * Throws when it cannot be decrypted with any key in the ring, so nothing is silently lost.
   */
  reEncrypt(field: PersonalField, envelope: string): string | null {
    if (!this.cipher.needsReEncryption(envelope)) return null;
    return this.cipher.encrypt(this.cipher.decrypt(envelope, field), field);
  }

  /** Keyed hash of an already normalised value, for equality lookups and unique indexes. */
  blindIndex(field: PersonalField, normalisedValue: string): string {
    return this.cipher.blindIndex(normalisedValue, field);
  }

  /** Keyed hash for secrets that are not personal data but must not be stored guessable (one-time codes). */
  keyedHash(purpose: string, value: string): string {
    return this.cipher.blindIndex(value, purpose);
  }
}
