import { Module, OnModuleInit } from '@nestjs/common';
import { WorkflowModule } from '../../internal/workflow/workflow.module';
import { AccessModule } from '../../platform/access/access.module';
import { CalendarModule } from '../../platform/calendar/calendar.module';
import { FilesModule } from '../../platform/files/files.module';
import { NotificationsModule } from '../../platform/notifications/notifications.module';
import { OrganisationsModule } from '../../platform/organisations/organisations.module';
import { RatingsModule } from '../ratings/ratings.module';
import { RatingTargets } from '../ratings/rating-target';
import { TimelineModule } from '../timeline/timeline.module';
import { TimelineService } from '../timeline/timeline.service';
import { ComplaintActionsService } from './complaint-actions.service';
import { ComplaintCaseType } from './complaint-case-type';
import { ComplaintCategoriesService } from './complaint-categories.service';
import { ComplaintEventTypes } from './complaint-declarations';
import { ComplaintHotspotsService } from './complaint-hotspots.service';
import { ComplaintPolicy } from './complaint.policy';
import { complaintRatingTarget } from './complaint-rating';
import { ComplaintCategoriesController, ComplaintsController } from './complaints.controller';
import { ComplaintsPublic } from './complaints-public';
import { ComplaintsPublicService } from './complaints-public.service';
import { ComplaintsResolver } from './complaints.resolver';
import { ComplaintsService } from './complaints.service';
import './complaints-demo';

/** The complaints' source of the "my government" timeline: the real-name complainant's orders. */
const TIMELINE_SQL = `
  SELECT c.id, 'complaint' AS kind,
         COALESCE(CASE WHEN $2 = 'en' THEN k.name->>'en' END, k.name->>'zh-CN', '') || ' ' || c.number AS title,
         c.extended_status AS state,
         CASE WHEN c.status = 'open' THEN c.expected_at END AS next_deadline,
         c.updated_at
  FROM complaint c JOIN complaint_category k ON k.id = c.category_id
  WHERE c.complainant_account_id = $1`;

/** 12345 work orders (投诉建议): intake, the closed loop on the workflow engine, hot spots, Open311's service layer. */
@Module({
  imports: [
    AccessModule,
    WorkflowModule,
    CalendarModule,
    FilesModule,
    NotificationsModule,
    OrganisationsModule,
    TimelineModule,
    RatingsModule,
  ],
  controllers: [ComplaintsController, ComplaintCategoriesController],
  providers: [
    ComplaintsService,
    ComplaintActionsService,
    ComplaintCategoriesService,
    ComplaintHotspotsService,
    ComplaintsPublicService,
    ComplaintsPublic,
    ComplaintCaseType,
    ComplaintPolicy,
    ComplaintEventTypes,
    ComplaintsResolver,
  ],
  exports: [ComplaintsPublic],
})
export class ComplaintsModule implements OnModuleInit {
  constructor(
    private readonly timeline: TimelineService,
    private readonly ratings: RatingTargets,
    private readonly complaints: ComplaintsService,
  ) {}

  onModuleInit(): void {
    this.timeline.register({ kind: 'complaint', sql: TIMELINE_SQL });
    this.ratings.register(complaintRatingTarget((id) => this.complaints.rated(id)));
  }
}
