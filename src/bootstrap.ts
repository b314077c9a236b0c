import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { afterInit, configureHttp } from './api/http/configure-http';
import { AppModule } from './app.module';
import { refuseDemoCredentialsInProduction } from './modules/platform/demo/demo-credentials';
import type { AppConfig } from './config/config';
import { secondFactorRoles } from './modules/platform/identity/staff/role-catalogue';

/** Builds the Nest application: used by main.ts, the e2e tests and the contract generator. */
export async function createApp(
  config: AppConfig,
  databaseUrl: string,
  poolSize: number,
): Promise<INestApplication> {
  // Configuration the role catalogue must vouch for is checked before anything connects, so a bad
  // STAFF_SECOND_FACTOR_ROLES stops the start with its own message (main.ts exits 78 for it).
  secondFactorRoles(config.secondFactorRoles);
  const app = await NestFactory.create(AppModule.forRoot(config, databaseUrl, poolSize), {
    bodyParser: false,
    bufferLogs: true,
    abortOnError: false,
  });
  app.useLogger(app.get(Logger));
  configureHttp(app, config);
  await app.init();
  afterInit(app);
  try {
    await refuseDemoCredentialsInProduction(app);
  } catch (e) {
    await app.close();
    throw e;
  }
  return app;
}
