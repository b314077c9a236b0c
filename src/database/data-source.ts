import { DataSource, DataSourceOptions } from 'typeorm';
import type { AppConfig } from '../config/config';
import { ENTITIES } from './entities';
import { MIGRATIONS } from '../../migrations';
import { SnakeNamingStrategy } from './naming.strategy';

/** One set of options for the app, the migration scripts and the tests. */
export function dataSourceOptions(url: string, poolSize: number, config?: Pick<AppConfig, 'logLevel'>): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'schema_migration',
    migrationsTransactionMode: 'each',
    synchronize: false,
    migrationsRun: false,
    namingStrategy: new SnakeNamingStrategy(),
    // TypeORM otherwise turns `where: { id: undefined }` into "no condition" and returns the first row.
    invalidWhereValuesBehavior: { null: 'throw', undefined: 'throw' },
    logging: config?.logLevel === 'trace' ? ['query', 'error'] : false,
    poolSize,
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
