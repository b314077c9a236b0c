import { RequestContext } from '../../../api/context/request-context';
import { Db } from '../../../database/db';
import { DemoSeedContext, registerDemoSeeder } from '../../platform/demo/demo-registry';
import { RatingChannel, RatingLevel } from './rating-levels';
import { RatingCodesService } from './rating-codes.service';

/** The demo unit whose hall visits are rated: the registration section's window (catalogue demo). */
const DEMO_UNIT = 'marketA.reg';

const VISITS: Array<{ level: RatingLevel; comment: string | null; realName: boolean }> = [
  { level: RatingLevel.VerySatisfied, comment: '窗口人员耐心细致，一次办好。', realName: false },
  { level: RatingLevel.Satisfied, comment: null, realName: false },
  { level: RatingLevel.BasicallySatisfied, comment: '排队时间稍长。', realName: false },
  { level: RatingLevel.Dissatisfied, comment: '材料清单与窗口要求不一致，跑了两趟。', realName: true },
];

/**
 * Demo ratings (好差评): four hall visits of the registration window rated through their codes, the
 * last one bad and by the first demo citizen (real-name), so a rectification case waits in the
 * window's work queue and the unit's public figures show every kind of count. Skipped when the
 * unit already has ratings.
 */
async function seedDemoRatings({ app, units }: DemoSeedContext): Promise<void> {
  const db = app.get(Db);
  const unitId = units.get(DEMO_UNIT);
  if (!unitId) return;
  const [{ n }] = await db.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM rating WHERE organisation_id = $1',
    [unitId],
  );
  if (n > 0) return;
  const [citizen] = await db.query<{ id: string }>(
    "SELECT id FROM account WHERE kind = 'citizen' ORDER BY created_at, id LIMIT 1",
  );
  const codes = app.get(RatingCodesService);
  const window = RequestContext.system('demo-ratings');
  for (const visit of VISITS) {
    const code = await codes.issue(window, { organisationId: unitId });
    const visitor = RequestContext.system('demo-ratings');
    visitor.actor =
      visit.realName && citizen
        ? { kind: 'citizen', id: citizen.id, grants: new Map() }
        : { kind: 'anonymous', id: null, grants: new Map() };
    await codes.rate(visitor, code.code, {
      level: visit.level,
      channel: RatingChannel.Hall,
      comment: visit.comment,
    });
  }
}

registerDemoSeeder({ name: 'ratings.hall-visits', order: 200, seed: seedDemoRatings });
