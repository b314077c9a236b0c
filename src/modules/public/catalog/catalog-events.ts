import { Injectable, OnModuleInit } from '@nestjs/common';
import { EventCatalogue, EventTypeDefinition, S } from '../../platform/events/event-catalogue';

export const SERVICE_PUBLISHED: EventTypeDefinition = {
  type: 'service.published',
  version: 1,
  description: 'A catalogue service version in review was published (it is what the public now reads).',
  schema: S.object({ serviceId: S.uuid, organisationId: S.uuid, versionId: S.uuid }),
};

export const SERVICE_RETIRED: EventTypeDefinition = {
  type: 'service.retired',
  version: 1,
  description: 'A catalogue service was withdrawn from the public catalogue (its versions are kept).',
  schema: S.object({ serviceId: S.uuid, organisationId: S.uuid }),
};

/** Registers the catalogue's event types. */
@Injectable()
export class CatalogEventTypes implements OnModuleInit {
  constructor(private readonly catalogue: EventCatalogue) {}

  onModuleInit(): void {
    this.catalogue.register(SERVICE_PUBLISHED, SERVICE_RETIRED);
  }
}
