import { Injectable } from '@nestjs/common';
import { Permission } from '../../../api/auth/permission';
import type { RequestContext } from '../../../api/context/request-context';
import { Db } from '../../../database/db';
import { AccessService } from '../../platform/access/access.service';
import {
  allow,
  deny,
  type AccessDecision,
  type AccessPolicy,
  type AccessScope,
} from '../../platform/access/access.types';
import { scopeCondition } from '../../platform/identity/staff/unit-scope';
import { ConsultationPermission } from './consultation-declarations';
import { Consultation } from './consultation.entity';

/** Staff who see a unit's consultations: its case workers and supervisors (the unit or above). */
export const CONSULTATION_STAFF = [
  Permission.CaseHandle,
  Permission.CaseReview,
  Permission.CaseApprove,
  Permission.CaseSupervise,
];

/**
 * Consultations: `own` for the asker only; `read` for the asker and the answering unit's staff
 * (a case permission over the unit, or above it); `faq` for consultation:faq over the unit. Lists
 * for staff: `scope()` over alias `c` (the answering unit within the caller's units).
 */
@Injectable()
export class ConsultationPolicy implements AccessPolicy<Consultation> {
  readonly resource = 'consultation';

  constructor(
    private readonly db: Db,
    private readonly access: AccessService,
  ) {
    access.register('consultation', this);
  }

  load(id: string, opts: { lock?: boolean }): Promise<Consultation | null> {
    return this.db.byId(Consultation, id, opts);
  }

  async decide(ctx: RequestContext, c: Consultation, action: string): Promise<AccessDecision> {
    const asker = ctx.actor.kind === 'citizen' && ctx.actor.id === c.askerAccountId;
    if (action === 'own') return asker ? allow('asker') : deny('not the asker');
    if (action === 'read') {
      if (asker) return allow('asker');
      if (ctx.actor.kind === 'citizen') return deny('not the asker');
      return this.access.unitGrant(ctx, CONSULTATION_STAFF, c.organisationId);
    }
    if (action === 'faq')
      return this.access.unitGrant(
        ctx,
        [ConsultationPermission.PublishFaq as unknown as Permission],
        c.organisationId,
      );
    return deny(`no consultation action "${action}"`);
  }

  scope(ctx: RequestContext): AccessScope {
    const scope = scopeCondition(ctx, CONSULTATION_STAFF, 'c.organisation_id');
    return scope ? { sql: scope.sql, params: scope.params } : { sql: 'TRUE', params: {}, unitIds: '*' };
  }
}
