import { Injectable } from '@nestjs/common';
import type { RequestContext } from '../../../api/context/request-context';
import { AccessService } from '../../platform/access/access.service';
import {
  allow,
  deny,
  type AccessDecision,
  type AccessPolicy,
  type AccessScope,
} from '../../platform/access/access.types';
import { CaseRecords } from '../workflow/case-records.service';
import type { CaseTask } from '../workflow/case.entity';
import { isTaskPermission, OVERSIGHT_PERMISSIONS, staffId, visibleTasks } from './task-query';

/**
 * Tasks ('read', which every queue operation starts from): the assignee; a candidate, holding the
 * permission the task asks for in its unit or above; or whoever oversees that unit's queue
 * (case:assign, case:supervise). The same rule as SQL for lists is visibleTasks() (alias `t`).
 * What the caller may then do (claim, assign, transfer) is the queue's rule, answered 403.
 */
@Injectable()
export class TaskPolicy implements AccessPolicy<CaseTask> {
  constructor(
    private readonly records: CaseRecords,
    private readonly access: AccessService,
  ) {
    access.register('task', this);
  }

  load(id: string, opts: { lock?: boolean }): Promise<CaseTask | null> {
    return this.records.task(id, opts.lock);
  }

  async decide(ctx: RequestContext, t: CaseTask, action: string): Promise<AccessDecision> {
    if (action !== 'read') return deny(`no task action "${action}" is decided here`);
    const me = staffId(ctx);
    if (me && t.assigneeId === me) return allow('task assignee');
    if (isTaskPermission(t.permission)) {
      const candidate = await this.access.unitGrant(ctx, [t.permission], t.organisationId);
      if (candidate.allowed) return allow(`task candidate: ${candidate.reason}`);
    }
    const oversight = await this.access.unitGrant(ctx, OVERSIGHT_PERMISSIONS, t.organisationId);
    return oversight.allowed ? allow(`queue oversight: ${oversight.reason}`) : deny(oversight.reason);
  }

  scope(ctx: RequestContext): AccessScope {
    return visibleTasks(ctx);
  }
}
