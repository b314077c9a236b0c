import { AsyncLocalStorage } from 'node:async_hooks';
import type { EntityManager } from 'typeorm';

interface Scope {
  /** the caller's context, opaque here: src/api/context/context-store.ts gives it its type */
  ctx?: object;
  tx?: EntityManager;
}

/**
 * One AsyncLocalStorage for the calling context and the open transaction, so that nested
 * services (audit, jobs, outbox) join the caller's transaction without passing it around and
 * without REQUEST-scoped providers. It lives in the database layer (Db needs the transaction and
 * may not import the api layer); the api layer's contextStore types the context it carries.
 */
const storage = new AsyncLocalStorage<Scope>();

/** Makes the context a transaction opened outside any call runs under (set by the api layer). */
let outsideContext: () => object | undefined = () => undefined;

export const transactionScope = {
  run<T>(ctx: object, fn: () => T): T {
    return storage.run({ ctx }, fn);
  },
  context(): object | undefined {
    return storage.getStore()?.ctx;
  },
  transaction(): EntityManager | undefined {
    return storage.getStore()?.tx;
  },
  withTransaction<T>(tx: EntityManager, fn: () => T): T {
    const outer = storage.getStore();
    return storage.run({ ctx: outer?.ctx ?? outsideContext(), tx }, fn);
  },
  contextOutsideCalls(make: () => object): void {
    outsideContext = make;
  },
};
