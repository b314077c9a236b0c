import { Module } from '@nestjs/common';
import { AccessModule } from '../access/access.module';
import { DirectoryCache } from './directory-cache';
import { OrganisationsController, RegionsController } from './organisations.controller';
import { OrganisationsResolver } from './organisations.resolver';
import { OrganisationPolicy } from './organisation.policy';
import { OrganisationsService } from './organisations.service';

@Module({
  imports: [AccessModule],
  controllers: [OrganisationsController, RegionsController],
  providers: [OrganisationPolicy, OrganisationsService, OrganisationsResolver, DirectoryCache],
  exports: [OrganisationsService],
})
export class OrganisationsModule {}
