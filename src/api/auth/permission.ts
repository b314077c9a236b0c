/**
 * The one permission vocabulary. Roles (held per organisation unit) bundle permissions; machine
 * clients and API keys carry them as scopes. `@Allow(...)` names them on routes and resolvers.
 */
export enum Permission {
  /** any signed-in citizen or business account acting for itself */
  SelfService = 'self:service',
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
}

export const ALL_PERMISSIONS = Object.values(Permission);
