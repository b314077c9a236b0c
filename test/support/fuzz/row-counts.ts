import type { Db } from '../../../src/database/db';

/** count(*) of every base table in schema public (n_live_tup lags; this is exact). */
export async function rowCounts(db: Db): Promise<Record<string, number>> {
  const tables = await db.query<{ name: string }>(
    `SELECT table_name AS name FROM information_schema.tables
      WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name`,
  );
  if (!tables.length) return {};
  const sql = tables
    .map(
      (t, i) =>
        `SELECT $${i + 1}::text AS name, count(*)::int AS n FROM public."${t.name.replace(/"/g, '""')}"`,
    )
    .join(' UNION ALL ');
  const rows = await db.query<{ name: string; n: number }>(
    sql,
    tables.map((t) => t.name),
  );
  return Object.fromEntries(rows.map((r) => [r.name, Number(r.n)]));
}

/** Tables whose count differs, as `table: before → after`. */
export function diffCounts(before: Record<string, number>, after: Record<string, number>): string[] {
  const names = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  return names
    .filter((n) => before[n] !== after[n])
    .map((n) => `${n}: ${before[n] ?? '-'} → ${after[n] ?? '-'}`);
}
