import { Injectable } from '@nestjs/common';
import { DomainError } from '../../../api/errors/domain-error';
import { ErrorCode } from '../../../api/errors/error-code';
import { Db } from '../../../database/db';
import { HealthDto } from './health.dto';

@Injectable()
export class HealthService {
  private shuttingDown = false;

  constructor(private readonly db: Db) {}

  markShuttingDown(): void {
    this.shuttingDown = true;
  }

  live(): HealthDto {
    return { status: 'ok', checks: {}, uptimeSeconds: Math.round(process.uptime()) };
  }

  async ready(): Promise<HealthDto> {
    if (this.shuttingDown) throw new DomainError(ErrorCode.ServiceUnavailable);
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
