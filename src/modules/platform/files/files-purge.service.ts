import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleInit } from '@nestjs/common';
import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { RequestContext } from '../../../api/context/request-context';
import { APP_CONFIG, AppConfig } from '../../../config/config';
import { Db } from '../../../database/db';
import { JobsService } from '../jobs/jobs.service';
import { FilesService } from './files.service';
import { FILE_STORAGE, FileStorage } from './storage/file-storage';
import { StoredFile } from './stored-file.entity';

export const FILES_PURGE_JOB = 'files.purge';
const HOUR_MS = 3_600_000;
const PURGE_BATCH = 200;

/**
 * Hourly deletion of uploads nobody attached within FILES_UNATTACHED_TTL_HOURS (a citizen who gave
 * up on an application leaves no documents behind), and of spool files a crash left.
 * Templates are never purged.
 */
@Injectable()
export class FilesPurgeService implements OnModuleInit, OnApplicationBootstrap {
  private readonly logger = new Logger(FilesPurgeService.name);

  constructor(
    private readonly db: Db,
    private readonly jobs: JobsService,
    private readonly files: FilesService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(FILE_STORAGE) private readonly storage: FileStorage,
  ) {}

  onModuleInit(): void {
    this.jobs.register(FILES_PURGE_JOB, async (_payload, ctx) => {
      await this.purgeUnattached(ctx);
      await this.schedule(new Date(Date.now() + HOUR_MS));
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.jobs.enabled) await this.schedule(new Date(Date.now() + 5 * 60_000));
  }

  /** Deletes unattached attachments older than the TTL, rows, audit leaves and bytes; returns how many. */
  async purgeUnattached(
    ctx: RequestContext = RequestContext.system(FILES_PURGE_JOB),
    now = new Date(),
  ): Promise<number> {
    const cutoff = new Date(now.getTime() - this.config.files.unattachedTtlHours * HOUR_MS);
    const ids = await this.db.query<{ id: string }>(
      `SELECT id FROM stored_file WHERE subject_id IS NULL AND purpose = 'attachment' AND created_at < $1
       ORDER BY created_at LIMIT ${PURGE_BATCH}`,
      [cutoff],
    );
    let purged = 0;
    for (const { id } of ids) {
      await this.db.transaction(async () => {
        const file = await this.db
          .repo(StoredFile)
          .findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
        // Re-checked under the lock: it may have been attached since the scan.
        if (!file || file.subjectId || file.createdAt >= cutoff) return;
        await this.files.destroy(ctx, file, 'file.purge');
        purged++;
      });
    }
    if (purged) this.logger.log(`purged ${purged} unattached file(s)`);
    await this.sweepSpool(now);
    return purged;
  }

  /** Spooled uploads left behind by a crash mid-upload (a live one is minutes old at most). */
  private async sweepSpool(now: Date): Promise<void> {
    const dir = this.storage.spoolDir;
    const names = await readdir(dir).catch(() => [] as string[]);
    for (const name of names) {
      const path = join(dir, name);
      const info = await stat(path).catch(() => null);
      if (info?.isFile() && info.mtimeMs < now.getTime() - HOUR_MS) await rm(path, { force: true });
    }
  }

  private async schedule(runAt: Date): Promise<void> {
    await this.jobs.enqueue(FILES_PURGE_JOB, {}, { runAt, dedupeKey: FILES_PURGE_JOB, maxAttempts: 5 });
  }
}
