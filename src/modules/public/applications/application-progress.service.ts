import { Injectable } from '@nestjs/common';
import type { RequestContext } from '../../../api/context/request-context';
import { DomainError, FieldError, notFound } from '../../../api/errors/domain-error';
import { ErrorCode } from '../../../api/errors/error-code';
import { Db } from '../../../database/db';
import { AuditService } from '../../platform/audit/audit.service';
import { AccountDirectory } from '../../platform/identity/account-directory.service';
import { PersonalDataService } from '../../platform/identity/personal-data/personal-data.service';
import type { CaseEvent } from '../../internal/workflow/case.entity';
import { WorkflowEngine } from '../../internal/workflow/workflow-engine.service';
import { CatalogService } from '../catalog/catalog.service';
import { LicencesService } from '../licences/licences.service';
import { ApplicationAccess, SUBJECT } from './application-access';
import { ApplicationAttachmentsService } from './application-attachments.service';
import { markingSchema, openForm, personalPart, sealForm } from './application-form';
import { applicantIdentity, lockIdentity } from './application-identity';
import { eventText } from './application-status';
import { Application, ApplicationAttachment, ApplicationStatus, FINAL_STATUSES } from './application.entity';
import { fieldKey, formDataErrors, invalid, invalidTransition, patchApplication } from './application-rules';
import {
  ApplicationDto,
  ApplicationTimelineEntryDto,
  SupplementAnswerDto,
  WithdrawApplicationDto,
} from './dto/application.dto';

/** Decided statuses: withdrawal is no longer possible. */
const DECIDED: readonly ApplicationStatus[] = [
  ...FINAL_STATUSES,
  ApplicationStatus.Approved,
  ApplicationStatus.Issued,
  ApplicationStatus.Delivered,
];

/**
 * The applicant's part once the case runs: the one answer to a 补正 notice, withdrawal before a
 * decision, and the status timeline (public case history only, in the caller's language).
 */
@Injectable()
export class ApplicationProgressService {
  constructor(
    private readonly db: Db,
    private readonly audit: AuditService,
    private readonly access: ApplicationAccess,
    private readonly attachments: ApplicationAttachmentsService,
    private readonly catalog: CatalogService,
    private readonly engine: WorkflowEngine,
    private readonly licences: LicencesService,
    private readonly personalData: PersonalDataService,
    private readonly accounts: AccountDirectory,
  ) {}

  /**
   * Answers the supplement notice, once: every listed material needs a file handed in while
   * answering (now or before, in this call), every listed field a value in formData. The merged
   * form is checked against the published schema, then the engine resumes the case.
   */
  async answerSupplement(ctx: RequestContext, id: string, dto: SupplementAnswerDto): Promise<ApplicationDto> {
    return this.db.transaction(async () => {
      const app = await this.access.own(ctx, id, true);
      const supplement = app.supplement;
      if (app.status !== ApplicationStatus.SupplementRequired || !supplement || supplement.answeredAt)
        throw invalidTransition(
          ctx,
          '当前没有待补正的事项',
          'no supplement request is waiting for an answer',
        );
      for (const [i, a] of (dto.attachments ?? []).entries())
        await this.attachments.add(ctx, app, a, 'supplement', `/attachments/${i}/material`);
      const given = dto.formData ?? {};
      const added = new Set(
        (
          await this.db
            .repo(ApplicationAttachment)
            .find({ where: { applicationId: app.id, phase: 'supplement' }, select: { material: true } })
        ).map((a) => a.material),
      );
      const errors: FieldError[] = [];
      for (const [i, item] of supplement.items.entries()) {
        if (item.material && !added.has(item.material))
          errors.push({
            pointer: '/attachments',
            code: 'supplementItem',
            message: `items/${i}: a new file for "${item.material}" is required`,
          });
        if (item.field && !Object.hasOwn(given, fieldKey(item.field)))
          errors.push({
            pointer: `/formData/${fieldKey(item.field)}`,
            code: 'supplementItem',
            message: `items/${i}: the field "${item.field}" must be corrected`,
          });
      }
      const schema = await markingSchema(this.db, app);
      // A field bound to the verified identity is not the applicant's to correct (form.locked).
      const identity = await applicantIdentity(
        this.accounts,
        this.personalData,
        app.applicantAccountId,
        schema,
      );
      const formData = lockIdentity(
        schema,
        { ...openForm(this.personalData, app), ...given },
        identity,
        ctx.language,
        given,
      );
      errors.push(...formDataErrors(await this.catalog.validateForm(app.serviceId, formData, ctx.language)));
      if (errors.length) throw invalid(errors);
      const sealed = sealForm(this.personalData, schema, formData, personalPart(this.personalData, app));
      await patchApplication(this.db, app.id, {
        ...sealed,
        supplement: { ...supplement, answeredAt: new Date().toISOString() },
      });
      // The case gets the plain answers only, as on submission.
      await this.engine.supplementAnswered(ctx, await this.caseId(app), sealed.formData);
      await this.audit.append(ctx, {
        action: 'application.supplement',
        resourceType: SUBJECT,
        resourceId: app.id,
        subjectId: app.applicantAccountId,
      });
      return this.access.view(ctx, await this.db.repo(Application).findOneByOrFail({ id }));
    });
  }

  /** Withdraws a submitted application before any decision (drafts are discarded instead). */
  async withdraw(ctx: RequestContext, id: string, dto: WithdrawApplicationDto): Promise<ApplicationDto> {
    return this.db.transaction(async () => {
      const app = await this.access.own(ctx, id, true);
      if (app.status === ApplicationStatus.Draft)
        throw invalidTransition(ctx, '草稿无需撤回，可直接删除', 'a draft is discarded, not withdrawn');
      if (DECIDED.includes(app.status))
        throw invalidTransition(
          ctx,
          '已作出决定或已办结，不能撤回',
          'the application was already decided or closed',
        );
      const reason = dto.reason?.trim() || null;
      if (reason && reason.length > 500)
        throw invalid([
          { pointer: '/reason', code: 'maxLength', message: 'reason must be at most 500 characters' },
        ]);
      await patchApplication(this.db, app.id, { withdrawalReason: reason });
      await this.engine.withdraw(ctx, await this.caseId(app), reason ?? undefined);
      await this.audit.append(ctx, {
        action: 'application.withdraw',
        resourceType: SUBJECT,
        resourceId: app.id,
        subjectId: app.applicantAccountId,
      });
      return this.access.view(ctx, await this.db.repo(Application).findOneByOrFail({ id }));
    });
  }

  /**
   * The applicant's status timeline: created, submitted, then the case's public history with
   * plain texts. Internal events and notes never appear; staff names and ids are not shown.
   */
  async timeline(ctx: RequestContext, id: string): Promise<ApplicationTimelineEntryDto[]> {
    const { app } = await this.access.readable(ctx, id, 'case handling: timeline');
    const caseFile = app.submittedAt ? await this.engine.caseOf(SUBJECT, app.id) : null;
    return this.timelineOf(ctx, app, caseFile ? await this.engine.publicHistory(caseFile.id) : []);
  }

  /**
   * timeline() for many applications at once, for GraphQL's per-request loader: the applicant's
   * own applications in three statements whatever their number (the applications, their cases,
   * the cases' public events). Each answer is the timeline or the error timeline() would give.
   * Staff read one application at a time (audited per read), so theirs go through timeline().
   */
  async timelines(
    ctx: RequestContext,
    ids: readonly string[],
  ): Promise<Array<ApplicationTimelineEntryDto[] | Error>> {
    if (ctx.actor.kind !== 'citizen')
      return Promise.all(ids.map((id) => this.timeline(ctx, id).catch((err: Error) => err)));
    const apps = await this.access.ownMany(ctx, ids);
    const submitted = [...apps.values()].filter((a) => a.submittedAt).map((a) => a.id);
    const cases = await this.engine.casesOf(SUBJECT, submitted);
    const events = await this.engine.publicHistories([...cases.values()].map((c) => c.id));
    return ids.map((id) => {
      const app = apps.get(id);
      if (!app) return notFound(SUBJECT);
      const caseFile = cases.get(app.id);
      return this.timelineOf(ctx, app, caseFile ? (events.get(caseFile.id) ?? []) : []);
    });
  }

  /** The entries of one application from its case's public events (oldest first). */
  private timelineOf(
    ctx: RequestContext,
    app: Application,
    history: CaseEvent[],
  ): ApplicationTimelineEntryDto[] {
    const lang = ctx.language;
    const entry = (at: Date, kind: string, more: Partial<ApplicationTimelineEntryDto> = {}) => ({
      at: at.toISOString(),
      kind,
      title: eventText(kind, lang),
      detail: null,
      items: null,
      decision: null,
      amount: null,
      licence: null,
      ...more,
    });
    const entries: ApplicationTimelineEntryDto[] = [entry(app.createdAt, 'created')];
    if (app.submittedAt) entries.push(entry(app.submittedAt, 'submitted'));
    for (const e of history) {
      // "started" is the submission the entry above already shows.
      if (!e.public || e.action === 'started') continue;
      const kind = app.eventEffects[e.id] ?? e.action;
      const data = e.data ?? {};
      const items = Array.isArray(data.items)
        ? (data.items as Array<Record<string, unknown>>).map((i) => ({
            material: typeof i.material === 'string' ? i.material : null,
            field: typeof i.field === 'string' ? i.field : null,
            description: typeof i.description === 'string' ? i.description : '',
          }))
        : null;
      entries.push(
        entry(e.createdAt, kind, {
          detail: e.reason,
          items,
          decision: typeof data.decision === 'string' ? data.decision : null,
          amount: typeof data.amount === 'number' ? data.amount : null,
          licence:
            kind === 'issue' && app.licenceId && app.licenceVerificationCode
              ? {
                  id: app.licenceId,
                  verificationUrl: this.licences.verificationUrl(app.licenceVerificationCode),
                }
              : null,
        }),
      );
    }
    return entries;
  }

  private async caseId(app: Application): Promise<string> {
    const caseFile = await this.engine.caseOf(SUBJECT, app.id);
    if (!caseFile) throw new DomainError(ErrorCode.Internal);
    return caseFile.id;
  }
}
