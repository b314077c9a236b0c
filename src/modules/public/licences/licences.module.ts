import { Module } from '@nestjs/common';
import { AccessModule } from '../../platform/access/access.module';
import { OrganisationsModule } from '../../platform/organisations/organisations.module';
import {
  LicencesController,
  LicenceVerificationsController,
  MeLicencesController,
} from './licences.controller';
import { LicencesResolver, LicenceVerificationResolver } from './licences.resolver';
import { LicencePolicy } from './licence.policy';
import { LicencesService } from './licences.service';
import { LicenceEventTypes } from './licence-events';

/** E-licences (C2 results, E7 verification): issue, revoke, verify, QR. The workflow engine uses LicencesService. */
@Module({
  imports: [AccessModule, OrganisationsModule],
  controllers: [LicencesController, LicenceVerificationsController, MeLicencesController],
  providers: [
    LicencePolicy,
    LicencesService,
    LicencesResolver,
    LicenceVerificationResolver,
    LicenceEventTypes,
  ],
  exports: [LicencesService],
})
export class LicencesModule {}
