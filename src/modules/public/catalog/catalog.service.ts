import { Injectable } from '@nestjs/common';
import { In } from 'typeorm';
import type { ValidateFunction } from 'ajv';
import { Permission } from '../../../api/auth/permission';
import { IdempotencyService } from '../../../api/http/idempotency.service';
import type { Language, RequestContext } from '../../../api/context/request-context';
import { DomainError, FieldError, notFound } from '../../../api/errors/domain-error';
import { ErrorCode } from '../../../api/errors/error-code';
import { assertVersion } from '../../../api/http/if-match';
import { cursorCodec, keysetPage, Page } from '../../../api/http/pagination';
import { Db } from '../../../database/db';
import { uuidv7 } from '../../../database/uuid';
import { AuditService } from '../../platform/audit/audit.service';
import { FilesService } from '../../platform/files/files.service';
import { Organisation } from '../../platform/organisations/organisation.entity';
import { OrganisationsService } from '../../platform/organisations/organisations.service';
import { scopeCondition } from '../../platform/identity/staff/unit-scope';
import { IdentityAssurance } from '../../platform/identity/identity-assurance';
import {
  CreateServiceDto,
  ElderPublicGuideDto,
  FormValidationResultDto,
  HandlingType,
  PublicGuideDto,
  ServiceAdminDto,
  ServiceContentDto,
  ServiceQueryDto,
  ServiceSearchQueryDto,
  ServiceSearchResultDto,
  ServiceSummaryDto,
  ServiceVersionDto,
} from './dto/catalog.dto';
import { ServiceGuideNode } from './dto/catalog.graphql';
import { OpenVersionState, StaffServiceDto, StaffServiceQueryDto } from './dto/staff-catalog.dto';
import { cacheKey } from '../../../database/shared-read-cache';
import { PublishedCatalogCache } from './catalog-cache';
import { compileFormSchema } from './form-schema';
import { formErrors } from './form-errors';
import { queryTerms, termsColumn } from './search-terms';
import { elderGuide, localizedGuide } from './guide-view';
import { Service, ServiceStatus, ServiceTarget, ServiceVersion, ServiceVersionState } from './service.entity';

/** Compiled validators of published versions: those never change, so the id is the cache key. */
const VALIDATOR_CACHE_SIZE = 500;

/**
 * The service catalogue (办事指南, C1): staff write versions (draft → in_review → published), the
 * public reads the published one; applications validate submissions against its form.
 */
/**
 * A rule another module adds to publishing (the workflow module: "an active workflow exists");
 * returns the problems found, none to allow. Runs inside the publish transaction.
 */
export type PublishCheck = (service: Service, version: ServiceVersion) => Promise<FieldError[]>;

/** Published services pages by id. */
export const SERVICE_CURSOR = cursorCodec<[string]>('services', 'uuid');

/** The staff catalogue list pages by id, newest first. */
export const STAFF_SERVICE_CURSOR = cursorCodec<[string]>('catalog-services', 'uuid');

/** The staff side of the catalogue is for holders of either catalogue permission, in their units. */
const CATALOG_STAFF = [Permission.CatalogManage, Permission.CatalogReview];

@Injectable()
export class CatalogService {
  private readonly validators = new Map<string, ValidateFunction>();
  private readonly publishChecks: PublishCheck[] = [];

  constructor(
    private readonly db: Db,
    private readonly audit: AuditService,
    private readonly organisations: OrganisationsService,
    private readonly cache: PublishedCatalogCache,
    private readonly files: FilesService,
    private readonly idempotency: IdempotencyService,
  ) {}

  /** Adds a rule publish() enforces (registered at module init; see PublishCheck). */
  addPublishCheck(check: PublishCheck): void {
    this.publishChecks.push(check);
  }

  /** Blank and sample forms (空表/样表) must be public template files: a guide never links to a private one. */
  private async templateProblems(content: ServiceContentDto): Promise<FieldError[]> {
    const links = content.guide.materials.flatMap((m, i) =>
      (['templateFileId', 'sampleFileId'] as const).flatMap((field) =>
        m[field] ? [{ id: m[field], pointer: `/guide/materials/${i}/${field}` }] : [],
      ),
    );
    const found = await this.files.publicTemplateIds(links.map((l) => l.id));
    return links
      .filter((l) => !found.has(l.id))
      .map((l) => ({
        pointer: l.pointer,
        code: 'templateNotFound',
        message: 'no public template file has this id',
      }));
  }

  // ---- staff ----

  async create(ctx: RequestContext, dto: CreateServiceDto): Promise<ServiceAdminDto> {
    checkContent(dto.draft, '/draft');
    return this.db.transaction(async () => {
      const org = await this.db.repo(Organisation).findOne({ where: { id: dto.organisationId } });
      if (!org?.active || !(await this.inScope(ctx, Permission.CatalogManage, org.id)))
        throw notFound('organisation');
      if (await this.db.repo(Service).exists({ where: { implementationCode: dto.implementationCode } }))
        throw conflict(
          ctx,
          'implementationCode',
          '实施编码已被使用',
          'the implementation code is already in use',
        );
      const serviceId = uuidv7();
      const draft = this.db.repo(ServiceVersion).create({
        id: uuidv7(),
        serviceId,
        number: 1,
        state: ServiceVersionState.Draft,
        content: dto.draft,
        publishedAt: null,
        publishedBy: null,
      });
      const service = this.db.repo(Service).create({
        id: serviceId,
        organisationId: org.id,
        regionCode: org.regionCode,
        implementationCode: dto.implementationCode,
        type: dto.type,
        target: dto.target,
        status: ServiceStatus.Draft,
        currentPublishedVersionId: null,
        draftVersionId: draft.id,
        titleZh: null,
        titleEn: null,
        lifeEvents: [],
        topics: [],
        publishedAt: null,
      });
      await this.db.repo(Service).insert(service);
      await this.db.repo(ServiceVersion).save(draft);
      await this.audit.append(ctx, {
        action: 'service.create',
        resourceType: 'service',
        resourceId: serviceId,
      });
      return this.adminView(service);
    });
  }

  /**
   * The services of the caller's units (catalog:manage or catalog:review scope, units below
   * included) in any state, newest first; other units' services, drafts included, never appear.
   * Two statements per page: the services, then their open or published versions for the titles.
   */
  async listStaff(ctx: RequestContext, q: StaffServiceQueryDto): Promise<Page<StaffServiceDto>> {
    const qb = this.db.repo(Service).createQueryBuilder('s');
    const scope = scopeCondition(ctx, CATALOG_STAFF, 's.organisation_id');
    if (scope) qb.andWhere(scope.sql, scope.params);
    if (q.status) qb.andWhere('s.status = :status', { status: q.status });
    if (q.organisationId)
      qb.andWhere(
        's.organisation_id IN (SELECT oc.descendant_id FROM organisation_closure oc WHERE oc.ancestor_id = :org)',
        { org: q.organisationId },
      );
    if (q.updatedSince) qb.andWhere('s.updated_at >= :since', { since: new Date(q.updatedSince) });
    if (q.q) {
      const title = (v: string, lang: string) =>
        `lower(COALESCE(${v}.content->'translations'->'${lang}'->>'title', ''))`;
      qb.andWhere(
        `(strpos(lower(s.implementation_code), :text) > 0 OR EXISTS (SELECT 1 FROM service_version v
          WHERE v.id IN (s.draft_version_id, s.current_published_version_id)
            AND (strpos(${title('v', 'zh-CN')}, :text) > 0 OR strpos(${title('v', 'en')}, :text) > 0)))`,
        { text: q.q.toLowerCase() },
      );
    }
    const page = await keysetPage(qb, q, {
      cursor: STAFF_SERVICE_CURSOR,
      idColumn: 's.id',
      direction: 'DESC',
      keyOf: (s) => [s.id],
    });
    const versionIds = page.items.flatMap((s) =>
      [s.draftVersionId, s.currentPublishedVersionId].filter((v): v is string => !!v),
    );
    const versions = new Map(
      (versionIds.length ? await this.db.repo(ServiceVersion).findBy({ id: In(versionIds) }) : []).map(
        (v) => [v.id, v],
      ),
    );
    return {
      items: page.items.map((s) => staffSummary(ctx, s, versions)),
      nextCursor: page.nextCursor,
      count: page.count,
    };
  }

  // ---- GraphQL twins of the keyed staff writes (no interceptor reads an Idempotency-Key there) ----

  /** create() with the same Idempotency-Key rules as POST /v1/catalog/services. */
  createOnce(
    ctx: RequestContext,
    dto: CreateServiceDto,
    key: string | null | undefined,
  ): Promise<ServiceAdminDto> {
    const request = { method: 'POST', path: '/v1/catalog/services', body: dto, status: 201 };
    return this.idempotency.once(ctx, key, request, () => this.create(ctx, dto));
  }

  /** A lifecycle step (revise, submit, reject, publish, retire) keyed as its REST twin. */
  stepOnce(
    ctx: RequestContext,
    step: 'revise' | 'submit' | 'reject' | 'publish' | 'retire',
    id: string,
    expected: number | undefined,
    key: string | null | undefined,
  ): Promise<ServiceAdminDto> {
    const request = { method: 'POST', path: `/v1/catalog/services/${id}/${step}`, body: {}, status: 200 };
    return this.idempotency.once(ctx, key, request, () => this[step](ctx, id, expected));
  }

  async getAdmin(ctx: RequestContext, id: string): Promise<ServiceAdminDto> {
    const service = await this.db.repo(Service).findOne({ where: { id } });
    if (!service || !(await this.manageable(ctx, service))) throw notFound('service');
    return this.adminView(service);
  }

  /** Replaces the open draft. A version in review or published is never edited (409). */
  async updateDraft(
    ctx: RequestContext,
    id: string,
    expected: number,
    content: ServiceContentDto,
  ): Promise<ServiceAdminDto> {
    checkContent(content, '');
    return this.mutate(
      ctx,
      id,
      Permission.CatalogManage,
      expected,
      'service.draft.update',
      async (service) => {
        const draft = await this.openVersion(ctx, service, ServiceVersionState.Draft);
        draft.content = content;
        await this.db.repo(ServiceVersion).save(draft);
        await this.touch(service);
      },
    );
  }

  /** Opens a new draft (a copy of the published version) on a published or retired service. */
  async revise(ctx: RequestContext, id: string, expected: number | undefined): Promise<ServiceAdminDto> {
    return this.mutate(ctx, id, Permission.CatalogManage, expected, 'service.revise', async (service) => {
      if (service.draftVersionId || !service.currentPublishedVersionId)
        throw invalidState(ctx, '该事项已有未发布的版本', 'the service already has an unpublished version');
      const published = await this.version(service.currentPublishedVersionId);
      const last = await this.db.repo(ServiceVersion).maximum('number', { serviceId: service.id });
      const draft = this.db.repo(ServiceVersion).create({
        id: uuidv7(),
        serviceId: service.id,
        number: (last ?? 0) + 1,
        state: ServiceVersionState.Draft,
        content: published.content,
        publishedAt: null,
        publishedBy: null,
      });
      await this.db.repo(ServiceVersion).save(draft);
      await this.db.repo(Service).update(service.id, { draftVersionId: draft.id });
    });
  }

  async submit(ctx: RequestContext, id: string, expected: number | undefined): Promise<ServiceAdminDto> {
    return this.mutate(ctx, id, Permission.CatalogManage, expected, 'service.submit', async (service) => {
      const draft = await this.openVersion(ctx, service, ServiceVersionState.Draft);
      await this.db.repo(ServiceVersion).update(draft.id, { state: ServiceVersionState.InReview });
      if (service.status === ServiceStatus.Draft)
        await this.db.repo(Service).update(service.id, { status: ServiceStatus.InReview });
      else await this.touch(service);
    });
  }

  /** Sends the version in review back to draft, for corrections (审核退回). */
  async reject(ctx: RequestContext, id: string, expected: number | undefined): Promise<ServiceAdminDto> {
    return this.mutate(ctx, id, Permission.CatalogReview, expected, 'service.reject', async (service) => {
      const draft = await this.openVersion(ctx, service, ServiceVersionState.InReview);
      await this.db.repo(ServiceVersion).update(draft.id, { state: ServiceVersionState.Draft });
      if (service.status === ServiceStatus.InReview)
        await this.db.repo(Service).update(service.id, { status: ServiceStatus.Draft });
      else await this.touch(service);
    });
  }

  /**
   * Publishes the version in review after the rules a form check cannot see: promised ≤ legal time
   * limit in the same unit, a compiling form, required materials for promised items.
   */
  async publish(ctx: RequestContext, id: string, expected: number | undefined): Promise<ServiceAdminDto> {
    return this.changePublic(ctx, id, expected, 'service.publish', async (service) => {
      const version = await this.openVersion(ctx, service, ServiceVersionState.InReview);
      checkPublishable(version.content);
      const checks = [
        ...this.publishChecks,
        (_: Service, v: ServiceVersion) => this.templateProblems(v.content),
      ];
      const problems = (await Promise.all(checks.map((check) => check(service, version)))).flat();
      if (problems.length)
        throw new DomainError(ErrorCode.ValidationFailed, { count: problems.length }, problems);
      const now = new Date();
      if (service.currentPublishedVersionId)
        await this.db
          .repo(ServiceVersion)
          .update(service.currentPublishedVersionId, { state: ServiceVersionState.Superseded });
      await this.db.repo(ServiceVersion).update(version.id, {
        state: ServiceVersionState.Published,
        publishedAt: now,
        publishedBy: ctx.actor.id,
      });
      const { guide, translations } = version.content;
      await this.db.repo(Service).update(service.id, {
        status: ServiceStatus.Published,
        currentPublishedVersionId: version.id,
        draftVersionId: null,
        titleZh: translations['zh-CN'].title,
        titleEn: translations.en?.title ?? null,
        lifeEvents: guide.lifeEvents,
        topics: guide.topics,
        requiredAssurance: version.content.requiredAssurance ?? IdentityAssurance.None,
        publishedAt: now,
        titleTerms: termsColumn([translations['zh-CN'].title, translations.en?.title]),
        searchTerms: termsColumn([
          translations['zh-CN'].summary,
          translations.en?.summary,
          guide.conditions,
          ...guide.materials.map((m) => m.name),
          ...guide.steps,
          ...guide.faq.map((f) => f.q),
          ...guide.lifeEvents,
          ...guide.topics,
          service.implementationCode,
        ]),
      });
    });
  }

  /** Withdraws the service from the public catalogue; its versions are kept. */
  async retire(ctx: RequestContext, id: string, expected: number | undefined): Promise<ServiceAdminDto> {
    return this.changePublic(ctx, id, expected, 'service.retire', async (service) => {
      if (service.status === ServiceStatus.Retired)
        throw invalidState(ctx, '该事项已停用', 'the service is already retired');
      await this.db.repo(Service).update(service.id, { status: ServiceStatus.Retired });
    });
  }

  // ---- public ----

  /** Published reads below are served from the published-catalogue cache (catalog-cache.ts). */
  list(ctx: RequestContext, q: ServiceQueryDto): Promise<Page<ServiceSummaryDto>> {
    return this.cache.get(cacheKey('list', ctx.language, q), () => this.loadList(ctx, q));
  }

  private async loadList(ctx: RequestContext, q: ServiceQueryDto): Promise<Page<ServiceSummaryDto>> {
    const qb = this.db
      .repo(Service)
      .createQueryBuilder('s')
      .where('s.status = :published', { published: ServiceStatus.Published });
    if (q.organisationId) qb.andWhere('s.organisation_id = :org', { org: q.organisationId });
    if (q.region) qb.andWhere('s.region_code LIKE :region', { region: `${q.region}%` });
    if (q.type) qb.andWhere('s.type = :type', { type: q.type });
    if (q.target && q.target !== ServiceTarget.Both)
      qb.andWhere('s.target IN (:...targets)', { targets: [q.target, ServiceTarget.Both] });
    else if (q.target) qb.andWhere('s.target = :target', { target: q.target });
    if (q.lifeEvent)
      qb.andWhere('s.life_events @> CAST(:le AS jsonb)', { le: JSON.stringify([q.lifeEvent]) });
    if (q.topic) qb.andWhere('s.topics @> CAST(:topic AS jsonb)', { topic: JSON.stringify([q.topic]) });
    const page = await keysetPage(qb, q, { cursor: SERVICE_CURSOR, idColumn: 's.id', keyOf: (s) => [s.id] });
    return { items: page.items.map((s) => summary(ctx, s)), nextCursor: page.nextCursor, count: page.count };
  }

  /**
   * Ranked search of published services: a service scores 1 per query term found in its guide
   * text and 3 more when found in its title. Plain SQL (strpos), the same on PGlite and PostgreSQL.
   */
  search(ctx: RequestContext, q: ServiceSearchQueryDto): Promise<ServiceSearchResultDto> {
    const words = queryTerms(q.q);
    if (!words.length) return Promise.resolve({ items: [] });
    // Keyed by the terms, not the raw text: "办理 营业执照" and "办理营业执照" share an entry.
    return this.cache.get(cacheKey('search', ctx.language, { terms: words.join('|'), limit: q.limit }), () =>
      this.loadSearch(ctx, q, words),
    );
  }

  private async loadSearch(
    ctx: RequestContext,
    q: ServiceSearchQueryDto,
    words: string[],
  ): Promise<ServiceSearchResultDto> {
    const score = words
      .map(
        (_, i) =>
          `(CASE WHEN strpos(search_terms, $${i + 2}) > 0 THEN 1 ELSE 0 END + CASE WHEN strpos(title_terms, $${i + 2}) > 0 THEN 3 ELSE 0 END)`,
      )
      .join(' + ');
    const rows = await this.db.query<{ id: string; score: number }>(
      `SELECT id, (${score})::int AS score FROM service WHERE status = $1 AND (${score}) > 0 ORDER BY score DESC, id LIMIT ${q.limit ?? 20}`,
      [ServiceStatus.Published, ...words],
    );
    if (!rows.length) return { items: [] };
    const services = new Map(
      (await this.db.repo(Service).findBy({ id: In(rows.map((r) => r.id)) })).map((s) => [s.id, s]),
    );
    return {
      items: rows.flatMap((r) => {
        const s = services.get(r.id);
        return s ? [{ ...summary(ctx, s), score: r.score }] : [];
      }),
    };
  }

  /** The published guide in the caller's language, or its elder variant. Unknown or unpublished: 404. */
  guide(ctx: RequestContext, id: string, elder: boolean): Promise<PublicGuideDto | ElderPublicGuideDto> {
    return this.cache.get(cacheKey('guide', ctx.language, { id, elder }), () =>
      this.loadGuide(ctx, id, elder),
    );
  }

  private async loadGuide(
    ctx: RequestContext,
    id: string,
    elder: boolean,
  ): Promise<PublicGuideDto | ElderPublicGuideDto> {
    const { service, version } = await this.published(id);
    return elder
      ? elderGuide(ctx.language, service, version)
      : localizedGuide(ctx.language, service, version);
  }

  /** The guide for GraphQL: the same content, the guide and form as JSON text. */
  guideNode(ctx: RequestContext, id: string, elder: boolean): Promise<ServiceGuideNode> {
    return this.cache.get(cacheKey('guide-node', ctx.language, { id, elder }), () =>
      this.loadGuideNode(ctx, id, elder),
    );
  }

  private async loadGuideNode(ctx: RequestContext, id: string, elder: boolean): Promise<ServiceGuideNode> {
    const view = await this.loadGuide(ctx, id, elder);
    if (view.mode === 'elder') {
      const { id: _id, mode, language, versionNumber, title, requiredAssurance, ...rest } = view;
      return {
        id,
        mode,
        language,
        versionNumber,
        title,
        summary: rest.summary,
        requiredAssurance,
        guide: null,
        form: null,
        elder: rest,
      };
    }
    return {
      id,
      mode: view.mode,
      language: view.language,
      versionNumber: view.versionNumber,
      title: view.title,
      summary: view.summary,
      requiredAssurance: view.requiredAssurance,
      guide: view.guide,
      form: view.form,
      elder: null,
    };
  }

  /**
   * For the applications module: the submission's problems against the published form (none =
   * valid), each with its `form.<keyword>` code and a message in `lang`.
   */
  async validateForm(serviceId: string, data: unknown, lang: Language = 'zh-CN'): Promise<FieldError[]> {
    const { version } = await this.published(serviceId);
    return this.formProblems(version, data, lang);
  }

  /** The same, against a published version the caller has already loaded (no second read). */
  formProblems(version: ServiceVersion, data: unknown, lang: Language = 'zh-CN'): FieldError[] {
    const validate = this.validator(version);
    return validate(data) ? [] : formErrors(validate.errors, lang);
  }

  async formValidation(
    ctx: RequestContext,
    serviceId: string,
    data: unknown,
  ): Promise<FormValidationResultDto> {
    const errors = await this.validateForm(serviceId, data, ctx.language);
    return { valid: errors.length === 0, errors };
  }

  // ---- internals ----

  /**
   * A change to what the public sees (publish, retire): NOTIFY inside the transaction, so other
   * instances drop their cache on commit, and clear ours once the change has committed.
   */
  private async changePublic(
    ctx: RequestContext,
    id: string,
    expected: number | undefined,
    action: string,
    change: (service: Service) => Promise<void>,
  ): Promise<ServiceAdminDto> {
    return this.cache.changing(() =>
      this.mutate(ctx, id, Permission.CatalogReview, expected, action, async (service) => {
        await change(service);
        await this.cache.notifyChanged(service.id);
      }),
    );
  }

  /** Locks the service, checks scope and If-Match, runs the change, audits it, returns the new state. */
  private async mutate(
    ctx: RequestContext,
    id: string,
    permission: Permission,
    expected: number | undefined,
    action: string,
    change: (service: Service) => Promise<void>,
  ): Promise<ServiceAdminDto> {
    return this.db.transaction(async () => {
      const service = await this.db
        .repo(Service)
        .findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!service || !(await this.inScope(ctx, permission, service.organisationId)))
        throw notFound('service');
      assertVersion(service, expected);
      await change(service);
      await this.audit.append(ctx, { action, resourceType: 'service', resourceId: id });
      return this.adminView(await this.db.repo(Service).findOneOrFail({ where: { id } }));
    });
  }

  /** Bumps the service's version (its ETag) when only a version row changed. */
  private async touch(service: Service): Promise<void> {
    await this.db.repo(Service).update(service.id, { draftVersionId: service.draftVersionId });
  }

  /** The open (unpublished) version, which must be in `state`; a published one is never edited. */
  private async openVersion(
    ctx: RequestContext,
    service: Service,
    state: ServiceVersionState,
  ): Promise<ServiceVersion> {
    const draft = service.draftVersionId ? await this.version(service.draftVersionId) : null;
    if (!draft)
      throw invalidState(
        ctx,
        '已发布的版本不可修改，请先创建新版本',
        'a published version cannot be changed: open a new version first',
      );
    if (draft.state !== state)
      throw invalidState(
        ctx,
        state === ServiceVersionState.Draft ? '该版本正在审核中' : '该版本尚未提交审核',
        state === ServiceVersionState.Draft
          ? 'the version is in review'
          : 'the version has not been submitted for review',
      );
    return draft;
  }

  private async version(id: string): Promise<ServiceVersion> {
    return this.db.repo(ServiceVersion).findOneOrFail({ where: { id } });
  }

  private async published(id: string): Promise<{ service: Service; version: ServiceVersion }> {
    const service = await this.db.repo(Service).findOne({ where: { id } });
    if (!service || service.status !== ServiceStatus.Published || !service.currentPublishedVersionId)
      throw notFound('service');
    return { service, version: await this.version(service.currentPublishedVersionId) };
  }

  private validator(version: ServiceVersion): ValidateFunction {
    let validate = this.validators.get(version.id);
    if (!validate) {
      const compiled = compileFormSchema(version.content.form, '/form');
      // Published forms compiled at publication; failing now means the row was changed behind our back.
      if (!compiled.validate) throw new DomainError(ErrorCode.Internal);
      validate = compiled.validate;
      if (this.validators.size >= VALIDATOR_CACHE_SIZE)
        this.validators.delete(this.validators.keys().next().value as string);
      this.validators.set(version.id, validate);
    }
    return validate;
  }

  private async manageable(ctx: RequestContext, service: Service): Promise<boolean> {
    for (const p of [Permission.CatalogManage, Permission.CatalogReview])
      if (await this.inScope(ctx, p, service.organisationId)) return true;
    return false;
  }

  private async inScope(ctx: RequestContext, permission: Permission, unitId: string): Promise<boolean> {
    const scope = ctx.scopeOf(permission);
    if (scope === '*') return true;
    return !!scope && this.organisations.isWithin(unitId, scope);
  }

  private async adminView(service: Service): Promise<ServiceAdminDto> {
    const [draft, published] = await Promise.all([
      service.draftVersionId ? this.version(service.draftVersionId) : null,
      service.currentPublishedVersionId ? this.version(service.currentPublishedVersionId) : null,
    ]);
    return {
      id: service.id,
      organisationId: service.organisationId,
      implementationCode: service.implementationCode,
      type: service.type,
      target: service.target,
      status: service.status,
      requiredAssurance: service.requiredAssurance,
      currentPublishedVersionId: service.currentPublishedVersionId,
      draft: draft && versionView(draft),
      published: published && versionView(published),
      version: service.version,
    };
  }
}

function summary(ctx: RequestContext, s: Service): ServiceSummaryDto {
  return {
    id: s.id,
    implementationCode: s.implementationCode,
    title: (ctx.language === 'en' && s.titleEn) || s.titleZh || '',
    type: s.type,
    target: s.target,
    organisationId: s.organisationId,
    regionCode: s.regionCode,
    lifeEvents: s.lifeEvents,
    topics: s.topics,
    requiredAssurance: s.requiredAssurance,
    publishedAt: (s.publishedAt ?? s.createdAt).toISOString(),
  };
}

function staffSummary(
  ctx: RequestContext,
  s: Service,
  versions: Map<string, ServiceVersion>,
): StaffServiceDto {
  const open = s.draftVersionId ? versions.get(s.draftVersionId) : undefined;
  const shown = open ?? (s.currentPublishedVersionId ? versions.get(s.currentPublishedVersionId) : undefined);
  const t = shown?.content.translations;
  return {
    id: s.id,
    organisationId: s.organisationId,
    implementationCode: s.implementationCode,
    title: (ctx.language === 'en' && t?.en?.title) || t?.['zh-CN']?.title || s.titleZh || '',
    type: s.type,
    target: s.target,
    status: s.status,
    openVersionNumber: open?.number ?? null,
    openVersionState: (open?.state as OpenVersionState | undefined) ?? null,
    currentPublishedVersionId: s.currentPublishedVersionId,
    publishedAt: s.publishedAt?.toISOString() ?? null,
    updatedAt: s.updatedAt.toISOString(),
    version: s.version,
  };
}

function versionView(v: ServiceVersion): ServiceVersionDto {
  return {
    id: v.id,
    number: v.number,
    state: v.state,
    content: v.content,
    publishedAt: v.publishedAt?.toISOString() ?? null,
  };
}

const invalid = (errors: FieldError[]): DomainError =>
  new DomainError(ErrorCode.ValidationFailed, { count: errors.length }, errors);

const invalidState = (ctx: RequestContext, zh: string, en: string): DomainError =>
  new DomainError(ErrorCode.InvalidState, { reason: ctx.language === 'en' ? en : zh });

const conflict = (ctx: RequestContext, _field: string, zh: string, en: string): DomainError =>
  new DomainError(ErrorCode.Conflict, { reason: ctx.language === 'en' ? en : zh });

/** Rules across fields, checked on every save: text the database can hold, a form that compiles. */
function checkContent(content: ServiceContentDto, base: string): void {
  // jsonb refuses lone UTF-16 surrogates ("\ud800"): answer 400 here rather than 500 from the database.
  const broken = illFormedAt(content, base);
  if (broken)
    throw invalid([{ pointer: broken, code: 'wellFormedText', message: 'text must be well-formed Unicode' }]);
  const compiled = compileFormSchema(content.form, `${base}/form`);
  if (compiled.errors.length) throw invalid(compiled.errors);
}

/** With the u flag a proper pair is one code point, so only an unpaired surrogate matches. */
const LONE_SURROGATE = /\p{Surrogate}/u;

function illFormedAt(value: unknown, pointer: string): string | null {
  if (typeof value === 'string') return LONE_SURROGATE.test(value) ? pointer : null;
  if (!value || typeof value !== 'object') return null;
  for (const [k, v] of Object.entries(value)) {
    const key = k.replace(/~/g, '~0').replace(/\//g, '~1');
    if (LONE_SURROGATE.test(k)) return `${pointer}/${key}`;
    const hit = illFormedAt(v, `${pointer}/${key}`);
    if (hit) return hit;
  }
  return null;
}

/** Publication rules (承诺时限 ≤ 法定时限; promised items list what must be brought). */
function checkPublishable(content: ServiceContentDto): void {
  const errors: FieldError[] = [];
  const { guide } = content;
  const legal = guide.legalLimit;
  const promised = guide.promisedLimit;
  if (guide.handlingType === HandlingType.Promised) {
    if (!promised)
      errors.push({
        pointer: '/guide/promisedLimit',
        code: 'required',
        message: 'a promised item needs a promised time limit',
      });
    if (!guide.materials.some((m) => m.required))
      errors.push({
        pointer: '/guide/materials',
        code: 'requiredMaterials',
        message: 'a promised item must list its required materials',
      });
  }
  if (promised && legal) {
    // Working and natural days only compare through a calendar; refusing is the conservative answer.
    if (promised.unit !== legal.unit)
      errors.push({
        pointer: '/guide/promisedLimit/unit',
        code: 'sameUnit',
        message: 'the promised time limit must use the same unit as the legal one',
      });
    else if (promised.amount > legal.amount)
      errors.push({
        pointer: '/guide/promisedLimit/amount',
        code: 'notAboveLegal',
        message: 'the promised time limit may not exceed the legal time limit',
      });
  }
  const compiled = compileFormSchema(content.form, '/form');
  errors.push(...compiled.errors);
  if (errors.length) throw invalid(errors);
}
