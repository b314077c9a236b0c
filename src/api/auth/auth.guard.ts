import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { contextStore } from '../context/context-store';
import type { Actor } from '../context/request-context';
import { DomainError } from '../errors/domain-error';
import { ErrorCode } from '../errors/error-code';
import { ALLOW_KEY, PUBLIC_KEY } from './allow.decorator';
import { Permission } from './permission';
import { PRINCIPAL_RESOLVER, PrincipalResolver } from './principal-resolver';
import { httpOf } from './request-of';

const ACTOR = Symbol('actor');

/**
 * The one guard, for REST and GraphQL alike. Default deny: a handler with neither @Allow nor
 * @Public is refused (and a test walks every route and resolver to prove none is left bare).
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(PRINCIPAL_RESOLVER) private readonly principals: PrincipalResolver,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    const isPublic = this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets) === true;
    const allowed = this.reflector.getAllAndOverride<Permission[] | undefined>(ALLOW_KEY, targets);
    const { req } = httpOf(context);
    const ctx = contextStore.current();
    if (!ctx) throw new DomainError(ErrorCode.Internal);

    const holder = req as unknown as { [ACTOR]?: Actor };
    if (!holder[ACTOR]) {
      holder[ACTOR] = await this.principals.resolve({
        authorization: req.headers.authorization,
        apiKey: headerValue(req.headers['x-api-key']),
        // Set by the TLS-terminating proxy from the verified client certificate (it strips any the caller sent).
        certThumbprint: headerValue(req.headers['x-client-cert-thumbprint']),
      });
    }
    ctx.actor = holder[ACTOR];

    if (isPublic) return true;
    if (!allowed?.length) throw new DomainError(ErrorCode.Forbidden);
    if (ctx.isAnonymous)
      throw new DomainError(ErrorCode.Unauthenticated, {}, [], { 'WWW-Authenticate': 'Bearer' });
    if (!allowed.some((p) => ctx.has(p))) {
      // Held through a role that waits for the caller's second factor: say what would open it.
      const awaiting = ctx.actor.awaitingSecondFactor;
      if (awaiting && allowed.some((p) => awaiting.has(p)))
        throw new DomainError(ErrorCode.SecondFactorEnrolmentRequired);
      throw new DomainError(ErrorCode.Forbidden);
    }
    ctx.actor = { ...ctx.actor, onBehalfOf: delegatorFor(ctx.actor, allowed) };
    return true;
  }
}

/**
 * Whom the caller acts for on this route: the delegator, when the route's permissions are held
 * only through a delegation (no role of their own carries any of them); otherwise nobody. Where
 * the unit matters (a case in one unit), the workflow engine narrows it with actingFor().
 */
function delegatorFor(actor: Actor, allowed: Permission[]): string | null {
  if (!actor.delegations?.length) return actor.onBehalfOf ?? null;
  const own = actor.ownGrants;
  if (own?.has('*' as Permission) || allowed.some((p) => own?.has(p))) return null;
  return actor.delegations.find((d) => allowed.includes(d.permission))?.from ?? null;
}

function headerValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}
