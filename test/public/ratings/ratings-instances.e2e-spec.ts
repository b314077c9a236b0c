import { JobsService } from '../../../src/modules/platform/jobs/jobs.service';
import { JobWorker } from '../../../src/modules/platform/jobs/job-worker.service';
import { SILENCE_JOB } from '../../../src/modules/public/ratings/rating-silence.service';
import { describeOnPostgres, startTestApp, TestApp } from '../../support/test-app';
import { cast, Cast, dropTestTarget, registerTestTarget, TEST_KIND, testItem } from './ratings-fixtures';

/**
 * Two app instances on one PostgreSQL: the silence rule is a job of the jobs module (one pending
 * row per dedupe key, claimed with SKIP LOCKED), so both workers running at once record each
 * default rating once; a rating made through one instance clears the other's figures (NOTIFY).
 */
describeOnPostgres('ratings across two instances (PostgreSQL)', () => {
  let a: TestApp;
  let b: TestApp;
  let c: Cast;
  const env = { RATE_LIMIT_ANONYMOUS: '100000', RATE_LIMIT_AUTHENTICATED: '100000' };

  beforeAll(async () => {
    a = await startTestApp(env);
    b = await startTestApp(env);
    await registerTestTarget(a);
    await registerTestTarget(b);
    c = await cast(a);
  });
  afterAll(async () => {
    await dropTestTarget(a);
    await b.close();
    await a.close();
  });

  it('runs the silence job once whichever instance claims it', async () => {
    const items = [
      await testItem(a, { rater: c.rater.id, unit: c.unit, daysAgo: 9 }),
      await testItem(a, { rater: c.rater.id, unit: c.unit, daysAgo: 10 }),
    ];
    const idA = await a.db.transaction(() =>
      a.app.get(JobsService).enqueue(SILENCE_JOB, {}, { dedupeKey: SILENCE_JOB }),
    );
    const idB = await b.db.transaction(() =>
      b.app.get(JobsService).enqueue(SILENCE_JOB, {}, { dedupeKey: SILENCE_JOB }),
    );
    expect(idB).toBe(idA); // one pending job for both instances
    const [ranA, ranB] = await Promise.all([
      a.app.get(JobWorker).runDueJobs(),
      b.app.get(JobWorker).runDueJobs(),
    ]);
    expect(ranA + ranB).toBeGreaterThanOrEqual(1);
    const rows = await a.db.query<{ item_id: string; n: number }>(
      `SELECT item_id, count(*)::int AS n FROM rating WHERE kind = $1 AND item_id = ANY($2) GROUP BY item_id`,
      [TEST_KIND, items],
    );
    expect(rows.map((r) => r.n)).toEqual([1, 1]);
    // This job, by id: other spec files share the database and run silence jobs of their own.
    const job = await a.db.query<{ status: string; attempts: number }>(
      'SELECT status, attempts FROM job WHERE id = $1',
      [idA],
    );
    expect(job).toEqual([{ status: 'done', attempts: 1 }]);
  });

  it("clears the other instance's cached figures when a rating is made", async () => {
    const url = `/v1/rating-figures/units/${c.otherUnit}`;
    const before = await b.http.get(url).expect(200);
    const code = await a.http
      .post('/v1/rating-codes')
      .set(c.otherClerkAuth)
      .send({ organisationId: c.otherUnit })
      .expect(201);
    await a.http.post(`/v1/rating-codes/${code.body.code}/rating`).send({ level: 'satisfied' }).expect(201);
    const deadline = Date.now() + 5000;
    let after = await b.http.get(url).expect(200);
    while (after.body.total === before.body.total && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      after = await b.http.get(url).expect(200);
    }
    expect(after.body.total).toBe(before.body.total + 1);
  });
});
