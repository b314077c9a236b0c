import type { RequestContext } from '../../../api/context/request-context';
import type { CaseEvent, CaseFile, CaseTask } from './case.entity';
import type { ActionSpec, StageSpec, WorkflowSpec } from './workflow-spec';

/** What a subject module (applications) gives the engine when its subject is submitted. */
export interface NewCase {
  /** the registered case type (CaseTypeRegistry) and its subject key (for 'service': the service id) */
  caseType: string;
  subjectKey: string;
  subjectType: string;
  subjectId: string;
  number: string;
  /** the requester (applicant, complainant): the subject's owner */
  applicantAccountId: string;
  receivedAt: Date;
  /** the submitted form data (guards read it) */
  data: Record<string, unknown>;
  /**
   * `owner`: what the caller has just read in the same transaction for the case type's subject (the
   * service and its published version, for submission), handed to CaseType.subject() to save a
   * read. `subject`: the subject's row as the caller holds it, locked and current, handed to the
   * case type's transition hook for `started`.
   */
  loaded?: { owner?: unknown; subject?: unknown };
}

/** Input of a staff action; which fields are required depends on the action's effect. */
export interface ActionInput {
  reason?: string;
  /** request_supplement: every missing or faulty item (一次性告知) */
  items?: Array<{ material?: string; field?: string; description: string }>;
  /** transfer: the receiving unit */
  organisationId?: string;
  /** suspend: hearing | testing | expert_review | other */
  procedure?: string;
  /** request_extension: amount in the case clock's unit */
  amount?: number;
  /** decide: approved | denied */
  decision?: 'approved' | 'denied';
  /** deliver: online | post | window */
  method?: string;
  /** dispatch: the units working alongside the main one (协办), each with its own opinion task */
  coOrganisationIds?: string[];
  /** callback: the requester's satisfaction (回访) */
  satisfaction?: 'satisfied' | 'basically_satisfied' | 'dissatisfied';
  /** the task being worked (optional: the engine finds the caller's open task of the stage) */
  taskId?: string;
}

/** What the engine tells the subject's module after each transition (inside the same transaction). */
export interface CaseTransition {
  caseFile: CaseFile;
  event: CaseEvent;
  /** the effect applied: accept, refuse, request_supplement, ..., or started, supplement_answered, withdrawn */
  effect: string;
  /** what the case type's subject() returned as `held` in this transaction (saves the hook a read) */
  held?: unknown;
  /** the subject's row, locked and current, when the subject module handed it over (NewCase.loaded) */
  subject?: unknown;
}

export type TransitionListener = (ctx: RequestContext, transition: CaseTransition) => Promise<void>;

/** An action the caller may take now, as the staff console offers it. */
export interface AvailableAction {
  key: string;
  effect: string;
  title: { 'zh-CN': string; en: string };
  reasonRequired: boolean;
  taskId: string;
}

/** One action being applied: what the engine checked, and what the effect writes back. */
export interface ActionRun {
  ctx: RequestContext;
  caseFile: CaseFile;
  spec: WorkflowSpec;
  stage: StageSpec;
  action: ActionSpec;
  input: ActionInput;
  /** the caller's task (completed unless the effect keeps the case where it is) */
  task: CaseTask;
  now: Date;
  /** filled by the effect: the history entry */
  event: { public: boolean; reason: string | null; data: Record<string, unknown>; toStage: string | null };
}
