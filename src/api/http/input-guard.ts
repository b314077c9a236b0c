import type { NextFunction, Request, Response } from 'express';
import { DomainError, FieldError } from '../errors/domain-error';
import { ErrorCode } from '../errors/error-code';
import { isUsableText, MAX_INPUT_DEPTH, unusableInput, unusableTextAt } from '../errors/unusable-input';

/** Path (still percent-encoded here) or query values with unusable text, as a field error. */
function urlProblem(req: Request): FieldError | null {
  if (/%00/.test(req.path)) return unusableTextAt('');
  for (const [k, v] of Object.entries(req.query as Record<string, unknown>)) {
    const bad =
      !isUsableText(k) || (Array.isArray(v) ? v : [v]).some((x) => typeof x === 'string' && !isUsableText(x));
    if (bad) return unusableTextAt(`/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`);
  }
  return null;
}

export interface InputGuardOptions {
  maxDepth?: number;
  /**
   * Paths whose text is checked by their own transport (GraphQL, in graphql/input-text.ts, which
   * also sees string literals inside the document and answers in GraphQL's error shape).
   * Their bodies are still held to maxDepth.
   */
  textCheckedElsewhere?: string[];
}

/**
 * Runs after the body parsers, before any guard, pipe or handler: input no handler can use
 * (see unusableInput) is a 400 VALIDATION_FAILED naming where, rather than a crash downstream.
 */
export function inputGuard({
  maxDepth = MAX_INPUT_DEPTH,
  textCheckedElsewhere = [],
}: InputGuardOptions = {}) {
  return (req: Request, _res: Response, next: NextFunction): void => {
    const checkText = !textCheckedElsewhere.includes(req.path);
    const problem = (checkText ? urlProblem(req) : null) ?? unusableInput(req.body, maxDepth, checkText);
    if (problem) return next(new DomainError(ErrorCode.ValidationFailed, { count: 1 }, [problem]));
    next();
  };
}
