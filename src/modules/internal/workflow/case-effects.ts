import { Injectable } from '@nestjs/common';
import { Permission } from '../../../api/auth/permission';
import type { RequestContext } from '../../../api/context/request-context';
import { DomainError } from '../../../api/errors/domain-error';
import { ErrorCode } from '../../../api/errors/error-code';
import { Db } from '../../../database/db';
import { CalendarService } from '../../platform/calendar/calendar.service';
import { ClockUnit, shanghaiDate } from '../../platform/calendar/deadline';
import { OrganisationsService } from '../../platform/organisations/organisations.service';
import { Organisation } from '../../platform/organisations/organisation.entity';
import { CaseFile, CaseOutcome, CaseStatus, CaseTask, StoredPause, TaskStatus } from './case.entity';
import { invalid } from './action-input';
import { clockPauses, openPause } from './case-clock';
import type { ActionRun } from './engine-types';
import type { ActionSpec, AssigneeRule, StageSpec, WorkflowSpec } from './workflow-spec';
import * as workOrder from './work-order-effects';

/** Effects that leave the caller's task open: the case stays in the step being worked. */
const KEEPS_TASK = new Set(['request_supplement', 'suspend', 'resume', 'request_extension']);

/** Effects whose event the applicant sees on the status timeline (with a plain reason). */
const PUBLIC_EFFECTS = new Set([
  'accept',
  'refuse',
  'request_supplement',
  'transfer',
  'suspend',
  'resume',
  'grant_extension',
  'decide',
  'issue',
  'deliver',
  'close',
  'reply',
  'callback',
  'reopen',
]);

function transition(reason: string): DomainError {
  return new DomainError(ErrorCode.InvalidTransition, { reason });
}

/**
 * The effects of staff actions on a case: stage moves, tasks, pauses, extensions and outcomes. Runs
 * inside the engine's transaction after every check passed; the engine then records the clock,
 * history, actors and audit.
 */
@Injectable()
export class CaseEffects {
  constructor(
    private readonly database: Db,
    readonly calendar: CalendarService,
    private readonly organisations: OrganisationsService,
  ) {}

  isPublic(effect: string): boolean {
    return PUBLIC_EFFECTS.has(effect);
  }

  async apply(run: ActionRun): Promise<void> {
    const { caseFile: c, action, input, now } = run;
    const reason = input.reason?.trim() || null;
    run.event.reason = reason;
    run.event.public = PUBLIC_EFFECTS.has(action.effect);
    if (!KEEPS_TASK.has(action.effect)) await this.complete(run.task, run);
    switch (action.effect) {
      case 'accept':
        c.acceptedAt ??= now;
        return this.enterStage(run, action.to);
      case 'refuse':
        return this.close(run, CaseOutcome.Refused, reason);
      case 'request_supplement':
        return this.requestSupplement(run);
      case 'advance':
      case 'return':
      case 'issue':
        return this.enterStage(run, action.to);
      case 'deliver':
        run.event.data.method = input.method;
        return this.enterStage(run, action.to);
      case 'transfer':
        return this.transfer(run);
      case 'approve':
        return this.approve(run);
      case 'disapprove':
        return this.enterStage(run, action.to);
      case 'suspend': {
        if (openPause(c.pauses)) throw transition('the clock is already stopped');
        const pause: StoredPause = {
          from: now.toISOString(),
          to: null,
          kind: input.procedure!,
          reason: reason!,
        };
        c.pauses = [...c.pauses, pause];
        c.status = CaseStatus.Suspended;
        run.event.data.procedure = input.procedure;
        return;
      }
      case 'resume':
        c.pauses = c.pauses.map((p) => (p.to === null ? { ...p, to: now.toISOString() } : p));
        c.status = CaseStatus.Open;
        return this.shiftStepDeadlines(c, run.spec, now);
      case 'request_extension':
        return this.requestExtension(run);
      case 'grant_extension':
      case 'deny_extension':
        return this.decideExtension(run, action.effect === 'grant_extension');
      case 'decide':
        c.decidedAt = now;
        run.event.data.decision = input.decision;
        if (input.decision === 'approved') {
          c.outcome = CaseOutcome.Approved;
          c.outcomeReason = reason;
          return this.enterStage(run, action.to);
        }
        c.outcome = CaseOutcome.Denied;
        c.outcomeReason = reason;
        if (action.deniedTo) return this.enterStage(run, action.deniedTo);
        return this.close(run, CaseOutcome.Denied, reason);
      case 'close':
        return this.close(run, c.outcome, c.outcomeReason);
      case 'dispatch':
        return workOrder.dispatch(this, run);
      case 'sign':
        return workOrder.sign(this, run);
      case 'return_to_dispatcher':
        return workOrder.returnToDispatcher(this, run);
      case 'opinion':
        // 协办意见: the co-unit's task is done (above); the main unit's reply waits for all of them.
        run.event.data.opinion = reason;
        run.event.data.organisationId = run.task.organisationId;
        return;
      case 'reply':
        return workOrder.reply(this, run);
      case 'callback':
        return workOrder.callback(this, run);
      case 'reopen':
        return workOrder.reopen(this, run);
    }
  }

  /** For the work-order effects (work-order-effects.ts), which take this class as their helpers. */
  get db(): Db {
    return this.database;
  }

  // ---------------------------------------------------------------- effects

  private async requestSupplement(run: ActionRun): Promise<void> {
    const { caseFile: c, spec, input, now } = run;
    if (c.supplementRequested)
      throw transition(
        'a supplement notice (一次性告知) was already sent for this case; only one is allowed',
      );
    const inTime = await this.noticeInTime(c, spec.clock.supplementNoticeWithin, now);
    c.supplementRequested = true;
    c.status = CaseStatus.AwaitingApplicant;
    run.event.data.items = input.items;
    if (inTime) {
      c.pauses = [
        ...c.pauses,
        {
          from: now.toISOString(),
          to: null,
          kind: 'supplement',
          reason: run.event.reason ?? '',
          restart: true,
        },
      ];
    } else {
      // 行政许可法 §32: a notice later than the limit means the application counts as accepted on receipt.
      c.acceptedAt ??= c.receivedAt;
      run.event.data.deemedAccepted = true;
      run.event.data.clockRunning = true;
    }
  }

  /** Whether `now` is within `days` working days of receipt (day clocks: to the end of that day). */
  async noticeInTime(c: CaseFile, days: number, now: Date): Promise<boolean> {
    if (days < 1) return shanghaiDate(now) === shanghaiDate(c.receivedAt);
    const limit = await this.calendar.deadline(c.regionCode, c.receivedAt, {
      unit: ClockUnit.WorkingDays,
      amount: days,
    });
    return limit.dueAt !== null && now.getTime() <= limit.dueAt.getTime();
  }

  /**
   * 转办: to any active unit of the same region (the case keeps its calendar), not only units in the
   * caller's scope: the point is to hand the case to the unit that is competent for it.
   */
  private async transfer(run: ActionRun): Promise<void> {
    const { caseFile: c, input } = run;
    const target = await this.organisations.unit(input.organisationId!);
    if (!target?.active || target.regionCode !== c.regionCode || target.id === c.organisationId)
      throw invalid([
        {
          pointer: '/organisationId',
          code: 'transferTarget',
          message: 'the receiving unit must be another active unit of the same region',
        },
      ]);
    run.event.data.from = c.organisationId;
    run.event.data.to = target.id;
    c.organisationId = target.id;
    // Open tasks move: they are recreated in the receiving unit's queues, unclaimed.
    await this.cancelOpen(run, (t) => t.kind !== 'extension');
    await this.createStageTasks(run, run.stage);
  }

  private async approve(run: ActionRun): Promise<void> {
    const { caseFile: c, stage, task, action } = run;
    const approval = stage.approval;
    run.event.data.level = task.level;
    if (!approval || task.kind !== 'approval') return this.enterStage(run, action.to);
    const approved = [...((c.approval.approved as number[] | undefined) ?? []), task.level];
    const by = [
      ...((c.approval.by as string[] | undefined) ?? []),
      run.ctx.actor.id,
      run.ctx.actor.onBehalfOf,
    ];
    c.approval = { stage: stage.key, mode: approval.mode, approved, by: [...new Set(by.filter(Boolean))] };
    if (approval.mode === 'sequential' && task.level + 1 < approval.levels.length) {
      await this.createTask(run, stage, 'approval', task.level + 1, approval.levels[task.level + 1]);
      return;
    }
    if (approval.mode === 'all') {
      const others = await this.openTasks(c.id, (t) => t.kind === 'approval' && t.stage === stage.key);
      if (others.length) return;
    }
    return this.enterStage(run, action.to);
  }

  private async requestExtension(run: ActionRun): Promise<void> {
    const { caseFile: c, input, ctx, now } = run;
    if (c.extensions.some((e) => e.state === 'pending'))
      throw transition('an extension request is already waiting for a decision');
    c.extensions = [
      ...c.extensions,
      {
        amount: input.amount!,
        reason: run.event.reason!,
        requestedBy: ctx.actor.id ?? 'unknown',
        requestedAt: now.toISOString(),
        state: 'pending',
      },
    ];
    run.event.data.amount = input.amount;
    // 延期 needs the approval of the head of the unit: a task for the approvers of the unit above.
    await this.createTask(run, run.stage, 'extension', 0, {
      permission: Permission.CaseApprove,
      unit: 'parent',
    });
  }

  private decideExtension(run: ActionRun, granted: boolean): void {
    const { caseFile: c, ctx, now } = run;
    const index = c.extensions.findIndex((e) => e.state === 'pending');
    if (index < 0) throw transition('no extension request is waiting for a decision');
    const pending = c.extensions[index];
    c.extensions = c.extensions.map((e, i) =>
      i === index
        ? {
            ...e,
            state: granted ? 'granted' : 'denied',
            decidedBy: ctx.actor.id ?? 'unknown',
            decidedAt: now.toISOString(),
          }
        : e,
    );
    run.event.data.amount = pending.amount;
    // The applicant is told of a granted extension and why (§42), in the requester's words.
    if (granted) run.event.reason = pending.reason;
  }

  private async close(run: ActionRun, outcome: CaseOutcome | null, reason: string | null): Promise<void> {
    const c = run.caseFile;
    c.outcome = outcome;
    c.outcomeReason = reason;
    await this.closeCase(run);
  }

  // ---------------------------------------------------------------- stages and tasks

  /** Moves the case to a stage: open tasks of the old stage are cancelled, the new stage's created. */
  async enterStage(run: ActionRun, to: string | undefined): Promise<void> {
    const target = run.spec.stages.find((s) => s.key === to);
    if (!target) throw new DomainError(ErrorCode.Internal);
    await this.cancelOpen(run, (t) => t.kind !== 'extension');
    run.caseFile.stage = target.key;
    run.caseFile.approval = {};
    run.event.toStage = target.key;
    if (target.final) return this.closeCase(run);
    await this.createStageTasks(run, target);
  }

  async closeCase(run: { caseFile: CaseFile; now: Date }): Promise<void> {
    const c = run.caseFile;
    c.status = CaseStatus.Closed;
    c.closedAt = run.now;
    c.pauses = c.pauses.map((p) => (p.to === null ? { ...p, to: run.now.toISOString() } : p));
    await this.cancelOpen(run, () => true);
  }

  /**
   * Step deadlines stand still while the case clock does: when a pause ends (resume, a supplement
   * answered), every open step with a limit gets its due date again, counted from its start with
   * the pauses that fell after that start. (The supplement's restart rule is the case clock's; for
   * a step a pause only stops the count.) A step whose new date is no longer near or past is
   * green again and may be reminded and escalated anew.
   */
  async shiftStepDeadlines(c: CaseFile, spec: WorkflowSpec, now: Date): Promise<void> {
    const tasks = await this.database
      .repo(CaseTask)
      .find({ where: { caseId: c.id, status: TaskStatus.Open } });
    for (const t of tasks) {
      const limit = spec.stages.find((s) => s.key === t.stage)?.limit;
      if (!limit || !t.dueAt || t.kind === 'extension') continue;
      const start = t.createdAt.getTime();
      const pauses = clockPauses(c.pauses)
        .filter((p) => (p.to ?? now).getTime() > start)
        .map((p) => ({ from: new Date(Math.max(p.from.getTime(), start)), to: p.to, restart: false }));
      if (!pauses.length) continue;
      const { dueAt } = await this.calendar.deadline(c.regionCode, t.createdAt, { ...limit, pauses });
      if (!dueAt || dueAt.getTime() === t.dueAt.getTime()) continue;
      const level = await this.calendar.warning(c.regionCode, now, dueAt, spec.clock.yellowWithin);
      await this.database.repo(CaseTask).update(
        { id: t.id },
        {
          dueAt,
          warningLevel: level,
          ...(level === 'green' ? { remindedAt: null, escalatedAt: null } : {}),
        },
      );
    }
  }

  /** The first tasks of a stage: one work task, or the approval levels (one, or all in parallel). */
  async createStageTasks(run: { caseFile: CaseFile; now: Date }, stage: StageSpec): Promise<void> {
    const approval = stage.approval;
    if (!approval?.levels.length) return void (await this.createTask(run, stage, 'work', 0, stage.assignee));
    const levels = approval.mode === 'sequential' ? [0] : approval.levels.map((_, i) => i);
    for (const level of levels) await this.createTask(run, stage, 'approval', level, approval.levels[level]);
  }

  /**
   * A task of the stage for the rule's unit (or `unit`, a chosen one: dispatch, arbitration), due
   * within `dueWithin` (a sign-off limit) or else the stage's limit.
   */
  async createTask(
    run: { caseFile: CaseFile; now: Date },
    stage: StageSpec,
    kind: string,
    level: number,
    rule: { permission: string; unit: AssigneeRule['unit'] },
    unit?: string,
    dueWithin?: { amount: number; unit: string },
  ): Promise<CaseTask> {
    const c = run.caseFile;
    const organisationId =
      unit ??
      (rule.unit === 'parent'
        ? await this.parentOf(c.organisationId)
        : rule.unit === 'dispatcher'
          ? (c.routing?.dispatcherOrganisationId ?? c.organisationId)
          : c.organisationId);
    const limit = dueWithin ?? (kind !== 'extension' ? stage.limit : undefined);
    const dueAt = limit
      ? (
          await this.calendar.deadline(c.regionCode, run.now, {
            unit: limit.unit as ClockUnit,
            amount: limit.amount,
          })
        ).dueAt
      : null;
    const repo = this.database.repo(CaseTask);
    const task = repo.create({
      caseId: c.id,
      stage: stage.key,
      kind,
      level,
      organisationId,
      permission: rule.permission,
      assigneeId: null,
      status: TaskStatus.Open,
      dueAt,
      warningLevel: 'green',
      claimedAt: null,
      completedAt: null,
      completedBy: null,
      completedAction: null,
      remindedAt: null,
      escalatedAt: null,
    });
    // A new row: insert() writes the same statement as save() and fills in id and defaults.
    await repo.insert(task);
    return task;
  }

  /** The unit above (a superior's approval); a top-level agency approves itself. */
  async parentOf(unitId: string): Promise<string> {
    return (await this.organisations.unit(unitId))?.parentId ?? unitId;
  }

  unit(unitId: string): Promise<Organisation | null> {
    return this.organisations.unit(unitId);
  }

  openTasks(caseId: string, filter: (t: CaseTask) => boolean = () => true): Promise<CaseTask[]> {
    return this.db
      .repo(CaseTask)
      .find({ where: { caseId, status: TaskStatus.Open }, order: { createdAt: 'ASC' } })
      .then((rows) => rows.filter(filter));
  }

  async complete(task: CaseTask, run: { ctx: RequestContext; action: ActionSpec; now: Date }): Promise<void> {
    task.status = TaskStatus.Completed;
    task.completedAt = run.now;
    task.completedBy = run.ctx.actor.id;
    task.completedAction = run.action.key;
    await this.database.repo(CaseTask).save(task);
  }

  async cancelOpen(run: { caseFile: CaseFile }, filter: (t: CaseTask) => boolean): Promise<void> {
    const open = await this.openTasks(run.caseFile.id, filter);
    for (const t of open) t.status = TaskStatus.Cancelled;
    if (open.length) await this.database.repo(CaseTask).save(open);
  }
}
