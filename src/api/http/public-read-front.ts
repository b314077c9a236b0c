import { Inject, Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { APP_CONFIG, AppConfig } from '../../config/config';
import { contextStore } from '../context/context-store';
import { noneMatchHits } from './etag.interceptor';
import { HttpMetrics, routeLabel, setRouteLabel } from './metrics';
import { decideRateLimit, rateLimitHeaders, RateLimitGuard, setHeaders } from './rate-limit.guard';
import { RATE_LIMIT_STORE, RateLimitStore } from './rate-limit.store';
import { isLive, Representation, sharedAnswerOf } from './representation';

interface Replay {
  body: Buffer;
  from: readonly Representation[];
  etag: string | undefined;
  headers: [string, string][];
  route: string;
  graphql: boolean;
}

/** Headers a replay carries: the representation's own (the middleware before the front sets the rest). */
const REPLAYED_HEADERS = ['content-type', 'etag', 'cache-control', 'link', 'vary'];
/** Kept lower than the cache behind it could ever need; past it the least recently used goes. */
const MAX_REPLAYS = 4000;
const MAX_KEY_LENGTH = 8192;

/**
 * The front for shared public reads: published content is cached in process as ready-made
 * representations (catalog-cache.ts), and once an anonymous request has gone the whole way
 * (routing, guards, validation, handler, interceptors) and been answered with one, the next
 * anonymous request for the same URL (same language, same Prefer) or the same GraphQL query (same
 * variables, same Accept) is answered here, before Nest's router, guards, pipes and interceptors.
 *
 * Still applied: the rate limit (counted, headers sent; a refused caller falls through to the
 * guard, which answers 429 with the same decision), everything the middleware before it did
 * (request id, language, security headers, CORS, metrics, the request log line), ETag and
 * If-None-Match → 304. Never replayed: anything sent with credentials, anything but a 200, and
 * an answer whose cache entries were dropped (invalidation, eviction or TTL: see
 * Representation.liveUntil).
 */
@Injectable()
export class PublicReadFront implements NestMiddleware {
  private readonly replays = new Map<string, Replay>();
  /** Answers given here (tests and diagnostics). */
  hits = 0;

  constructor(
    @Inject(RATE_LIMIT_STORE) private readonly store: RateLimitStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly metrics: HttpMetrics,
  ) {}

  use(req: Request, res: Response, next: NextFunction): void {
    const key = this.keyOf(req);
    if (key === null) return next();
    const replay = this.replays.get(key);
    if (!replay || !replay.from.every((r) => isLive(r))) {
      if (replay) this.replays.delete(key);
      res.once('finish', () => this.remember(key, req, res));
      return next();
    }
    decideRateLimit(this.store, this.config, undefined, req.ip).then((decision) => {
      setHeaders(res, rateLimitHeaders(decision));
      if (!decision.allowed) {
        RateLimitGuard.remember(req, decision);
        return next();
      }
      // Recency order for the LRU.
      this.replays.delete(key);
      this.replays.set(key, replay);
      this.send(req, res, replay);
    }, next);
  }

  get size(): number {
    return this.replays.size;
  }

  private send(req: Request, res: Response, replay: Replay): void {
    this.hits++;
    setRouteLabel(req, replay.route);
    if (replay.graphql) this.metrics.graphqlOperations.inc({ type: 'query', outcome: 'ok' });
    for (const [name, value] of replay.headers) res.setHeader(name, value);
    if (replay.etag && noneMatchHits(req.headers['if-none-match'], replay.etag)) {
      res.removeHeader('Content-Type');
      res.statusCode = 304;
      res.end();
      return;
    }
    res.statusCode = 200;
    res.setHeader('Content-Length', replay.body.length);
    res.end(req.method === 'HEAD' ? undefined : replay.body);
  }

  private remember(key: string, req: Request, res: Response): void {
    // Marked only for anonymous answers built from live entries (keyOf already refused
    // credentials); liveness is checked again on every replay.
    const answer = sharedAnswerOf(res);
    if (!answer || res.statusCode !== 200) return;
    const headers: [string, string][] = [];
    for (const name of REPLAYED_HEADERS) {
      const value = res.getHeader(name);
      if (value !== undefined) headers.push([name, Array.isArray(value) ? value.join(', ') : String(value)]);
    }
    const etag = res.getHeader('etag');
    while (this.replays.size >= MAX_REPLAYS) this.replays.delete(this.replays.keys().next().value as string);
    this.replays.set(key, {
      body: Buffer.from(answer.text),
      from: answer.from,
      etag: typeof etag === 'string' ? etag : undefined,
      headers,
      route: routeLabel(req),
      graphql: req.path === '/graphql',
    });
  }

  /** The replay key of an anonymous read this front may answer, or null for anything else. */
  private keyOf(req: Request): string | null {
    const h = req.headers;
    if (
      h.authorization !== undefined ||
      h['x-api-key'] !== undefined ||
      h['x-client-cert-thumbprint'] !== undefined
    )
      return null;
    const language = contextStore.current()?.language ?? '';
    let key: string | null = null;
    if (req.method === 'GET' || req.method === 'HEAD') {
      if (req.originalUrl.startsWith('/v1/'))
        key = `R\n${language}\n${String(h.prefer ?? '')}\n${req.originalUrl}`;
    } else if (req.method === 'POST' && req.path === '/graphql') {
      const body = req.body as {
        query?: unknown;
        variables?: unknown;
        operationName?: unknown;
        extensions?: unknown;
      };
      if (body && typeof body.query === 'string' && body.extensions === undefined) {
        const variables = body.variables === undefined ? '' : JSON.stringify(body.variables);
        const operation = typeof body.operationName === 'string' ? body.operationName : '';
        key = `G\n${language}\n${h.accept ?? ''}\n${operation}\n${variables}\n${body.query}`;
      }
    }
    return key !== null && key.length <= MAX_KEY_LENGTH ? key : null;
  }
}
