// The reads behind every list of applications (a citizen's list on each screen, the answer to a
// submission), in plain SQL with the columns the view shows. Through TypeORM's query builder and
// entity hydration the same three statements cost about as much CPU again as everything else the
// list does (issue 11 §4: building the select lists, mapping every column of every row, and the
// garbage of both); here each row arrives from pg already as the object the view reads.
import type { PageQuery, Page } from '../../../api/http/pagination';
import { cursorCodec } from '../../../api/http/pagination';
import type { Db } from '../../../database/db';
import type { Service } from '../catalog/service.entity';
import type { Application, ApplicationAttachment, ApplicationStatus } from './application.entity';

/** A citizen's applications page by id. */
export const APPLICATION_CURSOR = cursorCodec<[string]>('applications', 'uuid');

/** What a view of an application reads: every column but the withdrawal reason and the event effects. */
export type ApplicationRow = Pick<
  Application,
  | 'id'
  | 'number'
  | 'serviceId'
  | 'serviceVersionId'
  | 'organisationId'
  | 'regionCode'
  | 'applicantAccountId'
  | 'businessAccountId'
  | 'status'
  | 'formData'
  | 'formPersonal'
  | 'submittedAt'
  | 'promisedDueAt'
  | 'dueProvisional'
  | 'supplement'
  | 'decision'
  | 'decisionReason'
  | 'licenceId'
  | 'licenceVerificationCode'
  | 'withdrawnAt'
  | 'createdAt'
  | 'updatedAt'
  | 'version'
>;

/** What a view shows of an application's service. */
export type ServiceTitle = Pick<Service, 'id' | 'titleZh' | 'titleEn'>;

/** What a view and the materials check read of an attachment. */
export type AttachmentRow = Pick<
  ApplicationAttachment,
  | 'id'
  | 'applicationId'
  | 'material'
  | 'fileId'
  | 'name'
  | 'contentType'
  | 'size'
  | 'sha256'
  | 'phase'
  | 'createdAt'
>;

const APPLICATION_COLUMNS = `a.id, a.number, a.service_id AS "serviceId", a.service_version_id AS "serviceVersionId",
  a.organisation_id AS "organisationId", a.region_code AS "regionCode", a.applicant_account_id AS "applicantAccountId",
  a.business_account_id AS "businessAccountId", a.status, a.form_data AS "formData", a.form_personal AS "formPersonal",
  a.submitted_at AS "submittedAt", a.promised_due_at AS "promisedDueAt", a.due_provisional AS "dueProvisional",
  a.supplement, a.decision, a.decision_reason AS "decisionReason", a.licence_id AS "licenceId",
  a.licence_verification_code AS "licenceVerificationCode", a.withdrawn_at AS "withdrawnAt",
  a.created_at AS "createdAt", a.updated_at AS "updatedAt", a.version`;

/** A list's row: the application and its service's titles (joined: one statement fewer per page). */
export type ApplicationListRow = ApplicationRow & {
  serviceTitleZh: string | null;
  serviceTitleEn: string | null;
};

/** The caller's applications as applicant or as the business, `$1`; `status` and the cursor narrow it. */
const MINE = '(a.applicant_account_id = $1 OR a.business_account_id = $1)';

/**
 * One page of the caller's applications, newest first (keyset on the id, one row more than asked
 * to know whether a next page exists). The count runs only when asked, on a connection of its own.
 */
export async function myApplicationsPage(
  db: Db,
  me: string,
  q: PageQuery & { status?: ApplicationStatus },
): Promise<Page<ApplicationListRow>> {
  const limit = q.limit ?? 20;
  const values: unknown[] = [me];
  let where = MINE;
  if (q.status) {
    values.push(q.status);
    where += ` AND a.status = $${values.length}`;
  }
  const filters = { where, values: [...values] };
  if (q.cursor) {
    values.push(APPLICATION_CURSOR.decode(q.cursor)[0]);
    where += ` AND a.id < $${values.length}`;
  }
  values.push(limit + 1);
  const rows = await db.query<ApplicationListRow>(
    `SELECT ${APPLICATION_COLUMNS}, s.title_zh AS "serviceTitleZh", s.title_en AS "serviceTitleEn"
     FROM application a LEFT JOIN service s ON s.id = a.service_id
     WHERE ${where} ORDER BY a.id DESC LIMIT $${values.length}`,
    values,
  );
  const items = rows.slice(0, limit);
  const nextCursor = rows.length > limit ? APPLICATION_CURSOR.encode([items[items.length - 1].id]) : null;
  let total: Promise<number> | undefined;
  const count = async () => {
    const [row] = await db.dataSource.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM application a WHERE ${filters.where}`,
      filters.values,
    );
    return row.n;
  };
  return { items, nextCursor, count: () => (total ??= count()) };
}

/** The services' titles a list page joined, once per service, for the view. */
export function titlesOf(rows: ApplicationListRow[]): ServiceTitle[] {
  const titles = new Map<string, ServiceTitle>();
  for (const r of rows)
    if (r.serviceTitleZh !== null || r.serviceTitleEn !== null)
      titles.set(r.serviceId, { id: r.serviceId, titleZh: r.serviceTitleZh, titleEn: r.serviceTitleEn });
  return [...titles.values()];
}

/** The titles of these services (those that exist). */
export function serviceTitles(db: Db, ids: string[]): Promise<ServiceTitle[]> {
  return db.query<ServiceTitle>(
    'SELECT id, title_zh AS "titleZh", title_en AS "titleEn" FROM service WHERE id = ANY($1::uuid[])',
    [ids],
  );
}

/** The attachments of these applications, in the order they were handed in. */
export function attachmentRows(db: Db, applicationIds: string[]): Promise<AttachmentRow[]> {
  return db.query<AttachmentRow>(
    `SELECT id, application_id AS "applicationId", material, file_id AS "fileId", name,
       content_type AS "contentType", size::float8 AS size, sha256, phase, created_at AS "createdAt"
     FROM application_attachment WHERE application_id = ANY($1::uuid[]) ORDER BY created_at ASC, id ASC`,
    [applicationIds],
  );
}

/** Statuses in which an application has been handled (decided, refused or completed): rateable (好差评). */
const HANDLED_STATUSES = "'approved', 'denied', 'refused', 'issued', 'delivered', 'completed'";

/**
 * Handled applications as the ratings module reads them (columns of RatingTarget.handledBeforeSql):
 * rater = the applicant, unit = the case's handling unit (after any transfer), handler = the staff
 * member who decided or refused, handled = the decision (or the refusal's close).
 */
const HANDLED_SELECT = `SELECT a.id::text AS id, a.applicant_account_id AS rater_account_id,
    COALESCE(c.organisation_id, a.organisation_id) AS organisation_id, a.service_id,
    (SELECT CASE WHEN e.actor_id ~ '^[0-9a-f-]{36}$' THEN e.actor_id::uuid END FROM case_event e
      WHERE e.case_id = c.id AND e.actor_kind = 'staff' AND e.data->>'effect' IN ('decide', 'refuse')
      ORDER BY e.created_at DESC LIMIT 1) AS handler_account_id,
    COALESCE(c.decided_at, c.closed_at) AS handled_at
  FROM application a LEFT JOIN case_file c ON c.subject_type = 'application' AND c.subject_id = a.id`;

/** For RatingTarget.handledBeforeSql: applications handled before `$1`. */
export const HANDLED_APPLICATIONS_SQL = `${HANDLED_SELECT}
  WHERE CAST(a.status AS text) IN (${HANDLED_STATUSES}) AND COALESCE(c.decided_at, c.closed_at) < $1`;

export interface HandledApplicationRow {
  id: string;
  rater_account_id: string;
  organisation_id: string;
  service_id: string;
  handler_account_id: string | null;
  /** null while the application is not handled */
  handled_at: Date | null;
  number: string | null;
  title_zh: string | null;
  title_en: string | null;
}

/** One application as the ratings module sees it (handled_at null unless handled), or undefined. */
export async function handledApplication(db: Db, id: string): Promise<HandledApplicationRow | undefined> {
  const [row] = await db.query<HandledApplicationRow>(
    `SELECT h.id, h.rater_account_id, h.organisation_id, h.service_id, h.handler_account_id,
       CASE WHEN CAST(x.status AS text) IN (${HANDLED_STATUSES}) THEN h.handled_at END AS handled_at,
       x.number, s.title_zh, s.title_en
     FROM (${HANDLED_SELECT} WHERE a.id = $1) h
     JOIN application x ON x.id = h.id::uuid LEFT JOIN service s ON s.id = h.service_id`,
    [id],
  );
  return row;
}
