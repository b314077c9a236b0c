import { Global, Module } from '@nestjs/common';
import { PRINCIPAL_RESOLVER } from '../../../api/auth/principal-resolver';
import { AccessTokenService } from './access-token.service';
import { AccountDirectory } from './account-directory.service';
import { LoginThrottle } from './auth/login-throttle';
import { PasswordService } from './auth/password.service';
import { SessionCheckService } from './auth/session-check.service';
import { ApiKeysController } from './clients/api-keys.controller';
import { ApiKeysResolver } from './clients/api-keys.resolver';
import { ApiKeysService } from './clients/api-keys.service';
import { ClientsController } from './clients/clients.controller';
import { ClientsResolver } from './clients/clients.resolver';
import { ClientsService } from './clients/clients.service';
import { OAuthController } from './clients/oauth.controller';
import { PersonalDataService } from './personal-data/personal-data.service';
import { PrincipalService } from './principal.service';
import { DelegationService } from './staff/delegation.service';
import { IdentityAudit } from './staff/identity-audit';
import { RolesController, StaffController } from './staff/staff.controller';
import { StaffResolver } from './staff/staff.resolver';
import { StaffService } from './staff/staff.service';
import { TotpEnrolmentService } from './staff/totp-enrolment.service';

@Global()
@Module({
  controllers: [StaffController, RolesController, OAuthController, ClientsController, ApiKeysController],
  providers: [
    AccessTokenService,
    AccountDirectory,
    PrincipalService,
    { provide: PRINCIPAL_RESOLVER, useExisting: PrincipalService },
    SessionCheckService,
    PersonalDataService,
    PasswordService,
    LoginThrottle,
    IdentityAudit,
    StaffService,
    TotpEnrolmentService,
    DelegationService,
    ClientsService,
    ApiKeysService,
    StaffResolver,
    ClientsResolver,
    ApiKeysResolver,
  ],
  exports: [
    AccessTokenService,
    AccountDirectory,
    PRINCIPAL_RESOLVER,
    PersonalDataService,
    PasswordService,
    LoginThrottle,
    StaffService,
  ],
})
export class IdentityModule {}
