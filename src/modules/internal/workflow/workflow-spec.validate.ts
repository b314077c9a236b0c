import type { FieldError } from '../../../api/errors/domain-error';
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

import { DISPATCHED_EFFECTS, MOVING_EFFECTS, Problems, checkShape } from './workflow-spec.shape';

export { ACTION_EFFECTS, KEY_PATTERN, MOVING_EFFECTS, SPEC_LIMITS } from './workflow-spec.shape';

/** Everything wrong with `spec`, as field errors; empty when it may be stored. Never throws. */
export function validateWorkflowSpec(spec: unknown): FieldError[] {
  const p = new Problems();
  checkShape(spec, p);
  if (p.list.length) return p.list;
  checkGraph(spec as WorkflowSpec, p);
  return p.list;
}

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
