import { Module } from '@nestjs/common';
import { FilesModule } from '../../platform/files/files.module';
import { OrganisationsModule } from '../../platform/organisations/organisations.module';
import { CatalogAdminController, ServicesController } from './catalog.controller';
import { CatalogResolver } from './catalog.resolver';
import { PublishedCatalogCache } from './catalog-cache';
import { CatalogService } from './catalog.service';
import { StaffCatalogResolver } from './staff-catalog.resolver';

/** The service catalogue (办事指南, C1). Applications use CatalogService.validateForm(). */
@Module({
  imports: [OrganisationsModule, FilesModule],
  controllers: [CatalogAdminController, ServicesController],
  providers: [CatalogService, CatalogResolver, StaffCatalogResolver, PublishedCatalogCache],
  exports: [CatalogService],
})
export class CatalogModule {}
