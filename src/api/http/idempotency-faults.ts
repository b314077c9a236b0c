import { Logger } from '@nestjs/common';
import type { AppConfig, FaultInjection } from '../../config/config';
import type { Db } from '../../database/db';

const log = new Logger('FaultInject');

/**
 * The crash tests' switch (FAULT_INJECT, refused by config in production): at `point` of a keyed
 * request, end the process with SIGKILL (no shutdown hooks, no flush: a power cut as far as the
 * database can tell), or end this process's database session with pg_terminate_backend, as a
 * database restart or a network cut would.
 */
export async function injectFault(config: AppConfig, point: FaultInjection['point'], db: Db): Promise<void> {
  const fault = config.faultInject;
  if (!fault || fault.point !== point) return;
  if (fault.action === 'kill') {
    process.kill(process.pid, 'SIGKILL');
    // SIGKILL is delivered asynchronously: nothing after this point may run.
    await new Promise<never>(() => undefined);
  }
  log.warn(`FAULT_INJECT ${point}: dropping the database connection`);
  try {
    await db.query('SELECT pg_terminate_backend(pg_backend_pid())');
  } catch (err) {
    // Inside the transaction the failure is the point: it rolls the request back. After COMMIT the
    // answer is already safe in the database, and the pool replaces the dead connection.
    if (point === 'idempotency-before-commit') throw err;
  }
}
