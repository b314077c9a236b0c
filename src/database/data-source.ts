import { Logger } from '@nestjs/common';
import { DataSource, DataSourceOptions } from 'typeorm';
import type { AppConfig } from '../config/config';
import { ENTITY_GLOBS } from './entities';
import { MIGRATION_GLOBS } from './migrations';
import { SnakeNamingStrategy } from './naming.strategy';

const poolLog = new Logger('Database');

/** One set of options for the app, the migration scripts and the tests. */
export function dataSourceOptions(
  url: string,
  poolSize: number,
  config?: Pick<AppConfig, 'logLevel'>,
): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities: ENTITY_GLOBS,
    migrations: MIGRATION_GLOBS,
    migrationsTableName: 'schema_migration',
    migrationsTransactionMode: 'each',
    synchronize: false,
    migrationsRun: false,
    namingStrategy: new SnakeNamingStrategy(),
    // TypeORM otherwise turns `where: { id: undefined }` into "no condition" and returns the first row.
    invalidWhereValuesBehavior: { null: 'throw', undefined: 'throw' },
    logging: config?.logLevel === 'trace' ? ['query', 'error'] : false,
    poolSize,
    // An idle pooled connection the server drops (restart, failover, pg_terminate_backend) makes
    // node-postgres emit 'error' on the pool; unhandled, that kills the process. TypeORM's own
    // listener only logs when TypeORM logging is on, so say it here; the pool replaces the client.
    poolErrorHandler: (err: Error) => poolLog.warn(`idle database connection lost: ${err.message}`),
    extra: {
      max: poolSize,
      // A query waiting this long for a connection fails (503) instead of hanging the request.
      connectionTimeoutMillis: 10_000,
      application_name: 'onewindow',
    },
  };
}

export function createDataSource(url: string, poolSize: number): DataSource {
  return new DataSource(dataSourceOptions(url, poolSize));
}
