import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { Permission } from '../../../api/auth/permission';
import { RequestContext } from '../../../api/context/request-context';
import { DomainError } from '../../../api/errors/domain-error';
import { ErrorCode } from '../../../api/errors/error-code';
import { Db } from '../../../database/db';
import { uuidv7 } from '../../../database/uuid';
import { CaseSubject, CaseTypeRegistry } from '../../internal/workflow/case-type';
import type { CaseTransition } from '../../internal/workflow/engine-types';
import { WorkflowDefinitionsService } from '../../internal/workflow/workflow-definitions.service';
import { WorkflowEngine } from '../../internal/workflow/workflow-engine.service';
import type { ActionSpec, WorkflowSpec } from '../../internal/workflow/workflow-spec';
import { ClockUnit } from '../../platform/calendar/deadline';
import { NotificationsService } from '../../platform/notifications/notifications.service';
import { OrganisationsService } from '../../platform/organisations/organisations.service';
import { containsContact, containsNationalId, randomBase32 } from '../licences/licence-rules';
import { RatingFiguresCache } from './rating-figures.cache';
import { RectificationOutcome, RectificationStatus } from './rating-levels';
import type { Rating } from './rating.entity';
import { RATINGS_CONFIG, RatingsConfig } from './ratings-config';
import { RatingTemplate } from './ratings-vocabulary';
import { Rectification } from './rectification.entity';

/** The case type of 差评整改; its subject key is the responsible unit's id. */
export const RECTIFICATION_CASE_TYPE = 'rectification';

const t = (zh: string, en: string) => ({ 'zh-CN': zh, en });
const step = (
  key: string,
  effect: ActionSpec['effect'],
  title: ReturnType<typeof t>,
  to: string,
): ActionSpec => ({
  key,
  effect,
  title,
  to,
  reasonRequired: true,
});
const handling = { permission: Permission.CaseHandle, unit: 'handling' } as const;

/**
 * The workflow a unit's rectifications run on until it activates its own version (through
 * /v1/case-types/rectification/subjects/{unitId}/workflows): verify the rating and call the rater
 * back (核实回访), then rectify (整改) or explain why nothing can change (说明解释) within the limit,
 * then answer the rater (答复: the public result). The rater's judgement of the result is recorded
 * by POST /v1/rectifications/{id}/satisfaction, not by staff.
 */
export function rectificationSpec(workingDays: number): WorkflowSpec {
  return {
    start: 'verify',
    clock: {
      limit: { amount: workingDays, unit: ClockUnit.WorkingDays },
      supplementNoticeWithin: 1,
      yellowWithin: 1,
      escalateOverdue: true,
    },
    stages: [
      {
        key: 'verify',
        title: t('核实回访', 'Verify and call back'),
        assignee: handling,
        actions: [step('verified', 'advance', t('已核实回访', 'Verified'), 'rectify')],
      },
      {
        key: 'rectify',
        title: t('整改或说明', 'Rectify or explain'),
        assignee: handling,
        actions: [
          step('rectified', 'advance', t('已整改', 'Rectified'), 'answer'),
          step('explain', 'advance', t('说明解释', 'Explain'), 'answer'),
        ],
      },
      {
        key: 'answer',
        title: t('答复评价人', 'Answer the rater'),
        assignee: handling,
        actions: [step('reply', 'reply', t('答复', 'Answer'), 'closed')],
      },
      { key: 'closed', title: t('办结', 'Closed'), assignee: handling, final: true, actions: [] },
    ],
  };
}

/** Registers `rectification` with the engine, opens rectifications and follows their cases. */
@Injectable()
export class RectificationCaseType implements OnModuleInit {
  constructor(
    private readonly db: Db,
    private readonly registry: CaseTypeRegistry,
    private readonly engine: WorkflowEngine,
    private readonly definitions: WorkflowDefinitionsService,
    private readonly organisations: OrganisationsService,
    private readonly notifications: NotificationsService,
    private readonly figures: RatingFiguresCache,
    @Inject(RATINGS_CONFIG) private readonly config: RatingsConfig,
  ) {}

  onModuleInit(): void {
    this.registry.register({
      key: RECTIFICATION_CASE_TYPE,
      title: t('差评整改', 'Rectification of a bad rating'),
      subjectResource: 'organisation',
      subject: (key) => this.subject(key),
      onTransition: (ctx, tr) => this.transition(ctx, tr),
      historyTitle: (effect) => (effect === 'reply' ? t('已答复整改结果', 'Result answered') : null),
    });
  }

  private async subject(key: string): Promise<CaseSubject | null> {
    const unit = /^[0-9a-f-]{36}$/i.test(key) ? await this.organisations.unit(key) : null;
    if (!unit) return null;
    const limit = { amount: this.config.rectifyWorkingDays, unit: ClockUnit.WorkingDays };
    return { organisationId: unit.id, regionCode: unit.regionCode, limits: { promised: limit } };
  }

  /**
   * Opens the rectification of a bad real-name rating, in the rating's transaction: the row, then
   * its case on the unit's active workflow (the default one is activated for the unit first).
   */
  async open(ctx: RequestContext, rating: Rating): Promise<Rectification> {
    await this.ensureWorkflow(rating.organisationId);
    const now = new Date();
    const row = this.db.repo(Rectification).create({
      id: uuidv7(),
      ratingId: rating.id,
      number: `ZG-${chinaDay(now)}-${randomBase32(8)}`,
      organisationId: rating.organisationId,
      serviceId: rating.serviceId,
      raterAccountId: rating.raterAccountId,
      kind: rating.kind,
      score: rating.score,
      status: RectificationStatus.Open,
      stage: 'verify',
      outcome: null,
      publicAnswer: null,
      answeredAt: null,
      raterSatisfaction: null,
      raterRatedAt: null,
    });
    await this.db.repo(Rectification).insert(row);
    const c = await this.engine.start(ctx, {
      caseType: RECTIFICATION_CASE_TYPE,
      subjectKey: rating.organisationId,
      subjectType: RECTIFICATION_CASE_TYPE,
      subjectId: row.id,
      number: row.number,
      applicantAccountId: rating.raterAccountId!,
      receivedAt: now,
      data: { kind: rating.kind, score: rating.score },
    });
    row.stage = c.stage;
    const unit = await this.organisations.unit(rating.organisationId);
    await this.notifications.notify(
      ctx,
      rating.raterAccountId!,
      RatingTemplate.RectificationOpened,
      {
        title: ctx.language === 'en' ? rating.titleEn : rating.titleZh,
        unit: unit?.name ?? '',
        number: row.number,
      },
      ['inapp'],
    );
    return row;
  }

  /** A unit without an active rectification workflow gets the default one (as the system). */
  private async ensureWorkflow(unitId: string): Promise<void> {
    if (await this.definitions.activeDefinition(RECTIFICATION_CASE_TYPE, unitId)) return;
    const system = RequestContext.system('ratings');
    await this.db.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`rectification-workflow:${unitId}`]);
    if (await this.definitions.activeDefinition(RECTIFICATION_CASE_TYPE, unitId)) return;
    const draft = await this.definitions.createFor(system, RECTIFICATION_CASE_TYPE, unitId, {
      spec: rectificationSpec(this.config.rectifyWorkingDays),
    });
    await this.definitions.activate(system, draft.id, undefined);
  }

  /** Keeps the row in step with its case: the stage, the unit's choice, the public answer. */
  private async transition(ctx: RequestContext, tr: CaseTransition): Promise<void> {
    const row = await this.db.repo(Rectification).findOne({ where: { id: tr.caseFile.subjectId } });
    if (!row) return;
    row.stage = tr.caseFile.stage;
    row.organisationId = tr.caseFile.organisationId;
    if (tr.event.action === 'rectified') row.outcome = RectificationOutcome.Rectified;
    if (tr.event.action === 'explain') row.outcome = RectificationOutcome.Explained;
    if (tr.effect === 'reply') {
      const answer = tr.event.reason ?? '';
      if (containsNationalId(answer) || containsContact(answer))
        throw new DomainError(ErrorCode.ValidationFailed, { count: 1 }, [
          {
            pointer: '/reason',
            code: 'publicText',
            message:
              'reason is published: it must not contain an ID number, a phone number or an e-mail address',
          },
        ]);
      row.status = RectificationStatus.Answered;
      row.publicAnswer = answer;
      row.answeredAt = new Date();
    }
    await this.db.repo(Rectification).save(row);
    if (tr.effect === 'reply') {
      await this.figures.notifyChanged(`rectification ${row.id}`);
      if (row.raterAccountId)
        await this.notifications.notify(
          ctx,
          row.raterAccountId,
          RatingTemplate.RectificationAnswered,
          { number: row.number, answer: row.publicAnswer ?? '' },
          ['inapp'],
        );
    }
  }
}

/** YYYYMMDD in China Standard Time. */
function chinaDay(at: Date): string {
  return new Date(at.getTime() + 8 * 3_600_000).toISOString().slice(0, 10).replace(/-/g, '');
}
