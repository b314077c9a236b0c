import { Injectable } from '@nestjs/common';
import type { Permission } from '../../../api/auth/permission';
import type { RequestContext } from '../../../api/context/request-context';
import { Db } from '../../../database/db';
import { AccessService } from '../../platform/access/access.service';
import { allow, deny, type AccessDecision, type AccessPolicy } from '../../platform/access/access.types';
import { RatingAppeal, Rating } from './rating.entity';
import { APPEAL_STAFF, RATING_STAFF, RatingPermission, REVIEWERS } from './ratings-vocabulary';

/**
 * Ratings: 'read' for the rater (a signed-in citizen) and for staff holding rating:read, :appeal,
 * :review or case:supervise over the rated unit or above; 'appeal' for rating:appeal there. Everyone else, other
 * citizens and other units' staff included, gets the missing rating's 404.
 */
@Injectable()
export class RatingPolicy implements AccessPolicy<Rating> {
  constructor(
    private readonly db: Db,
    private readonly access: AccessService,
  ) {
    access.register('rating', this);
  }

  load(id: string, opts: { lock?: boolean }): Promise<Rating | null> {
    return this.db.byId(Rating, id, opts);
  }

  async decide(ctx: RequestContext, r: Rating, action: string): Promise<AccessDecision> {
    if (ctx.actor.kind === 'citizen')
      return action === 'read' && r.raterAccountId && r.raterAccountId === ctx.actor.id
        ? allow('rater')
        : deny('not the rater');
    if (action === 'read') return this.access.unitGrant(ctx, RATING_STAFF, r.organisationId);
    if (action === 'appeal')
      return this.access.unitGrant(ctx, [RatingPermission.Appeal as unknown as Permission], r.organisationId);
    return deny(`no rating action "${action}"`);
  }
}

/** Appeals: 'read' for the rated unit's appealing staff and its reviewers; 'decide' for reviewers (rating:review or case:supervise) over the unit. */
@Injectable()
export class RatingAppealPolicy implements AccessPolicy<RatingAppeal> {
  resource = 'rating_appeal';

  constructor(
    private readonly db: Db,
    private readonly access: AccessService,
  ) {
    access.register('rating_appeal', this);
  }

  load(id: string, opts: { lock?: boolean }): Promise<RatingAppeal | null> {
    return this.db.byId(RatingAppeal, id, opts);
  }

  decide(ctx: RequestContext, a: RatingAppeal, action: string): Promise<AccessDecision> {
    const permissions = action === 'read' ? APPEAL_STAFF : action === 'decide' ? REVIEWERS : null;
    if (!permissions || ctx.actor.kind === 'citizen') return Promise.resolve(deny('not unit staff'));
    return this.access.unitGrant(ctx, permissions, a.organisationId);
  }
}
