import type { RequestContext } from '../../../api/context/request-context';

/** One object-level decision and why it was taken (recorded in the audit leaf of a personal-data read). */
export interface AccessDecision {
  allowed: boolean;
  /** "owner", "business representative", "unit scope: case:handle at unit …", "task candidate: …" */
  reason: string;
}

/**
 * What a caller may list, for a WHERE clause: `sql` over the policy's documented alias with its
 * parameters (`TRUE` for everything, `1 = 0` for nothing); `ownerId` and `unitIds` say the same
 * thing as plain values for callers that build a find() instead of a query builder.
 */
export interface AccessScope {
  sql: string;
  params: Record<string, unknown>;
  ownerId?: string | null;
  unitIds?: string[] | '*';
}

export interface LoadOptions {
  /** row-lock the object for the caller's transaction (pessimistic_write) */
  lock?: boolean;
}

/**
 * One subject's rules, registered by the module that owns the subject. `decide` is the whole
 * answer for an object already loaded; `load` lets require()/check() take an id.
 */
export interface AccessPolicy<T = unknown> {
  /** the resource named by the 404 (default: the subject) */
  resource?: string;
  load?(id: string, opts: LoadOptions): Promise<T | null>;
  decide(ctx: RequestContext, obj: T, action: string): Promise<AccessDecision>;
  scope?(ctx: RequestContext, action: string): AccessScope;
}

export const allow = (reason: string): AccessDecision => ({ allowed: true, reason });
export const deny = (reason: string): AccessDecision => ({ allowed: false, reason });
