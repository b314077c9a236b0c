import { Injectable } from '@nestjs/common';
import type { RequestContext } from '../../../api/context/request-context';
import { DomainError } from '../../../api/errors/domain-error';
import { ErrorCode } from '../../../api/errors/error-code';
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
}

export type TransitionListener = (ctx: RequestContext, transition: CaseTransition) => Promise<void>;

/**
 * The workflow engine: starts cases on a service's active definition and applies actions in one
 * transaction with the case, its tasks, its history, the audit leaf and any jobs.
 */
@Injectable()
export class WorkflowEngine {
  private readonly listeners = new Map<string, TransitionListener>();

  /** The subject module's hook (e.g. applications updates its status, issues the licence, notifies). */
  onTransition(subjectType: string, listener: TransitionListener): void {
    this.listeners.set(subjectType, listener);
  }

  /** Opens the case on the service's active workflow; joins the caller's transaction. */
  start(_ctx: RequestContext, _input: NewCase): Promise<CaseFile> {
    return Promise.reject(new DomainError(ErrorCode.Internal));
  }

  /** Applicant side: the one supplement answer (补正) resumes the clock. */
  supplementAnswered(_ctx: RequestContext, _caseId: string, _data: Record<string, unknown>): Promise<CaseFile> {
    return Promise.reject(new DomainError(ErrorCode.Internal));
  }

  /** Applicant side: withdrawal (撤回) before a decision closes the case. */
  withdraw(_ctx: RequestContext, _caseId: string, _reason: string | undefined): Promise<CaseFile> {
    return Promise.reject(new DomainError(ErrorCode.Internal));
  }

  /** The applicant-visible history of a case, oldest first. */
  publicHistory(_caseId: string): Promise<CaseEvent[]> {
    return Promise.reject(new DomainError(ErrorCode.Internal));
  }

  caseOf(_subjectType: string, _subjectId: string): Promise<CaseFile | null> {
    return Promise.reject(new DomainError(ErrorCode.Internal));
  }
}
