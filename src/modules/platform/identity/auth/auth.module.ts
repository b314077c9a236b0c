import { Module } from '@nestjs/common';
import { NotificationsModule } from '../../notifications/notifications.module';
import { AuthController } from './auth.controller';
import { AuthResolver } from './auth.resolver';
import { AuthRetentionService } from './auth-retention.service';
import { AuthService } from './auth.service';
import { RefreshTokensService } from './refresh-tokens.service';
import { VerificationCodesService } from './verification-codes.service';

/** /v1/auth: registration, verification, login, refresh, logout, password reset. */
@Module({
  imports: [NotificationsModule],
  controllers: [AuthController],
  // PasswordService, PersonalDataService, LoginThrottle and SessionCheckService come from the global IdentityModule.
  providers: [
    AuthService,
    AuthResolver,
    VerificationCodesService,
    RefreshTokensService,
    AuthRetentionService,
  ],
  exports: [RefreshTokensService],
})
export class AuthModule {}
