import { CallHandler, ExecutionContext, Inject, Injectable, NestInterceptor } from '@nestjs/common';
import type { Request, Response } from 'express';
import { map, Observable } from 'rxjs';
import { APP_CONFIG, AppConfig } from '../../config/config';
import type { Page } from './pagination';

export function isPage(body: unknown): body is Page<unknown> {
  if (body === null || typeof body !== 'object') return false;
  const b = body as Partial<Page<unknown>>;
  return Array.isArray(b.items) && (b.nextCursor === null || typeof b.nextCursor === 'string');
}

/**
 * The next page's URL: the request's path and query with `cursor` replaced, made absolute on
 * PUBLIC_BASE_URL (which may carry a path prefix when the API sits behind a proxy).
 */
export function nextPageUrl(baseUrl: string, originalUrl: string, cursor: string): string {
  const url = new URL(originalUrl, 'http://placeholder');
  url.searchParams.set('cursor', cursor);
  return `${baseUrl.replace(/\/+$/, '')}${url.pathname}${url.search}`;
}

/** `Link: <…>; rel="next"` (RFC 8288) on a page of results that has a next page. */
@Injectable()
export class LinkHeaderInterceptor implements NestInterceptor {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const req = context.switchToHttp().getRequest<Request>();
    const res = context.switchToHttp().getResponse<Response>();
    if (req.method !== 'GET' && req.method !== 'HEAD') return next.handle();
    return next.handle().pipe(
      map((body: unknown) => {
        if (res.statusCode === 200 && !res.headersSent && isPage(body) && body.nextCursor) {
          res.append(
            'Link',
            `<${nextPageUrl(this.config.publicBaseUrl, req.originalUrl, body.nextCursor)}>; rel="next"`,
          );
        }
        return body;
      }),
    );
  }
}
