import { DeclaredPermission, registerPermissions } from './permission-registry';

/**
 * The one permission vocabulary. Roles (held per organisation unit) bundle permissions; machine
 * clients and API keys carry them as scopes. `@Allow(...)` names them on routes and resolvers.
 */
export enum Permission {
  /** any signed-in citizen or business account acting for itself */
  SelfService = 'self:service',
  /** any signed-in staff account managing its own profile, second factor and delegations */
  StaffSelf = 'staff:self',
  OrganisationManage = 'organisation:manage',
  StaffManage = 'staff:manage',
  RoleAssign = 'role:assign',
  ClientManage = 'client:manage',
  ApiKeyManage = 'apikey:manage',
  PersonalDataRead = 'personal-data:read',
  PersonalDataUnmask = 'personal-data:unmask',
  AuditRead = 'audit:read',
  AccountRead = 'account:read',
  DirectoryRead = 'directory:read',
  JobsAdmin = 'jobs:admin',
  /** accept and handle cases (applications, complaints) of a unit: 受理/办理 */
  CaseHandle = 'case:handle',
  /** review cases of a unit: 审核 */
  CaseReview = 'case:review',
  /** approve or decide cases of a unit: 审批/决定 */
  CaseApprove = 'case:approve',
  /** maintain working-day calendars: regional holidays, 调休 days, published years */
  CalendarManage = 'calendar:manage',
  /** issue e-licences (电子证照) in the name of a unit */
  LicenceIssue = 'licence:issue',
  /** revoke e-licences a unit issued */
  LicenceRevoke = 'licence:revoke',
  /** write service guides (办事指南) of a unit: create, edit drafts, submit for review */
  CatalogManage = 'catalog:manage',
  /** review, publish and retire service guides of a unit */
  CatalogReview = 'catalog:review',
  /** author, validate and activate the workflow definitions of a unit's services */
  WorkflowManage = 'workflow:manage',
  /** assign, reassign and transfer the tasks of a unit's work queue to colleagues (科室负责人) */
  CaseAssign = 'case:assign',
  /** supervise a unit's cases: statistics, overdue escalations, every case and task in scope (督办) */
  CaseSupervise = 'case:supervise',
}

export const ALL_PERMISSIONS = Object.values(Permission);

/** What @Allow, the guard and RequestContext.has accept: a built-in permission or a module's own. */
export type PermissionName = Permission | DeclaredPermission;

// The built-in permissions in the registry (src/api/auth/permission-registry.ts), with the text the
// docs and the role listing show. Their role bundles stay in the role catalogue; a module's own
// permissions name their roles where they are declared.
registerPermissions([
  {
    name: Permission.SelfService,
    description: 'a citizen or business account acting for itself',
    machineScope: false,
  },
  {
    name: Permission.StaffSelf,
    description: 'a staff account managing its own profile, second factor and delegations',
    machineScope: false,
  },
  { name: Permission.OrganisationManage, description: 'create and edit organisation units below one' },
  {
    name: Permission.StaffManage,
    description: 'create, suspend and edit staff accounts of a unit',
    secondFactor: true,
  },
  { name: Permission.RoleAssign, description: 'assign and revoke the roles of a unit', secondFactor: true },
  {
    name: Permission.ClientManage,
    description: 'register and rotate agency OAuth clients',
    secondFactor: true,
  },
  { name: Permission.ApiKeyManage, description: 'issue and revoke API keys', secondFactor: true },
  {
    name: Permission.PersonalDataRead,
    description: 'read masked personal data of accounts and cases in scope',
  },
  {
    name: Permission.PersonalDataUnmask,
    description: 'reveal unmasked personal data (each reveal is audited)',
  },
  { name: Permission.AuditRead, description: 'read and verify the audit trail' },
  { name: Permission.AccountRead, description: 'read accounts in scope' },
  { name: Permission.DirectoryRead, description: 'read the organisation directory and staff lists' },
  { name: Permission.JobsAdmin, description: 'inspect and retry background jobs' },
  { name: Permission.CaseHandle, description: 'accept and handle cases of a unit (受理/办理)' },
  { name: Permission.CaseReview, description: 'review cases of a unit (审核)' },
  { name: Permission.CaseApprove, description: 'approve or decide cases of a unit (审批/决定)' },
  { name: Permission.CalendarManage, description: 'maintain working-day calendars (holidays, 调休 days)' },
  { name: Permission.LicenceIssue, description: 'issue e-licences (电子证照) in the name of a unit' },
  { name: Permission.LicenceRevoke, description: 'revoke e-licences a unit issued' },
  { name: Permission.CatalogManage, description: 'write service guides (办事指南) of a unit' },
  {
    name: Permission.CatalogReview,
    description: 'review, publish and retire service guides of a unit',
    secondFactor: true,
  },
  {
    name: Permission.WorkflowManage,
    description: "author, validate and activate the workflow definitions of a unit's services",
    secondFactor: true,
  },
  {
    name: Permission.CaseAssign,
    description: "assign, reassign and transfer the tasks of a unit's work queue",
  },
  {
    name: Permission.CaseSupervise,
    description: "supervise a unit's cases: statistics, overdue escalations (督办)",
  },
]);
