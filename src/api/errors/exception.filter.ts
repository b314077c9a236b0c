import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import { GraphQLError, GraphQLResolveInfo } from 'graphql';
import type { Request, Response } from 'express';
import { contextStore } from '../context/context-store';
import { DomainError } from './domain-error';
import { ErrorCode } from './error-code';
import { Problem, renderProblem, toDomainError } from './problem';
import { methodNotAllowed } from '../http/method-not-allowed';
import { pointersUnderArguments } from '../graphql/argument-pointers';

/** Retry-After on a 503 that does not name its own: long enough for a pool or a failover to recover. */
export const SERVICE_UNAVAILABLE_RETRY_AFTER_SECONDS = 5;

/**
 * A wire format of its own for refusals under a path prefix (Open311 GeoReport v2 under
 * /open311/v2): every refusal below 500 there, 429 excepted, is rendered by it instead of
 * problem+json, whoever raised it (body parser, guard, router, handler). Modules register one.
 */
export interface ErrorDialect {
  /** lower-case path prefix, e.g. `/open311/v2` */
  prefix: string;
  render(problem: Problem, path: string): { status: number; contentType: string; body: string };
}
const dialects: ErrorDialect[] = [];
export function registerErrorDialect(dialect: ErrorDialect): void {
  if (!dialects.some((d) => d.prefix === dialect.prefix)) dialects.push(dialect);
}

/**
 * One filter for every transport: REST gets RFC 9457 problem+json, GraphQL gets an error whose
 * extensions carry the same code. Unknown errors are logged with their stack and answered as
 * INTERNAL without any detail of their own.
 */
@Catch()
export class GlobalExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): unknown {
    let err = toDomainError(exception);
    const ctx = contextStore.current();
    const lang = ctx?.language ?? 'zh-CN';
    const requestId = ctx?.requestId ?? 'unknown';
    if (err.status >= 500) this.logger.error({ err: exception, requestId }, 'request failed');

    if (host.getType<string>() === 'graphql') {
      if (err.errors.length)
        err = new DomainError(
          err.code,
          err.params,
          pointersUnderArguments(err.errors, host.getArgByIndex<GraphQLResolveInfo | undefined>(3)),
          err.headers,
          err.extensions,
        );
      const problem = renderProblem(err, lang, undefined, requestId);
      return new GraphQLError(problem.detail, {
        extensions: {
          code: problem.code,
          status: problem.status,
          type: problem.type,
          title: problem.title,
          errors: problem.errors,
          ...err.extensions,
        },
      });
    }

    const http = host.switchToHttp();
    const req = http.getRequest<Request>();
    const res = http.getResponse<Response>();
    if (err.code === ErrorCode.RouteNotFound)
      err =
        methodNotAllowed(req) ??
        new DomainError(ErrorCode.RouteNotFound, { method: req.method, path: req.path });
    const problem = renderProblem(err, lang, req.originalUrl?.split('?')[0], requestId);
    if (res.headersSent) return;
    if (isTokenEndpoint(req) && problem.status < 500 && problem.status !== 429) {
      oauthRefusal(res, problem.status, problem.code);
      return;
    }
    const path = (req.originalUrl ?? req.url ?? '').split('?')[0];
    const dialect = dialects.find((d) => path.toLowerCase().startsWith(d.prefix));
    if (dialect && problem.status < 500 && problem.status !== 429) {
      const answer = dialect.render(problem, path);
      res.setHeader('Content-Language', lang);
      res.status(answer.status).type(answer.contentType).send(answer.body);
      return;
    }
    for (const [k, v] of Object.entries(err.headers)) res.setHeader(k, v);
    // Every 503 tells the client when to try again (database down, a provider down, shutting down).
    if (problem.status === 503 && !res.hasHeader('Retry-After'))
      res.setHeader('Retry-After', String(SERVICE_UNAVAILABLE_RETRY_AFTER_SECONDS));
    res.setHeader('Content-Language', lang);
    res.status(problem.status).type('application/problem+json').send(JSON.stringify(problem));
    return;
  }
}

/**
 * POST /v1/oauth/token answers every error in RFC 6749 §5.2 JSON, the shape OAuth client libraries
 * parse, including refusals made before its controller runs (a body the parser, the size limit or
 * the shape guard refuses, a malformed or unverifiable Authorization). Only 429 (rate limit) and
 * 5xx stay problem+json, as documented. The controller's own errors go through OAuthErrorFilter.
 */
export const TOKEN_ENDPOINT = '/v1/oauth/token';
const BASIC_CHALLENGE = 'Basic realm="onewindow", charset="UTF-8"';

function isTokenEndpoint(req: Request): boolean {
  const path = (req.originalUrl ?? req.url ?? '').split('?')[0].replace(/\/+$/, '').toLowerCase();
  return req.method === 'POST' && path === TOKEN_ENDPOINT;
}

function oauthRefusal(res: Response, status: number, code: string): void {
  // error_description holds %x20-21 / %x23-5B / %x5D-7E only (RFC 6749 §5.2): the code, in words.
  const description = `request refused: ${code.toLowerCase().replace(/[^a-z0-9]+/g, ' ')}`.trim();
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Pragma', 'no-cache');
  if (status === 401) {
    res.setHeader('WWW-Authenticate', BASIC_CHALLENGE);
    res.status(401).json({ error: 'invalid_client', error_description: description });
    return;
  }
  res.status(400).json({ error: 'invalid_request', error_description: description });
}

export { DomainError };
