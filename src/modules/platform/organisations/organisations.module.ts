import { Module } from '@nestjs/common';
import { OrganisationsController, RegionsController } from './organisations.controller';
import { OrganisationsResolver } from './organisations.resolver';
import { OrganisationsService } from './organisations.service';

@Module({
  controllers: [OrganisationsController, RegionsController],
  providers: [OrganisationsService, OrganisationsResolver],
  exports: [OrganisationsService],
})
export class OrganisationsModule {}
