import {
  applyDecorators,
  CallHandler,
  ExecutionContext,
  Injectable,
  NestInterceptor,
  UseInterceptors,
} from '@nestjs/common';
import { ApiExtension } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { map, Observable } from 'rxjs';
import { etagOf, isJsonBody } from './etag.interceptor';

/** Marks an operation whose 201 carries Location and ETag (openapi-conventions.ts declares both). */
export const CREATED_EXTENSION = 'x-created';

/**
 * Sets what a 201 says about the resource it created: `Location` (the request path + `/<id>`, where
 * the resource is read) and its `ETag` (`"v<version>"` for a versioned resource, the tag a later
 * If-Match takes). An Idempotency-Key replay repeats the stored Location.
 */
@Injectable()
export class CreatedInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const req = context.switchToHttp().getRequest<Request>();
    const res = context.switchToHttp().getResponse<Response>();
    return next.handle().pipe(
      map((body: unknown) => {
        const id = isJsonBody(body) ? (body as { id?: unknown }).id : undefined;
        if (res.statusCode === 201 && !res.headersSent && typeof id === 'string') {
          const path = req.originalUrl.split('?')[0].replace(/\/+$/, '');
          res.setHeader('Location', `${path}/${encodeURIComponent(id)}`);
          res.setHeader('ETag', etagOf(body as object));
        }
        return body;
      }),
    );
  }
}

/** `@Created()` on a POST that answers 201 with the created resource (it must carry its `id`). */
export const Created = () =>
  applyDecorators(UseInterceptors(CreatedInterceptor), ApiExtension(CREATED_EXTENSION, { location: true }));
