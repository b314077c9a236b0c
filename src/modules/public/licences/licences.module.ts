import { Module } from '@nestjs/common';
import { OrganisationsModule } from '../../platform/organisations/organisations.module';
import {
  LicencesController,
  LicenceVerificationsController,
  MeLicencesController,
} from './licences.controller';
import { LicencesResolver, LicenceVerificationResolver } from './licences.resolver';
import { LicencesService } from './licences.service';

/** E-licences (C2 results, E7 verification): issue, revoke, verify, QR. The workflow engine uses LicencesService. */
@Module({
  imports: [OrganisationsModule],
  controllers: [LicencesController, LicenceVerificationsController, MeLicencesController],
  providers: [LicencesService, LicencesResolver, LicenceVerificationResolver],
  exports: [LicencesService],
})
export class LicencesModule {}
