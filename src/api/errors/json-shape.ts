import { bodyTooComplexError, BodyShapeLimits } from './body-shape';
import { DomainError } from './domain-error';
import { ErrorCode } from './error-code';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const isSpace = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

interface Frame {
  array: boolean;
  /** members (object) or elements (array) started so far */
  count: number;
  /** true right after `{`, `[` or `,`: the next token starts a member */
  awaiting: boolean;
  /** the latest key of an object, as offsets of its quoted text (decoded only for a refusal) */
  keyStart: number;
  keyEnd: number;
}

/**
 * The BODY_MAX_* caps checked on the raw bytes of a JSON body, before JSON.parse builds anything
 * (the JSON parser's `verify` hook). Building the objects is itself the cost: in Node 24,
 * JSON.parse of one object with 60,000 keys takes 60 to 200 ms, so a refusal after parsing still
 * held the event loop far longer than a request should. One pass over the bytes, no allocation
 * per member: structural characters are ASCII and never occur inside a multi-byte UTF-8 sequence,
 * and strings are skipped with their escapes. Malformed JSON is left to JSON.parse (400).
 * Refuses like bodyTooComplex (413 BODY_TOO_COMPLEX) and, past BODY_MAX_DEPTH, like unusableInput
 * (400 VALIDATION_FAILED maxDepth), with a JSON pointer to the container at fault.
 */
export function jsonTooComplex(buf: Uint8Array, limits: BodyShapeLimits): DomainError | null {
  const stack: Frame[] = [];
  let members = 0;
  const pointer = (): string => pointerOf(buf, stack);
  for (let i = 0; i < buf.length; i++) {
    const c = buf[i];
    if (isSpace(c)) continue;
    const top = stack[stack.length - 1];
    if (c === COMMA || c === COLON) {
      if (top && c === COMMA) top.awaiting = true;
      continue;
    }
    if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      stack.pop();
      continue;
    }
    const startsMember = top?.awaiting === true;
    if (startsMember) {
      top.awaiting = false;
      top.count++;
      if (top.count > (top.array ? limits.maxArrayLength : limits.maxKeysPerObject))
        return bodyTooComplexError(top.array ? 'maxArrayLength' : 'maxKeysPerObject', limits, pointer());
      if (++members > limits.maxMembers) return bodyTooComplexError('maxMembers', limits, pointer());
    }
    if (c === QUOTE) {
      const start = i;
      for (i++; i < buf.length && buf[i] !== QUOTE; i++) if (buf[i] === BACKSLASH) i++;
      // The string that starts a member of an object is its key.
      if (startsMember && !top.array) {
        top.keyStart = start;
        top.keyEnd = i;
      }
    } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      stack.push({ array: c === OPEN_ARRAY, count: 0, awaiting: true, keyStart: -1, keyEnd: -1 });
      if (stack.length > limits.maxDepth) {
        const at = pointer();
        return new DomainError(ErrorCode.ValidationFailed, { count: 1 }, [
          { pointer: at, code: 'maxDepth', message: `nests deeper than ${limits.maxDepth} levels` },
        ]);
      }
    }
  }
  return null;
}

const pointerPart = (k: string) => k.replace(/~/g, '~0').replace(/\//g, '~1');

/** The JSON pointer of the innermost open container, from each frame's current member. */
function pointerOf(buf: Uint8Array, stack: Frame[]): string {
  let out = '';
  for (let d = 0; d < stack.length - 1; d++) {
    const f = stack[d];
    if (f.array) out += `/${f.count - 1}`;
    else out += `/${pointerPart(decodeKey(buf, f))}`;
  }
  return out;
}

function decodeKey(buf: Uint8Array, f: Frame): string {
  try {
    return JSON.parse(Buffer.from(buf.subarray(f.keyStart, f.keyEnd + 1)).toString('utf8')) as string;
  } catch {
    return '';
  }
}
