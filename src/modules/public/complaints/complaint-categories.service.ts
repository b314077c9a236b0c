import { Injectable } from '@nestjs/common';
import { RequestContext } from '../../../api/context/request-context';
import { DomainError, notFound } from '../../../api/errors/domain-error';
import { ErrorCode } from '../../../api/errors/error-code';
import { Db } from '../../../database/db';
import { WorkflowDefinitionsService } from '../../internal/workflow/workflow-definitions.service';
import { AccessService } from '../../platform/access/access.service';
import { AuditService } from '../../platform/audit/audit.service';
import { ComplaintCategory, ComplaintTimeLimit } from './complaint-category.entity';
import { COMPLAINT_CASE_TYPE } from './complaint-case-type';
import { ComplaintPermission } from './complaint-declarations';
import { attributeDefinitionProblems, type CategoryAttribute, defaultWorkflow } from './complaint-rules';
import type { ComplaintTimeLimitDto, CreateComplaintCategoryDto } from './dto/complaint-category.dto';
import { OrganisationsService } from '../../platform/organisations/organisations.service';
import type { ComplaintCategoryDto } from './dto/complaint.dto';

/** A category as the demo seeder (or an administrator's tooling) creates it. */
export type NewCategory = Pick<
  ComplaintCategory,
  | 'code'
  | 'parentCode'
  | 'assignable'
  | 'kind'
  | 'name'
  | 'description'
  | 'groupName'
  | 'keywords'
  | 'attributes'
  | 'organisationId'
  | 'regionCode'
>;

/**
 * The category tree (public reads) and its time limits (complaint:manage over the category's
 * dispatch centre). A new leaf gets the default workflow, active at once; staff may replace it
 * through /v1/case-types/complaint/subjects/{code}/workflows.
 */
@Injectable()
export class ComplaintCategoriesService {
  constructor(
    private readonly db: Db,
    private readonly access: AccessService,
    private readonly audit: AuditService,
    private readonly definitions: WorkflowDefinitionsService,
    private readonly organisations: OrganisationsService,
  ) {}

  async list(ctx: RequestContext): Promise<ComplaintCategoryDto[]> {
    const rows = await this.db
      .repo(ComplaintCategory)
      .find({ where: { active: true }, order: { code: 'ASC' } });
    return rows.map((k) => categoryView(k, ctx.language));
  }

  async get(ctx: RequestContext, code: string): Promise<ComplaintCategoryDto> {
    const k = await this.db.repo(ComplaintCategory).findOne({ where: { code, active: true } });
    if (!k) throw notFound('complaint_category');
    return categoryView(k, ctx.language);
  }

  /** Sets (replaces) the limit of the category for one urgency in one region (or everywhere). */
  async setTimeLimit(
    ctx: RequestContext,
    code: string,
    dto: ComplaintTimeLimitDto,
  ): Promise<ComplaintTimeLimitDto> {
    return this.db.transaction(async () => {
      const k = await this.db.repo(ComplaintCategory).findOne({ where: { code } });
      const may =
        k && (await this.access.unitGrant(ctx, [ComplaintPermission.Manage as never], k.organisationId));
      if (!k || !may?.allowed) throw notFound('complaint_category');
      const regionCode = dto.regionCode ?? null;
      await this.db.query(
        `DELETE FROM complaint_time_limit WHERE category_code = $1 AND urgency = $2 AND region_code IS NOT DISTINCT FROM $3`,
        [code, dto.urgency, regionCode],
      );
      await this.db.repo(ComplaintTimeLimit).insert(
        this.db.repo(ComplaintTimeLimit).create({
          categoryCode: code,
          kind: null,
          regionCode,
          urgency: dto.urgency,
          amount: dto.amount,
          unit: dto.unit,
        }),
      );
      await this.audit.append(ctx, {
        action: 'complaint_category.time_limit',
        resourceType: 'complaint_category',
        resourceId: k.id,
      });
      return {
        regionCode: regionCode ?? undefined,
        urgency: dto.urgency,
        amount: dto.amount,
        unit: dto.unit,
      };
    });
  }

  /** An administrator's new category (complaint:manage over its dispatch centre). */
  async create(ctx: RequestContext, dto: CreateComplaintCategoryDto): Promise<ComplaintCategoryDto> {
    const may = await this.access.unitGrant(ctx, [ComplaintPermission.Manage as never], dto.organisationId);
    // A dispatch centre outside the caller's units is a unit they cannot see: 404, as everywhere.
    if (!may.allowed) throw notFound('organisation');
    const problems = attributeDefinitionProblems(dto.attributes ?? []);
    for (const [i, id] of [dto.organisationId, ...(dto.dispatchUnits ?? [])].entries())
      if (!(await this.organisations.unit(id))?.active)
        problems.push({
          pointer: i ? `/dispatchUnits/${i - 1}` : '/organisationId',
          code: 'unknownUnit',
          message: 'no active unit with this id',
        });
    if (
      dto.parentCode &&
      !(await this.db.repo(ComplaintCategory).exists({ where: { code: dto.parentCode } }))
    )
      problems.push({
        pointer: '/parentCode',
        code: 'unknownCategory',
        message: 'no category with this code',
      });
    if (problems.length)
      throw new DomainError(ErrorCode.ValidationFailed, { count: problems.length }, problems);
    return this.db.transaction(async () => {
      if (await this.db.repo(ComplaintCategory).exists({ where: { code: dto.code } }))
        throw new DomainError(ErrorCode.Conflict);
      const k = await this.ensure(
        {
          code: dto.code,
          parentCode: dto.parentCode ?? null,
          assignable: dto.assignable,
          kind: dto.kind,
          name: { ...dto.name },
          description: { ...dto.description },
          groupName: { ...dto.groupName },
          keywords: dto.keywords ?? [],
          attributes: (dto.attributes ?? []) as unknown as CategoryAttribute[],
          organisationId: dto.organisationId,
          regionCode: dto.regionCode,
        },
        dto.dispatchUnits,
      );
      await this.audit.append(ctx, {
        action: 'complaint_category.create',
        resourceType: 'complaint_category',
        resourceId: k.id,
      });
      return categoryView(k, ctx.language);
    });
  }

  /** Creates the category unless its code exists, with its default workflow active (idempotent). */
  async ensure(input: NewCategory, dispatchUnits?: string[]): Promise<ComplaintCategory> {
    const ctx = RequestContext.system('complaints');
    return this.db.transaction(async () => {
      const existing = await this.db.repo(ComplaintCategory).findOne({ where: { code: input.code } });
      if (existing) return existing;
      const k = this.db.repo(ComplaintCategory).create({ ...input, active: true });
      await this.db.repo(ComplaintCategory).save(k);
      if (k.assignable) {
        const draft = await this.definitions.createFor(ctx, COMPLAINT_CASE_TYPE, k.code, {
          spec: defaultWorkflow(dispatchUnits),
        });
        await this.definitions.activate(ctx, draft.id, undefined);
      }
      return k;
    });
  }
}

export function categoryView(k: ComplaintCategory, language: 'zh-CN' | 'en'): ComplaintCategoryDto {
  return {
    code: k.code,
    parentCode: k.parentCode,
    assignable: k.assignable,
    kind: k.kind,
    name: k.name[language],
    description: k.description[language],
    group: k.groupName[language],
    keywords: k.keywords,
    attributes: [...k.attributes]
      .sort((a, b) => a.order - b.order)
      .map((a) => ({
        code: a.code,
        datatype: a.datatype,
        required: a.required,
        order: a.order,
        description: a.description[language],
        values: a.values.map((v) => ({ key: v.key, name: v.name[language] })),
      })),
  };
}
