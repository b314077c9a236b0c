import { Injectable } from '@nestjs/common';
import { Permission } from '../../../api/auth/permission';
import type { RequestContext } from '../../../api/context/request-context';
import { Db } from '../../../database/db';
import { WorkflowEngine } from '../../internal/workflow/workflow-engine.service';
import { AccessService } from '../../platform/access/access.service';
import {
  allow,
  deny,
  type AccessDecision,
  type AccessPolicy,
  type AccessScope,
} from '../../platform/access/access.types';
import { Application } from './application.entity';

/** Staff who may read an application of a case in their scope (the case's current unit). */
export const APPLICATION_STAFF_READ = [
  Permission.CaseHandle,
  Permission.CaseReview,
  Permission.CaseApprove,
  Permission.CaseSupervise,
];

/**
 * Applications: 'own' (change it, hand in its files, withdraw) for the applicant or the business
 * applied for; 'read' for them and for staff holding a case permission over the handling unit of its
 * case (masked, audited); 'unmask' (personal fields in clear) for personal-data:unmask over that unit.
 * Lists of one's own applications use scope(ctx, 'own') on alias `a`.
 */
@Injectable()
export class ApplicationPolicy implements AccessPolicy<Application> {
  constructor(
    private readonly db: Db,
    private readonly access: AccessService,
    private readonly engine: WorkflowEngine,
  ) {
    access.register('application', this);
  }

  load(id: string, opts: { lock?: boolean }): Promise<Application | null> {
    return this.db.byId(Application, id, opts);
  }

  async decide(ctx: RequestContext, app: Application, action: string): Promise<AccessDecision> {
    const owner = ownership(ctx, app);
    if (action === 'own') return owner;
    if (action === 'read' && (owner.allowed || ctx.actor.kind === 'citizen')) return owner;
    if (action !== 'read' && action !== 'unmask') return deny(`no application action "${action}"`);
    const caseFile = await this.engine.caseOf('application', app.id);
    if (!caseFile) return deny("no case yet (a draft is its applicant's alone)");
    const permissions = action === 'read' ? APPLICATION_STAFF_READ : [Permission.PersonalDataUnmask];
    const unit = await this.access.unitGrant(ctx, permissions, caseFile.organisationId);
    return unit.allowed ? allow(`handling unit of case ${caseFile.number}: ${unit.reason}`) : unit;
  }

  scope(ctx: RequestContext, action: string): AccessScope {
    const me = ctx.actor.kind === 'citizen' ? ctx.actor.id : null;
    if (action !== 'own' || !me) return { sql: '1 = 0', params: {}, ownerId: null };
    return {
      sql: '(a.applicant_account_id = :accessOwner OR a.business_account_id = :accessOwner)',
      params: { accessOwner: me },
      ownerId: me,
    };
  }
}

function ownership(ctx: RequestContext, app: Application): AccessDecision {
  const me = ctx.actor.kind === 'citizen' ? ctx.actor.id : null;
  if (!me) return deny('not a citizen or business');
  if (app.applicantAccountId === me)
    return allow(
      app.businessAccountId
        ? `business representative (applicant for business ${app.businessAccountId})`
        : 'owner (applicant)',
    );
  if (app.businessAccountId === me) return allow('owner (the business applied for)');
  return deny('neither the applicant nor the business applied for');
}
