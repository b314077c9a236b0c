import type { Db } from '../../../../database/db';

/**
 * Rows of an UPDATE/DELETE … RETURNING. TypeORM's postgres driver answers those with
 * [rows, rowCount] rather than rows, unlike SELECT.
 */
export async function returning<T = { id: string }>(db: Db, sql: string, params: unknown[]): Promise<T[]> {
  const result = (await db.query(sql, params)) as unknown as [T[], number];
  return result[0];
}
