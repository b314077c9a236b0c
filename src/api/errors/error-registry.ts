import type { Language } from '../context/request-context';

/**
 * Error codes as modules declare them. The built-in `ErrorCode` enum keeps its status map and
 * message tables (error-code.ts, messages.ts); a module declares its own codes here, each with its
 * HTTP status and zh-CN/en title and detail, without editing those files. DomainError, the
 * problem+json renderer, the GraphQL error mapping and the message tests read both.
 */
declare const declared: unique symbol;
/** A code a module declared with declareErrorCodes (a plain string at run time). */
export type DeclaredErrorCode = string & { readonly [declared]: true };

export interface ErrorText {
  title: string;
  /** `{name}` placeholders are filled from DomainError.params */
  detail: string;
}

export interface ErrorSpec {
  /** SCREAMING_SNAKE_CASE, stable: clients branch on it; the problem `type` URI derives from it */
  code: string;
  status: number;
  'zh-CN': ErrorText;
  en: ErrorText;
}

const specs = new Map<string, ErrorSpec>();

/** Registers codes; the same code declared twice must say the same (a module loaded twice). */
export function registerErrorCodes(list: readonly ErrorSpec[]): void {
  for (const spec of list) {
    if (!/^[A-Z][A-Z0-9_]*$/.test(spec.code))
      throw new Error(`error code "${spec.code}" must be SCREAMING_SNAKE_CASE`);
    if (!Number.isInteger(spec.status) || spec.status < 400 || spec.status > 599)
      throw new Error(`error code ${spec.code}: status ${spec.status} is not an error status`);
    for (const lang of ['zh-CN', 'en'] as const)
      if (!spec[lang]?.title || !spec[lang]?.detail)
        throw new Error(`error code ${spec.code} needs a ${lang} title and detail`);
    const known = specs.get(spec.code);
    if (known && JSON.stringify(known) !== JSON.stringify(spec))
      throw new Error(`error code ${spec.code} is declared twice with different statuses or texts`);
    specs.set(spec.code, spec);
  }
}

/**
 * A module's error codes, keyed by the names its code uses: `const E = declareErrorCodes({ Full:
 * { code: 'ROOM_FULL', status: 409, 'zh-CN': {...}, en: {...} } })`, then `new DomainError(E.Full)`.
 */
export function declareErrorCodes<K extends string>(
  list: Record<K, ErrorSpec>,
): Record<K, DeclaredErrorCode> {
  registerErrorCodes(Object.values<ErrorSpec>(list));
  return Object.fromEntries(Object.entries<ErrorSpec>(list).map(([k, s]) => [k, s.code])) as Record<
    K,
    DeclaredErrorCode
  >;
}

const terms = new Map<string, Record<Language, string>>();

/**
 * Names a module's resources and other message parameters in both languages, so a not-found answer for a room
 * reads 未找到该会议室 in Chinese without editing the built-in TERMS table (messages.ts). The same
 * term declared twice must say the same.
 */
export function declareTerms(list: Record<string, Record<Language, string>>): void {
  for (const [term, names] of Object.entries(list)) {
    if (!names['zh-CN'] || !names.en) throw new Error(`term "${term}" needs a zh-CN and an en name`);
    const known = terms.get(term);
    if (known && (known['zh-CN'] !== names['zh-CN'] || known.en !== names.en))
      throw new Error(`term "${term}" is declared twice with different names`);
    terms.set(term, names);
  }
}

export const errorRegistry = {
  term(lang: Language, term: string): string | undefined {
    return terms.get(term)?.[lang];
  },
  codes(): string[] {
    return [...specs.keys()];
  },
  has(code: string): boolean {
    return specs.has(code);
  },
  status(code: string): number | undefined {
    return specs.get(code)?.status;
  },
  text(lang: Language, code: string): ErrorText | undefined {
    return specs.get(code)?.[lang];
  },
};
