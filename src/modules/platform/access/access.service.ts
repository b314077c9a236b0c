import { Injectable } from '@nestjs/common';
import type { Permission } from '../../../api/auth/permission';
import type { RequestContext } from '../../../api/context/request-context';
import { notFound } from '../../../api/errors/domain-error';
import { Db } from '../../../database/db';
import { AuditService, type AuditEntry } from '../audit/audit.service';
import {
  deny,
  type AccessDecision,
  type AccessPolicy,
  type AccessScope,
  type LoadOptions,
} from './access.types';
import { unitGrant, unitWithin } from './unit-grants';

/** GraphQL ids arrive unchecked: anything but a UUID's shape is simply not found (never a SQL error). */
const UUID_SHAPE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The audit column that carries a decision's reason: at most 200 characters (AuditService checks). */
const REASON_MAX = 200;

/**
 * The one place object-level access is decided: "may this caller do `action` on this object, and
 * why". Each module registers the policy of the subjects it owns (`access.register('case', policy)`
 * in its policy's constructor); services then ask require() (the object, or the same 404 as a
 * missing id), check() (the decision with its reason) or scope() (a WHERE for lists).
 */
@Injectable()
export class AccessService {
  private readonly policies = new Map<string, AccessPolicy<unknown>>();

  constructor(
    private readonly db: Db,
    private readonly audit: AuditService,
  ) {}

  register<T>(subject: string, policy: AccessPolicy<T>): void {
    if (this.policies.has(subject))
      throw new Error(`an access policy for "${subject}" is already registered`);
    this.policies.set(subject, policy);
  }

  subjects(): string[] {
    return [...this.policies.keys()];
  }

  /**
   * The decision for an object, or for an id the policy loads. A missing object (or an id that is
   * no UUID) is denied with reason "not found", indistinguishable to the caller from a refusal.
   */
  async check<T>(
    ctx: RequestContext,
    subject: string,
    objOrId: T | string | null | undefined,
    action = 'read',
  ): Promise<AccessDecision> {
    return (await this.resolve<T>(ctx, subject, objOrId, action, {})).decision;
  }

  /** The object when the caller may do `action` on it; else the subject's 404, as for a missing id. */
  async require<T>(
    ctx: RequestContext,
    subject: string,
    objOrId: T | string | null | undefined,
    action = 'read',
    opts: LoadOptions = {},
  ): Promise<T> {
    const { obj, decision } = await this.resolve<T>(ctx, subject, objOrId, action, opts);
    if (!decision.allowed || obj === null) throw notFound(this.policy(subject).resource ?? subject);
    return obj;
  }

  /** What the caller may list, as a WHERE over the policy's alias. */
  scope(ctx: RequestContext, subject: string, action = 'read'): AccessScope {
    const policy = this.policy(subject);
    if (!policy.scope) throw new Error(`the access policy for "${subject}" gives no list scope`);
    return policy.scope(ctx, action);
  }

  /**
   * Appends the audit leaf of a read that the decision allowed, with its reason in `legalBasis`
   * (the basis on which the data was shown: the data subject sees it in GET /v1/me/data-access).
   */
  record(ctx: RequestContext, decision: AccessDecision, entry: AuditEntry): Promise<void> {
    return this.audit.append(ctx, {
      ...entry,
      legalBasis: entry.legalBasis ?? clip(`access: ${decision.reason}`),
    });
  }

  /** Policies' building block: a permission held over the unit or above it, and through which grant. */
  unitGrant(ctx: RequestContext, permissions: readonly Permission[], unitId: string | null | undefined) {
    return unitGrant(this.db, ctx, permissions, unitId);
  }

  /** True when `unitId` is one of `ancestorIds` or below one of them (organisation_closure). */
  unitWithin(unitId: string, ancestorIds: Iterable<string>): Promise<boolean> {
    return unitWithin(this.db, unitId, ancestorIds);
  }

  private async resolve<T>(
    ctx: RequestContext,
    subject: string,
    objOrId: T | string | null | undefined,
    action: string,
    opts: LoadOptions,
  ): Promise<{ obj: T | null; decision: AccessDecision }> {
    const policy = this.policy(subject) as AccessPolicy<T>;
    const obj: T | null =
      typeof objOrId === 'string' && policy.load
        ? UUID_SHAPE.test(objOrId)
          ? await policy.load(objOrId, opts)
          : null
        : ((objOrId ?? null) as T | null);
    if (obj === null) return { obj, decision: deny('not found') };
    return { obj, decision: await policy.decide(ctx, obj, action) };
  }

  private policy(subject: string): AccessPolicy<unknown> {
    const policy = this.policies.get(subject);
    if (!policy) throw new Error(`no access policy is registered for "${subject}"`);
    return policy;
  }
}

const clip = (s: string): string => (s.length > REASON_MAX ? `${s.slice(0, REASON_MAX - 1)}…` : s);
