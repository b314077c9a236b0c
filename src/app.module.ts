import { DynamicModule, Global, MiddlewareConsumer, Module, NestModule, RequestMethod } from '@nestjs/common';
import { APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { NextFunction, Request, Response } from 'express';
import { LoggerModule } from 'nestjs-pino';
import { AuthGuard } from './api/auth/auth.guard';
import { PublicReadFront } from './api/http/public-read-front';
import { GraphqlApiModule } from './api/graphql/graphql.module';
import { EtagInterceptor } from './api/http/etag.interceptor';
import { IdempotencyInterceptor } from './api/http/idempotency.interceptor';
import { IDEMPOTENCY_CIPHER } from './api/http/idempotency-cipher';
import { IdempotencyService } from './api/http/idempotency.service';
import { LinkHeaderInterceptor } from './api/http/link-header.interceptor';
import { loggingParams } from './api/http/logging';
import { RateLimitGuard } from './api/http/rate-limit.guard';
import { createRateLimitStore } from './api/http/rate-limit.shared-stores';
import { RATE_LIMIT_STORE } from './api/http/rate-limit.store';
import { APP_CONFIG, AppConfig } from './config/config';
import { dataSourceOptions } from './database/data-source';
import { Db } from './database/db';
import { AuditModule } from './modules/platform/audit/audit.module';
import { HealthModule } from './modules/platform/health/health.module';
import { OrganisationsModule } from './modules/platform/organisations/organisations.module';
import { FieldCipher } from './modules/platform/identity/personal-data/field-cipher';
import { IdentityModule } from './modules/platform/identity/identity.module';
import { AuthModule } from './modules/platform/identity/auth/auth.module';
import { MeModule } from './modules/platform/identity/me/me.module';
import { ChannelsModule } from './modules/platform/identity/channels/channels.module';
import { BusinessModule } from './modules/platform/identity/business/business.module';
import { AccountsModule } from './modules/platform/identity/accounts/accounts.module';
import { OidcModule } from './modules/platform/identity/oidc/oidc.module';
import { NotificationsModule } from './modules/platform/notifications/notifications.module';
import { JobsModule } from './modules/platform/jobs/jobs.module';
import { EventsModule } from './modules/platform/events/events.module';
import { MetricsModule } from './modules/platform/metrics/metrics.module';
import { CalendarModule } from './modules/platform/calendar/calendar.module';
import { FilesModule } from './modules/platform/files/files.module';
import { LicencesModule } from './modules/public/licences/licences.module';
import { CatalogModule } from './modules/public/catalog/catalog.module';
import { WorkflowModule } from './modules/internal/workflow/workflow.module';
import { ApplicationsModule } from './modules/public/applications/applications.module';
import { TimelineModule } from './modules/public/timeline/timeline.module';
import { TasksModule } from './modules/internal/tasks/tasks.module';
import { SupervisionModule } from './modules/internal/supervision/supervision.module';
import { RatingsModule } from './modules/public/ratings/ratings.module';
import { ComplaintsModule } from './modules/public/complaints/complaints.module';
import { Open311Module } from './modules/public/open311/open311.module';
import { ConsultationsModule } from './modules/public/consultations/consultations.module';

@Global()
@Module({})
class CoreModule {
  static forRoot(config: AppConfig, databaseUrl: string, poolSize: number): DynamicModule {
    return {
      module: CoreModule,
      // Short retries: the embedded server frees its single connection slot a moment after a client leaves.
      imports: [
        TypeOrmModule.forRoot({
          ...dataSourceOptions(databaseUrl, poolSize, config),
          // Besides the discovered *.entity files, entities a module registers with forFeature.
          autoLoadEntities: true,
          retryAttempts: 20,
          retryDelay: 150,
        }),
      ],
      // IdempotencyService: the one Idempotency-Key store, for the REST interceptor and for GraphQL
      // mutations that take the key as an argument (IdempotencyService.once), in any module. Its
      // stored answers are sealed with FIELD_KEYS (first key active, the others still decrypt).
      providers: [
        { provide: APP_CONFIG, useValue: config },
        {
          provide: IDEMPOTENCY_CIPHER,
          useFactory: () =>
            new FieldCipher({
              keys: FieldCipher.parseKeyring(config.fieldKeys),
              activeKeyId: config.fieldKeys.split(',')[0].split(':')[0].trim(),
              blindIndexKey: config.blindIndexKey,
            }),
        },
        Db,
        IdempotencyService,
      ],
      exports: [APP_CONFIG, Db, IdempotencyService],
    };
  }
}

@Module({})
export class AppModule implements NestModule {
  constructor(private readonly front: PublicReadFront) {}

  /**
   * The public-read front, after the request logger (LoggerModule's middleware) and before
   * routing and Apollo. `{/*splat}` as nestjs-pino mounts its own: `*` would be version-prefixed
   * and miss /graphql. Applied as a function so the one provider instance (which tests and
   * diagnostics read) serves.
   */
  configure(consumer: MiddlewareConsumer): void {
    consumer
      .apply((req: Request, res: Response, next: NextFunction) => this.front.use(req, res, next))
      .forRoutes({ path: '{/*splat}', method: RequestMethod.ALL });
  }

  static forRoot(config: AppConfig, databaseUrl: string, poolSize: number): DynamicModule {
    return {
      module: AppModule,
      imports: [
        CoreModule.forRoot(config, databaseUrl, poolSize),
        LoggerModule.forRoot(loggingParams(config)),
        IdentityModule,
        AuthModule,
        MeModule,
        ChannelsModule,
        BusinessModule,
        AccountsModule,
        OidcModule,
        NotificationsModule,
        GraphqlApiModule,
        AuditModule,
        HealthModule,
        JobsModule,
        EventsModule,
        OrganisationsModule,
        MetricsModule,
        CalendarModule,
        FilesModule,
        LicencesModule,
        CatalogModule,
        WorkflowModule,
        ApplicationsModule,
        TimelineModule,
        TasksModule,
        SupervisionModule,
        RatingsModule,
        ComplaintsModule,
        Open311Module,
        ConsultationsModule,
      ],
      providers: [
        // Global guards run in this order: the rate limit needs the actor the AuthGuard resolved.
        { provide: APP_GUARD, useClass: AuthGuard },
        // In process, in PostgreSQL or in Redis (RATE_LIMIT_STORE): see rate-limit.shared-stores.ts.
        {
          provide: RATE_LIMIT_STORE,
          useFactory: (db: Db) => createRateLimitStore(config, db.dataSource),
          inject: [Db],
        },
        { provide: APP_GUARD, useClass: RateLimitGuard },
        // REST conventions (outermost first): Idempotency-Key on @Idempotent() POSTs; ETag/304 and
        // Cache-Control, then Link rel="next", on GET/HEAD responses.
        PublicReadFront,
        { provide: APP_INTERCEPTOR, useClass: IdempotencyInterceptor },
        { provide: APP_INTERCEPTOR, useClass: EtagInterceptor },
        { provide: APP_INTERCEPTOR, useClass: LinkHeaderInterceptor },
      ],
    };
  }
}
