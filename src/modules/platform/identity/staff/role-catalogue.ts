import { Permission, PermissionName } from '../../../../api/auth/permission';
import { MACHINE_SCOPES, permissionRegistry } from '../../../../api/auth/permission-registry';
import { ConfigError } from '../../../../config/config';

/**
 * The fixed catalogue of staff roles. Roles live in code, not in a table: a role is a reviewed
 * bundle of permissions, and changing one is a code change with a test, not a console click.
 * Assignments (who holds which role in which unit) are data: see RoleAssignment.
 */
export enum RoleName {
  /** everything; held globally (no unit) it is the '*' grant */
  Admin = 'admin',
  /** runs a unit: its sub-units, staff, role assignments, machine clients and API keys */
  OrgAdmin = 'org_admin',
  /** 窗口受理/办理 */
  Clerk = 'clerk',
  /** 审核 */
  Reviewer = 'reviewer',
  /** 审批/决定 */
  Approver = 'approver',
  /** 督办/监察: reads the audit trail, personal data and accounts of the units below */
  Supervisor = 'supervisor',
  /** reads and verifies the audit trail */
  Auditor = 'auditor',
}

export interface RoleDefinition {
  name: RoleName;
  title: { 'zh-CN': string; en: string };
  /** the built-in bundle below plus what modules declared as granted by this role (permission-registry.ts) */
  readonly permissions: readonly Permission[];
}

/**
 * A role with its built-in bundle; `permissions` is read when a principal is built, so the grants a
 * module declares (declarePermissions(..., roles)) join the role whenever that module was loaded.
 */
function role(
  name: RoleName,
  title: RoleDefinition['title'],
  own: () => readonly PermissionName[],
): RoleDefinition {
  return {
    name,
    title,
    get permissions() {
      const all = new Set<string>([...own(), ...permissionRegistry.grantedBy(name)]);
      return [...all] as Permission[];
    },
  };
}

const D = Permission.DirectoryRead;

export const ROLES: Record<RoleName, RoleDefinition> = {
  [RoleName.Admin]: role(
    RoleName.Admin,
    { 'zh-CN': '系统管理员', en: 'Administrator' },
    () =>
      // Everything but acting as a citizen: self-service belongs to citizen and business accounts.
      permissionRegistry.names().filter((p) => p !== (Permission.SelfService as string)) as Permission[],
  ),
  [RoleName.OrgAdmin]: role(
    RoleName.OrgAdmin,
    { 'zh-CN': '机构管理员', en: 'Organisation administrator' },
    () => [
      Permission.OrganisationManage,
      Permission.StaffManage,
      Permission.RoleAssign,
      Permission.ClientManage,
      Permission.ApiKeyManage,
      Permission.AccountRead,
      Permission.CatalogManage,
      Permission.CatalogReview,
      Permission.WorkflowManage,
      D,
    ],
  ),
  [RoleName.Clerk]: role(RoleName.Clerk, { 'zh-CN': '受理人员', en: 'Clerk' }, () => [
    Permission.CaseHandle,
    Permission.PersonalDataRead,
    D,
  ]),
  [RoleName.Reviewer]: role(RoleName.Reviewer, { 'zh-CN': '审核人员', en: 'Reviewer' }, () => [
    Permission.CaseReview,
    Permission.PersonalDataRead,
    D,
  ]),
  [RoleName.Approver]: role(RoleName.Approver, { 'zh-CN': '审批人员', en: 'Approver' }, () => [
    Permission.CaseApprove,
    Permission.LicenceIssue,
    Permission.LicenceRevoke,
    Permission.PersonalDataRead,
    D,
  ]),
  [RoleName.Supervisor]: role(RoleName.Supervisor, { 'zh-CN': '监督人员', en: 'Supervisor' }, () => [
    Permission.AuditRead,
    Permission.PersonalDataRead,
    Permission.AccountRead,
    Permission.CaseSupervise,
    Permission.CaseAssign,
    D,
  ]),
  [RoleName.Auditor]: role(RoleName.Auditor, { 'zh-CN': '审计人员', en: 'Auditor' }, () => [
    Permission.AuditRead,
    D,
  ]),
};

export const ROLE_NAMES = Object.values(RoleName);

/**
 * Permissions that change who may do what (staff, roles, machine clients, API keys) or what the
 * public is offered (workflows, catalogue publication). A role carrying any of them needs a second
 * factor by default: a stolen password alone must not open them.
 */
export function secondFactorPermissions(): readonly string[] {
  return permissionRegistry.secondFactor();
}

/** The roles that need a second factor unless STAFF_SECOND_FACTOR_ROLES says otherwise (admin, org_admin). */
export function defaultSecondFactorRoles(): readonly RoleName[] {
  const needing = secondFactorPermissions();
  return ROLE_NAMES.filter((n) => ROLES[n].permissions.some((p) => needing.includes(p)));
}

/**
 * The roles whose grants take effect only for an account with a confirmed second factor: the
 * configured list (STAFF_SECOND_FACTOR_ROLES, checked at boot) or the default, and always the
 * administrator, whatever the configuration says.
 */
export function secondFactorRoles(configured: readonly string[] | null): ReadonlySet<RoleName> {
  const unknown = (configured ?? []).filter((n) => !(ROLE_NAMES as string[]).includes(n));
  if (unknown.length)
    throw new ConfigError(
      `STAFF_SECOND_FACTOR_ROLES names unknown roles: ${unknown.join(', ')} (roles: ${ROLE_NAMES.join(', ')}, or none)`,
    );
  return new Set([RoleName.Admin, ...((configured ?? defaultSecondFactorRoles()) as RoleName[])]);
}

/**
 * Permissions a machine client or API key may carry as scopes. The self-service permissions
 * only make sense for a person acting for themselves.
 */
export { MACHINE_SCOPES };

export function isMachineScope(s: string): s is Permission {
  return permissionRegistry.isMachineScope(s);
}
