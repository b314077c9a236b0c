import { startTestApp, TestApp } from '../../support/test-app';
import { drained } from '../../support/events';
import { cast, Cast, dropTestTarget, registerTestTarget, TEST_KIND, testItem } from './ratings-fixtures';

/**
 * Issue 13 §4: a bad real-name rating opens a `rectification` case on the workflow engine for the
 * responsible unit (verify and call back → rectify or explain → answer the rater), published with
 * its result; the rater judges the result; the unit appeals a rating and a supervisor decides.
 */
describe('rectifications and appeals (差评整改, 申诉复核)', () => {
  let t: TestApp;
  let c: Cast;
  const count = async (sql: string, params: unknown[]): Promise<number> =>
    (await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${sql}`, params))[0].n;
  const rate = async (level: string, who = c.raterAuth, rater = c.rater.id) => {
    const itemId = await testItem(t, { rater, unit: c.unit, handler: c.clerk.id });
    const res = await t.http
      .post('/v1/ratings')
      .set(who)
      .send({ kind: TEST_KIND, itemId, level, comment: '窗口态度差' });
    if (res.status !== 201) throw new Error(`rate: ${res.status} ${res.text}`);
    return res.body as { id: string; rectificationId: string | null };
  };
  const act = (caseId: string, action: string, body: Record<string, unknown>, who = c.clerkAuth) =>
    t.http.post(`/v1/cases/${caseId}/actions/${action}`).set(who).send(body);

  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMIT_ANONYMOUS: '100000', RATE_LIMIT_AUTHENTICATED: '100000' });
    await registerTestTarget(t);
    c = await cast(t);
  });
  afterAll(async () => {
    await dropTestTarget(t);
    await t.close();
  });

  it('opens, works and publishes a rectification of a bad real-name rating', async () => {
    const good = await rate('satisfied');
    expect(good.rectificationId).toBeNull();
    const bad = await rate('very_dissatisfied');
    expect(bad.rectificationId).toEqual(expect.any(String));
    const [kase] = await t.db.query<{
      id: string;
      organisation_id: string;
      stage: string;
      applicant_account_id: string;
    }>(
      "SELECT id, organisation_id, stage, applicant_account_id FROM case_file WHERE case_type = 'rectification' AND subject_id = $1",
      [bad.rectificationId],
    );
    expect(kase).toMatchObject({
      organisation_id: c.unit,
      stage: 'verify',
      applicant_account_id: c.rater.id,
    });
    // the unit got the default workflow, active
    expect(
      await count(
        "workflow_definition WHERE case_type = 'rectification' AND subject_key = $1 AND state = 'active'",
        [c.unit],
      ),
    ).toBe(1);
    // published at once, anonymised
    const open = await t.http.get(`/v1/rectifications/${bad.rectificationId}`).expect(200);
    expect(open.body).toMatchObject({
      status: 'open',
      stage: 'verify',
      level: 'very_dissatisfied',
      organisationId: c.unit,
    });
    expect(JSON.stringify(open.body)).not.toContain(c.rater.id);
    expect(JSON.stringify(open.body)).not.toContain('窗口态度差');
    // the rater was told and sees it on "my government"
    const timeline = await t.http.get('/v1/me/timeline').set(c.raterAuth).expect(200);
    expect(timeline.body.items.map((i: { id: string }) => i.id)).toContain(bad.rectificationId);
    // the rater cannot judge it before the answer
    await t.http
      .post(`/v1/rectifications/${bad.rectificationId}/satisfaction`)
      .set(c.raterAuth)
      .send({ satisfaction: 'satisfied' })
      .expect(409);
    // other units' clerks do not see the case; the unit's clerk works it
    expect((await act(kase.id, 'verified', { reason: '已电话回访核实' }, c.otherClerkAuth)).status).toBe(404);
    expect((await act(kase.id, 'verified', { reason: '已电话回访核实' })).status).toBe(200);
    expect((await act(kase.id, 'explain', { reason: '材料要求依法设定，已解释' })).status).toBe(200);
    // the answer is published: an ID number or a phone number in it is refused, nothing written
    const leak = await act(kase.id, 'reply', { reason: '请联系 13812345678' });
    expect(leak.status).toBe(400);
    expect(leak.body.errors[0].pointer).toBe('/reason');
    expect((await t.http.get(`/v1/rectifications/${bad.rectificationId}`).expect(200)).body.status).toBe(
      'open',
    );
    expect(
      (await act(kase.id, 'reply', { reason: '已向您说明材料要求的依据，并优化了一次性告知清单。' })).status,
    ).toBe(200);
    const answered = await t.http.get(`/v1/rectifications/${bad.rectificationId}`).expect(200);
    expect(answered.body).toMatchObject({
      status: 'answered',
      stage: 'closed',
      outcome: 'explained',
      publicAnswer: '已向您说明材料要求的依据，并优化了一次性告知清单。',
    });
    const list = await t.http.get(`/v1/rectifications?organisationId=${c.unit}`).expect(200);
    expect(list.body.items.map((x: { id: string }) => x.id)).toContain(bad.rectificationId);
    // only the rater judges the result, once
    await t.http
      .post(`/v1/rectifications/${bad.rectificationId}/satisfaction`)
      .set(c.otherCitizenAuth)
      .send({ satisfaction: 'satisfied' })
      .expect(404);
    await t.http
      .post(`/v1/rectifications/${bad.rectificationId}/satisfaction`)
      .set(c.raterAuth)
      .send({ satisfaction: 'great' })
      .expect(400);
    const judged = await t.http
      .post(`/v1/rectifications/${bad.rectificationId}/satisfaction`)
      .set(c.raterAuth)
      .send({ satisfaction: 'basically_satisfied' })
      .expect(200);
    expect(judged.body.raterSatisfaction).toBe('basically_satisfied');
    await t.http
      .post(`/v1/rectifications/${bad.rectificationId}/satisfaction`)
      .set(c.raterAuth)
      .send({ satisfaction: 'satisfied' })
      .expect(409);
    // figures: one bad real-name rating due, answered
    const figures = await t.http.get(`/v1/rating-figures/units/${c.unit}`).expect(200);
    expect(figures.body).toMatchObject({
      rectificationsDue: 1,
      rectificationsAnswered: 1,
      rectificationRate: 1,
    });
    // notices to the rater: opened and answered
    await drained(t.app);
    const inbox = await t.db.query<{ template: string }>(
      "SELECT template FROM inbox_message WHERE account_id = $1 AND template LIKE 'ratings.%' ORDER BY created_at",
      [c.rater.id],
    );
    expect(inbox.map((m) => m.template)).toEqual([
      'ratings.rectification_opened',
      'ratings.rectification_answered',
    ]);
  });

  it('lets the unit appeal a rating and a supervisor over it uphold: excluded from the figures, audited', async () => {
    const bad = await rate('dissatisfied');
    const before = (await t.http.get(`/v1/rating-figures/units/${c.unit}`).expect(200)).body as {
      total: number;
      excluded: number;
    };
    const body = { ground: 'malicious', reason: '评价人多次重复恶意差评' };
    await t.http.post(`/v1/ratings/${bad.id}/appeals`).set(c.otherClerkAuth).send(body).expect(404);
    await t.http.post(`/v1/ratings/${bad.id}/appeals`).set(c.raterAuth).send(body).expect(403);
    await t.http
      .post(`/v1/ratings/${bad.id}/appeals`)
      .set(c.clerkAuth)
      .send({ ground: 'spite', reason: 'x' })
      .expect(400);
    const appeal = await t.http.post(`/v1/ratings/${bad.id}/appeals`).set(c.clerkAuth).send(body).expect(201);
    expect(appeal.body).toMatchObject({ ratingId: bad.id, status: 'pending', filedBy: c.clerk.id });
    const twice = await t.http.post(`/v1/ratings/${bad.id}/appeals`).set(c.clerkAuth).send(body).expect(409);
    expect(twice.body.code).toBe('RATING_APPEAL_EXISTS');
    const decision = { decision: 'upheld', reason: '经核查属恶意评价' };
    await t.http
      .post(`/v1/rating-appeals/${appeal.body.id}/decision`)
      .set(c.clerkAuth)
      .send(decision)
      .expect(403);
    await t.http
      .post(`/v1/rating-appeals/${appeal.body.id}/decision`)
      .set(c.otherSupervisorAuth)
      .send(decision)
      .expect(404);
    const listed = await t.http.get('/v1/rating-appeals?status=pending').set(c.supervisorAuth).expect(200);
    expect(listed.body.items.map((a: { id: string }) => a.id)).toContain(appeal.body.id);
    const upheld = await t.http
      .post(`/v1/rating-appeals/${appeal.body.id}/decision`)
      .set(c.supervisorAuth)
      .send(decision)
      .expect(200);
    expect(upheld.body).toMatchObject({
      status: 'upheld',
      decidedBy: c.supervisor.id,
      decisionReason: '经核查属恶意评价',
    });
    const [row] = await t.db.query<{ excluded: boolean; exclusion_reason: string }>(
      'SELECT excluded, exclusion_reason FROM rating WHERE id = $1',
      [bad.id],
    );
    expect(row).toEqual({ excluded: true, exclusion_reason: '经核查属恶意评价' });
    expect(
      await count("audit_leaf WHERE action = 'rating.appeal_uphold' AND resource_id = $1", [appeal.body.id]),
    ).toBe(1);
    const after = (await t.http.get(`/v1/rating-figures/units/${c.unit}`).expect(200)).body as typeof before;
    expect(after.total).toBe(before.total - 1);
    expect(after.excluded).toBe(before.excluded + 1);
    // decided once
    const again = await t.http
      .post(`/v1/rating-appeals/${appeal.body.id}/decision`)
      .set(c.supervisorAuth)
      .send({ decision: 'rejected', reason: '重新复核意见' })
      .expect(409);
    expect(again.body.code).toBe('INVALID_TRANSITION');
  });

  it('rejects an appeal: the rating keeps counting', async () => {
    const bad = await rate('dissatisfied');
    const appeal = await t.http
      .post(`/v1/ratings/${bad.id}/appeals`)
      .set(c.clerkAuth)
      .send({ ground: 'mistaken', reason: '评价对象错误，并非本窗口办理' })
      .expect(201);
    await t.http
      .post(`/v1/rating-appeals/${appeal.body.id}/decision`)
      .set(c.supervisorAuth)
      .send({ decision: 'rejected', reason: '办理记录显示为本窗口' })
      .expect(200);
    const [row] = await t.db.query<{ excluded: boolean }>('SELECT excluded FROM rating WHERE id = $1', [
      bad.id,
    ]);
    expect(row.excluded).toBe(false);
    await t.http.get(`/v1/rating-appeals/${appeal.body.id}`).set(c.otherClerkAuth).expect(404);
    await t.http.get(`/v1/rating-appeals/${appeal.body.id}`).set(c.clerkAuth).expect(200);
  });
});
