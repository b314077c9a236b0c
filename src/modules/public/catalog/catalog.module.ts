import { Module } from '@nestjs/common';
import { AccessModule } from '../../platform/access/access.module';
import { FilesModule } from '../../platform/files/files.module';
import { OrganisationsModule } from '../../platform/organisations/organisations.module';
import { CatalogAdminController, ServicesController } from './catalog.controller';
import { CatalogResolver } from './catalog.resolver';
// Registers the catalogue's demo services with the platform's demo runner.
import './demo/demo-services';
import { PublishedCatalogCache } from './catalog-cache';
import { CatalogPublicService } from './catalog-public.service';
import { CatalogService } from './catalog.service';
import { CatalogStaffService } from './catalog-staff.service';
import { FormValidationService } from './form-validation.service';
import { StaffCatalogResolver } from './staff-catalog.resolver';
import { ServicePolicy } from './service.policy';
import { CatalogEventTypes } from './catalog-events';

/** The service catalogue (办事指南, C1). Other modules use CatalogService (validateForm, addPublishCheck). */
@Module({
  imports: [AccessModule, OrganisationsModule, FilesModule],
  controllers: [CatalogAdminController, ServicesController],
  providers: [
    CatalogService,
    CatalogStaffService,
    ServicePolicy,
    CatalogPublicService,
    FormValidationService,
    CatalogResolver,
    StaffCatalogResolver,
    PublishedCatalogCache,
    CatalogEventTypes,
  ],
  exports: [CatalogService],
})
export class CatalogModule {}
