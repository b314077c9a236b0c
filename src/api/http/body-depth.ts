import type { NextFunction, Request, Response } from 'express';
import { DomainError } from '../errors/domain-error';
import { ErrorCode } from '../errors/error-code';

/** Deepest nesting a request body may have; real inputs (forms, GraphQL variables) stay far below it. */
export const MAX_BODY_DEPTH = 32;

/**
 * True when objects/arrays in `value` nest deeper than `max`. Iterative on purpose: the recursive
 * walks downstream (class-transformer in the validation pipe) overflowed the stack on a
 * 5000-level body and answered 500.
 */
export function nestsDeeperThan(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth >= max) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) {
      if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
    }
  }
  return false;
}

/** Runs after the body parsers: a too-deep body is a 400 naming the limit, before any handler or pipe. */
export function bodyDepthLimit(max = MAX_BODY_DEPTH) {
  return (req: Request, _res: Response, next: NextFunction): void => {
    if (nestsDeeperThan(req.body, max)) {
      return next(
        new DomainError(ErrorCode.ValidationFailed, { count: 1 }, [
          { pointer: '', code: 'maxDepth', message: `the body nests deeper than ${max} levels` },
        ]),
      );
    }
    next();
  };
}
