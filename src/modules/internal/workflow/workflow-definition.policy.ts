import { Injectable } from '@nestjs/common';
import { Permission } from '../../../api/auth/permission';
import type { RequestContext } from '../../../api/context/request-context';
import { Db } from '../../../database/db';
import { AccessService } from '../../platform/access/access.service';
import { deny, type AccessDecision, type AccessPolicy } from '../../platform/access/access.types';
import { WorkflowDefinition } from './workflow-definition.entity';

/** Who may read a definition: its authors and the staff handling the cases it runs. */
export const WORKFLOW_READERS = [
  Permission.WorkflowManage,
  Permission.CaseHandle,
  Permission.CaseReview,
  Permission.CaseApprove,
];

/**
 * Workflow definitions ('workflow'): 'read' for its authors and the staff who work its cases,
 * 'manage' (author, edit, activate, and list a service's versions) for workflow:manage over the
 * unit that owns it (or owns the service it attaches to: any object with an organisationId).
 */
@Injectable()
export class WorkflowDefinitionPolicy implements AccessPolicy<{ organisationId: string }> {
  constructor(
    private readonly db: Db,
    private readonly access: AccessService,
  ) {
    access.register('workflow', this);
  }

  load(id: string): Promise<WorkflowDefinition | null> {
    return this.db.repo(WorkflowDefinition).findOne({ where: { id } });
  }

  decide(ctx: RequestContext, w: { organisationId: string }, action: string): Promise<AccessDecision> {
    if (action === 'read') return this.access.unitGrant(ctx, WORKFLOW_READERS, w.organisationId);
    if (action === 'manage') return this.access.unitGrant(ctx, [Permission.WorkflowManage], w.organisationId);
    return Promise.resolve(deny(`no workflow action "${action}"`));
  }
}
