import { RatingSilenceService } from '../../../src/modules/public/ratings/rating-silence.service';
import { instantSpec } from '../../support/workflow-fixtures';
import { publishServiceWithWorkflow } from '../../support/workflow-fixtures';
import { signedInCitizen } from '../../identity/citizen-fixtures';
import { applicationSteps, guideContent } from '../applications-helpers';
import { startTestApp, TestApp } from '../../support/test-app';
import { cast, Cast, dropTestTarget, registerTestTarget, TEST_KIND, testItem } from './ratings-fixtures';

/**
 * Issue 13 §4, 好差评: one rating per item by its rater once handled and within the period, the
 * hall's rating codes, public figures from the shared cache, the silence rule, GraphQL twins.
 */
describe('ratings (好差评)', () => {
  let t: TestApp;
  let c: Cast;
  const count = async (sql: string, params: unknown[]): Promise<number> =>
    (await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${sql}`, params))[0].n;
  const gql = (
    query: string,
    variables: Record<string, unknown> = {},
    headers: Record<string, string> = {},
  ) =>
    t.http.post('/graphql').set('Content-Type', 'application/json').set(headers).send({ query, variables });

  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMIT_ANONYMOUS: '100000', RATE_LIMIT_AUTHENTICATED: '100000' });
    await registerTestTarget(t);
    c = await cast(t);
  });
  afterAll(async () => {
    await dropTestTarget(t);
    await t.close();
  });

  describe('rating an item', () => {
    it('records one rating per item, by its rater, with the channel and a sealed comment', async () => {
      const itemId = await testItem(t, { rater: c.rater.id, unit: c.unit, handler: c.clerk.id });
      const res = await t.http
        .post('/v1/ratings')
        .set(c.raterAuth)
        .send({
          kind: TEST_KIND,
          itemId,
          level: 'satisfied',
          channel: 'app',
          comment: '办事很快，电话 13812345678',
        })
        .expect(201);
      expect(res.body).toMatchObject({
        kind: TEST_KIND,
        itemId,
        level: 'satisfied',
        score: 4,
        channel: 'app',
        source: 'rater',
        realName: true,
        comment: '办事很快，电话 13812345678',
        organisationId: c.unit,
        excluded: false,
        rectificationId: null,
      });
      const [row] = await t.db.query<{ comment: string; channel: string; handler_account_id: string }>(
        'SELECT comment, channel, handler_account_id FROM rating WHERE id = $1',
        [res.body.id],
      );
      expect(row.channel).toBe('app');
      expect(row.handler_account_id).toBe(c.clerk.id);
      expect(row.comment).toMatch(/^v1\./); // sealed at rest
      expect(row.comment).not.toContain('138');
      // a second rating of the same item
      const again = await t.http
        .post('/v1/ratings')
        .set(c.raterAuth)
        .send({ kind: TEST_KIND, itemId, level: 'very_satisfied' })
        .expect(409);
      expect(again.body.code).toBe('RATING_ALREADY_GIVEN');
      expect(await count('rating WHERE item_id = $1', [itemId])).toBe(1);
      // the rater reads it back; staff of the unit see it without the comment unless asked (audited)
      const mine = await t.http.get('/v1/me/ratings').set(c.raterAuth).expect(200);
      expect(mine.body.items.map((r: { id: string }) => r.id)).toContain(res.body.id);
      const staffView = await t.http.get(`/v1/ratings/${res.body.id}`).set(c.clerkAuth).expect(200);
      expect(staffView.body.comment).toBeNull();
      const before = await count("audit_leaf WHERE action = 'rating.read_comment' AND resource_id = $1", [
        res.body.id,
      ]);
      const opened = await t.http.get(`/v1/ratings/${res.body.id}?comment=true`).set(c.clerkAuth).expect(200);
      expect(opened.body.comment).toBe('办事很快，电话 13812345678');
      expect(
        await count("audit_leaf WHERE action = 'rating.read_comment' AND resource_id = $1", [res.body.id]),
      ).toBe(before + 1);
      // other citizens and other units' staff: the missing rating's 404
      await t.http.get(`/v1/ratings/${res.body.id}`).set(c.otherCitizenAuth).expect(404);
      await t.http.get(`/v1/ratings/${res.body.id}`).set(c.otherClerkAuth).expect(404);
      await t.http.get(`/v1/ratings/${res.body.id}`).expect(401);
    });

    it('refuses other raters (404), unhandled items (409), late ratings (409) and writes nothing', async () => {
      const notMine = await testItem(t, { rater: c.rater.id, unit: c.unit });
      const r404 = await t.http
        .post('/v1/ratings')
        .set(c.otherCitizenAuth)
        .send({ kind: TEST_KIND, itemId: notMine, level: 'satisfied' })
        .expect(404);
      expect(r404.body.code).toBe('NOT_FOUND');
      await t.http
        .post('/v1/ratings')
        .set(c.raterAuth)
        .send({ kind: 'no_such_kind', itemId: notMine, level: 'satisfied' })
        .expect(404);
      const open = await testItem(t, { rater: c.rater.id, unit: c.unit, daysAgo: null });
      const r409 = await t.http
        .post('/v1/ratings')
        .set(c.raterAuth)
        .send({ kind: TEST_KIND, itemId: open, level: 'satisfied' })
        .expect(409);
      expect(r409.body.code).toBe('RATING_NOT_HANDLED');
      const late = await testItem(t, { rater: c.rater.id, unit: c.unit, daysAgo: 8 });
      const r409b = await t.http
        .post('/v1/ratings')
        .set(c.raterAuth)
        .send({ kind: TEST_KIND, itemId: late, level: 'satisfied' })
        .expect(409);
      expect(r409b.body.code).toBe('RATING_WINDOW_CLOSED');
      expect(await count('rating WHERE item_id = ANY($1)', [[notMine, open, late]])).toBe(0);
    });

    it('validates the body with pointers and refuses callers without self-service', async () => {
      const itemId = await testItem(t, { rater: c.rater.id, unit: c.unit });
      const cases: Array<[Record<string, unknown>, string]> = [
        [{ kind: TEST_KIND, itemId, level: 'great' }, '/level'],
        [{ kind: TEST_KIND, itemId, level: 'satisfied', channel: 'system' }, '/channel'],
        [{ kind: 'Bad Kind', itemId, level: 'satisfied' }, '/kind'],
        [{ kind: TEST_KIND, itemId: '', level: 'satisfied' }, '/itemId'],
        [{ kind: TEST_KIND, itemId, level: 'satisfied', comment: 'x'.repeat(501) }, '/comment'],
        [{ kind: TEST_KIND, itemId, level: 'satisfied', comment: 'a\u0000b' }, '/comment'],
        [{ kind: TEST_KIND, itemId, level: 'satisfied', extra: 1 }, '/extra'],
      ];
      for (const [body, pointer] of cases) {
        const res = await t.http.post('/v1/ratings').set(c.raterAuth).send(body).expect(400);
        expect(res.body.errors.map((e: { pointer: string }) => e.pointer)).toContain(pointer);
      }
      await t.http
        .post('/v1/ratings')
        .set(c.clerkAuth)
        .send({ kind: TEST_KIND, itemId, level: 'satisfied' })
        .expect(403);
      await t.http.post('/v1/ratings').send({ kind: TEST_KIND, itemId, level: 'satisfied' }).expect(401);
      expect(await count('rating WHERE item_id = $1', [itemId])).toBe(0);
    });
  });

  describe('hall visits (评价码)', () => {
    it('a clerk issues a code, anyone holding it rates once, the QR is for the window only', async () => {
      const issued = await t.http
        .post('/v1/rating-codes')
        .set(c.clerkAuth)
        .send({ organisationId: c.unit })
        .expect(201);
      expect(issued.body).toMatchObject({ organisationId: c.unit, rated: false });
      expect(issued.body.code).toMatch(/^[0-9A-HJKMNP-TV-Z]{16}$/);
      expect(issued.body.url).toMatch(new RegExp(`/v1/rating-codes/${issued.body.code}$`));
      await t.http
        .post('/v1/rating-codes')
        .set(c.otherClerkAuth)
        .send({ organisationId: c.unit })
        .expect(404);
      await t.http.post('/v1/rating-codes').set(c.raterAuth).send({ organisationId: c.unit }).expect(403);
      const qr = await t.http.get(`/v1/rating-codes/${issued.body.code}/qr.svg`).set(c.clerkAuth).expect(200);
      expect(qr.headers['content-type']).toMatch(/image\/svg\+xml/);
      await t.http.get(`/v1/rating-codes/${issued.body.code}/qr.svg`).set(c.otherClerkAuth).expect(404);
      const info = await t.http.get(`/v1/rating-codes/${issued.body.code.toLowerCase()}`).expect(200);
      expect(info.body.rated).toBe(false);
      const rated = await t.http
        .post(`/v1/rating-codes/${issued.body.code}/rating`)
        .send({ level: 'very_satisfied' })
        .expect(201);
      expect(rated.body).toMatchObject({
        kind: 'hall_visit',
        channel: 'hall',
        realName: false,
        level: 'very_satisfied',
      });
      const [row] = await t.db.query<{ rater_account_id: string | null; handler_account_id: string }>(
        'SELECT rater_account_id, handler_account_id FROM rating WHERE id = $1',
        [rated.body.id],
      );
      expect(row).toEqual({ rater_account_id: null, handler_account_id: c.clerk.id });
      // window staff never rate a visit themselves
      const byStaff = await t.http
        .post(`/v1/rating-codes/${issued.body.code}/rating`)
        .set(c.clerkAuth)
        .send({ level: 'very_satisfied' })
        .expect(403);
      expect(byStaff.body.code).toBe('FORBIDDEN');
      const twice = await t.http
        .post(`/v1/rating-codes/${issued.body.code}/rating`)
        .set(c.raterAuth)
        .send({ level: 'satisfied' })
        .expect(409);
      expect(twice.body.code).toBe('RATING_ALREADY_GIVEN');
      expect((await t.http.get(`/v1/rating-codes/${issued.body.code}`).expect(200)).body.rated).toBe(true);
      await t.http.get('/v1/rating-codes/NOTACODE').expect(404);
      await t.http.post('/v1/rating-codes/0000000000000000/rating').send({ level: 'satisfied' }).expect(404);
      // a hall visit is rated with its code, never through POST /v1/ratings
      await t.http
        .post('/v1/ratings')
        .set(c.raterAuth)
        .send({ kind: 'hall_visit', itemId: rated.body.itemId, level: 'satisfied' })
        .expect(404);
    });
  });

  describe('public figures', () => {
    it('counts per level from the shared cache, cleared by every rating', async () => {
      const unit = c.otherUnit;
      const url = `/v1/rating-figures/units/${unit}`;
      const empty = await t.http.get(url).expect(200);
      expect(empty.body).toMatchObject({
        id: unit,
        total: 0,
        satisfactionRate: null,
        rectificationRate: null,
      });
      expect(empty.headers['cache-control']).toMatch(/public/);
      const etag = empty.headers.etag;
      await t.http.get(url).set('If-None-Match', etag).expect(304);
      for (const level of ['very_satisfied', 'basically_satisfied', 'very_dissatisfied']) {
        const code = await t.http
          .post('/v1/rating-codes')
          .set(c.otherClerkAuth)
          .send({ organisationId: unit })
          .expect(201);
        await t.http.post(`/v1/rating-codes/${code.body.code}/rating`).send({ level }).expect(201);
      }
      const after = await t.http.get(url).set('If-None-Match', etag).expect(200);
      expect(after.body).toMatchObject({
        counts: {
          very_satisfied: 1,
          satisfied: 0,
          basically_satisfied: 1,
          dissatisfied: 0,
          very_dissatisfied: 1,
        },
        total: 3,
        bad: 1,
        satisfactionRate: 0.6667,
        rectificationsDue: 0, // anonymous bad ratings open no rectification
        excluded: 0,
      });
      const viaGraphql = await gql(
        'query($id: ID!) { unitRatingFigures(id: $id) { total bad satisfactionRate counts { very_satisfied } } }',
        {
          id: unit,
        },
      ).expect(200);
      expect(viaGraphql.body.data.unitRatingFigures).toEqual({
        total: 3,
        bad: 1,
        satisfactionRate: 0.6667,
        counts: { very_satisfied: 1 },
      });
      await t.http.get('/v1/rating-figures/units/00000000-0000-4000-8000-000000000000').expect(404);
      await t.http.get('/v1/rating-figures/units/not-a-uuid').expect(400);
    });

    it('staff figures by person for supervisors over the unit only', async () => {
      const res = await t.http
        .get(`/v1/rating-figures/staff?organisationId=${c.unit}`)
        .set(c.supervisorAuth)
        .expect(200);
      const clerk = (res.body as Array<{ accountId: string; total: number }>).find(
        (r) => r.accountId === c.clerk.id,
      );
      expect(clerk?.total).toBeGreaterThanOrEqual(1);
      await t.http
        .get(`/v1/rating-figures/staff?organisationId=${c.unit}`)
        .set(c.otherSupervisorAuth)
        .expect(404);
      await t.http.get(`/v1/rating-figures/staff?organisationId=${c.unit}`).set(c.clerkAuth).expect(403);
      await t.http
        .get(`/v1/rating-figures/staff?organisationId=${c.unit}&from=2026-02-30`)
        .set(c.supervisorAuth)
        .expect(400);
    });
  });

  describe('GraphQL twins, idempotency, cursors', () => {
    it('issues a code and rates with it through GraphQL, replays a keyed POST, refuses a forged cursor', async () => {
      const issued = await gql(
        'mutation($input: IssueRatingCodeInput!) { issueRatingCode(input: $input) { code organisationId rated } }',
        { input: { organisationId: c.unit } },
        c.clerkAuth,
      ).expect(200);
      expect(issued.body.errors).toBeUndefined();
      const code = issued.body.data.issueRatingCode.code as string;
      const denied = await gql(
        'mutation($input: IssueRatingCodeInput!) { issueRatingCode(input: $input) { code } }',
        { input: { organisationId: c.unit } },
        c.otherClerkAuth,
      ).expect(200);
      expect(denied.body.errors[0].extensions.code).toBe('NOT_FOUND');
      const rated = await gql(
        'mutation($code: String!, $input: RatingCodeRatingInput!) { rateWithCode(code: $code, input: $input) { level realName channel } }',
        { code, input: { level: 'dissatisfied', comment: '等候太久' } },
        c.raterAuth,
      ).expect(200);
      expect(rated.body.data.rateWithCode).toEqual({
        level: 'dissatisfied',
        realName: true,
        channel: 'hall',
      });
      // real-name and bad: a rectification was opened for the unit
      const [row] = await t.db.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM rectification x JOIN rating r ON r.id = x.rating_id JOIN rating_code rc ON rc.id::text = r.item_id WHERE rc.code = $1',
        [code],
      );
      expect(row.n).toBe(1);
      // Idempotency-Key: the same request twice is one rating, the answer replayed
      const itemId = await testItem(t, { rater: c.rater.id, unit: c.unit });
      const body = { kind: TEST_KIND, itemId, level: 'very_satisfied' };
      const first = await t.http
        .post('/v1/ratings')
        .set(c.raterAuth)
        .set('Idempotency-Key', `k-${itemId}`)
        .send(body)
        .expect(201);
      const replay = await t.http
        .post('/v1/ratings')
        .set(c.raterAuth)
        .set('Idempotency-Key', `k-${itemId}`)
        .send(body)
        .expect(201);
      expect(replay.headers['idempotent-replayed']).toBe('true');
      expect(replay.body.id).toBe(first.body.id);
      expect(await count('rating WHERE item_id = $1', [itemId])).toBe(1);
      // a cursor of another list is refused
      const forged = Buffer.from(JSON.stringify(['licences', first.body.id])).toString('base64url');
      const bad = await t.http.get(`/v1/me/ratings?cursor=${forged}`).set(c.raterAuth).expect(400);
      expect(bad.body.code).toBe('INVALID_CURSOR');
      const mine = await gql(
        '{ myRatings(first: 2) { totalCount edges { node { id level } } } }',
        {},
        c.raterAuth,
      ).expect(200);
      expect(mine.body.data.myRatings.edges).toHaveLength(2);
      expect(mine.body.data.myRatings.totalCount).toBeGreaterThanOrEqual(2);
    });
  });

  describe('the silence rule', () => {
    it('records 基本满意 (default) for items unrated past the period, once, whatever runs it twice', async () => {
      const silent = await testItem(t, { rater: c.rater.id, unit: c.unit, daysAgo: 8 });
      const recent = await testItem(t, { rater: c.rater.id, unit: c.unit, daysAgo: 1 });
      const anonymous = await testItem(t, { rater: null, unit: c.unit, daysAgo: 8 });
      const silence = t.app.get(RatingSilenceService);
      const [first, second] = await Promise.all([silence.run(), silence.run()]);
      expect(first + second).toBeGreaterThanOrEqual(1);
      const rows = await t.db.query<{ item_id: string; score: number; source: string; channel: string }>(
        'SELECT item_id, score, source, channel FROM rating WHERE item_id = ANY($1)',
        [[silent, recent, anonymous]],
      );
      expect(rows).toEqual([{ item_id: silent, score: 3, source: 'default', channel: 'system' }]);
      expect(await silence.run()).toBe(0);
      const mine = await t.http.get('/v1/me/ratings').set(c.raterAuth).expect(200);
      expect(mine.body.items.find((r: { itemId: string }) => r.itemId === silent)).toMatchObject({
        level: 'basically_satisfied',
        source: 'default',
      });
    });
  });

  describe('a handled application', () => {
    it('is rateable by its applicant once decided, with the handling unit and the deciding clerk', async () => {
      const { serviceId } = await publishServiceWithWorkflow(t, c.unit, {
        content: guideContent(),
        spec: instantSpec(),
      });
      const applicant = await signedInCitizen(t);
      const steps = applicationSteps(() => t);
      const app = await steps.submitted(applicant, serviceId);
      const headers = { Authorization: `Bearer ${applicant.accessToken}` };
      const early = await t.http
        .post('/v1/ratings')
        .set(headers)
        .send({ kind: 'application', itemId: app.id, level: 'satisfied' })
        .expect(409);
      expect(early.body.code).toBe('RATING_NOT_HANDLED');
      await steps.act(c.clerkAuth, app.id, 'accept');
      await steps.act(c.clerkAuth, app.id, 'decide', { decision: 'approved', reason: '符合条件' });
      await t.http
        .post('/v1/ratings')
        .set(c.raterAuth)
        .send({ kind: 'application', itemId: app.id, level: 'satisfied' })
        .expect(404);
      const rated = await gql(
        'mutation($input: RateInput!) { rate(input: $input) { kind itemId level channel organisationId serviceId title } }',
        { input: { kind: 'application', itemId: app.id, level: 'very_satisfied', channel: 'mini_program' } },
        headers,
      ).expect(200);
      expect(rated.body.errors).toBeUndefined();
      expect(rated.body.data.rate).toMatchObject({
        kind: 'application',
        itemId: app.id,
        level: 'very_satisfied',
        channel: 'mini_program',
        organisationId: c.unit,
        serviceId,
      });
      const [row] = await t.db.query<{ handler_account_id: string }>(
        "SELECT handler_account_id FROM rating WHERE kind = 'application' AND item_id = $1",
        [app.id],
      );
      expect(row.handler_account_id).toBe(c.clerk.id);
      const service = await t.http.get(`/v1/rating-figures/services/${serviceId}`).expect(200);
      expect(service.body).toMatchObject({ total: 1, counts: { very_satisfied: 1 }, satisfactionRate: 1 });
    });
  });
});
