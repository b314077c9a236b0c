import { Injectable } from '@nestjs/common';

/** A text in both languages the API speaks. */
export interface BothTexts {
  'zh-CN': string;
  en: string;
}

/**
 * A handled item as the ratings (好差评) module sees it, whatever module owns it: a completed
 * application, an answered consultation, a closed work order, a service-hall visit.
 */
export interface RatedItem {
  kind: string;
  id: string;
  /** the only account that may rate it (applicant, asker, complainant); null: nobody by account (anonymous) */
  raterAccountId: string | null;
  /** 谁办理、谁负责: the unit answerable for it, where a rectification goes */
  organisationId: string;
  /** the catalogue service it concerned, when there is one (figures per service) */
  serviceId: string | null;
  /** the staff member who handled it, when known (staff figures by person) */
  handlerAccountId: string | null;
  /** when it was handled (completed, answered, closed); null while it is not, and rating it is refused */
  handledAt: Date | null;
  /** what the rater sees it as */
  title: BothTexts;
}

/**
 * A kind of rateable item, registered by the module that owns it (in its `onModuleInit`):
 * `ratingTargets.register({ kind: 'consultation', … })`. The ratings module asks it, never its tables.
 */
export interface RatingTarget {
  kind: string;
  title: BothTexts;
  /** the item, or null when there is no such item */
  load(id: string): Promise<RatedItem | null>;
  /**
   * A SELECT listing items handled before `$1` (timestamptz) with the columns `id` (text),
   * `rater_account_id`, `organisation_id`, `service_id`, `handler_account_id`, `handled_at`: what the
   * silence rule (no rating within N days counts as 基本满意) walks. Only items with a rater.
   */
  handledBeforeSql: string;
}

/** The registry of rateable kinds: filled by the modules that own them, read by the ratings module. */
@Injectable()
export class RatingTargets {
  private readonly targets = new Map<string, RatingTarget>();

  register(target: RatingTarget): void {
    if (this.targets.has(target.kind)) throw new Error(`rating target "${target.kind}" is registered twice`);
    this.targets.set(target.kind, target);
  }

  get(kind: string): RatingTarget | undefined {
    return this.targets.get(kind);
  }

  all(): RatingTarget[] {
    return [...this.targets.values()];
  }
}
