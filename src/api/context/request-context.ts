import { randomUUID } from 'node:crypto';
import { Permission, PermissionName } from '../auth/permission';
import type { Representation } from '../http/representation';

export type Language = 'zh-CN' | 'en';
export type ActorKind = 'anonymous' | 'citizen' | 'staff' | 'client' | 'apikey' | 'system';

/** A permission held either everywhere ('*') or in a set of organisation units (and all below them). */
export type Grants = Map<Permission, Set<string> | '*'>;

export interface Actor {
  kind: ActorKind;
  /** account, client or key id; null for anonymous */
  id: string | null;
  /** the organisation the actor belongs to (staff's home unit, a client's agency) */
  organisationId?: string | null;
  /**
   * for delegations: the colleague whose role is being exercised. Set per request by the guard when
   * the route's permissions are held only through a delegation, and per case by the workflow engine
   * (see actingFor() in unit-scope.ts); null when the person acts under a role of their own.
   */
  onBehalfOf?: string | null;
  /** permissions held through delegations (also merged into grants), with who delegated them */
  delegations?: ReadonlyArray<DelegatedGrant>;
  /** the grants of the person's own roles, without delegations */
  ownGrants?: Grants;
  grants: Grants;
  /** token id (jti) or api key id, for revocation and audit */
  credentialId?: string | null;
  /** sign-in session (refresh-token family, the token's `sid`), so logout can end exactly this one */
  sessionId?: string | null;
  /**
   * permissions of roles that need a second factor the staff member has not enrolled: not in
   * grants, and named here so a refusal can say "enrol first" (SECOND_FACTOR_ENROLMENT_REQUIRED)
   */
  awaitingSecondFactor?: ReadonlySet<Permission>;
}

export interface DelegatedGrant {
  from: string;
  permission: Permission;
  /** the unit the delegated role is held in; null for a global role */
  unit: string | null;
}

const ANONYMOUS: Actor = { kind: 'anonymous', id: null, grants: new Map() };

/**
 * Who is calling, in which language, for which request. Every service method takes it first;
 * jobs and CLIs build one with RequestContext.system().
 */
export class RequestContext {
  actor: Actor = ANONYMOUS;
  /**
   * The shared cached representations this request's answer was built from (entries of the
   * published catalogue or the organisation directory). The public-read front replays an anonymous GraphQL answer only while
   * every one of them is still live.
   */
  readonly sharedReads: Representation[] = [];

  constructor(
    readonly requestId: string,
    readonly language: Language = 'zh-CN',
    readonly channel: string | null = null,
    readonly ip: string | null = null,
  ) {}

  static system(reason = 'system'): RequestContext {
    const ctx = new RequestContext(`sys-${reason}-${randomUUID()}`);
    ctx.actor = { kind: 'system', id: reason, grants: new Map([['*' as Permission, '*']]) };
    return ctx;
  }

  get isAnonymous(): boolean {
    return this.actor.kind === 'anonymous';
  }

  /**
   * True when the permission is held anywhere (the guard's question). The '*' grant (global
   * administrator, system jobs) implies every permission except SelfService: acting as a citizen
   * or business for oneself is never implied, so staff and machines get 403 on self-service routes.
   */
  has(permission: PermissionName): boolean {
    if (this.actor.grants.has(permission as Permission)) return true;
    return this.impliedByStar(permission) && this.actor.grants.has('*' as Permission);
  }

  /** '*' when held everywhere; otherwise the unit ids it is held in (for SQL scoping). */
  scopeOf(permission: PermissionName): Set<string> | '*' | null {
    if (this.impliedByStar(permission) && this.actor.grants.has('*' as Permission)) return '*';
    return this.actor.grants.get(permission as Permission) ?? null;
  }

  private impliedByStar(permission: PermissionName): boolean {
    return permission !== Permission.SelfService;
  }
}
