import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import type { NextFunction, Request, Response } from 'express';
import swaggerUi from 'swagger-ui-express';
import type { AppConfig } from '../../config/config';
import { applyConventions, collectRouteFacts, sortKeys } from './openapi-conventions';

export interface BuiltOpenApi {
  document: OpenAPIObject;
  /** JSON paths where a documented default limit was filled in (the DTO should declare one). */
  defaultedLimits: string[];
}

/** The published contract: the swagger document plus the conventions in openapi-conventions.ts, keys sorted. */
export function buildOpenApiWithReport(
  app: INestApplication,
  config: Pick<AppConfig, 'publicBaseUrl'>,
): BuiltOpenApi {
  const builder = new DocumentBuilder()
    .setOpenAPIVersion('3.1.0')
    .setTitle('OneWindow API')
    .setDescription(
      'Headless e-government platform: service guides, applications, consultations, complaints, ratings, ' +
        'content, inter-agency exchange. Errors are RFC 9457 problem+json; zh-CN by default, en by Accept-Language.',
    )
    .setVersion('1')
    .setLicense('Apache-2.0', 'https://www.apache.org/licenses/LICENSE-2.0')
    .addServer(config.publicBaseUrl)
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }, 'bearer')
    .addApiKey({ type: 'apiKey', in: 'header', name: 'X-API-Key' }, 'apiKey');
  const doc = SwaggerModule.createDocument(app, builder.build(), {
    operationIdFactory: (c, m) => `${c.replace(/Controller$/, '')}_${m}`,
  });
  const defaultedLimits = applyConventions(doc, collectRouteFacts(app));
  return { document: sortKeys(doc), defaultedLimits };
}

export function buildOpenApi(app: INestApplication, config: Pick<AppConfig, 'publicBaseUrl'>): OpenAPIObject {
  return buildOpenApiWithReport(app, config).document;
}

export function mountDocs(app: INestApplication, config: AppConfig): void {
  let cached: OpenAPIObject | undefined;
  const doc = () => (cached ??= buildOpenApi(app, config));
  const http = app.getHttpAdapter();
  http.get('/openapi.json', (_req: Request, res: Response) => {
    res.type('application/json').send(JSON.stringify(doc()));
  });
  const ui = swaggerUi.setup(undefined, {
    // No validator badge: it would send the spec's URL to validator.swagger.io (off a closed
    // network, and outside the CSP's img-src).
    // Tags start collapsed, with a filter box: Swagger UI 5 stops rendering the expanded list part-way
    // once a document has more than ~130 operations (test/platform/browser.e2e-spec.ts counts the tags).
    swaggerOptions: { url: '/openapi.json', validatorUrl: null, docExpansion: 'none', filter: true },
    customSiteTitle: 'OneWindow API',
  });
  app.use('/docs', (req: Request, res: Response, next: NextFunction) => {
    // The page loads its assets relatively (./swagger-ui.css): served at /docs they would resolve to
    // /swagger-ui.css and 404 (a blank page), so the README's /docs goes to /docs/ first.
    const [path, query] = splitUrl(req.originalUrl);
    if (path === '/docs') return res.redirect(301, `/docs/${query}`);
    if (req.path === '/' || req.path === '/index.html') return void ui(req, res, next);
    next();
  });
  app.use('/docs', swaggerUi.serve);
}

function splitUrl(url: string): [string, string] {
  const at = url.indexOf('?');
  return at < 0 ? [url, ''] : [url.slice(0, at), url.slice(at)];
}
