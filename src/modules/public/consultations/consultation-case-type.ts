import { OrganisationsService } from '../../platform/organisations/organisations.service';
import { Injectable, OnModuleInit } from '@nestjs/common';
import { Permission } from '../../../api/auth/permission';
import { RequestContext } from '../../../api/context/request-context';
import { Db } from '../../../database/db';
import { CaseSubject, CaseTypeRegistry } from '../../internal/workflow/case-type';
import type { CaseTransition } from '../../internal/workflow/engine-types';
import { WorkflowDefinitionsService } from '../../internal/workflow/workflow-definitions.service';
import type { WorkflowSpec } from '../../internal/workflow/workflow-spec';
import { ClockUnit } from '../../platform/calendar/deadline';
import { NotificationsService } from '../../platform/notifications/notifications.service';
import { serviceById } from '../catalog/catalog-reads';
import { ANSWER_LIMIT_WORKING_DAYS, ConsultationTemplates } from './consultation-declarations';
import { Consultation, ConsultationMessage, ConsultationStatus, MessageKind } from './consultation.entity';
import { ConsultationThread } from './consultation-thread';

export const CONSULTATION_CASE_TYPE = 'consultation';
const UNIT_PREFIX = 'unit:';
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The subject key of a question of a unit; a question of a service is keyed by the service id. */
export const unitSubjectKey = (unitId: string): string => `${UNIT_PREFIX}${unitId}`;

const HANDLER = { permission: Permission.CaseHandle, unit: 'handling' } as const;

/**
 * The workflow every service and unit answers questions on until its unit's workflow managers
 * activate their own version (GET|POST /v1/case-types/consultation/subjects/{key}/workflows): one
 * stage "answer" with 答复 (reply, public: the answer) and 转办 (transfer to the competent unit).
 */
export const DEFAULT_CONSULTATION_SPEC: WorkflowSpec = {
  start: 'answer',
  clock: {
    limit: { amount: ANSWER_LIMIT_WORKING_DAYS, unit: ClockUnit.WorkingDays },
    supplementNoticeWithin: 5,
    yellowWithin: 1,
    escalateOverdue: true,
  },
  stages: [
    {
      key: 'answer',
      title: { 'zh-CN': '答复', en: 'Answer' },
      assignee: HANDLER,
      actions: [
        { key: 'reply', effect: 'reply', title: { 'zh-CN': '答复', en: 'Answer' }, to: 'answered' },
        { key: 'transfer', effect: 'transfer', title: { 'zh-CN': '转办', en: 'Transfer' } },
      ],
    },
    {
      key: 'answered',
      title: { 'zh-CN': '已答复', en: 'Answered' },
      assignee: HANDLER,
      final: true,
      actions: [],
    },
  ],
};

/**
 * Registers consultations with the workflow engine. Each question of a thread (the first and every
 * follow-up) is a case whose subject is that message, so the engine clocks, reminds and escalates
 * each one on the unit's working-day calendar; its transitions write back here: a transfer moves
 * the consultation to the receiving unit, an answer (reply) joins the thread and tells the asker.
 */
@Injectable()
export class ConsultationCaseType implements OnModuleInit {
  constructor(
    private readonly db: Db,
    private readonly registry: CaseTypeRegistry,
    private readonly definitions: WorkflowDefinitionsService,
    private readonly thread: ConsultationThread,
    private readonly notifications: NotificationsService,
    private readonly organisations: OrganisationsService,
  ) {}

  onModuleInit(): void {
    this.registry.register({
      key: CONSULTATION_CASE_TYPE,
      title: { 'zh-CN': '咨询', en: 'Consultation' },
      subjectResource: 'consultation_subject',
      subject: (key) => this.subject(key),
      onTransition: (ctx, t) => this.transition(ctx, t),
      historyTitle: (effect) =>
        effect === 'reply'
          ? { 'zh-CN': '已答复', en: 'Answered' }
          : effect === 'transfer'
            ? { 'zh-CN': '已转交承办部门', en: 'Passed to the competent unit' }
            : null,
    });
  }

  /** A service (the unit implementing it answers) or `unit:<id>` (that unit answers). */
  async subject(key: string): Promise<CaseSubject | null> {
    const limits = { promised: { amount: ANSWER_LIMIT_WORKING_DAYS, unit: ClockUnit.WorkingDays } };
    if (key.startsWith(UNIT_PREFIX)) {
      const id = key.slice(UNIT_PREFIX.length);
      if (!UUID_RE.test(id)) return null;
      const unit = await this.organisations.unit(id);
      return unit?.active
        ? { organisationId: unit.id, regionCode: unit.regionCode, limits, serviceId: null }
        : null;
    }
    if (!UUID_RE.test(key)) return null;
    const service = await serviceById(this.db, key);
    if (!service) return null;
    return {
      organisationId: service.organisationId,
      regionCode: service.regionCode,
      limits,
      serviceId: service.id,
    };
  }

  /**
   * The subject's active consultation workflow, created (from DEFAULT_CONSULTATION_SPEC) and activated
   * on first use, so every service and unit can be asked without setup. Serialised per subject.
   */
  async ensureWorkflow(subjectKey: string): Promise<void> {
    await this.db.query('SELECT pg_advisory_xact_lock(hashtext($1))', [
      `consultation-workflow:${subjectKey}`,
    ]);
    if (await this.definitions.activeDefinition(CONSULTATION_CASE_TYPE, subjectKey)) return;
    const system = RequestContext.system('consultations');
    const draft = await this.definitions.createFor(system, CONSULTATION_CASE_TYPE, subjectKey, {
      spec: DEFAULT_CONSULTATION_SPEC,
    });
    await this.definitions.activate(system, draft.id, undefined);
  }

  private async transition(ctx: RequestContext, t: CaseTransition): Promise<void> {
    const message = await this.db.repo(ConsultationMessage).findOne({ where: { id: t.caseFile.subjectId } });
    if (!message) return;
    if (t.effect === 'started') {
      await this.db.repo(ConsultationMessage).update(message.id, { caseId: t.caseFile.id });
      return;
    }
    const repo = this.db.repo(Consultation);
    const c = await repo.findOne({
      where: { id: message.consultationId },
      lock: { mode: 'pessimistic_write' },
    });
    if (!c) return;
    if (t.effect === 'transfer') {
      c.organisationId = t.caseFile.organisationId;
      await repo.save(c);
    } else if (t.effect === 'reply' && t.event.reason) {
      const staffId = ctx.actor.kind === 'staff' ? ctx.actor.id : null;
      await this.thread.append(c.id, MessageKind.Answer, t.event.reason, staffId);
      c.status = ConsultationStatus.Answered;
      c.answeredAt = new Date();
      c.answeredBy = staffId;
      await repo.save(c);
      await this.tellAsker(ctx, c);
    }
  }

  /** In-app (and e-mail/SMS where the account has them), in the asker's language, in this transaction. */
  private async tellAsker(ctx: RequestContext, c: Consultation): Promise<void> {
    const language = c.language === 'en' ? 'en' : 'zh-CN';
    await this.notifications.notify(
      ctx,
      c.askerAccountId,
      ConsultationTemplates.Answered,
      {
        number: c.number,
        topic: await this.thread.topic(c, language),
        unit: await this.thread.unitName(c.organisationId, language),
      },
      ['inapp', 'email', 'sms'],
      { link: `/consultations/${c.id}`, language },
    );
  }
}
