import type { Condition } from './workflow-spec';

/** What a guard sees: the subject's form data and a summary of the case. */
export interface GuardDocument {
  form: Record<string, unknown>;
  case: Record<string, unknown>;
}

/** Reads a JSON pointer (RFC 6901) from a document; undefined when any step is missing. */
export function readPointer(doc: unknown, pointer: string): unknown {
  if (pointer === '') return doc;
  if (!pointer.startsWith('/')) return undefined;
  let cur: unknown = doc;
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (cur === null || typeof cur !== 'object') return undefined;
    if (Array.isArray(cur)) {
      if (!/^(0|[1-9]\d*)$/.test(key)) return undefined;
      cur = cur[Number(key)];
    } else {
      if (!Object.prototype.hasOwnProperty.call(cur, key)) return undefined;
      cur = (cur as Record<string, unknown>)[key];
    }
  }
  return cur;
}

function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a === 'object' && typeof b === 'object' && a !== null && b !== null)
    return JSON.stringify(a) === JSON.stringify(b);
  return false;
}

/** Ordering only between two numbers or two strings; anything else compares as false. */
function compare(a: unknown, b: unknown): number | null {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  return null;
}

/**
 * Evaluates a guard. Pure and total: a missing path, a type mismatch or an unknown operator makes
 * the comparison false (never an exception), so a badly written guard blocks the action instead of
 * failing the request. Nesting deeper than 32 levels makes the whole guard false.
 */
export function evaluateCondition(condition: Condition, doc: GuardDocument): boolean {
  try {
    return evaluate(condition, doc, 0);
  } catch (err) {
    if (err instanceof TooDeep) return false;
    throw err;
  }
}

class TooDeep extends Error {}
const MAX_DEPTH = 32;

function evaluate(condition: Condition, doc: GuardDocument, depth: number): boolean {
  // Thrown, not answered false: under an odd number of `not`s a false would turn into true.
  if (depth > MAX_DEPTH) throw new TooDeep('guard nested too deeply');
  if ('all' in condition) return condition.all.every((c) => evaluate(c, doc, depth + 1));
  if ('any' in condition) return condition.any.some((c) => evaluate(c, doc, depth + 1));
  if ('not' in condition) return !evaluate(condition.not, doc, depth + 1);
  const value = readPointer(doc, condition.path);
  const expected = condition.value;
  switch (condition.op) {
    case 'exists':
      return value !== undefined && value !== null;
    case 'eq':
      return same(value, expected);
    case 'ne':
      return !same(value, expected);
    case 'in':
      return Array.isArray(expected) && expected.some((e) => same(value, e));
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte': {
      const c = compare(value, expected);
      if (c === null) return false;
      return condition.op === 'gt'
        ? c > 0
        : condition.op === 'gte'
          ? c >= 0
          : condition.op === 'lt'
            ? c < 0
            : c <= 0;
    }
    default:
      return false;
  }
}
