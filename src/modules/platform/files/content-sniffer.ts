/**
 * What a file is, decided from its bytes (magic numbers), never from its name or the type the client
 * declared: a declared type is only checked against what the bytes say. The allow-list is small on
 * purpose: what government forms and scans come as (PDF, PNG, JPEG, and OFD, China's fixed-layout
 * format GB/T 33190, a zip container whose root holds OFD.xml).
 */

export const ALLOWED_TYPES = ['application/pdf', 'image/png', 'image/jpeg', 'application/ofd'] as const;
export type AllowedType = (typeof ALLOWED_TYPES)[number];

/** Declared types that say nothing about the content: the sniffed type is taken as is. */
const GENERIC_TYPES = new Set(['', 'application/octet-stream', 'binary/octet-stream', 'application/unknown']);

/** Other names clients give the allowed types. */
const ALIASES: Record<string, AllowedType> = {
  'application/x-pdf': 'application/pdf',
  'image/jpg': 'image/jpeg',
  'image/pjpeg': 'image/jpeg',
  'image/x-png': 'image/png',
  'application/x-ofd': 'application/ofd',
};

export type RejectReason =
  'empty' | 'executable' | 'markup' | 'unknown' | 'zip-not-ofd' | 'type-mismatch' | 'type-not-allowed';

export type SniffResult = { ok: true; type: AllowedType } | { ok: false; reason: RejectReason };

/** How many leading and trailing bytes sniff() wants (the tail holds a zip's central directory). */
export const SNIFF_HEAD_BYTES = 64 * 1024;
export const SNIFF_TAIL_BYTES = 128 * 1024;

const starts = (buf: Buffer, sig: number[] | string, at = 0): boolean => {
  const bytes = typeof sig === 'string' ? Buffer.from(sig, 'latin1') : Buffer.from(sig);
  return buf.length >= at + bytes.length && buf.subarray(at, at + bytes.length).equals(bytes);
};

/** Windows PE, ELF, Mach-O (both byte orders, fat), Java class, WebAssembly, scripts with a shebang. */
const EXECUTABLE_SIGNATURES: Array<number[] | string> = [
  'MZ',
  [0x7f, 0x45, 0x4c, 0x46],
  [0xfe, 0xed, 0xfa, 0xce],
  [0xfe, 0xed, 0xfa, 0xcf],
  [0xce, 0xfa, 0xed, 0xfe],
  [0xcf, 0xfa, 0xed, 0xfe],
  [0xca, 0xfe, 0xba, 0xbe],
  [0x00, 0x61, 0x73, 0x6d],
  '#!',
];

/** HTML, SVG and XML run script or style in a browser that renders them: a stored-XSS vehicle. */
function looksLikeMarkup(head: Buffer): boolean {
  let text = head.subarray(0, 1024).toString('utf8');
  if (head[0] === 0xff && head[1] === 0xfe) text = head.subarray(2, 2048).toString('utf16le');
  text = text
    .replace(/^\uFEFF/, '')
    .trimStart()
    .toLowerCase();
  return /^<(!doctype|html|head|body|svg|\?xml|script|iframe|!--|[a-z]+[\s>/])/.test(text);
}

/** The zip entry names found in the central directory (if it lies within the tail) and the first local header. */
export function zipEntryNames(head: Buffer, tail: Buffer, size: number): string[] {
  const names: string[] = [];
  // End of central directory record: signature PK\5\6, at least 22 bytes from the end.
  for (let i = tail.length - 22; i >= 0 && i >= tail.length - 22 - 65535; i--) {
    if (tail.readUInt32LE(i) !== 0x06054b50) continue;
    const cdSize = tail.readUInt32LE(i + 12);
    const cdOffset = tail.readUInt32LE(i + 16);
    const tailStart = size - tail.length;
    let p = cdOffset - tailStart;
    if (p < 0 || cdOffset + cdSize > size) break;
    const end = p + cdSize;
    while (p + 46 <= end && p + 46 <= tail.length && tail.readUInt32LE(p) === 0x02014b50) {
      const nameLen = tail.readUInt16LE(p + 28);
      const extraLen = tail.readUInt16LE(p + 30);
      const commentLen = tail.readUInt16LE(p + 32);
      names.push(tail.subarray(p + 46, p + 46 + nameLen).toString('utf8'));
      p += 46 + nameLen + extraLen + commentLen;
    }
    break;
  }
  // The first local file header: OFD writers put OFD.xml first.
  if (head.length >= 30 && head.readUInt32LE(0) === 0x04034b50) {
    const nameLen = head.readUInt16LE(26);
    names.push(head.subarray(30, 30 + nameLen).toString('utf8'));
  }
  return names;
}

/**
 * The type of a file from its first SNIFF_HEAD_BYTES, its last SNIFF_TAIL_BYTES and its size. The
 * executable and markup checks come first so a polyglot never passes as an image.
 */
export function sniff(head: Buffer, tail: Buffer, size: number): SniffResult {
  if (size === 0) return { ok: false, reason: 'empty' };
  if (EXECUTABLE_SIGNATURES.some((sig) => starts(head, sig))) return { ok: false, reason: 'executable' };
  if (starts(head, '%PDF-')) return { ok: true, type: 'application/pdf' };
  if (starts(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return { ok: true, type: 'image/png' };
  if (starts(head, [0xff, 0xd8, 0xff])) return { ok: true, type: 'image/jpeg' };
  if (starts(head, [0x50, 0x4b, 0x03, 0x04])) {
    return zipEntryNames(head, tail, size).includes('OFD.xml')
      ? { ok: true, type: 'application/ofd' }
      : { ok: false, reason: 'zip-not-ofd' };
  }
  if (looksLikeMarkup(head)) return { ok: false, reason: 'markup' };
  return { ok: false, reason: 'unknown' };
}

/** The declared media type without parameters, lower-cased; '' when none. */
export function normaliseDeclaredType(declared: string | null | undefined): string {
  return (declared ?? '').split(';')[0].trim().toLowerCase();
}

/**
 * Checked before the bytes are read: a declared type outside the allow-list (text/html,
 * image/svg+xml, application/x-msdownload…) is refused at once. Generic types pass.
 */
export function declaredTypeAcceptable(declared: string): boolean {
  const t = normaliseDeclaredType(declared);
  return GENERIC_TYPES.has(t) || (ALLOWED_TYPES as readonly string[]).includes(t) || t in ALIASES;
}

/** The sniffed type must be the declared one (or an alias of it) unless the declaration was generic. */
export function declaredMatches(declared: string, sniffed: AllowedType): boolean {
  const t = normaliseDeclaredType(declared);
  return GENERIC_TYPES.has(t) || t === sniffed || ALIASES[t] === sniffed;
}

export const EXTENSION: Record<AllowedType, string> = {
  'application/pdf': 'pdf',
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'application/ofd': 'ofd',
};

export const MAX_FILE_NAME = 200;

/** Extensions that already name a type: a name ending in one of them keeps it (`.JPEG` stays). */
const KNOWN_EXTENSIONS: Record<AllowedType, string[]> = {
  'application/pdf': ['pdf'],
  'image/png': ['png'],
  'image/jpeg': ['jpg', 'jpeg', 'jpe'],
  'application/ofd': ['ofd'],
};

/** What reads as an extension (`.html`, `.exe`, `.tar`): up to 10 letters and digits, one letter at least. */
const EXTENSION_LIKE = /^(?=[0-9]*[a-z])[a-z0-9]{1,10}$/i;

/**
 * A name that is safe to store and to send back in Content-Disposition: the last path segment only,
 * no control or bidi-override characters, no leading dots, at most 200 characters, and ending in the
 * extension of the type the bytes were found to be. A browser or desktop that opens a download by
 * its name must not be told a PDF is `x.html` or a JPEG `photo.exe`: a wrong extension is replaced
 * (`x.html` → `x.pdf`), a missing one appended (`scan` → `scan.png`, `v1.2` → `v1.2.pdf`), the
 * base name kept. Empty results become `file.<ext>`.
 */
export function sanitiseFileName(raw: string | null | undefined, type: AllowedType): string {
  let name = (raw ?? '').normalize('NFC');
  name = name.split(/[/\\]/).pop() ?? '';
  // C0/C1 controls, DEL, bidi overrides and zero-width characters (a name that reads "gpj.exe" backwards).
  // eslint-disable-next-line no-control-regex
  name = name.replace(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g, '');
  name = name
    .replace(/[<>:"|?*]/g, '_')
    .trim()
    .replace(/^\.+/, '')
    .trim();
  const dot = name.lastIndexOf('.');
  const ext = dot > 0 ? name.slice(dot + 1) : '';
  const right = KNOWN_EXTENSIONS[type].includes(ext.toLowerCase());
  if (right || EXTENSION_LIKE.test(ext)) name = name.slice(0, dot);
  // What is left may end in dots or spaces ("x .html"): trimmed, so the name stays tidy.
  const base = name.replace(/[.\s]+$/, '');
  if (!base) return `file.${EXTENSION[type]}`;
  const suffix = right ? `.${ext}` : `.${EXTENSION[type]}`;
  const chars = [...base];
  const room = MAX_FILE_NAME - suffix.length;
  return (chars.length > room ? chars.slice(0, room).join('') : base) + suffix;
}
