import type { NextFunction, Request, Response } from 'express';
import type { IncomingMessage } from 'node:http';
import { bodyTooComplex, BodyShapeLimits, DEFAULT_BODY_SHAPE } from '../errors/body-shape';
import { DomainError, FieldError } from '../errors/domain-error';
import { ErrorCode } from '../errors/error-code';
import { jsonTooComplex } from '../errors/json-shape';
import { isUsableText, unusableInput, unusableTextAt } from '../errors/unusable-input';

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
  /** BODY_MAX_* caps (config.bodyShape): structure first (413), then depth (400 maxDepth) */
  shape?: BodyShapeLimits;
  /**
   * Paths whose text is checked by their own transport (GraphQL, in graphql/input-text.ts, which
   * also sees string literals inside the document and answers in GraphQL's error shape).
   * Their bodies are still held to the shape caps and the depth.
   */
  textCheckedElsewhere?: string[];
}

/**
 * Runs after the body parsers, before any guard, pipe or handler: a body over a shape cap is a
 * 413 BODY_TOO_COMPLEX (see bodyTooComplex), and input no handler can use (see unusableInput) a
 * 400 VALIDATION_FAILED naming where, rather than a crash or a blocked event loop downstream.
 */
export function inputGuard({
  shape = DEFAULT_BODY_SHAPE,
  textCheckedElsewhere = [],
}: InputGuardOptions = {}) {
  return (req: Request, _res: Response, next: NextFunction): void => {
    const tooComplex = bodyTooComplex(req.body, shape);
    if (tooComplex) return next(tooComplex);
    const checkText = !textCheckedElsewhere.includes(req.path);
    const problem =
      (checkText ? urlProblem(req) : null) ?? unusableInput(req.body, shape.maxDepth, checkText);
    if (problem) return next(new DomainError(ErrorCode.ValidationFailed, { count: 1 }, [problem]));
    next();
  };
}

/**
 * express.json's `verify` hook: throws the refusal (413 BODY_TOO_COMPLEX, 400 maxDepth) for a body
 * over the BODY_MAX_* caps, read on its bytes before it is parsed. Bodies in another charset than
 * UTF-8 are left to inputGuard, after parsing.
 */
export function jsonShapeGuard(shape: BodyShapeLimits) {
  return (_req: IncomingMessage, _res: unknown, buf: Buffer, encoding: string): void => {
    if (encoding !== 'utf-8' && encoding !== 'utf8') return;
    const refusal = jsonTooComplex(buf, shape);
    if (refusal) throw refusal;
  };
}
