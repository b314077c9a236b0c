import { Injectable } from '@nestjs/common';
import { Permission } from '../../../api/auth/permission';
import { Language, RequestContext } from '../../../api/context/request-context';
import { Db } from '../../../database/db';
import { Account } from '../../platform/identity/account.entity';
import { EventsService } from '../../platform/events/events.service';
import { CaseOutcome } from '../../internal/workflow/case.entity';
import type { CaseTransition } from '../../internal/workflow/workflow-engine.service';
import { Service } from '../catalog/service.entity';
import { serviceByIdOrFail, versionByIdOrFail } from '../catalog/catalog-reads';
import { fieldsProblems, MAX_FIELDS } from '../licences/licence-rules';
import { LicencesService } from '../licences/licences.service';
import { SUBJECT } from './application-access';
import { patchApplication } from './application-rules';
import {
  APPLICATION_STATUS_CHANGED,
  APPLICATION_WITHDRAWN,
  ApplicationStatusChanged,
} from './application-events';
import { statusAfter } from './application-status';
import { Application } from './application.entity';

/** Form widgets whose values are personal identifiers: never printed on a (publicly verifiable) licence. */
const PRIVATE_WIDGETS = new Set(['phone', 'id-card', 'address', 'file']);

/**
 * Keeps applications in step with their cases: runs inside the engine's transaction after each
 * transition, updates the applicant's status and dates, issues the e-licence on `issue`, and
 * publishes the application's events (the applicant is told by their durable subscriber,
 * ApplicationEvents, after commit).
 */
@Injectable()
export class ApplicationTransitions {
  constructor(
    private readonly db: Db,
    private readonly licences: LicencesService,
    private readonly events: EventsService,
  ) {}

  /** The `service` case type's transition hook (ServiceCaseType registers it with the engine). */
  async apply(ctx: RequestContext, t: CaseTransition): Promise<void> {
    const { caseFile, event, effect } = t;
    // The engine hands back the service row the case type read when it opened the case.
    const known = t.held instanceof Service ? t.held : undefined;
    // Submission hands over the row it holds (locked, current); other transitions read it.
    const held = t.subject instanceof Application && t.subject.id === caseFile.subjectId ? t.subject : null;
    const app =
      held ??
      (await this.db
        .repo(Application)
        .findOne({ where: { id: caseFile.subjectId }, lock: { mode: 'pessimistic_write' } }));
    if (!app) return;
    const data = event.data ?? {};
    const changes: Partial<Application> = {
      eventEffects: { ...app.eventEffects, [event.id]: effect },
      promisedDueAt: caseFile.dueAt,
      dueProvisional: caseFile.dueProvisional,
    };
    let decision: string | null = null;
    if (effect === 'request_supplement') {
      const items = Array.isArray(data.items) ? (data.items as Array<Record<string, unknown>>) : [];
      changes.supplement = {
        items: items.map((i) => ({
          ...(typeof i.material === 'string' ? { material: i.material } : {}),
          ...(typeof i.field === 'string' ? { field: i.field } : {}),
          description: typeof i.description === 'string' ? i.description : '',
        })),
        reason: event.reason,
        requestedAt: event.createdAt.toISOString(),
        answeredAt: null,
      };
    } else if (effect === 'refuse') {
      decision = 'refused';
    } else if (effect === 'decide') {
      decision =
        data.decision === 'denied' || caseFile.outcome === CaseOutcome.Denied ? 'denied' : 'approved';
    } else if (effect === 'withdrawn') {
      changes.withdrawnAt = new Date();
    }
    if (decision) {
      changes.decision = decision;
      changes.decisionReason = event.reason;
    }
    const service = known ?? (await serviceByIdOrFail(this.db, app.serviceId));
    const language: Language = ctx.actor.id === app.applicantAccountId ? ctx.language : 'zh-CN';
    let licence: { id: string; number: string; verificationCode: string } | null = null;
    if (effect === 'issue' && !app.licenceId) {
      licence = await this.issueLicence(ctx, app, service, caseFile.organisationId);
      changes.licenceId = licence.id;
      changes.licenceVerificationCode = licence.verificationCode;
    }
    const next = statusAfter(app.status, effect, { accepted: !!caseFile.acceptedAt, decision });
    if (next) changes.status = next;
    const before = app.status;
    await patchApplication(this.db, app, changes);
    const aggregate = { type: SUBJECT, id: app.id };
    const ids = { applicationId: app.id, serviceId: app.serviceId, caseId: caseFile.id };
    if (effect === 'withdrawn')
      await this.events.publish(ctx, { type: APPLICATION_WITHDRAWN.type, aggregate, payload: ids });
    if (!next || (next === before && effect !== 'started')) return;
    const payload: ApplicationStatusChanged = {
      ...ids,
      caseEventId: event.id,
      effect,
      from: before,
      to: next,
      licenceId: licence?.id ?? null,
      language,
    };
    await this.events.publish(ctx, { type: APPLICATION_STATUS_CHANGED.type, aggregate, payload });
  }

  /**
   * Issues the result as an e-licence in the name of the case's handling unit. The authority is the
   * workflow's `issue` step, which only staff holding that stage's permission in the unit may take;
   * so the licence is issued under the acting staff member's identity (the audit leaf names them)
   * with licence:issue granted for that one unit, instead of asking them to hold it a second time.
   */
  private async issueLicence(
    ctx: RequestContext,
    app: Application,
    service: Service,
    unitId: string,
  ): Promise<{ id: string; number: string; verificationCode: string }> {
    const issuing = new RequestContext(ctx.requestId, ctx.language, ctx.channel, ctx.ip);
    issuing.actor = { ...ctx.actor, grants: new Map([[Permission.LicenceIssue, new Set([unitId])]]) };
    const holderId = app.businessAccountId ?? app.applicantAccountId;
    const holder = await this.db.repo(Account).findOneByOrFail({ id: holderId });
    const version = await versionByIdOrFail(this.db, app.serviceVersionId);
    const title = (service.titleZh ?? service.implementationCode).slice(0, 100);
    const issued = await this.licences.issue(issuing, {
      licenceType: { code: service.implementationCode, name: title },
      holderAccountId: holderId,
      holderName: (holder.realName || holder.displayName || '申请人').slice(0, 100),
      ...(holder.unifiedSocialCreditCode ? { holderIdNumber: holder.unifiedSocialCreditCode } : {}),
      issuerOrganisationId: unitId,
      fields: licenceFields(app, title, version.content.form),
      sourceReference: `application:${app.id}`,
    });
    return { id: issued.id, number: issued.number, verificationCode: issued.verificationCode };
  }
}

/**
 * The licence content: the application number, the service, and the form's plain answers (by
 * their labels), leaving out personal fields (x-personal), identifier widgets and anything the
 * licence rules would refuse. The holder is named apart, masked on the public verification.
 */
export function licenceFields(
  app: Application,
  title: string,
  form: Record<string, unknown>,
): Record<string, string> {
  const fields: Record<string, string> = { 申请编号: app.number ?? '', 办理事项: title };
  const props = (form.properties ?? {}) as Record<
    string,
    { 'x-ui'?: { label?: unknown; widget?: string }; 'x-personal'?: string }
  >;
  // form_data holds no x-personal field; the mark is checked again for rows stored before it was set.
  for (const [key, value] of Object.entries(app.formData)) {
    if (Object.keys(fields).length >= MAX_FIELDS) break;
    if (props[key]?.['x-personal']) continue;
    const ui = props[key]?.['x-ui'];
    if (ui?.widget && PRIVATE_WIDGETS.has(ui.widget)) continue;
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') continue;
    const label =
      typeof ui?.label === 'string' ? ui.label : ((ui?.label as Record<string, string>)?.['zh-CN'] ?? key);
    const candidate = { [label]: String(value) };
    if (!(label in fields) && fieldsProblems(candidate).length === 0) fields[label] = String(value);
  }
  return fields;
}
