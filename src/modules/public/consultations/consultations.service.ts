import { OrganisationsService } from '../../platform/organisations/organisations.service';
import { Injectable } from '@nestjs/common';
import { randomInt } from 'node:crypto';
import type { SelectQueryBuilder } from 'typeorm';
import type { RequestContext } from '../../../api/context/request-context';
import { DomainError, notFound } from '../../../api/errors/domain-error';
import { ErrorCode } from '../../../api/errors/error-code';
import { cursorCodec, keysetPage, Page, PageQuery } from '../../../api/http/pagination';
import { Db } from '../../../database/db';
import { WorkflowEngine } from '../../internal/workflow/workflow-engine.service';
import { AccessService } from '../../platform/access/access.service';
import type { AccessDecision } from '../../platform/access/access.types';
import { AuditService } from '../../platform/audit/audit.service';
import { serviceById } from '../catalog/catalog-reads';
import { ServiceStatus } from '../catalog/service.entity';
import { CONSULTATION_CASE_TYPE, ConsultationCaseType, unitSubjectKey } from './consultation-case-type';
import { ConsultationError, FOLLOW_UP_WINDOW_DAYS, MAX_FOLLOW_UPS } from './consultation-declarations';
import { Consultation, ConsultationFaq, ConsultationStatus, MessageKind } from './consultation.entity';
import { ConsultationThread } from './consultation-thread';
import { faqView, summaryView } from './consultation-views';
import {
  AnswerConsultationDto,
  AskConsultationDto,
  ConsultationDto,
  ConsultationSummaryDto,
  FollowUpDto,
  StaffConsultationQueryDto,
  TransferConsultationDto,
} from './dto/consultation.dto';
import { ConsultationContentService } from './consultation-content.service';

/** The staff list and the asker's own list page by id (UUIDv7: newest first), each with its own cursors. */
export const CONSULTATION_CURSOR = cursorCodec<[string]>('consultations', 'uuid');
export const MY_CONSULTATION_CURSOR = cursorCodec<[string]>('my-consultations', 'uuid');

const DAY_MS = 86_400_000;

/**
 * 咨询: a citizen asks a question of a service or a unit; each question of the thread runs as a case
 * on the workflow engine (clock, reminders, escalation, transfer), answered by the unit's staff.
 */
@Injectable()
export class ConsultationsService {
  constructor(
    private readonly db: Db,
    private readonly access: AccessService,
    private readonly audit: AuditService,
    private readonly engine: WorkflowEngine,
    private readonly caseType: ConsultationCaseType,
    private readonly thread: ConsultationThread,
    private readonly content: ConsultationContentService,
    private readonly organisations: OrganisationsService,
  ) {}

  // ---------------------------------------------------------------- the asker

  /** Files a question of a published service (its unit answers) or of an active unit. */
  async ask(ctx: RequestContext, dto: AskConsultationDto): Promise<ConsultationDto> {
    return this.db.transaction(async () => {
      const { subjectKey, organisationId, serviceId } = await this.target(dto);
      await this.caseType.ensureWorkflow(subjectKey);
      const repo = this.db.repo(Consultation);
      const c = repo.create({
        number: newNumber(),
        askerAccountId: ctx.actor.id!,
        serviceId,
        organisationId,
        subjectKey,
        status: ConsultationStatus.Open,
        followUps: 0,
        language: ctx.language,
        answeredAt: null,
        answeredBy: null,
      });
      await repo.save(c);
      await this.openQuestion(ctx, c, MessageKind.Question, dto.question, subjectKey);
      await this.audit.append(ctx, {
        action: 'consultation.create',
        resourceType: 'consultation',
        resourceId: c.id,
        subjectId: c.askerAccountId,
      });
      return this.view(ctx, c, true);
    });
  }

  /**
   * A follow-up question in the same thread: at most MAX_FOLLOW_UPS, once the previous question is
   * answered and within FOLLOW_UP_WINDOW_DAYS of that answer. It opens a new clocked case at the unit
   * answering now.
   */
  async followUp(ctx: RequestContext, id: string, dto: FollowUpDto): Promise<ConsultationDto> {
    return this.db.transaction(async () => {
      const c = await this.access.require<Consultation>(ctx, 'consultation', id, 'own', { lock: true });
      const refusal = followUpRefusal(c, new Date());
      if (refusal)
        throw new DomainError(ConsultationError.FollowUpRefused, { reason: refusal[ctx.language] });
      const subjectKey = await this.currentSubject(c);
      await this.caseType.ensureWorkflow(subjectKey);
      c.followUps += 1;
      c.status = ConsultationStatus.Open;
      await this.db.repo(Consultation).save(c);
      await this.openQuestion(ctx, c, MessageKind.FollowUp, dto.question, subjectKey);
      await this.audit.append(ctx, {
        action: 'consultation.follow_up',
        resourceType: 'consultation',
        resourceId: c.id,
        subjectId: c.askerAccountId,
      });
      return this.view(ctx, c, true);
    });
  }

  /** My consultations, newest first (no texts: open one to read its thread). */
  async listMine(ctx: RequestContext, q: PageQuery): Promise<Page<ConsultationSummaryDto>> {
    const qb = this.db
      .repo(Consultation)
      .createQueryBuilder('c')
      .where('c.asker_account_id = :me', { me: ctx.actor.id });
    return this.page(qb, q, MY_CONSULTATION_CURSOR);
  }

  // ---------------------------------------------------------------- asker and staff

  /** One consultation with its thread: for the asker, or the answering unit's staff (audited). */
  async get(ctx: RequestContext, id: string): Promise<ConsultationDto> {
    const c = await this.access.require<Consultation>(ctx, 'consultation', id, 'read');
    const decision = await this.access.check(ctx, 'consultation', c, 'read');
    return this.db.transaction(async () => {
      const asker = decision.reason === 'asker';
      if (!asker) await this.recordRead(ctx, c, decision);
      return this.view(ctx, c, asker);
    });
  }

  // ---------------------------------------------------------------- staff

  /** Consultations answered by the caller's units (or below), newest first; no texts. */
  async listForStaff(
    ctx: RequestContext,
    q: StaffConsultationQueryDto,
  ): Promise<Page<ConsultationSummaryDto>> {
    const scope = this.access.scope(ctx, 'consultation');
    const qb = this.db.repo(Consultation).createQueryBuilder('c').where(scope.sql, scope.params);
    if (q.status) qb.andWhere('c.status = :status', { status: q.status });
    return this.page(qb, q, CONSULTATION_CURSOR);
  }

  /** 答复: the open question's case takes the engine's `reply` (its task, scope and rules apply). */
  async answer(ctx: RequestContext, id: string, dto: AnswerConsultationDto): Promise<ConsultationDto> {
    return this.db.transaction(async () => {
      if (!dto.text === !dto.templateId) throw exactlyOne('/text', 'give text or templateId, not both');
      const c = await this.access.require<Consultation>(ctx, 'consultation', id, 'read');
      const text = dto.templateId
        ? await this.content.templateText(c.organisationId, dto.templateId)
        : dto.text!;
      await this.engine.act(ctx, await this.openCase(c), 'reply', { reason: text });
      return this.staffView(ctx, id);
    });
  }

  /** 转办: the open question goes to the competent unit (engine `transfer`: same region, active). */
  async transfer(ctx: RequestContext, id: string, dto: TransferConsultationDto): Promise<ConsultationDto> {
    return this.db.transaction(async () => {
      const c = await this.access.require<Consultation>(ctx, 'consultation', id, 'read');
      await this.engine.act(ctx, await this.openCase(c), 'transfer', {
        organisationId: dto.organisationId,
        reason: dto.reason,
      });
      return this.staffView(ctx, id);
    });
  }

  // ---------------------------------------------------------------- helpers

  private async target(
    dto: AskConsultationDto,
  ): Promise<{ subjectKey: string; organisationId: string; serviceId: string | null }> {
    if (!dto.serviceId === !dto.organisationId)
      throw exactlyOne('/serviceId', 'give serviceId or organisationId, not both');
    if (dto.serviceId) {
      const service = await serviceById(this.db, dto.serviceId);
      if (!service || service.status !== ServiceStatus.Published) throw notFound('service');
      return { subjectKey: service.id, organisationId: service.organisationId, serviceId: service.id };
    }
    const unit = await this.organisations.unit(dto.organisationId!);
    if (!unit?.active) throw notFound('organisation');
    return { subjectKey: unitSubjectKey(unit.id), organisationId: unit.id, serviceId: null };
  }

  /** Where a follow-up goes: the original subject while its unit still answers, else the unit now answering. */
  private async currentSubject(c: Consultation): Promise<string> {
    const subject = await this.caseType.subject(c.subjectKey);
    return subject?.organisationId === c.organisationId ? c.subjectKey : unitSubjectKey(c.organisationId);
  }

  private async openQuestion(
    ctx: RequestContext,
    c: Consultation,
    kind: MessageKind,
    text: string,
    subjectKey: string,
  ): Promise<void> {
    const message = await this.thread.append(c.id, kind, text);
    await this.engine.start(ctx, {
      caseType: CONSULTATION_CASE_TYPE,
      subjectKey,
      subjectType: CONSULTATION_CASE_TYPE,
      subjectId: message.id,
      number: `${c.number}-${message.seq}`,
      applicantAccountId: c.askerAccountId,
      receivedAt: new Date(),
      data: { consultationId: c.id },
    });
  }

  /** The case of the question waiting for its answer; 409 when every question is answered. */
  private async openCase(c: Consultation): Promise<string> {
    const question = await this.thread.latestQuestion(c.id);
    if (c.status !== ConsultationStatus.Open || !question?.caseId)
      throw new DomainError(ErrorCode.InvalidTransition, { reason: 'no question is waiting for an answer' });
    return question.caseId;
  }

  private async staffView(ctx: RequestContext, id: string): Promise<ConsultationDto> {
    const c = await this.db.repo(Consultation).findOneByOrFail({ id });
    // After a transfer the caller may no longer see it: the answer is then what the asker sees, without the thread.
    const decision = await this.access.check(ctx, 'consultation', c, 'read');
    if (!decision.allowed) return { ...(await this.view(ctx, c, false)), messages: [], openCaseId: null };
    await this.recordRead(ctx, c, decision);
    return this.view(ctx, c, false);
  }

  private recordRead(ctx: RequestContext, c: Consultation, decision: AccessDecision): Promise<void> {
    return this.access.record(ctx, decision, {
      action: 'consultation.read',
      resourceType: 'consultation',
      resourceId: c.id,
      subjectId: c.askerAccountId,
      purpose: 'answering a consultation',
    });
  }

  private async view(ctx: RequestContext, c: Consultation, asker: boolean): Promise<ConsultationDto> {
    const messages = await this.thread.messages(c.id);
    const faq = await this.db.repo(ConsultationFaq).findOne({ where: { consultationId: c.id } });
    const waiting =
      c.status === ConsultationStatus.Open ? [...messages].reverse().find((m) => m.caseId) : undefined;
    return {
      ...summaryView(c),
      topic: await this.thread.topic(c, ctx.language),
      followUpsLeft: followUpRefusal(c, new Date()) ? 0 : MAX_FOLLOW_UPS - c.followUps,
      openCaseId: asker ? null : (waiting?.caseId ?? null),
      messages: messages.map((m) => ({
        seq: m.seq,
        kind: m.kind,
        text: m.text,
        createdAt: m.createdAt.toISOString(),
      })),
      faq: faq ? faqView(faq) : null,
      version: c.version,
    };
  }

  private async page(
    qb: SelectQueryBuilder<Consultation>,
    q: PageQuery,
    cursor: typeof CONSULTATION_CURSOR,
  ): Promise<Page<ConsultationSummaryDto>> {
    const page = await keysetPage(qb, q, {
      cursor,
      idColumn: 'c.id',
      direction: 'DESC',
      keyOf: (c) => [c.id],
    });
    return { items: page.items.map(summaryView), nextCursor: page.nextCursor, count: page.count };
  }
}

/** Why no follow-up is possible now (in both languages), or null when one is. */
export function followUpRefusal(
  c: Pick<Consultation, 'status' | 'followUps' | 'answeredAt'>,
  now: Date,
): { 'zh-CN': string; en: string } | null {
  if (c.status !== ConsultationStatus.Answered || !c.answeredAt)
    return { 'zh-CN': '上一个问题尚未答复', en: 'the previous question is not answered yet' };
  if (c.followUps >= MAX_FOLLOW_UPS)
    return {
      'zh-CN': `每个咨询最多追问 ${MAX_FOLLOW_UPS} 次`,
      en: `at most ${MAX_FOLLOW_UPS} follow-up questions per consultation`,
    };
  if (now.getTime() - c.answeredAt.getTime() > FOLLOW_UP_WINDOW_DAYS * DAY_MS)
    return {
      'zh-CN': `答复已超过 ${FOLLOW_UP_WINDOW_DAYS} 天，请重新咨询`,
      en: `the answer is more than ${FOLLOW_UP_WINDOW_DAYS} days old: ask a new question`,
    };
  return null;
}

const exactlyOne = (pointer: string, message: string): DomainError =>
  new DomainError(ErrorCode.ValidationFailed, { count: 1 }, [{ pointer, code: 'exactlyOne', message }]);

/** ZX + the day (China time) + 6 random digits; the unique index catches the rare collision. */
function newNumber(): string {
  const day = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10).replace(/-/g, '');
  return `ZX${day}${String(randomInt(0, 1_000_000)).padStart(6, '0')}`;
}
