import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { OidcAccountsService } from './oidc-accounts.service';
import { OidcController } from './oidc.controller';
import { OidcProvider } from './oidc-provider';
import { OidcService } from './oidc.service';

/** /v1/auth/oidc: citizen sign-in through an external OpenID Connect provider (off without OIDC_ISSUER). */
@Module({
  // RefreshTokensService (our token pair) comes from AuthModule; PersonalDataService from the global IdentityModule.
  imports: [AuthModule],
  controllers: [OidcController],
  providers: [OidcService, OidcAccountsService, OidcProvider],
})
export class OidcModule {}
