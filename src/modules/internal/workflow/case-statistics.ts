import { Injectable } from '@nestjs/common';
import { Db } from '../../../database/db';

/** How case figures are grouped: per handling unit, per service, per case type, or pairs of them. */
export type CaseFigureGrouping = 'unit' | 'service' | 'unit_service' | 'case_type' | 'unit_case_type';

/** What figures() is asked: the period, now, the scope and the filters. */
export interface CaseFigureQuery {
  from: Date;
  /** exclusive */
  to: Date;
  now: Date;
  /** the caller's units (and below); null = everywhere */
  scopeUnits: string[] | null;
  organisationId: string | null;
  serviceId: string | null;
  caseType: string | null;
  /** groups beyond this are cut (one more row is read, so the caller can tell) */
  maxRows: number;
}

export interface CaseFigureRow {
  is_total: number;
  organisation_id: string | null;
  service_id: string | null;
  case_type: string | null;
  received: string;
  accepted: string;
  in_progress: string;
  completed: string;
  completed_on_time: string;
  overdue_now: string;
  average_days: string | null;
  org_name: string | null;
  org_name_en: string | null;
  title_zh: string | null;
  title_en: string | null;
}

/**
 * A service is a subject of the `service` case type only, so per-service groups are kept apart by
 * case type: complaints or consultations (no service) form one row per case type, not a null service.
 */
const KEYS: Record<CaseFigureGrouping, { select: string; group: string }> = {
  unit: {
    select: 'k.organisation_id, NULL::uuid AS service_id, NULL::text AS case_type',
    group: 'k.organisation_id',
  },
  service: {
    select: 'NULL::uuid AS organisation_id, k.service_id, k.case_type',
    group: 'k.case_type, k.service_id',
  },
  unit_service: {
    select: 'k.organisation_id, k.service_id, k.case_type',
    group: 'k.organisation_id, k.case_type, k.service_id',
  },
  case_type: {
    select: 'NULL::uuid AS organisation_id, NULL::uuid AS service_id, k.case_type',
    group: 'k.case_type',
  },
  unit_case_type: {
    select: 'k.organisation_id, NULL::uuid AS service_id, k.case_type',
    group: 'k.organisation_id, k.case_type',
  },
};

/**
 * The figures, in one statement. Cases are grouped by their current handling unit (the unit scope
 * checks use). Working days between receipt and closure count the Beijing days after the receipt
 * day up to the closing day that are working days in the case's region, exactly as deadline.ts
 * counts a period: the day's most specific work_calendar_day row in the region chain (national,
 * province, city, county[, township, village]) decides, else Monday–Friday. A case closed at the
 * due time of an n-working-day clock therefore took n working days.
 *
 * $1 period start, $2 period end (exclusive), $3 now, $4 scope units (null = everywhere),
 * $5 organisation filter (that unit and below), $6 service filter, $7 case type filter.
 * Completed: a service case closed with a decision (approved or denied); a case of another type
 * (a work order, a consultation: no decision of the licensing kind) closed neither refused nor
 * withdrawn.
 */
const figuresSql = (groupBy: CaseFigureGrouping, maxRows: number): string => `
WITH cases AS (
  SELECT c.id, c.organisation_id, c.service_id, c.case_type, c.status, c.received_at, c.accepted_at, c.due_at, c.closed_at,
    (c.status = 'closed' AND c.closed_at >= $1 AND c.closed_at < $2 AND CASE WHEN c.case_type = 'service'
      THEN c.outcome IN ('approved', 'denied') ELSE c.outcome IS NULL OR c.outcome NOT IN ('refused', 'withdrawn') END)
      AS completed,
    ((c.received_at AT TIME ZONE 'UTC') + interval '8 hours')::date AS received_day,
    ((c.closed_at AT TIME ZONE 'UTC') + interval '8 hours')::date AS closed_day,
    ARRAY['000000', substr(c.region_code, 1, 2) || '0000', substr(c.region_code, 1, 4) || '00', substr(c.region_code, 1, 6)]
      || CASE WHEN length(c.region_code) = 12
           THEN ARRAY[substr(c.region_code, 1, 9) || '000', c.region_code::text] ELSE ARRAY[]::text[] END AS chain
  FROM case_file c
  WHERE ($4::uuid[] IS NULL OR c.organisation_id IN
          (SELECT sc.descendant_id FROM organisation_closure sc WHERE sc.ancestor_id = ANY($4::uuid[])))
    AND ($5::uuid IS NULL OR c.organisation_id IN
          (SELECT fc.descendant_id FROM organisation_closure fc WHERE fc.ancestor_id = $5::uuid))
    AND ($6::uuid IS NULL OR c.service_id = $6::uuid)
    AND ($7::text IS NULL OR c.case_type = $7::text)
    AND (c.status <> 'closed'
      OR (c.received_at >= $1 AND c.received_at < $2)
      OR (c.accepted_at >= $1 AND c.accepted_at < $2)
      OR (c.closed_at >= $1 AND c.closed_at < $2))
),
handling AS (
  SELECT k.id, count(d.day) FILTER (WHERE coalesce(
      (SELECT w.is_workday FROM work_calendar_day w
        WHERE w.date = d.day::date AND w.region_code = ANY(k.chain)
        ORDER BY array_position(k.chain, w.region_code::text) DESC LIMIT 1),
      extract(isodow FROM d.day) < 6)) AS days
  FROM cases k
  LEFT JOIN LATERAL generate_series(k.received_day + 1, k.closed_day, interval '1 day') AS d(day) ON true
  WHERE k.completed
  GROUP BY k.id
),
figures AS (
  SELECT GROUPING(${KEYS[groupBy].group.split(',')[0]}) AS is_total, ${KEYS[groupBy].select},
    count(*) FILTER (WHERE k.received_at >= $1 AND k.received_at < $2) AS received,
    count(*) FILTER (WHERE k.accepted_at >= $1 AND k.accepted_at < $2) AS accepted,
    count(*) FILTER (WHERE k.status <> 'closed') AS in_progress,
    count(*) FILTER (WHERE k.completed) AS completed,
    count(*) FILTER (WHERE k.completed AND k.closed_at <= k.due_at) AS completed_on_time,
    count(*) FILTER (WHERE k.status <> 'closed' AND k.due_at < $3) AS overdue_now,
    round(avg(h.days), 2) AS average_days
  FROM cases k LEFT JOIN handling h ON h.id = k.id
  GROUP BY GROUPING SETS ((${KEYS[groupBy].group}), ())
)
SELECT f.*, o.name AS org_name, o.name_en AS org_name_en, s.title_zh, s.title_en
FROM figures f
LEFT JOIN organisation o ON o.id = f.organisation_id
LEFT JOIN service s ON s.id = f.service_id
ORDER BY f.is_total DESC, o.name, f.case_type, s.title_zh, f.organisation_id, f.service_id
LIMIT ${maxRows + 1}`;

/**
 * Case figures for supervision (督办统计), read from the case aggregate's tables by the module that
 * owns them: the supervision module asks here instead of querying case_file itself.
 */
@Injectable()
export class CaseStatistics {
  constructor(private readonly db: Db) {}

  /** The total row first (is_total = 1), then one row per group. */
  figures(groupBy: CaseFigureGrouping, q: CaseFigureQuery): Promise<CaseFigureRow[]> {
    return this.db.query<CaseFigureRow>(figuresSql(groupBy, q.maxRows), [
      q.from,
      q.to,
      q.now,
      q.scopeUnits,
      q.organisationId,
      q.serviceId,
      q.caseType,
    ]);
  }
}
