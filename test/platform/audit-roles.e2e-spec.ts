import { Client } from 'pg';
import request from 'supertest';
import { Permission } from '../../src/api/auth/permission';
import { createApp } from '../../src/bootstrap';
import { loadConfig } from '../../src/config/config';
import { Db } from '../../src/database/db';
import { dbRolesSql } from '../../src/database/db-roles';
import { prepareDatabase } from '../../src/database/prepare';
import { uuidv7 } from '../../src/database/uuid';
import { AUDIT_GUARD_SQL } from '../../src/modules/platform/audit/audit-guard.sql';
import { verifyAuditLog } from '../../src/modules/platform/audit/audit-verifier';
import { vkeyToPublicKey } from '../../src/modules/platform/audit/checkpoint';
import { AuditService } from '../../src/modules/platform/audit/audit.service';
import { OrganisationKind, RegionLevel } from '../../src/modules/platform/organisations/organisation.entity';
import { describeOnPostgres, TestApp } from '../support/test-app';
import { scopedToken } from '../support/tokens';

/**
 * The production roles (src/database/db-roles.ts) on the run's PostgreSQL database: the app runs as
 * the runtime role and does its work, while that role cannot switch the audit log's guard off in any
 * way (ALTER TABLE … DISABLE TRIGGER, TRUNCATE, DELETE/UPDATE, the maintenance setting, SET ROLE).
 */
describeOnPostgres('database roles: the API runs as a role that cannot rewrite the audit log', () => {
  const suffix = `${process.pid}_${uuidv7().slice(-6)}`.toLowerCase();
  const owner = `ow_owner_${suffix}`;
  const runtime = `ow_app_${suffix}`;
  const dbUrl = new URL(process.env.OW_TEST_DATABASE_URL!);
  const database = dbUrl.pathname.slice(1);
  const urlAs = (user: string): string => {
    const u = new URL(dbUrl);
    u.username = user;
    u.password = '';
    return u.toString();
  };
  let admin: Client;
  let asRuntime: Client;
  let asOwner: Client;
  let t: TestApp;

  /** The SQLSTATE and message a statement fails with as `client`, or null if it succeeded (rolled back). */
  async function attempt(
    client: Client,
    ...statements: string[]
  ): Promise<{ code: string; message: string } | null> {
    await client.query('BEGIN');
    try {
      for (const sql of statements) await client.query(sql);
      return null;
    } catch (e) {
      const err = e as { code: string; message: string };
      return { code: err.code, message: err.message };
    } finally {
      await client.query('ROLLBACK');
    }
  }

  beforeAll(async () => {
    admin = new Client({ connectionString: dbUrl.toString() });
    await admin.connect();
    await admin.query(AUDIT_GUARD_SQL);
    await admin.query(`CREATE ROLE ${owner} LOGIN`);
    await admin.query(`CREATE ROLE ${runtime} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE`);
    // The run's migrations ran as the superuser; in production they run as the owner (MIGRATION_DATABASE_URL),
    // who thus owns every table. Hand them over as that would have (given back in afterAll).
    await admin.query(`DO $$
      DECLARE r record;
      BEGIN
        FOR r IN SELECT tablename FROM pg_tables WHERE schemaname = 'public' LOOP
          EXECUTE format('ALTER TABLE %I OWNER TO ${owner}', r.tablename);
        END LOOP;
      END $$`);
    await admin.query(dbRolesSql({ database, owner, runtime }));

    const config = loadConfig({
      NODE_ENV: 'test',
      DATABASE_URL: urlAs(runtime),
      MIGRATION_DATABASE_URL: urlAs(owner),
    });
    // Migrations as the owner (nothing is pending here; the connection and the bookkeeping are checked).
    const prepared = await prepareDatabase(config);
    expect(prepared.url).toBe(urlAs(runtime));
    const app = await createApp(config, prepared.url, 2);
    t = { app, http: request(app.getHttpServer()), db: app.get(Db), config, close: () => app.close() };
    asRuntime = new Client({ connectionString: urlAs(runtime) });
    asOwner = new Client({ connectionString: urlAs(owner) });
    await asRuntime.connect();
    await asOwner.connect();
  });

  afterAll(async () => {
    await t?.close();
    await asRuntime?.end();
    await asOwner?.end();
    if (admin) {
      await admin.query(`REASSIGN OWNED BY ${owner} TO CURRENT_USER`);
      // One role at a time: dropping both at once trips over the default ACL that links them.
      await admin.query(`DROP OWNED BY ${runtime}`);
      await admin.query(`DROP OWNED BY ${owner}`);
      await admin.query(`DROP ROLE ${runtime}`);
      await admin.query(`DROP ROLE ${owner}`);
      await admin.end();
    }
  });

  it('connects as the runtime role, which owns nothing and is no member of the owner', async () => {
    const [row] = (
      await asRuntime.query<{ me: string; su: boolean; member: boolean; owns: number }>(
        `SELECT current_user AS me, (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS su,
                pg_has_role(current_user, $1, 'MEMBER') AS member,
                (SELECT count(*)::int FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                  WHERE n.nspname = 'public' AND pg_get_userbyid(c.relowner) = current_user) AS owns`,
        [owner],
      )
    ).rows;
    expect(row).toEqual({ me: runtime, su: false, member: false, owns: 0 });
    const [app] = await t.db.query<{ me: string }>('SELECT current_user AS me');
    expect(app.me).toBe(runtime);
  });

  it('does its work as that role: a write with its audit leaf, a signed checkpoint, a verified log', async () => {
    const token = await scopedToken(t, 'staff', [Permission.OrganisationManage]);
    const code = `8${String(Date.now()).slice(-5)}`;
    await t.http
      .post('/v1/regions')
      .set('Authorization', `Bearer ${token}`)
      .send({ code, name: `角色区${code}`, level: RegionLevel.Province })
      .expect(201);
    const requestId = `roles-${uuidv7()}`;
    const created = await t.http
      .post('/v1/organisations')
      .set('Authorization', `Bearer ${token}`)
      .set('X-Request-Id', requestId)
      .send({ name: `角色测试局${code}`, kind: OrganisationKind.Agency, regionCode: code })
      .expect(201);
    const leaves = await t.db.query<{ seq: string; resource_id: string }>(
      'SELECT seq::text AS seq, resource_id FROM audit_leaf WHERE request_id = $1',
      [requestId],
    );
    expect(leaves).toEqual([{ seq: expect.any(String), resource_id: created.body.id }]);

    const cp = await t.http.get('/v1/audit/checkpoint').expect(200);
    expect(cp.body.size).toBeGreaterThan(Number(leaves[0].seq));
    const pk = vkeyToPublicKey(t.app.get(AuditService).publicKey().vkey);
    const report = await verifyAuditLog((sql, p) => t.db.query(sql, p), {
      keys: new Map([[pk.name, pk.publicKey]]),
    });
    expect(report).toMatchObject({ ok: true, problems: [] });
  });

  it('cannot ALTER TABLE … DISABLE TRIGGER, drop the trigger or replace its function', async () => {
    for (const sql of [
      'ALTER TABLE audit_leaf DISABLE TRIGGER audit_leaf_append_only',
      'ALTER TABLE audit_tree_head DISABLE TRIGGER ALL',
      'DROP TRIGGER audit_leaf_append_only ON audit_leaf',
      `CREATE OR REPLACE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN OLD; END $$`,
    ]) {
      expect([sql, await attempt(asRuntime, sql)]).toEqual([
        sql,
        { code: '42501', message: expect.stringMatching(/must be owner|permission denied/) },
      ]);
    }
  });

  it('cannot TRUNCATE, DELETE or UPDATE audit leaves and tree heads', async () => {
    for (const sql of [
      'TRUNCATE audit_leaf',
      'TRUNCATE audit_tree_head',
      'DELETE FROM audit_leaf WHERE seq >= 0',
      `UPDATE audit_leaf SET purpose = 'rewritten'`,
      'DELETE FROM audit_tree_head',
      `UPDATE audit_tree_head SET note = 'forged'`,
      'DELETE FROM audit_witnessed',
    ]) {
      expect([sql, await attempt(asRuntime, sql)]).toEqual([
        sql,
        { code: '42501', message: expect.stringMatching(/permission denied/) },
      ]);
    }
  });

  it('cannot use the maintenance switch, even with DELETE granted; the owner can', async () => {
    const [{ n }] = (await asRuntime.query<{ n: number }>('SELECT count(*)::int AS n FROM audit_leaf')).rows;
    expect(n).toBeGreaterThan(0);
    await admin.query(`GRANT DELETE, UPDATE ON audit_leaf TO ${runtime}`);
    try {
      const refused = await attempt(
        asRuntime,
        `SET LOCAL onewindow.audit_maintenance = 'on'`,
        'DELETE FROM audit_leaf WHERE seq >= 0',
      );
      expect(refused).toEqual({
        code: '42501',
        message: 'audit log is append-only: DELETE on audit_leaf is not allowed',
      });
      expect(await attempt(asRuntime, `SET ROLE ${owner}`)).toMatchObject({
        code: '42501',
        message: expect.stringMatching(/permission denied to set role/),
      });
    } finally {
      await admin.query(`REVOKE DELETE, UPDATE ON audit_leaf FROM ${runtime}`);
    }
    // The owner (not a superuser) can, as it could disable the trigger anyway: rolled back here.
    expect(
      await attempt(
        asOwner,
        `SET LOCAL onewindow.audit_maintenance = 'on'`,
        'DELETE FROM audit_leaf WHERE seq >= 0',
      ),
    ).toBeNull();
    expect(
      (await asRuntime.query<{ n: number }>('SELECT count(*)::int AS n FROM audit_leaf')).rows[0].n,
    ).toBe(n);
  });

  it('prints grants only for plain identifiers and distinct roles', () => {
    expect(() => dbRolesSql({ database, owner: 'a"; DROP', runtime })).toThrow(/lower-case SQL identifier/);
    expect(() => dbRolesSql({ database, owner: runtime, runtime })).toThrow(/must differ/);
  });
});
