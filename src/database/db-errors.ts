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
