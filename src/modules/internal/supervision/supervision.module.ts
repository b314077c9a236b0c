import { Module } from '@nestjs/common';
import { AccessModule } from '../../platform/access/access.module';
import { OrganisationsModule } from '../../platform/organisations/organisations.module';
import { WorkflowModule } from '../workflow/workflow.module';
import { StatisticsController } from './statistics.controller';
import { StatisticsResolver } from './statistics.resolver';
import { StatisticsService } from './statistics.service';

/**
 * Supervision (督办): statistics over the workflow's cases, asked of the workflow module
 * (CaseStatistics); it owns no tables and writes none.
 */
@Module({
  imports: [AccessModule, OrganisationsModule, WorkflowModule],
  controllers: [StatisticsController],
  providers: [StatisticsService, StatisticsResolver],
})
export class SupervisionModule {}
