import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { GqlExecutionContext } from '@nestjs/graphql';
import DataLoader from 'dataloader';
import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * The per-request DataLoader registry. Loaders live in the GraphQL context (built once per
 * operation), not in REQUEST-scoped providers: scope would bubble up through every resolver and
 * Nest re-instantiates request-scoped resolvers per @ResolveField (nestjs/graphql#181, #264).
 *
 * A module defines its batch function next to its service and asks for the loader by a key that
 * is unique to that batch function, e.g. `loaders.get('organisation.byId', (ids) => svc.byIds(ctx, ids))`.
 * The first call for a key creates the loader; later calls in the same request reuse it (and
 * ignore the batch function they pass), so batching and the per-request cache work across fields.
 */
export class Loaders {
  private readonly byKey = new Map<string, DataLoader<unknown, unknown>>();

  get<K, V, C = K>(
    key: string,
    batch: DataLoader.BatchLoadFn<K, V>,
    options?: DataLoader.Options<K, V, C>,
  ): DataLoader<K, V, C> {
    let loader = this.byKey.get(key) as DataLoader<K, V, C> | undefined;
    if (!loader) {
      // Bounded batches keep `WHERE id = ANY($1)` parameter arrays and result sets reasonable.
      loader = new DataLoader<K, V, C>(batch, { maxBatchSize: 500, ...options });
      this.byKey.set(key, loader);
    }
    return loader;
  }

  /** How many loaders this request has created (for tests and diagnostics). */
  get size(): number {
    return this.byKey.size;
  }
}

export function createLoaders(): Loaders {
  return new Loaders();
}

/** The GraphQL context value of every operation. */
export interface GqlContext {
  req: IncomingMessage;
  res: ServerResponse;
  loaders: Loaders;
}

/**
 * Orders rows to match the keys DataLoader asked for (its contract: same length, same order),
 * with null for keys that found no row, e.g. `alignByKey(ids, rows, (r) => r.id)`.
 */
export function alignByKey<K, V>(keys: readonly K[], rows: readonly V[], keyOf: (row: V) => K): (V | null)[] {
  const byKey = new Map<K, V>();
  for (const row of rows) byKey.set(keyOf(row), row);
  return keys.map((k) => byKey.get(k) ?? null);
}

/** Injects the request's `Loaders` into a resolver method: `@RequestLoaders() loaders: Loaders`. */
export const RequestLoaders = createParamDecorator(
  (_: unknown, context: ExecutionContext): Loaders =>
    GqlExecutionContext.create(context).getContext<GqlContext>().loaders,
);
