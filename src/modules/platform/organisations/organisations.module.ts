import { Module } from '@nestjs/common';
import { DirectoryCache } from './directory-cache';
import { OrganisationsController, RegionsController } from './organisations.controller';
import { OrganisationsResolver } from './organisations.resolver';
import { OrganisationsService } from './organisations.service';

@Module({
  controllers: [OrganisationsController, RegionsController],
  providers: [OrganisationsService, OrganisationsResolver, DirectoryCache],
  exports: [OrganisationsService],
})
export class OrganisationsModule {}
