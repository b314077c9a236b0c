import type { FieldError } from './domain-error';

/** Deepest nesting a request body or GraphQL variables may have; real inputs stay far below it. */
export const MAX_INPUT_DEPTH = 32;

const pointerPart = (k: string | number) => String(k).replace(/~/g, '~0').replace(/\//g, '~1');

/**
 * Text no handler can take: NUL, which PostgreSQL text and jsonb cannot hold (a NUL that got past a
 * DTO, in search words or free JSON, became a database error), and lone surrogates, which are not
 * Unicode (validator.js's isEmail threw URIError on one). Either way it was a 500.
 */
// With the u flag a surrogate pair is one code point, so \p{Cs} matches only a lone surrogate.
// eslint-disable-next-line no-control-regex
const UNUSABLE_RE = /[\u0000\p{Cs}]/u;
export const isUsableText = (s: string): boolean => !UNUSABLE_RE.test(s);

export const unusableTextAt = (pointer: string): FieldError => ({
  pointer,
  code: 'usableText',
  message: 'must be well-formed Unicode text without NUL (U+0000)',
});

/**
 * The first reason `value` (a parsed body, GraphQL variables) cannot be taken, as a field error:
 * nesting deeper than `maxDepth` or unusable text in a value or key. Iterative on purpose: the
 * recursive walk in the validation pipe (class-transformer) overflowed the stack on a 5000-level
 * body and answered 500.
 */
export function unusableInput(
  value: unknown,
  maxDepth = MAX_INPUT_DEPTH,
  checkText = true,
): FieldError | null {
  const stack: [unknown, number, string][] = [[value, 0, '']];
  while (stack.length) {
    const [v, depth, pointer] = stack.pop()!;
    if (typeof v === 'string') {
      if (checkText && !isUsableText(v)) return unusableTextAt(pointer);
      continue;
    }
    if (v === null || typeof v !== 'object') continue;
    if (depth >= maxDepth)
      return { pointer, code: 'maxDepth', message: `nests deeper than ${maxDepth} levels` };
    for (const [k, child] of Array.isArray(v) ? v.entries() : Object.entries(v)) {
      const at = `${pointer}/${pointerPart(k)}`;
      if (checkText && typeof k === 'string' && !isUsableText(k)) return unusableTextAt(at);
      if (child !== null && (typeof child === 'object' || typeof child === 'string'))
        stack.push([child, depth + 1, at]);
    }
  }
  return null;
}
