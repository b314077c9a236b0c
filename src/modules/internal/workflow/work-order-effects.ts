import { Permission } from '../../../api/auth/permission';
import { DomainError, FieldError } from '../../../api/errors/domain-error';
import { ErrorCode } from '../../../api/errors/error-code';
import type { Db } from '../../../database/db';
import type { CalendarService } from '../../platform/calendar/calendar.service';
import { Organisation } from '../../platform/organisations/organisation.entity';
import type { CaseTask } from './case.entity';
import type { ActionRun } from './engine-types';
import type { StageSpec } from './workflow-spec';

/**
 * The work-order effects the coming fronts need (12345 complaints, consultations, evidence requests):
 * 派单 dispatch, 签收 sign, 退单 return_to_dispatcher (bounded, then arbitration), 协办 opinion,
 * 答复 reply, 回访 callback and 重办 reopen. They run inside the engine's transaction like the
 * others (case-effects.ts delegates here); the engine then records history, clock and audit.
 */

export const SATISFACTION_LEVELS = ['satisfied', 'basically_satisfied', 'dissatisfied'] as const;
export const DEFAULT_MAX_RETURNS = 2;
const MAX_CO_UNITS = 10;

/** What the work-order effects need of CaseEffects (its task helpers) and the database. */
export interface WorkOrderDeps {
  db: Db;
  calendar: CalendarService;
  createStageTasks(run: ActionRun, stage: StageSpec): Promise<void>;
  createTask(
    run: ActionRun,
    stage: StageSpec,
    kind: string,
    level: number,
    rule: { permission: string; unit: 'handling' | 'parent' | 'dispatcher' },
    organisationId?: string,
    dueWithin?: { amount: number; unit: string },
  ): Promise<CaseTask>;
  cancelOpen(run: ActionRun, filter: (t: CaseTask) => boolean): Promise<void>;
  enterStage(run: ActionRun, to: string | undefined): Promise<void>;
  closeCase(run: ActionRun): Promise<void>;
  parentOf(unitId: string): Promise<string>;
  /** a unit by id (the organisations module's read), or null */
  unit(unitId: string): Promise<Pick<Organisation, 'id' | 'active'> | null>;
}

function invalid(errors: FieldError[]): DomainError {
  return new DomainError(ErrorCode.ValidationFailed, { count: errors.length }, errors);
}

function stageOf(run: ActionRun, key: string | undefined): StageSpec {
  const stage = run.spec.stages.find((s) => s.key === key);
  if (!stage) throw new DomainError(ErrorCode.Internal);
  return stage;
}

/** Input checks of the work-order effects, added to checkInput's list. */
export function workOrderInputProblems(run: Pick<ActionRun, 'action' | 'input'>): FieldError[] {
  const { action, input } = run;
  const errors: FieldError[] = [];
  if (action.effect === 'dispatch' && !input.organisationId)
    errors.push({ pointer: '/organisationId', code: 'isDefined', message: 'the receiving unit is required' });
  if (action.effect === 'callback' && !SATISFACTION_LEVELS.includes(input.satisfaction as never))
    errors.push({
      pointer: '/satisfaction',
      code: 'isDefined',
      message: `satisfaction must be one of ${SATISFACTION_LEVELS.join(', ')}`,
    });
  if (input.coOrganisationIds?.length && action.effect !== 'dispatch')
    errors.push({
      pointer: '/coOrganisationIds',
      code: 'notAllowed',
      message: 'co-handling units go with a dispatch',
    });
  return errors;
}

/**
 * 派单: to a unit the actor chooses: one the action lists, else any active unit below the unit
 * whose task is worked (the handling unit; the superior's unit for an arbitration). The receiving
 * unit gets a sign task due within `signWithin`; each co-unit (协办) an opinion task.
 */
export async function dispatch(deps: WorkOrderDeps, run: ActionRun): Promise<void> {
  const { caseFile: c, action, input, task } = run;
  const main = input.organisationId!;
  const co = [...new Set(input.coOrganisationIds ?? [])];
  const errors: FieldError[] = [];
  if (co.length > MAX_CO_UNITS)
    errors.push({ pointer: '/coOrganisationIds', code: 'size', message: `at most ${MAX_CO_UNITS} co-units` });
  if (!(await mayReceive(deps, action.units, task.organisationId, main)))
    errors.push({
      pointer: '/organisationId',
      code: 'dispatchTarget',
      message: 'the unit must be an active unit the action allows, or below the dispatching unit',
    });
  for (const [i, id] of co.entries())
    if (id === main || !(await mayReceive(deps, action.units, task.organisationId, id)))
      errors.push({
        pointer: `/coOrganisationIds/${i}`,
        code: 'dispatchTarget',
        message: 'a co-unit must be another unit the dispatch may go to',
      });
  if (errors.length) throw invalid(errors);
  const target = stageOf(run, action.to);
  await deps.cancelOpen(run, (t) => t.kind !== 'extension');
  c.routing = {
    ...c.routing,
    dispatcherOrganisationId: c.organisationId,
    dispatchStage: c.stage,
    targetOrganisationId: main,
    coOrganisationIds: co,
  };
  c.stage = target.key;
  c.approval = {};
  run.event.toStage = target.key;
  const sign = await deps.createTask(
    run,
    target,
    'sign',
    0,
    { permission: target.assignee.permission, unit: 'handling' },
    main,
    action.signWithin,
  );
  for (const id of co)
    await deps.createTask(
      run,
      target,
      'opinion',
      0,
      { permission: Permission.CaseHandle, unit: 'handling' },
      id,
    );
  run.event.data = {
    ...run.event.data,
    to: main,
    coOrganisationIds: co,
    signDueAt: sign.dueAt?.toISOString() ?? null,
  };
}

async function mayReceive(
  deps: WorkOrderDeps,
  allowed: string[] | undefined,
  from: string,
  unitId: string,
): Promise<boolean> {
  const unit = await deps.unit(unitId);
  if (!unit?.active || unitId === from) return false;
  if (allowed?.length) return allowed.includes(unitId);
  const rows = await deps.db.query(
    'SELECT 1 FROM organisation_closure WHERE descendant_id = $1 AND ancestor_id = $2 LIMIT 1',
    [unitId, from],
  );
  return rows.length > 0;
}

/** 签收: the receiving unit takes the case: it becomes the handling unit and gets the stage's work. */
export async function sign(deps: WorkOrderDeps, run: ActionRun): Promise<void> {
  const { caseFile: c, task } = run;
  run.event.data.from = c.organisationId;
  run.event.data.to = task.organisationId;
  c.organisationId = task.organisationId;
  await deps.createStageTasks(run, run.stage);
}

/**
 * 退单: back to the dispatcher's stage and unit, with a reason. After `maxReturns` returns (default
 * 2) the next one goes to arbitration instead: a task for the supervisors (case:supervise) of the
 * unit above the dispatcher, who dispatch it again.
 */
export async function returnToDispatcher(deps: WorkOrderDeps, run: ActionRun): Promise<void> {
  const { caseFile: c, action } = run;
  const dispatcher = c.routing.dispatcherOrganisationId;
  if (!dispatcher || !c.routing.dispatchStage)
    throw new DomainError(ErrorCode.InvalidTransition, { reason: 'the case was not dispatched' });
  const back = stageOf(run, c.routing.dispatchStage);
  const returns = (c.routing.returns ?? 0) + 1;
  const arbitration = returns > (action.maxReturns ?? DEFAULT_MAX_RETURNS);
  // The returning unit's sign/work task is done; the co-units' opinions are moot.
  await deps.cancelOpen(run, (t) => t.kind !== 'extension');
  c.routing = { ...c.routing, returns, targetOrganisationId: undefined, coOrganisationIds: [] };
  run.event.data.from = c.organisationId;
  run.event.data.returns = returns;
  run.event.data.arbitration = arbitration;
  c.organisationId = dispatcher;
  c.stage = back.key;
  c.approval = {};
  run.event.toStage = back.key;
  if (!arbitration) return deps.createStageTasks(run, back);
  const parent = await deps.parentOf(dispatcher);
  const t = await deps.createTask(
    run,
    back,
    'arbitration',
    0,
    { permission: Permission.CaseSupervise, unit: 'parent' },
    parent,
  );
  run.event.data.arbitrationOrganisationId = t.organisationId;
}

/** 答复: the public answer to the requester (its text is the reason); the case moves on (回访). */
export function reply(deps: WorkOrderDeps, run: ActionRun): Promise<void> {
  run.event.public = true;
  run.event.data.answer = run.event.reason;
  return deps.enterStage(run, run.action.to);
}

/** 回访: records the requester's satisfaction; a dissatisfied one may go to `dissatisfiedTo`. */
export async function callback(deps: WorkOrderDeps, run: ActionRun): Promise<void> {
  const { caseFile: c, action, input } = run;
  const satisfaction = input.satisfaction!;
  c.routing = { ...c.routing, satisfaction };
  run.event.data.satisfaction = satisfaction;
  if (satisfaction === 'dissatisfied' && action.dissatisfiedTo)
    return deps.enterStage(run, action.dissatisfiedTo);
  // A work order has no decision (准予/不予): it ends answered, with no outcome of the licensing kind.
  return deps.enterStage(run, action.to);
}

/** 重办: back to a named stage with a reason, counted; the handling unit keeps the case. */
export function reopen(deps: WorkOrderDeps, run: ActionRun): Promise<void> {
  const c = run.caseFile;
  const reopens = (c.routing.reopens ?? 0) + 1;
  c.routing = { ...c.routing, reopens };
  run.event.data.reopens = reopens;
  return deps.enterStage(run, run.action.to);
}
