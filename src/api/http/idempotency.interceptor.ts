import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import { defer, from, lastValueFrom, map, Observable, tap } from 'rxjs';
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
 * caller is known and refused callers leave no record) and around the validation pipe and the
 * handler, all in the one transaction IdempotencyService.execute holds: a 400 from validation or
 * any failure rolls back with nothing stored; a success commits its effect and its answer together.
 * Nest sets the route's status (201, or @HttpCode) before interceptors run, so res.statusCode is
 * the status to store; a handler's Location header is read after it returns.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
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
    // A streamed body (an upload) is not read yet: the handler binds the key to its bytes through
    // IdempotencyService.once, and only the replay header is set here.
    if (options.streamed)
      return next.handle().pipe(
        tap(() => {
          if (this.store.wasReplayed(ctx)) res.setHeader('Idempotent-Replayed', 'true');
        }),
      );

    const scope = idempotencyScope(ctx);
    // A POST without a body (Express leaves req.body undefined) is the same request as one with `{}`,
    // which is what the GraphQL twins fingerprint for bodiless operations (claim, submit, ...).
    const hash = requestFingerprint(req.method, req.originalUrl.split('?')[0], req.body ?? {});
    return defer(() =>
      from(
        this.store.execute(scope, key, hash, async () => {
          const body: unknown = await lastValueFrom(next.handle(), { defaultValue: undefined });
          const location = res.getHeader('Location');
          return { status: res.statusCode, body, location: typeof location === 'string' ? location : null };
        }),
      ),
    ).pipe(
      map(({ replayed, answer }) => {
        if (replayed) {
          res.status(answer.status);
          res.setHeader('Idempotent-Replayed', 'true');
          if (answer.location) res.setHeader('Location', answer.location);
        }
        return answer.body;
      }),
    );
  }
}
