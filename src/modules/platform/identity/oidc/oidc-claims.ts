import type { OidcConfig } from '../../../../config/config';
import { normaliseEmail, normalisePhone, PHONE_PATTERN } from '../auth/contact';
import { isValidNationalId, normaliseNationalId } from '../personal-data/national-id';

/** What a sign-in at the provider tells us about the person, normalised; null when absent or unusable. */
export interface ExternalPerson {
  subject: string;
  /** 18-character ID, valid per GB 11643; the eID vouches for it */
  nationalId: string | null;
  /** real name as the provider has it */
  name: string | null;
  /** only when the provider says it verified the number (`<phone claim>_verified: true`) */
  verifiedPhone: string | null;
  /** only when `email_verified: true` */
  verifiedEmail: string | null;
}

type Claims = Record<string, unknown>;

const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,189}\.[^\s@]{1,63}$/;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

const text = (v: unknown): string | null => (typeof v === 'string' && v.trim() ? v.trim() : null);

/**
 * Maps the merged ID-token and userinfo claims through the configured claim names. Only a JSON
 * `true` counts as verified: a missing flag, `false` or the string "true" do not, so an identifier
 * the provider did not check can neither link an existing account nor be stored on a new one.
 * Values that fail our own rules (a bad check digit, a malformed number) are dropped, not stored.
 */
export function externalPerson(claims: Claims, names: OidcConfig['claims']): ExternalPerson | null {
  const subject = claims.sub;
  if (typeof subject !== 'string' || !/^[\x21-\x7E]{1,255}$/.test(subject)) return null;

  const rawId = names.nationalId ? text(claims[names.nationalId]) : null;
  const nationalId = rawId ? normaliseNationalId(rawId) : null;

  const rawName = text(claims[names.name]);
  const name = rawName && rawName.length <= 100 && !CONTROL.test(rawName) ? rawName : null;

  const rawPhone = text(claims[names.phone]);
  const phone =
    rawPhone && PHONE_PATTERN.test(rawPhone.replace(/[\s-]/g, '')) ? normalisePhone(rawPhone) : null;

  const rawEmail = text(claims.email);
  const email = rawEmail && rawEmail.length <= 254 && EMAIL.test(rawEmail) ? normaliseEmail(rawEmail) : null;

  return {
    subject,
    nationalId: nationalId && isValidNationalId(nationalId) ? nationalId : null,
    name,
    verifiedPhone: phone && claims[`${names.phone}_verified`] === true ? phone : null,
    verifiedEmail: email && claims.email_verified === true ? email : null,
  };
}
