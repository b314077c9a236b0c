import { Module } from '@nestjs/common';
import { DrainState } from '../../../api/http/drain';
import { HealthController } from './health.controller';
import { HealthService } from './health.service';

/** DrainState lives here: readiness reports it, configure-http.ts and main.ts fetch it from the app. */
@Module({
  controllers: [HealthController],
  providers: [HealthService, DrainState],
  exports: [HealthService, DrainState],
})
export class HealthModule {}
