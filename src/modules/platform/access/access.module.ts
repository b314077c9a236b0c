import { Global, Module } from '@nestjs/common';
import { AccessService } from './access.service';

/**
 * Global: every module registers its subjects' policies on the one AccessService and asks it.
 * Modules that register a policy also import it, so the order of app.module's imports never matters.
 */
@Global()
@Module({
  providers: [AccessService],
  exports: [AccessService],
})
export class AccessModule {}
