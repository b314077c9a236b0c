import { ALL_PERMISSIONS, Permission } from '../../../../api/auth/permission';

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
  permissions: readonly Permission[];
}

const D = Permission.DirectoryRead;

export const ROLES: Record<RoleName, RoleDefinition> = {
  [RoleName.Admin]: {
    name: RoleName.Admin,
    title: { 'zh-CN': '系统管理员', en: 'Administrator' },
    // Everything but acting as a citizen: self-service belongs to citizen and business accounts.
    permissions: ALL_PERMISSIONS.filter((p) => p !== Permission.SelfService),
  },
  [RoleName.OrgAdmin]: {
    name: RoleName.OrgAdmin,
    title: { 'zh-CN': '机构管理员', en: 'Organisation administrator' },
    permissions: [
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
  },
  [RoleName.Clerk]: {
    name: RoleName.Clerk,
    title: { 'zh-CN': '受理人员', en: 'Clerk' },
    permissions: [Permission.CaseHandle, Permission.PersonalDataRead, D],
  },
  [RoleName.Reviewer]: {
    name: RoleName.Reviewer,
    title: { 'zh-CN': '审核人员', en: 'Reviewer' },
    permissions: [Permission.CaseReview, Permission.PersonalDataRead, D],
  },
  [RoleName.Approver]: {
    name: RoleName.Approver,
    title: { 'zh-CN': '审批人员', en: 'Approver' },
    permissions: [
      Permission.CaseApprove,
      Permission.LicenceIssue,
      Permission.LicenceRevoke,
      Permission.PersonalDataRead,
      D,
    ],
  },
  [RoleName.Supervisor]: {
    name: RoleName.Supervisor,
    title: { 'zh-CN': '监督人员', en: 'Supervisor' },
    permissions: [
      Permission.AuditRead,
      Permission.PersonalDataRead,
      Permission.AccountRead,
      Permission.CaseSupervise,
      Permission.CaseAssign,
      D,
    ],
  },
  [RoleName.Auditor]: {
    name: RoleName.Auditor,
    title: { 'zh-CN': '审计人员', en: 'Auditor' },
    permissions: [Permission.AuditRead, D],
  },
};

export const ROLE_NAMES = Object.values(RoleName);

/**
 * Permissions that change who may do what (staff, roles, machine clients, API keys) or what the
 * public is offered (workflows, catalogue publication). A role carrying any of them needs a second
 * factor by default: a stolen password alone must not open them.
 */
export const SECOND_FACTOR_PERMISSIONS: readonly Permission[] = [
  Permission.StaffManage,
  Permission.RoleAssign,
  Permission.ClientManage,
  Permission.ApiKeyManage,
  Permission.WorkflowManage,
  Permission.CatalogReview,
];

/** The roles that need a second factor unless STAFF_SECOND_FACTOR_ROLES says otherwise (admin, org_admin). */
export const DEFAULT_SECOND_FACTOR_ROLES: readonly RoleName[] = ROLE_NAMES.filter((n) =>
  ROLES[n].permissions.some((p) => SECOND_FACTOR_PERMISSIONS.includes(p)),
);

/**
 * The roles whose grants take effect only for an account with a confirmed second factor: the
 * configured list (STAFF_SECOND_FACTOR_ROLES, checked at boot) or the default, and always the
 * administrator, whatever the configuration says.
 */
export function secondFactorRoles(configured: readonly string[] | null): ReadonlySet<RoleName> {
  return new Set([RoleName.Admin, ...((configured ?? DEFAULT_SECOND_FACTOR_ROLES) as RoleName[])]);
}

/**
 * Permissions a machine client or API key may carry as scopes. The self-service permissions
 * only make sense for a person acting for themselves.
 */
export const MACHINE_SCOPES: readonly Permission[] = ALL_PERMISSIONS.filter(
  (p) => p !== Permission.SelfService && p !== Permission.StaffSelf,
);

export function isMachineScope(s: string): s is Permission {
  return (MACHINE_SCOPES as readonly string[]).includes(s);
}
