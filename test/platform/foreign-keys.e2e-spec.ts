import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import request from 'supertest';
import { ForeignKeys1796200000600, ORPHANS } from '../../migrations/1796200000600-ForeignKeys';
import { createApp } from '../../src/bootstrap';
import { loadConfig } from '../../src/config/config';
import { Db } from '../../src/database/db';
import { startEmbeddedPostgres } from '../../src/database/embedded';
import { runMigrations } from '../../src/database/prepare';
import { seedDemoData } from '../../src/modules/platform/demo/demo-seed';
import { RoleName } from '../../src/modules/platform/identity/staff/role-catalogue';
import { Citizen, signedInCitizen } from '../identity/citizen-fixtures';
import { makeUnit, Person, signedInStaff } from '../identity/staff-fixtures';
import { AppBody, applicationSteps, as, guideContent } from '../public/applications-helpers';
import { onPostgres, TestApp } from '../support/test-app';
import { instantSpec, publishServiceWithWorkflow } from '../support/workflow-fixtures';

/**
 * Issue 12 §6: the ForeignKeys migration on a copy of a populated database. The database is this
 * spec's own (a fresh PGlite, or a new database on the run's PostgreSQL): migrated, filled with the
 * demo data and a whole journey through HTTP (an application with its attachment, the case with its
 * tasks, events and a note, a licence), taken back to just before the migration with its down(),
 * given orphans of every kind the migration repairs, and migrated again. Then the deletes the keys
 * imply, in SQL and through the API.
 */

type Rule = 'CASCADE' | 'RESTRICT' | 'SET NULL';

/** Every parent/child pair and its delete rule (the README's "Database integrity" table). */
const PAIRS: Array<[string, string, string, Rule]> = [
  ['account', 'organisation_id', 'organisation', 'RESTRICT'],
  ['auth_session', 'account_id', 'account', 'CASCADE'],
  ['refresh_token', 'session_id', 'auth_session', 'CASCADE'],
  ['refresh_token', 'account_id', 'account', 'CASCADE'],
  ['refresh_token', 'parent_id', 'refresh_token', 'SET NULL'],
  ['verification_code', 'account_id', 'account', 'CASCADE'],
  ['recovery_code', 'account_id', 'account', 'CASCADE'],
  ['external_identity', 'account_id', 'account', 'CASCADE'],
  ['oidc_login_code', 'account_id', 'account', 'CASCADE'],
  ['channel_identity', 'account_id', 'account', 'CASCADE'],
  ['business_representative', 'business_account_id', 'account', 'CASCADE'],
  ['business_representative', 'representative_account_id', 'account', 'CASCADE'],
  ['role_assignment', 'account_id', 'account', 'CASCADE'],
  ['role_assignment', 'organisation_id', 'organisation', 'CASCADE'],
  ['role_assignment', 'granted_by', 'account', 'SET NULL'],
  ['delegation', 'from_account_id', 'account', 'CASCADE'],
  ['delegation', 'to_account_id', 'account', 'CASCADE'],
  ['delegation', 'organisation_id', 'organisation', 'CASCADE'],
  ['oauth_client', 'organisation_id', 'organisation', 'RESTRICT'],
  ['oauth_client', 'created_by', 'account', 'SET NULL'],
  ['api_key', 'organisation_id', 'organisation', 'RESTRICT'],
  ['api_key', 'owner_account_id', 'account', 'CASCADE'],
  ['notification_preference', 'account_id', 'account', 'CASCADE'],
  ['inbox_message', 'account_id', 'account', 'CASCADE'],
  ['notification_outbox', 'account_id', 'account', 'SET NULL'],
  ['organisation', 'parent_id', 'organisation', 'RESTRICT'],
  ['organisation_closure', 'ancestor_id', 'organisation', 'CASCADE'],
  ['organisation_closure', 'descendant_id', 'organisation', 'CASCADE'],
  ['service', 'organisation_id', 'organisation', 'RESTRICT'],
  ['service', 'current_published_version_id', 'service_version', 'SET NULL'],
  ['service', 'draft_version_id', 'service_version', 'SET NULL'],
  ['service_version', 'service_id', 'service', 'CASCADE'],
  ['application', 'service_id', 'service', 'RESTRICT'],
  ['application', 'service_version_id', 'service_version', 'RESTRICT'],
  ['application', 'organisation_id', 'organisation', 'RESTRICT'],
  ['application', 'applicant_account_id', 'account', 'RESTRICT'],
  ['application', 'business_account_id', 'account', 'RESTRICT'],
  ['application', 'licence_id', 'licence', 'SET NULL'],
  ['application_attachment', 'application_id', 'application', 'CASCADE'],
  ['application_attachment', 'file_id', 'stored_file', 'RESTRICT'],
  ['licence', 'holder_account_id', 'account', 'RESTRICT'],
  ['licence', 'issuer_organisation_id', 'organisation', 'RESTRICT'],
  ['workflow_definition', 'organisation_id', 'organisation', 'RESTRICT'],
  ['case_file', 'definition_id', 'workflow_definition', 'RESTRICT'],
  ['case_file', 'organisation_id', 'organisation', 'RESTRICT'],
  ['case_file', 'receiving_organisation_id', 'organisation', 'RESTRICT'],
  ['case_file', 'applicant_account_id', 'account', 'RESTRICT'],
  ['case_task', 'case_id', 'case_file', 'CASCADE'],
  ['case_task', 'organisation_id', 'organisation', 'RESTRICT'],
  ['case_task', 'assignee_id', 'account', 'SET NULL'],
  ['case_event', 'case_id', 'case_file', 'CASCADE'],
  ['case_event', 'on_behalf_of', 'account', 'RESTRICT'],
  ['case_note', 'case_id', 'case_file', 'CASCADE'],
  ['case_note', 'author_id', 'account', 'RESTRICT'],
];

/** Polymorphic references and actor ids of any kind: deliberately without a key (see the entities). */
const WITHOUT: Array<[string, string]> = [
  ['case_file', 'subject_id'],
  ['stored_file', 'subject_id'],
  ['stored_file', 'uploader_id'],
  ['service_version', 'published_by'],
  ['case_task', 'completed_by'],
  ['workflow_definition', 'created_by'],
];
const AUDIT_TABLES = ['audit_leaf', 'audit_queue', 'audit_tree_head', 'audit_node', 'audit_witnessed'];
const DELETE_RULE: Record<string, Rule | 'NO ACTION'> = {
  c: 'CASCADE',
  r: 'RESTRICT',
  n: 'SET NULL',
  a: 'NO ACTION',
};
const MIGRATION = 'ForeignKeys1796200000600';

interface OwnDatabase {
  url: string;
  /** PGlite serves one connection at a time: wait until the last client has gone. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

/** A database of this spec's own, of the run's kind. */
async function ownDatabase(): Promise<OwnDatabase> {
  if (!onPostgres) {
    const embedded = await startEmbeddedPostgres(':memory:');
    return { url: embedded.url, idle: () => embedded.idle(), close: () => embedded.close() };
  }
  const server = process.env.TEST_DATABASE_URL!;
  const name = `onewindow_fks_${process.pid}`;
  const admin = async (sql: string) => {
    const c = new Client({ connectionString: server });
    await c.connect();
    try {
      await c.query(sql);
    } finally {
      await c.end();
    }
  };
  await admin(`DROP DATABASE IF EXISTS ${name}`);
  await admin(`CREATE DATABASE ${name}`);
  const u = new URL(server);
  u.pathname = `/${name}`;
  return { url: u.toString(), idle: async () => undefined, close: () => admin(`DROP DATABASE ${name}`) };
}

async function bootApp(url: string): Promise<TestApp> {
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: url,
    RATE_LIMIT_ANONYMOUS: '100000',
    RATE_LIMIT_AUTHENTICATED: '100000',
  });
  const app = await createApp(config, url, onPostgres ? 4 : 1);
  return { app, http: request(app.getHttpServer()), db: app.get(Db), config, close: () => app.close() };
}

type Query = <T = Record<string, unknown>>(sql: string, params?: unknown[]) => Promise<T[]>;

/** Row count and a digest of every row of every table but the migrations', minus rows `skip` names. */
async function snapshot(q: Query, skip: Map<string, [string, string[]]>): Promise<Record<string, string>> {
  const tables = await q<{ t: string }>(
    `SELECT table_name AS t FROM information_schema.tables
      WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name <> 'schema_migration'
      ORDER BY 1`,
  );
  const out: Record<string, string> = {};
  for (const { t } of tables) {
    const [column, ids] = skip.get(t) ?? [null, []];
    const where = column ? `WHERE NOT (x."${column}"::text = ANY($1::text[]))` : '';
    const [row] = await q<{ n: number; d: string }>(
      `SELECT count(*)::int AS n, md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) AS d
         FROM "${t}" x ${where}`,
      column ? [ids] : [],
    );
    out[t] = `${row.n}:${row.d}`;
  }
  return out;
}

/**
 * Inserts a copy of the row `where` selects, with `set` replacing columns (the orphans are copies of
 * real rows, so every other column is valid). Each value is cast to its column's type.
 */
async function copyRow(
  q: Query,
  table: string,
  where: string,
  params: unknown[],
  set: Record<string, unknown>,
): Promise<void> {
  const cols = await q<{ c: string; udt: string }>(
    `SELECT column_name AS c, udt_name AS udt FROM information_schema.columns
      WHERE table_schema = 'public' AND table_name = $1 ORDER BY ordinal_position`,
    [table],
  );
  const values = [...params];
  const select = cols.map(({ c, udt }) =>
    Object.hasOwn(set, c) ? `$${values.push(set[c])}::"${udt}"` : `"${c}"`,
  );
  const inserted = await q(
    `INSERT INTO "${table}" (${cols.map(({ c }) => `"${c}"`).join(', ')})
     SELECT ${select.join(', ')} FROM "${table}" WHERE ${where} LIMIT 1 RETURNING 1`,
    values,
  );
  if (inserted.length !== 1) throw new Error(`no ${table} row to copy where ${where}`);
}

describe('foreign keys: the migration on a copy of a populated database', () => {
  let db: OwnDatabase;
  let t: TestApp;
  let alice: Citizen;
  let clerk: Person;
  let unit: string;
  let serviceId: string;
  let definitionId: string;
  let submitted: AppBody;
  let caseId: string;
  let before: Record<string, string>;
  /** orphan rows the spec made, by table: the column that identifies them and their values */
  const orphans = new Map<string, [string, string[]]>();
  const ghost = () => randomUUID();
  const mark = (table: string, column: string, value: string) => {
    const [, ids] = orphans.get(table) ?? [column, []];
    orphans.set(table, [column, [...ids, value]]);
  };
  const q: Query = (sql, params) => t.db.query(sql, params);
  const foreignKeys = () =>
    q<{ tbl: string; col: string; parent: string; rule: string; deferred: boolean }>(
      `SELECT c.relname AS tbl, a.attname AS col, p.relname AS parent, k.confdeltype AS rule,
              k.condeferred AS deferred
         FROM pg_constraint k
         JOIN pg_class c ON c.oid = k.conrelid
         JOIN pg_class p ON p.oid = k.confrelid
         JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = k.conkey[1]
        WHERE k.contype = 'f'`,
    );
  const code = async (sql: string, params: unknown[]) => {
    try {
      await q(sql, params);
      return 'done';
    } catch (e) {
      return (e as { driverError?: { code?: string } }).driverError?.code ?? String(e);
    }
  };

  beforeAll(async () => {
    db = await ownDatabase();
    await runMigrations(db.url);
    await db.idle();

    // 1. Populate: the demo data, then a journey through HTTP.
    t = await bootApp(db.url);
    await seedDemoData(t.app);
    const staff = signedInStaff(() => t);
    const steps = applicationSteps(() => t);
    unit = await makeUnit(t, '外键旅程局');
    clerk = await staff.person(unit, [{ role: RoleName.Clerk, unit }]);
    ({ serviceId, definitionId } = await publishServiceWithWorkflow(t, unit, {
      content: guideContent(),
      spec: instantSpec(),
    }));
    alice = await signedInCitizen(t);
    submitted = await steps.submitted(alice, serviceId);
    caseId = (await steps.caseOf(submitted.id)).id;
    await steps.act(staff.tok(clerk), submitted.id, 'accept');
    await t.http
      .post(`/v1/cases/${caseId}/notes`)
      .set(staff.tok(clerk))
      .send({ body: '材料齐全' })
      .expect(201);
    await steps.act(staff.tok(clerk), submitted.id, 'decide', { decision: 'approved', reason: '符合条件' });
    await steps.act(staff.tok(clerk), submitted.id, 'issue');
    const issued = (await t.http.get(`/v1/applications/${submitted.id}`).set(as(alice)).expect(200))
      .body as AppBody;
    expect(issued.licence).not.toBeNull();
    // a draft with an attachment, for the discard below
    const draft = await steps.draft(alice, serviceId);
    await steps.attach(alice, draft.id, '身份证');

    // 2. Back to just before the migration, as a live database met it.
    const runner = t.db.dataSource.createQueryRunner();
    try {
      await new ForeignKeys1796200000600().down(runner);
    } finally {
      await runner.release();
    }
    await q(`DELETE FROM schema_migration WHERE name = $1`, [MIGRATION]);
    before = await snapshot(q, new Map());

    // 3. Orphans of every kind the migration repairs, each a copy of a real row.
    const [session] = await q<{ id: string }>(`SELECT id FROM auth_session WHERE account_id = $1 LIMIT 1`, [
      alice.id,
    ]);
    const copy = async (table: string, where: string, params: unknown[], set: Record<string, unknown>) => {
      const id = randomUUID();
      await copyRow(q, table, where, params, { id, ...set });
      mark(table, 'id', id);
      return id;
    };
    // delete: rows owned by a parent that is gone; the session's tokens follow the session
    const lostSession = await copy('auth_session', 'id = $1', [session.id], { account_id: ghost() });
    await copy('refresh_token', 'session_id = $1', [session.id], {
      session_id: lostSession,
      token_hash: randomUUID(),
    });
    await copy('role_assignment', 'account_id = $1', [clerk.id], { organisation_id: ghost() });
    await copy('case_task', 'case_id = $1', [caseId], { case_id: ghost() });
    await copy('case_event', 'case_id = $1', [caseId], { case_id: ghost() });
    await copy('case_note', 'case_id = $1', [caseId], { case_id: ghost() });
    await copy('application_attachment', 'application_id = $1', [submitted.id], {
      application_id: ghost(),
      file_id: ghost(),
    });
    await copy('application_attachment', 'application_id = $1', [submitted.id], { file_id: ghost() });
    await copy('service_version', 'service_id = $1', [serviceId], { service_id: ghost() });
    const lostAncestor = ghost();
    await copyRow(q, 'organisation_closure', 'descendant_id = $1', [unit], { ancestor_id: lostAncestor });
    mark('organisation_closure', 'ancestor_id', lostAncestor);
    // null: optional references to nothing
    await copy('refresh_token', 'session_id = $1', [session.id], {
      parent_id: ghost(),
      token_hash: randomUUID(),
    });
    await copy('case_task', 'case_id = $1', [caseId], { assignee_id: ghost() });
    await copy('case_event', 'case_id = $1', [caseId], { on_behalf_of: ghost() });
    await copy('application', 'id = $1', [submitted.id], { number: null, licence_id: ghost() });
    await copy('organisation', 'id = $1', [unit], { parent_id: ghost() });
    await copy('notification_outbox', 'true', [], { account_id: ghost() });
    await t.close();
    await db.idle();
  }, 300_000);

  afterAll(async () => {
    await t?.close();
    await db?.close();
  });

  it('stops on a record whose required parent is missing, naming it, and changes nothing', async () => {
    t = await bootApp(db.url);
    const refused = randomUUID();
    await copyRow(q, 'case_note', 'case_id = $1', [caseId], { id: refused, author_id: randomUUID() });
    const counts = await snapshot(q, new Map());
    await t.close();
    await db.idle();

    await expect(runMigrations(db.url)).rejects.toThrow(/case_note\.author_id → account: 1 row/);
    await db.idle();

    t = await bootApp(db.url);
    expect(await snapshot(q, new Map())).toEqual(counts);
    expect(await q(`SELECT 1 FROM schema_migration WHERE name = $1`, [MIGRATION])).toEqual([]);
    // the person resolves it; then the migration goes through
    await q(`DELETE FROM case_note WHERE id = $1`, [refused]);
    await t.close();
    await db.idle();
    expect(await runMigrations(db.url)).toEqual([MIGRATION]);
    await db.idle();
    t = await bootApp(db.url);
  });

  it('creates every key with its delete rule, and none on polymorphic references or the audit tables', async () => {
    const fks = await foreignKeys();
    const actual = new Map(fks.map((k) => [`${k.tbl}.${k.col}`, k]));
    for (const [table, column, parent, rule] of PAIRS) {
      const k = actual.get(`${table}.${column}`);
      expect({ pair: `${table}.${column}`, parent: k?.parent, rule: k && DELETE_RULE[k.rule] }).toEqual({
        pair: `${table}.${column}`,
        parent,
        rule,
      });
    }
    expect(PAIRS).toHaveLength(54);
    // the service row is written before its first version: checked at commit
    expect(actual.get('service.draft_version_id')?.deferred).toBe(true);
    expect(actual.get('service.current_published_version_id')?.deferred).toBe(true);
    for (const [table, column] of WITHOUT) expect(actual.has(`${table}.${column}`)).toBe(false);
    expect(fks.filter((k) => AUDIT_TABLES.includes(k.tbl) || AUDIT_TABLES.includes(k.parent))).toEqual([]);
    // the migration repairs the orphans of every pair it keys
    expect(ORPHANS.map(([table, column, parent]) => `${table}.${column}>${parent}`).sort()).toEqual(
      PAIRS.map(([table, column, parent]) => `${table}.${column}>${parent}`).sort(),
    );
  });

  it('deletes owned orphans, empties optional references to nothing, and keeps the real data intact', async () => {
    const ids = (table: string) => orphans.get(table)![1];
    const left = async (table: string) =>
      (await q<{ id: string }>(`SELECT id FROM "${table}" WHERE id = ANY($1::uuid[])`, [ids(table)])).map(
        (r) => r.id,
      );
    for (const table of [
      'auth_session',
      'role_assignment',
      'case_note',
      'application_attachment',
      'service_version',
    ])
      expect({ table, left: await left(table) }).toEqual({ table, left: [] });
    expect(
      await q(`SELECT 1 FROM organisation_closure WHERE ancestor_id = ANY($1::uuid[])`, [
        ids('organisation_closure'),
      ]),
    ).toEqual([]);
    // kept, with the reference emptied
    const nulls = await q<{ tbl: string; n: number }>(
      `SELECT 'refresh_token' AS tbl, count(*)::int AS n FROM refresh_token WHERE id = ANY($1::uuid[]) AND parent_id IS NULL
       UNION ALL SELECT 'case_task', count(*)::int FROM case_task WHERE id = ANY($2::uuid[]) AND assignee_id IS NULL
       UNION ALL SELECT 'case_event', count(*)::int FROM case_event WHERE id = ANY($3::uuid[]) AND on_behalf_of IS NULL
       UNION ALL SELECT 'application', count(*)::int FROM application WHERE id = ANY($4::uuid[]) AND licence_id IS NULL
       UNION ALL SELECT 'organisation', count(*)::int FROM organisation WHERE id = ANY($5::uuid[]) AND parent_id IS NULL
       UNION ALL SELECT 'notification_outbox', count(*)::int FROM notification_outbox WHERE id = ANY($6::uuid[]) AND account_id IS NULL`,
      ['refresh_token', 'case_task', 'case_event', 'application', 'organisation', 'notification_outbox'].map(
        ids,
      ),
    );
    // one kept row each (the other orphan copied into refresh_token and case_task/case_event was deleted)
    expect(Object.fromEntries(nulls.map((r) => [r.tbl, r.n]))).toEqual({
      refresh_token: 1,
      case_task: 1,
      case_event: 1,
      application: 1,
      organisation: 1,
      notification_outbox: 1,
    });
    // every other row, of every table, exactly as before
    expect(await snapshot(q, orphans)).toEqual(before);
  });

  it('cascades to owned rows, empties optional references, and refuses deletes RESTRICT guards (23503/23001)', async () => {
    const [{ file_id: fileId }] = await q<{ file_id: string }>(
      `SELECT file_id FROM application_attachment WHERE application_id = $1`,
      [submitted.id],
    );
    const restricted: Array<[string, string]> = [
      ['DELETE FROM account WHERE id = $1', alice.id], // applicant of an application, a case, a licence
      ['DELETE FROM account WHERE id = $1', clerk.id], // author of a case note
      ['DELETE FROM organisation WHERE id = $1', unit], // holds services, cases, staff
      ['DELETE FROM service WHERE id = $1', serviceId], // has applications
      ['DELETE FROM workflow_definition WHERE id = $1', definitionId], // a case runs on it
      ['DELETE FROM stored_file WHERE id = $1', fileId], // an application lists it
    ];
    // foreign_key_violation; PostgreSQL 17 (and PGlite) report a RESTRICT as restrict_violation
    for (const [sql, id] of restricted)
      expect({ sql, code: await code(sql, [id]) }).toEqual({
        sql,
        code: expect.stringMatching(/^23(503|001)$/),
      });

    // an account's own rows go with it; a task it held goes back to the pool
    const temp = randomUUID();
    await q(`INSERT INTO account (id, kind, status) VALUES ($1, 'staff', 'active')`, [temp]);
    await copyRow(q, 'auth_session', 'account_id = $1', [alice.id], { id: randomUUID(), account_id: temp });
    await copyRow(q, 'role_assignment', 'account_id = $1', [clerk.id], {
      id: randomUUID(),
      account_id: temp,
    });
    const [task] = await q<{ id: string }>(`SELECT id FROM case_task WHERE case_id = $1 LIMIT 1`, [caseId]);
    await q(`UPDATE case_task SET assignee_id = $1 WHERE id = $2`, [temp, task.id]);
    expect(await code(`DELETE FROM account WHERE id = $1`, [temp])).toBe('done');
    const count = async (sql: string, p: unknown[]) => (await q<{ n: number }>(sql, p))[0].n;
    expect(await count(`SELECT count(*)::int AS n FROM auth_session WHERE account_id = $1`, [temp])).toBe(0);
    expect(await count(`SELECT count(*)::int AS n FROM role_assignment WHERE account_id = $1`, [temp])).toBe(
      0,
    );
    expect(await q(`SELECT assignee_id FROM case_task WHERE id = $1`, [task.id])).toEqual([
      { assignee_id: null },
    ]);

    // a case takes its tasks, history and notes with it
    const owned = `SELECT (SELECT count(*) FROM case_task WHERE case_id = $1)::int
                        + (SELECT count(*) FROM case_event WHERE case_id = $1)::int
                        + (SELECT count(*) FROM case_note WHERE case_id = $1)::int AS n`;
    expect(await count(owned, [caseId])).toBeGreaterThan(3);
    expect(await code(`DELETE FROM case_file WHERE id = $1`, [caseId])).toBe('done');
    expect(await count(owned, [caseId])).toBe(0);
  });

  it('API: discarding a draft removes its attachment records by cascade; a RESTRICT refusal is a 409 problem', async () => {
    const [draft] = await q<{ id: string; file_id: string }>(
      `SELECT a.id, x.file_id FROM application a JOIN application_attachment x ON x.application_id = a.id
        WHERE a.applicant_account_id = $1 AND a.status = 'draft'`,
      [alice.id],
    );
    await t.http.delete(`/v1/applications/${draft.id}`).set(as(alice)).expect(204);
    expect(await q(`SELECT id FROM application_attachment WHERE application_id = $1`, [draft.id])).toEqual(
      [],
    );
    // the file itself is the files module's: detached, left for the purge
    expect(await q(`SELECT subject_id FROM stored_file WHERE id = $1`, [draft.file_id])).toEqual([
      { subject_id: null },
    ]);

    // A file the files module believes unattached while an application still lists it (a race the
    // service's own check cannot see): the key refuses the delete, and the caller reads a 409.
    const [{ file_id: listed }] = await q<{ file_id: string }>(
      `SELECT file_id FROM application_attachment WHERE application_id = $1`,
      [submitted.id],
    );
    await q(`UPDATE stored_file SET subject_type = NULL, subject_id = NULL WHERE id = $1`, [listed]);
    const res = await t.http.delete(`/v1/files/${listed}`).set(as(alice)).set('Accept-Language', 'en');
    expect(res.status).toBe(409);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({
      status: 409,
      code: 'CONFLICT',
      detail: 'Other records still refer to this one; it cannot be deleted.',
    });
    expect(res.text).not.toMatch(/foreign key|constraint|application_attachment/);
    expect(await q(`SELECT id FROM stored_file WHERE id = $1`, [listed])).toEqual([{ id: listed }]);
  });
});
