import { Injectable, OnModuleInit } from '@nestjs/common';
import { Permission } from '../../../api/auth/permission';
import type { RequestContext } from '../../../api/context/request-context';
import { DomainError, notFound } from '../../../api/errors/domain-error';
import { Db } from '../../../database/db';
import { WorkflowEngine } from '../../internal/workflow/workflow-engine.service';
import { AccessService } from '../../platform/access/access.service';
import { AuditService } from '../../platform/audit/audit.service';
import { EventsService } from '../../platform/events/events.service';
import { ROLES } from '../../platform/identity/staff/role-catalogue';
import { JobsService } from '../../platform/jobs/jobs.service';
import { NotificationsService } from '../../platform/notifications/notifications.service';
import type { TemplateName, TemplateParams } from '../../platform/notifications/templates';
import { Complaint, ComplaintUpdate } from './complaint.entity';
import { CALLBACK_JOB, ComplaintCaseType } from './complaint-case-type';
import {
  COMPLAINT_MERGED,
  COMPLAINT_SUPERVISED,
  ComplaintError,
  ComplaintTemplate,
} from './complaint-declarations';
import { normaliseTrackingCode } from './complaint-rules';
import { ComplaintsService } from './complaints.service';
import type {
  ComplaintFollowUpDto,
  MergeComplaintDto,
  SuperviseComplaintDto,
} from './dto/complaint-input.dto';
import type { ComplaintDto } from './dto/complaint.dto';

/** A closed order may be asked to be reopened (重办) this long after it closed. */
const REOPEN_WINDOW_MS = 30 * 24 * 3_600_000;
const MAX_RECIPIENTS = 50;

/**
 * What happens to a work order besides its case's steps: merging duplicates (dispatch centre),
 * supervision notices (督办, supervisors), follow-ups and reopen requests from the public, and the
 * next-working-day callback job.
 */
@Injectable()
export class ComplaintActionsService implements OnModuleInit {
  constructor(
    private readonly db: Db,
    private readonly engine: WorkflowEngine,
    private readonly access: AccessService,
    private readonly audit: AuditService,
    private readonly events: EventsService,
    private readonly notifications: NotificationsService,
    private readonly jobs: JobsService,
    private readonly caseType: ComplaintCaseType,
    private readonly complaints: ComplaintsService,
  ) {}

  onModuleInit(): void {
    this.jobs.register<{ complaintId: string }>(CALLBACK_JOB, (payload, ctx) =>
      this.callbackDue(ctx, payload.complaintId),
    );
  }

  /** 合并: the order (not yet dispatched) closes as a duplicate of `intoId`, which answers it too. */
  async merge(ctx: RequestContext, id: string, dto: MergeComplaintDto): Promise<ComplaintDto> {
    await this.db.transaction(async () => {
      const dup = await this.access.require<Complaint>(ctx, 'complaint', id, 'dispatch', { lock: true });
      const into = await this.access.require<Complaint>(ctx, 'complaint', dto.intoId, 'read');
      if (
        into.id === dup.id ||
        into.status !== 'open' ||
        into.duplicateOfId ||
        dup.status !== 'open' ||
        into.dispatchOrganisationId !== dup.dispatchOrganisationId ||
        !dup.caseId
      )
        throw new DomainError(ComplaintError.NotMergeable);
      await this.db.repo(Complaint).update(dup.id, { duplicateOfId: into.id, statusNotes: into.statusNotes });
      try {
        await this.engine.act(ctx, dup.caseId, 'merge', { reason: dto.reason });
      } catch (e) {
        // The engine's 409 (the order is past intake) reads better as this module's own refusal.
        if (e instanceof DomainError && e.status === 409) throw new DomainError(ComplaintError.NotMergeable);
        throw e;
      }
      await this.caseType.addUpdate(
        await this.complaints.find(dup.id),
        'merge',
        `并入工单 ${into.number} / merged into ${into.number}`,
      );
      await this.events.publish(ctx, {
        type: COMPLAINT_MERGED.type,
        aggregate: { type: 'complaint', id: dup.id },
        payload: {
          complaintId: dup.id,
          caseId: dup.caseId,
          categoryCode: dup.categoryCode,
          regionCode: dup.regionCode,
          intoComplaintId: into.id,
        },
      });
    });
    return this.complaints.get(ctx, id);
  }

  /** 督办: a notice of a tier on the order, in its case history, to the handling unit's handlers. */
  async supervise(ctx: RequestContext, id: string, dto: SuperviseComplaintDto): Promise<ComplaintDto> {
    await this.db.transaction(async () => {
      const c = await this.access.require<Complaint>(ctx, 'complaint', id, 'supervise', { lock: true });
      if (c.status !== 'open' || !c.caseId) throw new DomainError(ComplaintError.NotSupervisable);
      const caseFile = await this.engine.caseOf('complaint', c.id);
      if (caseFile)
        await this.engine.record(ctx, caseFile, 'supervision', {
          fromStage: caseFile.stage,
          toStage: caseFile.stage,
          public: false,
          reason: dto.reason,
          data: { effect: 'supervision', tier: dto.tier },
        });
      await this.caseType.addUpdate(c, 'supervision', dto.reason, { public: false, tier: dto.tier });
      await this.events.publish(ctx, {
        type: COMPLAINT_SUPERVISED.type,
        aggregate: { type: 'complaint', id: c.id },
        payload: {
          complaintId: c.id,
          caseId: c.caseId,
          categoryCode: c.categoryCode,
          regionCode: c.regionCode,
          tier: dto.tier,
        },
      });
      await this.tellUnit(
        ctx,
        c.handlingOrganisationId,
        ComplaintTemplate.Supervision,
        {
          number: c.number,
          tier: dto.tier,
          reason: dto.reason.slice(0, 500),
        },
        c.id,
      );
    });
    return this.complaints.get(ctx, id);
  }

  /** A follow-up by the real-name complainant on their own order. */
  async followUpMine(
    ctx: RequestContext,
    id: string,
    dto: ComplaintFollowUpDto,
  ): Promise<{ updateId: string }> {
    return this.db.transaction(async () => {
      const c = await this.access.require<Complaint>(ctx, 'complaint', id, 'read', { lock: true });
      if (ctx.actor.kind !== 'citizen') throw notFound('complaint');
      return this.followUp(ctx, c, dto);
    });
  }

  /** A follow-up by whoever holds the tracking code. */
  async followUpByCode(
    ctx: RequestContext,
    code: string,
    dto: ComplaintFollowUpDto,
  ): Promise<{ updateId: string }> {
    const tracking = normaliseTrackingCode(code);
    return this.db.transaction(async () => {
      const c = tracking
        ? await this.db
            .repo(Complaint)
            .findOne({ where: { trackingCode: tracking }, lock: { mode: 'pessimistic_write' } })
        : null;
      if (!c) throw notFound('complaint');
      return this.followUp(ctx, c, dto);
    });
  }

  /**
   * Recorded on the order (public) and told to the handling unit. `reopen` on a closed order
   * (within 30 days, not a merged duplicate) records a 重办 request for the dispatch centre, which
   * reopens by filing the matter again or through the review stage of a case still open.
   */
  async followUp(
    ctx: RequestContext,
    c: Complaint,
    dto: ComplaintFollowUpDto,
  ): Promise<{ updateId: string }> {
    let kind = 'follow_up';
    if (dto.reopen) {
      const closedLongAgo = !c.closedAt || Date.now() - new Date(c.closedAt).getTime() > REOPEN_WINDOW_MS;
      if (c.status !== 'closed' || c.duplicateOfId || closedLongAgo)
        throw new DomainError(ComplaintError.NotReopenable);
      kind = 'reopen_request';
    }
    const row = await this.caseType.addUpdate(c, kind, dto.description, {
      mediaUrl: dto.mediaUrl ?? null,
      ...(kind === 'reopen_request' && { extendedStatus: 'reopen' }),
    });
    await this.db.repo(Complaint).update(c.id, { updatedAt: new Date() });
    await this.audit.append(ctx, {
      action: `complaint.${kind}`,
      resourceType: 'complaint',
      resourceId: c.id,
    });
    const unit = kind === 'reopen_request' ? c.dispatchOrganisationId : c.handlingOrganisationId;
    await this.tellUnit(ctx, unit, ComplaintTemplate.FollowUp, { number: c.number }, c.id);
    return { updateId: row.id };
  }

  /**
   * The callback job (回访), due the next working day after the answer: the complainant is asked
   * how it went, once (the job's dedupe key and the recorded request both keep it to one).
   */
  private async callbackDue(ctx: RequestContext, complaintId: string): Promise<void> {
    const c = await this.db
      .repo(Complaint)
      .findOne({ where: { id: complaintId }, lock: { mode: 'pessimistic_write' } });
    if (!c || c.status !== 'open' || c.extendedStatus !== 'fixed') return;
    const asked = await this.db
      .repo(ComplaintUpdate)
      .count({ where: { complaintId, kind: 'callback_request' } });
    if (asked) return;
    await this.caseType.addUpdate(c, 'callback_request', '回访 / callback', { public: false });
    if (c.complainantAccountId)
      await this.notifications.notify(
        ctx,
        c.complainantAccountId,
        ComplaintTemplate.Callback,
        { number: c.number },
        ['inapp'],
        { link: `/complaints/${c.id}` },
      );
  }

  /** In-app notice to the active handlers (case:handle) of the unit and the units above it. */
  private async tellUnit(
    ctx: RequestContext,
    unitId: string,
    template: TemplateName,
    params: TemplateParams,
    id: string,
  ): Promise<void> {
    const roles = Object.values(ROLES)
      .filter((r) => r.permissions.includes(Permission.CaseHandle))
      .map((r) => r.name);
    const rows = await this.db.query<{ id: string }>(
      `SELECT DISTINCT a.id FROM role_assignment ra
       JOIN account a ON a.id = ra.account_id AND a.status = 'active'
       WHERE ra.organisation_id = $1 AND ra.role = ANY($2::text[])
         AND (ra.valid_from IS NULL OR ra.valid_from <= now()) AND (ra.valid_until IS NULL OR ra.valid_until > now())
       ORDER BY a.id LIMIT ${MAX_RECIPIENTS}`,
      [unitId, roles],
    );
    for (const r of rows)
      await this.notifications.notify(ctx, r.id, template, params, ['inapp'], {
        link: `/complaints/${id}`,
        language: 'zh-CN',
      });
  }
}
