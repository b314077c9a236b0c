import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../../../config/config';
import { Db } from '../../../database/db';
import { NotifiedReadCache } from '../../../api/http/shared-read-cache';

/** The NOTIFY channel organisation writes signal on. */
export const DIRECTORY_CHANNEL = 'onewindow_directory';

/**
 * The public organisation directory's list reads (REST and GraphQL; the same for every caller in
 * a language): cleared by every organisation create or update, here and, through NOTIFY, in every
 * instance. DIRECTORY_CACHE=off sends every read to the database. Single reads are not cached:
 * their ETag is the row version that If-Match takes back.
 */
@Injectable()
export class DirectoryCache extends NotifiedReadCache {
  constructor(db: Db, @Inject(APP_CONFIG) config: AppConfig) {
    super(db, { channel: DIRECTORY_CHANNEL, enabled: config.directoryCache, name: 'directory' });
  }
}
