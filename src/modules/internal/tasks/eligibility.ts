import type { Permission } from '../../../api/auth/permission';
import type { Db } from '../../../database/db';
import { ROLES } from '../../platform/identity/staff/role-catalogue';

const rolesWith = (permission: Permission): string[] =>
  Object.values(ROLES)
    .filter((r) => r.permissions.includes(permission))
    .map((r) => r.name);

/**
 * Whether an account could work a task: an active staff account holding `permission` in `unitId`
 * or a unit above it, now, through a role assignment or an active delegation (代理) whose delegator
 * is active and still holds the role. The same rule PrincipalService applies to grants at sign-in.
 */
export async function holdsPermissionIn(
  db: Db,
  accountId: string,
  permission: Permission,
  unitId: string,
): Promise<boolean> {
  const rows = await db.query(
    `SELECT 1 FROM account a
     WHERE a.id = $1 AND a.kind = 'staff' AND a.status = 'active' AND (
       EXISTS (
         SELECT 1 FROM role_assignment r
         WHERE r.account_id = a.id AND r.role = ANY($2::text[])
           AND (r.valid_from IS NULL OR r.valid_from <= now()) AND (r.valid_until IS NULL OR r.valid_until > now())
           AND (r.organisation_id IS NULL OR EXISTS (
             SELECT 1 FROM organisation_closure c WHERE c.ancestor_id = r.organisation_id AND c.descendant_id = $3)))
       OR EXISTS (
         SELECT 1 FROM delegation d
         JOIN account f ON f.id = d.from_account_id AND f.status = 'active'
         WHERE d.to_account_id = a.id AND d.role = ANY($2::text[]) AND d.revoked_at IS NULL
           AND d.valid_from <= now() AND d.valid_until > now()
           AND EXISTS (SELECT 1 FROM organisation_closure c WHERE c.ancestor_id = d.organisation_id AND c.descendant_id = $3)
           AND EXISTS (
             SELECT 1 FROM role_assignment r
             WHERE r.account_id = d.from_account_id AND r.role = d.role
               AND (r.valid_from IS NULL OR r.valid_from <= now()) AND (r.valid_until IS NULL OR r.valid_until > now())
               AND (r.organisation_id IS NULL OR EXISTS (
                 SELECT 1 FROM organisation_closure c2
                 WHERE c2.ancestor_id = r.organisation_id AND c2.descendant_id = d.organisation_id))))
     ) LIMIT 1`,
    [accountId, rolesWith(permission), unitId],
  );
  return rows.length > 0;
}
