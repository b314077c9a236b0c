/**
 * The bare twin of application submission that runs the SAME SQL as the API: hand-written
 * node:http + pg code issuing, in the same order and transaction shape, the statements one
 * API submission issues (captured with log_statement=all; see the README's benchmark notes):
 * session check, the Idempotency-Key's record looked up, BEGIN, the key's advisory lock and a
 * second look, the draft locked, service, published version, attachments, a number from the
 * sequence, the application update, the active workflow, case + task + event inserts (one case
 * per subject: the unique index), the status listener's update, the account's addresses and the
 * inbox message, the key's record with its sealed answer, the audit sequencer (its lock tried:
 * when free, the next seq and both leaves; when busy, both leaves queued), COMMIT, and the batch
 * that numbers queued leaves (shared by the writers waiting for it).
 *
 * What it leaves out is what a framework and an ORM add on top of that SQL: routing, guards,
 * validation, the request context, entity hydration, the workflow engine's generality. So the
 * API's ratio to it is the cost of our code over the database work, as for the read scenarios.
 * The form check is the bare server's hand-written one (validForm), the token's HS256 signature is
 * verified with node:crypto, values are computed the simplest way that satisfies the schema.
 */
import {
  createCipheriv,
  createHash,
  createHmac,
  randomBytes,
  randomUUID,
  timingSafeEqual,
} from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Pool, PoolClient } from 'pg';

interface Token {
  sub: string;
  sid: string;
}

/** The access token's claims when its HS256 signature is good, else null. */
function verifyToken(header: string | undefined, secret: string): Token | null {
  const m = /^Bearer ([\w-]+)\.([\w-]+)\.([\w-]+)$/.exec(header ?? '');
  if (!m) return null;
  const expected = createHmac('sha256', secret).update(`${m[1]}.${m[2]}`).digest();
  const given = Buffer.from(m[3], 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  const claims = JSON.parse(Buffer.from(m[2], 'base64url').toString('utf8')) as Partial<Token>;
  return claims.sub ? { sub: claims.sub, sid: claims.sid ?? randomUUID() } : null;
}

const SESSION_SQL = `SELECT a.kind, a.status, a.tokens_valid_after, s.account_id AS session_account, s.revoked_at
  FROM account a LEFT JOIN auth_session s ON s.id = $2::uuid WHERE a.id = $1::uuid`;
/** The key's committed record (looked up before the transaction, and again under its lock). */
const RECORD_SQL = `SELECT request_hash, response_status, response_body, location
  FROM idempotency_key WHERE scope = $1 AND "key" = $2 AND expires_at > now()`;
/** The record and its sealed answer, written in the submission's own transaction. */
const SAVE_SQL = `INSERT INTO idempotency_key AS k
    (scope, "key", request_hash, response_status, response_body, cipher_key_id, location, expires_at, created_at)
  VALUES ($1, $2, $3, $4, $5, $6, $7, now() + ($8::int * interval '1 hour'), now())
  ON CONFLICT (scope, "key") DO UPDATE
    SET request_hash = EXCLUDED.request_hash, response_status = EXCLUDED.response_status,
        response_body = EXCLUDED.response_body, cipher_key_id = EXCLUDED.cipher_key_id,
        location = EXCLUDED.location, expires_at = EXCLUDED.expires_at, created_at = EXCLUDED.created_at
    WHERE k.expires_at <= now()`;
/** A throwaway AES-256-GCM key: the twin seals its stored answer as the API does (the cost, not the key). */
const SEAL_KEY = randomBytes(32);

function seal(plaintext: string, aad: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', SEAL_KEY, iv);
  cipher.setAAD(Buffer.from(aad));
  const sealed = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
  return `v1.bench.${iv.toString('base64url')}.${sealed.toString('base64url')}`;
}

/** The advisory lock of one (scope, key), as the API derives it. */
function keyLock(scope: string, key: string): string {
  return createHash('sha256').update(`${scope}\n${key}`).digest().readBigInt64BE(0).toString();
}
const CASE_SQL = `INSERT INTO case_file (id, created_at, updated_at, version, subject_type, subject_id, number, service_id,
  definition_id, organisation_id, receiving_organisation_id, region_code, applicant_account_id, stage, status, outcome,
  outcome_reason, received_at, accepted_at, "limit", pauses, extensions, due_at, due_provisional, warning_level,
  supplement_requested, actors, approval, data, decided_at, closed_at, escalated_at)
  VALUES ($1, DEFAULT, DEFAULT, 1, 'application', $2, $3, $4, $5, $6, $6, $7, $8, $9, 'open', NULL, NULL, $10, NULL,
    $11, '[]', '[]', $12, false, 'green', false, '{}', '{}', $13, NULL, NULL, NULL)
  RETURNING created_at, updated_at, version, status, pauses, extensions, due_provisional, warning_level,
    supplement_requested, actors, approval, data`;
const TASK_SQL = `INSERT INTO case_task (id, created_at, updated_at, version, case_id, stage, kind, level, organisation_id,
  permission, assignee_id, status, due_at, warning_level, claimed_at, completed_at, completed_by, completed_action,
  reminded_at, escalated_at)
  VALUES ($1, DEFAULT, DEFAULT, 1, $2, $3, 'work', 0, $4, 'case:handle', NULL, 'open', NULL, 'green', NULL, NULL, NULL,
    NULL, NULL, NULL)
  RETURNING created_at, updated_at, version, kind, level, status, warning_level`;
const EVENT_SQL = `INSERT INTO case_event (id, created_at, updated_at, version, case_id, action, actor_kind, actor_id,
  on_behalf_of, from_stage, to_stage, status, reason, data, public)
  VALUES ($1, DEFAULT, DEFAULT, 1, $2, 'started', 'citizen', $3, NULL, NULL, $4, 'open', NULL, '{}', true)
  RETURNING created_at, updated_at, version, data, public`;
const INBOX_SQL = `INSERT INTO inbox_message (id, created_at, updated_at, version, account_id, template, title, body, link, read_at)
  VALUES ($1, DEFAULT, DEFAULT, 1, $2, 'application.status_changed', $3, $4, $5, NULL)
  RETURNING created_at, updated_at, version`;
const LEAF_COLUMNS = `seq, at, actor_kind, actor_id, on_behalf_of, organisation_id, action, resource_type, resource_id,
  subject_id, purpose, legal_basis, channel, request_id, hidden_until, leaf_hash`;
const LEAVES_SQL = `INSERT INTO audit_leaf (${LEAF_COLUMNS})
  VALUES ($1, $2, 'citizen', $3, NULL, NULL, 'case.started', 'case', $4, NULL, NULL, NULL, NULL, $5, NULL, $6),
         ($7, $2, 'citizen', $3, NULL, NULL, 'application.submit', 'application', $8, $10, NULL, NULL, NULL, $5, NULL, $9)`;
/** The API's sequencer lock (AUDIT_SEQUENCER_LOCK), one for the whole log. */
export const AUDIT_LOCK = '87236176856148';
const QUEUE_SQL = `INSERT INTO audit_queue (at, fields) VALUES ($1, $2::jsonb), ($1, $3::jsonb)`;
const BATCH = 500;

interface Row {
  [column: string]: unknown;
}

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
    const values: unknown[] = [];
    const tuples = queued.map((row) => {
      const f = row.fields as Record<string, string | null>;
      const n = String(seq++);
      const fields = [n, row.at, f.actorId, f.action, f.resourceType, f.resourceId, f.subjectId, f.requestId];
      values.push(...fields, leafHash(fields));
      const p = (i: number) => `$${values.length - 8 + i}`;
      return `(${p(0)}, ${p(1)}, 'citizen', ${p(2)}, NULL, NULL, ${p(3)}, ${p(4)}, ${p(5)}, ${p(6)}, NULL, NULL, NULL, ${p(7)}, NULL, ${p(8)})`;
    });
    await c.query(`INSERT INTO audit_leaf (${LEAF_COLUMNS}) VALUES ${tuples.join(', ')}`, values);
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

type Q = (sql: string, values?: unknown[]) => Promise<Row[]>;

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
  await q(LEAVES_SQL, [
    String(seq),
    at,
    actor,
    caseId,
    requestId,
    leafHash([String(seq), at, actor, caseId, requestId]),
    String(seq + 1n),
    appId,
    leafHash([String(seq + 1n), at, actor, appId, requestId]),
    actor,
  ]);
}

export async function inTransaction<T>(pool: Pool, work: (c: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('START TRANSACTION');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  } finally {
    client.release();
  }
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
  const hash = createHash('sha256').update(`POST /v1/applications/${id}/submit {}`).digest('hex');
  // A committed record would be replayed; the bench's keys are always fresh.
  if ((await pool.query(RECORD_SQL, [scope, key])).rowCount) return end(res, 409);

  let queued = false;
  const body = await inTransaction(pool, async (c) => {
    const q = (sql: string, values: unknown[] = []) => c.query<Row>(sql, values).then((r) => r.rows);
    const [{ locked }] = await q('SELECT pg_try_advisory_xact_lock($1::bigint) AS locked', [
      keyLock(scope, key),
    ]);
    if (!locked || (await q(RECORD_SQL, [scope, key])).length) return null;
    const [app] = await q('SELECT * FROM application WHERE id = $1 LIMIT 1 FOR UPDATE', [id]);
    if (!app || app.applicant_account_id !== token.sub || app.status !== 'draft') return null;
    const [service] = await q('SELECT * FROM service WHERE id = $1 LIMIT 1', [app.service_id]);
    const [version] = await q('SELECT * FROM service_version WHERE id = $1 LIMIT 1', [
      service.current_published_version_id,
    ]);
    if (!validForm(app.form_data)) return null;
    const attachments = await q(
      'SELECT * FROM application_attachment WHERE application_id = $1 ORDER BY created_at, id',
      [id],
    );
    const [{ n }] = await q(`SELECT nextval('application_number_seq')::text AS n`);
    const receivedAt = new Date();
    const number = `${receivedAt.toISOString().slice(0, 10).replace(/-/g, '')}${String(app.region_code)}${String(Number(n) % 1_000_000).padStart(6, '0')}`;
    await q(
      `UPDATE application SET number = $1, status = 'submitted', submitted_at = $2, service_version_id = $3,
         version = version + 1, updated_at = CURRENT_TIMESTAMP WHERE id = $4 RETURNING version, updated_at`,
      [number, receivedAt, version.id, id],
    );
    const [definition] = await q(
      `SELECT * FROM workflow_definition WHERE service_id = $1 AND state = 'active' LIMIT 1`,
      [service.id],
    );
    const caseId = randomUUID();
    const dueAt = new Date(receivedAt.getTime() + 3 * 86_400_000);
    const stage = (definition.spec as { start: string }).start;
    await q(CASE_SQL, [
      caseId,
      id,
      number,
      service.id,
      definition.id,
      service.organisation_id,
      service.region_code,
      token.sub,
      stage,
      receivedAt,
      JSON.stringify({ unit: 'working_days', amount: 1 }),
      dueAt,
      JSON.stringify(app.form_data),
    ]);
    await q(TASK_SQL, [randomUUID(), caseId, stage, service.organisation_id]);
    const eventId = randomUUID();
    await q(EVENT_SQL, [eventId, caseId, token.sub, stage]);
    // The status listener (handed the row the submission holds): the case's dates.
    await q(
      `UPDATE application SET event_effects = $1, promised_due_at = $2, due_provisional = false, status = 'submitted',
         version = version + 1, updated_at = CURRENT_TIMESTAMP WHERE id = $3 RETURNING version, updated_at`,
      [JSON.stringify({ [eventId]: 'started' }), dueAt, id],
    );
    await q('SELECT id, email, phone FROM account WHERE id = $1 LIMIT 1', [token.sub]);
    // (no notification_preference read: the citizen has no e-mail address, the only other channel)
    const title = String(service.title_zh);
    await q(INBOX_SQL, [
      randomUUID(),
      token.sub,
      `办件状态更新：${title}`,
      `您的办件「${title}」（受理编号 ${number}）状态已更新为：已提交。`,
      `/applications/${id}`,
    ]);
    const answer = {
      id,
      number,
      serviceId: service.id,
      serviceTitle: title,
      status: 'submitted',
      formData: app.form_data,
      submittedAt: receivedAt.toISOString(),
      promisedDueAt: dueAt.toISOString(),
      attachments: attachments.map((a) => ({ id: a.id, material: a.material })),
    };
    // The record and its sealed answer commit with the effect; then the audit sequencer (its lock
    // tried: numbered now when free, queued when busy), just before COMMIT as in the API.
    const text = JSON.stringify(answer);
    await q(SAVE_SQL, [scope, key, hash, 200, seal(text, `${scope}\u0000${key}`), 'bench', null, 24]);
    queued = await auditTwoLeaves(q, token.sub, caseId, id);
    return text;
  });
  if (queued) await sequenceQueued(pool);
  if (!body) return end(res, 422);
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(body);
}

function end(res: ServerResponse, status: number): void {
  res.writeHead(status);
  res.end();
}
