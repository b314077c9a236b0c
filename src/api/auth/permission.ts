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
