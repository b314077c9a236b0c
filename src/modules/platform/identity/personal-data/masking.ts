// Display masking for personal data in API responses and logs (PIPL Art. 6/51: masked by default).
// Works on Unicode code points so CJK names and astral characters are never split into broken halves.

const MASK = '*';

/**
 * Keeps `keepStart` leading and `keepEnd` trailing characters and replaces the rest with one `*` each
 * (length is preserved). If the value is too short to hide at least one character, everything is masked:
 * a mask that reveals the whole value would be worse than an unhelpful one.
 */
export function maskMiddle(s: string, keepStart: number, keepEnd: number): string {
  if (!Number.isInteger(keepStart) || !Number.isInteger(keepEnd) || keepStart < 0 || keepEnd < 0) {
    throw new RangeError('maskMiddle: keepStart and keepEnd must be non-negative integers');
  }
  const chars = Array.from(s);
  if (chars.length <= keepStart + keepEnd) {
    return MASK.repeat(chars.length);
  }
  return (
    chars.slice(0, keepStart).join('') +
    MASK.repeat(chars.length - keepStart - keepEnd) +
    chars.slice(chars.length - keepEnd).join('')
  );
}

/** `110101199003071234` → `110***********1234`: province code and last four stay, birth date is hidden. */
export function maskNationalId(id: string): string {
  return maskMiddle(id.trim(), 3, 4);
}

/** `13812341234` → `138****1234`; a `+86`/`86` prefix is kept verbatim; other formats fall back to 3/4. */
export function maskPhone(phone: string): string {
  const trimmed = phone.trim();
  const mobile = /^(\+?86[- ]?)?(1\d{10})$/.exec(trimmed);
  if (mobile) {
    return (mobile[1] ?? '') + maskMiddle(mobile[2], 3, 4);
  }
  return maskMiddle(trimmed, 3, 4);
}

/**
 * `zhang.san@example.com` → `z***@example.com`. A fixed three stars hide the local part's length;
 * the domain is kept because it is rarely identifying and helps users recognise which address is meant.
 */
export function maskEmail(email: string): string {
  const trimmed = email.trim();
  const at = trimmed.lastIndexOf('@');
  const local = at < 0 ? trimmed : trimmed.slice(0, at);
  const domain = at < 0 ? '' : trimmed.slice(at);
  const first = Array.from(local)[0] ?? '';
  return `${first}${MASK.repeat(3)}${domain}`;
}

/** `张三丰` → `张**`, `张三` → `张*`; a single-character name is fully masked rather than shown. */
export function maskName(name: string): string {
  const chars = Array.from(name.trim());
  if (chars.length <= 1) {
    return MASK.repeat(chars.length);
  }
  return chars[0] + MASK.repeat(chars.length - 1);
}

/**
 * `浙江省杭州市西湖区文三路 90 号` → `浙江省杭州市********`: the first six characters (province and
 * city, what a reviewer needs to see the right unit has the case) stay, the street and number go.
 */
export function maskAddress(address: string): string {
  return maskMiddle(address.trim(), 6, 0);
}

/** The kinds of personal data a form field may be marked with (`x-personal`), each with its mask. */
export type PersonalDataKind = 'nationalId' | 'phone' | 'email' | 'address' | 'name';

const MASKS: Record<PersonalDataKind, (s: string) => string> = {
  nationalId: maskNationalId,
  phone: maskPhone,
  email: maskEmail,
  address: maskAddress,
  name: maskName,
};

/**
 * A personal value as staff see it by default: text masked by its kind; an object or array (an
 * address in parts) with every text inside masked the same way; numbers and booleans hidden.
 */
export function maskPersonal(kind: PersonalDataKind, value: unknown): unknown {
  if (typeof value === 'string') return MASKS[kind](value);
  if (Array.isArray(value)) return value.map((v) => maskPersonal(kind, v));
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskPersonal(kind, v)]));
  if (typeof value === 'number' || typeof value === 'boolean') return MASK.repeat(3);
  return value;
}
