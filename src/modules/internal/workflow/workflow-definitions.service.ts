import { Injectable, OnModuleInit } from '@nestjs/common';
import { Permission } from '../../../api/auth/permission';
import type { RequestContext } from '../../../api/context/request-context';
import { DomainError, FieldError, notFound } from '../../../api/errors/domain-error';
import { ErrorCode } from '../../../api/errors/error-code';
import { IdempotencyService } from '../../../api/http/idempotency.service';
import { assertVersion } from '../../../api/http/if-match';
import { cursorCodec, keysetPage, Page, PageQuery } from '../../../api/http/pagination';
import { Db } from '../../../database/db';
import { uuidv7 } from '../../../database/uuid';
import { AuditService } from '../../platform/audit/audit.service';
import { OrganisationsService } from '../../platform/organisations/organisations.service';
import { CatalogService } from '../../public/catalog/catalog.service';
import { personalFields } from '../../public/catalog/form-schema';
import { Service, ServiceVersion } from '../../public/catalog/service.entity';
import { WorkflowDefinitionDto, WorkflowDefinitionInputDto } from './dto/workflow-definition.dto';
import { WorkflowDefinition, WorkflowDefinitionState } from './workflow-definition.entity';
import type { Texts, TimeLimit, WorkflowSpec } from './workflow-spec';
import { validateWorkflowSpec } from './workflow-spec.validate';

/** Who may read a definition: its authors, and the staff who handle the service's cases. */
/** createdBy is a uuid column: accounts, clients and keys have uuid ids; system contexts do not. */
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const READERS = [
  Permission.WorkflowManage,
  Permission.CaseHandle,
  Permission.CaseReview,
  Permission.CaseApprove,
];

/** A service's workflow versions page by version number, newest first, then id. */
export const WORKFLOW_CURSOR = cursorCodec<[number, string]>('workflows', 'int', 'uuid');

/**
 * Workflow definitions (办件流程) as data: versions per service, written as drafts, validated on
 * every save and again on activation; one active version per service, which new cases start on.
 * Running cases keep the version they started with, so an activated spec never changes.
 *
 * The service rows are read here (never written) for the implementing unit and the promised time
 * limit; the catalogue owns them.
 */
@Injectable()
export class WorkflowDefinitionsService implements OnModuleInit {
  constructor(
    private readonly db: Db,
    private readonly audit: AuditService,
    private readonly catalog: CatalogService,
    private readonly organisations: OrganisationsService,
    private readonly idempotency: IdempotencyService,
  ) {}

  onModuleInit(): void {
    this.catalog.addPublishCheck((service, version) => this.publishCheck(service.id, version));
  }

  // ---- for the engine ----

  /** The version new cases of the service start on, or null. */
  activeDefinition(serviceId: string): Promise<WorkflowDefinition | null> {
    return this.db
      .repo(WorkflowDefinition)
      .findOne({ where: { serviceId, state: WorkflowDefinitionState.Active } });
  }

  /** Any version by id (a running case's), without access checks. */
  definition(id: string): Promise<WorkflowDefinition | null> {
    return this.db.repo(WorkflowDefinition).findOne({ where: { id } });
  }

  // ---- staff ----

  /** A new draft version: number = highest + 1. */
  async create(
    ctx: RequestContext,
    serviceId: string,
    dto: WorkflowDefinitionInputDto,
  ): Promise<WorkflowDefinitionDto> {
    const spec = checkedSpec(dto.spec);
    return this.db.transaction(async () => {
      const service = await this.lockService(ctx, serviceId);
      const [{ max }] = await this.db.query<{ max: number | null }>(
        'SELECT max(number) AS max FROM workflow_definition WHERE service_id = $1',
        [service.id],
      );
      const definition = this.db.repo(WorkflowDefinition).create({
        id: uuidv7(),
        serviceId: service.id,
        organisationId: service.organisationId,
        number: (max ?? 0) + 1,
        state: WorkflowDefinitionState.Draft,
        spec,
        createdBy: ctx.actor.id && UUID_RE.test(ctx.actor.id) ? ctx.actor.id : null,
        activatedAt: null,
      });
      await this.db.repo(WorkflowDefinition).save(definition);
      await this.audit.append(ctx, {
        action: 'workflow.create',
        resourceType: 'workflow_definition',
        resourceId: definition.id,
      });
      return this.get(ctx, definition.id);
    });
  }

  /** create() for GraphQL, with the same Idempotency-Key rules as POST /v1/services/{serviceId}/workflows. */
  createOnce(
    ctx: RequestContext,
    serviceId: string,
    dto: WorkflowDefinitionInputDto,
    key: string | null | undefined,
  ): Promise<WorkflowDefinitionDto> {
    const request = { method: 'POST', path: `/v1/services/${serviceId}/workflows`, body: dto, status: 201 };
    return this.idempotency.once(ctx, key, request, () => this.create(ctx, serviceId, dto));
  }

  async list(ctx: RequestContext, serviceId: string, q: PageQuery): Promise<Page<WorkflowDefinitionDto>> {
    const service = await this.db.repo(Service).findOne({ where: { id: serviceId } });
    if (!service || !(await this.inScope(ctx, [Permission.WorkflowManage], service.organisationId)))
      throw notFound('service');
    const qb = this.db
      .repo(WorkflowDefinition)
      .createQueryBuilder('w')
      .where('w.service_id = :serviceId', { serviceId });
    const page = await keysetPage(qb, q, {
      cursor: WORKFLOW_CURSOR,
      sortColumn: 'w.number',
      idColumn: 'w.id',
      direction: 'DESC',
      keyOf: (w) => [w.number, w.id],
    });
    return { items: page.items.map(view), nextCursor: page.nextCursor, count: page.count };
  }

  /** One version, for its authors and for the staff handling the service's cases. */
  async get(ctx: RequestContext, id: string): Promise<WorkflowDefinitionDto> {
    const definition = await this.db.repo(WorkflowDefinition).findOne({ where: { id } });
    if (!definition || !(await this.inScope(ctx, READERS, definition.organisationId)))
      throw notFound('workflow');
    return view(definition);
  }

  /** Replaces a draft's spec (If-Match). Active and retired versions never change. */
  async update(
    ctx: RequestContext,
    id: string,
    expected: number | undefined,
    dto: WorkflowDefinitionInputDto,
  ): Promise<WorkflowDefinitionDto> {
    const spec = checkedSpec(dto.spec);
    return this.mutate(ctx, id, expected, 'workflow.update', async (definition) => {
      if (definition.state !== WorkflowDefinitionState.Draft)
        throw transition(
          ctx,
          '只有草稿版本可以修改，请创建新版本',
          'only a draft can be changed: create a new version',
        );
      definition.spec = spec;
      await this.db.repo(WorkflowDefinition).save(definition);
    });
  }

  /**
   * Makes a draft the version new cases start on; the previously active one is retired (its running
   * cases finish on it). Validated again: the rules may have grown since the draft was saved.
   */
  async activate(
    ctx: RequestContext,
    id: string,
    expected: number | undefined,
  ): Promise<WorkflowDefinitionDto> {
    return this.mutate(ctx, id, expected, 'workflow.activate', async (definition) => {
      if (definition.state !== WorkflowDefinitionState.Draft)
        throw transition(ctx, '只有草稿版本可以启用', 'only a draft can be activated');
      checkedSpec(definition.spec);
      const published = await this.publishedVersion(definition.serviceId);
      if (published) {
        const problems = limitProblems(definition.spec, published);
        if (problems.length)
          throw invalid(problems.map((e) => ({ ...e, pointer: e.pointer.replace('/workflow', '/spec') })));
      }
      await this.db
        .repo(WorkflowDefinition)
        .update(
          { serviceId: definition.serviceId, state: WorkflowDefinitionState.Active },
          { state: WorkflowDefinitionState.Retired },
        );
      await this.db
        .repo(WorkflowDefinition)
        .update(definition.id, { state: WorkflowDefinitionState.Active, activatedAt: new Date() });
    });
  }

  // ---- catalogue publication ----

  /** Publishing needs an active workflow whose clock fits within the guide's promised time limit. */
  private async publishCheck(serviceId: string, version: ServiceVersion): Promise<FieldError[]> {
    const active = await this.activeDefinition(serviceId);
    if (!active)
      return [
        {
          pointer: '/workflow',
          code: 'activeWorkflowRequired',
          message: 'the service needs an active workflow before it is published',
        },
      ];
    return [...limitProblems(active.spec, version), ...personalGuardProblems(active.spec, version)];
  }

  // ---- helpers ----

  private async mutate(
    ctx: RequestContext,
    id: string,
    expected: number | undefined,
    action: string,
    change: (definition: WorkflowDefinition) => Promise<void>,
  ): Promise<WorkflowDefinitionDto> {
    return this.db.transaction(async () => {
      const found = await this.db.repo(WorkflowDefinition).findOne({ where: { id } });
      if (!found || !(await this.inScope(ctx, [Permission.WorkflowManage], found.organisationId)))
        throw notFound('workflow');
      // The service row is the lock every version change of the service takes (numbers, one active).
      await this.lockService(ctx, found.serviceId);
      const definition = await this.db.repo(WorkflowDefinition).findOneOrFail({ where: { id } });
      assertVersion(definition, expected);
      await change(definition);
      await this.audit.append(ctx, { action, resourceType: 'workflow_definition', resourceId: id });
      return view(await this.db.repo(WorkflowDefinition).findOneOrFail({ where: { id } }));
    });
  }

  private async lockService(ctx: RequestContext, serviceId: string): Promise<Service> {
    const service = await this.db
      .repo(Service)
      .findOne({ where: { id: serviceId }, lock: { mode: 'pessimistic_write' } });
    if (!service || !(await this.inScope(ctx, [Permission.WorkflowManage], service.organisationId)))
      throw notFound('service');
    return service;
  }

  private async publishedVersion(serviceId: string): Promise<ServiceVersion | null> {
    const service = await this.db.repo(Service).findOne({ where: { id: serviceId } });
    if (!service?.currentPublishedVersionId) return null;
    return this.db.repo(ServiceVersion).findOne({ where: { id: service.currentPublishedVersionId } });
  }

  private async inScope(ctx: RequestContext, permissions: Permission[], unitId: string): Promise<boolean> {
    for (const permission of permissions) {
      const scope = ctx.scopeOf(permission);
      if (scope === '*') return true;
      if (scope && (await this.organisations.isWithin(unitId, scope))) return true;
    }
    return false;
  }
}

function view(w: WorkflowDefinition): WorkflowDefinitionDto {
  return {
    id: w.id,
    serviceId: w.serviceId,
    organisationId: w.organisationId,
    number: w.number,
    state: w.state,
    spec: w.spec,
    createdBy: w.createdBy,
    activatedAt: w.activatedAt?.toISOString() ?? null,
    createdAt: w.createdAt.toISOString(),
    version: w.version,
  };
}

const invalid = (errors: FieldError[]): DomainError =>
  new DomainError(ErrorCode.ValidationFailed, { count: errors.length }, errors);

const transition = (ctx: RequestContext, zh: string, en: string): DomainError =>
  new DomainError(ErrorCode.InvalidTransition, { reason: ctx.language === 'en' ? en : zh });

/** The spec if valid (English titles left out default to the Chinese ones), else 400 with pointers. */
function checkedSpec(spec: unknown): WorkflowSpec {
  const errors = validateWorkflowSpec(spec);
  if (errors.length) throw invalid(errors.map((e) => ({ ...e, pointer: `/spec${e.pointer}` })));
  const valid = spec as WorkflowSpec;
  const texts = (t: Texts | undefined): Texts | undefined => t && { ...t, en: t.en ?? t['zh-CN'] };
  return {
    ...valid,
    stages: valid.stages.map((s) => ({
      ...s,
      title: texts(s.title)!,
      actions: s.actions.map((a) => ({ ...a, title: texts(a.title)! })),
    })),
    ...(valid.separationOfDuties && {
      separationOfDuties: valid.separationOfDuties.map((r) => ({
        ...r,
        ...(r.title && { title: texts(r.title) }),
      })),
    }),
  };
}

/**
 * A guard on a personal form field (x-personal) could never hold: the case gets only the plain
 * answers, personal ones stay sealed with the application. Refused at publication, by pointer.
 */
function personalGuardProblems(spec: WorkflowSpec, version: ServiceVersion): FieldError[] {
  const personal = personalFields(version.content.form);
  if (!personal.size) return [];
  const problems: FieldError[] = [];
  const paths = (node: unknown, out: string[]): string[] => {
    if (node && typeof node === 'object') {
      const path = (node as { path?: unknown }).path;
      if (typeof path === 'string') out.push(path);
      for (const v of Object.values(node)) paths(v, out);
    }
    return out;
  };
  spec.stages.forEach((stage, i) =>
    stage.actions.forEach((action, j) => {
      for (const path of paths(action.guard, [])) {
        const field = /^\/form\/([^/]+)/.exec(path)?.[1]?.replace(/~1/g, '/').replace(/~0/g, '~');
        if (field && personal.has(field))
          problems.push({
            pointer: '/workflow',
            code: 'personalGuard',
            message: `stages/${i}/actions/${j}: the guard reads ${path}, a personal field the case never holds`,
          });
      }
    }),
  );
  return problems;
}

/**
 * The case clock may not promise more than the guide does (承诺时限, else 法定时限). Different units
 * only compare through a calendar, so they are refused, as the catalogue does for its own limits.
 */
function limitProblems(spec: WorkflowSpec, version: ServiceVersion): FieldError[] {
  const own: TimeLimit | undefined = spec.clock.limit;
  const guide = version.content.guide;
  const bound = guide.promisedLimit ?? guide.legalLimit;
  if (!own || !bound) return [];
  // The catalogue's TimeUnit and the calendar's ClockUnit share their string values.
  if (String(own.unit) !== String(bound.unit))
    return [
      {
        pointer: '/workflow/clock/limit',
        code: 'sameUnit',
        message: "the workflow's time limit must use the unit of the guide's promised time limit",
      },
    ];
  if (own.amount > bound.amount)
    return [
      {
        pointer: '/workflow/clock/limit',
        code: 'notAbovePromised',
        message: "the workflow's time limit may not exceed the guide's promised time limit",
      },
    ];
  return [];
}
