import type { RatedItem, RatingTarget } from '../ratings/rating-target';

/**
 * Closed work orders are rateable (好差评) by their real-name complainant; the handling unit answers
 * for them. Merged duplicates are not (the order handled is), nor anonymous ones (nobody to rate).
 */
export function complaintRatingTarget(load: (id: string) => Promise<RatedItem | null>): RatingTarget {
  return {
    kind: 'complaint',
    title: { 'zh-CN': '诉求工单', en: 'Work order' },
    load,
    handledBeforeSql: `
      SELECT CAST(c.id AS text) AS id, c.complainant_account_id AS rater_account_id,
             c.handling_organisation_id AS organisation_id, CAST(NULL AS uuid) AS service_id,
             CAST(NULL AS uuid) AS handler_account_id, c.closed_at AS handled_at
        FROM complaint c
       WHERE c.status = 'closed' AND c.duplicate_of_id IS NULL AND c.complainant_account_id IS NOT NULL
         AND c.closed_at < $1`,
  };
}
