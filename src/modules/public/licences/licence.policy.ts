import { Injectable } from '@nestjs/common';
import { Permission } from '../../../api/auth/permission';
import type { RequestContext } from '../../../api/context/request-context';
import { Db } from '../../../database/db';
import { AccessService } from '../../platform/access/access.service';
import { allow, deny, type AccessDecision, type AccessPolicy } from '../../platform/access/access.types';
import { Licence } from './licence.entity';

/**
 * Licences: 'read' for the holder (a citizen or business) and for staff who issue or revoke in the
 * issuing unit or above; 'revoke' for licence:revoke there. Issuing is decided on the unit issued
 * in: check(ctx, 'licence', { issuerOrganisationId }, 'issue').
 */
@Injectable()
export class LicencePolicy implements AccessPolicy<
  Pick<Licence, 'issuerOrganisationId' | 'holderAccountId'>
> {
  constructor(
    private readonly db: Db,
    private readonly access: AccessService,
  ) {
    access.register('licence', this);
  }

  load(id: string, opts: { lock?: boolean }): Promise<Licence | null> {
    return this.db.byId(Licence, id, opts);
  }

  async decide(
    ctx: RequestContext,
    l: Pick<Licence, 'issuerOrganisationId' | 'holderAccountId'>,
    action: string,
  ): Promise<AccessDecision> {
    if (action === 'read' && ctx.actor.kind === 'citizen')
      return l.holderAccountId && l.holderAccountId === ctx.actor.id
        ? allow('holder')
        : deny('not the holder');
    const permissions =
      action === 'read'
        ? [Permission.LicenceIssue, Permission.LicenceRevoke]
        : action === 'issue'
          ? [Permission.LicenceIssue]
          : action === 'revoke'
            ? [Permission.LicenceRevoke]
            : null;
    if (!permissions) return deny(`no licence action "${action}"`);
    return this.access.unitGrant(ctx, permissions, l.issuerOrganisationId);
  }
}
