import { AsyncLocalStorage } from 'node:async_hooks';
import type { EntityManager } from 'typeorm';
import { RequestContext } from './request-context';

interface Store {
  ctx: RequestContext;
  tx?: EntityManager;
}

/**
 * One AsyncLocalStorage for the request context and the open transaction, so that nested
 * services (audit, jobs, outbox) join the caller's transaction without passing it around
 * and without REQUEST-scoped providers.
 */
const storage = new AsyncLocalStorage<Store>();

export const contextStore = {
  run<T>(ctx: RequestContext, fn: () => T): T {
    return storage.run({ ctx }, fn);
  },
  current(): RequestContext | undefined {
    return storage.getStore()?.ctx;
  },
  transaction(): EntityManager | undefined {
    return storage.getStore()?.tx;
  },
  withTransaction<T>(tx: EntityManager, fn: () => T): T {
    const outer = storage.getStore();
    return storage.run({ ctx: outer?.ctx ?? RequestContext.system('tx'), tx }, fn);
  },
};
