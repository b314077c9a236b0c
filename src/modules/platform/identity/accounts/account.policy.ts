import { Injectable } from '@nestjs/common';
import { Permission } from '../../../../api/auth/permission';
import type { RequestContext } from '../../../../api/context/request-context';
import { AccessService } from '../../access/access.service';
import { allow, deny, type AccessDecision, type AccessPolicy } from '../../access/access.types';

/**
 * Citizen scope: may the caller see this citizen's (or business's) account? 'read' needs
 * account:read, 'unmask' (a field in clear) personal-data:unmask, each under this rule.
 *
 * Data scope for people differs from data scope for units: a citizen belongs to no unit. A unit may
 * see a citizen only through a relationship with that unit (an application, complaint or
 * consultation it handles, an evidence request it answers). No module defines such a relationship
 * yet, so the rule today is:
 *
 * - the permission held everywhere ('*': a global admin, a supervisor assigned without a unit, a
 *   synthetic test token) sees every citizen;
 * - the permission held only in some units (every unit-scoped role, and every machine client and
 *   API key, whose scopes live in their own agency's subtree) sees NO citizen: the answer is 404,
 *   exactly as for an id that does not exist.
 *
 * When the applications, complaints and exchange modules grow such a relationship, this policy
 * asks the owning module's service for it ("my unit handles a case of this person"), so the account
 * opens to that unit and nothing else does. The object is the account (or just its id).
 */
@Injectable()
export class AccountPolicy implements AccessPolicy<{ id: string } | string> {
  constructor(access: AccessService) {
    access.register('account', this);
  }

  decide(ctx: RequestContext, _account: { id: string } | string, action: string): Promise<AccessDecision> {
    const permission =
      action === 'read' ? Permission.AccountRead : action === 'unmask' ? Permission.PersonalDataUnmask : null;
    if (!permission) return Promise.resolve(deny(`no account action "${action}"`));
    const scope = ctx.scopeOf(permission);
    return Promise.resolve(
      scope === '*'
        ? allow(`citizen scope: ${permission} everywhere`)
        : deny(scope ? `citizen scope: ${permission} held only in units` : `${permission} not held`),
    );
  }
}
