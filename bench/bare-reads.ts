/**
 * Bare twins of the signed-in reads (issue 11 §4): hand-written node:http + pg code issuing the
 * statements the API issues for one request, in the same order (captured with log_statement=all;
 * `BENCH_CAPTURE_SQL=1`, see the README's benchmark notes), the SQL text included:
 *
 * - every request: the token's HS256 signature verified, the session check (account active,
 *   session live, token newer than the last password change), and for staff the grants query;
 * - GET /me/applications: the citizen's page (keyset, newest first) with its services' titles, its attachments;
 * - GET /tasks: the clerk's queue (open tasks assigned to them or of their permissions in their
 *   units and below, earliest deadline first);
 * - GET /cases/:id: the case, the unit check, its tasks and history, its workflow definition (read
 *   twice, as the API does), and one unit check per action of the stage (a unit where the role
 *   is held answers without a query, in both).
 *
 * Answers have the API's JSON shape (the bench compares the keys). What it leaves out: rate
 * limiting (in PostgreSQL, batched: about one statement per nine requests) and the framework.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { Pool } from 'pg';
import { Permission } from '../src/api/auth/permission';
import { ROLES, RoleName } from '../src/modules/platform/identity/staff/role-catalogue';

interface Claims {
  sub: string;
  sid: string;
  kind: string;
  iat: number;
}

/** `"alias"."column" AS "alias_column"`, …: TypeORM's select list, text for text. */
const cols = (alias: string, columns: string): string =>
  columns
    .split(/\s+/)
    .filter(Boolean)
    .map((c) => `"${alias}"."${c}" AS "${alias}_${c}"`)
    .join(', ');

const SESSION_SQL = `SELECT a.kind, a.status, a.tokens_valid_after, s.account_id AS session_account, s.revoked_at
       FROM auth_session s LEFT JOIN account a ON a.id = $1::uuid
       WHERE s.id = $2::uuid`;
const GRANTS_SQL = `
SELECT a.organisation_id, a.totp_secret_enc IS NOT NULL AS has_totp, g.role, g.unit, g.from_account
FROM account a
LEFT JOIN LATERAL (
  SELECT ra.role, ra.organisation_id AS unit, NULL::uuid AS from_account
  FROM role_assignment ra
  WHERE ra.account_id = a.id
    AND (ra.valid_from IS NULL OR ra.valid_from <= now()) AND (ra.valid_until IS NULL OR ra.valid_until > now())
  UNION ALL
  SELECT d.role, d.organisation_id, d.from_account_id
  FROM delegation d
  JOIN account f ON f.id = d.from_account_id AND f.status = 'active'
  WHERE d.to_account_id = a.id AND d.revoked_at IS NULL AND d.valid_from <= now() AND d.valid_until > now()
    AND EXISTS (
      SELECT 1 FROM role_assignment r
      WHERE r.account_id = d.from_account_id AND r.role = d.role
        AND (r.valid_from IS NULL OR r.valid_from <= now()) AND (r.valid_until IS NULL OR r.valid_until > now())
        AND (r.organisation_id IS NULL OR EXISTS (
          SELECT 1 FROM organisation_closure c WHERE c.ancestor_id = r.organisation_id AND c.descendant_id = d.organisation_id))
    )
) g ON true
WHERE a.id = $1 AND a.kind = 'staff'`;

/** The API's application-reads.ts: the columns the view shows, as the view's property names. */
const MY_APPLICATIONS_SQL = `SELECT a.id, a.number, a.service_id AS "serviceId", a.service_version_id AS "serviceVersionId",
  a.organisation_id AS "organisationId", a.region_code AS "regionCode", a.applicant_account_id AS "applicantAccountId",
  a.business_account_id AS "businessAccountId", a.status, a.form_data AS "formData", a.form_personal AS "formPersonal",
  a.submitted_at AS "submittedAt", a.promised_due_at AS "promisedDueAt", a.due_provisional AS "dueProvisional",
  a.supplement, a.decision, a.decision_reason AS "decisionReason", a.licence_id AS "licenceId",
  a.licence_verification_code AS "licenceVerificationCode", a.withdrawn_at AS "withdrawnAt",
  a.created_at AS "createdAt", a.updated_at AS "updatedAt", a.version, s.title_zh AS "serviceTitleZh", s.title_en AS "serviceTitleEn"
     FROM application a LEFT JOIN service s ON s.id = a.service_id
     WHERE (a.applicant_account_id = $1 OR a.business_account_id = $1) ORDER BY a.id DESC LIMIT $2`;
const ATTACHMENTS_SQL = `SELECT id, application_id AS "applicationId", material, file_id AS "fileId", name,
       content_type AS "contentType", size::float8 AS size, sha256, phase, created_at AS "createdAt"
     FROM application_attachment WHERE application_id = ANY($1::uuid[]) ORDER BY created_at ASC, id ASC`;

const TASK_SELECT = `SELECT "t"."id" AS "id", "t"."stage" AS "stage", "t"."kind" AS "kind", "t"."level" AS "level", "t"."permission" AS "permission", "t"."status" AS "status", "t"."version" AS "version", "c"."number" AS "case_number", "o"."name" AS "unit_name", "t"."case_id" AS "case_id", "c"."service_id" AS "service_id", "c"."case_type" AS "case_type", "s"."title_zh" AS "title_zh", "s"."title_en" AS "title_en", "t"."organisation_id" AS "unit_id", "o"."name_en" AS "unit_name_en", "t"."assignee_id" AS "assignee_id", "a"."display_name" AS "assignee_name", "t"."due_at" AS "due_at", "t"."warning_level" AS "warning_level", "c"."due_at" AS "case_due_at", "c"."warning_level" AS "case_warning_level", "t"."created_at" AS "created_at", "t"."claimed_at" AS "claimed_at", "t"."completed_at" AS "completed_at", (CASE WHEN COALESCE("t"."due_at", 'infinity'::timestamptz) = 'infinity'::timestamptz THEN 'infinity' ELSE to_char(COALESCE("t"."due_at", 'infinity'::timestamptz) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') END) AS "sort_key_0" FROM "case_task" "t" INNER JOIN "case_file" "c" ON "c"."id" = "t"."case_id"  LEFT JOIN "service" "s" ON "s"."id" = "c"."service_id"  LEFT JOIN "organisation" "o" ON "o"."id" = "t"."organisation_id"  LEFT JOIN "account" "a" ON "a"."id" = "t"."assignee_id"`;
/** One queue clause per task permission held in some units: the API's visibleTasks(). */
const queueSql = (permissions: number) => {
  const held = Array.from(
    { length: permissions },
    (_, i) =>
      ` OR ("t"."permission" = $${2 + 2 * i} AND "t"."organisation_id" IN (SELECT sc.descendant_id FROM organisation_closure sc WHERE sc.ancestor_id = ANY($${3 + 2 * i})))`,
  ).join('');
  return `${TASK_SELECT} WHERE ("t"."assignee_id" = $1${held}) AND "t"."status" = $${2 + 2 * permissions} ORDER BY COALESCE("t"."due_at", 'infinity'::timestamptz) ASC, "t"."id" ASC LIMIT 21`;
};
/** The permissions a queue shows tasks of (QUEUE_PERMISSIONS' task part, in the API's order). */
const TASK_PERMISSIONS = [Permission.CaseHandle, Permission.CaseReview, Permission.CaseApprove];
const CASE_READ = [...TASK_PERMISSIONS, Permission.CaseSupervise];

const CASE_COLUMNS = `id created_at updated_at version subject_type subject_id number service_id definition_id
  organisation_id receiving_organisation_id region_code applicant_account_id stage status outcome outcome_reason
  received_at accepted_at limit pauses extensions due_at due_provisional warning_level supplement_requested actors
  approval data decided_at closed_at escalated_at`;
const CASE_SQL = `SELECT ${cols('CaseFile', CASE_COLUMNS)} FROM "case_file" "CaseFile" WHERE (("CaseFile"."id" = $1)) LIMIT 1`;
const IN_SCOPE_SQL =
  'SELECT 1 FROM organisation_closure WHERE descendant_id = $1 AND ancestor_id = ANY($2::uuid[]) LIMIT 1';
const TASK_COLUMNS = `id created_at updated_at version case_id stage kind level organisation_id permission assignee_id
  status due_at warning_level claimed_at completed_at completed_by completed_action reminded_at escalated_at`;
const CASE_TASKS_SQL = `SELECT ${cols('CaseTask', TASK_COLUMNS)} FROM "case_task" "CaseTask" WHERE (("CaseTask"."case_id" = $1)) ORDER BY "CaseTask"."created_at" ASC`;
const EVENT_COLUMNS = `id created_at updated_at version case_id action actor_kind actor_id on_behalf_of from_stage
  to_stage status reason data public`;
const CASE_EVENTS_SQL = `SELECT ${cols('CaseEvent', EVENT_COLUMNS)} FROM "case_event" "CaseEvent" WHERE (("CaseEvent"."case_id" = $1)) ORDER BY "CaseEvent"."created_at" ASC, "CaseEvent"."id" ASC LIMIT 500`;
const DEFINITION_COLUMNS = `id created_at updated_at version service_id organisation_id number state spec created_by
  activated_at`;
const DEFINITIONS_SQL = `SELECT ${cols('d', DEFINITION_COLUMNS)} FROM "workflow_definition" "d" WHERE "d"."id" IN ($1)`;
const DEFINITION_SQL = `SELECT ${cols('WorkflowDefinition', DEFINITION_COLUMNS)} FROM "workflow_definition" "WorkflowDefinition" WHERE (("WorkflowDefinition"."id" = $1)) LIMIT 1`;

/** The SQL texts, for the bench's check against a capture. */
export const BARE_READ_SQL = {
  MY_APPLICATIONS_SQL,
  ATTACHMENTS_SQL,
  queue: queueSql(1),
  CASE_SQL,
  CASE_TASKS_SQL,
  CASE_EVENTS_SQL,
  DEFINITIONS_SQL,
  DEFINITION_SQL,
};

type Row = Record<string, unknown>;

function verify(header: string | undefined, secret: string): Claims | null {
  const m = /^Bearer ([\w-]+)\.([\w-]+)\.([\w-]+)$/.exec(header ?? '');
  if (!m) return null;
  const expected = createHmac('sha256', secret).update(`${m[1]}.${m[2]}`).digest();
  const given = Buffer.from(m[3], 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  const c = JSON.parse(Buffer.from(m[2], 'base64url').toString('utf8')) as Partial<Claims> & { exp?: number };
  if (!c.sub || !c.sid || !c.kind || (c.exp && c.exp * 1000 < Date.now())) return null;
  return c as Claims;
}

/** Session check and, for staff, the units where each permission is held. Null: 401. */
async function principal(
  pool: Pool,
  header: string | undefined,
  secret: string,
): Promise<{ claims: Claims; units: Map<Permission, string[]> } | null> {
  const claims = verify(header, secret);
  if (!claims) return null;
  const [s] = (await pool.query<Row>(SESSION_SQL, [claims.sub, claims.sid])).rows;
  if (!s || s.session_account !== claims.sub || s.revoked_at || s.status !== 'active') return null;
  if ((s.kind === 'staff') !== (claims.kind === 'staff')) return null;
  const after = s.tokens_valid_after as Date | null;
  if (after && claims.iat < Math.floor(after.getTime() / 1000)) return null;
  const units = new Map<Permission, string[]>();
  if (claims.kind !== 'staff') return { claims, units };
  for (const g of (await pool.query<Row>(GRANTS_SQL, [claims.sub])).rows) {
    const role = ROLES[g.role as RoleName];
    if (!role || !g.unit) continue;
    for (const p of role.permissions) units.set(p, [...(units.get(p) ?? []), g.unit as string]);
  }
  return { claims, units };
}

const iso = (d: unknown): string | null => (d ? new Date(d as string).toISOString() : null);

function send(res: ServerResponse, status: number, body?: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'private, no-store' });
  res.end(body === undefined ? undefined : JSON.stringify(body));
}

/** GET /me/applications?limit=20 */
export async function myApplications(
  pool: Pool,
  secret: string,
  header: string | undefined,
  res: ServerResponse,
): Promise<void> {
  const who = await principal(pool, header, secret);
  if (!who || who.claims.kind !== 'citizen') return send(res, 401);
  const { rows } = await pool.query<Row>(MY_APPLICATIONS_SQL, [who.claims.sub, 21]);
  const apps = rows.slice(0, 20);
  const ids = apps.map((a) => a.id as string);
  const attachments = apps.length ? await pool.query<Row>(ATTACHMENTS_SQL, [ids]) : { rows: [] };
  const items = apps.map((a) => ({
    id: a.id,
    number: a.number,
    serviceId: a.serviceId,
    serviceVersionId: a.serviceVersionId,
    serviceTitle: a.serviceTitleZh ?? '',
    organisationId: a.organisationId,
    regionCode: a.regionCode,
    applicantAccountId: a.applicantAccountId,
    businessAccountId: a.businessAccountId,
    status: a.status,
    formData: a.formData,
    submittedAt: iso(a.submittedAt),
    promisedDueAt: iso(a.promisedDueAt),
    dueProvisional: a.dueProvisional,
    supplement: a.supplement,
    decision: a.decision,
    decisionReason: a.decisionReason,
    licence: null,
    withdrawnAt: iso(a.withdrawnAt),
    attachments: attachments.rows
      .filter((f) => f.applicationId === a.id)
      .map((f) => ({ id: f.id, name: f.name })),
    createdAt: iso(a.createdAt),
    updatedAt: iso(a.updatedAt),
    version: a.version,
  }));
  const last = apps[apps.length - 1];
  send(res, 200, {
    items,
    nextCursor: rows.length > 20 ? Buffer.from(JSON.stringify([last.id])).toString('base64url') : null,
  });
}

/** GET /tasks?limit=20: open tasks, earliest deadline first. */
export async function taskQueue(
  pool: Pool,
  secret: string,
  header: string | undefined,
  res: ServerResponse,
): Promise<void> {
  const who = await principal(pool, header, secret);
  if (!who || who.claims.kind !== 'staff') return send(res, 401);
  const held = TASK_PERMISSIONS.filter((p) => who.units.get(p)?.length);
  const values: unknown[] = [who.claims.sub];
  for (const p of held) values.push(p, who.units.get(p));
  values.push('open');
  const { rows } = await pool.query<Row>(queueSql(held.length), values);
  const page = rows.slice(0, 20);
  const items = page.map((r) => ({
    id: r.id,
    caseId: r.case_id,
    caseNumber: r.case_number,
    service: r.service_id ? { id: r.service_id, title: r.title_zh ?? r.title_en ?? null } : null,
    caseType: r.case_type,
    stage: r.stage,
    kind: r.kind,
    level: Number(r.level),
    candidateUnit: { id: r.unit_id, name: r.unit_name ?? '' },
    permission: r.permission,
    assignee: r.assignee_id ? { id: r.assignee_id, displayName: r.assignee_name } : null,
    status: r.status,
    dueAt: iso(r.due_at),
    warningLevel: r.warning_level,
    caseDueAt: iso(r.case_due_at),
    caseWarningLevel: r.case_warning_level,
    createdAt: iso(r.created_at),
    claimedAt: iso(r.claimed_at),
    completedAt: iso(r.completed_at),
    version: Number(r.version),
  }));
  const last = page[page.length - 1];
  send(res, 200, {
    items,
    nextCursor:
      rows.length > 20 ? Buffer.from(JSON.stringify([last.sort_key_0, last.id])).toString('base64url') : null,
  });
}

interface Spec {
  stages: {
    key: string;
    title: Record<string, string>;
    actions: { key: string; effect: string; title: Record<string, string>; reasonRequired?: boolean }[];
  }[];
}

const REASON_EFFECTS = new Set(['refuse', 'request_supplement', 'return', 'reject']);
const both = (t: Record<string, string>) => ({ 'zh-CN': t['zh-CN'], en: t.en || t['zh-CN'] });

/** GET /cases/:id: the case in full with the caller's available actions. */
export async function caseRead(
  pool: Pool,
  secret: string,
  header: string | undefined,
  id: string,
  res: ServerResponse,
): Promise<void> {
  const who = await principal(pool, header, secret);
  if (!who || who.claims.kind !== 'staff') return send(res, 401);
  const inScope = async (p: Permission, unit: unknown): Promise<boolean> => {
    const units = who.units.get(p);
    if (!units?.length || !unit) return false;
    if (units.includes(unit as string)) return true;
    return (await pool.query(IN_SCOPE_SQL, [unit, units])).rows.length > 0;
  };
  const [c] = (await pool.query<Row>(CASE_SQL, [id])).rows;
  let visible = false;
  for (const p of CASE_READ) if (c && (visible = await inScope(p, c.CaseFile_organisation_id))) break;
  if (!c || !visible) return send(res, 404);
  const tasks = (await pool.query<Row>(CASE_TASKS_SQL, [id])).rows;
  const events = (await pool.query<Row>(CASE_EVENTS_SQL, [id])).rows;
  const [def] = (await pool.query<Row>(DEFINITIONS_SQL, [c.CaseFile_definition_id])).rows;
  const spec = def.d_spec as Spec;
  const stage = spec.stages.find((s) => s.key === c.CaseFile_stage);
  const open = tasks.filter((t) => t.CaseTask_status === 'open');
  const availableActions: unknown[] = [];
  if (c.CaseFile_status !== 'closed') {
    const [d] = (await pool.query<Row>(DEFINITION_SQL, [c.CaseFile_definition_id])).rows;
    const current = (d.WorkflowDefinition_spec as Spec).stages.find((s) => s.key === c.CaseFile_stage);
    for (const a of current?.actions ?? []) {
      const task = open.find((t) => t.CaseTask_stage === c.CaseFile_stage && t.CaseTask_kind === 'work');
      if (!task || !(await inScope(task.CaseTask_permission as Permission, task.CaseTask_organisation_id)))
        continue;
      availableActions.push({
        key: a.key,
        effect: a.effect,
        title: both(a.title),
        reasonRequired: a.reasonRequired === true || REASON_EFFECTS.has(a.effect),
        taskId: task.CaseTask_id,
      });
    }
  }
  const limit = c.CaseFile_limit as { amount: number; unit: string };
  send(res, 200, {
    id: c.CaseFile_id,
    number: c.CaseFile_number,
    subjectType: c.CaseFile_subject_type,
    subjectId: c.CaseFile_subject_id,
    serviceId: c.CaseFile_service_id,
    definitionId: c.CaseFile_definition_id,
    organisationId: c.CaseFile_organisation_id,
    receivingOrganisationId: c.CaseFile_receiving_organisation_id,
    regionCode: c.CaseFile_region_code,
    stage: c.CaseFile_stage,
    stageTitle: stage ? both(stage.title) : null,
    status: c.CaseFile_status,
    outcome: c.CaseFile_outcome,
    outcomeReason: c.CaseFile_outcome_reason,
    receivedAt: iso(c.CaseFile_received_at),
    acceptedAt: iso(c.CaseFile_accepted_at),
    limit: { amount: limit.amount, unit: limit.unit },
    dueAt: iso(c.CaseFile_due_at),
    dueProvisional: c.CaseFile_due_provisional,
    warningLevel: c.CaseFile_warning_level,
    supplementRequested: c.CaseFile_supplement_requested,
    decidedAt: iso(c.CaseFile_decided_at),
    closedAt: iso(c.CaseFile_closed_at),
    escalatedAt: iso(c.CaseFile_escalated_at),
    version: c.CaseFile_version,
    createdAt: iso(c.CaseFile_created_at),
    updatedAt: iso(c.CaseFile_updated_at),
    pauses: c.CaseFile_pauses,
    extensions: c.CaseFile_extensions,
    tasks: tasks.map((t) => ({
      id: t.CaseTask_id,
      stage: t.CaseTask_stage,
      kind: t.CaseTask_kind,
      level: t.CaseTask_level,
      organisationId: t.CaseTask_organisation_id,
      permission: t.CaseTask_permission,
      assigneeId: t.CaseTask_assignee_id,
      status: t.CaseTask_status,
      dueAt: iso(t.CaseTask_due_at),
      warningLevel: t.CaseTask_warning_level,
      completedAt: iso(t.CaseTask_completed_at),
      completedBy: t.CaseTask_completed_by,
      completedAction: t.CaseTask_completed_action,
    })),
    history: events.map((e) => ({
      id: e.CaseEvent_id,
      action: e.CaseEvent_action,
      actorKind: e.CaseEvent_actor_kind,
      actorId: e.CaseEvent_actor_id,
      onBehalfOf: e.CaseEvent_on_behalf_of,
      fromStage: e.CaseEvent_from_stage,
      toStage: e.CaseEvent_to_stage,
      status: e.CaseEvent_status,
      reason: e.CaseEvent_reason,
      public: e.CaseEvent_public,
      data: e.CaseEvent_data,
      createdAt: iso(e.CaseEvent_created_at),
    })),
    availableActions,
  });
}
