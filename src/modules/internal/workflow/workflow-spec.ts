import type { Permission } from '../../../api/auth/permission';
import type { ClockUnit } from '../../platform/calendar/deadline';

/**
 * A workflow definition as data (办件流程): what administrators POST, what the engine runs. Validated
 * when saved (workflow-spec.validate.ts); stored as jsonb on a versioned WorkflowDefinition; a running
 * case stays on the version it started with.
 */
export interface WorkflowSpec {
  /** the stage a submitted case enters (usually the acceptance stage, 受理) */
  start: string;
  stages: StageSpec[];
  clock: ClockRule;
  /** 不相容岗位分离: each rule forbids one person (or their delegate) from doing two of the actions */
  separationOfDuties?: SodRule[];
}

/** zh-CN is required (1–200 characters); en may be left out when saving and then defaults to zh-CN. */
export interface Texts {
  'zh-CN': string;
  en: string;
}

export interface TimeLimit {
  amount: number;
  unit: ClockUnit;
}

export interface ClockRule {
  /** the case's own limit; when absent, the service's promised limit (else its legal one) */
  limit?: TimeLimit;
  /**
   * 一次性告知 must be sent within this many working days of receipt (行政许可法 §32: five);
   * a later notice means the application counts as accepted from receipt and the clock does not pause
   */
  supplementNoticeWithin: number;
  /** yellow warning this many working days before a due date, red once it has passed */
  yellowWithin: number;
  /** overdue cases and steps are escalated to the supervisors (case:supervise) above the unit */
  escalateOverdue: boolean;
}

/** Which unit's staff with which permission may work a task. */
export interface AssigneeRule {
  permission: Permission.CaseHandle | Permission.CaseReview | Permission.CaseApprove;
  /**
   * the case's current handling unit, the unit above it (a superior's approval), or the unit that
   * dispatched the case (派单方: its callback and review; the handling unit when never dispatched)
   */
  unit: 'handling' | 'parent' | 'dispatcher';
}

export type ApprovalMode = 'sequential' | 'all' | 'any';

export interface StageSpec {
  key: string;
  title: Texts;
  /** who works the stage; for approval stages, the levels below */
  assignee: AssigneeRule;
  /**
   * 多级审批: sequential = one level after another; all = parallel, every level must approve
   * (会签); any = parallel, the first approval decides (或签). Absent: a single task.
   */
  approval?: { mode: ApprovalMode; levels: AssigneeRule[] };
  /** time limit of this step (per-step warnings and escalation); within the case limit */
  limit?: TimeLimit;
  /** the stage ends the case (办结); it has no actions */
  final?: boolean;
  actions: ActionSpec[];
}

/**
 * What an action does; the engine knows each effect's rules (who, which input, which clock change):
 * - accept 受理, refuse 不予受理 (reason), request_supplement 一次性告知 (items; once per case; pauses the clock)
 * - advance (to), return 退回 (to an earlier stage; reason), transfer 转办 (organisationId; reason)
 * - approve / disapprove within an approval stage (disapprove needs a reason and goes to `to`)
 * - suspend 特别程序 (procedure: hearing | testing | expert_review | other; reason; stops the clock), resume
 * - request_extension 延期申请 (amount; reason) → a superior's task; grant_extension / deny_extension
 * - decide 决定 (decision approved | denied; reason), issue 出证 (the subject issues its result),
 *   deliver 送达 (method), close 办结
 * - dispatch 派单 (organisationId, optional coOrganisationIds 协办; to) → a sign task for the unit, due
 *   within `signWithin`, and an opinion task per co-unit; sign 签收 (the unit becomes the handling
 *   unit and gets the stage's work task); return_to_dispatcher 退单 (reason; past `maxReturns` to
 *   arbitration at the unit above the dispatcher); opinion 协办意见 (reason: the co-unit's opinion)
 * - reply 答复 (reason: the public answer; waits for every opinion; to), callback 回访 (satisfaction;
 *   to, or dissatisfiedTo when dissatisfied), reopen 重办 (reason; back to `to`; counted)
 */
export type ActionEffect =
  | 'accept'
  | 'refuse'
  | 'request_supplement'
  | 'advance'
  | 'return'
  | 'transfer'
  | 'approve'
  | 'disapprove'
  | 'suspend'
  | 'resume'
  | 'request_extension'
  | 'grant_extension'
  | 'deny_extension'
  | 'decide'
  | 'issue'
  | 'deliver'
  | 'close'
  | 'dispatch'
  | 'sign'
  | 'return_to_dispatcher'
  | 'opinion'
  | 'reply'
  | 'callback'
  | 'reopen';

export interface ActionSpec {
  /** unique within the stage; what staff POST as the action name */
  key: string;
  effect: ActionEffect;
  title: Texts;
  /** the next stage, for effects that move the case (accept, advance, return, approve, decide, issue, deliver) */
  to?: string;
  /** the stage a denied decision goes to (decide only); absent: the case closes as denied */
  deniedTo?: string;
  /** callback only: the stage a dissatisfied requester's case goes to (absent: it closes as the others) */
  dissatisfiedTo?: string;
  /** dispatch only: the time the receiving unit has to sign (签收时限) */
  signWithin?: TimeLimit;
  /** dispatch only: the units it may go to (absent: any active unit below the dispatching one) */
  units?: string[];
  /** return_to_dispatcher only: returns that go back to the dispatcher (default 2); the next one goes to arbitration */
  maxReturns?: number;
  /** a reason must be written (always true for refuse, return, disapprove, suspend, transfer, denials) */
  reasonRequired?: boolean;
  /** the action is offered only when the condition holds on the case (its form data and state) */
  guard?: Condition;
}

/** A condition on the case: `path` is a JSON pointer into { form, case } (e.g. /form/capital). */
export type Condition =
  | { all: Condition[] }
  | { any: Condition[] }
  | { not: Condition }
  | { path: string; op: 'eq' | 'ne' | 'gt' | 'gte' | 'lt' | 'lte' | 'in' | 'exists'; value?: unknown };

/** The actor of any of `actions` (action keys, stage-qualified as "stage.action" or bare) may not do another. */
export interface SodRule {
  actions: string[];
  title?: Texts;
}
