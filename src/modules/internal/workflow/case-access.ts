import { ErrorCode } from '../../../api/errors/error-code';
import { CaseFile, CaseStatus, CaseTask } from './case.entity';
import { evaluateCondition } from './conditions';
import type { ActionSpec, StageSpec, WorkflowSpec } from './workflow-spec';

/**
 * Which action a caller may take on a case, as pure rules over the case, its definition and its
 * open tasks: offered in the stage and status, guard, separation of duties. The engine adds the
 * database checks (scope of the caller's units, claims).
 */

export const EXTENSION_DECISIONS = new Set(['grant_extension', 'deny_extension']);

/** Effects that always need a written reason (the definition may ask for one on any action). */
const REASON_EFFECTS = new Set([
  'refuse',
  'return',
  'disapprove',
  'suspend',
  'transfer',
  'request_extension',
  'deny_extension',
  'return_to_dispatcher',
  'opinion',
  'reply',
  'reopen',
]);

/**
 * Which open task an action is worked from, by the task's kind: a dispatched unit signs (or returns)
 * from its sign task, a co-unit gives its opinion from its opinion task, an arbitrating superior
 * dispatches from the arbitration task; everything else from the stage's work or approval tasks.
 */
export function worksTask(effect: string, kind: string): boolean {
  if (EXTENSION_DECISIONS.has(effect)) return kind === 'extension';
  if (effect === 'sign') return kind === 'sign';
  if (effect === 'opinion') return kind === 'opinion';
  if (effect === 'return_to_dispatcher') return kind === 'sign' || kind === 'work';
  if (effect === 'dispatch') return kind === 'work' || kind === 'arbitration';
  return kind === 'work' || kind === 'approval';
}

export type Refusal = { code: ErrorCode; reason: string };

export function reasonRequired(action: ActionSpec, decision?: string): boolean {
  return (
    action.reasonRequired === true ||
    REASON_EFFECTS.has(action.effect) ||
    (action.effect === 'decide' && decision === 'denied')
  );
}

/** The action by key in the case's stage and status, and whether its guard holds. */
export function findAction(
  c: CaseFile,
  spec: WorkflowSpec,
  stage: StageSpec,
  key: string,
  open: CaseTask[],
): { action: ActionSpec } | Refusal {
  const refuse = (reason: string): Refusal => ({ code: ErrorCode.InvalidTransition, reason });
  if (c.status === CaseStatus.Closed) return refuse('the case is closed');
  let action = stage.actions.find((a) => a.key === key);
  // A superior decides on an extension whatever step the case has moved on to meanwhile.
  if (!action && EXTENSION_DECISIONS.has(key) && open.some((t) => t.kind === 'extension')) {
    action = spec.stages.flatMap((s) => s.actions).find((a) => a.key === key) ?? {
      key,
      effect: key as ActionSpec['effect'],
      title:
        key === 'grant_extension'
          ? { 'zh-CN': '同意延期', en: 'Grant extension' }
          : { 'zh-CN': '不同意延期', en: 'Deny extension' },
    };
  }
  if (!action) return refuse(`the action "${key}" is not offered in stage "${stage.key}"`);
  if (EXTENSION_DECISIONS.has(action.effect) && !open.some((t) => t.kind === 'extension'))
    return refuse('no extension request is waiting for a decision');
  if (
    c.status === CaseStatus.Suspended &&
    action.effect !== 'resume' &&
    !EXTENSION_DECISIONS.has(action.effect)
  )
    return refuse(`the case is suspended in stage "${stage.key}": only resume is possible`);
  if (action.effect === 'resume' && c.status !== CaseStatus.Suspended)
    return refuse(`the case is not suspended (stage "${stage.key}")`);
  if (c.status === CaseStatus.AwaitingApplicant && action.effect !== 'refuse')
    return refuse(`the case waits for the applicant's supplement in stage "${stage.key}"`);
  // 主办 + 协办: the main unit answers once every co-unit has given its opinion.
  if (action.effect === 'reply' && open.some((t) => t.kind === 'opinion'))
    return refuse('the co-handling units have not all given their opinion yet');
  if (action.effect === 'request_supplement' && c.supplementRequested)
    return refuse('a supplement notice (一次性告知) was already sent for this case; only one is allowed');
  if (action.guard && !evaluateCondition(action.guard, { form: c.data, case: guardCase(c) }))
    return refuse(`the condition of "${key}" does not hold in stage "${stage.key}"`);
  return { action };
}

/** What guards may read about the case besides the form (no personal data). */
function guardCase(c: CaseFile): Record<string, unknown> {
  return {
    stage: c.stage,
    status: c.status,
    outcome: c.outcome,
    supplementRequested: c.supplementRequested,
    accepted: c.acceptedAt !== null,
    extensions: c.extensions.length,
    warningLevel: c.warningLevel,
    serviceId: c.serviceId,
    organisationId: c.organisationId,
  };
}

/** Whether an SoD rule entry ("stage.action" or bare "action") names the recorded key. */
function matches(entry: string, stage: string, action: string): boolean {
  return entry.includes('.') ? entry === `${stage}.${action}` : entry === action;
}

/**
 * 不相容岗位分离: the caller (or the colleague they act for) may not do this action if they did
 * another action of a rule containing it. Returns the refusal reason, or null.
 */
export function separationOfDuties(
  spec: WorkflowSpec,
  c: Pick<CaseFile, 'actors'>,
  stage: string,
  action: string,
  people: Array<string | null | undefined>,
): string | null {
  const ids = new Set(people.filter((x): x is string => !!x));
  for (const rule of spec.separationOfDuties ?? []) {
    if (!rule.actions.some((e) => matches(e, stage, action))) continue;
    for (const [recorded, actors] of Object.entries(c.actors)) {
      const dot = recorded.indexOf('.');
      const [s, a] = dot < 0 ? ['', recorded] : [recorded.slice(0, dot), recorded.slice(dot + 1)];
      if (s === stage && a === action) continue;
      if (!rule.actions.some((e) => matches(e, s, a))) continue;
      if (
        matches(
          rule.actions.find((e) => matches(e, s, a))!,
          stage,
          action,
        )
      )
        continue;
      if (actors.some((id) => ids.has(id)))
        return `${rule.title?.en ?? rule.actions.join(' / ')}: you (or the colleague you act for) already did "${a}" on this case`;
    }
  }
  return null;
}
