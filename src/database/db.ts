import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  DataSource,
  EntityManager,
  EntityTarget,
  FindOptionsWhere,
  ObjectLiteral,
  Repository,
} from 'typeorm';
import { transactionScope } from './transaction-scope';

/**
 * Repositories and transactions bound to the current call. `transaction()` joins an open
 * transaction instead of nesting, so the audit leaf, outbox rows and jobs that services append
 * commit together with the business rows or not at all.
 */
@Injectable()
export class Db {
  constructor(@InjectDataSource() readonly dataSource: DataSource) {}

  get manager(): EntityManager {
    return transactionScope.transaction() ?? this.dataSource.manager;
  }

  repo<T extends ObjectLiteral>(entity: EntityTarget<T>): Repository<T> {
    return this.manager.getRepository(entity);
  }

  /** One row by its uuid `id`, row-locked (FOR UPDATE) when asked; null when there is none. */
  byId<T extends ObjectLiteral & { id: string }>(
    entity: EntityTarget<T>,
    id: string,
    options: { lock?: boolean } = {},
  ): Promise<T | null> {
    return this.repo(entity).findOne({
      where: { id } as FindOptionsWhere<T>,
      ...(options.lock ? { lock: { mode: 'pessimistic_write' as const } } : {}),
    });
  }

  async transaction<T>(fn: (manager: EntityManager) => Promise<T>): Promise<T> {
    const open = transactionScope.transaction();
    if (open) return fn(open);
    let after: Array<() => Promise<void>> | undefined;
    const result = await this.dataSource.transaction((manager) =>
      transactionScope.withTransaction(manager, async () => {
        const value = await fn(manager);
        // Work that must hold a contended lock (the audit sequencer) runs last, so the lock is held
        // from here to COMMIT only, not for the whole transaction.
        for (let hooks = this.hooks(manager, 'beforeCommit'); hooks.length;) await hooks.shift()!();
        after = this.hooks(manager, 'afterCommit');
        this.pendingHooks.delete(manager);
        return value;
      }),
    );
    // Committed: what waits for the commit runs before the caller goes on (no transaction open).
    for (const hook of after ?? []) await hook();
    return result;
  }

  private readonly pendingHooks = new WeakMap<
    EntityManager,
    Record<'beforeCommit' | 'afterCommit', Array<() => Promise<void>>>
  >();

  private hooks(manager: EntityManager, when: 'beforeCommit' | 'afterCommit'): Array<() => Promise<void>> {
    let all = this.pendingHooks.get(manager);
    if (!all) this.pendingHooks.set(manager, (all = { beforeCommit: [], afterCommit: [] }));
    return all[when];
  }

  /**
   * Runs `hook` at the end of the open transaction, just before it commits (in registration order;
   * `first` puts it ahead of those already registered, for work that must not run while a later
   * hook holds a contended lock: the audit sequencer's is taken last).
   * Outside a transaction there is nothing to defer to: it runs in one of its own.
   */
  deferToCommit(hook: () => Promise<void>, options: { first?: boolean } = {}): Promise<void> {
    const open = transactionScope.transaction();
    if (!open) return this.transaction(() => hook());
    const hooks = this.hooks(open, 'beforeCommit');
    if (options.first) hooks.unshift(hook);
    else hooks.push(hook);
    return Promise.resolve();
  }

  /**
   * Runs `hook` once the open transaction has committed, before `transaction()` returns to its
   * caller; dropped if it rolls back. The hook handles its own errors: the commit has happened.
   * Outside a transaction it runs now.
   */
  afterCommit(hook: () => Promise<void>): Promise<void> {
    const open = transactionScope.transaction();
    if (!open) return hook();
    this.hooks(open, 'afterCommit').push(hook);
    return Promise.resolve();
  }

  query<T = unknown>(sql: string, params: unknown[] = []): Promise<T[]> {
    return this.manager.query<T[]>(sql, params);
  }
}
