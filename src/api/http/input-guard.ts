import type { NextFunction, Request, Response } from 'express';
import { DomainError, FieldError } from '../errors/domain-error';
import { ErrorCode } from '../errors/error-code';

/** Deepest nesting a request body may have; real inputs (forms, GraphQL variables) stay far below it. */
export const MAX_BODY_DEPTH = 32;

const NUL = '\u0000';
const pointerPart = (k: string | number) => String(k).replace(/~/g, '~0').replace(/\//g, '~1');

/**
 * The first reason `body` cannot be taken, as a field error. Iterative on purpose: the recursive
 * walk in the validation pipe (class-transformer) overflowed the stack on a 5000-level body and
 * answered 500. NUL is refused because PostgreSQL text and jsonb cannot hold it: a NUL that got
 * past a DTO (search words, free JSON) became a database error and a 500.
 */
export function bodyProblem(body: unknown, maxDepth = MAX_BODY_DEPTH): FieldError | null {
  const stack: [unknown, number, string][] = [[body, 0, '']];
  while (stack.length) {
    const [v, depth, pointer] = stack.pop()!;
    if (typeof v === 'string') {
      if (v.includes(NUL)) return nulAt(pointer);
      continue;
    }
    if (v === null || typeof v !== 'object') continue;
    if (depth >= maxDepth) return { pointer, code: 'maxDepth', message: `nests deeper than ${maxDepth} levels` };
    for (const [k, child] of Array.isArray(v) ? v.entries() : Object.entries(v)) {
      const at = `${pointer}/${pointerPart(k)}`;
      if (typeof k === 'string' && k.includes(NUL)) return nulAt(at);
      if (child !== null && (typeof child === 'object' || typeof child === 'string')) stack.push([child, depth + 1, at]);
    }
  }
  return null;
}

const nulAt = (pointer: string): FieldError => ({
  pointer,
  code: 'noNulCharacter',
  message: 'must not contain the NUL character (U+0000)',
});

/** The query string and path (still percent-encoded at this point) with a NUL, as a field error. */
function urlProblem(req: Request): FieldError | null {
  if (/%00/.test(req.path)) return nulAt('');
  for (const [k, v] of Object.entries(req.query as Record<string, unknown>)) {
    if (k.includes(NUL) || (Array.isArray(v) ? v : [v]).some((x) => typeof x === 'string' && x.includes(NUL))) {
      return nulAt(`/${pointerPart(k)}`);
    }
  }
  return null;
}

/**
 * Runs after the body parsers, before any guard, pipe or handler, for REST and GraphQL alike:
 * input no handler can use is a 400 here rather than a crash somewhere downstream.
 */
export function inputGuard(maxDepth = MAX_BODY_DEPTH) {
  return (req: Request, _res: Response, next: NextFunction): void => {
    const problem = urlProblem(req) ?? bodyProblem(req.body, maxDepth);
    if (problem) return next(new DomainError(ErrorCode.ValidationFailed, { count: 1 }, [problem]));
    next();
  };
}
