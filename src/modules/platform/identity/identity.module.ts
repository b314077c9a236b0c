import { Global, Module } from '@nestjs/common';
import { PRINCIPAL_RESOLVER } from '../../../api/auth/principal-resolver';
import { AccessTokenService } from './access-token.service';
import { PrincipalService } from './principal.service';

@Global()
@Module({
  providers: [AccessTokenService, PrincipalService, { provide: PRINCIPAL_RESOLVER, useExisting: PrincipalService }],
  exports: [AccessTokenService, PRINCIPAL_RESOLVER],
})
export class IdentityModule {}
