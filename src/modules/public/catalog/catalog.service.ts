import { Injectable } from '@nestjs/common';
import type { Language } from '../../../api/context/request-context';
import type { FieldError } from '../../../api/errors/domain-error';
import { PublishedCatalogCache } from './catalog-cache';
import { CatalogPublicService, GuideFaqSource } from './catalog-public.service';
import { CatalogStaffService, PublishCheck } from './catalog-staff.service';
import { FormValidationService } from './form-validation.service';
import type { ServiceVersion } from './service.entity';

export type { PublishCheck } from './catalog-staff.service';

/**
 * What the catalogue offers other modules (the one service CatalogModule exports): applications
 * check submissions against the published form, the workflow module adds a publication rule. The
 * work is done by the catalogue's own services: CatalogStaffService (drafts, review, publication),
 * CatalogPublicService (published reads and their cache) and FormValidationService.
 */
@Injectable()
export class CatalogService {
  constructor(
    private readonly staff: CatalogStaffService,
    private readonly forms: FormValidationService,
    private readonly publicReads: CatalogPublicService,
    private readonly cache: PublishedCatalogCache,
  ) {}

  /** Adds a source of FAQ entries shown on published guides (registered at module init). */
  addGuideFaqSource(source: GuideFaqSource): void {
    this.publicReads.addFaqSource(source);
  }

  /**
   * Inside the transaction that changed what a source gives for the service: the cached guides are
   * dropped here once it commits and, through NOTIFY, in every other instance.
   */
  guideChanged(serviceId: string): Promise<void> {
    return this.cache.notifyChanged(serviceId);
  }

  /** Adds a rule publication enforces (registered at module init; see PublishCheck). */
  addPublishCheck(check: PublishCheck): void {
    this.staff.addPublishCheck(check);
  }

  /** The submission's problems against the published form (none = valid), messages in `lang`. */
  validateForm(serviceId: string, data: unknown, lang?: Language): Promise<FieldError[]> {
    return this.forms.validateForm(serviceId, data, lang);
  }

  /** The same, against a published version the caller has already loaded (no second read). */
  formProblems(version: ServiceVersion, data: unknown, lang?: Language): FieldError[] {
    return this.forms.formProblems(version, data, lang);
  }
}
