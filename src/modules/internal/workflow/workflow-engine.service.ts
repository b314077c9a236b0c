import { Injectable } from '@nestjs/common';
import { In } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { Permission } from '../../../api/auth/permission';
import type { RequestContext } from '../../../api/context/request-context';
import { DomainError, notFound } from '../../../api/errors/domain-error';
import { ErrorCode } from '../../../api/errors/error-code';
import { assertVersion } from '../../../api/http/if-match';
import { Db } from '../../../database/db';
import { isUniqueViolation } from '../../../database/db-errors';
import { AuditService } from '../../platform/audit/audit.service';
import { AccessService } from '../../platform/access/access.service';
import { CalendarService } from '../../platform/calendar/calendar.service';
import { actingFor, isInScope } from '../../platform/identity/staff/unit-scope';
import { CaseEvent, CaseFile, CaseOutcome, CaseStatus, CaseTask } from './case.entity';
import { caseClock, resolveLimit } from './case-clock';
import { CaseTypeRegistry } from './case-type';
import { EventsService } from '../../platform/events/events.service';
import { CASE_TRANSITIONED, caseTransitioned } from './case-events';
import { checkInput } from './action-input';
import { CaseEffects } from './case-effects';
import {
  EXTENSION_DECISIONS,
  findAction,
  reasonRequired,
  Refusal,
  separationOfDuties,
  worksTask,
} from './case-access';
import { WorkflowDefinition, WorkflowDefinitionState } from './workflow-definition.entity';
import type { ActionSpec, StageSpec, WorkflowSpec } from './workflow-spec';
import type { ActionInput, ActionRun, AvailableAction, CaseTransition, NewCase } from './engine-types';

export type {
  ActionInput,
  AvailableAction,
  CaseTransition,
  NewCase,
  TransitionListener,
} from './engine-types';

/** Permissions that let staff see a case of their units (and answer 403 rather than 404 for the rest). */
export const CASE_READ_PERMISSIONS = [
  Permission.CaseHandle,
  Permission.CaseReview,
  Permission.CaseApprove,
  Permission.CaseSupervise,
];

/**
 * The workflow engine: starts cases on a subject's active definition and applies actions in one
 * transaction with the case, its tasks, its history, the audit leaf and any jobs. It knows subjects
 * only through the case types modules register (CaseTypeRegistry).
 */
@Injectable()
export class WorkflowEngine {
  constructor(
    private readonly db: Db,
    private readonly audit: AuditService,
    private readonly calendar: CalendarService,
    private readonly effects: CaseEffects,
    private readonly access: AccessService,
    private readonly caseTypes: CaseTypeRegistry,
    private readonly events: EventsService,
  ) {}

  /** Opens the case on the subject's active workflow; joins the caller's transaction. */
  async start(ctx: RequestContext, input: NewCase): Promise<CaseFile> {
    return this.db.transaction(async () => {
      const type = this.caseTypes.get(input.caseType);
      const subject = await type.subject(input.subjectKey, { loaded: input.loaded?.owner });
      const definition = subject
        ? await this.db.repo(WorkflowDefinition).findOne({
            where: {
              caseType: type.key,
              subjectKey: input.subjectKey,
              state: WorkflowDefinitionState.Active,
            },
          })
        : null;
      if (!subject || !definition) throw notFound('workflow');
      const spec = definition.spec;
      const stage = stageOf(spec, spec.start);
      const c = this.db.repo(CaseFile).create({
        subjectType: input.subjectType,
        subjectId: input.subjectId,
        number: input.number,
        caseType: type.key,
        subjectKey: input.subjectKey,
        serviceId: subject.serviceId ?? null,
        definitionId: definition.id,
        organisationId: subject.organisationId,
        receivingOrganisationId: subject.organisationId,
        regionCode: subject.regionCode,
        applicantAccountId: input.applicantAccountId,
        stage: stage.key,
        status: CaseStatus.Open,
        outcome: null,
        outcomeReason: null,
        receivedAt: input.receivedAt,
        acceptedAt: null,
        limit: resolveLimit(spec.clock.limit, subject.limits.promised, subject.limits.legal),
        pauses: [],
        extensions: [],
        supplementRequested: false,
        actors: {},
        approval: {},
        routing: {},
        data: input.data ?? {},
        decidedAt: null,
        closedAt: null,
        escalatedAt: null,
      });
      const now = new Date();
      await this.refreshClock(c, spec, now);
      // insert(), not save(): a new row needs none of save()'s persistence planning (same statement).
      await this.db
        .repo(CaseFile)
        .insert(c as QueryDeepPartialEntity<CaseFile>)
        .catch((e: unknown) => {
          // One case per subject: the unique index answers, with no check-then-insert race.
          if (isUniqueViolation(e, 'subject_type, subject_id'))
            throw new DomainError(ErrorCode.InvalidTransition, {
              reason: 'a case is already open for this subject',
            });
          throw e;
        });
      await this.effects.createStageTasks({ caseFile: c, now }, stage);
      const event = await this.record(ctx, c, 'started', {
        fromStage: null,
        toStage: stage.key,
        public: true,
        reason: null,
        data: {},
      });
      await this.notify(ctx, c, event, 'started', { held: subject.held, subject: input.loaded?.subject });
      return c;
    });
  }

  /**
   * A staff action on a case, in one transaction: the case row is locked, the caller's right to act
   * (task, scope, claim, separation of duties) checked, the effect applied, the clock recomputed and
   * the history, audit leaf and subject module updated.
   */
  async act(
    ctx: RequestContext,
    caseId: string,
    actionKey: string,
    input: ActionInput,
    expectedVersion?: number,
  ): Promise<CaseFile> {
    return this.db.transaction(async () => {
      // Row-locked for the action; anyone who may not see it gets the same 404 as a missing id.
      const c = await this.access.require<CaseFile>(ctx, 'case', caseId, 'read', { lock: true });
      assertVersion(c, expectedVersion);
      const spec = await this.specOf(c);
      const stage = stageOf(spec, c.stage);
      const open = await this.effects.openTasks(c.id);
      const found = findAction(c, spec, stage, actionKey, open);
      if ('code' in found) throw new DomainError(found.code, { reason: found.reason });
      const { action } = found;
      const picked = await this.pickTask(ctx, c, spec, stage, action, open, input.taskId);
      if ('code' in picked) throw new DomainError(picked.code, { reason: picked.reason });
      const { task } = picked;
      checkInput(action, input);
      // From here on the caller is recorded as acting for whoever lent them the role this step needs.
      ctx.actor = { ...ctx.actor, onBehalfOf: picked.onBehalfOf };
      const now = new Date();
      const run: ActionRun = {
        ctx,
        caseFile: c,
        spec,
        stage,
        action,
        input,
        task,
        now,
        event: { public: false, reason: null, data: {}, toStage: null },
      };
      const fromStage = c.stage;
      await this.effects.apply(run);
      const key = `${fromStage}.${action.key}`;
      const ids = [ctx.actor.id, ctx.actor.onBehalfOf].filter((x): x is string => !!x);
      c.actors = { ...c.actors, [key]: [...new Set([...(c.actors[key] ?? []), ...ids])] };
      await this.refreshClock(c, spec, now);
      await this.db.repo(CaseFile).save(c);
      const event = await this.record(ctx, c, action.key, {
        fromStage,
        toStage: run.event.toStage,
        public: run.event.public,
        reason: run.event.reason,
        data: { effect: action.effect, ...run.event.data },
      });
      await this.notify(ctx, c, event, action.effect);
      return c;
    });
  }

  /** Applicant side: the one supplement answer (补正) resumes the clock. */
  async supplementAnswered(
    ctx: RequestContext,
    caseId: string,
    data: Record<string, unknown>,
  ): Promise<CaseFile> {
    return this.db.transaction(async () => {
      const c = await this.lock(caseId);
      if (c.status !== CaseStatus.AwaitingApplicant || !c.supplementRequested)
        throw new DomainError(ErrorCode.InvalidTransition, {
          reason: 'no supplement is awaited for this case',
        });
      const now = new Date();
      // The count restarts from the day after the answer (the pause carries restart: true).
      c.pauses = c.pauses.map((p) =>
        p.to === null && p.kind === 'supplement' ? { ...p, to: now.toISOString() } : p,
      );
      c.data = { ...c.data, ...data };
      c.status = CaseStatus.Open;
      const spec = await this.specOf(c);
      await this.refreshClock(c, spec, now);
      await this.effects.shiftStepDeadlines(c, spec, now);
      await this.db.repo(CaseFile).save(c);
      const event = await this.record(ctx, c, 'supplement_answered', {
        fromStage: c.stage,
        toStage: null,
        public: true,
        reason: null,
        data: {},
      });
      await this.notify(ctx, c, event, 'supplement_answered');
      return c;
    });
  }

  /** Applicant side: withdrawal (撤回) before a decision closes the case. */
  async withdraw(ctx: RequestContext, caseId: string, reason: string | undefined): Promise<CaseFile> {
    return this.db.transaction(async () => {
      const c = await this.lock(caseId);
      if (c.status === CaseStatus.Closed || c.decidedAt)
        throw new DomainError(ErrorCode.InvalidTransition, {
          reason: 'the case is decided or closed and can no longer be withdrawn',
        });
      const now = new Date();
      c.outcome = CaseOutcome.Withdrawn;
      c.outcomeReason = reason?.trim() || null;
      await this.effects.closeCase({ caseFile: c, now });
      await this.db.repo(CaseFile).save(c);
      const event = await this.record(ctx, c, 'withdrawn', {
        fromStage: c.stage,
        toStage: null,
        public: true,
        reason: c.outcomeReason,
        data: {},
      });
      await this.notify(ctx, c, event, 'withdrawn');
      return c;
    });
  }

  /** The applicant-visible history of a case, oldest first. */
  publicHistory(caseId: string): Promise<CaseEvent[]> {
    return this.db
      .repo(CaseEvent)
      .find({ where: { caseId, public: true }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  caseOf(subjectType: string, subjectId: string): Promise<CaseFile | null> {
    return this.db.repo(CaseFile).findOne({ where: { subjectType, subjectId } });
  }

  /** caseOf() for many subjects in one statement, by subject id (for GraphQL's batch loaders). */
  async casesOf(subjectType: string, subjectIds: readonly string[]): Promise<Map<string, CaseFile>> {
    if (!subjectIds.length) return new Map();
    const rows = await this.db
      .repo(CaseFile)
      .find({ where: { subjectType, subjectId: In([...subjectIds]) } });
    return new Map(rows.map((c) => [c.subjectId, c]));
  }

  /** publicHistory() of many cases in one statement, by case id, each oldest first. */
  async publicHistories(caseIds: readonly string[]): Promise<Map<string, CaseEvent[]>> {
    const out = new Map<string, CaseEvent[]>();
    if (!caseIds.length) return out;
    const rows = await this.db.repo(CaseEvent).find({
      where: { caseId: In([...caseIds]), public: true },
      order: { createdAt: 'ASC', id: 'ASC' },
    });
    for (const e of rows) {
      const list = out.get(e.caseId);
      if (list) list.push(e);
      else out.set(e.caseId, [e]);
    }
    return out;
  }

  // ---------------------------------------------------------------- staff reads

  // Who may see a case is the case policy's (case.policy.ts, through AccessService).

  /** The actions the caller could take now (the same checks as act(), without the input). */
  async availableActions(ctx: RequestContext, c: CaseFile, open: CaseTask[]): Promise<AvailableAction[]> {
    if (c.status === CaseStatus.Closed) return [];
    const spec = await this.specOf(c);
    const stage = stageOf(spec, c.stage);
    const keys = new Set(stage.actions.map((a) => a.key));
    if (open.some((t) => t.kind === 'extension')) EXTENSION_DECISIONS.forEach((k) => keys.add(k));
    const out: AvailableAction[] = [];
    for (const key of keys) {
      const found = findAction(c, spec, stage, key, open);
      if ('code' in found) continue;
      const picked = await this.pickTask(ctx, c, spec, stage, found.action, open, undefined);
      if ('code' in picked) continue;
      const { task } = picked;
      const a = found.action;
      out.push({
        key: a.key,
        effect: a.effect,
        title: bothTexts(a.title),
        reasonRequired: reasonRequired(a),
        taskId: task.id,
      });
    }
    return out;
  }

  async specOf(c: CaseFile): Promise<WorkflowSpec> {
    const d = await this.db.repo(WorkflowDefinition).findOne({ where: { id: c.definitionId } });
    if (!d) throw new DomainError(ErrorCode.Internal);
    return d.spec;
  }

  /** dueAt, provisional flag and warning light from the case clock (limit, pauses, extensions). */
  async refreshClock(c: CaseFile, spec: WorkflowSpec, now: Date): Promise<void> {
    if (c.status === CaseStatus.Closed) {
      c.warningLevel = 'green';
      return;
    }
    const d = await this.calendar.deadline(c.regionCode, c.receivedAt, caseClock(c));
    c.dueAt = d.dueAt;
    c.dueProvisional = d.provisional;
    if (d.dueAt)
      c.warningLevel = await this.calendar.warning(c.regionCode, now, d.dueAt, spec.clock.yellowWithin);
  }

  /** Appends a history entry with the caller and an audit leaf for it. */
  async record(
    ctx: RequestContext,
    c: CaseFile,
    action: string,
    e: Pick<CaseEvent, 'fromStage' | 'toStage' | 'public' | 'reason' | 'data'>,
  ): Promise<CaseEvent> {
    const repo = this.db.repo(CaseEvent);
    // The case type may word its public history itself (the requester's timeline reads publicTitle).
    const effect = typeof e.data.effect === 'string' ? e.data.effect : action;
    const title = e.public ? this.caseTypes.find(c.caseType)?.historyTitle?.(effect) : null;
    const event = repo.create({
      caseId: c.id,
      action,
      actorKind: ctx.actor.kind,
      actorId: ctx.actor.id,
      onBehalfOf: ctx.actor.onBehalfOf ?? null,
      status: c.status,
      ...e,
      ...(title && { data: { ...e.data, publicTitle: title } }),
    });
    // A new row: insert() writes the same statement as save() and fills in id and defaults.
    await repo.insert(event as QueryDeepPartialEntity<CaseEvent>);
    await this.audit.append(ctx, {
      action: `case.${auditVerb(action)}`,
      resourceType: 'case',
      resourceId: c.id,
    });
    const payload = caseTransitioned(c, event);
    await this.events.publish(ctx, {
      type: CASE_TRANSITIONED.type,
      aggregate: { type: 'case', id: c.id },
      payload,
    });
    return event;
  }

  // ---------------------------------------------------------------- internals

  private async lock(caseId: string): Promise<CaseFile> {
    const c = await this.db
      .repo(CaseFile)
      .findOne({ where: { id: caseId }, lock: { mode: 'pessimistic_write' } });
    if (!c) throw notFound('case');
    return c;
  }

  private async notify(
    ctx: RequestContext,
    c: CaseFile,
    event: CaseEvent,
    effect: string,
    held: Partial<Pick<CaseTransition, 'held' | 'subject'>> = {},
  ): Promise<void> {
    const type = this.caseTypes.find(c.caseType);
    if (type?.onTransition) await type.onTransition(ctx, { caseFile: c, event, effect, ...held });
  }

  /**
   * The caller's task for the action: an open task of the stage (or the extension task) whose
   * candidate unit is in the caller's scope for its permission; then claims and separation of duties.
   */
  private async pickTask(
    ctx: RequestContext,
    c: CaseFile,
    spec: WorkflowSpec,
    stage: StageSpec,
    action: ActionSpec,
    open: CaseTask[],
    taskId: string | undefined,
  ): Promise<{ task: CaseTask; onBehalfOf: string | null } | Refusal> {
    const extension = EXTENSION_DECISIONS.has(action.effect);
    let candidates = open.filter(
      (t) => worksTask(action.effect, t.kind) && (extension || t.stage === stage.key),
    );
    if (taskId) candidates = candidates.filter((t) => t.id === taskId);
    if (!candidates.length)
      return {
        code: ErrorCode.InvalidTransition,
        reason: `no open task for "${action.key}" in stage "${stage.key}"`,
      };
    const mine: CaseTask[] = [];
    for (const t of candidates)
      if (await isInScope(this.db, ctx, t.permission as Permission, t.organisationId)) mine.push(t);
    // Staff who see the case but hold the wrong role for this step: 403 (the case itself is no secret to them).
    if (!mine.length) return { code: ErrorCode.Forbidden, reason: 'your role does not work this step' };
    const me = ctx.actor.id;
    const task =
      mine.find((t) => t.assigneeId === me) ??
      mine.find((t) => t.assigneeId === null) ??
      ((await isInScope(this.db, ctx, Permission.CaseAssign, c.organisationId)) ? mine[0] : undefined);
    if (!task)
      return {
        code: ErrorCode.InvalidTransition,
        reason: `the task of stage "${stage.key}" is claimed by a colleague`,
      };
    // A delegate acting under the lent role is, for the case, the colleague who lent it (委托).
    const onBehalfOf =
      (await actingFor(this.db, ctx, task.permission as Permission, task.organisationId)) ??
      ctx.actor.onBehalfOf ??
      null;
    const people = [ctx.actor.id, onBehalfOf];
    // 多级审批: one person (or their delegate) approves one level of a round, not two.
    const approvedBy = (c.approval.by as string[] | undefined) ?? [];
    if (action.effect === 'approve' && people.some((id) => id && approvedBy.includes(id)))
      return {
        code: ErrorCode.SeparationOfDuties,
        reason: 'you already approved another level of this approval',
      };
    const sod = separationOfDuties(spec, c, stage.key, action.key, people);
    if (sod) return { code: ErrorCode.SeparationOfDuties, reason: sod };
    return { task, onBehalfOf };
  }
}

/** Texts with English filled from Chinese when a definition left it out. */
export function bothTexts(t: { 'zh-CN': string; en?: string }): { 'zh-CN': string; en: string } {
  return { 'zh-CN': t['zh-CN'], en: t.en || t['zh-CN'] };
}

function stageOf(spec: WorkflowSpec, key: string): StageSpec {
  const stage = spec.stages.find((s) => s.key === key);
  if (!stage) throw new DomainError(ErrorCode.Internal);
  return stage;
}

function auditVerb(action: string): string {
  const verb = action.toLowerCase().replace(/[^a-z0-9_-]/g, '_');
  return /^[a-z]/.test(verb) ? verb : `x${verb}`;
}
