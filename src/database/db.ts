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
    return this.dataSource.transaction((manager) => contextStore.withTransaction(manager, () => fn(manager)));
  }

  query<T = unknown>(sql: string, params: unknown[] = []): Promise<T[]> {
    return this.manager.query<T[]>(sql, params);
  }
}
