import { createHash, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { AppConfig } from '../../config/config';
import { DomainError } from '../errors/domain-error';
import { ErrorCode } from '../errors/error-code';

const digest = (s: string) => createHash('sha256').update(s).digest();

/** Whether an Authorization header carries the scrape token; compared as digests (constant time, any length). */
export function scrapeTokenCheck(token: string): (authorization: string | undefined) => boolean {
  const expected = digest(token);
  return (authorization) => {
    const match = /^Bearer +(\S+) *$/i.exec(authorization ?? '');
    return !!match && timingSafeEqual(digest(match[1]), expected);
  };
}

/**
 * Who may scrape /metrics on the main port (METRICS_TOKEN, METRICS_PORT; README "Metrics"):
 * - METRICS_TOKEN set: callers presenting `Authorization: Bearer <token>`, anyone else 401;
 * - else METRICS_PORT set, or production: nobody (404, as if the route did not exist; scrape the
 *   separate listener, or configure a token);
 * - else (development, tests): everyone.
 * Runs before the guards: the scrape token is not a user token, so once checked it is removed and
 * the AuthGuard sees an anonymous caller rather than a malformed JWT.
 */
export function metricsAccess(config: Pick<AppConfig, 'env' | 'metrics'>) {
  const tokenOk = config.metrics.token === null ? null : scrapeTokenCheck(config.metrics.token);
  const closed = config.metrics.port !== null || config.env === 'production';
  return (req: Request, _res: Response, next: NextFunction): void => {
    if (req.path !== '/metrics' && req.path !== '/metrics/') return next();
    if (tokenOk) {
      if (!tokenOk(req.headers.authorization))
        return next(
          new DomainError(ErrorCode.Unauthenticated, {}, [], {
            'WWW-Authenticate': 'Bearer realm="metrics"',
          }),
        );
      delete req.headers.authorization;
      return next();
    }
    if (closed) return next(new DomainError(ErrorCode.RouteNotFound, { method: req.method, path: req.path }));
    next();
  };
}
