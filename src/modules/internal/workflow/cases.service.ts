import { Injectable } from '@nestjs/common';
import type { RequestContext } from '../../../api/context/request-context';
import { DomainError } from '../../../api/errors/domain-error';
import { ErrorCode } from '../../../api/errors/error-code';
import { cursorCodec, keysetPage, Page } from '../../../api/http/pagination';
import { Db } from '../../../database/db';
import { AccessService } from '../../platform/access/access.service';
import { CaseEvent, CaseFile, CaseTask, TaskStatus } from './case.entity';
import {
  ACTION_KEY_RE,
  CaseActionDto,
  CaseDetailDto,
  CaseDto,
  CaseEventDto,
  CaseQueryDto,
  CaseTaskDto,
  WarningLight,
} from './dto/case.dto';
import { WorkflowDefinition } from './workflow-definition.entity';
import { bothTexts, WorkflowEngine } from './workflow-engine.service';

/** Sort key of the work list: the due date, stopped clocks (null) last. */
const DUE_SORT = `COALESCE(c.due_at, 'infinity'::timestamptz)`;
const MAX_HISTORY = 500;

/** Cases page by deadline (no deadline last, as 'infinity'), then id. */
export const CASE_CURSOR = cursorCodec<[string, string]>('cases', 'instant|infinity', 'uuid');

/**
 * Staff reads of cases (work lists scoped in SQL to the caller's units) and the action endpoint's
 * front: it delegates to the engine and answers the case as it now stands.
 */
@Injectable()
export class CasesService {
  constructor(
    private readonly db: Db,
    private readonly engine: WorkflowEngine,
    private readonly access: AccessService,
  ) {}

  async list(ctx: RequestContext, q: CaseQueryDto): Promise<Page<CaseDto>> {
    const qb = this.db.repo(CaseFile).createQueryBuilder('c');
    const scope = this.access.scope(ctx, 'case');
    qb.andWhere(scope.sql, scope.params);
    if (q.status) qb.andWhere('c.status = :status', { status: q.status });
    if (q.stage) qb.andWhere('c.stage = :stage', { stage: q.stage });
    if (q.serviceId) qb.andWhere('c.service_id = :serviceId', { serviceId: q.serviceId });
    if (q.caseType) qb.andWhere('c.case_type = :caseType', { caseType: q.caseType });
    if (q.organisationId) qb.andWhere('c.organisation_id = :org', { org: q.organisationId });
    if (q.warningLevel) qb.andWhere('c.warning_level = :wl', { wl: q.warningLevel });
    if (q.overdue === true) qb.andWhere(`c.status <> 'closed' AND c.due_at < now()`);
    if (q.overdue === false)
      qb.andWhere(`NOT (c.status <> 'closed' AND c.due_at IS NOT NULL AND c.due_at < now())`);
    const page = await keysetPage(qb, q, {
      cursor: CASE_CURSOR,
      sortColumn: DUE_SORT,
      idColumn: 'c.id',
      keyOf: (c) => [c.dueAt ? c.dueAt.toISOString() : 'infinity', c.id],
    });
    const titles = await this.stageTitles(page.items);
    return {
      items: page.items.map((c) => toCaseDto(c, titles)),
      nextCursor: page.nextCursor,
      count: page.count,
    };
  }

  async get(ctx: RequestContext, id: string): Promise<CaseDetailDto> {
    const c = await this.access.require<CaseFile>(ctx, 'case', id);
    return this.detail(ctx, c);
  }

  async act(
    ctx: RequestContext,
    id: string,
    action: string,
    input: CaseActionDto,
    expectedVersion?: number,
  ): Promise<CaseDetailDto> {
    // Validate, then look up, then check the state: a malformed key is a 400 even on a case that
    // does not exist (404) or whose stage has no such action (409).
    if (!ACTION_KEY_RE.test(action))
      throw new DomainError(ErrorCode.ValidationFailed, { count: 1 }, [
        { pointer: '/action', code: 'matches', message: 'action must match ^[a-z][a-z0-9_]{0,63}$' },
      ]);
    const c = await this.engine.act(ctx, id, action, input, expectedVersion);
    return this.detail(ctx, c);
  }

  private async detail(ctx: RequestContext, c: CaseFile): Promise<CaseDetailDto> {
    const tasks = await this.db.repo(CaseTask).find({ where: { caseId: c.id }, order: { createdAt: 'ASC' } });
    const events = await this.db
      .repo(CaseEvent)
      .find({ where: { caseId: c.id }, order: { createdAt: 'ASC', id: 'ASC' }, take: MAX_HISTORY });
    const open = tasks.filter((t) => t.status === TaskStatus.Open);
    const titles = await this.stageTitles([c]);
    return {
      ...toCaseDto(c, titles),
      pauses: c.pauses.map((p) => ({ ...p, restart: p.restart === true })),
      extensions: c.extensions.map((e) => ({
        amount: e.amount,
        reason: e.reason,
        state: e.state,
        requestedAt: e.requestedAt,
        decidedAt: e.decidedAt ?? null,
      })),
      tasks: tasks.map(toTaskDto),
      history: events.map(toEventDto),
      availableActions: await this.engine.availableActions(ctx, c, open),
    };
  }

  private async stageTitles(cases: CaseFile[]): Promise<Map<string, WorkflowDefinition>> {
    const ids = [...new Set(cases.map((c) => c.definitionId))];
    if (!ids.length) return new Map();
    const defs = await this.db
      .repo(WorkflowDefinition)
      .createQueryBuilder('d')
      .where('d.id IN (:...ids)', { ids })
      .getMany();
    return new Map(defs.map((d) => [d.id, d]));
  }
}

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

export function toCaseDto(c: CaseFile, definitions: Map<string, WorkflowDefinition>): CaseDto {
  const stage = definitions.get(c.definitionId)?.spec.stages.find((s) => s.key === c.stage);
  return {
    id: c.id,
    number: c.number,
    subjectType: c.subjectType,
    subjectId: c.subjectId,
    caseType: c.caseType,
    subjectKey: c.subjectKey,
    serviceId: c.serviceId,
    definitionId: c.definitionId,
    organisationId: c.organisationId,
    receivingOrganisationId: c.receivingOrganisationId,
    regionCode: c.regionCode,
    stage: c.stage,
    stageTitle: stage ? bothTexts(stage.title) : null,
    status: c.status,
    outcome: c.outcome,
    outcomeReason: c.outcomeReason,
    receivedAt: c.receivedAt.toISOString(),
    acceptedAt: iso(c.acceptedAt),
    limit: { amount: c.limit.amount, unit: c.limit.unit },
    dueAt: iso(c.dueAt),
    dueProvisional: c.dueProvisional,
    warningLevel: c.warningLevel as WarningLight,
    supplementRequested: c.supplementRequested,
    decidedAt: iso(c.decidedAt),
    closedAt: iso(c.closedAt),
    escalatedAt: iso(c.escalatedAt),
    version: c.version,
    createdAt: c.createdAt.toISOString(),
    updatedAt: c.updatedAt.toISOString(),
  };
}

function toTaskDto(t: CaseTask): CaseTaskDto {
  return {
    id: t.id,
    stage: t.stage,
    kind: t.kind,
    level: t.level,
    organisationId: t.organisationId,
    permission: t.permission,
    assigneeId: t.assigneeId,
    status: t.status,
    dueAt: iso(t.dueAt),
    warningLevel: t.warningLevel as WarningLight,
    completedAt: iso(t.completedAt),
    completedBy: t.completedBy,
    completedAction: t.completedAction,
  };
}

function toEventDto(e: CaseEvent): CaseEventDto {
  return {
    id: e.id,
    action: e.action,
    actorKind: e.actorKind,
    actorId: e.actorId,
    onBehalfOf: e.onBehalfOf,
    fromStage: e.fromStage,
    toStage: e.toStage,
    status: e.status,
    reason: e.reason,
    public: e.public,
    data: e.data,
    createdAt: e.createdAt.toISOString(),
  };
}
