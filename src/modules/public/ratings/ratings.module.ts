import { Module, OnModuleInit } from '@nestjs/common';
import { WorkflowModule } from '../../internal/workflow/workflow.module';
import { AccessModule } from '../../platform/access/access.module';
import { NotificationsModule } from '../../platform/notifications/notifications.module';
import { OrganisationsModule } from '../../platform/organisations/organisations.module';
import { TimelineModule } from '../timeline/timeline.module';
import { TimelineService } from '../timeline/timeline.service';
import { BuiltinRatingTargets } from './builtin-targets';
import { RatingAppealPolicy, RatingPolicy } from './rating.policy';
import { RatingAppealsService } from './rating-appeals.service';
import { RatingCodesService } from './rating-codes.service';
import { RatingEventTypes } from './rating-events';
import { RatingFiguresCache } from './rating-figures.cache';
import { RatingFiguresService } from './rating-figures.service';
import { RatingSilenceService } from './rating-silence.service';
import { RatingTargets } from './rating-target';
import { RATINGS_CONFIG, ratingsConfig } from './ratings-config';
import {
  MyRatingsController,
  RatingAppealsController,
  RatingCodesController,
  RatingFiguresController,
  RatingsController,
  RectificationsController,
} from './ratings.controller';
import { RatingsResolver } from './ratings.resolver';
import { RatingsService } from './ratings.service';
import { RectificationCaseType } from './rectification-case-type';
import { RectificationsService } from './rectifications.service';
import './ratings-demo';

/** The rater's rectifications on "my government": open until answered, then waiting for their judgement. */
const TIMELINE_SQL = `
  SELECT x.id, 'rectification' AS kind,
         CASE WHEN $2 = 'en' THEN 'Follow-up ' ELSE '差评整改 ' END || x.number AS title,
         CASE WHEN x.status = 'answered' AND x.rater_satisfaction IS NULL THEN 'answered'
              WHEN x.status = 'answered' THEN 'closed' ELSE 'open' END AS state,
         NULL::timestamptz AS next_deadline, x.updated_at
  FROM rectification x WHERE x.rater_account_id = $1`;

/** 好差评: ratings of every handled item, rectification of bad ones, public figures. */
@Module({
  imports: [AccessModule, OrganisationsModule, NotificationsModule, WorkflowModule, TimelineModule],
  controllers: [
    RatingsController,
    MyRatingsController,
    RatingCodesController,
    RatingAppealsController,
    RectificationsController,
    RatingFiguresController,
  ],
  providers: [
    RatingTargets,
    { provide: RATINGS_CONFIG, useFactory: () => ratingsConfig() },
    RatingFiguresCache,
    RatingPolicy,
    RatingAppealPolicy,
    RatingEventTypes,
    BuiltinRatingTargets,
    RectificationCaseType,
    RatingsService,
    RatingCodesService,
    RatingAppealsService,
    RectificationsService,
    RatingFiguresService,
    RatingSilenceService,
    RatingsResolver,
  ],
  exports: [RatingTargets],
})
export class RatingsModule implements OnModuleInit {
  constructor(private readonly timeline: TimelineService) {}

  onModuleInit(): void {
    this.timeline.register({ kind: 'rectification', sql: TIMELINE_SQL });
  }
}
