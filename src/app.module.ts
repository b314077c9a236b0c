import { DynamicModule, Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LoggerModule } from 'nestjs-pino';
import { AuthGuard } from './api/auth/auth.guard';
import { loggingParams } from './api/http/logging';
import { APP_CONFIG, AppConfig } from './config/config';
import { dataSourceOptions } from './database/data-source';
import { Db } from './database/db';
import { HealthModule } from './modules/platform/health/health.module';
import { OrganisationsModule } from './modules/platform/organisations/organisations.module';
import { IdentityModule } from './modules/platform/identity/identity.module';

@Global()
@Module({})
class CoreModule {
  static forRoot(config: AppConfig, databaseUrl: string, poolSize: number): DynamicModule {
    return {
      module: CoreModule,
      imports: [TypeOrmModule.forRoot(dataSourceOptions(databaseUrl, poolSize, config))],
      providers: [{ provide: APP_CONFIG, useValue: config }, Db],
      exports: [APP_CONFIG, Db],
    };
  }
}

@Module({})
export class AppModule {
  static forRoot(config: AppConfig, databaseUrl: string, poolSize: number): DynamicModule {
    return {
      module: AppModule,
      imports: [
        CoreModule.forRoot(config, databaseUrl, poolSize),
        LoggerModule.forRoot(loggingParams(config)),
        IdentityModule,
        HealthModule,
        OrganisationsModule,
      ],
      providers: [{ provide: APP_GUARD, useClass: AuthGuard }],
    };
  }
}
