// Every entity, listed once for the app, the migration scripts and the tests.
// Concrete entity classes (TypeORM instantiates them with no arguments).
import { IdempotencyRecord } from '../api/http/idempotency.entity';
import { RateLimitCounter } from '../api/http/rate-limit-counter.entity';
import {
  AuditLeaf,
  AuditNode,
  AuditQueued,
  AuditTreeHead,
  AuditWitnessed,
} from '../modules/platform/audit/audit.entity';
import { Job } from '../modules/platform/jobs/job.entity';
import { WorkCalendarDay, WorkCalendarYear } from '../modules/platform/calendar/calendar.entity';
import {
  Organisation,
  OrganisationClosure,
  Region,
} from '../modules/platform/organisations/organisation.entity';
import { Account } from '../modules/platform/identity/account.entity';
import { AuthSession } from '../modules/platform/identity/auth/auth-session.entity';
import { RefreshToken } from '../modules/platform/identity/auth/refresh-token.entity';
import { LoginThrottleEntry } from '../modules/platform/identity/auth/login-throttle.entity';
import { RecoveryCode } from '../modules/platform/identity/staff/recovery-code.entity';
import { VerificationCode } from '../modules/platform/identity/auth/verification-code.entity';
import { NotificationOutbox } from '../modules/platform/notifications/notification.entity';
import { InboxMessage } from '../modules/platform/notifications/inbox-message.entity';
import { NotificationPreference } from '../modules/platform/notifications/notification-preference.entity';
import { ApiKey } from '../modules/platform/identity/clients/api-key.entity';
import { OAuthClient } from '../modules/platform/identity/clients/oauth-client.entity';
import { Delegation } from '../modules/platform/identity/staff/delegation.entity';
import { RoleAssignment } from '../modules/platform/identity/staff/role-assignment.entity';
import { ChannelIdentity } from '../modules/platform/identity/channels/channel-identity.entity';
import { BusinessRepresentative } from '../modules/platform/identity/business/business-representative.entity';
import { ExternalIdentity } from '../modules/platform/identity/oidc/external-identity.entity';
import { OidcLoginCode } from '../modules/platform/identity/oidc/oidc-login-code.entity';
import { OidcState } from '../modules/platform/identity/oidc/oidc-state.entity';
import { Licence } from '../modules/public/licences/licence.entity';
import { Service, ServiceVersion } from '../modules/public/catalog/service.entity';
import { CaseEvent, CaseFile, CaseNote, CaseTask } from '../modules/internal/workflow/case.entity';
import { WorkflowDefinition } from '../modules/internal/workflow/workflow-definition.entity';
import { StoredFile } from '../modules/platform/files/stored-file.entity';
import { Application, ApplicationAttachment } from '../modules/public/applications/application.entity';

export const ENTITIES: Array<new () => object> = [
  Region,
  Organisation,
  OrganisationClosure,
  Job,
  Account,
  RoleAssignment,
  Delegation,
  OAuthClient,
  ApiKey,
  IdempotencyRecord,
  RateLimitCounter,
  AuditLeaf,
  AuditQueued,
  AuditTreeHead,
  AuditNode,
  AuditWitnessed,
  AuthSession,
  RefreshToken,
  LoginThrottleEntry,
  RecoveryCode,
  VerificationCode,
  NotificationOutbox,
  InboxMessage,
  NotificationPreference,
  WorkCalendarDay,
  WorkCalendarYear,
  ExternalIdentity,
  OidcState,
  OidcLoginCode,
  ChannelIdentity,
  BusinessRepresentative,
  Licence,
  Service,
  ServiceVersion,
  WorkflowDefinition,
  CaseFile,
  CaseTask,
  CaseEvent,
  CaseNote,
  StoredFile,
  Application,
  ApplicationAttachment,
];
