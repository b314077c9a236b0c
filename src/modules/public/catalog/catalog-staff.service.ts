import { Injectable } from '@nestjs/common';
import { In } from 'typeorm';
import { Permission } from '../../../api/auth/permission';
import type { RequestContext } from '../../../api/context/request-context';
import { DomainError, FieldError, notFound } from '../../../api/errors/domain-error';
import { ErrorCode } from '../../../api/errors/error-code';
import { assertVersion } from '../../../api/http/if-match';
import { cursorCodec, keysetPage, Page } from '../../../api/http/pagination';
import { Db } from '../../../database/db';
import { uuidv7 } from '../../../database/uuid';
import { EventsService } from '../../platform/events/events.service';
import { AccessService } from '../../platform/access/access.service';
import { AuditService } from '../../platform/audit/audit.service';
import { FilesService } from '../../platform/files/files.service';
import { OrganisationsService } from '../../platform/organisations/organisations.service';
import { ServiceContentDto } from './dto/service-content.dto';
import {
  CreateServiceDto,
  ServiceAdminDto,
  StaffServiceDto,
  StaffServiceQueryDto,
} from './dto/staff-catalog.dto';
import { PublishedCatalogCache } from './catalog-cache';
import { SERVICE_PUBLISHED, SERVICE_RETIRED } from './catalog-events';
import { checkContent, checkPublishable, publishedColumns } from './catalog-content-rules';
import { adminView, staffSummary } from './catalog-staff.view';
import { Service, ServiceStatus, ServiceVersion, ServiceVersionState } from './service.entity';

/**
 * A rule another module adds to publishing (the workflow module: "an active workflow exists");
 * returns the problems found, none to allow. Runs inside the publish transaction.
 */
export type PublishCheck = (service: Service, version: ServiceVersion) => Promise<FieldError[]>;

/** The staff catalogue list pages by id, newest first. */
export const STAFF_SERVICE_CURSOR = cursorCodec<[string]>('catalog-services', 'uuid');

/**
 * The staff side of the service catalogue (办事指南, C1): staff write versions of the services of
 * their units (draft → in_review → published → retired); publish and retire change what the public
 * reads, so they go through the published-catalogue cache.
 */
@Injectable()
export class CatalogStaffService {
  private readonly publishChecks: PublishCheck[] = [];

  constructor(
    private readonly db: Db,
    private readonly audit: AuditService,
    private readonly organisations: OrganisationsService,
    private readonly cache: PublishedCatalogCache,
    private readonly files: FilesService,
    private readonly events: EventsService,
    private readonly access: AccessService,
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

  async create(ctx: RequestContext, dto: CreateServiceDto): Promise<ServiceAdminDto> {
    checkContent(dto.draft, '/draft');
    return this.db.transaction(async () => {
      const org = await this.organisations.unit(dto.organisationId);
      if (
        !org?.active ||
        !(await this.access.check(ctx, 'service', { organisationId: org.id }, 'manage')).allowed
      )
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
    const scope = this.access.scope(ctx, 'service');
    qb.andWhere(scope.sql, scope.params);
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

  async getAdmin(ctx: RequestContext, id: string): Promise<ServiceAdminDto> {
    const service = await this.access.require<Service>(ctx, 'service', id, 'read');
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
      await this.db.repo(Service).update(service.id, {
        status: ServiceStatus.Published,
        currentPublishedVersionId: version.id,
        draftVersionId: null,
        publishedAt: now,
        ...publishedColumns(service, version.content),
      });
      const published = {
        serviceId: service.id,
        organisationId: service.organisationId,
        versionId: version.id,
      };
      await this.events.publish(ctx, {
        type: SERVICE_PUBLISHED.type,
        aggregate: { type: 'service', id: service.id },
        payload: published,
      });
    });
  }

  /** Withdraws the service from the public catalogue; its versions are kept. */
  async retire(ctx: RequestContext, id: string, expected: number | undefined): Promise<ServiceAdminDto> {
    return this.changePublic(ctx, id, expected, 'service.retire', async (service) => {
      if (service.status === ServiceStatus.Retired)
        throw invalidState(ctx, '该事项已停用', 'the service is already retired');
      await this.db.repo(Service).update(service.id, { status: ServiceStatus.Retired });
      const retired = { serviceId: service.id, organisationId: service.organisationId };
      await this.events.publish(ctx, {
        type: SERVICE_RETIRED.type,
        aggregate: { type: 'service', id: service.id },
        payload: retired,
      });
    });
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
      const step = permission === Permission.CatalogReview ? 'review' : 'manage';
      const service = await this.access.require<Service>(ctx, 'service', id, step, { lock: true });
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

  private async adminView(service: Service): Promise<ServiceAdminDto> {
    const [draft, published] = await Promise.all([
      service.draftVersionId ? this.version(service.draftVersionId) : null,
      service.currentPublishedVersionId ? this.version(service.currentPublishedVersionId) : null,
    ]);
    return adminView(service, draft, published);
  }
}

const invalidState = (ctx: RequestContext, zh: string, en: string): DomainError =>
  new DomainError(ErrorCode.InvalidState, { reason: ctx.language === 'en' ? en : zh });

const conflict = (ctx: RequestContext, _field: string, zh: string, en: string): DomainError =>
  new DomainError(ErrorCode.Conflict, { reason: ctx.language === 'en' ? en : zh });
