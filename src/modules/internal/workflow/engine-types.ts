import type { Service, ServiceVersion } from '../../public/catalog/service.entity';
import type { RequestContext } from '../../../api/context/request-context';
import type { CaseEvent, CaseFile } from './case.entity';

/** What a subject module (applications) gives the engine when its subject is submitted. */
export interface NewCase {
  subjectType: string;
  subjectId: string;
  number: string;
  serviceId: string;
  applicantAccountId: string;
  receivedAt: Date;
  /** the submitted form data (guards read it) */
  data: Record<string, unknown>;
  /**
   * The service and its current published version when the caller has just read them in the same
   * transaction (submission does): saves reading them again. `subject`: the subject's row as the
   * caller holds it, locked and current, handed to the listener of the `started` transition.
   */
  loaded?: { service: Service; version: ServiceVersion | null; subject?: unknown };
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
  /** the task being worked (optional: the engine finds the caller's open task of the stage) */
  taskId?: string;
}

/** What the engine tells the subject's module after each transition (inside the same transaction). */
export interface CaseTransition {
  caseFile: CaseFile;
  event: CaseEvent;
  /** the effect applied: accept, refuse, request_supplement, ..., or started, supplement_answered, withdrawn */
  effect: string;
  /** the case's service row when this transaction has already read it (saves the listener a read) */
  service?: Service;
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
