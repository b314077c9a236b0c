import { Injectable, OnModuleInit } from '@nestjs/common';
import type { Language } from '../../../api/context/request-context';
import { RequestContext } from '../../../api/context/request-context';
import { Db } from '../../../database/db';
import { EventCatalogue, EventTypeDefinition, S } from '../../platform/events/event-catalogue';
import { EventsService, PublishedEvent } from '../../platform/events/events.service';
import { NotificationsService } from '../../platform/notifications/notifications.service';
import { serviceByIdOrFail } from '../catalog/catalog-reads';
import { LicencesService } from '../licences/licences.service';
import { statusLabel } from './application-status';
import { Application, ApplicationStatus } from './application.entity';

const STATUS = { type: 'string', enum: Object.values(ApplicationStatus) };

export const APPLICATION_SUBMITTED: EventTypeDefinition = {
  type: 'application.submitted',
  version: 1,
  description: 'A draft was submitted: it has its number; its case opens in the same transaction.',
  schema: S.object({ applicationId: S.uuid, serviceId: S.uuid }),
};

export const APPLICATION_STATUS_CHANGED: EventTypeDefinition = {
  type: 'application.status_changed',
  version: 1,
  description:
    "The applicant-visible status changed after a case transition (also on submission's `started`).",
  schema: S.object(
    {
      applicationId: S.uuid,
      serviceId: S.uuid,
      caseId: S.uuid,
      caseEventId: S.uuid,
      effect: S.code,
      from: STATUS,
      to: STATUS,
      licenceId: S.nullableUuid,
      language: { enum: ['zh-CN', 'en'] },
    },
    [],
  ),
};

export const APPLICATION_WITHDRAWN: EventTypeDefinition = {
  type: 'application.withdrawn',
  version: 1,
  description: 'The applicant withdrew a submitted application before its decision.',
  schema: S.object({ applicationId: S.uuid, serviceId: S.uuid, caseId: S.uuid }),
};

export type ApplicationStatusChanged = {
  applicationId: string;
  serviceId: string;
  caseId: string;
  caseEventId: string;
  effect: string;
  from: ApplicationStatus;
  to: ApplicationStatus;
  /** set when this transition issued the e-licence */
  licenceId: string | null;
  /** the applicant's language when they acted themselves, else zh-CN */
  language: Language;
};

/** The durable subscriber that tells applicants (in-app, and e-mail where the account has one). */
export const APPLICANT_NOTICES = 'notifications.applicant';

/**
 * Registers the applications' event types and subscribes the applicant notices to status changes.
 * The notice is written in the subscriber's transaction with the delivery's "done" mark, so a
 * redelivered event never sends a second message.
 */
@Injectable()
export class ApplicationEvents implements OnModuleInit {
  constructor(
    private readonly db: Db,
    private readonly catalogue: EventCatalogue,
    private readonly events: EventsService,
    private readonly notifications: NotificationsService,
    private readonly licences: LicencesService,
  ) {}

  onModuleInit(): void {
    this.catalogue.register(APPLICATION_SUBMITTED, APPLICATION_STATUS_CHANGED, APPLICATION_WITHDRAWN);
    this.events.durableSubscribe<ApplicationStatusChanged>(
      APPLICANT_NOTICES,
      APPLICATION_STATUS_CHANGED.type,
      (event, ctx) => this.tellApplicant(event, ctx),
    );
  }

  async tellApplicant(event: PublishedEvent<ApplicationStatusChanged>, ctx: RequestContext): Promise<void> {
    const p = event.payload;
    const app = await this.db.repo(Application).findOne({ where: { id: p.applicationId } });
    if (!app) return; // discarded since: nobody to tell
    const service = await serviceByIdOrFail(this.db, p.serviceId);
    const language = p.language;
    const serviceName = (language === 'en' && service.titleEn) || service.titleZh || '';
    const reference = app.number ?? '';
    const notify = (
      template: Parameters<NotificationsService['notify']>[2],
      params: Record<string, string>,
    ) =>
      this.notifications.notify(ctx, app.applicantAccountId, template, params, ['inapp', 'email'], {
        link: `/applications/${app.id}`,
        language,
      });
    if (p.to === ApplicationStatus.SupplementRequired && app.supplement)
      await notify('application.supplement_notice', {
        serviceName,
        reference,
        items: app.supplement.items.map((i) => i.description || i.material || i.field).join('；'),
      });
    else if (p.licenceId) {
      const licence = await this.licences.get(RequestContext.system(APPLICANT_NOTICES), p.licenceId);
      await notify('licence.issued', {
        licenceName: service.titleZh ?? '',
        licenceNumber: licence.number,
        verificationCode: licence.verificationCode,
      });
    } else
      await notify('application.status_changed', {
        serviceName,
        reference,
        status: statusLabel(p.to, language),
      });
  }
}
