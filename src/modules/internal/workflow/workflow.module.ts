import { Module } from '@nestjs/common';
import { OrganisationsModule } from '../../platform/organisations/organisations.module';
import { ServiceWorkflowsController, WorkflowDefinitionsController } from './workflow-definitions.controller';
import { WorkflowDefinitionsResolver } from './workflow-definitions.resolver';
import { WorkflowDefinitionsService } from './workflow-definitions.service';
import { WorkflowEngine } from './workflow-engine.service';
import { CalendarModule } from '../../platform/calendar/calendar.module';
import { NotificationsModule } from '../../platform/notifications/notifications.module';
import { AccessModule } from '../../platform/access/access.module';
import { CaseEffects } from './case-effects';
import { CaseTypeRegistry } from './case-type';
import { CaseTypesController } from './case-types.controller';
import { CasePolicy } from './case.policy';
import { CaseRecords } from './case-records.service';
import { CaseStatistics } from './case-statistics';
import { WorkflowDefinitionPolicy } from './workflow-definition.policy';
import { CasesController } from './cases.controller';
import { CasesResolver } from './cases.resolver';
import { CasesService } from './cases.service';
import { ClockJobsService } from './clock-jobs.service';
import { CaseEventTypes } from './case-events';

/** Workflows as data (I1–I6): definitions, the engine, cases, tasks, clocks. */
@Module({
  imports: [AccessModule, OrganisationsModule, CalendarModule, NotificationsModule],
  controllers: [
    ServiceWorkflowsController,
    WorkflowDefinitionsController,
    CaseTypesController,
    CasesController,
  ],
  providers: [
    WorkflowDefinitionsService,
    WorkflowDefinitionsResolver,
    WorkflowEngine,
    CaseEffects,
    CaseTypeRegistry,
    CasePolicy,
    CaseRecords,
    CaseStatistics,
    WorkflowDefinitionPolicy,
    CasesService,
    CasesResolver,
    ClockJobsService,
    CaseEventTypes,
  ],
  exports: [WorkflowDefinitionsService, WorkflowEngine, CaseRecords, CaseStatistics, CaseTypeRegistry],
})
export class WorkflowModule {}
