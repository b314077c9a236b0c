import { Injectable } from '@nestjs/common';
import { Permission } from '../../../api/auth/permission';
import type { RequestContext } from '../../../api/context/request-context';
import { AccessService } from '../access/access.service';
import { deny, type AccessDecision, type AccessPolicy } from '../access/access.types';

/**
 * Organisation units ('manage': create below, edit, move, close) for organisation:manage held over
 * the unit or a unit above it. The object is the unit's id: a unit outside the caller's subtree and
 * a unit that does not exist get the same 404. (The directory itself is public.)
 */
@Injectable()
export class OrganisationPolicy implements AccessPolicy<string> {
  constructor(private readonly access: AccessService) {
    access.register('organisation', this);
  }

  decide(ctx: RequestContext, unitId: string, action: string): Promise<AccessDecision> {
    if (action !== 'manage') return Promise.resolve(deny(`no organisation action "${action}"`));
    return this.access.unitGrant(ctx, [Permission.OrganisationManage], unitId);
  }
}
