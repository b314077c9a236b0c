import { Inject, Injectable } from '@nestjs/common';
import { NotifiedReadCache } from '../../../api/http/shared-read-cache';
import { Db } from '../../../database/db';
import { RATINGS_CONFIG, RatingsConfig } from './ratings-config';

/** The NOTIFY channel rating writes signal on. */
export const RATING_FIGURES_CHANNEL = 'onewindow_ratings';

/**
 * Public rating figures per unit and per service (REST and GraphQL), shared by every caller in a
 * language: cleared by every write that changes a figure (a rating, a default rating, an upheld
 * appeal, an answered rectification), here at commit and in every other instance through NOTIFY.
 * The public-read front replays them to anonymous callers.
 */
@Injectable()
export class RatingFiguresCache extends NotifiedReadCache {
  constructor(db: Db, @Inject(RATINGS_CONFIG) config: RatingsConfig) {
    super(db, { channel: RATING_FIGURES_CHANNEL, enabled: config.figuresCache, name: 'ratings' });
  }
}
