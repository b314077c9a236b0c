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
import { CaseFile, CaseTask, TaskStatus } from './case.entity';
import { CASE_READ_PERMISSIONS } from './workflow-engine.service';

/**
 * Cases ('read'; 'note' for the internal notes, where any open task the caller sees in the queue
 * counts, see below): staff of the handling unit or above holding any case permission there, and staff
 * who may work one of its open tasks (a task the queue moved to another unit, an extension at the
 * unit above). Acting is decided step by step by the engine: a caller who sees the case but holds the
 * wrong role for the step gets 403, not 404 (the case is no secret to them).
 */
@Injectable()
export class CasePolicy implements AccessPolicy<CaseFile> {
  constructor(
    private readonly db: Db,
    private readonly access: AccessService,
  ) {
    access.register('case', this);
  }

  load(id: string, opts: { lock?: boolean }): Promise<CaseFile | null> {
    return this.db.byId(CaseFile, id, opts);
  }

  async decide(ctx: RequestContext, c: CaseFile, action: string): Promise<AccessDecision> {
    if (action !== 'read' && action !== 'note') return deny(`no case action "${action}" is decided here`);
    const unit = await this.access.unitGrant(ctx, CASE_READ_PERMISSIONS, c.organisationId);
    if (unit.allowed) return unit;
    const open = await this.db
      .repo(CaseTask)
      .find({ where: { caseId: c.id, status: TaskStatus.Open }, order: { createdAt: 'ASC' } });
    for (const t of open) {
      // Notes follow the work queue: whoever sees an open task of the case (its assignee, a
      // candidate, the unit's dispatcher) may read and write the case's internal notes.
      const d =
        action === 'note'
          ? await this.access.check(ctx, 'task', t, 'read')
          : await this.access.unitGrant(ctx, [t.permission as Permission], t.organisationId);
      if (d.allowed) return allow(`open task (${t.stage}): ${d.reason}`);
    }
    return deny(unit.reason);
  }

  /** Work lists, as SQL on alias `c`: cases of the caller's units, or with an open task there. */
  scope(ctx: RequestContext): AccessScope {
    const scope = scopeCondition(ctx, CASE_READ_PERMISSIONS, 'c.organisation_id');
    const taskScope = scopeCondition(ctx, CASE_READ_PERMISSIONS, 'ot.organisation_id', 'taskUnits');
    if (!scope || !taskScope) return { sql: 'TRUE', params: {}, unitIds: '*' };
    return {
      sql: `(${scope.sql} OR EXISTS (SELECT 1 FROM case_task ot WHERE ot.case_id = c.id AND ot.status = 'open' AND ${taskScope.sql}))`,
      params: { ...scope.params, ...taskScope.params },
    };
  }
}
