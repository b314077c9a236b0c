import { Module, OnModuleInit } from '@nestjs/common';
import { AccessModule } from '../../platform/access/access.module';
import { FilesModule } from '../../platform/files/files.module';
import { BusinessModule } from '../../platform/identity/business/business.module';
import { NotificationsModule } from '../../platform/notifications/notifications.module';
import { OrganisationsModule } from '../../platform/organisations/organisations.module';
import { WorkflowModule } from '../../internal/workflow/workflow.module';
import { CatalogModule } from '../catalog/catalog.module';
import { LicencesModule } from '../licences/licences.module';
import { TimelineModule } from '../timeline/timeline.module';
import { TimelineService } from '../timeline/timeline.service';
import { ApplicationAccess } from './application-access';
import { ApplicationPolicy } from './application.policy';
import { ApplicationAttachmentsService } from './application-attachments.service';
import { ApplicationProgressService } from './application-progress.service';
import { ApplicationTransitions } from './application-transitions';
import { ApplicationEvents } from './application-events';
import { ApplicationsController } from './applications.controller';
import { ApplicationsResolver } from './applications.resolver';
import { ApplicationsService } from './applications.service';
import { ServiceCaseType } from './service-case-type';

/** Statuses in which the promised due date is still ahead of the applicant. */
const OPEN = "'submitted', 'accepted', 'supplement_required', 'suspended', 'approved', 'issued'";

/** The applications' source of the "my government" timeline (see TimelineSource). */
const TIMELINE_SQL = `
  SELECT a.id, 'application' AS kind,
         COALESCE(CASE WHEN $2 = 'en' THEN s.title_en END, s.title_zh, '') AS title,
         CAST(a.status AS text) AS state,
         CASE WHEN CAST(a.status AS text) IN (${OPEN}) THEN a.promised_due_at END AS next_deadline,
         a.updated_at
  FROM application a JOIN service s ON s.id = a.service_id
  WHERE a.applicant_account_id = $1 OR a.business_account_id = $1`;

/** One-stop applications (C2): drafts, attachments, submission into the workflow, results. */
@Module({
  imports: [
    AccessModule,
    CatalogModule,
    LicencesModule,
    WorkflowModule,
    FilesModule,
    NotificationsModule,
    OrganisationsModule,
    BusinessModule,
    TimelineModule,
  ],
  controllers: [ApplicationsController],
  providers: [
    ApplicationsService,
    ApplicationAccess,
    ApplicationPolicy,
    ApplicationAttachmentsService,
    ApplicationProgressService,
    ApplicationTransitions,
    ApplicationEvents,
    ServiceCaseType,
    ApplicationsResolver,
  ],
  exports: [ApplicationsService],
})
export class ApplicationsModule implements OnModuleInit {
  constructor(private readonly timeline: TimelineService) {}

  onModuleInit(): void {
    this.timeline.register({ kind: 'application', sql: TIMELINE_SQL });
  }
}
