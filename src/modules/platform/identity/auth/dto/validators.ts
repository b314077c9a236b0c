import { Transform } from 'class-transformer';
import { ValidateBy, ValidationOptions } from 'class-validator';
import {
  isValidNationalId,
  isValidUnifiedSocialCreditCode,
  normaliseNationalId,
  normaliseUnifiedSocialCreditCode,
} from '../../personal-data/national-id';

/** 18-character resident ID (GB 11643): known province, real birth date, MOD 11-2 check character. */
export function IsNationalId(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isNationalId',
      validator: {
        validate: (v: unknown) => typeof v === 'string' && isValidNationalId(v),
        defaultMessage: () => '$property must be a valid 18-character national ID number',
      },
    },
    options,
  );
}

/** 18-character unified social credit code (GB 32100) with a correct check character. */
export function IsUnifiedSocialCreditCode(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isUnifiedSocialCreditCode',
      validator: {
        validate: (v: unknown) => typeof v === 'string' && isValidUnifiedSocialCreditCode(v),
        defaultMessage: () => '$property must be a valid 18-character unified social credit code',
      },
    },
    options,
  );
}

/** Trims and upper-cases a trailing x, so the validated string is the one stored and indexed. */
export const NormaliseNationalId = (): PropertyDecorator =>
  Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' ? normaliseNationalId(value) : value,
  );

export const NormaliseCreditCode = (): PropertyDecorator =>
  Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' ? normaliseUnifiedSocialCreditCode(value) : value,
  );

/** Printable text without control characters (names shown to staff and on screens). */
export const PLAIN_TEXT = /^[^\p{Cc}\p{Cf}]+$/u;
