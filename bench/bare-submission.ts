/**
 * The bare twin of application submission that runs the SAME SQL as the API: hand-written
 * node:http + pg code issuing, in the same order, transaction shape and text, the statements one
 * API submission issues. Captured again after issue 12 (domain events) with the bench's
 * BENCH_CAPTURE_SQL (a database with log_statement = 'all'; one submission to the API, then one to
 * this twin, each between marker statements, compared text and parameters line by line), and the
 * texts below are the API's, TypeORM's column lists included:
 *
 *   session check; the rate-limit counter (the API's coalesced flush: one statement per batch of
 *   concurrent hits); the Idempotency-Key's record looked up; START TRANSACTION; the key's advisory
 *   lock and a second look; the draft locked; service; published version; attachments; a number
 *   from the sequence; the application update (form re-sealed); the active workflow (by case type
 *   and subject key); case + task + event inserts; the status listener's update; the key's record
 *   with its sealed answer; the transaction's three domain events (application.submitted,
 *   case.transitioned, application.status_changed) in one statement pair: their aggregates'
 *   advisory locks, then the events and the one delivery (bare-events.ts); the audit sequencer
 *   (its lock tried: when free, the next seq and both leaves; when busy, both leaves queued);
 *   COMMIT (24 statements with the rate limit). Then, when queued, the batch that numbers queued
 *   leaves (shared by the writers waiting for it), and the applicant's notice, delivered by the
 *   durable subscriber the commit kicks: a claim (shared by the deliveries due), then START
 *   TRANSACTION, the application, its service, the account's addresses, the inbox message, the
 *   delivery's "done" mark, COMMIT (8 more).
 *
 * It does the API's crypto too: the token's HS256 signature, the draft's sealed personal answers
 * opened (AES-256-GCM, FIELD_KEYS' key and the API's associated data) and sealed again, the request
 * fingerprint and key lock (SHA-256), the stored answer sealed, the leaves' hashes.
 *
 * What it leaves out is what a framework and an ORM add on top of that SQL: routing, guards,
 * validation, the request context, entity hydration, the workflow engine's generality. So the
 * API's ratio to it is the cost of our code over the database work, as for the read scenarios.
 * The form check is the bare server's hand-written one (validForm); values are computed the
 * simplest way that gives the API's (the promised date is a fixed offset, not a calendar walk).
 */
import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  createSecretKey,
  KeyObject,
  randomBytes,
  randomUUID,
  timingSafeEqual,
} from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Pool } from 'pg';
import { DeliveryTwin, inTransaction, Q, Row, TwinEvent, writeEvents } from './bare-events';

export { inTransaction };

interface Token {
  sub: string;
  sid: string;
}

const hmacKeys = new Map<string, KeyObject>();
/** The secret as a KeyObject, imported once (as the API's ciphers hold theirs). */
function hmacKey(secret: string): KeyObject {
  let key = hmacKeys.get(secret);
  if (!key) hmacKeys.set(secret, (key = createSecretKey(Buffer.from(secret, 'utf8'))));
  return key;
}

/** The access token's claims when its HS256 signature is good, else null. */
function verifyToken(header: string | undefined, secret: string): Token | null {
  const m = /^Bearer ([\w-]+)\.([\w-]+)\.([\w-]+)$/.exec(header ?? '');
  if (!m) return null;
  const expected = createHmac('sha256', hmacKey(secret)).update(`${m[1]}.${m[2]}`).digest();
  const given = Buffer.from(m[3], 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  const claims = JSON.parse(Buffer.from(m[2], 'base64url').toString('utf8')) as Partial<Token>;
  return claims.sub ? { sub: claims.sub, sid: claims.sid ?? randomUUID() } : null;
}

// The API's statements, as captured (whitespace aside).
const SESSION_SQL = `SELECT a.kind, a.status, a.tokens_valid_after, s.account_id AS session_account, s.revoked_at FROM
  auth_session s LEFT JOIN account a ON a.id = $1::uuid WHERE s.id = $2::uuid`;
const RATE_SQL = `INSERT INTO rate_limit_counter AS c (caller, hits, reset_at) SELECT k, n, statement_timestamp() + w *
  interval '1 millisecond' FROM unnest($1::varchar[], $2::int[], $3::int[]) AS t(k, n, w) ORDER BY k ON
  CONFLICT (caller) DO UPDATE SET hits = CASE WHEN c.reset_at <= statement_timestamp() THEN EXCLUDED.hits
  ELSE c.hits + EXCLUDED.hits END, reset_at = CASE WHEN c.reset_at <= statement_timestamp() THEN
  EXCLUDED.reset_at ELSE c.reset_at END RETURNING caller, hits, ceil(extract(epoch FROM reset_at -
  statement_timestamp()) * 1000)::int AS ms_left`;
const APP_SQL = `SELECT "Application"."id" AS "Application_id", "Application"."created_at" AS "Application_created_at",
  "Application"."updated_at" AS "Application_updated_at", "Application"."version" AS "Application_version",
  "Application"."number" AS "Application_number", "Application"."service_id" AS "Application_service_id",
  "Application"."service_version_id" AS "Application_service_version_id", "Application"."organisation_id" AS
  "Application_organisation_id", "Application"."region_code" AS "Application_region_code",
  "Application"."applicant_account_id" AS "Application_applicant_account_id",
  "Application"."business_account_id" AS "Application_business_account_id", "Application"."status" AS
  "Application_status", "Application"."form_data" AS "Application_form_data", "Application"."form_personal"
  AS "Application_form_personal", "Application"."submitted_at" AS "Application_submitted_at",
  "Application"."promised_due_at" AS "Application_promised_due_at", "Application"."due_provisional" AS
  "Application_due_provisional", "Application"."supplement" AS "Application_supplement",
  "Application"."decision" AS "Application_decision", "Application"."decision_reason" AS
  "Application_decision_reason", "Application"."licence_id" AS "Application_licence_id",
  "Application"."licence_verification_code" AS "Application_licence_verification_code",
  "Application"."withdrawn_at" AS "Application_withdrawn_at", "Application"."withdrawal_reason" AS
  "Application_withdrawal_reason", "Application"."event_effects" AS "Application_event_effects" FROM
  "application" "Application" WHERE (("Application"."id" = $1)) LIMIT 1`;
/** The submission's read of the draft, locked (the delivery's handler reads it without the lock). */
const APP_LOCK_SQL = `${APP_SQL} FOR UPDATE`;
const SERVICE_SQL = `SELECT "Service"."id" AS "Service_id", "Service"."created_at" AS "Service_created_at",
  "Service"."updated_at" AS "Service_updated_at", "Service"."version" AS "Service_version",
  "Service"."organisation_id" AS "Service_organisation_id", "Service"."region_code" AS "Service_region_code",
  "Service"."implementation_code" AS "Service_implementation_code", "Service"."type" AS "Service_type",
  "Service"."target" AS "Service_target", "Service"."status" AS "Service_status",
  "Service"."current_published_version_id" AS "Service_current_published_version_id",
  "Service"."draft_version_id" AS "Service_draft_version_id", "Service"."title_zh" AS "Service_title_zh",
  "Service"."title_en" AS "Service_title_en", "Service"."life_events" AS "Service_life_events",
  "Service"."topics" AS "Service_topics", "Service"."published_at" AS "Service_published_at",
  "Service"."required_assurance" AS "Service_required_assurance", "Service"."title_terms" AS
  "Service_title_terms", "Service"."search_terms" AS "Service_search_terms" FROM "service" "Service" WHERE
  (("Service"."id" = $1)) LIMIT 1`;
const VERSION_SQL = `SELECT "ServiceVersion"."id" AS "ServiceVersion_id", "ServiceVersion"."created_at" AS
  "ServiceVersion_created_at", "ServiceVersion"."updated_at" AS "ServiceVersion_updated_at",
  "ServiceVersion"."version" AS "ServiceVersion_version", "ServiceVersion"."service_id" AS
  "ServiceVersion_service_id", "ServiceVersion"."number" AS "ServiceVersion_number",
  "ServiceVersion"."state" AS "ServiceVersion_state", "ServiceVersion"."content" AS
  "ServiceVersion_content", "ServiceVersion"."published_at" AS "ServiceVersion_published_at",
  "ServiceVersion"."published_by" AS "ServiceVersion_published_by" FROM "service_version" "ServiceVersion"
  WHERE (("ServiceVersion"."id" = $1)) LIMIT 1`;
const ATTACH_SQL = `SELECT id, application_id AS "applicationId", material, file_id AS "fileId", name, content_type
  AS "contentType", size::float8 AS size, sha256, phase, created_at AS "createdAt" FROM application_attachment
  WHERE application_id = ANY($1::uuid[]) ORDER BY created_at ASC, id ASC`;
const UPDATE_SQL = `UPDATE "application" SET "form_data" = $1, "form_personal" = $2, "number" = $3, "status" = $4,
  "submitted_at" = $5, "service_version_id" = $6, "version" = "version" + 1, "updated_at" =
  CURRENT_TIMESTAMP WHERE "id" = $7 RETURNING "version", "updated_at"`;
const WORKFLOW_SQL = `SELECT "WorkflowDefinition"."id" AS "WorkflowDefinition_id", "WorkflowDefinition"."created_at" AS
  "WorkflowDefinition_created_at", "WorkflowDefinition"."updated_at" AS "WorkflowDefinition_updated_at",
  "WorkflowDefinition"."version" AS "WorkflowDefinition_version", "WorkflowDefinition"."case_type" AS
  "WorkflowDefinition_case_type", "WorkflowDefinition"."subject_key" AS "WorkflowDefinition_subject_key",
  "WorkflowDefinition"."service_id" AS "WorkflowDefinition_service_id", "WorkflowDefinition"."organisation_id"
  AS "WorkflowDefinition_organisation_id", "WorkflowDefinition"."number" AS "WorkflowDefinition_number",
  "WorkflowDefinition"."state" AS "WorkflowDefinition_state", "WorkflowDefinition"."spec" AS
  "WorkflowDefinition_spec", "WorkflowDefinition"."created_by" AS "WorkflowDefinition_created_by",
  "WorkflowDefinition"."activated_at" AS "WorkflowDefinition_activated_at" FROM "workflow_definition"
  "WorkflowDefinition" WHERE (("WorkflowDefinition"."case_type" = $1) AND ("WorkflowDefinition"."subject_key" =
  $2) AND ("WorkflowDefinition"."state" = $3)) LIMIT 1`;
const CASE_SQL = `INSERT INTO "case_file"("id", "created_at", "updated_at", "version", "subject_type", "subject_id", "number",
  "case_type", "subject_key", "service_id", "definition_id", "organisation_id", "receiving_organisation_id",
  "region_code", "applicant_account_id", "stage", "status", "outcome", "outcome_reason", "received_at",
  "accepted_at", "limit", "pauses", "extensions", "due_at", "due_provisional", "warning_level",
  "supplement_requested", "actors", "approval", "routing", "data", "decided_at", "closed_at", "escalated_at")
  VALUES ($1, DEFAULT, DEFAULT, 1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18,
  $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31, $32) RETURNING "created_at", "updated_at",
  "version", "status", "pauses", "extensions", "due_provisional", "warning_level", "supplement_requested",
  "actors", "approval", "routing", "data"`;
const TASK_SQL = `INSERT INTO "case_task"("id", "created_at", "updated_at", "version", "case_id", "stage", "kind", "level",
  "organisation_id", "permission", "assignee_id", "status", "due_at", "warning_level", "claimed_at",
  "completed_at", "completed_by", "completed_action", "reminded_at", "escalated_at") VALUES ($1, DEFAULT,
  DEFAULT, 1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) RETURNING
  "created_at", "updated_at", "version", "kind", "level", "status", "warning_level"`;
const EVENT_SQL = `INSERT INTO "case_event"("id", "created_at", "updated_at", "version", "case_id", "action", "actor_kind",
  "actor_id", "on_behalf_of", "from_stage", "to_stage", "status", "reason", "data", "public") VALUES ($1,
  DEFAULT, DEFAULT, 1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING "created_at", "updated_at",
  "version", "data", "public"`;
const EFFECTS_SQL = `UPDATE "application" SET "event_effects" = $1, "promised_due_at" = $2, "due_provisional" = $3, "status" =
  $4, "version" = "version" + 1, "updated_at" = CURRENT_TIMESTAMP WHERE "id" = $5 RETURNING "version",
  "updated_at"`;
const ACCOUNT_SQL = `SELECT "Account"."id" AS "Account_id", "Account"."email" AS "Account_email", "Account"."phone" AS
  "Account_phone" FROM "account" "Account" WHERE (("Account"."id" = $1)) LIMIT 1`;
const INBOX_SQL = `INSERT INTO "inbox_message"("id", "created_at", "updated_at", "version", "account_id", "template", "title",
  "body", "link", "read_at") VALUES ($1, DEFAULT, DEFAULT, 1, $2, $3, $4, $5, $6, $7) RETURNING
  "created_at", "updated_at", "version"`;
const SAVE_SQL = `INSERT INTO idempotency_key AS k (scope, "key", request_hash, response_status, response_body, cipher_key_id,
  location, expires_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, now() + ($8::int * interval '1 hour'),
  now()) ON CONFLICT (scope, "key") DO UPDATE SET request_hash = EXCLUDED.request_hash, response_status =
  EXCLUDED.response_status, response_body = EXCLUDED.response_body, cipher_key_id = EXCLUDED.cipher_key_id,
  location = EXCLUDED.location, expires_at = EXCLUDED.expires_at, created_at = EXCLUDED.created_at WHERE
  k.expires_at <= now() RETURNING 1 AS saved`;
const LEAVES_SQL = `INSERT INTO "audit_leaf"("seq", "at", "actor_kind", "actor_id", "on_behalf_of", "organisation_id", "action",
  "resource_type", "resource_id", "subject_id", "purpose", "legal_basis", "channel", "request_id",
  "hidden_until", "leaf_hash") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15,
  $16), ($17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31, $32)`;
/** The key's committed record (looked up before the transaction, and again under its lock). */
const RECORD_SQL = `SELECT request_hash, response_status, response_body, location FROM idempotency_key
  WHERE scope = $1 AND "key" = $2 AND expires_at > now()`;

/**
 * FIELD_KEYS' first key (`id:base64`), as the API seals with; a throwaway one when unset (the
 * drafts' personal answers then cannot be opened: every submission answers 422).
 */
const [FIELD_KEY_ID, FIELD_KEY] = ((): [string, KeyObject] => {
  const first = (process.env.FIELD_KEYS ?? '').split(',')[0];
  const at = first.indexOf(':');
  return at > 0
    ? [first.slice(0, at), createSecretKey(Buffer.from(first.slice(at + 1), 'base64'))]
    : ['bench', createSecretKey(randomBytes(32))];
})();

/** The API's envelope (FieldCipher): `v1.<keyId>.<iv>.<ciphertext+tag>`, AAD bound to key and column. */
function seal(plaintext: string, aad: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', FIELD_KEY, iv, { authTagLength: 16 });
  cipher.setAAD(Buffer.from(`v1.${FIELD_KEY_ID}\u0000${aad}`, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
  return `v1.${FIELD_KEY_ID}.${iv.toString('base64url')}.${body.toString('base64url')}`;
}

function open(envelope: string, aad: string): string {
  const [, keyId, iv, b64] = envelope.split('.');
  const body = Buffer.from(b64, 'base64url');
  const decipher = createDecipheriv('aes-256-gcm', FIELD_KEY, Buffer.from(iv, 'base64url'), {
    authTagLength: 16,
  });
  decipher.setAAD(Buffer.from(`v1.${keyId}\u0000${aad}`, 'utf8'));
  decipher.setAuthTag(body.subarray(body.length - 16));
  return Buffer.concat([decipher.update(body.subarray(0, body.length - 16)), decipher.final()]).toString(
    'utf8',
  );
}

const FORM_AAD = 'application.form_personal';

/** The advisory lock of one (scope, key), as the API derives it. */
function keyLock(scope: string, key: string): string {
  return createHash('sha256').update(`${scope}\n${key}`).digest().readBigInt64BE(0).toString();
}

/**
 * The API's shared rate-limit store (PostgreSQL): hits arriving while a flush runs wait for the
 * next one, which counts them all in one statement.
 */
const pendingHits = new Map<string, Array<() => void>>();
let flushing = false;

function rateLimitHit(pool: Pool, caller: string): Promise<void> {
  return new Promise((resolve) => {
    const waiters = pendingHits.get(caller) ?? [];
    waiters.push(resolve);
    pendingHits.set(caller, waiters);
    if (!flushing) void flushHits(pool);
  });
}

async function flushHits(pool: Pool): Promise<void> {
  flushing = true;
  while (pendingHits.size) {
    const batch = new Map(pendingHits);
    pendingHits.clear();
    const keys = [...batch.keys()].sort();
    await pool
      .query(RATE_SQL, [keys, keys.map((k) => batch.get(k)!.length), keys.map(() => 60_000)])
      .catch(() => undefined);
    for (const waiters of batch.values()) for (const w of waiters) w();
  }
  flushing = false;
}

/** The API's sequencer lock (AUDIT_SEQUENCER_LOCK), one for the whole log. */
export const AUDIT_LOCK = '87236176856148';
const QUEUE_SQL = `INSERT INTO "audit_queue"("at", "fields") VALUES ($1, $2), ($3, $4) RETURNING "id"`;
const BATCH = 500;

function leafHash(fields: unknown[]): Buffer {
  return createHash('sha256')
    .update(Buffer.from([0]))
    .update(JSON.stringify(fields))
    .digest();
}

/** The queued fields of a leaf as the API stores them (jsonb); the hash comes when it is numbered. */
function queuedFields(
  actorId: string,
  action: string,
  type: string,
  id: string,
  subject: string | null,
  requestId: string,
) {
  return JSON.stringify({
    actorKind: 'citizen',
    actorId,
    onBehalfOf: null,
    organisationId: null,
    action,
    resourceType: type,
    resourceId: id,
    subjectId: subject,
    purpose: null,
    legalBasis: null,
    channel: null,
    requestId,
    hiddenUntil: null,
  });
}

/** A leaf's 16 columns in the API's insert order, with its hash. */
function leafRow(seq: string, at: Date, f: Record<string, string | null>): unknown[] {
  const row = [
    seq,
    at,
    'citizen',
    f.actorId,
    null,
    null,
    f.action,
    f.resourceType,
    f.resourceId,
    f.subjectId,
  ];
  return [...row, null, null, null, f.requestId, null, leafHash(row)];
}

/** TypeORM's multi-row INSERT into audit_leaf for n leaves ($1..$16n). */
function leavesSql(n: number): string {
  const tuples = Array.from(
    { length: n },
    (_, r) => `(${Array.from({ length: 16 }, (_, c) => `$${r * 16 + c + 1}`).join(', ')})`,
  );
  return LEAVES_SQL.replace(/VALUES .*$/s, `VALUES ${tuples.join(', ')}`);
}

/** The API's batch: one transaction under the lock numbers every queued leaf (AuditService.sequenceQueued). */
async function sequenceBatch(pool: Pool): Promise<number> {
  return inTransaction(pool, async (c) => {
    await c.query('SELECT pg_advisory_xact_lock($1)', [AUDIT_LOCK]);
    const queued = (
      await c.query<Row>(
        `SELECT q.id::text AS id, q.at, q.fields, (SELECT coalesce(max(seq) + 1, 0) FROM audit_leaf)::text AS next
           FROM audit_queue q ORDER BY q.id LIMIT $1`,
        [BATCH],
      )
    ).rows;
    if (!queued.length) return 0;
    let seq = BigInt(queued[0].next as string);
    const values = queued.flatMap((row) =>
      leafRow(String(seq++), row.at as Date, row.fields as Record<string, string | null>),
    );
    await c.query(leavesSql(queued.length), values);
    await c.query('DELETE FROM audit_queue WHERE id = ANY($1::bigint[])', [queued.map((q) => q.id)]);
    return queued.length;
  });
}

let batch: Promise<void> | null = null;
let nextBatch: Promise<void> | null = null;

/** Waits for a batch that starts after the caller's commit; writers arriving meanwhile share it. */
export function sequenceQueued(pool: Pool): Promise<void> {
  if (nextBatch) return nextBatch;
  if (!batch) {
    batch = (async () => {
      while ((await sequenceBatch(pool)) === BATCH);
    })().finally(() => (batch = null));
    return batch;
  }
  nextBatch = batch.then(() => {
    nextBatch = null;
    return sequenceQueued(pool);
  });
  return nextBatch;
}

/**
 * The submission's audit step, as AuditService.append does it at the end of the transaction: the
 * sequencer lock tried; when free, the next seq and both leaves; when busy, both leaves queued.
 * True when queued: the caller waits for sequenceQueued() once committed.
 */
export async function auditTwoLeaves(q: Q, actor: string, caseId: string, appId: string): Promise<boolean> {
  const at = new Date();
  const requestId = randomUUID();
  const [{ locked }] = await q('SELECT pg_try_advisory_xact_lock($1) AS locked', [AUDIT_LOCK]);
  if (!locked) {
    await q(QUEUE_SQL, [
      at,
      queuedFields(actor, 'case.started', 'case', caseId, null, requestId),
      at,
      queuedFields(actor, 'application.submit', 'application', appId, actor, requestId),
    ]);
    return true;
  }
  await lockedTwoLeaves(q, actor, caseId, appId, at, requestId);
  return false;
}

/** Both leaves numbered in place; the caller holds the sequencer lock (to COMMIT). */
export async function lockedTwoLeaves(
  q: Q,
  actor: string,
  caseId: string,
  appId: string,
  at = new Date(),
  requestId: string = randomUUID(),
): Promise<void> {
  const [{ next }] = await q('SELECT coalesce(max(seq) + 1, 0)::text AS next FROM audit_leaf');
  const seq = BigInt(next as string);
  const leaf = (action: string, type: string, id: string, subject: string | null) => ({
    actorId: actor,
    action,
    resourceType: type,
    resourceId: id,
    subjectId: subject,
    requestId,
  });
  await q(LEAVES_SQL, [
    ...leafRow(String(seq), at, leaf('case.started', 'case', caseId, null)),
    ...leafRow(String(seq + 1n), at, leaf('application.submit', 'application', appId, actor)),
  ]);
}

/** The form's personal fields (x-personal) by name and kind, from the published schema. */
function personalMarks(schema: unknown): Map<string, string> {
  const props = (schema as { properties?: Record<string, Record<string, unknown>> }).properties ?? {};
  return new Map(
    Object.entries(props)
      .filter(([, p]) => typeof p['x-personal'] === 'string')
      .map(([k, p]) => [k, p['x-personal'] as string]),
  );
}

/** POST /applications/:id/submit on the bare server (Authorization and Idempotency-Key as for the API). */
export async function submitSameSql(
  pool: Pool,
  secret: string,
  id: string,
  req: IncomingMessage,
  res: ServerResponse,
  validForm: (form: unknown) => boolean,
): Promise<void> {
  const token = verifyToken(req.headers.authorization, secret);
  const key = req.headers['idempotency-key'];
  if (!token || typeof key !== 'string') return end(res, 401);
  const [who] = (await pool.query<Row>(SESSION_SQL, [token.sub, token.sid])).rows;
  if (who?.status !== 'active') return end(res, 401);
  const scope = `citizen:${token.sub}`;
  await rateLimitHit(pool, scope);
  const hash = createHash('sha256').update(`POST /v1/applications/${id}/submit {}`).digest('hex');
  // A committed record would be replayed; the bench's keys are always fresh.
  if ((await pool.query(RECORD_SQL, [scope, key])).rowCount) return end(res, 409);

  let queued = false;
  const body = await inTransaction(pool, async (c) => {
    const q: Q = (sql, values = []) => c.query<Row>(sql, values).then((r) => r.rows);
    // The transaction's events, written together just before the audit step (EventsService).
    const events: TwinEvent[] = [];
    const publish = (
      type: string,
      aggregateType: string,
      aggregateId: string,
      payload: Row,
      subscribers: TwinEvent['subscribers'] = [],
    ) =>
      events.push({
        id: randomUUID(),
        type,
        aggregateType,
        aggregateId,
        payload,
        actorKind: 'citizen',
        actorId: token.sub,
        occurredAt: new Date(),
        subscribers,
      });
    const [{ locked }] = await q('SELECT pg_try_advisory_xact_lock($1::bigint) AS locked', [
      keyLock(scope, key),
    ]);
    if (!locked || (await q(RECORD_SQL, [scope, key])).length) return null;
    const [app] = await q(APP_LOCK_SQL, [id]);
    if (!app || app.Application_applicant_account_id !== token.sub || app.Application_status !== 'draft')
      return null;
    const [service] = await q(SERVICE_SQL, [app.Application_service_id]);
    const [version] = await q(VERSION_SQL, [service.Service_current_published_version_id]);
    const schema = (version.ServiceVersion_content as { form: unknown }).form;
    // The draft's answers: plain ones and the sealed personal ones, opened.
    const personal = app.Application_form_personal
      ? (JSON.parse(open(app.Application_form_personal as string, FORM_AAD)) as Record<
          string,
          { kind: string; value: unknown }
        >)
      : {};
    const form: Record<string, unknown> = { ...(app.Application_form_data as Record<string, unknown>) };
    for (const [k, p] of Object.entries(personal)) form[k] = p.value;
    if (!validForm(form)) return null;
    const attachments = await q(ATTACH_SQL, [[id]]);
    const [{ n }] = await q(`SELECT nextval('application_number_seq')::text AS n`);
    const receivedAt = new Date();
    const number = `${receivedAt.toISOString().slice(0, 10).replace(/-/g, '')}${String(app.Application_region_code)}${String(Number(n) % 1_000_000).padStart(6, '0')}`;
    // Sealed again: the marked fields in one envelope, the rest plain.
    const marks = personalMarks(schema);
    const plain: Record<string, unknown> = {};
    const sealed: Record<string, { kind: string; value: unknown }> = {};
    for (const [k, v] of Object.entries(form)) {
      const kind = marks.get(k) ?? personal[k]?.kind;
      if (kind) sealed[k] = { kind, value: v };
      else plain[k] = v;
    }
    const formPersonal = Object.keys(sealed).length ? seal(JSON.stringify(sealed), FORM_AAD) : null;
    await q(UPDATE_SQL, [
      JSON.stringify(plain),
      formPersonal,
      number,
      'submitted',
      receivedAt,
      version.ServiceVersion_id,
      id,
    ]);
    publish('application.submitted', 'application', id, { applicationId: id, serviceId: service.Service_id });
    const [definition] = await q(WORKFLOW_SQL, ['service', service.Service_id, 'active']);
    const caseId = randomUUID();
    const dueAt = new Date(receivedAt.getTime() + 3 * 86_400_000);
    const stage = (definition.WorkflowDefinition_spec as { start: string }).start;
    const organisation = service.Service_organisation_id;
    await q(CASE_SQL, [
      caseId,
      'application',
      id,
      number,
      'service',
      service.Service_id,
      service.Service_id,
      definition.WorkflowDefinition_id,
      organisation,
      organisation,
      service.Service_region_code,
      token.sub,
      stage,
      'open',
      null,
      null,
      receivedAt,
      null,
      JSON.stringify({ amount: 1, unit: 'working_days' }),
      '[]',
      '[]',
      dueAt,
      false,
      'green',
      false,
      '{}',
      '{}',
      '{}',
      JSON.stringify(plain),
      null,
      null,
      null,
    ]);
    const task = [randomUUID(), caseId, stage, 'work', 0, organisation, 'case:handle', null, 'open'];
    await q(TASK_SQL, [...task, null, 'green', null, null, null, null, null, null]);
    const eventId = randomUUID();
    await q(EVENT_SQL, [
      eventId,
      caseId,
      'started',
      'citizen',
      token.sub,
      null,
      null,
      stage,
      'open',
      null,
      '{}',
      true,
    ]);
    publish('case.transitioned', 'case', caseId, {
      caseId,
      caseEventId: eventId,
      caseType: 'service',
      subjectType: 'application',
      subjectId: id,
      action: 'started',
      effect: 'started',
      fromStage: null,
      toStage: stage,
      status: 'open',
      public: true,
    });
    // The status listener (handed the row the submission holds): the case's dates.
    const [updated] = await q(EFFECTS_SQL, [
      JSON.stringify({ [eventId]: 'started' }),
      dueAt,
      false,
      'submitted',
      id,
    ]);
    publish(
      'application.status_changed',
      'application',
      id,
      {
        applicationId: id,
        serviceId: service.Service_id,
        caseId,
        caseEventId: eventId,
        effect: 'started',
        from: 'submitted',
        to: 'submitted',
        licenceId: null,
        language: 'zh-CN',
      },
      [[APPLICANT_NOTICES, 12]],
    );
    const title = String(service.Service_title_zh);
    // The API's application view, key for key (ApplicationAccess.views).
    const iso = (d: unknown) => (d instanceof Date ? d.toISOString() : null);
    const answer = {
      id,
      number,
      serviceId: service.Service_id,
      serviceVersionId: version.ServiceVersion_id,
      serviceTitle: title,
      organisationId: app.Application_organisation_id,
      regionCode: app.Application_region_code,
      applicantAccountId: app.Application_applicant_account_id,
      businessAccountId: app.Application_business_account_id,
      status: 'submitted',
      formData: form,
      submittedAt: receivedAt.toISOString(),
      promisedDueAt: dueAt.toISOString(),
      dueProvisional: false,
      supplement: null,
      decision: app.Application_decision,
      decisionReason: app.Application_decision_reason,
      licence: null,
      withdrawnAt: iso(app.Application_withdrawn_at),
      attachments: attachments.map((a) => ({
        id: a.id,
        material: a.material,
        fileId: a.fileId,
        name: a.name,
        contentType: a.contentType,
        size: a.size,
        sha256: a.sha256,
        phase: a.phase,
        createdAt: iso(a.createdAt),
      })),
      createdAt: iso(app.Application_created_at),
      updatedAt: iso(updated.updated_at),
      version: updated.version,
    };
    // The record and its sealed answer commit with the effect; then the audit sequencer (its lock
    // tried: numbered now when free, queued when busy), just before COMMIT as in the API.
    const text = JSON.stringify(answer);
    const aad = `idempotency_key.response_body\u0000${scope}\u0000${key}`;
    await q(SAVE_SQL, [scope, key, hash, 200, seal(text, aad), FIELD_KEY_ID, null, 24]);
    await writeEvents(q, events);
    queued = await auditTwoLeaves(q, token.sub, caseId, id);
    return text;
  });
  // Committed: the applicant's notice is the durable subscriber's, kicked now; then the audit batch.
  if (body) (deliveries ??= new DeliveryTwin(pool, APPLICANT_NOTICES, tellApplicant)).kick();
  if (queued) await sequenceQueued(pool);
  if (!body) return end(res, 422);
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(body);
}

const APPLICANT_NOTICES = 'notifications.applicant';
let deliveries: DeliveryTwin | undefined;

/** The API's notifications.applicant handler for a submission's status change: the in-app message. */
async function tellApplicant(q: Q, delivery: Row): Promise<void> {
  const p = delivery.payload as { applicationId: string; serviceId: string };
  const [app] = await q(APP_SQL, [p.applicationId]);
  const [service] = await q(SERVICE_SQL, [p.serviceId]);
  const account = app.Application_applicant_account_id as string;
  await q(ACCOUNT_SQL, [account]);
  // (no notification_preference read: the citizen has no e-mail address, the only other channel)
  const title = String(service.Service_title_zh);
  await q(INBOX_SQL, [
    randomUUID(),
    account,
    'application.status_changed',
    `办件状态更新：${title}`,
    `您的办件「${title}」（受理编号 ${String(app.Application_number)}）状态已更新为：已提交。`,
    `/applications/${p.applicationId}`,
    null,
  ]);
}

function end(res: ServerResponse, status: number): void {
  res.writeHead(status);
  res.end();
}
