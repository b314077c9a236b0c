import { Logger } from '@nestjs/common';
import { Client } from 'pg';
import type { Pool } from 'pg';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import { describeOnPostgres, onPostgres, startTestApp, TestApp } from '../support/test-app';

/**
 * Database faults on a real PostgreSQL: backends killed while idle and mid-request, and a statement
 * timeout. The process must survive (node-postgres emits 'error' on a pool whose idle client dies;
 * unhandled, that exits the process), callers get 503 problem+json, never 500, and readiness
 * recovers on its own. PGlite has no backends to kill, so this needs TEST_DATABASE_URL.
 */

describeOnPostgres(
  `database faults${onPostgres ? '' : ' (skipped: needs PostgreSQL, run npm run test:pg)'}`,
  () => {
    let t: TestApp;
    let injector: Client;
    let pool: Pool;
    let database: string;

    /** Kills the app's backends in this run's database (never another run's) and returns how many. */
    async function terminateAppBackends(): Promise<number> {
      return (await terminateAppBackendPids()).length;
    }

    /**
     * The same, answering the pids killed: some may belong to an app another spec of this worker
     * left open (same application name), which this app's pool never held.
     */
    async function terminateAppBackendPids(): Promise<number[]> {
      const { rows } = await injector.query<{ pid: number; killed: boolean }>(
        `SELECT pid, pg_terminate_backend(pid) AS killed FROM pg_stat_activity
       WHERE application_name = 'onewindow' AND datname = current_database() AND pid <> pg_backend_pid()`,
      );
      return rows.filter((r) => r.killed).map((r) => r.pid);
    }

    /** The backend pid of every client this app's pool holds (node-postgres keeps them in _clients). */
    function poolPids(): number[] {
      return (pool as unknown as { _clients: Array<{ processID: number }> })._clients.map((c) => c.processID);
    }

    async function until(check: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
      const deadline = Date.now() + ms;
      while (!(await check())) {
        if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
        await new Promise((r) => setTimeout(r, 25));
      }
    }

    /** Anything but success must be 503 problem+json: never a 500, never a hang. */
    function expectOkOr503(res: {
      status: number;
      headers: Record<string, string>;
      body: { code?: string };
    }): void {
      expect([200, 503]).toContain(res.status);
      if (res.status === 503) {
        expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect(res.body.code).toBe('SERVICE_UNAVAILABLE');
        expect(res.headers['retry-after']).toBe('5');
      }
    }

    beforeAll(async () => {
      t = await startTestApp();
      pool = (t.db.dataSource.driver as PostgresDriver).master as Pool;
      injector = new Client({
        connectionString: process.env.OW_TEST_DATABASE_URL,
        application_name: 'ow-fault-injector',
      });
      await injector.connect();
      database = (await injector.query<{ db: string }>('SELECT current_database() AS db')).rows[0].db;
    });

    afterAll(async () => {
      await injector?.query(`ALTER DATABASE "${database}" RESET statement_timeout`).catch(() => undefined);
      await injector?.end();
      await t?.close();
    });

    it('survives its idle connections being killed, answers 200 or 503 meanwhile, and becomes ready again', async () => {
      // Fill the pool with idle connections: concurrent queries each take one.
      await Promise.all(Array.from({ length: 6 }, () => t.db.dataSource.query('SELECT pg_sleep(0.05)')));
      await until(() => pool.idleCount >= 2, 2000, 'idle connections in the pool');
      const before = pool.totalCount;
      // The pool must have an 'error' listener of its own (TypeORM's, configured in data-source.ts).
      expect(pool.listenerCount('error')).toBeGreaterThan(0);
      const warn = jest.spyOn(Logger.prototype, 'warn');

      const mine = new Set(poolPids());
      const killed = (await terminateAppBackendPids()).filter((pid) => mine.has(pid)).length;
      expect(killed).toBeGreaterThanOrEqual(2);
      // Each dead client leaves the pool; the listener logged it instead of the process crashing.
      await until(() => pool.totalCount <= before - killed, 5000, 'dead clients removed from the pool');
      expect(
        warn.mock.calls.some(([m]) =>
          /idle database connection lost: terminating connection/.test(String(m)),
        ),
      ).toBe(true);
      warn.mockRestore();

      const answers = await Promise.all([
        t.http.get('/health/ready'),
        t.http.get('/v1/regions'),
        t.http.get('/v1/regions?parentCode=990000'),
        t.http.post('/graphql').send({ query: '{ apiInfo { name } }' }),
      ]);
      for (const res of answers) expectOkOr503(res);

      await until(async () => (await t.http.get('/health/ready')).status === 200, 5000, 'readiness');
      const ready = await t.http.get('/health/ready').expect(200);
      expect(ready.body).toMatchObject({ status: 'ok', checks: { database: 'up' } });
      await t.http.get('/v1/regions').expect(200);
    });

    it('answers 503 problem+json when its connection is killed mid-request, then recovers', async () => {
      // A request held on a lock is a request in flight with its backend busy.
      const holder = new Client({
        connectionString: process.env.OW_TEST_DATABASE_URL,
        application_name: 'ow-lock-holder',
      });
      await holder.connect();
      try {
        await holder.query('BEGIN');
        await holder.query('LOCK TABLE region IN ACCESS EXCLUSIVE MODE');
        const pending = t.http.get('/v1/regions').then((r) => r);
        await until(
          async () =>
            (
              await injector.query(
                `SELECT 1 FROM pg_stat_activity WHERE application_name = 'onewindow' AND wait_event_type = 'Lock'
               AND datname = current_database()`,
              )
            ).rowCount! > 0,
          5000,
          'the request waiting on the lock',
        );
        expect(await terminateAppBackends()).toBeGreaterThanOrEqual(1);
        const res = await pending;
        expect(res.status).toBe(503);
        expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect(res.body).toMatchObject({ status: 503, code: 'SERVICE_UNAVAILABLE' });
        expect(res.headers['retry-after']).toBe('5');
        expect(JSON.stringify(res.body)).not.toMatch(/terminating|administrator|SELECT|57P01/); // no driver detail leaks
      } finally {
        await holder.query('ROLLBACK');
        await holder.end();
      }
      await until(async () => (await t.http.get('/health/ready')).status === 200, 5000, 'readiness');
      await t.http.get('/v1/regions').expect(200);
    });

    it('rolls back a transaction whose connection dies and keeps the pool usable', async () => {
      const code = `96${String(Math.floor(Math.random() * 1e4)).padStart(4, '0')}`;
      const doomed = t.db.transaction(async (m) => {
        await m.query(`INSERT INTO region (code, name, level) VALUES ($1, '断线', 'province')`, [code]);
        await m.query('SELECT pg_sleep(10)');
      });
      await until(
        async () =>
          (
            await injector.query(
              `SELECT 1 FROM pg_stat_activity WHERE application_name = 'onewindow' AND query LIKE '%pg_sleep(10)%'
             AND datname = current_database()`,
            )
          ).rowCount! > 0,
        5000,
        'the transaction sleeping',
      );
      await terminateAppBackends();
      await expect(doomed).rejects.toMatchObject({ code: '57P01' });
      const rows = await injector.query('SELECT 1 FROM region WHERE code = $1', [code]);
      expect(rows.rowCount).toBe(0);
      expect(await t.db.query('SELECT 1 AS ok')).toEqual([{ ok: 1 }]);
    });

    it('answers 503 problem+json when a statement times out', async () => {
      // New connections to this run's database get a 300 ms statement_timeout; the pool's current
      // ones are dropped so the next request opens one that has it.
      await injector.query(`ALTER DATABASE "${database}" SET statement_timeout = '300ms'`);
      await terminateAppBackends();
      const holder = new Client({
        connectionString: process.env.OW_TEST_DATABASE_URL,
        application_name: 'ow-lock-holder',
      });
      await holder.connect();
      try {
        await holder.query('SET statement_timeout = 0');
        await holder.query('BEGIN');
        await holder.query('LOCK TABLE region IN ACCESS EXCLUSIVE MODE');
        const started = Date.now();
        const res = await t.http.get('/v1/regions');
        expect(res.status).toBe(503);
        expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect(res.body.code).toBe('SERVICE_UNAVAILABLE');
        expect(res.headers['retry-after']).toBe('5');
        expect(Date.now() - started).toBeLessThan(5000);
      } finally {
        await holder.query('ROLLBACK');
        await holder.end();
        await injector.query(`ALTER DATABASE "${database}" RESET statement_timeout`);
        await terminateAppBackends();
      }
      await until(async () => (await t.http.get('/health/ready')).status === 200, 5000, 'readiness');
      await t.http.get('/v1/regions').expect(200);
    });
  },
);
