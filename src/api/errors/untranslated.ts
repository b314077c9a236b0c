/**
 * Finds what a translator missed in a message catalogue: Latin words in a Chinese message, Chinese
 * characters in an English one. Used by the catalogue specs (messages.spec.ts, form-errors.spec.ts)
 * so that a message like "未找到该service" cannot come back.
 */

/**
 * Latin tokens a Chinese message may keep: names of protocol fields and headers the caller must
 * send as written, standards and acronyms that Chinese text writes in Latin letters too.
 */
export const LATIN_ALLOWED = new Set([
  'API',
  'application/json',
  'ETag',
  'errors',
  'HTTP',
  'ID',
  'Idempotency-Key',
  'If-Match',
  'IP',
  'ISO',
  'JSON',
  'OIDC',
  'totp',
  'U+0000',
  'Unicode',
  'URL',
  'UUID',
  'YYYY-MM-DD',
]);

/** Placeholders ({field}) and date/time examples (2025-06-01T08:00:00Z) are not words. */
const NOT_WORDS = /\{\w+\}|\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2})?(?:Z|[+-]\d{2}:\d{2})?)?/g;
const LATIN_TOKEN = /[A-Za-z][A-Za-z0-9]*(?:[-+/][A-Za-z0-9]+)*/g;

/** The Latin words of a Chinese message that are not on the allowlist. */
export function untranslatedLatin(message: string): string[] {
  return (message.replace(NOT_WORDS, ' ').match(LATIN_TOKEN) ?? []).filter((w) => !LATIN_ALLOWED.has(w));
}

/** The CJK characters (and full-width punctuation) of an English message. */
export function untranslatedCjk(message: string): string[] {
  return message.match(/[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]/gu) ?? [];
}
