import type { AppConfig } from '../config/config';
import { createDataSource } from './data-source';
import { EmbeddedPostgres, startEmbeddedPostgres } from './embedded';

export interface PreparedDatabase {
  url: string;
  poolSize: number;
  embedded?: EmbeddedPostgres;
}

/** Starts the embedded database when no DATABASE_URL is set, then applies pending migrations. */
export async function prepareDatabase(config: AppConfig): Promise<PreparedDatabase> {
  const embedded = config.databaseUrl ? undefined : await startEmbeddedPostgres(config.dataDir);
  const url = config.databaseUrl ?? embedded!.url;
  // PGlite is a single session: one connection, so transactions queue instead of interleaving.
  const poolSize = embedded ? 1 : config.dbPoolSize;
  // Migrations run as the tables' owner; the app then connects as the runtime role (src/database/db-roles.ts).
  await runMigrations(config.migrationDatabaseUrl ?? url);
  await embedded?.idle();
  return { url, poolSize, embedded };
}

export async function runMigrations(url: string): Promise<string[]> {
  const ds = createDataSource(url, 1);
  await ds.initialize();
  try {
    const done = await ds.runMigrations({ transaction: 'each' });
    return done.map((m) => m.name);
  } finally {
    await ds.destroy();
  }
}
