import type { Permission } from '../../../../api/auth/permission';
import type { RequestContext } from '../../../../api/context/request-context';
import type { Db } from '../../../../database/db';

/**
 * May the caller see this citizen's (or business's) account under `permission`?
 *
 * Data scope for people differs from data scope for units: a citizen belongs to no unit. A unit may
 * see a citizen only through a relationship with that unit (an application, complaint or
 * consultation it handles, an evidence request it answers). No module defines such a relationship
 * yet, so the rule today is:
 *
 * - the permission held everywhere ('*': a global admin, a supervisor assigned without a unit, a
 *   synthetic test token) sees every citizen;
 * - the permission held only in some units (every unit-scoped role, and every machine client and
 *   API key, whose scopes live in their own agency's subtree) sees NO citizen: the answer is 404,
 *   exactly as for an id that does not exist.
 *
 * When the applications, complaints and exchange modules land, each adds its relationship here as
 * an EXISTS over its table joined to organisation_closure on the caller's units (as
 * staff/unit-scope.ts does for staff), so "my unit handles a case of this person" opens the account
 * to that unit and nothing else does. `db` and `accountId` are for those queries.
 */
export function mayReadCitizen(
  _db: Db,
  ctx: RequestContext,
  permission: Permission,
  _accountId: string,
): Promise<boolean> {
  return Promise.resolve(ctx.scopeOf(permission) === '*');
}
