import { Module } from '@nestjs/common';
import { OrganisationsModule } from '../../platform/organisations/organisations.module';
import { CatalogModule } from '../../public/catalog/catalog.module';
import { ServiceWorkflowsController, WorkflowDefinitionsController } from './workflow-definitions.controller';
import { WorkflowDefinitionsResolver } from './workflow-definitions.resolver';
import { WorkflowDefinitionsService } from './workflow-definitions.service';
import { WorkflowEngine } from './workflow-engine.service';
import { CalendarModule } from '../../platform/calendar/calendar.module';
import { NotificationsModule } from '../../platform/notifications/notifications.module';
import { CaseEffects } from './case-effects';
import { CasesController } from './cases.controller';
import { CasesResolver } from './cases.resolver';
import { CasesService } from './cases.service';
import { ClockJobsService } from './clock-jobs.service';

/** Workflows as data (I1–I6): definitions, the engine, cases, tasks, clocks. */
@Module({
  imports: [CatalogModule, OrganisationsModule, CalendarModule, NotificationsModule],
  controllers: [ServiceWorkflowsController, WorkflowDefinitionsController, CasesController],
  providers: [
    WorkflowDefinitionsService,
    WorkflowDefinitionsResolver,
    WorkflowEngine,
    CaseEffects,
    CasesService,
    CasesResolver,
    ClockJobsService,
  ],
  exports: [WorkflowDefinitionsService, WorkflowEngine],
})
export class WorkflowModule {}
