import { Injectable, OnModuleInit } from '@nestjs/common';
import { EventCatalogue, EventTypeDefinition, S } from '../../platform/events/event-catalogue';
import type { CaseEvent, CaseFile } from './case.entity';

/** One per history entry the engine records (start, every action, supplement answered, withdrawal). */
export const CASE_TRANSITIONED: EventTypeDefinition = {
  type: 'case.transitioned',
  version: 1,
  description:
    'A case moved: started, an action taken, a supplement answered or the case withdrawn (one per history entry).',
  schema: S.object(
    {
      caseId: S.uuid,
      caseEventId: S.uuid,
      caseType: S.code,
      subjectType: S.code,
      subjectId: S.id,
      action: S.code,
      effect: S.code,
      fromStage: S.nullableCode,
      toStage: S.nullableCode,
      status: S.code,
      public: S.bool,
    },
    [],
  ),
};

export type CaseTransitionedPayload = {
  caseId: string;
  caseEventId: string;
  caseType: string;
  subjectType: string;
  subjectId: string;
  action: string;
  effect: string;
  fromStage: string | null;
  toStage: string | null;
  status: string;
  public: boolean;
};

/** The payload of `case.transitioned` for a history entry just written (ids and codes only). */
export function caseTransitioned(c: CaseFile, e: CaseEvent): CaseTransitionedPayload {
  const effect = typeof e.data?.effect === 'string' ? e.data.effect : e.action;
  return {
    caseId: c.id,
    caseEventId: e.id,
    caseType: c.caseType,
    subjectType: c.subjectType,
    subjectId: c.subjectId,
    action: e.action,
    effect,
    fromStage: e.fromStage ?? null,
    toStage: e.toStage ?? null,
    status: c.status,
    public: e.public,
  };
}

/** Registers the workflow's event types in the catalogue. */
@Injectable()
export class CaseEventTypes implements OnModuleInit {
  constructor(private readonly catalogue: EventCatalogue) {}

  onModuleInit(): void {
    this.catalogue.register(CASE_TRANSITIONED);
  }
}
