import { Injectable, OnModuleInit } from '@nestjs/common';
import { EventCatalogue, EventTypeDefinition, S } from '../../platform/events/event-catalogue';
import type { Rating } from './rating.entity';

const RATING_FACTS = {
  ratingId: S.uuid,
  kind: S.code,
  organisationId: S.uuid,
  serviceId: S.nullableUuid,
  score: { type: 'integer', minimum: 1, maximum: 5 },
  source: S.code,
  realName: S.bool,
};

export const RATING_RECORDED: EventTypeDefinition = {
  type: 'rating.recorded',
  version: 1,
  description: 'A rating (好差评) was recorded: by its rater, or as 基本满意 by the silence rule.',
  schema: S.object(RATING_FACTS),
};

export const RATING_EXCLUDED: EventTypeDefinition = {
  type: 'rating.excluded',
  version: 1,
  description: "A supervisor upheld a unit's appeal: the rating no longer counts in any figure.",
  schema: S.object(RATING_FACTS),
};

/** Ids, codes and the score: never the comment or the rater. */
export function ratingFacts(r: Rating): Record<keyof typeof RATING_FACTS, string | number | boolean | null> {
  return {
    ratingId: r.id,
    kind: r.kind,
    organisationId: r.organisationId,
    serviceId: r.serviceId,
    score: r.score,
    source: r.source,
    realName: r.raterAccountId !== null,
  };
}

@Injectable()
export class RatingEventTypes implements OnModuleInit {
  constructor(private readonly catalogue: EventCatalogue) {}

  onModuleInit(): void {
    this.catalogue.register(RATING_RECORDED, RATING_EXCLUDED);
  }
}
