import { HttpException, HttpStatus } from '@nestjs/common';
import { QueryFailedError } from 'typeorm';
import { foreignKeyViolation, isUniqueViolation } from '../../database/db-errors';
import type { Language } from '../context/request-context';
import { DomainError } from './domain-error';
import { ErrorCode, ErrorCodeName, problemType } from './error-code';
import { fieldMessage, localize } from './messages';

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  code: ErrorCodeName;
  requestId?: string;
  errors?: { pointer: string; code: string; message: string }[];
  /** IDENTITY_ASSURANCE_REQUIRED: the identity assurance the service needs (DomainError.extensions) */
  requiredAssurance?: string;
}

/** Turns anything thrown into a DomainError; unknown errors become INTERNAL (logged, never echoed). */
export function toDomainError(err: unknown): DomainError {
  if (err instanceof DomainError) return err;
  // A refusal thrown from the JSON parser's verify hook (input-guard.ts), wrapped by Nest's adapter.
  if (err instanceof HttpException && err.cause instanceof DomainError) return err.cause;
  const parse = fromBodyParser(err) ?? (err instanceof HttpException ? fromBodyParser(err.cause) : null);
  if (parse) return parse;
  if (err instanceof HttpException) return fromHttpException(err);
  if (err instanceof QueryFailedError) {
    if (isUniqueViolation(err)) return new DomainError(ErrorCode.Conflict, { reason: 'duplicate' });
    // A foreign key refused the write: services check first, so this is a race with a delete, or a
    // RESTRICT parent still in use. The state conflicts with the request; nothing of the SQL leaves.
    const fk = foreignKeyViolation(err);
    if (fk) return new DomainError(ErrorCode.Conflict, { reason: fk });
    const code = (err.driverError as { code?: string } | undefined)?.code;
    if (code === '40001' || code === '40P01')
      return new DomainError(ErrorCode.Conflict, { reason: 'concurrent update; retry' });
    // statement_timeout or lock_timeout: the database could not answer in time; a retry may succeed.
    if (code === '57014' || code === '55P03') return new DomainError(ErrorCode.ServiceUnavailable);
  }
  if (isConnectionError(err)) return new DomainError(ErrorCode.ServiceUnavailable);
  return new DomainError(ErrorCode.Internal);
}

/**
 * body-parser errors carry a `type`. Nest's Express adapter wraps them in an HttpException (the
 * original as `cause`) before any filter sees them, so both shapes are recognised here; otherwise
 * a malformed body came out as VALIDATION_FAILED with the parser's message, and 413 without its limit.
 */
function fromBodyParser(err: unknown): DomainError | null {
  const typed = err as { type?: unknown; limit?: unknown } | null | undefined;
  switch (typed?.type) {
    case 'entity.too.large':
    case 'parameters.too.many':
      return new DomainError(ErrorCode.PayloadTooLarge, {
        limit: typeof typed.limit === 'number' ? typed.limit : 0,
      });
    case 'entity.parse.failed':
      return new DomainError(ErrorCode.MalformedJson);
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new DomainError(ErrorCode.UnsupportedMediaType);
    default:
      return null;
  }
}

function isConnectionError(err: unknown): boolean {
  const msg = err instanceof Error ? err.message : '';
  const code = (err as { code?: string } | null)?.code ?? '';
  return (
    ['ECONNREFUSED', 'ECONNRESET', '57P01', '57P03', '08006', '08003', '08001'].includes(code) ||
    /timeout exceeded when trying to connect|Connection terminated|connection is closed|not queryable/i.test(
      msg,
    )
  );
}

function fromHttpException(err: HttpException): DomainError {
  const status = err.getStatus();
  switch (status as HttpStatus) {
    case HttpStatus.NOT_FOUND:
      return new DomainError(ErrorCode.RouteNotFound);
    case HttpStatus.PAYLOAD_TOO_LARGE:
      return new DomainError(ErrorCode.PayloadTooLarge);
    case HttpStatus.UNAUTHORIZED:
      return new DomainError(ErrorCode.Unauthenticated);
    case HttpStatus.FORBIDDEN:
      return new DomainError(ErrorCode.Forbidden);
    case HttpStatus.UNSUPPORTED_MEDIA_TYPE:
      return new DomainError(ErrorCode.UnsupportedMediaType);
    case HttpStatus.TOO_MANY_REQUESTS:
      return new DomainError(ErrorCode.RateLimited, { retryAfter: 60 });
    default: {
      if (status >= 400 && status < 500) {
        const res = err.getResponse();
        const message =
          typeof res === 'object' && res && 'message' in res ? String(res.message) : err.message;
        return new DomainError(ErrorCode.ValidationFailed, { count: 1 }, [
          { pointer: '', code: 'invalid', message },
        ]);
      }
      return new DomainError(ErrorCode.Internal);
    }
  }
}

/** The documented bound of `instance` (the Problem schema in openapi-conventions.ts). */
export const INSTANCE_MAX_LENGTH = 2048;
/** Not allowed as is in a URI path (RFC 3986 pchar and `/`), or a `%` that starts no escape. */
const NOT_URI_PATH = /[^A-Za-z0-9\-._~!$&'()*+,;=:@/%]|%(?![0-9A-Fa-f]{2})/gu;

/**
 * `instance` as the schema promises it: a URI reference of at most 2048 characters. The request path
 * is echoed with anything a URI may not hold percent-encoded, and a longer path is cut (never in the
 * middle of an escape): it names the request for support, it is not a link to follow.
 */
export function problemInstance(path: string | undefined): string | undefined {
  if (path === undefined) return undefined;
  const uri = path.replace(NOT_URI_PATH, (c) =>
    [...Buffer.from(/\p{Surrogate}/u.test(c) ? '\uFFFD' : c, 'utf8')]
      .map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`)
      .join(''),
  );
  return uri.length <= INSTANCE_MAX_LENGTH
    ? uri
    : uri.slice(0, INSTANCE_MAX_LENGTH).replace(/%[0-9A-F]?$/i, '');
}

export function renderProblem(
  err: DomainError,
  lang: Language,
  instance: string | undefined,
  requestId: string,
): Problem {
  const text = localize(lang, err.code, { count: err.errors.length, requestId, ...err.params });
  const problem: Problem = {
    type: problemType(err.code),
    title: text.title,
    status: err.status,
    detail: text.detail,
    instance: problemInstance(instance),
    code: err.code,
    requestId,
    ...err.extensions,
  };
  if (err.errors.length) {
    problem.errors = err.errors.map((e) => ({
      pointer: e.pointer,
      code: e.code,
      message: fieldMessage(lang, e.code, e.message),
    }));
  }
  return problem;
}
