// Validation of PRC resident identity numbers (GB 11643-1999) and unified social credit codes (GB 32100-2015).
// Pure functions: no I/O, no framework, safe to use from DTO validators, transformers and seed scripts.

/** ISO 7064 MOD 11-2 weights for positions 1..17 (2^(18-i) mod 11). */
const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
/** Check character indexed by (weighted sum mod 11). */
const ID_CHECK_MAP = '10X98765432';

/**
 * Province-level region codes (first two digits) that can legitimately appear in an 18-character ID: mainland
 * provinces by region (North, NE, East, Central-South, SW, NW), then 71 Taiwan, 81 Hong Kong, 82 Macao,
 * 83 and 91 (permit and foreigner ranges).
 */
const PROVINCE_CODE_LIST =
  '11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 61 62 63 64 65 71 81 82 83 91';
const PROVINCE_CODES: ReadonlySet<string> = new Set(PROVINCE_CODE_LIST.split(' '));

/** Births are in China Standard Time (UTC+8, no DST), so "today" is computed there, not in the server's zone. */
const CHINA_UTC_OFFSET_MS = 8 * 60 * 60 * 1000;
const MIN_BIRTH_YEAR = 1900;

/**
 * Canonical form used for validation, storage and blind indexing: surrounding whitespace removed and a
 * trailing lower-case `x` upper-cased. Anything else is left as-is so that invalid input stays invalid.
 */
export function normaliseNationalId(s: string): string {
  const trimmed = s.trim();
  return trimmed.endsWith('x') ? `${trimmed.slice(0, -1)}X` : trimmed;
}

/** Check character for the first 17 digits of an ID number. Throws on anything but exactly 17 ASCII digits. */
export function nationalIdCheckChar(first17: string): string {
  if (!/^\d{17}$/.test(first17)) {
    throw new RangeError('nationalIdCheckChar expects exactly 17 digits');
  }
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    sum += (first17.charCodeAt(i) - 48) * ID_WEIGHTS[i];
  }
  return ID_CHECK_MAP[sum % 11];
}

/**
 * True when `s` is an 18-character ID in canonical form (see `normaliseNationalId`) with a known province
 * code, a real calendar birth date in [1900-01-01, today] and a correct MOD 11-2 check character.
 * Deliberately strict about form: callers normalise first so the validated string is the one stored/indexed.
 * Legacy 15-digit IDs (expired since 2013) are not accepted. `now` is injectable for tests.
 */
export function isValidNationalId(s: string, now: Date = new Date()): boolean {
  if (typeof s !== 'string' || !/^\d{17}[\dX]$/.test(s)) return false;
  if (!PROVINCE_CODES.has(s.slice(0, 2))) return false;
  if (!isPlausibleBirthDate(s.slice(6, 14), now)) return false;
  return nationalIdCheckChar(s.slice(0, 17)) === s[17];
}

function isPlausibleBirthDate(yyyymmdd: string, now: Date): boolean {
  const year = Number(yyyymmdd.slice(0, 4));
  const month = Number(yyyymmdd.slice(4, 6));
  const day = Number(yyyymmdd.slice(6, 8));
  if (year < MIN_BIRTH_YEAR || month < 1 || month > 12 || day < 1) return false;
  // Date.UTC rolls 02-30 over to 03-02; a round-trip comparison rejects such non-dates (and handles leap years).
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) {
    return false;
  }
  const todayInChina = new Date(now.getTime() + CHINA_UTC_OFFSET_MS)
    .toISOString()
    .slice(0, 10)
    .replace(/-/g, '');
  return yyyymmdd <= todayInChina;
}

// ---------------------------------------------------------------------------------------------------------
// Unified social credit code (统一社会信用代码), GB 32100-2015
// ---------------------------------------------------------------------------------------------------------

/** 31-character alphabet: digits plus upper-case letters without I, O, Z, S, V (easily confused). */
const USCC_CHARSET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
/** Weights 3^(i) mod 31 for positions 1..17. */
const USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28] as const;
const USCC_PATTERN = /^[0-9A-HJ-NPQRTUWXY]{18}$/;

/** Canonical form of a credit code: trimmed and upper-cased (the charset has no lower-case letters). */
export function normaliseUnifiedSocialCreditCode(s: string): string {
  return s.trim().toUpperCase();
}

/** Check character for the first 17 characters of a credit code. Throws on length or charset violations. */
export function uniformCodeCheckChar(first17: string): string {
  if (first17.length !== 17) {
    throw new RangeError('uniformCodeCheckChar expects exactly 17 characters');
  }
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const value = USCC_CHARSET.indexOf(first17[i]);
    if (value < 0) {
      throw new RangeError(
        `uniformCodeCheckChar: character at position ${i + 1} is outside the GB 32100 charset`,
      );
    }
    sum += value * USCC_WEIGHTS[i];
  }
  const check = 31 - (sum % 31);
  return USCC_CHARSET[check === 31 ? 0 : check];
}

/** True when `s` is an 18-character credit code in canonical (upper-case) form with a correct check character. */
export function isValidUnifiedSocialCreditCode(s: string): boolean {
  if (typeof s !== 'string' || !USCC_PATTERN.test(s)) return false;
  return uniformCodeCheckChar(s.slice(0, 17)) === s[17];
}
