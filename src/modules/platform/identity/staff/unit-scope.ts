import type { Permission } from '../../../../api/auth/permission';
import type { RequestContext } from '../../../../api/context/request-context';
import type { Db } from '../../../../database/db';

/**
 * Data scope "my units and everything below them", answered in SQL through organisation_closure.
 * The sets in an actor's grants hold the units where a role is held; these helpers expand them.
 */
export async function isInScope(
  db: Db,
  ctx: RequestContext,
  permission: Permission,
  unitId: string | null,
): Promise<boolean> {
  const scope = ctx.scopeOf(permission);
  if (scope === '*') return true;
  if (!scope?.size || !unitId) return false;
  // The unit itself: every unit has its own closure row (depth 0), so the answer is known.
  if (scope.has(unitId)) return true;
  const rows = await db.query(
    'SELECT 1 FROM organisation_closure WHERE descendant_id = $1 AND ancestor_id = ANY($2::uuid[]) LIMIT 1',
    [unitId, [...scope]],
  );
  return rows.length > 0;
}

/**
 * A SQL condition restricting `column` (a unit id) to the caller's scope for any of the
 * permissions, with its parameter. Returns null when the scope is everywhere, and a condition that
 * matches nothing when the caller holds none of them.
 */
export function scopeCondition(
  ctx: RequestContext,
  permissions: Permission[],
  column: string,
  param = 'scopeUnits',
): { sql: string; params: Record<string, string[]> } | null {
  const units = new Set<string>();
  for (const p of permissions) {
    const scope = ctx.scopeOf(p);
    if (scope === '*') return null;
    for (const id of scope ?? []) units.add(id);
  }
  if (!units.size) return { sql: '1 = 0', params: {} };
  return {
    sql: `${column} IN (SELECT sc.descendant_id FROM organisation_closure sc WHERE sc.ancestor_id = ANY(:${param}))`,
    params: { [param]: [...units] },
  };
}

/**
 * Whom the caller acts for when using `permission` on `unitId`: null when a role of their own
 * covers the unit, else the colleague whose delegated role does (委托). Separation of duties and
 * the audit trail use it, so a delegate acting for the acceptor counts as the acceptor.
 */
export async function actingFor(
  db: Db,
  ctx: RequestContext,
  permission: Permission,
  unitId: string,
): Promise<string | null> {
  const { ownGrants, delegations } = ctx.actor;
  if (!delegations?.length) return null;
  const covers = async (units: Iterable<string | null>): Promise<boolean> => {
    const ids = [...units];
    if (ids.includes(null)) return true;
    if (!ids.length) return false;
    const rows = await db.query(
      'SELECT 1 FROM organisation_closure WHERE descendant_id = $1 AND ancestor_id = ANY($2::uuid[]) LIMIT 1',
      [unitId, ids],
    );
    return rows.length > 0;
  };
  const own = ownGrants?.get('*' as Permission) ?? ownGrants?.get(permission);
  if (own === '*' || (own && (await covers(own)))) return null;
  for (const d of delegations) if (d.permission === permission && (await covers([d.unit]))) return d.from;
  return null;
}
