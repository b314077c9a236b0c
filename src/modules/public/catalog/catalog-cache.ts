import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../../../config/config';
import { Db } from '../../../database/db';
import { NotifiedReadCache } from '../../../api/http/shared-read-cache';

/** The NOTIFY channel publish and retire signal on. */
export const CATALOG_CHANNEL = 'onewindow_catalog';

/**
 * The published catalogue's reads (list, search, guides; REST and GraphQL): cleared by publish,
 * retire and the publication of a new version, here and, through NOTIFY, in every instance.
 * CATALOG_CACHE=off sends every read to the database.
 */
@Injectable()
export class PublishedCatalogCache extends NotifiedReadCache {
  constructor(db: Db, @Inject(APP_CONFIG) config: AppConfig) {
    super(db, { channel: CATALOG_CHANNEL, enabled: config.catalogCache, name: 'catalog' });
  }
}
