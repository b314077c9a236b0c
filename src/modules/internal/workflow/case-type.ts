import { Injectable } from '@nestjs/common';
import type { RequestContext } from '../../../api/context/request-context';
import type { FieldError } from '../../../api/errors/domain-error';
import { notFound } from '../../../api/errors/domain-error';
import { declareTerms } from '../../../api/errors/error-registry';
import type { GuideLimit } from './case-clock';
import type { CaseTransition } from './engine-types';
import type { Texts, WorkflowSpec } from './workflow-spec';

declareTerms({ case_type: { 'zh-CN': '案件类型', en: 'case type' } });

/**
 * What the engine knows of one subject of a case type (a catalogue service, a complaint category,
 * an evidence request kind): the unit that handles its cases and owns its workflow definitions
 * (scope checks use it), the calendar its clocks count in and the clock's defaults.
 */
export interface CaseSubject {
  /** the handling (and definition-owning) unit */
  organisationId: string;
  /** the calendar region the case clocks count working days in */
  regionCode: string;
  /** the clock's defaults when a definition names no limit of its own: promised first, then legal */
  limits: { promised?: GuideLimit | null; legal?: GuideLimit | null };
  /** the catalogue service, for the statistics and supervision that still group by it; else null */
  serviceId?: string | null;
  /** whatever the case type read and wants back in its transitions (saves a second read) */
  held?: unknown;
}

/**
 * A case type as a module registers it with the engine (CaseTypeRegistry.register in its
 * onModuleInit). The engine imports nothing from the module: everything it needs about the subject
 * comes through here.
 */
export interface CaseType {
  /** e.g. 'service'; lower-case key, 1–32 characters */
  key: string;
  title: Texts;
  /** the word a 404 names when the subject is missing or out of scope (default: subject) */
  subjectResource?: string;
  /**
   * The subject behind `subjectKey`, or null when there is none (404). `lock`: the caller changes
   * the subject's definitions and wants the row that serialises them locked (FOR UPDATE).
   * `loaded`: what the opening module already read in this transaction (NewCase.loaded.owner).
   */
  subject(subjectKey: string, options: { lock?: boolean; loaded?: unknown }): Promise<CaseSubject | null>;
  /** Extra rules a definition must meet before activation (e.g. within the guide's promised limit). */
  checkDefinition?(subjectKey: string, spec: WorkflowSpec): Promise<FieldError[]>;
  /**
   * What the subject does on each transition, inside the engine's transaction (the applications
   * module updates the application, issues the licence, notifies the applicant).
   */
  onTransition?(ctx: RequestContext, transition: CaseTransition): Promise<void>;
  /** The requester-facing wording of a public history entry, when the case type words its own. */
  historyTitle?(effect: string): Texts | null;
}

const TYPE_KEY = /^[a-z][a-z0-9_-]{0,31}$/;

/** The case types modules registered, by key. Registration happens once, at module init. */
@Injectable()
export class CaseTypeRegistry {
  private readonly types = new Map<string, CaseType>();

  register(type: CaseType): void {
    if (!TYPE_KEY.test(type.key)) throw new Error(`case type key "${type.key}" is not a valid key`);
    if (this.types.has(type.key)) throw new Error(`case type "${type.key}" is registered twice`);
    this.types.set(type.key, type);
  }

  /** The registered type, or 404 (an unknown type in a route is a missing resource). */
  get(key: string): CaseType {
    const type = this.types.get(key);
    if (!type) throw notFound('case_type');
    return type;
  }

  find(key: string): CaseType | undefined {
    return this.types.get(key);
  }

  list(): CaseType[] {
    return [...this.types.values()].sort((a, b) => a.key.localeCompare(b.key));
  }
}
