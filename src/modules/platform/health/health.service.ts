import { Injectable } from '@nestjs/common';
import { DomainError } from '../../../api/errors/domain-error';
import { ErrorCode } from '../../../api/errors/error-code';
import { DrainState } from '../../../api/http/drain';
import { Db } from '../../../database/db';
import { HealthDto } from './health.dto';

@Injectable()
export class HealthService {
  constructor(
    private readonly db: Db,
    private readonly drain: DrainState,
  ) {}

  /** From SIGTERM on (main.ts): readiness is 503 for SHUTDOWN_DRAIN_MS while the listener still serves. */
  markShuttingDown(): void {
    this.drain.start();
  }

  live(): HealthDto {
    return { status: 'ok', checks: {}, uptimeSeconds: Math.round(process.uptime()) };
  }

  async ready(): Promise<HealthDto> {
    if (this.drain.draining) throw new DomainError(ErrorCode.ServiceUnavailable);
    try {
      await Promise.race([
        this.db.dataSource.query('SELECT 1'),
        new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 1000).unref()),
      ]);
    } catch {
      throw new DomainError(ErrorCode.ServiceUnavailable);
    }
    return { status: 'ok', checks: { database: 'up' }, uptimeSeconds: Math.round(process.uptime()) };
  }
}
