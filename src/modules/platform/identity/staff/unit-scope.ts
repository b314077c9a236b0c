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
