import { Inject, Injectable, OnApplicationBootstrap, OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../../../../config/config';
import { Db } from '../../../../database/db';
import { JobsService } from '../../jobs/jobs.service';
import { LoginThrottle } from './login-throttle';

export const AUTH_PURGE_JOB = 'auth.purge';
const DAY_MS = 86_400_000;
/** codes live ten minutes; a week of them is kept to look into abuse (SMS flooding, guessing) */
const CODE_RETENTION_DAYS = 7;

/**
 * Daily deletion of sign-in records nobody needs any more (PIPL Art. 19): old one-time codes,
 * refresh tokens a day past expiry, sessions left with no token, and sign-in throttling counts
 * that have decayed. Used tokens are kept until
 * they expire, since a replay of one is how a stolen session is detected.
 */
@Injectable()
export class AuthRetentionService implements OnModuleInit, OnApplicationBootstrap {
  constructor(
    private readonly db: Db,
    private readonly jobs: JobsService,
    private readonly throttle: LoginThrottle,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.jobs.register(AUTH_PURGE_JOB, async () => {
      await this.purge();
      await this.schedule(new Date(Date.now() + DAY_MS));
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.jobs.enabled) await this.schedule(new Date(Date.now() + 60_000));
  }

  async purge(now = new Date()): Promise<void> {
    await this.db.transaction(async () => {
      await this.db.query('DELETE FROM verification_code WHERE created_at < $1', [
        new Date(now.getTime() - CODE_RETENTION_DAYS * DAY_MS),
      ]);
      await this.db.query('DELETE FROM refresh_token WHERE expires_at < $1', [
        new Date(now.getTime() - DAY_MS),
      ]);
      await this.db.query(
        `DELETE FROM auth_session s WHERE s.created_at < $1
         AND NOT EXISTS (SELECT 1 FROM refresh_token r WHERE r.session_id = s.id)`,
        [new Date(now.getTime() - this.config.jwt.refreshTtlSeconds * 1000)],
      );
      await this.throttle.purge(now);
    });
  }

  private async schedule(runAt: Date): Promise<void> {
    await this.jobs.enqueue(AUTH_PURGE_JOB, {}, { runAt, dedupeKey: AUTH_PURGE_JOB, maxAttempts: 5 });
  }
}
