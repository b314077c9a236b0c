import { Module, OnModuleInit } from '@nestjs/common';
import { Db } from '../../../database/db';
import { WorkflowModule } from '../../internal/workflow/workflow.module';
import { AccessModule } from '../../platform/access/access.module';
import { NotificationsModule } from '../../platform/notifications/notifications.module';
import { OrganisationsModule } from '../../platform/organisations/organisations.module';
import { CatalogModule } from '../catalog/catalog.module';
import { CatalogService } from '../catalog/catalog.service';
import { RatingTargets } from '../ratings/rating-target';
import { RatingsModule } from '../ratings/ratings.module';
import { TimelineModule } from '../timeline/timeline.module';
import { TimelineService } from '../timeline/timeline.service';
// Registers the demo consultations with the platform's demo runner.
import './demo/demo-consultations';
import { ConsultationCaseType } from './consultation-case-type';
import { ConsultationContentService } from './consultation-content.service';
import { Consultation } from './consultation.entity';
import { ConsultationPolicy } from './consultation.policy';
import { ConsultationThread } from './consultation-thread';
import {
  ConsultationsController,
  ConsultationTemplatesController,
  MeConsultationsController,
} from './consultations.controller';
import { ConsultationsResolver } from './consultations.resolver';
import { ConsultationsService } from './consultations.service';

/** The consultations' source of the "my government" timeline (see TimelineSource). */
const TIMELINE_SQL = `
  SELECT c.id, 'consultation' AS kind,
         CASE WHEN c.service_id IS NOT NULL
              THEN COALESCE(CASE WHEN $2 = 'en' THEN s.title_en END, s.title_zh, '')
              ELSE COALESCE(CASE WHEN $2 = 'en' THEN o.name_en END, o.name, '') END AS title,
         CAST(c.status AS text) AS state,
         CASE WHEN c.status = 'open' THEN (
           SELECT cf.due_at FROM consultation_message m JOIN case_file cf ON cf.id = m.case_id
           WHERE m.consultation_id = c.id ORDER BY m.seq DESC LIMIT 1) END AS next_deadline,
         c.updated_at
  FROM consultation c
  LEFT JOIN service s ON s.id = c.service_id
  JOIN organisation o ON o.id = c.organisation_id
  WHERE c.asker_account_id = $1`;

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Answered consultations, for the ratings module's silence rule (see RatingTarget). */
const HANDLED_BEFORE_SQL = `
  SELECT CAST(id AS text) AS id, asker_account_id AS rater_account_id, organisation_id, service_id,
         answered_by AS handler_account_id, answered_at AS handled_at
  FROM consultation WHERE answered_at < $1`;

/** 咨询 (issue 13 §1): questions of a service or a unit, answered on the workflow engine. */
@Module({
  imports: [
    AccessModule,
    CatalogModule,
    WorkflowModule,
    NotificationsModule,
    OrganisationsModule,
    TimelineModule,
    RatingsModule,
  ],
  controllers: [ConsultationsController, MeConsultationsController, ConsultationTemplatesController],
  providers: [
    ConsultationsService,
    ConsultationContentService,
    ConsultationThread,
    ConsultationCaseType,
    ConsultationPolicy,
    ConsultationsResolver,
  ],
  exports: [ConsultationsService],
})
export class ConsultationsModule implements OnModuleInit {
  constructor(
    private readonly db: Db,
    private readonly timeline: TimelineService,
    private readonly ratings: RatingTargets,
    private readonly catalog: CatalogService,
    private readonly content: ConsultationContentService,
    private readonly thread: ConsultationThread,
  ) {}

  onModuleInit(): void {
    this.timeline.register({ kind: 'consultation', sql: TIMELINE_SQL });
    this.catalog.addGuideFaqSource((serviceId, language) => this.content.guideFaqs(serviceId, language));
    this.ratings.register({
      kind: 'consultation',
      title: { 'zh-CN': '咨询', en: 'Consultation' },
      load: async (id) => {
        if (!UUID_RE.test(id)) return null;
        const c = await this.db.repo(Consultation).findOne({ where: { id } });
        if (!c) return null;
        return {
          kind: 'consultation',
          id: c.id,
          raterAccountId: c.askerAccountId,
          organisationId: c.organisationId,
          serviceId: c.serviceId,
          handlerAccountId: c.answeredBy,
          handledAt: c.answeredAt,
          title: { 'zh-CN': await this.thread.topic(c, 'zh-CN'), en: await this.thread.topic(c, 'en') },
        };
      },
      handledBeforeSql: HANDLED_BEFORE_SQL,
    });
  }
}
