import { Logger } from '@nestjs/common';
import { GraphQLError, GraphQLFormattedError } from 'graphql';
import { contextStore } from '../context/context-store';
import { DomainError } from '../errors/domain-error';
import { ErrorCode } from '../errors/error-code';
import { errorRegistry } from '../errors/error-registry';
import { renderProblem } from '../errors/problem';
import { limitReason, QueryLimitError, QUERY_LIMITS, TOO_MANY_TOKENS_RE } from './limits';

const DOMAIN_CODES = new Set<string>(Object.values(ErrorCode));

/** Apollo's codes for a request that never executed because it was malformed or invalid. */
const REQUEST_ERROR_CODES = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
]);

const logger = new Logger('GraphQL');

/**
 * The last word on every GraphQL error, so the `errors` array speaks the same code vocabulary
 * as REST problem+json: extensions are rebuilt from an allowlist (code, status, type, title,
 * errors), which also drops anything like `stacktrace`, `exception` or `originalError`.
 *
 * - errors the GlobalExceptionFilter rendered from a DomainError keep their extensions;
 * - limit rejections become QUERY_TOO_COMPLEX with a reason in the caller's language;
 * - parse/validation/variable/request errors become VALIDATION_FAILED with graphql's message;
 * - anything else becomes INTERNAL with no detail of its own (and is logged here).
 */
export function formatGraphqlError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const ctx = contextStore.current();
  const lang = ctx?.language ?? 'zh-CN';
  const requestId = ctx?.requestId ?? 'unknown';
  const code = formatted.extensions?.code;
  /** Our problem fields for `err`; the message is its localized detail unless given. */
  const answer = (err: DomainError, message?: string): GraphQLFormattedError => {
    const p = renderProblem(err, lang, undefined, requestId);
    return {
      message: message ?? p.detail,
      ...(formatted.locations && { locations: formatted.locations }),
      ...(formatted.path && { path: formatted.path }),
      extensions: {
        code: p.code,
        status: p.status,
        type: p.type,
        title: p.title,
        ...(p.errors && { errors: p.errors }),
      },
    };
  };

  const tooManyTokens = code === 'GRAPHQL_PARSE_FAILED' && TOO_MANY_TOKENS_RE.test(formatted.message);
  const limit =
    limitErrorOf(error) ??
    (tooManyTokens ? new QueryLimitError('tokens', QUERY_LIMITS.maxTokens, null) : null);
  if (limit) {
    return answer(
      new DomainError(ErrorCode.QueryTooComplex, {
        reason: limitReason(lang, limit.kind, limit.max, limit.found),
      }),
    );
  }

  if (typeof code === 'string' && (DOMAIN_CODES.has(code) || errorRegistry.has(code))) {
    // Already rendered (and localized) by the GlobalExceptionFilter: keep it, allowlisted.
    const e = formatted.extensions ?? {};
    return {
      message: formatted.message,
      ...(formatted.locations && { locations: formatted.locations }),
      ...(formatted.path && { path: formatted.path }),
      extensions: {
        code,
        status: e.status,
        type: e.type,
        title: e.title,
        ...(e.errors ? { errors: e.errors } : {}),
        // DomainError extension members (problem.ts): allowlisted by name like the rest
        ...(typeof e.requiredAssurance === 'string' ? { requiredAssurance: e.requiredAssurance } : {}),
      },
    };
  }

  if (typeof code === 'string' && REQUEST_ERROR_CODES.has(code)) {
    // graphql's own message says what is wrong and where; it names only what the client sent.
    return answer(new DomainError(ErrorCode.ValidationFailed, { count: 1 }), formatted.message);
  }

  logger.error({ err: originalOf(error), requestId }, 'graphql request failed');
  return answer(new DomainError(ErrorCode.Internal));
}

/** Apollo wraps validation errors (and overwrites their code), keeping ours as originalError. */
function limitErrorOf(error: unknown): QueryLimitError | null {
  if (error instanceof QueryLimitError) return error;
  const original = error instanceof GraphQLError ? error.originalError : undefined;
  return original instanceof QueryLimitError ? original : null;
}

function originalOf(error: unknown): unknown {
  return error instanceof GraphQLError && error.originalError ? error.originalError : error;
}
