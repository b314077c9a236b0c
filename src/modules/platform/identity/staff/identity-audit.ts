import { Injectable, Optional } from '@nestjs/common';
import type { RequestContext } from '../../../../api/context/request-context';
import { AuditService } from '../../audit/audit.service';

/**
 * Audit leaves for identity administration (staff, roles, delegations, clients, keys), appended in
 * the caller's transaction. Optional so the identity module also boots in slices without the audit
 * module (unit wiring, contract generation).
 */
@Injectable()
export class IdentityAudit {
  constructor(@Optional() private readonly audit?: AuditService) {}

  /** `subjectId`: the account concerned (a staff member whose account or roles changed). */
  async record(
    ctx: RequestContext,
    action: string,
    resourceType: string,
    resourceId: string,
    subjectId: string | null = null,
  ): Promise<void> {
    // The details stay in the business rows; the leaf records who did what to which resource.
    await this.audit?.append(ctx, { action, resourceType, resourceId, subjectId });
  }
}
