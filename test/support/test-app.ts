import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { createApp } from '../../src/bootstrap';
import { AppConfig, loadConfig } from '../../src/config/config';
import { Db } from '../../src/database/db';
import { startEmbeddedPostgres } from '../../src/database/embedded';
import { runMigrations } from '../../src/database/prepare';

/** True when the run uses a real PostgreSQL (TEST_DATABASE_URL, `npm run test:pg`) rather than PGlite. */
export const onPostgres = !!process.env.TEST_DATABASE_URL;
/** For specs that need what only a real PostgreSQL has (several connections, backends to kill). */
export const describeOnPostgres = onPostgres ? describe : describe.skip;

export interface TestApp {
  app: INestApplication;
  http: ReturnType<typeof request>;
  db: Db;
  config: AppConfig;
  close(): Promise<void>;
}

/** Boots the real app against the run's migrated database (see global-setup.ts). */
export async function startTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const config = loadConfig({ NODE_ENV: 'test', ...env });
  const app = await createApp(
    config,
    process.env.OW_TEST_DATABASE_URL!,
    Number(process.env.OW_TEST_POOL_SIZE ?? 1),
  );
  const server = app.getHttpServer();
  return {
    app,
    http: request(server),
    db: app.get(Db),
    config,
    close: () => app.close(),
  };
}

/**
 * Boots the real app on a database of its own: a fresh, migrated in-memory PGlite, whatever the
 * run's database is. For what must not see the rows other specs leave in the shared one, such as
 * a production start (which refuses a database holding the demo credentials). `env` gets the
 * database's URL as DATABASE_URL.
 */
export async function startTestAppOnFreshDatabase(env: Record<string, string> = {}): Promise<TestApp> {
  const embedded = await startEmbeddedPostgres(':memory:');
  try {
    await runMigrations(embedded.url);
    await embedded.idle();
    const config = loadConfig({ NODE_ENV: 'test', ...env, DATABASE_URL: embedded.url });
    const app = await createApp(config, embedded.url, 1);
    return {
      app,
      http: request(app.getHttpServer()),
      db: app.get(Db),
      config,
      close: async () => {
        await app.close();
        await embedded.close();
      },
    };
  } catch (err) {
    await embedded.close();
    throw err;
  }
}
