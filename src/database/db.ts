import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, EntityTarget, ObjectLiteral, Repository } from 'typeorm';
import { contextStore } from '../api/context/context-store';

/**
 * Repositories and transactions bound to the current call. `transaction()` joins an open
 * transaction instead of nesting, so the audit leaf, outbox rows and jobs that services append
 * commit together with the business rows or not at all.
 */
@Injectable()
export class Db {
  constructor(@InjectDataSource() readonly dataSource: DataSource) {}

  get manager(): EntityManager {
    return contextStore.transaction() ?? this.dataSource.manager;
  }

  repo<T extends ObjectLiteral>(entity: EntityTarget<T>): Repository<T> {
    return this.manager.getRepository(entity);
  }

  transaction<T>(fn: (manager: EntityManager) => Promise<T>): Promise<T> {
    const open = contextStore.transaction();
    if (open) return fn(open);
    return this.dataSource.transaction((manager) =>
      contextStore.withTransaction(manager, async () => {
        const result = await fn(manager);
        // Work that must hold a contended lock (the audit sequencer) runs last, so the lock is held
        // from here to COMMIT only, not for the whole transaction.
        for (let hooks = this.beforeCommit.get(manager); hooks?.length;) await hooks.shift()!();
        this.beforeCommit.delete(manager);
        return result;
      }),
    );
  }

  private readonly beforeCommit = new WeakMap<EntityManager, Array<() => Promise<void>>>();

  /**
   * Runs `hook` at the end of the open transaction, just before it commits (in registration order).
   * Outside a transaction there is nothing to defer to: it runs in one of its own.
   */
  deferToCommit(hook: () => Promise<void>): Promise<void> {
    const open = contextStore.transaction();
    if (!open) return this.transaction(() => hook());
    const hooks = this.beforeCommit.get(open) ?? [];
    hooks.push(hook);
    this.beforeCommit.set(open, hooks);
    return Promise.resolve();
  }

  query<T = unknown>(sql: string, params: unknown[] = []): Promise<T[]> {
    return this.manager.query<T[]>(sql, params);
  }
}
