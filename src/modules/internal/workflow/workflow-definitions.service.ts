import { Injectable } from '@nestjs/common';
import type { RequestContext } from '../../../api/context/request-context';
import { DomainError, FieldError, notFound } from '../../../api/errors/domain-error';
import { ErrorCode } from '../../../api/errors/error-code';
import { assertVersion } from '../../../api/http/if-match';
import { cursorCodec, keysetPage, Page, PageQuery } from '../../../api/http/pagination';
import { Db } from '../../../database/db';
import { uuidv7 } from '../../../database/uuid';
import { AuditService } from '../../platform/audit/audit.service';
import { AccessService } from '../../platform/access/access.service';
import { CaseSubject, CaseType, CaseTypeRegistry } from './case-type';
import { WorkflowDefinitionDto, WorkflowDefinitionInputDto } from './dto/workflow-definition.dto';
import { WorkflowDefinition, WorkflowDefinitionState } from './workflow-definition.entity';
import type { Texts, WorkflowSpec } from './workflow-spec';
import { validateWorkflowSpec } from './workflow-spec.validate';

/** Who may read a definition: its authors, and the staff who handle the service's cases. */
/** createdBy is a uuid column: accounts, clients and keys have uuid ids; system contexts do not. */
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The catalogue's case type: its subject key is the service id (routes under /v1/services/{id}/workflows). */
export const SERVICE_CASE_TYPE = 'service';

/** A subject's workflow versions page by version number, newest first, then id. */
export const WORKFLOW_CURSOR = cursorCodec<[number, string]>('workflows', 'int', 'uuid');

/**
 * Workflow definitions (办件流程) as data: versions per subject of a registered case type (a
 * catalogue service, a complaint category, …), written as drafts, validated on every save and again
 * on activation; one active version per subject, which new cases start on. Running cases keep the
 * version they started with, so an activated spec never changes.
 *
 * The subject is known only through its case type (CaseTypeRegistry): its unit decides scope, and
 * the case type may add activation rules (the catalogue: within the guide's promised limit).
 */
@Injectable()
export class WorkflowDefinitionsService {
  constructor(
    private readonly db: Db,
    private readonly audit: AuditService,
    private readonly access: AccessService,
    private readonly caseTypes: CaseTypeRegistry,
  ) {}

  // ---- for the engine and the case types ----

  /** The version new cases of the subject start on, or null. */
  activeDefinition(caseType: string, subjectKey: string): Promise<WorkflowDefinition | null> {
    return this.db
      .repo(WorkflowDefinition)
      .findOne({ where: { caseType, subjectKey, state: WorkflowDefinitionState.Active } });
  }

  /** The registered case types, for staff screens. */
  listCaseTypes(): Array<{ key: string; title: Texts }> {
    return this.caseTypes.list().map((t) => ({ key: t.key, title: { ...t.title } }));
  }

  /** Any version by id (a running case's), without access checks. */
  definition(id: string): Promise<WorkflowDefinition | null> {
    return this.db.repo(WorkflowDefinition).findOne({ where: { id } });
  }

  // ---- staff ----

  /** A new draft version of a service's workflow (the catalogue's routes). */
  create(
    ctx: RequestContext,
    serviceId: string,
    dto: WorkflowDefinitionInputDto,
  ): Promise<WorkflowDefinitionDto> {
    return this.createFor(ctx, SERVICE_CASE_TYPE, serviceId, dto);
  }

  /** A new draft version for a subject of any case type: number = highest + 1. */
  async createFor(
    ctx: RequestContext,
    caseType: string,
    subjectKey: string,
    dto: WorkflowDefinitionInputDto,
  ): Promise<WorkflowDefinitionDto> {
    const type = this.caseTypes.get(caseType);
    const spec = checkedSpec(dto.spec);
    return this.db.transaction(async () => {
      const subject = await this.lockSubject(ctx, type, subjectKey);
      const [{ max }] = await this.db.query<{ max: number | null }>(
        'SELECT max(number) AS max FROM workflow_definition WHERE case_type = $1 AND subject_key = $2',
        [type.key, subjectKey],
      );
      const definition = this.db.repo(WorkflowDefinition).create({
        id: uuidv7(),
        caseType: type.key,
        subjectKey,
        serviceId: subject.serviceId ?? null,
        organisationId: subject.organisationId,
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

  list(ctx: RequestContext, serviceId: string, q: PageQuery): Promise<Page<WorkflowDefinitionDto>> {
    return this.listFor(ctx, SERVICE_CASE_TYPE, serviceId, q);
  }

  async listFor(
    ctx: RequestContext,
    caseType: string,
    subjectKey: string,
    q: PageQuery,
  ): Promise<Page<WorkflowDefinitionDto>> {
    const type = this.caseTypes.get(caseType);
    const subject = await type.subject(subjectKey, {});
    if (!subject || !(await this.access.check(ctx, 'workflow', subject, 'manage')).allowed)
      throw notFound(subjectResource(type));
    const qb = this.db
      .repo(WorkflowDefinition)
      .createQueryBuilder('w')
      .where('w.case_type = :caseType AND w.subject_key = :subjectKey', { caseType: type.key, subjectKey });
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
    const definition = await this.access.require<WorkflowDefinition>(ctx, 'workflow', id, 'read');
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
      const type = this.caseTypes.get(definition.caseType);
      const problems = (await type.checkDefinition?.(definition.subjectKey, definition.spec)) ?? [];
      if (problems.length)
        throw invalid(problems.map((e) => ({ ...e, pointer: e.pointer.replace('/workflow', '/spec') })));
      await this.db.repo(WorkflowDefinition).update(
        {
          caseType: definition.caseType,
          subjectKey: definition.subjectKey,
          state: WorkflowDefinitionState.Active,
        },
        { state: WorkflowDefinitionState.Retired },
      );
      await this.db
        .repo(WorkflowDefinition)
        .update(definition.id, { state: WorkflowDefinitionState.Active, activatedAt: new Date() });
    });
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
      const found = await this.access.require<WorkflowDefinition>(ctx, 'workflow', id, 'manage');
      // The subject's lock serialises every version change of the subject (numbers, one active).
      await this.lockSubject(ctx, this.caseTypes.get(found.caseType), found.subjectKey);
      const definition = await this.db.repo(WorkflowDefinition).findOneOrFail({ where: { id } });
      assertVersion(definition, expected);
      await change(definition);
      await this.audit.append(ctx, { action, resourceType: 'workflow_definition', resourceId: id });
      return view(await this.db.repo(WorkflowDefinition).findOneOrFail({ where: { id } }));
    });
  }

  /**
   * The subject, locked by its case type, with 404 outside the caller's workflow:manage scope. A
   * transaction-scoped advisory lock on the (type, key) pair serialises version changes even for
   * case types whose subjects have no row to lock.
   */
  private async lockSubject(ctx: RequestContext, type: CaseType, subjectKey: string): Promise<CaseSubject> {
    const subject = await type.subject(subjectKey, { lock: true });
    if (!subject || !(await this.access.check(ctx, 'workflow', subject, 'manage')).allowed)
      throw notFound(subjectResource(type));
    await this.db.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`workflow:${type.key}:${subjectKey}`]);
    return subject;
  }
}

function view(w: WorkflowDefinition): WorkflowDefinitionDto {
  return {
    id: w.id,
    caseType: w.caseType,
    subjectKey: w.subjectKey,
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

/** The word a 404 names for a missing subject: the case type's own ('service'), else 'subject'. */
function subjectResource(type: CaseType): string {
  return type.subjectResource ?? 'subject';
}
