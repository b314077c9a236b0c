import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { Injectable } from '@nestjs/common';
import type { RequestContext } from '../../../api/context/request-context';
import { FieldError, notFound } from '../../../api/errors/domain-error';
import { assertVersion } from '../../../api/http/if-match';
import { Page } from '../../../api/http/pagination';
import { Db } from '../../../database/db';
import { uuidv7 } from '../../../database/uuid';
import { AuditService } from '../../platform/audit/audit.service';
import { EventsService } from '../../platform/events/events.service';
import { FilesService } from '../../platform/files/files.service';
import { AccountKind } from '../../platform/identity/account.entity';
import { AccountDirectory } from '../../platform/identity/account-directory.service';
import { PersonalDataService } from '../../platform/identity/personal-data/personal-data.service';
import { RepresentativeScope } from '../../platform/identity/business/business-representative.entity';
import { RepresentativesService } from '../../platform/identity/business/representatives.service';
import { WorkflowEngine } from '../../internal/workflow/workflow-engine.service';
import { SERVICE_CASE_TYPE } from './service-case-type';
import { CatalogService } from '../catalog/catalog.service';
import { Service, ServiceTarget, ServiceVersion } from '../catalog/service.entity';
import { ApplicationAccess, applicantId, attachmentsOf, SUBJECT, UnmaskRequest } from './application-access';
import { APPLICATION_SUBMITTED } from './application-events';
import { markingSchema, openForm, personalPart, sealForm } from './application-form';
import { applicantIdentity, lockIdentity, requireAssurance } from './application-identity';
import { AttachmentRow, myApplicationsPage, titlesOf } from './application-reads';
import { Application, ApplicationAttachment, ApplicationStatus } from './application.entity';
import { formDataErrors, invalid, invalidTransition, published, patchApplication } from './application-rules';
import {
  ApplicationDto,
  ApplicationQueryDto,
  CreateApplicationDto,
  UpdateApplicationDto,
} from './dto/application.dto';

export { APPLICATION_CURSOR } from './application-reads';

/**
 * One-stop applications (一网通办, C2), the applicant's side: server-side drafts, submission checked
 * against the published form and materials, numbered, and handed to the workflow engine as a case
 * in the same transaction.
 */
@Injectable()
export class ApplicationsService {
  constructor(
    private readonly db: Db,
    private readonly audit: AuditService,
    private readonly access: ApplicationAccess,
    private readonly catalog: CatalogService,
    private readonly engine: WorkflowEngine,
    private readonly representatives: RepresentativesService,
    private readonly files: FilesService,
    private readonly personalData: PersonalDataService,
    private readonly accounts: AccountDirectory,
    private readonly events: EventsService,
  ) {}

  async create(ctx: RequestContext, dto: CreateApplicationDto): Promise<ApplicationDto> {
    const me = applicantId(ctx);
    const formData = checkFormSize(dto.formData ?? {});
    return this.db.transaction(async () => {
      const { service, version } = await published(this.db, dto.serviceId);
      const businessAccountId = await this.applicantFits(ctx, me, service, dto.businessAccountId);
      // A draft is allowed below the service's assurance (submission is refused); verified fields are filled.
      const schema = version.content.form;
      const identity = await applicantIdentity(this.accounts, this.personalData, me, schema);
      const filled = lockIdentity(schema, formData, identity, ctx.language, formData);
      const sealed = sealForm(this.personalData, schema, filled);
      const app = this.db.repo(Application).create({
        id: uuidv7(),
        number: null,
        serviceId: service.id,
        serviceVersionId: version.id,
        organisationId: service.organisationId,
        regionCode: service.regionCode,
        applicantAccountId: me,
        businessAccountId,
        status: ApplicationStatus.Draft,
        formData: sealed.formData,
        formPersonal: sealed.formPersonal,
        submittedAt: null,
        promisedDueAt: null,
        dueProvisional: false,
        supplement: null,
        decision: null,
        decisionReason: null,
        licenceId: null,
        licenceVerificationCode: null,
        withdrawnAt: null,
        withdrawalReason: null,
        eventEffects: {},
      });
      await this.db.repo(Application).insert(app as QueryDeepPartialEntity<Application>);
      await this.audit.append(ctx, {
        action: 'application.create',
        resourceType: SUBJECT,
        resourceId: app.id,
        subjectId: me,
      });
      return this.access.view(ctx, await this.db.repo(Application).findOneByOrFail({ id: app.id }));
    });
  }

  /** The caller's applications (as applicant or as the business), newest first. */
  async listMine(ctx: RequestContext, q: ApplicationQueryDto): Promise<Page<ApplicationDto>> {
    const page = await myApplicationsPage(this.db, applicantId(ctx), q);
    return {
      items: await this.access.views(ctx, page.items, false, { services: titlesOf(page.items) }),
      nextCursor: page.nextCursor,
      count: page.count,
    };
  }

  /** The owner's application in full, or staff's masked view (personal fields unmasked on request). */
  async get(ctx: RequestContext, id: string, unmask: UnmaskRequest = {}): Promise<ApplicationDto> {
    const { app, staff, unmasked } = await this.access.readable(ctx, id, 'case handling', unmask);
    const view = await this.access.view(ctx, app, staff, unmasked);
    if (staff || app.status !== ApplicationStatus.Draft) return view;
    // The owner's draft shows the verified identity in its bound fields, as submission will use them.
    const schema = await markingSchema(this.db, app);
    const identity = await applicantIdentity(
      this.accounts,
      this.personalData,
      app.applicantAccountId,
      schema,
    );
    return { ...view, formData: lockIdentity(schema, view.formData, identity, ctx.language, null) };
  }

  /** Replaces a draft's form data (If-Match when sent); the form is checked only on submit. */
  async update(
    ctx: RequestContext,
    id: string,
    expected: number | undefined,
    dto: UpdateApplicationDto,
  ): Promise<ApplicationDto> {
    const formData = checkFormSize(dto.formData);
    return this.db.transaction(async () => {
      const app = await this.access.own(ctx, id, true);
      assertVersion(app, expected);
      requireDraft(ctx, app);
      const schema = await markingSchema(this.db, app);
      const identity = await applicantIdentity(
        this.accounts,
        this.personalData,
        app.applicantAccountId,
        schema,
      );
      const filled = lockIdentity(schema, formData, identity, ctx.language, formData);
      await patchApplication(
        this.db,
        app.id,
        sealForm(this.personalData, schema, filled, personalPart(this.personalData, app)),
      );
      await this.audit.append(ctx, {
        action: 'application.update',
        resourceType: SUBJECT,
        resourceId: app.id,
        subjectId: app.applicantAccountId,
      });
      return this.access.view(ctx, await this.db.repo(Application).findOneByOrFail({ id }));
    });
  }

  /** Discards a draft and its attachment records (the files themselves are the files module's). */
  async discard(ctx: RequestContext, id: string, expected: number | undefined): Promise<void> {
    await this.db.transaction(async () => {
      const app = await this.access.own(ctx, id, true);
      assertVersion(app, expected);
      requireDraft(ctx, app);
      // The files go back to unattached, so the purge job removes them.
      const files = await this.db.repo(ApplicationAttachment).find({ where: { applicationId: app.id } });
      for (const f of files) await this.files.detach(ctx, f.fileId);
      // The attachment records go with the row (application_attachment ON DELETE CASCADE).
      await this.db.repo(Application).delete(app.id);
      await this.audit.append(ctx, {
        action: 'application.discard',
        resourceType: SUBJECT,
        resourceId: app.id,
        subjectId: app.applicantAccountId,
      });
    });
  }

  /**
   * Submits a draft: the form against the published schema, every required material attached,
   * then a number and the case, all in one transaction. A second submit is 409.
   */
  async submit(ctx: RequestContext, id: string): Promise<ApplicationDto> {
    return this.db.transaction(async () => {
      const app = await this.access.own(ctx, id, true);
      requireDraft(ctx, app);
      const { service, version } = await published(this.db, app.serviceId, ctx, true);
      // Below the service's identity assurance: 403, before anything is checked or changed.
      const identity = await applicantIdentity(
        this.accounts,
        this.personalData,
        app.applicantAccountId,
        version.content.form,
        service.requiredAssurance,
      );
      requireAssurance(service, identity);
      // Verified values win over what a draft written before verification holds.
      const form = lockIdentity(
        version.content.form,
        openForm(this.personalData, app),
        identity,
        ctx.language,
        null,
      );
      const errors: FieldError[] = formDataErrors(this.catalog.formProblems(version, form, ctx.language));
      const attachments = await attachmentsOf(this.db, [app.id]);
      errors.push(...missingMaterials(attachments, version));
      if (errors.length) throw invalid(errors);
      const receivedAt = new Date();
      const number = await this.nextNumber(app.regionCode, receivedAt);
      // Sealed again under the version it was checked against: its marks decide what stays clear.
      const sealed = sealForm(
        this.personalData,
        version.content.form,
        form,
        personalPart(this.personalData, app),
      );
      await patchApplication(this.db, app, {
        ...sealed,
        number,
        status: ApplicationStatus.Submitted,
        submittedAt: receivedAt,
        serviceVersionId: version.id,
      });
      const submitted = { applicationId: app.id, serviceId: service.id };
      await this.events.publish(ctx, {
        type: APPLICATION_SUBMITTED.type,
        aggregate: { type: SUBJECT, id: app.id },
        payload: submitted,
      });
      // The transition listener records the case's promised date on the application.
      await this.engine.start(ctx, {
        caseType: SERVICE_CASE_TYPE,
        subjectKey: service.id,
        subjectType: SUBJECT,
        subjectId: app.id,
        number,
        applicantAccountId: app.applicantAccountId,
        receivedAt,
        // Only the plain answers: personal fields never reach the case, its guards or its events.
        data: sealed.formData,
        loaded: { owner: { service, version }, subject: app },
      });
      await this.audit.append(ctx, {
        action: 'application.submit',
        resourceType: SUBJECT,
        resourceId: app.id,
        subjectId: app.applicantAccountId,
      });
      // The listener has recorded the case's dates on the row and on `app`, which it was handed.
      return (await this.access.views(ctx, [app], false, { services: [service], attachments }))[0];
    });
  }

  /**
   * Which business the application is for, if any, and whether the service serves that kind of
   * applicant: persons apply as themselves; a business as itself or through a representative
   * authorised to apply for it (else 404 for the business, like any account one may not act for).
   */
  private async applicantFits(
    ctx: RequestContext,
    me: string,
    service: Service,
    businessId: string | undefined,
  ): Promise<string | null> {
    let business: string | null = null;
    if ((await this.accounts.kindOf(me)) === AccountKind.Business) {
      if (businessId && businessId !== me) throw notFound('account');
      business = me;
    } else if (businessId) {
      if (!(await this.representatives.mayActFor(me, businessId, RepresentativeScope.Apply)))
        throw notFound('account');
      business = businessId;
    }
    const fits =
      service.target === ServiceTarget.Both ||
      (service.target === ServiceTarget.Business ? business !== null : business === null);
    if (!fits)
      throw invalid([
        {
          pointer: business ? '/businessAccountId' : '/serviceId',
          code: 'serviceTarget',
          message:
            service.target === ServiceTarget.Business
              ? 'this service is for businesses: apply as a business or for one you represent'
              : 'this service is for persons, not businesses',
        },
      ]);
    return business;
  }

  /**
   * `YYYYMMDD` (China Standard Time) + region + 6 digits from a PostgreSQL sequence. nextval never
   * waits for other transactions (a per-day counter row did, serialising every submission in a
   * region until commit); the price is gaps where a submission rolled back, which numbering rules
   * allow. The unique index on `number` stays the guarantee.
   */
  private async nextNumber(regionCode: string, at: Date): Promise<string> {
    const day = new Date(at.getTime() + 8 * 3600_000).toISOString().slice(0, 10).replace(/-/g, '');
    const [row] = await this.db.query<{ n: string }>(`SELECT nextval('application_number_seq')::text AS n`);
    return `${day}${regionCode}${String(Number(row.n) % 1_000_000).padStart(6, '0')}`;
  }
}

function requireDraft(ctx: RequestContext, app: Application): void {
  if (app.status !== ApplicationStatus.Draft)
    throw invalidTransition(ctx, '申请已提交，不能再修改或提交', 'the application is no longer a draft');
}

/** Large enough for any real form; a bigger body is a mistake or an attack on jsonb. */
const MAX_FORM_BYTES = 64 * 1024;

function checkFormSize(formData: Record<string, unknown>): Record<string, unknown> {
  if (JSON.stringify(formData).length > MAX_FORM_BYTES)
    throw invalid([{ pointer: '/formData', code: 'maxSize', message: 'formData is larger than 64 KiB' }]);
  return formData;
}

function missingMaterials(attachments: AttachmentRow[], version: ServiceVersion): FieldError[] {
  const attached = new Set(attachments.map((a) => a.material));
  return version.content.guide.materials
    .filter((m) => m.required && !attached.has(m.name))
    .map((m) => ({
      pointer: '/attachments',
      code: 'requiredMaterial',
      message: `the required material "${m.name}" is not attached`,
    }));
}
