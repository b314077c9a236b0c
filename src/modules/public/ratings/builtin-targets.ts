import { Injectable, OnModuleInit } from '@nestjs/common';
import { Db } from '../../../database/db';
import { OrganisationsService } from '../../platform/organisations/organisations.service';
import { handledApplication, HANDLED_APPLICATIONS_SQL } from '../applications/application-reads';
import { serviceById } from '../catalog/catalog-reads';
import { RatedItem, RatingTargets } from './rating-target';
import { RatingCode } from './rating.entity';

export const APPLICATION_KIND = 'application';
export const HALL_VISIT_KIND = 'hall_visit';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Hall visits are left out of the silence rule: their codes are issued by the window's own staff,
 * who could otherwise mint codes nobody scans and collect 基本满意 for them. The SELECT keeps the
 * columns the rule reads and matches no row.
 */
const HALL_VISITS_SQL = `SELECT rc.id::text AS id, NULL::uuid AS rater_account_id, rc.organisation_id,
    rc.service_id, rc.staff_account_id AS handler_account_id, rc.created_at AS handled_at
  FROM rating_code rc WHERE rc.created_at < $1 AND rc.id IS NULL`;

/**
 * The rateable kinds this module owns: a handled application (read through the applications
 * module's helper) and a service-hall visit (a rating code issued at a window).
 */
@Injectable()
export class BuiltinRatingTargets implements OnModuleInit {
  constructor(
    private readonly db: Db,
    private readonly targets: RatingTargets,
    private readonly organisations: OrganisationsService,
  ) {}

  onModuleInit(): void {
    this.targets.register({
      kind: APPLICATION_KIND,
      title: { 'zh-CN': '办件', en: 'Application' },
      load: (id) => this.application(id),
      handledBeforeSql: HANDLED_APPLICATIONS_SQL,
    });
    this.targets.register({
      kind: HALL_VISIT_KIND,
      title: { 'zh-CN': '大厅窗口服务', en: 'Service-hall visit' },
      load: (id) => this.hallVisit(id),
      handledBeforeSql: HALL_VISITS_SQL,
    });
  }

  private async application(id: string): Promise<RatedItem | null> {
    if (!UUID_RE.test(id)) return null;
    const row = await handledApplication(this.db, id);
    if (!row) return null;
    const service = { zh: row.title_zh ?? '', en: row.title_en ?? row.title_zh ?? '' };
    return {
      kind: APPLICATION_KIND,
      id: row.id,
      raterAccountId: row.rater_account_id,
      organisationId: row.organisation_id,
      serviceId: row.service_id,
      handlerAccountId: row.handler_account_id,
      handledAt: row.handled_at,
      title: {
        'zh-CN': `${service.zh}（${row.number ?? ''}）`.slice(0, 200),
        en: `${service.en} (${row.number ?? ''})`.slice(0, 200),
      },
    };
  }

  /** A visit is its rating code: anyone holding the code rates it, so no rater account is named. */
  private async hallVisit(id: string): Promise<RatedItem | null> {
    if (!UUID_RE.test(id)) return null;
    const code = await this.db.repo(RatingCode).findOne({ where: { id } });
    if (!code) return null;
    const unit = await this.organisations.unit(code.organisationId);
    const service = code.serviceId ? await serviceById(this.db, code.serviceId) : null;
    const unitName = { zh: unit?.name ?? '', en: unit?.nameEn ?? unit?.name ?? '' };
    return {
      kind: HALL_VISIT_KIND,
      id: code.id,
      raterAccountId: null,
      organisationId: code.organisationId,
      serviceId: code.serviceId,
      handlerAccountId: code.staffAccountId,
      handledAt: code.createdAt,
      title: {
        'zh-CN': [unitName.zh, service?.titleZh].filter(Boolean).join(' · ').slice(0, 200),
        en: [unitName.en, service?.titleEn ?? service?.titleZh].filter(Boolean).join(' · ').slice(0, 200),
      },
    };
  }
}
