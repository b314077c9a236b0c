import type { FieldError } from '../../../api/errors/domain-error';
import { Permission } from '../../../api/auth/permission';
import { ClockUnit } from '../../platform/calendar/deadline';
import type { ActionEffect } from './workflow-spec';

/**
 * The first pass of workflow-spec validation (workflow-spec.validate.ts): the shape of a spec (types,
 * ranges, unknown properties, guard conditions), and the vocabulary both passes share. The graph
 * rules run only on a spec this pass found well-shaped.
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
export const DISPATCHED_EFFECTS: ReadonlySet<ActionEffect> = new Set([
  'sign',
  'return_to_dispatcher',
  'opinion',
]);

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

export const ASSIGNEE_PERMISSIONS: readonly string[] = [
  Permission.CaseHandle,
  Permission.CaseReview,
  Permission.CaseApprove,
];
export const ASSIGNEE_UNITS = ['handling', 'parent', 'dispatcher'];
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const APPROVAL_MODES = ['sequential', 'all', 'any'];
export const CLOCK_UNITS: readonly string[] = Object.values(ClockUnit);
export const OPS = ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'in', 'exists'];
/** /form/… or /case/…: at least one more segment, escapes only ~0 and ~1 */
export const GUARD_PATH = /^\/(form|case)(\/([^~/]|~[01])*)+$/;

export type Obj = Record<string, unknown>;
export const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
export const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);

export class Problems {
  readonly list: FieldError[] = [];
  add(pointer: string, code: string, message: string): void {
    this.list.push({ pointer, code, message });
  }
}

// ---- shape ----

export function known(value: Obj, pointer: string, allowed: readonly string[], p: Problems): void {
  for (const k of Object.keys(value))
    if (!allowed.includes(k)) p.add(`${pointer}/${escape(k)}`, 'unknownProperty', `unknown property ${k}`);
}

export function object(value: unknown, pointer: string, p: Problems): value is Obj {
  if (isObj(value)) return true;
  p.add(pointer, 'isObject', 'must be an object');
  return false;
}

export function key(value: unknown, pointer: string, p: Problems): void {
  if (typeof value !== 'string' || !KEY_PATTERN.test(value))
    p.add(pointer, 'key', 'must match ^[a-z][a-z0-9_]{0,63}$');
}

export function intIn(value: unknown, pointer: string, min: number, max: number, p: Problems): void {
  if (!isInt(value) || value < min || value > max)
    p.add(pointer, 'range', `must be a whole number from ${min} to ${max}`);
}

export function bool(value: unknown, pointer: string, p: Problems, required = false): void {
  if (value === undefined && !required) return;
  if (typeof value !== 'boolean') p.add(pointer, 'isBoolean', 'must be true or false');
}

export function oneOf(value: unknown, pointer: string, allowed: readonly string[], p: Problems): void {
  if (typeof value !== 'string' || !allowed.includes(value))
    p.add(pointer, 'isIn', `must be one of ${allowed.join(', ')}`);
}

export function array(
  value: unknown,
  pointer: string,
  min: number,
  max: number,
  p: Problems,
): value is unknown[] {
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

export function texts(value: unknown, pointer: string, p: Problems): void {
  if (!object(value, pointer, p)) return;
  known(value, pointer, ['zh-CN', 'en'], p);
  const zh = value['zh-CN'];
  if (typeof zh !== 'string' || !zh.trim() || zh.length > SPEC_LIMITS.text)
    p.add(`${pointer}/zh-CN`, 'text', `a Chinese text of 1 to ${SPEC_LIMITS.text} characters is required`);
  const en = value.en;
  if (en !== undefined && (typeof en !== 'string' || en.length > SPEC_LIMITS.text))
    p.add(`${pointer}/en`, 'text', `must be a text of at most ${SPEC_LIMITS.text} characters`);
}

export function assignee(value: unknown, pointer: string, p: Problems): void {
  if (!object(value, pointer, p)) return;
  known(value, pointer, ['permission', 'unit'], p);
  oneOf(value.permission, `${pointer}/permission`, ASSIGNEE_PERMISSIONS, p);
  oneOf(value.unit, `${pointer}/unit`, ASSIGNEE_UNITS, p);
}

export function timeLimit(value: unknown, pointer: string, p: Problems): void {
  if (!object(value, pointer, p)) return;
  known(value, pointer, ['amount', 'unit'], p);
  intIn(value.amount, `${pointer}/amount`, 1, SPEC_LIMITS.limitAmount, p);
  oneOf(value.unit, `${pointer}/unit`, CLOCK_UNITS, p);
}

export function checkShape(spec: unknown, p: Problems): void {
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

export function stageShape(stage: unknown, at: string, p: Problems): void {
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

export function actionShape(action: unknown, at: string, p: Problems): void {
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

export function condition(value: unknown, at: string, depth: number, p: Problems): void {
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
export const escape = (k: string): string => k.replace(/~/g, '~0').replace(/\//g, '~1');
