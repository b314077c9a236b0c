import type { AppConfig } from '../../config/config';
import { DomainError } from './domain-error';
import { ErrorCode } from './error-code';

export type BodyShapeLimits = AppConfig['bodyShape'];

/** The defaults of BODY_MAX_* (config.ts); for callers without a config, such as unit tests. */
export const DEFAULT_BODY_SHAPE: BodyShapeLimits = {
  maxKeysPerObject: 1000,
  maxArrayLength: 5000,
  maxMembers: 20_000,
  maxDepth: 32,
};

const pointerPart = (k: string | number) => String(k).replace(/~/g, '~0').replace(/\//g, '~1');

/** Which cap, under which setting, the rule code in the problem's `errors` and its message. */
const CAPS = {
  maxKeysPerObject: { setting: 'BODY_MAX_KEYS_PER_OBJECT', what: 'members in one object' },
  maxArrayLength: { setting: 'BODY_MAX_ARRAY_LENGTH', what: 'elements in one array' },
  maxMembers: { setting: 'BODY_MAX_MEMBERS', what: 'members in the whole body' },
} as const;

export type Cap = keyof typeof CAPS;

/** The 413 for `cap`, exceeded by the container at `pointer`: the problem names the setting and its value. */
export function bodyTooComplexError(cap: Cap, limits: BodyShapeLimits, pointer: string): DomainError {
  const { setting, what } = CAPS[cap];
  const limit = limits[cap];
  return new DomainError(ErrorCode.BodyTooComplex, { setting, limit, pointer: pointer || '/' }, [
    { pointer, code: cap, message: `more than ${limit} ${what} (${setting})` },
  ]);
}

/**
 * 413 BODY_TOO_COMPLEX when `value` (a parsed JSON body, GraphQL variables) has more members in one
 * object, more elements in one array or more members in all than the caps allow; null otherwise.
 *
 * Why: a body's cost downstream is not its byte size. Validation, class-transformer and ajv walk
 * every member, and any step that is not strictly linear in one object's keys (class-transformer's
 * key de-duplication was quadratic, see linear-keys.ts) turns 60,000 keys (769 KB, under
 * BODY_LIMIT_KB) into seconds of a blocked event loop for every client. The caps are far above any
 * real request and make whatever runs after them cheap whatever its complexity. One iterative pass,
 * counting each container before walking into it, so a refused body costs its size once.
 * JSON bodies are first checked on their bytes (json-shape.ts), before parsing; this walk covers
 * what arrives already parsed: GraphQL variables from a URL, form-encoded bodies.
 */
export function bodyTooComplex(value: unknown, limits: BodyShapeLimits): DomainError | null {
  const stack: Place[] = [{ value, parent: null, key: '' }];
  let members = 0;
  const refuse = (cap: Cap, place: Place) => bodyTooComplexError(cap, limits, pointerOf(place));
  while (stack.length) {
    const place = stack.pop()!;
    const v = place.value;
    if (Array.isArray(v)) {
      if (v.length > limits.maxArrayLength) return refuse('maxArrayLength', place);
      if ((members += v.length) > limits.maxMembers) return refuse('maxMembers', place);
      for (let i = 0; i < v.length; i++) {
        const child: unknown = v[i];
        if (child !== null && typeof child === 'object') stack.push({ value: child, parent: place, key: i });
      }
    } else if (v !== null && typeof v === 'object') {
      const keys = Object.keys(v);
      if (keys.length > limits.maxKeysPerObject) return refuse('maxKeysPerObject', place);
      if ((members += keys.length) > limits.maxMembers) return refuse('maxMembers', place);
      for (const k of keys) {
        const child = (v as Record<string, unknown>)[k];
        if (child !== null && typeof child === 'object') stack.push({ value: child, parent: place, key: k });
      }
    }
  }
  return null;
}

/** A container met on the walk; its pointer is spelled out only for a refusal (deep bodies stay linear). */
interface Place {
  value: unknown;
  parent: Place | null;
  key: string | number;
}

function pointerOf(place: Place): string {
  const parts: string[] = [];
  for (let p: Place | null = place; p?.parent; p = p.parent) parts.push(pointerPart(p.key));
  return parts
    .reverse()
    .map((k) => `/${k}`)
    .join('');
}
