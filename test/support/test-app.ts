import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { createApp } from '../../src/bootstrap';
import { AppConfig, loadConfig } from '../../src/config/config';
import { Db } from '../../src/database/db';

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
