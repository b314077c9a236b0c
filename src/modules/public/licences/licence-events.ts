import { Injectable, OnModuleInit } from '@nestjs/common';
import { EventCatalogue, EventTypeDefinition, S } from '../../platform/events/event-catalogue';
import type { Licence } from './licence.entity';

const LICENCE_FACTS = {
  licenceId: S.uuid,
  issuerOrganisationId: S.uuid,
  holderAccountId: S.nullableUuid,
  licenceTypeCode: { type: 'string', minLength: 1, maxLength: 100 },
};

export const LICENCE_ISSUED: EventTypeDefinition = {
  type: 'licence.issued',
  version: 1,
  description: 'An e-licence was issued and signed (by a workflow `issue` step or by staff directly).',
  schema: S.object(LICENCE_FACTS),
};

export const LICENCE_REVOKED: EventTypeDefinition = {
  type: 'licence.revoked',
  version: 1,
  description: 'An e-licence was revoked by its issuing side (the reason stays on the licence).',
  schema: S.object(LICENCE_FACTS),
};

/** Ids and the type code: the holder's name and ID number stay on the licence row. */
export function licenceFacts(l: Licence): Record<keyof typeof LICENCE_FACTS, string | null> {
  return {
    licenceId: l.id,
    issuerOrganisationId: l.issuerOrganisationId,
    holderAccountId: l.holderAccountId,
    licenceTypeCode: l.licenceTypeCode,
  };
}

/** Registers the licences' event types in the catalogue. */
@Injectable()
export class LicenceEventTypes implements OnModuleInit {
  constructor(private readonly catalogue: EventCatalogue) {}

  onModuleInit(): void {
    this.catalogue.register(LICENCE_ISSUED, LICENCE_REVOKED);
  }
}
