import {
  nationalIdCheckChar,
  uniformCodeCheckChar,
} from '../../../src/modules/platform/identity/personal-data/national-id';
import type { Rng } from './prng';

/**
 * Values that pass the domain's own validators (check digits, phone shape, real ids from the
 * suite's fixtures), so the fuzzer's "valid" samples get past validation into the services.
 * Chosen by field name; `hints` holds ids and codes that exist in the database.
 */
export type Hints = Record<string, string[]>;

const digits = (rng: Rng, n: number) => Array.from({ length: n }, () => rng.int(10)).join('');

export function nationalId(rng: Rng): string {
  const first17 = `110105${1950 + rng.int(60)}0${1 + rng.int(9)}1${rng.int(10)}${digits(rng, 3)}`;
  return first17 + nationalIdCheckChar(first17);
}

export function uscc(rng: Rng): string {
  const first17 = `91110000${digits(rng, 9)}`;
  return first17 + uniformCodeCheckChar(first17);
}

const FIELD_VALUES: [RegExp, (rng: Rng) => string][] = [
  [/^(nationalId|holderIdNumber|idNumber)$/i, nationalId],
  [/^(uscc|unifiedSocialCreditCode)$/i, uscc],
  [/^(phone|mobile)$/i, (rng) => `13${digits(rng, 9)}`],
  [/^(expiresAt|validUntil)$/, () => new Date(Date.now() + 30 * 86_400_000).toISOString()],
  [/^validFrom$/, () => new Date(Date.now() + 60_000).toISOString()],
];

/** A domain-valid value for a field called `name`, if there is one. */
export function domainValue(name: string | undefined, rng: Rng, hints: Hints): string | undefined {
  if (!name) return undefined;
  const known = hints[name];
  if (known?.length) return rng.pick(known);
  return FIELD_VALUES.find(([re]) => re.test(name))?.[1](rng);
}

/** A value for the simple anchored patterns DTOs use (`^[0-9A-Fa-f]{64}$`, `^\d{6}$`). */
export function patternValue(pattern: string | undefined, rng: Rng): string | undefined {
  const m = pattern && /^\^(\[0-9A-Fa-f\]|\[0-9a-f\]|\\d|\[0-9\])\{(\d+)\}\$$/.exec(pattern);
  if (!m) return undefined;
  const n = Number(m[2]);
  return m[1].includes('a-f') || m[1].includes('A-F')
    ? Array.from({ length: n }, () => rng.int(16).toString(16)).join('')
    : digits(rng, n);
}
