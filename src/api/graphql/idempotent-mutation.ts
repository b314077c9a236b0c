import {
  applyDecorators,
  CallHandler,
  ExecutionContext,
  Injectable,
  NestInterceptor,
  SetMetadata,
  UseInterceptors,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { GqlExecutionContext } from '@nestjs/graphql';
import { defer, lastValueFrom, Observable } from 'rxjs';
import { contextStore } from '../context/context-store';
import { DomainError } from '../errors/domain-error';
import { ErrorCode } from '../errors/error-code';
import { IdempotencyService } from '../http/idempotency.service';

export const IDEMPOTENT_MUTATION = 'onewindow:idempotent-mutation';

/** The arguments of a GraphQL field, as graphql-js coerced them (before Nest's pipes). */
export type MutationArgs = Record<string, unknown>;

export interface IdempotentMutationOptions<A = MutationArgs> {
  /**
   * The REST twin, `"POST /v1/applications/:id/submit"`: each `:name` is replaced by the argument
   * of that name (`:input.caseId` reads a field of an input), URI-encoded, so the path is the one a
   * REST client would call for the same request.
   */
  twin: string;
  /** The twin's success status (201 for a create), stored with the answer like the REST one. */
  status: number;
  /** The argument that holds the key (default `idempotencyKey`). */
  key?: string;
  /** The twin's JSON body built from the arguments (default: none, fingerprinted as `{}`). */
  body?: (args: A) => unknown;
}

/**
 * The Idempotency-Key contract for a GraphQL mutation, which takes the key as an argument since no
 * interceptor reads a header there: the mutation runs at most once per caller and key, a retry
 * with the same request replays the first answer, the key with another request is
 * IDEMPOTENCY_KEY_REUSED (422 in REST), a key whose first request is still running is
 * IDEMPOTENCY_KEY_IN_FLIGHT, and without a key the mutation simply runs. The request is
 * fingerprinted as its REST twin (`twin`, `body`), so one key means the same on both transports:
 * used once through REST and then through GraphQL (or the other way round), it replays.
 *
 *   @IdempotentMutation({ twin: 'POST /v1/applications/:id/submit', status: 200 })
 *   @IdempotentMutation<{ input: CreateStaffDto }>({ twin: 'POST /v1/staff', status: 201, body: (a) => a.input })
 *
 * The resolver then calls the plain service method; the answer commits with the effect in the
 * transaction IdempotencyService holds around the resolver, argument validation included.
 */
export const IdempotentMutation = <A = MutationArgs>(options: IdempotentMutationOptions<A>) =>
  applyDecorators(SetMetadata(IDEMPOTENT_MUTATION, options), UseInterceptors(IdempotentMutationInterceptor));

/** `POST /v1/x/:id/y` with the arguments filled in: the method and the path REST would see. */
export function twinRequest(twin: string, args: MutationArgs): { method: string; path: string } {
  const [method, template] = twin.trim().split(/\s+/);
  if (!method || !template?.startsWith('/')) throw new Error(`IdempotentMutation: bad twin "${twin}"`);
  const path = template.replace(/:([A-Za-z_][\w.]*)/g, (_m, name: string) => {
    const value = name.split('.').reduce<unknown>((v, k) => (v as MutationArgs | null)?.[k], args);
    // Path parameters are ids, codes and numbers, encoded as a REST client sends them; anything
    // else would not be a REST path either.
    return typeof value === 'string' || typeof value === 'number' ? encodeURIComponent(value) : '';
  });
  return { method: method.toUpperCase(), path };
}

/** Runs a resolver marked @IdempotentMutation() through IdempotencyService.once (see there). */
@Injectable()
export class IdempotentMutationInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly store: IdempotencyService,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const options = this.reflector.get<IdempotentMutationOptions | undefined>(
      IDEMPOTENT_MUTATION,
      context.getHandler(),
    );
    if (!options || context.getType<string>() !== 'graphql') return next.handle();
    const args = GqlExecutionContext.create(context).getArgs<MutationArgs>();
    const key = args[options.key ?? 'idempotencyKey'] as string | null | undefined;
    const ctx = contextStore.current();
    if (!ctx) throw new DomainError(ErrorCode.Internal);
    const request = {
      ...twinRequest(options.twin, args),
      body: options.body ? options.body(args) : {},
      status: options.status,
    };
    return defer(() =>
      this.store.once(ctx, key, request, () => lastValueFrom(next.handle(), { defaultValue: undefined })),
    );
  }
}
