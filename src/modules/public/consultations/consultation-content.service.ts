import { Injectable } from '@nestjs/common';
import { Permission } from '../../../api/auth/permission';
import type { RequestContext } from '../../../api/context/request-context';
import { DomainError, notFound } from '../../../api/errors/domain-error';
import { ErrorCode } from '../../../api/errors/error-code';
import { assertVersion } from '../../../api/http/if-match';
import { cursorCodec, keysetPage, Page } from '../../../api/http/pagination';
import { Db } from '../../../database/db';
import { isUniqueViolation } from '../../../database/db-errors';
import { AccessService } from '../../platform/access/access.service';
import { AuditService } from '../../platform/audit/audit.service';
import { CatalogService } from '../catalog/catalog.service';
import { ConsultationPermission } from './consultation-declarations';
import { Consultation, ConsultationFaq, ConsultationTemplate } from './consultation.entity';
import { CONSULTATION_STAFF } from './consultation.policy';
import { faqView, templateView } from './consultation-views';
import {
  ConsultationFaqDto,
  ConsultationTemplateDto,
  CreateTemplateDto,
  PublishFaqDto,
  TemplateContentDto,
  TemplateQueryDto,
} from './dto/consultation.dto';

/** A unit's templates page by id. */
export const CONSULTATION_TEMPLATE_CURSOR = cursorCodec<[string]>('consultation-templates', 'uuid');

const MANAGE = [ConsultationPermission.ManageTemplates as unknown as Permission];
/** who may read a unit's templates: whoever manages them and whoever answers there */
const USE = [...MANAGE, ...CONSULTATION_STAFF];
/** FAQ entries a guide takes from consultations */
const MAX_FAQS_PER_GUIDE = 50;

/** Answer templates per unit (答复模板) and FAQs published from answered consultations (常见问题). */
@Injectable()
export class ConsultationContentService {
  constructor(
    private readonly db: Db,
    private readonly access: AccessService,
    private readonly audit: AuditService,
    private readonly catalog: CatalogService,
  ) {}

  // ---------------------------------------------------------------- templates

  async listTemplates(ctx: RequestContext, q: TemplateQueryDto): Promise<Page<ConsultationTemplateDto>> {
    if (!(await this.access.unitGrant(ctx, USE, q.organisationId)).allowed) throw notFound('organisation');
    const qb = this.db
      .repo(ConsultationTemplate)
      .createQueryBuilder('t')
      .where('t.organisation_id = :org', { org: q.organisationId });
    const page = await keysetPage(qb, q, {
      cursor: CONSULTATION_TEMPLATE_CURSOR,
      idColumn: 't.id',
      keyOf: (t) => [t.id],
    });
    return { items: page.items.map(templateView), nextCursor: page.nextCursor, count: page.count };
  }

  async createTemplate(ctx: RequestContext, dto: CreateTemplateDto): Promise<ConsultationTemplateDto> {
    if (!(await this.access.unitGrant(ctx, MANAGE, dto.organisationId)).allowed)
      throw notFound('organisation');
    return this.db.transaction(async () => {
      const repo = this.db.repo(ConsultationTemplate);
      const t = repo.create({ organisationId: dto.organisationId, title: dto.title, body: dto.body });
      await repo.save(t).catch(duplicateTitle);
      await this.audited(ctx, 'consultation_template.create', t.id);
      return templateView(t);
    });
  }

  async updateTemplate(
    ctx: RequestContext,
    id: string,
    expected: number | undefined,
    dto: TemplateContentDto,
  ): Promise<ConsultationTemplateDto> {
    return this.db.transaction(async () => {
      const t = await this.manageable(ctx, id);
      assertVersion(t, expected);
      t.title = dto.title;
      t.body = dto.body;
      await this.db.repo(ConsultationTemplate).save(t).catch(duplicateTitle);
      await this.audited(ctx, 'consultation_template.update', t.id);
      return templateView(t);
    });
  }

  async deleteTemplate(ctx: RequestContext, id: string, expected: number | undefined): Promise<void> {
    await this.db.transaction(async () => {
      const t = await this.manageable(ctx, id);
      assertVersion(t, expected);
      await this.db.repo(ConsultationTemplate).delete(t.id);
      await this.audited(ctx, 'consultation_template.delete', t.id);
    });
  }

  /** The text of a template of the answering unit or a unit above it; anything else is a 400. */
  async templateText(organisationId: string, templateId: string): Promise<string> {
    const t = await this.db.repo(ConsultationTemplate).findOne({ where: { id: templateId } });
    if (!t || !(await this.access.unitWithin(organisationId, [t.organisationId])))
      throw new DomainError(ErrorCode.ValidationFailed, { count: 1 }, [
        { pointer: '/templateId', code: 'unknownTemplate', message: 'not a template of the answering unit' },
      ]);
    return t.body;
  }

  // ---------------------------------------------------------------- FAQ

  /**
   * Publishes an answered consultation of a service as an FAQ of its guide, in the wording given
   * (staff's, never the asker's text), or rewords the one published; the cached guides are dropped.
   */
  async publishFaq(ctx: RequestContext, id: string, dto: PublishFaqDto): Promise<ConsultationFaqDto> {
    return this.db.transaction(async () => {
      const c = await this.access.require<Consultation>(ctx, 'consultation', id, 'faq', { lock: true });
      if (!c.serviceId || !c.answeredAt)
        throw new DomainError(ErrorCode.InvalidTransition, {
          reason: 'only an answered question of a service can become an FAQ of its guide',
        });
      const repo = this.db.repo(ConsultationFaq);
      const faq =
        (await repo.findOne({ where: { consultationId: c.id } })) ??
        repo.create({ consultationId: c.id, serviceId: c.serviceId });
      Object.assign(faq, {
        language: dto.language ?? 'zh-CN',
        question: dto.question,
        answer: dto.answer,
        publishedBy: ctx.actor.id!,
      });
      await repo.save(faq);
      await this.catalog.guideChanged(c.serviceId);
      await this.audited(ctx, 'consultation.faq_publish', c.id);
      return faqView(faq);
    });
  }

  /** Takes the consultation's FAQ off the guide. */
  async withdrawFaq(ctx: RequestContext, id: string): Promise<void> {
    await this.db.transaction(async () => {
      const c = await this.access.require<Consultation>(ctx, 'consultation', id, 'faq', { lock: true });
      const faq = await this.db.repo(ConsultationFaq).findOne({ where: { consultationId: c.id } });
      if (!faq) throw notFound('faq');
      await this.db.repo(ConsultationFaq).delete(faq.id);
      await this.catalog.guideChanged(faq.serviceId);
      await this.audited(ctx, 'consultation.faq_withdraw', c.id);
    });
  }

  /** The guide's FAQ entries from consultations (the catalogue's GuideFaqSource), oldest first. */
  async guideFaqs(serviceId: string, language: string): Promise<Array<{ q: string; a: string }>> {
    const rows = await this.db.repo(ConsultationFaq).find({
      where: { serviceId, language },
      order: { createdAt: 'ASC', id: 'ASC' },
      take: MAX_FAQS_PER_GUIDE,
    });
    return rows.map((f) => ({ q: f.question, a: f.answer }));
  }

  private async manageable(ctx: RequestContext, id: string): Promise<ConsultationTemplate> {
    const t = await this.db
      .repo(ConsultationTemplate)
      .findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
    if (!t || !(await this.access.unitGrant(ctx, MANAGE, t.organisationId)).allowed)
      throw notFound('consultation_template');
    return t;
  }

  private audited(ctx: RequestContext, action: string, resourceId: string): Promise<void> {
    return this.audit.append(ctx, { action, resourceType: action.split('.')[0], resourceId });
  }
}

function duplicateTitle(e: unknown): never {
  if (isUniqueViolation(e, 'organisation_id, title'))
    throw new DomainError(ErrorCode.ValidationFailed, { count: 1 }, [
      { pointer: '/title', code: 'duplicate', message: 'the unit already has a template with this title' },
    ]);
  throw e;
}
