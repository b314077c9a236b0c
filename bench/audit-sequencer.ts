/**
 * The audit sequencer's two protocols head to head, in SQL only (no API, no framework): each of
 * N connections loops over a short business transaction (one INSERT) that appends the
 * submission's two audit leaves,
 * - **lock to COMMIT**, as before queueing: the sequencer's advisory lock waited for, the next
 *   seq, both leaves, then COMMIT with the lock held through the WAL flush;
 * - **queue when busy**, as AuditService.append does now (bench/bare-submission.ts's
 *   auditTwoLeaves + sequenceQueued): the lock tried; when busy, the leaves queued, COMMIT, then
 *   one shared batch numbers them.
 * It measures how many audited commits per second the whole platform can make, which no number
 * of API instances can exceed; run against the bench database's audit tables after the API load.
 */
import type { Pool, PoolClient } from 'pg';
import { randomUUID } from 'node:crypto';
import {
  AUDIT_LOCK,
  auditTwoLeaves,
  inTransaction,
  lockedTwoLeaves,
  sequenceQueued,
} from './bare-submission';

export interface SequencerRun {
  commitsPerSecond: number;
  p99Ms: number;
}

async function drive(pool: Pool, connections: number, seconds: number, once: () => Promise<void>) {
  const latencies: number[] = [];
  const end = Date.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (Date.now() < end) {
        const start = performance.now();
        await once();
        latencies.push(performance.now() - start);
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  return {
    commitsPerSecond: Math.round(latencies.length / seconds),
    p99Ms: Math.round(latencies[Math.floor(latencies.length * 0.99)] ?? 0),
  };
}

/** Lock to COMMIT, then queue when busy, each for `seconds` at `connections`. */
export async function compareSequencers(
  pool: Pool,
  connections: number,
  seconds: number,
): Promise<{ lockToCommit: SequencerRun; queueWhenBusy: SequencerRun }> {
  await pool.query('CREATE TABLE IF NOT EXISTS bench_business (id bigserial PRIMARY KEY, at timestamptz)');
  const business = (c: PoolClient) => c.query('INSERT INTO bench_business (at) VALUES (now())');
  const q = (c: PoolClient) => (sql: string, values?: unknown[]) =>
    c.query(sql, values).then((r) => r.rows as Array<Record<string, unknown>>);
  const actor = randomUUID();
  const lockToCommit = await drive(pool, connections, seconds, () =>
    inTransaction(pool, async (c) => {
      await business(c);
      await c.query('SELECT pg_advisory_xact_lock($1)', [AUDIT_LOCK]);
      await lockedTwoLeaves(q(c), actor, randomUUID(), randomUUID());
    }),
  );
  const queueWhenBusy = await drive(pool, connections, seconds, async () => {
    const queued = await inTransaction(pool, async (c) => {
      await business(c);
      return auditTwoLeaves(q(c), actor, randomUUID(), randomUUID());
    });
    if (queued) await sequenceQueued(pool);
  });
  return { lockToCommit, queueWhenBusy };
}
