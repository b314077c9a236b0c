import { CallHandler, ExecutionContext, Injectable, Logger, NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import { catchError, concatMap, from, Observable, of, switchMap, throwError } from 'rxjs';
import { contextStore } from '../context/context-store';
import { DomainError } from '../errors/domain-error';
import { ErrorCode } from '../errors/error-code';
import {
  IDEMPOTENT_KEY,
  IdempotentOptions,
  idempotencyScope,
  parseIdempotencyKey,
  requestFingerprint,
} from './idempotency';
import { IdempotencyService } from './idempotency.service';

/**
 * Idempotency-Key on handlers marked @Idempotent() (REST only). Runs after the guard (so the
 * caller is known and refused callers leave no record) and before the validation pipe (so a 400
 * from validation is a failed request whose claim is released, not a stored answer).
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  private readonly log = new Logger('Idempotency');

  constructor(
    private readonly reflector: Reflector,
    private readonly store: IdempotencyService,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const options = this.reflector.getAllAndOverride<IdempotentOptions | undefined>(IDEMPOTENT_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (!options) return next.handle();

    const req = context.switchToHttp().getRequest<Request>();
    const res = context.switchToHttp().getResponse<Response>();
    const key = parseIdempotencyKey(req.headers['idempotency-key']);
    if (key === undefined) {
      if (options.required) throw new DomainError(ErrorCode.IdempotencyKeyInvalid, { reason: 'missing' });
      return next.handle();
    }
    const ctx = contextStore.current();
    if (!ctx) throw new DomainError(ErrorCode.Internal);
    const scope = idempotencyScope(ctx);
    const hash = requestFingerprint(req.method, req.originalUrl.split('?')[0], req.body);

    return from(this.store.claim(scope, key, hash)).pipe(
      switchMap((claim) => {
        if (claim.kind === 'replay') {
          res.status(claim.status);
          res.setHeader('Idempotent-Replayed', 'true');
          if (claim.location) res.setHeader('Location', claim.location);
          return of(claim.body);
        }
        return next.handle().pipe(
          // Failed requests are not kept: the client may fix the request and retry under the same key.
          catchError((err: unknown) =>
            from(this.safely(() => this.store.release(scope, key, hash))).pipe(
              concatMap(() => throwError(() => err)),
            ),
          ),
          concatMap(async (body: unknown) => {
            const location = res.getHeader('Location');
            // The work has committed: if storing the answer fails the client still gets it, and the
            // claim stays 'processing' until it goes stale rather than inviting an immediate re-run.
            await this.safely(() =>
              this.store.complete(
                scope,
                key,
                hash,
                res.statusCode,
                body,
                typeof location === 'string' ? location : null,
              ),
            );
            return body;
          }),
        );
      }),
    );
  }

  private async safely(fn: () => Promise<void>): Promise<void> {
    try {
      await fn();
    } catch (err) {
      this.log.error(
        { err, requestId: contextStore.current()?.requestId },
        'idempotency record update failed',
      );
    }
  }
}
