import { QueryFailedError } from 'typeorm';

/**
 * A unique violation (SQLSTATE 23505); with `columns`, only one on exactly that index, which
 * PostgreSQL's detail names: `Key (subject_type, subject_id)=(…) already exists.`
 */
export function isUniqueViolation(e: unknown, columns?: string): boolean {
  if (!(e instanceof QueryFailedError)) return false;
  const driver = e.driverError as { code?: string; detail?: string } | undefined;
  if (driver?.code !== '23505') return false;
  return columns === undefined || (driver.detail ?? '').startsWith(`Key (${columns})=`);
}

/**
 * A foreign key violation: a delete of a row others still name under ON DELETE RESTRICT (`still
 * referenced`; SQLSTATE 23503, or 23001 restrict_violation as newer servers and PGlite report it),
 * or a write naming a row that does not exist (`not present`, 23503).
 */
export function foreignKeyViolation(e: unknown): 'still referenced' | 'not present' | null {
  if (!(e instanceof QueryFailedError)) return null;
  const driver = e.driverError as { code?: string; detail?: string } | undefined;
  if (driver?.code !== '23503' && driver?.code !== '23001') return null;
  return driver.code === '23001' || /is still referenced/.test(driver.detail ?? '')
    ? 'still referenced'
    : 'not present';
}
