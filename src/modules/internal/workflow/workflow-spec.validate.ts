import type { FieldError } from '../../../api/errors/domain-error';
import { Permission } from '../../../api/auth/permission';
import { ClockUnit } from '../../platform/calendar/deadline';
import type { ActionEffect, ActionSpec, StageSpec, WorkflowSpec } from './workflow-spec';

/**
 * The rules a workflow definition must satisfy before it is stored (and again before it is
 * activated), so the engine never meets a spec it cannot run. Errors are JSON pointers into the
 * spec. Two passes: the shape (types, ranges, unknown properties) first; the graph rules only on a
 * well-shaped spec.
 *
 * Choices the engine relies on:
 * - effects that move the case need `to` (accept, advance, return, approve, disapprove, decide, issue,
 *   deliver); `close` may name a final stage; the others (refuse, request_supplement, transfer,
 *   suspend, resume, request_extension, grant_extension, deny_extension) keep the stage and may not
 *   have `to`. `deniedTo` is for decide only.
 * - suspend and resume live in the same stage; so do request_extension, grant_extension and
 *   deny_extension (the superior's extension task is a task of the stage the request was made in).
 * - approve/disapprove only in stages with `approval`, and such a stage has an approve action.
 * - every stage is reachable from start; some final stage and some decide action are too.
 * - `return` goes back: to a stage from which the returning stage can be reached again.
 * - dispatch, reply and callback move (`to`); reopen goes back like return. sign,
 *   return_to_dispatcher and opinion keep the stage and live in a stage some dispatch goes to, which
 *   has a sign action. signWithin and units are for dispatch, maxReturns for return_to_dispatcher,
 *   dissatisfiedTo for callback.
 * - some decide or reply (the answer of case types that answer rather than decide) is reachable.
 */

export const KEY_PATTERN = /^[a-z][a-z0-9_]{0,63}$/;
export const SPEC_LIMITS = {
  stages: 50,
  actionsPerStage: 20,
  approvalLevels: 10,
  sodRules: 20,
  sodActions: 20,
  conditionDepth: 5,
  conditionItems: 20,
  inValues: 100,
  text: 200,
  limitAmount: 3650,
  dispatchUnits: 50,
  maxReturns: 10,
  supplementNoticeWithin: 30,
  yellowWithin: 30,
} as const;

export const ACTION_EFFECTS: readonly ActionEffect[] = [
  'accept',
  'refuse',
  'request_supplement',
  'advance',
  'return',
  'transfer',
  'approve',
  'disapprove',
  'suspend',
  'resume',
  'request_extension',
  'grant_extension',
  'deny_extension',
  'decide',
  'issue',
  'deliver',
  'close',
  'dispatch',
  'sign',
  'return_to_dispatcher',
  'opinion',
  'reply',
  'callback',
  'reopen',
];

/** Effects that only make sense in a stage a dispatch goes to (the receiving unit's). */
const DISPATCHED_EFFECTS: ReadonlySet<ActionEffect> = new Set(['sign', 'return_to_dispatcher', 'opinion']);

/** Effects that move the case to `to`. */
export const MOVING_EFFECTS: ReadonlySet<ActionEffect> = new Set([
  'accept',
  'advance',
  'return',
  'approve',
  'disapprove',
  'decide',
  'issue',
  'deliver',
  'dispatch',
  'reply',
  'callback',
  'reopen',
]);

const ASSIGNEE_PERMISSIONS: readonly string[] = [
  Permission.CaseHandle,
  Permission.CaseReview,
  Permission.CaseApprove,
];
const ASSIGNEE_UNITS = ['handling', 'parent', 'dispatcher'];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const APPROVAL_MODES = ['sequential', 'all', 'any'];
const CLOCK_UNITS: readonly string[] = Object.values(ClockUnit);
const OPS = ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'in', 'exists'];
/** /form/… or /case/…: at least one more segment, escapes only ~0 and ~1 */
const GUARD_PATH = /^\/(form|case)(\/([^~/]|~[01])*)+$/;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);

class Problems {
  readonly list: FieldError[] = [];
  add(pointer: string, code: string, message: string): void {
    this.list.push({ pointer, code, message });
  }
}

/** Everything wrong with `spec`, as field errors; empty when it may be stored. Never throws. */
export function validateWorkflowSpec(spec: unknown): FieldError[] {
  const p = new Problems();
  checkShape(spec, p);
  if (p.list.length) return p.list;
  checkGraph(spec as WorkflowSpec, p);
  return p.list;
}

// ---- shape ----

function known(value: Obj, pointer: string, allowed: readonly string[], p: Problems): void {
  for (const k of Object.keys(value))
    if (!allowed.includes(k)) p.add(`${pointer}/${escape(k)}`, 'unknownProperty', `unknown property ${k}`);
}

function object(value: unknown, pointer: string, p: Problems): value is Obj {
  if (isObj(value)) return true;
  p.add(pointer, 'isObject', 'must be an object');
  return false;
}

function key(value: unknown, pointer: string, p: Problems): void {
  if (typeof value !== 'string' || !KEY_PATTERN.test(value))
    p.add(pointer, 'key', 'must match ^[a-z][a-z0-9_]{0,63}$');
}

function intIn(value: unknown, pointer: string, min: number, max: number, p: Problems): void {
  if (!isInt(value) || value < min || value > max)
    p.add(pointer, 'range', `must be a whole number from ${min} to ${max}`);
}

function bool(value: unknown, pointer: string, p: Problems, required = false): void {
  if (value === undefined && !required) return;
  if (typeof value !== 'boolean') p.add(pointer, 'isBoolean', 'must be true or false');
}

function oneOf(value: unknown, pointer: string, allowed: readonly string[], p: Problems): void {
  if (typeof value !== 'string' || !allowed.includes(value))
    p.add(pointer, 'isIn', `must be one of ${allowed.join(', ')}`);
}

function array(value: unknown, pointer: string, min: number, max: number, p: Problems): value is unknown[] {
  if (!Array.isArray(value)) {
    p.add(pointer, 'isArray', 'must be an array');
    return false;
  }
  if (value.length < min || value.length > max) {
    p.add(pointer, 'size', `must have from ${min} to ${max} items`);
    return false;
  }
  return true;
}

function texts(value: unknown, pointer: string, p: Problems): void {
  if (!object(value, pointer, p)) return;
  known(value, pointer, ['zh-CN', 'en'], p);
  const zh = value['zh-CN'];
  if (typeof zh !== 'string' || !zh.trim() || zh.length > SPEC_LIMITS.text)
    p.add(`${pointer}/zh-CN`, 'text', `a Chinese text of 1 to ${SPEC_LIMITS.text} characters is required`);
  const en = value.en;
  if (en !== undefined && (typeof en !== 'string' || en.length > SPEC_LIMITS.text))
    p.add(`${pointer}/en`, 'text', `must be a text of at most ${SPEC_LIMITS.text} characters`);
}

function assignee(value: unknown, pointer: string, p: Problems): void {
  if (!object(value, pointer, p)) return;
  known(value, pointer, ['permission', 'unit'], p);
  oneOf(value.permission, `${pointer}/permission`, ASSIGNEE_PERMISSIONS, p);
  oneOf(value.unit, `${pointer}/unit`, ASSIGNEE_UNITS, p);
}

function timeLimit(value: unknown, pointer: string, p: Problems): void {
  if (!object(value, pointer, p)) return;
  known(value, pointer, ['amount', 'unit'], p);
  intIn(value.amount, `${pointer}/amount`, 1, SPEC_LIMITS.limitAmount, p);
  oneOf(value.unit, `${pointer}/unit`, CLOCK_UNITS, p);
}

function checkShape(spec: unknown, p: Problems): void {
  if (!object(spec, '', p)) return;
  known(spec, '', ['start', 'stages', 'clock', 'separationOfDuties'], p);
  key(spec.start, '/start', p);
  if (object(spec.clock, '/clock', p)) {
    const c = spec.clock;
    known(c, '/clock', ['limit', 'supplementNoticeWithin', 'yellowWithin', 'escalateOverdue'], p);
    if (c.limit !== undefined) timeLimit(c.limit, '/clock/limit', p);
    intIn(
      c.supplementNoticeWithin,
      '/clock/supplementNoticeWithin',
      1,
      SPEC_LIMITS.supplementNoticeWithin,
      p,
    );
    intIn(c.yellowWithin, '/clock/yellowWithin', 0, SPEC_LIMITS.yellowWithin, p);
    bool(c.escalateOverdue, '/clock/escalateOverdue', p, true);
  }
  if (array(spec.stages, '/stages', 1, SPEC_LIMITS.stages, p))
    spec.stages.forEach((stage, i) => stageShape(stage, `/stages/${i}`, p));
  const sod = spec.separationOfDuties;
  if (sod !== undefined && array(sod, '/separationOfDuties', 0, SPEC_LIMITS.sodRules, p))
    sod.forEach((rule, i) => {
      const at = `/separationOfDuties/${i}`;
      if (!object(rule, at, p)) return;
      known(rule, at, ['actions', 'title'], p);
      if (array(rule.actions, `${at}/actions`, 2, SPEC_LIMITS.sodActions, p))
        rule.actions.forEach((ref, j) => {
          if (typeof ref !== 'string' || !/^([a-z][a-z0-9_]{0,63}\.)?[a-z][a-z0-9_]{0,63}$/.test(ref))
            p.add(`${at}/actions/${j}`, 'actionRef', 'must be an action key, bare or as stage.action');
        });
      if (rule.title !== undefined) texts(rule.title, `${at}/title`, p);
    });
}

function stageShape(stage: unknown, at: string, p: Problems): void {
  if (!object(stage, at, p)) return;
  known(stage, at, ['key', 'title', 'assignee', 'approval', 'limit', 'final', 'actions'], p);
  key(stage.key, `${at}/key`, p);
  texts(stage.title, `${at}/title`, p);
  assignee(stage.assignee, `${at}/assignee`, p);
  if (stage.approval !== undefined && object(stage.approval, `${at}/approval`, p)) {
    const a = stage.approval;
    known(a, `${at}/approval`, ['mode', 'levels'], p);
    oneOf(a.mode, `${at}/approval/mode`, APPROVAL_MODES, p);
    if (array(a.levels, `${at}/approval/levels`, 1, SPEC_LIMITS.approvalLevels, p))
      a.levels.forEach((level, i) => assignee(level, `${at}/approval/levels/${i}`, p));
  }
  if (stage.limit !== undefined) timeLimit(stage.limit, `${at}/limit`, p);
  bool(stage.final, `${at}/final`, p);
  if (array(stage.actions, `${at}/actions`, 0, SPEC_LIMITS.actionsPerStage, p))
    stage.actions.forEach((action, i) => actionShape(action, `${at}/actions/${i}`, p));
}

function actionShape(action: unknown, at: string, p: Problems): void {
  if (!object(action, at, p)) return;
  known(
    action,
    at,
    [
      'key',
      'effect',
      'title',
      'to',
      'deniedTo',
      'dissatisfiedTo',
      'signWithin',
      'units',
      'maxReturns',
      'reasonRequired',
      'guard',
    ],
    p,
  );
  key(action.key, `${at}/key`, p);
  oneOf(action.effect, `${at}/effect`, ACTION_EFFECTS, p);
  texts(action.title, `${at}/title`, p);
  if (action.to !== undefined) key(action.to, `${at}/to`, p);
  if (action.deniedTo !== undefined) key(action.deniedTo, `${at}/deniedTo`, p);
  if (action.dissatisfiedTo !== undefined) key(action.dissatisfiedTo, `${at}/dissatisfiedTo`, p);
  if (action.signWithin !== undefined) timeLimit(action.signWithin, `${at}/signWithin`, p);
  if (action.maxReturns !== undefined)
    intIn(action.maxReturns, `${at}/maxReturns`, 0, SPEC_LIMITS.maxReturns, p);
  if (action.units !== undefined && array(action.units, `${at}/units`, 1, SPEC_LIMITS.dispatchUnits, p))
    action.units.forEach((u, i) => {
      if (typeof u !== 'string' || !UUID.test(u)) p.add(`${at}/units/${i}`, 'isUuid', 'must be a unit id');
    });
  bool(action.reasonRequired, `${at}/reasonRequired`, p);
  if (action.guard !== undefined) condition(action.guard, `${at}/guard`, 1, p);
}

function condition(value: unknown, at: string, depth: number, p: Problems): void {
  if (!object(value, at, p)) return;
  if (depth > SPEC_LIMITS.conditionDepth) {
    p.add(at, 'depth', `conditions may nest at most ${SPEC_LIMITS.conditionDepth} levels`);
    return;
  }
  if ('all' in value || 'any' in value) {
    const op = 'all' in value ? 'all' : 'any';
    known(value, at, [op], p);
    const items = value[op];
    if (array(items, `${at}/${op}`, 1, SPEC_LIMITS.conditionItems, p))
      items.forEach((c, i) => condition(c, `${at}/${op}/${i}`, depth + 1, p));
    return;
  }
  if ('not' in value) {
    known(value, at, ['not'], p);
    condition(value.not, `${at}/not`, depth + 1, p);
    return;
  }
  known(value, at, ['path', 'op', 'value'], p);
  if (typeof value.path !== 'string' || value.path.length > 200 || !GUARD_PATH.test(value.path))
    p.add(`${at}/path`, 'pointer', 'must be a JSON pointer starting with /form/ or /case/');
  oneOf(value.op, `${at}/op`, OPS, p);
  const v = value.value;
  const scalar = (x: unknown) => x === null || ['string', 'number', 'boolean'].includes(typeof x);
  if (value.op === 'exists') {
    if (v !== undefined) p.add(`${at}/value`, 'notAllowed', 'exists takes no value');
  } else if (value.op === 'in') {
    if (array(v, `${at}/value`, 1, SPEC_LIMITS.inValues, p) && !v.every(scalar))
      p.add(`${at}/value`, 'scalar', 'in takes a list of strings, numbers, booleans or null');
  } else if (['gt', 'gte', 'lt', 'lte'].includes(value.op as string)) {
    if (typeof v !== 'number' && typeof v !== 'string')
      p.add(`${at}/value`, 'comparable', 'a comparison takes a number or a string');
  } else if (v === undefined || !scalar(v)) {
    p.add(`${at}/value`, 'scalar', 'must be a string, number, boolean or null');
  }
}

// ---- graph ----

function checkGraph(spec: WorkflowSpec, p: Problems): void {
  const index = new Map<string, number>();
  spec.stages.forEach((s, i) => {
    if (index.has(s.key)) p.add(`/stages/${i}/key`, 'duplicate', `stage ${s.key} is defined twice`);
    else index.set(s.key, i);
    const actionKeys = new Set<string>();
    s.actions.forEach((a, j) => {
      if (actionKeys.has(a.key))
        p.add(`/stages/${i}/actions/${j}/key`, 'duplicate', `action ${a.key} is defined twice in the stage`);
      actionKeys.add(a.key);
    });
  });
  const stage = (k: string | undefined): StageSpec | undefined =>
    k === undefined ? undefined : spec.stages[index.get(k) ?? -1];

  const startStage = stage(spec.start);
  if (!startStage) p.add('/start', 'unknownStage', `no stage ${spec.start}`);
  else if (startStage.final) p.add('/start', 'finalStart', 'the start stage cannot be final');

  spec.stages.forEach((s, i) => checkStage(s, i, stage, p));
  checkLimits(spec, p);
  if (p.list.length || !startStage) return;
  checkReachability(spec, index, p);
  checkSeparationOfDuties(spec, p);
}

function checkStage(
  s: StageSpec,
  i: number,
  stage: (k: string | undefined) => StageSpec | undefined,
  p: Problems,
): void {
  const at = `/stages/${i}`;
  if (s.final) {
    if (s.actions.length) p.add(`${at}/actions`, 'finalHasActions', 'a final stage has no actions');
    if (s.approval) p.add(`${at}/approval`, 'notAllowed', 'a final stage has no approval');
    return;
  }
  if (!s.actions.length) p.add(`${at}/actions`, 'noActions', 'a stage that is not final needs actions');
  const effects = new Set(s.actions.map((a) => a.effect));
  if (s.approval && !effects.has('approve'))
    p.add(`${at}/actions`, 'approveRequired', 'an approval stage needs an approve action');
  s.actions.forEach((a, j) => {
    const aAt = `${at}/actions/${j}`;
    checkTargets(a, aAt, s, stage, p);
    checkRouting(a, aAt, s, effects, stage, p);
    if ((a.effect === 'approve' || a.effect === 'disapprove') && !s.approval)
      p.add(`${aAt}/effect`, 'approvalStageOnly', `${a.effect} is only allowed in a stage with approval`);
    if (a.effect === 'suspend' && !effects.has('resume'))
      p.add(`${aAt}/effect`, 'resumeRequired', 'a stage that can suspend needs a resume action');
    if (a.effect === 'resume' && !effects.has('suspend'))
      p.add(`${aAt}/effect`, 'suspendRequired', 'resume needs a suspend action in the same stage');
    if (
      a.effect === 'request_extension' &&
      !(effects.has('grant_extension') && effects.has('deny_extension'))
    )
      p.add(
        `${aAt}/effect`,
        'extensionDecisionRequired',
        'a stage that can request an extension needs grant_extension and deny_extension actions',
      );
    if (
      (a.effect === 'grant_extension' || a.effect === 'deny_extension') &&
      !effects.has('request_extension')
    )
      p.add(
        `${aAt}/effect`,
        'extensionRequestRequired',
        `${a.effect} needs request_extension in the same stage`,
      );
  });
}

/** The work-order rules: which options belong to which effect, and where dispatch lands. */
function checkRouting(
  a: ActionSpec,
  at: string,
  s: StageSpec,
  effects: Set<ActionEffect>,
  stage: (k: string | undefined) => StageSpec | undefined,
  p: Problems,
): void {
  const only = (field: keyof ActionSpec, effect: ActionEffect) => {
    if (a[field] !== undefined && a.effect !== effect)
      p.add(`${at}/${field}`, 'notAllowed', `${field} is for ${effect} only`);
  };
  only('signWithin', 'dispatch');
  only('units', 'dispatch');
  only('maxReturns', 'return_to_dispatcher');
  only('dissatisfiedTo', 'callback');
  if (a.effect === 'dispatch') {
    const target = stage(a.to);
    if (target && !target.actions.some((x) => x.effect === 'sign'))
      p.add(`${at}/to`, 'signRequired', 'a dispatch goes to a stage with a sign action');
  }
  if (DISPATCHED_EFFECTS.has(a.effect) && !effects.has('sign'))
    p.add(`${at}/effect`, 'signRequired', `${a.effect} needs a sign action in the same stage`);
  if (a.effect === 'sign' && s.approval)
    p.add(`${at}/effect`, 'notAllowed', 'a stage that is signed for has no approval');
  if (a.dissatisfiedTo !== undefined && a.effect === 'callback') {
    if (!stage(a.dissatisfiedTo))
      p.add(`${at}/dissatisfiedTo`, 'unknownStage', `no stage ${a.dissatisfiedTo}`);
    else if (a.dissatisfiedTo === s.key)
      p.add(`${at}/dissatisfiedTo`, 'selfLoop', 'an action cannot go to its own stage');
  }
}

function checkTargets(
  a: ActionSpec,
  at: string,
  s: StageSpec,
  stage: (k: string | undefined) => StageSpec | undefined,
  p: Problems,
): void {
  if (MOVING_EFFECTS.has(a.effect)) {
    if (a.to === undefined) p.add(`${at}/to`, 'required', `${a.effect} needs the stage it goes to`);
    else if (a.to === s.key) p.add(`${at}/to`, 'selfLoop', 'an action cannot go to its own stage');
  } else if (a.effect !== 'close' && a.to !== undefined) {
    p.add(`${at}/to`, 'notAllowed', `${a.effect} keeps the case in its stage`);
  }
  if (a.to !== undefined) {
    const target = stage(a.to);
    if (!target) p.add(`${at}/to`, 'unknownStage', `no stage ${a.to}`);
    else if (a.effect === 'close' && !target.final)
      p.add(`${at}/to`, 'finalRequired', 'close goes to a final stage');
  }
  if (a.deniedTo !== undefined) {
    if (a.effect !== 'decide') p.add(`${at}/deniedTo`, 'notAllowed', 'deniedTo is for decide only');
    else if (!stage(a.deniedTo)) p.add(`${at}/deniedTo`, 'unknownStage', `no stage ${a.deniedTo}`);
    else if (a.deniedTo === s.key)
      p.add(`${at}/deniedTo`, 'selfLoop', 'an action cannot go to its own stage');
  }
}

function checkLimits(spec: WorkflowSpec, p: Problems): void {
  const limit = spec.clock.limit;
  if (!limit) return;
  spec.stages.forEach((s, i) => {
    if (s.limit && s.limit.unit === limit.unit && s.limit.amount > limit.amount)
      p.add(`/stages/${i}/limit/amount`, 'exceedsCaseLimit', 'a step limit cannot exceed the case limit');
  });
}

function edges(s: StageSpec, withReturns: boolean): string[] {
  const out: string[] = [];
  for (const a of s.actions) {
    if ((a.effect === 'return' || a.effect === 'reopen') && !withReturns) continue;
    if (a.to) out.push(a.to);
    if (a.deniedTo) out.push(a.deniedTo);
    if (a.dissatisfiedTo) out.push(a.dissatisfiedTo);
  }
  return out;
}

function reachable(
  spec: WorkflowSpec,
  index: Map<string, number>,
  from: string,
  withReturns: boolean,
): Set<string> {
  const seen = new Set<string>([from]);
  const queue = [from];
  while (queue.length) {
    const s = spec.stages[index.get(queue.shift()!)!];
    for (const next of edges(s, withReturns))
      if (!seen.has(next)) {
        seen.add(next);
        queue.push(next);
      }
  }
  return seen;
}

function checkReachability(spec: WorkflowSpec, index: Map<string, number>, p: Problems): void {
  const fromStart = reachable(spec, index, spec.start, true);
  spec.stages.forEach((s, i) => {
    if (!fromStart.has(s.key))
      p.add(`/stages/${i}`, 'unreachable', `stage ${s.key} cannot be reached from start`);
  });
  const stages = spec.stages.filter((s) => fromStart.has(s.key));
  if (!stages.some((s) => s.final))
    p.add('/stages', 'finalUnreachable', 'no final stage can be reached from start');
  if (!stages.some((s) => s.actions.some((a) => a.effect === 'decide' || a.effect === 'reply')))
    p.add('/stages', 'decideRequired', 'a decide (or reply) action must be reachable from start');
  // "Back" means: the returning stage can be reached again from the target without returning.
  spec.stages.forEach((s, i) =>
    s.actions.forEach((a, j) => {
      const back = a.effect === 'return' || a.effect === 'reopen';
      if (back && a.to && !reachable(spec, index, a.to, false).has(s.key))
        p.add(`/stages/${i}/actions/${j}/to`, 'returnNotBackward', `${a.effect} must go to an earlier stage`);
    }),
  );
}

function checkSeparationOfDuties(spec: WorkflowSpec, p: Problems): void {
  (spec.separationOfDuties ?? []).forEach((rule, i) => {
    const seen = new Set<string>();
    rule.actions.forEach((ref, j) => {
      const at = `/separationOfDuties/${i}/actions/${j}`;
      if (seen.has(ref)) p.add(at, 'duplicate', `${ref} is listed twice`);
      seen.add(ref);
      const [stageKey, actionKey] = ref.includes('.') ? ref.split('.') : [undefined, ref];
      const exists = spec.stages.some(
        (s) => (stageKey === undefined || s.key === stageKey) && s.actions.some((a) => a.key === actionKey),
      );
      if (!exists) p.add(at, 'unknownAction', `no action ${ref}`);
    });
  });
}

const escape = (k: string): string => k.replace(/~/g, '~0').replace(/\//g, '~1');
