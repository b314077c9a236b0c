import { Global, Module } from '@nestjs/common';
import { AuditController } from './audit.controller';
import { AuditQueryService } from './audit-query.service';
import { AuditResolver } from './audit.resolver';
import { AuditService } from './audit.service';
import { DataAccessService } from './data-access.service';
import { MeDataAccessController } from './me-data-access.controller';
import { CheckpointPublisher } from './witness/checkpoint-publisher.service';
import { WitnessService } from './witness/witness.service';

/** Global: every service that writes, or reads personal data, appends through AuditService. */
@Global()
@Module({
  controllers: [AuditController, MeDataAccessController],
  providers: [
    AuditService,
    AuditQueryService,
    DataAccessService,
    AuditResolver,
    CheckpointPublisher,
    WitnessService,
  ],
  exports: [AuditService],
})
export class AuditModule {}
