import { Injectable } from '@nestjs/common';
import { Permission } from '../../../api/auth/permission';
import type { RequestContext } from '../../../api/context/request-context';
import { DomainError, notFound } from '../../../api/errors/domain-error';
import { ErrorCode } from '../../../api/errors/error-code';
import { Db } from '../../../database/db';
import { AccessService } from '../../platform/access/access.service';
import { PersonalDataService } from '../../platform/identity/personal-data/personal-data.service';
import { LicencesService } from '../licences/licences.service';
import { ApplicationDto } from './dto/application.dto';
import { Application } from './application.entity';
import { invalid } from './application-rules';
import { openForm, personalFieldNames, staffForm } from './application-form';
import {
  ApplicationRow,
  attachmentRows,
  AttachmentRow,
  serviceTitles,
  ServiceTitle,
} from './application-reads';

export const SUBJECT = 'application';

/**
 * Who may see an application, and how it is shown. The applicant (or the business applied for)
 * sees it in full; staff of the case's unit see it masked, and each such read is an audit leaf
 * with the applicant as subject (GET /v1/me/data-access). Everyone else: the same 404 as a missing id.
 */
@Injectable()
export class ApplicationAccess {
  constructor(
    private readonly db: Db,
    private readonly access: AccessService,
    private readonly licences: LicencesService,
    private readonly personalData: PersonalDataService,
  ) {}

  /** The caller's own application (as applicant or as the business), optionally row-locked. */
  async own(ctx: RequestContext, id: string, lock = false): Promise<Application> {
    applicantId(ctx);
    return this.access.require<Application>(ctx, SUBJECT, id, 'own', { lock });
  }

  /** own() for many ids in one statement, without locks: those the caller owns, by id (others absent). */
  async ownMany(ctx: RequestContext, ids: readonly string[]): Promise<Map<string, Application>> {
    applicantId(ctx);
    const valid = ids.filter((id) => UUID.test(id));
    if (!valid.length) return new Map();
    const mine = this.access.scope(ctx, SUBJECT, 'own');
    const rows = await this.db
      .repo(Application)
      .createQueryBuilder('a')
      .where('a.id IN (:...valid)', { valid })
      .andWhere(mine.sql, mine.params)
      .getMany();
    return new Map(rows.map((a) => [a.id, a]));
  }

  /**
   * For reads: the owner, or staff of the case's scope (audited, masked). Staff may ask for personal
   * fields in clear (`unmask`, with a reason): that needs personal-data:unmask over the case's unit,
   * is checked before anything is read, and leaves one audit leaf per field with the reason.
   */
  async readable(
    ctx: RequestContext,
    id: string,
    purpose: string,
    unmask: UnmaskRequest = {},
  ): Promise<{ app: Application; staff: boolean; unmasked: Set<string> }> {
    const fields = checkFields(unmask.fields);
    if (ctx.actor.kind === 'citizen')
      return { app: await this.own(ctx, id), staff: false, unmasked: new Set() };
    if (fields.length && !ctx.has(Permission.PersonalDataUnmask)) throw new DomainError(ErrorCode.Forbidden);
    const reason = fields.length ? checkReason(unmask.reason) : null;
    if (!UUID.test(id)) throw notFound(SUBJECT);
    const app = await this.db.repo(Application).findOne({ where: { id } });
    const seen = await this.access.check(ctx, SUBJECT, app, 'read');
    if (!app || !seen.allowed) throw notFound(SUBJECT);
    const clear = fields.length ? await this.access.check(ctx, SUBJECT, app, 'unmask') : null;
    if (clear && !clear.allowed) throw new DomainError(ErrorCode.Forbidden);
    const personal = fields.length ? personalFieldNames(this.personalData, app) : new Set<string>();
    const unknown = fields.filter((f) => !personal.has(f));
    if (unknown.length)
      throw invalid(
        unknown.map((f) => ({
          pointer: '/unmask',
          code: 'personalField',
          message: `"${f}" is not a personal field of this application`,
        })),
      );
    // Each leaf carries the decision's reason (which grant over which unit let the caller read).
    await this.db.transaction(async () => {
      await this.access.record(ctx, seen, {
        action: 'application.read',
        resourceType: SUBJECT,
        resourceId: app.id,
        subjectId: app.applicantAccountId,
        purpose: reason ?? purpose,
      });
      // The leaf names the field shown in clear, never its value.
      for (const field of fields)
        await this.access.record(ctx, clear!, {
          action: 'application.unmask',
          resourceType: 'application.form_personal',
          resourceId: FIELD_ID.test(field) ? `${app.id}/${field}` : app.id,
          subjectId: app.applicantAccountId,
          purpose: reason,
        });
    });
    return { app, staff: true, unmasked: new Set(fields) };
  }

  async view(
    ctx: RequestContext,
    app: Application,
    masked = false,
    unmasked: ReadonlySet<string> = new Set(),
  ): Promise<ApplicationDto> {
    return (await this.views(ctx, [app], masked, {}, unmasked))[0];
  }

  /**
   * DTOs for a page of applications: one query for their services, one for their attachments
   * (unless the caller has read them already in this transaction, in that order).
   */
  async views(
    ctx: RequestContext,
    apps: ApplicationRow[],
    masked = false,
    known: { services?: ServiceTitle[]; attachments?: AttachmentRow[] } = {},
    unmasked: ReadonlySet<string> = new Set(),
  ): Promise<ApplicationDto[]> {
    if (!apps.length) return [];
    const ids = apps.map((a) => a.id);
    const [services, attachments] = await Promise.all([
      known.services ?? serviceTitles(this.db, [...new Set(apps.map((a) => a.serviceId))]),
      known.attachments ?? attachmentsOf(this.db, ids),
    ]);
    const title = new Map(
      services.map((s) => [s.id, (ctx.language === 'en' && s.titleEn) || s.titleZh || '']),
    );
    return apps.map((a) => ({
      id: a.id,
      number: a.number,
      serviceId: a.serviceId,
      serviceVersionId: a.serviceVersionId,
      serviceTitle: title.get(a.serviceId) ?? '',
      organisationId: a.organisationId,
      regionCode: a.regionCode,
      applicantAccountId: a.applicantAccountId,
      businessAccountId: a.businessAccountId,
      status: a.status,
      // The owner's own answers in full; staff see personal fields masked unless unmasked (audited).
      formData: masked ? staffForm(this.personalData, a, unmasked) : openForm(this.personalData, a),
      submittedAt: iso(a.submittedAt),
      promisedDueAt: iso(a.promisedDueAt),
      dueProvisional: a.dueProvisional,
      supplement: a.supplement && {
        items: a.supplement.items.map((i) => ({
          material: i.material ?? null,
          field: i.field ?? null,
          description: i.description,
        })),
        reason: a.supplement.reason,
        requestedAt: a.supplement.requestedAt,
        answeredAt: a.supplement.answeredAt,
      },
      decision: a.decision,
      decisionReason: a.decisionReason,
      licence:
        a.licenceId && a.licenceVerificationCode
          ? { id: a.licenceId, verificationUrl: this.licences.verificationUrl(a.licenceVerificationCode) }
          : null,
      withdrawnAt: iso(a.withdrawnAt),
      attachments: attachments
        .filter((f) => f.applicationId === a.id)
        .map((f) => ({
          id: f.id,
          material: f.material,
          fileId: f.fileId,
          name: f.name,
          contentType: f.contentType,
          size: f.size,
          sha256: f.sha256,
          phase: f.phase,
          createdAt: f.createdAt.toISOString(),
        })),
      createdAt: a.createdAt.toISOString(),
      updatedAt: a.updatedAt.toISOString(),
      version: a.version,
    }));
  }
}

/** The calling citizen's or business's account id; anyone else may not act as an applicant. */
export function applicantId(ctx: RequestContext): string {
  if (ctx.actor.kind !== 'citizen' || !ctx.actor.id) throw new DomainError(ErrorCode.Forbidden);
  return ctx.actor.id;
}

export interface UnmaskRequest {
  fields?: ReadonlyArray<string | null> | null;
  reason?: string | null;
}

/** The fields to unmask: GraphQL lists arrive unchecked (nulls, empty or huge names, too many). */
function checkFields(fields: ReadonlyArray<string | null> | null | undefined): string[] {
  const list = fields ?? [];
  if (list.length > 20 || list.some((f) => typeof f !== 'string' || f.length < 1 || f.length > 100))
    throw invalid([
      {
        pointer: '/unmask',
        code: 'unmask',
        message: 'unmask lists 1 to 20 field names of 1 to 100 characters',
      },
    ]);
  return [...new Set(list as string[])];
}

/** The stated reason, required with unmask (GraphQL arguments arrive without the REST DTO's checks). */
function checkReason(reason: string | null | undefined): string {
  const r = reason?.trim() ?? '';
  if (r.length < 5 || r.length > 200 || /[\p{Cc}\p{Cf}]/u.test(r))
    throw invalid([
      {
        pointer: '/reason',
        code: 'reason',
        message: 'a reason of 5 to 200 characters is required to unmask',
      },
    ]);
  return r;
}

/** Field keys that fit an audit resource id (`<application id>/<field>`); others leaf under the id alone. */
const FIELD_ID = /^[A-Za-z0-9._-]{1,60}$/;

/** GraphQL ids arrive unchecked: anything but a UUID is simply not found (never a SQL error). */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const iso = (d: Date | null): string | null => d?.toISOString() ?? null;

/** The attachments of these applications, in the order they were handed in. */
export function attachmentsOf(db: Db, applicationIds: string[]): Promise<AttachmentRow[]> {
  return attachmentRows(db, applicationIds);
}
