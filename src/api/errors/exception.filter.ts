import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import { GraphQLError } from 'graphql';
import type { Request, Response } from 'express';
import { contextStore } from '../context/context-store';
import { DomainError } from './domain-error';
import { ErrorCode } from './error-code';
import { renderProblem, toDomainError } from './problem';
import { methodNotAllowed } from '../http/method-not-allowed';

/** Retry-After on a 503 that does not name its own: long enough for a pool or a failover to recover. */
export const SERVICE_UNAVAILABLE_RETRY_AFTER_SECONDS = 5;

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
      const problem = renderProblem(err, lang, undefined, requestId);
      return new GraphQLError(problem.detail, {
        extensions: {
          code: problem.code,
          status: problem.status,
          type: problem.type,
          title: problem.title,
          errors: problem.errors,
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
    for (const [k, v] of Object.entries(err.headers)) res.setHeader(k, v);
    // Every 503 tells the client when to try again (database down, a provider down, shutting down).
    if (problem.status === 503 && !res.hasHeader('Retry-After'))
      res.setHeader('Retry-After', String(SERVICE_UNAVAILABLE_RETRY_AFTER_SECONDS));
    res.setHeader('Content-Language', lang);
    res.status(problem.status).type('application/problem+json').send(JSON.stringify(problem));
    return;
  }
}

export { DomainError };
