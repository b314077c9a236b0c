import { Injectable } from '@nestjs/common';
import { Permission } from '../../../api/auth/permission';
import type { RequestContext } from '../../../api/context/request-context';
import { Db } from '../../../database/db';
import { AccessService } from '../../platform/access/access.service';
import {
  deny,
  type AccessDecision,
  type AccessPolicy,
  type AccessScope,
} from '../../platform/access/access.types';
import { scopeCondition } from '../../platform/identity/staff/unit-scope';
import { Service } from './service.entity';

/** Catalogue staff: who authors (catalog:manage) and who reviews (catalog:review) a unit's services. */
export const CATALOG_STAFF = [Permission.CatalogManage, Permission.CatalogReview];

/**
 * A catalogue service as staff see it (its drafts, review, publication; the published guide is
 * public and asks nothing): 'read' for catalogue staff of the owning unit or above, 'manage' for
 * catalog:manage there, 'review' for catalog:review there. Creating one is 'manage' on the unit it
 * will belong to: check(ctx, 'service', { organisationId }, 'manage'). Lists use scope() on alias `s`.
 */
@Injectable()
export class ServicePolicy implements AccessPolicy<Pick<Service, 'organisationId'>> {
  constructor(
    private readonly db: Db,
    private readonly access: AccessService,
  ) {
    access.register('service', this);
  }

  load(id: string, opts: { lock?: boolean }): Promise<Service | null> {
    return this.db.byId(Service, id, opts);
  }

  decide(ctx: RequestContext, s: Pick<Service, 'organisationId'>, action: string): Promise<AccessDecision> {
    const permissions =
      action === 'read'
        ? CATALOG_STAFF
        : action === 'manage'
          ? [Permission.CatalogManage]
          : action === 'review'
            ? [Permission.CatalogReview]
            : null;
    if (!permissions) return Promise.resolve(deny(`no service action "${action}"`));
    return this.access.unitGrant(ctx, permissions, s.organisationId);
  }

  scope(ctx: RequestContext): AccessScope {
    const scope = scopeCondition(ctx, CATALOG_STAFF, 's.organisation_id');
    return scope ? { sql: scope.sql, params: scope.params } : { sql: 'TRUE', params: {}, unitIds: '*' };
  }
}
