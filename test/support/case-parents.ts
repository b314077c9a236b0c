import { makeCitizen, makeUnit } from '../identity/staff-fixtures';
import type { TestApp } from './test-app';
import { publishServiceWithWorkflow } from './workflow-fixtures';

export interface CaseParents {
  /** a published service with an active workflow, in a unit of its own */
  serviceId: string;
  /** that workflow's definition */
  definitionId: string;
  /** a citizen account to stand as applicant */
  applicantAccountId: string;
}

/**
 * Real parents for case rows a spec writes straight to the database: foreign keys refuse made-up
 * ids for the definition and the applicant. The service sits in a unit of its own, so it shows in
 * no unit a spec counts.
 */
export async function caseParents(t: TestApp): Promise<CaseParents> {
  const unit = await makeUnit(t, '外键测试单位');
  const { serviceId, definitionId } = await publishServiceWithWorkflow(t, unit);
  const applicantAccountId = (await makeCitizen(t)).id;
  return { serviceId, definitionId, applicantAccountId };
}
