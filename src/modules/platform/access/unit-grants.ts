import type { Permission } from '../../../api/auth/permission';
import type { RequestContext } from '../../../api/context/request-context';
import type { Db } from '../../../database/db';
import { allow, deny, type AccessDecision } from './access.types';

/**
 * "Unit scope": does the caller hold one of `permissions` in `unitId` or a unit above it, and
 * through which grant? One closure query for all the permissions (none when a grant is global or
 * names the unit itself). The reason names the permission, the unit that carries the grant and, for
 * a delegated role (委托), the colleague who lent it.
 */
export async function unitGrant(
  db: Db,
  ctx: RequestContext,
  permissions: readonly Permission[],
  unitId: string | null | undefined,
): Promise<AccessDecision> {
  const scopes = permissions.map((p) => [p, ctx.scopeOf(p)] as const);
  for (const [p, scope] of scopes) if (scope === '*') return allow(`unit scope: ${p} everywhere`);
  if (!unitId) return deny('no unit');
  const held = new Set<string>();
  for (const [, scope] of scopes) for (const id of (scope as Set<string> | null) ?? []) held.add(id);
  if (!held.size) return deny(`none of ${permissions.join(', ')} held`);
  // Nearest carrying unit first (depth 0 = the unit itself).
  const ancestors = held.has(unitId)
    ? [unitId]
    : (
        await db.query<{ id: string }>(
          `SELECT ancestor_id AS id FROM organisation_closure
            WHERE descendant_id = $1 AND ancestor_id = ANY($2::uuid[]) ORDER BY depth`,
          [unitId, [...held]],
        )
      ).map((r) => r.id);
  for (const at of ancestors)
    for (const [p, scope] of scopes)
      if (scope instanceof Set && scope.has(at))
        return allow(`unit scope: ${p} at unit ${at}${lentBy(ctx, p, at)}`);
  return deny(`none of ${permissions.join(', ')} over unit ${unitId}`);
}

/** " (delegated by X)" when the grant at that unit is only a delegation's, not the person's own role. */
function lentBy(ctx: RequestContext, permission: Permission, unit: string): string {
  const own = ctx.actor.ownGrants?.get(permission);
  if (!ctx.actor.delegations?.length || own === '*' || own?.has(unit)) return '';
  const d = ctx.actor.delegations.find(
    (x) => x.permission === permission && (x.unit === unit || x.unit === null),
  );
  return d ? ` (delegated by ${d.from})` : '';
}

/** True when `unitId` is one of `ancestorIds` or below one of them. */
export async function unitWithin(db: Db, unitId: string, ancestorIds: Iterable<string>): Promise<boolean> {
  const ids = [...ancestorIds];
  if (!ids.length) return false;
  if (ids.includes(unitId)) return true;
  const rows = await db.query(
    'SELECT 1 FROM organisation_closure WHERE descendant_id = $1 AND ancestor_id = ANY($2::uuid[]) LIMIT 1',
    [unitId, ids],
  );
  return rows.length > 0;
}
