import { Injectable } from '@nestjs/common';
import { Permission } from '../../../api/auth/permission';
import type { RequestContext } from '../../../api/context/request-context';
import { Db } from '../../../database/db';
import { CASE_READ_PERMISSIONS } from '../../internal/workflow/workflow-engine.service';
import { AccessService } from '../../platform/access/access.service';
import {
  allow,
  deny,
  type AccessDecision,
  type AccessPolicy,
  type AccessScope,
} from '../../platform/access/access.types';
import { scopeCondition } from '../../platform/identity/staff/unit-scope';
import { Complaint } from './complaint.entity';

type Units = Pick<
  Complaint,
  'dispatchOrganisationId' | 'handlingOrganisationId' | 'complainantAccountId' | 'caseId'
>;

/**
 * Work orders: 'read' for the real-name complainant, for case staff over the dispatch centre or
 * the handling unit (supervisors above them included) and for whoever may read its case (a unit
 * with its sign or opinion task); 'unmask' (the complainant's contact) only
 * for handlers (case:handle) of the dispatch centre or of the handling unit; 'dispatch' (merge)
 * for the dispatch centre's handlers; 'supervise' (督办) for case:supervise over either unit.
 */
@Injectable()
export class ComplaintPolicy implements AccessPolicy<Units> {
  resource = 'complaint';

  constructor(
    private readonly db: Db,
    private readonly access: AccessService,
  ) {
    access.register('complaint', this);
  }

  load(id: string, opts: { lock?: boolean }): Promise<Complaint | null> {
    return this.db.byId(Complaint, id, opts);
  }

  async decide(ctx: RequestContext, c: Units, action: string): Promise<AccessDecision> {
    if (action === 'read' && ctx.actor.kind === 'citizen')
      return c.complainantAccountId && c.complainantAccountId === ctx.actor.id
        ? allow('complainant')
        : deny('not the complainant');
    const permissions =
      action === 'read'
        ? CASE_READ_PERMISSIONS
        : action === 'unmask' || action === 'dispatch'
          ? [Permission.CaseHandle]
          : action === 'supervise'
            ? [Permission.CaseSupervise]
            : null;
    if (!permissions) return deny(`no complaint action "${action}"`);
    const atDispatch = await this.access.unitGrant(ctx, permissions, c.dispatchOrganisationId);
    if (atDispatch.allowed || action === 'dispatch') return atDispatch;
    if (action === 'unmask') return this.exactUnit(ctx, c.handlingOrganisationId);
    const atHandling = await this.access.unitGrant(ctx, permissions, c.handlingOrganisationId);
    if (atHandling.allowed || action !== 'read' || !c.caseId) return atHandling;
    // A unit the order was dispatched to (its sign task) or a co-handling unit (its opinion task)
    // reads it as the case policy lets it read the case.
    const viaCase = await this.access.check(ctx, 'case', c.caseId, 'read');
    return viaCase.allowed ? { allowed: true, reason: `case: ${viaCase.reason}` } : atHandling;
  }

  /**
   * Handlers of the handling unit itself (not staff of a unit above it who happen to hold
   * case:handle there): identities go to the people working the order, nobody else.
   */
  private exactUnit(ctx: RequestContext, unitId: string): AccessDecision {
    const scope = ctx.scopeOf(Permission.CaseHandle);
    if (scope === '*') return allow('unit scope: case:handle everywhere');
    return scope?.has(unitId)
      ? allow(`handler of the handling unit ${unitId}`)
      : deny('not a handler of the handling unit');
  }

  /** Staff lists, as SQL on alias `c`: orders of the caller's dispatch centres or handling units, or with an open task there. */
  scope(ctx: RequestContext): AccessScope {
    const d = scopeCondition(ctx, CASE_READ_PERMISSIONS, 'c.dispatch_organisation_id', 'dispatchUnits');
    const h = scopeCondition(ctx, CASE_READ_PERMISSIONS, 'c.handling_organisation_id', 'handlingUnits');
    const task = scopeCondition(ctx, CASE_READ_PERMISSIONS, 'ot.organisation_id', 'taskUnits');
    if (!d || !h || !task) return { sql: 'TRUE', params: {}, unitIds: '*' };
    const open = `EXISTS (SELECT 1 FROM case_task ot WHERE ot.case_id = c.case_id AND ot.status = 'open' AND ${task.sql})`;
    return { sql: `(${d.sql} OR ${h.sql} OR ${open})`, params: { ...d.params, ...h.params, ...task.params } };
  }
}
