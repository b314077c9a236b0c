import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleInit } from '@nestjs/common';
import { RequestContext } from '../../../api/context/request-context';
import { APP_CONFIG, AppConfig } from '../../../config/config';
import { Db } from '../../../database/db';
import { EventsService } from '../../platform/events/events.service';
import { JobsService } from '../../platform/jobs/jobs.service';
import { RATING_RECORDED } from './rating-events';
import { RatingFiguresCache } from './rating-figures.cache';
import { RatingTargets } from './rating-target';
import { RATINGS_CONFIG, RatingsConfig } from './ratings-config';

export const SILENCE_JOB = 'ratings.silence';
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** rows per statement; a pass repeats until a kind has none left */
const BATCH = 500;

/**
 * A UUIDv7 made in SQL (48-bit millisecond time, version 7, RFC 9562 variant, random rest from
 * g.h), so default ratings sort by time like every id the application makes (keyset lists).
 */
const UUIDV7_SQL = `(lpad(to_hex(floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint), 12, '0') || '7'
  || substr(g.h, 1, 3) || substr('89ab', 1 + get_byte(decode(substr(g.h, 4, 2), 'hex'), 0) % 4, 1)
  || substr(g.h, 6, 15))::uuid`;

interface Inserted {
  id: string;
  kind: string;
  organisation_id: string;
  service_id: string | null;
}

/**
 * The silence rule (粤办函〔2020〕21号): an item handled more than RATING_SILENCE_DAYS natural days
 * ago that its rater has not rated counts as 基本满意. A job of the jobs module (hourly, one pending
 * row per dedupe key, claimed with SKIP LOCKED), so with several instances it runs once per round;
 * and the rating's unique index (kind, item_id) makes a second run, a race with the rater or a
 * crash mid-way insert nothing twice.
 */
@Injectable()
export class RatingSilenceService implements OnModuleInit, OnApplicationBootstrap {
  private readonly log = new Logger('RatingSilence');

  constructor(
    private readonly db: Db,
    private readonly jobs: JobsService,
    private readonly targets: RatingTargets,
    private readonly events: EventsService,
    private readonly figures: RatingFiguresCache,
    @Inject(RATINGS_CONFIG) private readonly config: RatingsConfig,
    @Inject(APP_CONFIG) private readonly app: AppConfig,
  ) {}

  onModuleInit(): void {
    this.jobs.register(SILENCE_JOB, async (_payload, ctx) => {
      await this.run(ctx, new Date());
      await this.schedule(new Date(Date.now() + HOUR_MS));
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.app.jobs.enabled) await this.schedule(new Date(Date.now() + 5 * 60_000));
  }

  private schedule(runAt: Date): Promise<string> {
    return this.jobs.enqueue(SILENCE_JOB, {}, { runAt, dedupeKey: SILENCE_JOB, maxAttempts: 5 });
  }

  /** Records the default ratings due as of `now`; returns how many (tests call it with a chosen instant). */
  async run(ctx: RequestContext = RequestContext.system(SILENCE_JOB), now = new Date()): Promise<number> {
    const before = new Date(now.getTime() - this.config.silenceDays * DAY_MS);
    let total = 0;
    for (const target of this.targets.all()) {
      for (;;) {
        const rows = await this.db.transaction(async () => {
          const inserted = await this.db.query<Inserted>(
            `INSERT INTO rating (id, kind, item_id, rater_account_id, organisation_id, service_id,
               handler_account_id, score, channel, source, comment, title_zh, title_en, handled_at, rated_at)
             SELECT ${UUIDV7_SQL}, $2::text, t.id, t.rater_account_id, t.organisation_id, t.service_id,
               t.handler_account_id, 3, 'system', 'default', NULL, $3::text, $4::text, t.handled_at, $5::timestamptz
             FROM (${target.handledBeforeSql}) t CROSS JOIN LATERAL (SELECT md5(random()::text || t.id) AS h) g
             WHERE t.rater_account_id IS NOT NULL
               AND NOT EXISTS (SELECT 1 FROM rating r WHERE r.kind = $2::text AND r.item_id = t.id)
             LIMIT ${BATCH}
             ON CONFLICT (kind, item_id) DO NOTHING
             RETURNING id, kind, organisation_id, service_id`,
            [before, target.kind, target.title['zh-CN'], target.title.en, now],
          );
          for (const r of inserted)
            await this.events.publish(ctx, {
              type: RATING_RECORDED.type,
              aggregate: { type: 'rating', id: r.id },
              payload: {
                ratingId: r.id,
                kind: r.kind,
                organisationId: r.organisation_id,
                serviceId: r.service_id,
                score: 3,
                source: 'default',
                realName: true,
              },
            });
          if (inserted.length) await this.figures.notifyChanged(`silence ${target.kind}`);
          return inserted.length;
        });
        total += rows;
        if (rows < BATCH) break;
      }
    }
    if (total) this.log.log(`recorded ${total} default rating(s) (基本满意)`);
    return total;
  }
}
