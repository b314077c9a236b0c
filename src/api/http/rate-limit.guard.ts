import { CanActivate, ExecutionContext, Inject, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { isIP } from 'node:net';
import type { Request, Response } from 'express';
import { APP_CONFIG, AppConfig } from '../../config/config';
import { httpOf } from '../auth/request-of';
import { contextStore } from '../context/context-store';
import type { Actor } from '../context/request-context';
import { DomainError } from '../errors/domain-error';
import { ErrorCode } from '../errors/error-code';
import { RATE_LIMIT_STORE, RateLimitStore } from './rate-limit.store';

export const SKIP_RATE_LIMIT_KEY = 'onewindow:skip-rate-limit';

/** Exempts a route or controller (health probes, metrics scrapes) from the per-caller quota. */
export const SkipRateLimit = () => SetMetadata(SKIP_RATE_LIMIT_KEY, true);

export const RATE_LIMIT_WINDOW_SECONDS = 60;
const POLICY = 'default';
const DECISION = Symbol('rate-limit-decision');

export interface RateLimitDecision {
  allowed: boolean;
  quota: number;
  remaining: number;
  /** whole seconds until the window resets (never 0 while limited, so Retry-After is useful) */
  resetSeconds: number;
}

/** The draft-ietf-httpapi-ratelimit-headers-11 fields, as structured-field dictionaries. */
export function rateLimitHeaders(d: RateLimitDecision): Record<string, string> {
  return {
    'RateLimit-Policy': `"${POLICY}";q=${d.quota};w=${RATE_LIMIT_WINDOW_SECONDS}`,
    RateLimit: `"${POLICY}";r=${d.remaining};t=${d.resetSeconds}`,
  };
}

/**
 * The bucket a request counts against: the authenticated actor when there is one (so a portal
 * behind one NAT does not share a quota), else the client address. IPv6 clients are grouped by
 * their /64, which one subscriber usually holds whole.
 */
export function callerKey(actor: Actor | undefined, ip: string | undefined): string {
  if (actor && actor.kind !== 'anonymous' && actor.id) return `${actor.kind}:${actor.id}`;
  return `ip:${clientNetwork(ip ?? '')}`;
}

export function clientNetwork(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return mapped[1];
  if (isIP(ip) === 4) return ip;
  // Not an address (an X-Forwarded-For entry nothing validated): its own capped bucket, never a throw.
  if (isIP(ip) !== 6) return ip ? `other:${ip.slice(0, 64)}` : 'unknown';
  const [head, tail = ''] = ip.toLowerCase().split('%')[0].split('::');
  const left = head ? head.split(':') : [];
  const right = ip.includes('::') && tail ? tail.split(':') : [];
  const groups = ip.includes('::')
    ? [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right]
    : left;
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

/**
 * Per-caller quota for REST and GraphQL alike. Registered as an APP_GUARD after the AuthGuard, so
 * the actor is already known. Every limited response carries RateLimit-Policy and RateLimit;
 * a refused one is 429 RATE_LIMITED with Retry-After.
 */
@Injectable()
export class RateLimitGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(RATE_LIMIT_STORE) private readonly store: RateLimitStore,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (
      this.reflector.getAllAndOverride<boolean>(SKIP_RATE_LIMIT_KEY, [
        context.getHandler(),
        context.getClass(),
      ])
    )
      return true;
    const { req, res } = httpOf(context);
    // GraphQL runs guards once per root field; one HTTP request counts once.
    const holder = req as unknown as { [DECISION]?: Promise<RateLimitDecision> };
    holder[DECISION] ??= this.decide(req);
    const decision = await holder[DECISION];

    const headers = rateLimitHeaders(decision);
    setHeaders(res, headers);
    if (decision.allowed) return true;
    const retryAfter = { 'Retry-After': String(decision.resetSeconds) };
    setHeaders(res, retryAfter);
    throw new DomainError(ErrorCode.RateLimited, { retryAfter: decision.resetSeconds }, [], {
      ...headers,
      ...retryAfter,
    });
  }

  /** Lets a front that already counted this request (public-read-front.ts) hand its decision on. */
  static remember(req: Request, decision: RateLimitDecision): void {
    (req as unknown as { [DECISION]?: Promise<RateLimitDecision> })[DECISION] = Promise.resolve(decision);
  }

  private decide(req: Request): Promise<RateLimitDecision> {
    return decideRateLimit(this.store, this.config, contextStore.current()?.actor, req.ip);
  }
}

/** Counts one request of the caller and decides it (the guard's rule; also used by the public-read front). */
export async function decideRateLimit(
  store: RateLimitStore,
  config: Pick<AppConfig, 'rateLimit'>,
  actor: Actor | undefined,
  ip: string | undefined,
): Promise<RateLimitDecision> {
  const authenticated = !!actor && actor.kind !== 'anonymous';
  const { anonymousPerMinute, authenticatedPerMinute } = config.rateLimit;
  const quota = authenticated ? authenticatedPerMinute : anonymousPerMinute;
  const now = Date.now();
  const hit = await store.hit(callerKey(actor, ip), RATE_LIMIT_WINDOW_SECONDS * 1000, now);
  return {
    allowed: hit.count <= quota,
    quota,
    remaining: Math.max(0, quota - hit.count),
    resetSeconds: Math.max(1, Math.ceil((hit.resetAt - now) / 1000)),
  };
}

export function setHeaders(res: Response | undefined, headers: Record<string, string>): void {
  if (!res || res.headersSent) return;
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
}
