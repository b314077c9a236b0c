import type { EntityManager } from 'typeorm';
import { transactionScope } from '../../database/transaction-scope';
import { RequestContext } from './request-context';

// A transaction opened outside any call (a job, a boot step) runs as the system.
transactionScope.contextOutsideCalls(() => RequestContext.system('tx'));

/**
 * The request context and the open transaction of the current call. The storage itself is the
 * database layer's transactionScope (Db joins the open transaction through it); this is its typed
 * face for services and transports.
 */
export const contextStore = {
  run<T>(ctx: RequestContext, fn: () => T): T {
    return transactionScope.run(ctx, fn);
  },
  current(): RequestContext | undefined {
    return transactionScope.context() as RequestContext | undefined;
  },
  transaction(): EntityManager | undefined {
    return transactionScope.transaction();
  },
  withTransaction<T>(tx: EntityManager, fn: () => T): T {
    return transactionScope.withTransaction(tx, fn);
  },
};
