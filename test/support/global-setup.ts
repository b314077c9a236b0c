import { startEmbeddedPostgres } from '../../src/database/embedded';
import { runMigrations } from '../../src/database/prepare';
import { Client } from 'pg';
import { createDataSource } from '../../src/database/data-source';

/**
 * One database for the whole run: an in-memory PGlite by default (started once, ~4 s), or a fresh
 * database on the real PostgreSQL named by TEST_DATABASE_URL. Migrations run once here.
 */
export default async function globalSetup(): Promise<void> {
  const external = process.env.TEST_DATABASE_URL;
  let url: string;
  if (external) {
    const name = `onewindow_test_${process.pid}`;
    const admin = new Client({ connectionString: external });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${name}`);
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const u = new URL(external);
    u.pathname = `/${name}`;
    url = u.toString();
    (globalThis as Record<string, unknown>).__OW_DROP__ = { external, name };
    process.env.OW_TEST_POOL_SIZE = '10';
  } else {
    const embedded = await startEmbeddedPostgres(':memory:');
    (globalThis as Record<string, unknown>).__OW_EMBEDDED__ = embedded;
    url = embedded.url;
    process.env.OW_TEST_POOL_SIZE = '1';
  }
  await runMigrations(url);
  if (process.env.OW_SCHEMA_SYNC === '1') {
    // Development shortcut while an entity has no migration yet; CI never sets it.
    const ds = createDataSource(url, 1);
    await initializeWithRetry(ds);
    await ds.synchronize();
    await ds.destroy();
  }
  process.env.OW_TEST_DATABASE_URL = url;
}

/**
 * PGlite's socket server takes one connection and frees its slot a moment after the previous
 * client disconnects; connecting right after the migration run is refused ("Too many connections").
 */
async function initializeWithRetry(ds: ReturnType<typeof createDataSource>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await ds.initialize();
      return;
    } catch (err) {
      if (attempt >= 50) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
