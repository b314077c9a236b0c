// The content rules of an e-licence, shared by the DTO validators (HTTP edge) and the service (the
// workflow engine calls it directly, with values that may come from an applicant's form). Pure.

import { randomBytes } from 'node:crypto';
import type { FieldError } from '../../../api/errors/domain-error';
import { maskNationalId } from '../../platform/identity/personal-data/masking';
import {
  isValidNationalId,
  isValidUnifiedSocialCreditCode,
  normaliseNationalId,
  normaliseUnifiedSocialCreditCode,
} from '../../platform/identity/personal-data/national-id';

export const MAX_FIELDS = 50;
export const MAX_FIELD_KEY = 100;
export const MAX_FIELD_VALUE = 500;

/** Crockford base32: no I, L, O, U, so codes read aloud or typed from paper stay unambiguous. */
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export const VERIFICATION_CODE_LENGTH = 16;
export const VERIFICATION_CODE_RE = /^[0-9A-HJKMNP-TV-Z]{16}$/;

/** `n` random Crockford characters, 5 bits each (256 is a multiple of 32, so every character is uniform). */
export function randomBase32(n: number): string {
  return Array.from(randomBytes(n), (b) => CROCKFORD[b & 31]).join('');
}

/** 16 characters = 80 random bits: not guessable, even at the rate limit, for the life of the universe. */
export const newVerificationCode = (): string => randomBase32(VERIFICATION_CODE_LENGTH);

/**
 * What a person typed or a scanner read, in canonical form: upper case, separators removed, and the
 * letters Crockford reads as digits (I, L → 1; O → 0) mapped. Null when it cannot be a code.
 */
export function normaliseVerificationCode(raw: string): string | null {
  if (typeof raw !== 'string' || raw.length > 40) return null;
  const code = raw.toUpperCase().replace(/[\s-]/g, '').replace(/[IL]/g, '1').replace(/O/g, '0');
  return VERIFICATION_CODE_RE.test(code) ? code : null;
}

/** `<region>-<yyyy>-<10 random base32>`, e.g. 330100-2026-7KQ2M9XAB3: 50 random bits per region and year. */
export function newLicenceNumber(regionCode: string, issuedAt: Date): string {
  return `${regionCode}-${chinaDate(issuedAt).slice(0, 4)}-${randomBase32(10)}`;
}

/** Licence validity is in days of China Standard Time (UTC+8, no daylight saving). */
export function chinaDate(at: Date): string {
  return new Date(at.getTime() + 8 * 3_600_000).toISOString().slice(0, 10);
}

/** A real calendar day written YYYY-MM-DD (2026-02-30 is not one). */
export function isCalendarDate(s: unknown): s is string {
  if (typeof s !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

// eslint-disable-next-line no-control-regex
const CONTROL_RE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;
// eslint-disable-next-line no-control-regex
const CONTROL_OR_NEWLINE_RE = /[\u0000-\u001f\u007f]/;
const ID_CANDIDATE_RE = /(?<![0-9])[0-9]{17}[0-9Xx](?![0-9A-Za-z])/g;

/** True when the text carries a valid resident ID number: licence content is public, ID numbers never are. */
export function containsNationalId(s: string): boolean {
  for (const m of s.matchAll(ID_CANDIDATE_RE)) if (isValidNationalId(normaliseNationalId(m[0]))) return true;
  return false;
}

// A mainland mobile number or an e-mail address standing on its own (not inside a longer number).
const MOBILE_RE = /(?<![0-9])(?:\+?86[- ]?)?1[3-9][0-9]{9}(?![0-9])/;
const EMAIL_RE = /[^\s@]+@[^\s@]+\.[^\s@]+/;

/** True when the text carries a mobile number or an e-mail address: contacts are not for the public. */
export function containsContact(s: string): boolean {
  return MOBILE_RE.test(s) || EMAIL_RE.test(s);
}

/** Lone surrogates have no UTF-8 form: stored text would differ from the signed text. */
const isWellFormed = (s: string): boolean => Buffer.from(s, 'utf8').toString('utf8') === s;

/** Length in characters (code points), as a person counts them, not UTF-16 units. */
const charCount = (s: string): number => Array.from(s).length;

/**
 * The rule a free-text value breaks, or null: a string of 1…max characters, well formed, no control
 * characters (newlines only where multiline), no national ID number.
 */
export function textProblem(
  value: unknown,
  max: number,
  multiline = false,
): { code: string; message: string } | null {
  if (typeof value !== 'string') return { code: 'isString', message: 'must be a string' };
  if (value.trim().length === 0) return { code: 'isNotEmpty', message: 'must not be empty' };
  if (charCount(value) > max) return { code: 'maxLength', message: `must be at most ${max} characters` };
  if ((multiline ? CONTROL_RE : CONTROL_OR_NEWLINE_RE).test(value) || !isWellFormed(value))
    return { code: 'isText', message: 'must not contain control characters' };
  if (containsNationalId(value))
    return {
      code: 'noNationalId',
      message: 'must not contain a national ID number (licence content is public)',
    };
  if (containsContact(value))
    return {
      code: 'noContact',
      message: 'must not contain a phone number or e-mail address (licence content is public)',
    };
  return null;
}

const pointerToken = (key: string): string => key.replace(/~/g, '~0').replace(/\//g, '~1');

/** Every rule `fields` breaks, as field errors under `pointer` (at most one per key, capped at 50). */
export function fieldsProblems(fields: unknown, pointer = '/fields'): FieldError[] {
  if (
    fields === null ||
    typeof fields !== 'object' ||
    Array.isArray(fields) ||
    Object.getPrototypeOf(fields) !== Object.prototype
  )
    return [{ pointer, code: 'isObject', message: 'fields must be an object of strings' }];
  const entries = Object.entries(fields as Record<string, unknown>);
  if (entries.length > MAX_FIELDS)
    return [{ pointer, code: 'maxProperties', message: `fields may have at most ${MAX_FIELDS} entries` }];
  const errors: FieldError[] = [];
  for (const [key, value] of entries) {
    const at = `${pointer}/${pointerToken(key)}`;
    const keyIssue = textProblem(key, MAX_FIELD_KEY);
    const issue = keyIssue
      ? { ...keyIssue, message: `field name ${keyIssue.message}` }
      : textProblem(value, MAX_FIELD_VALUE, true);
    if (issue) errors.push({ pointer: at, code: issue.code, message: `${at.slice(1)} ${issue.message}` });
  }
  return errors;
}

/**
 * A resident ID number (GB 11643) or unified social credit code (GB 32100), masked to its first three
 * and last four characters; null when it is neither. The full number is never stored.
 */
export function maskHolderId(raw: string): string | null {
  const id = normaliseNationalId(raw);
  if (isValidNationalId(id)) return maskNationalId(id);
  const uscc = normaliseUnifiedSocialCreditCode(raw);
  if (isValidUnifiedSocialCreditCode(uscc)) return maskNationalId(uscc);
  return null;
}
