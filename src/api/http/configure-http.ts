import { INestApplication, VersioningType } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import express from 'express';
import helmet from 'helmet';
import type { AppConfig } from '../../config/config';
import { GlobalExceptionFilter } from '../errors/exception.filter';
import { createValidationPipe } from '../errors/validation';
import { DrainState, drainMiddleware } from './drain';
import { inputGuard, jsonShapeGuard } from './input-guard';
import { indexRoutes } from './method-not-allowed';
import { HttpMetrics, metricsMiddleware } from './metrics';
import { metricsAccess } from './metrics-access';
import { requestContextMiddleware } from './request-context.middleware';
import { mountDocs } from './openapi';
import { mountGraphqlIde } from '../graphql/graphql-ide';

/**
 * Everything that knows the HTTP adapter lives here (and in the few files beside it), so modules
 * stay adapter-free and switching to Fastify stays a one-place, measured decision.
 */
export function configureHttp(nest: INestApplication, config: AppConfig): void {
  const app = nest as NestExpressApplication;
  app.disable('x-powered-by');
  // Off unless configured: otherwise any client could pick its rate-limit identity (and the address
  // in the audit log) with an X-Forwarded-For header. See TRUST_PROXY in the README.
  app.set('trust proxy', config.trustProxy);
  app.set('etag', false);
  app.use(drainMiddleware(app.get(DrainState)));
  app.use(metricsMiddleware(app.get(HttpMetrics)));
  app.use(requestContextMiddleware);
  app.use(
    helmet({
      contentSecurityPolicy: {
        useDefaults: true,
        // script-src stays 'self': Swagger UI (/docs) and GraphiQL (GET /graphql) load every script
        // as a file from this origin (test/platform/browser.e2e-spec.ts checks, in Chromium).
        directives: {
          'img-src': ["'self'", 'data:'],
          // Only where the API is served over https: on plain http (the quick start on a LAN
          // server) it would send the pages' own assets to https:// and leave them blank.
          'upgrade-insecure-requests': config.publicBaseUrl.startsWith('https:') ? [] : null,
        },
      },
      crossOriginEmbedderPolicy: false,
    }),
  );
  app.enableCors({
    origin: (origin, cb) => cb(null, !origin ? false : config.corsOrigins.includes(origin)),
    credentials: true,
    exposedHeaders: [
      'ETag',
      'Link',
      'X-Request-Id',
      'RateLimit',
      'RateLimit-Policy',
      'Retry-After',
      'Idempotent-Replayed',
      'Location',
    ],
    maxAge: 600,
  });
  app.use(metricsAccess(config));
  app.use(
    express.json({
      limit: config.bodyLimitBytes,
      type: ['application/json', 'application/*+json'],
      // BODY_MAX_* on the raw bytes, before JSON.parse builds a hostile body at all.
      verify: jsonShapeGuard(config.bodyShape),
    }),
  );
  app.use(express.urlencoded({ extended: false, limit: config.bodyLimitBytes }));
  app.use(inputGuard({ shape: config.bodyShape, textCheckedElsewhere: ['/graphql'] }));
  app.enableVersioning({ type: VersioningType.URI, defaultVersion: '1' });
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new GlobalExceptionFilter());
  if (config.docsEnabled) mountDocs(app, config);
  if (config.graphqlIntrospection) mountGraphqlIde(app);
}

/** Called after init, once Express's router holds every route. */
export function afterInit(nest: INestApplication): void {
  indexRoutes(
    (nest as NestExpressApplication).getHttpAdapter().getInstance() as unknown as Parameters<
      typeof indexRoutes
    >[0],
  );
}
