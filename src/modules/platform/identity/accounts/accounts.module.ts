import { Module } from '@nestjs/common';
import { AccessModule } from '../../access/access.module';
import { AccountPolicy } from './account.policy';
import { AccountsController } from './accounts.controller';
import { AccountsResolver } from './accounts.resolver';
import { AccountsService } from './accounts.service';
import { IdentityVerificationService } from './identity-verification.service';

/** Staff reading citizens' accounts, masked by default, every read audited: /v1/accounts and `account`. */
@Module({
  imports: [AccessModule],
  controllers: [AccountsController],
  providers: [AccountPolicy, AccountsService, AccountsResolver, IdentityVerificationService],
  exports: [AccountsService],
})
export class AccountsModule {}
