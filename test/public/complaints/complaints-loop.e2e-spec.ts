import { JobWorker } from '../../../src/modules/platform/jobs/job-worker.service';
import { CaseEvent, CaseFile, CaseTask } from '../../../src/modules/internal/workflow/case.entity';
import { Complaint, ComplaintUpdate } from '../../../src/modules/public/complaints/complaint.entity';
import { RatingTargets } from '../../../src/modules/public/ratings/rating-target';
import type { Person } from '../../identity/staff-fixtures';
import { onPostgres, startTestApp, type TestApp } from '../../support/test-app';
import { complaintsCast, type ComplaintsCast, filer } from './complaints-fixtures';

/**
 * Issue 13 §2, the closed loop on the workflow engine: 受理 → 派单 → 签收/退单 (arbitration) → 答复
 * → 回访 (the next-working-day job, once) → 办结 or 重办; merging duplicates; 督办 notices; public
 * follow-ups; timeline and ratings.
 */
let t: TestApp;
let cast: ComplaintsCast;

const file = filer(
  () => t,
  () => cast,
);
const caseOf = async (id: string) => (await t.db.repo(Complaint).findOneByOrFail({ id })).caseId!;
const act = (p: Person, caseId: string, action: string, body: Record<string, unknown> = {}) =>
  t.http.post(`/v1/cases/${caseId}/actions/${action}`).set(cast.tok(p)).send(body);
async function ok(p: Person, caseId: string, action: string, body: Record<string, unknown> = {}) {
  const res = await act(p, caseId, action, body);
  if (res.status !== 200) throw new Error(`${action}: ${res.status} ${res.text}`);
}
const row = (id: string) => t.db.repo(Complaint).findOneByOrFail({ id });

beforeAll(async () => {
  t = await startTestApp();
  cast = await complaintsCast(t);
});

afterAll(() => t?.close());

describe('the closed loop', () => {
  it('dispatches, signs, replies, calls back satisfied and closes; the public record follows', async () => {
    const filed = await file({}, cast.citizen);
    const caseId = await caseOf(filed.id);
    await ok(cast.dispatcher, caseId, 'dispatch', {
      organisationId: cast.units.urban,
      coOrganisationIds: [cast.units.housing],
    });
    expect(await row(filed.id)).toMatchObject({ extendedStatus: 'action_scheduled', status: 'open' });
    // the bureau now sees the order (and, as its handler after signing, may unmask)
    await t.http.get(`/v1/complaints/${filed.id}`).set(cast.tok(cast.handlerUrban)).expect(200);
    await ok(cast.handlerUrban, caseId, 'sign');
    expect(await row(filed.id)).toMatchObject({
      extendedStatus: 'in_progress',
      handlingOrganisationId: cast.units.urban,
    });
    const clear = await t.http
      .get(`/v1/complaints/${filed.id}?unmask=contact`)
      .set(cast.tok(cast.handlerUrban))
      .expect(200);
    expect(clear.body.contact).toMatchObject({ phone: '13912345678', masked: false });
    // the co-handling unit sees the order but not the identity
    const co = await t.http.get(`/v1/complaints/${filed.id}`).set(cast.tok(cast.handlerHousing)).expect(200);
    expect(co.body.contact.masked).toBe(true);
    await t.http
      .get(`/v1/complaints/${filed.id}?unmask=contact`)
      .set(cast.tok(cast.handlerHousing))
      .expect(403);
    // the reply waits for the co-unit's opinion
    expect((await act(cast.handlerUrban, caseId, 'reply', { reason: '已修复' })).status).toBe(409);
    await ok(cast.handlerHousing, caseId, 'opinion', { reason: '同意城管局意见' });
    await ok(cast.handlerUrban, caseId, 'reply', { reason: '已安排修复，电话 13912345678' });
    const answered = await row(filed.id);
    expect(answered).toMatchObject({
      extendedStatus: 'fixed',
      status: 'open',
      statusNotes: '已安排修复，电话 13912345678',
    });
    expect(
      await t.db.query(
        "SELECT 1 FROM inbox_message WHERE account_id = $1 AND template = 'complaint.answered'",
        [cast.citizen.id],
      ),
    ).toHaveLength(1);
    // the callback job is due the next working day, runs once even with two workers racing
    const job = await t.db.query<{ run_at: Date }>(
      "SELECT run_at FROM job WHERE name = 'complaints.callback' AND payload->>'complaintId' = $1",
      [filed.id],
    );
    expect(job).toHaveLength(1);
    expect(new Date(job[0].run_at).getTime()).toBeGreaterThan(Date.now());
    const later = new Date(Date.now() + 10 * 24 * 3_600_000);
    const second = onPostgres ? await startTestApp() : null;
    try {
      await Promise.all([t.app.get(JobWorker).drain(later), (second ?? t).app.get(JobWorker).drain(later)]);
    } finally {
      await second?.close();
    }
    expect(
      await t.db.repo(ComplaintUpdate).count({ where: { complaintId: filed.id, kind: 'callback_request' } }),
    ).toBe(1);
    expect(
      await t.db.query(
        "SELECT 1 FROM inbox_message WHERE account_id = $1 AND template = 'complaint.callback'",
        [cast.citizen.id],
      ),
    ).toHaveLength(1);
    // the dispatch centre calls back
    await ok(cast.dispatcher, caseId, 'callback', { satisfaction: 'satisfied' });
    expect(await row(filed.id)).toMatchObject({
      status: 'closed',
      extendedStatus: 'closed',
      satisfaction: 'satisfied',
    });
    const tracked = await t.http.get(`/v1/complaints/track/${filed.trackingCode}`).expect(200);
    expect(tracked.body.status).toBe('closed');
    const kinds = (tracked.body.updates as Array<{ extendedStatus: string; description: string }>).map(
      (u) => u.extendedStatus,
    );
    expect(kinds).toEqual(['open', 'action_scheduled', 'in_progress', 'fixed', 'closed']);
    // the public record carries no phone number, even one written into the answer
    expect(JSON.stringify(tracked.body)).not.toContain('13912345678');
    // a closed order is rateable by its complainant, answerable by the handling unit
    const rated = await t.app.get(RatingTargets).get('complaint')!.load(filed.id);
    expect(rated).toMatchObject({
      kind: 'complaint',
      raterAccountId: cast.citizen.id,
      organisationId: cast.units.urban,
      handledAt: expect.any(Date),
    });
    // and it is on the complainant's timeline
    const timeline = await t.http.get('/v1/me/timeline?limit=100').set(cast.tok(cast.citizen)).expect(200);
    expect(
      (timeline.body.items as Array<{ kind: string; id: string; state: string }>).find(
        (i) => i.id === filed.id,
      ),
    ).toMatchObject({ kind: 'complaint', state: 'closed' });
  });

  it('returns to the dispatcher, then to arbitration above past two returns', async () => {
    const filed = await file({}, cast.citizen);
    const caseId = await caseOf(filed.id);
    for (let i = 0; i < 2; i++) {
      await ok(cast.dispatcher, caseId, 'dispatch', { organisationId: cast.units.urban });
      await ok(cast.handlerUrban, caseId, 'return', { reason: '不属于本单位职责' });
      expect(await row(filed.id)).toMatchObject({ extendedStatus: 'internal_referral' });
    }
    await ok(cast.dispatcher, caseId, 'dispatch', { organisationId: cast.units.urban });
    await ok(cast.handlerUrban, caseId, 'return', { reason: '仍不属于' });
    const tasks = await t.db.repo(CaseTask).find({ where: { caseId, status: 'open' as never } });
    expect(tasks.map((x) => [x.kind, x.organisationId])).toEqual([['arbitration', cast.units.gov]]);
    // a wrong-unit handler cannot act on it at all
    expect(
      (await act(cast.otherClerk, caseId, 'dispatch', { organisationId: cast.units.housing })).status,
    ).toBe(404);
  });

  it('reopens on dissatisfaction with the same history', async () => {
    const filed = await file({}, cast.citizen);
    const caseId = await caseOf(filed.id);
    await ok(cast.dispatcher, caseId, 'dispatch', { organisationId: cast.units.housing });
    await ok(cast.handlerHousing, caseId, 'sign');
    await ok(cast.handlerHousing, caseId, 'reply', { reason: '已处理' });
    await ok(cast.dispatcher, caseId, 'callback', { satisfaction: 'dissatisfied' });
    expect(await row(filed.id)).toMatchObject({
      status: 'open',
      extendedStatus: 'investigating',
      satisfaction: 'dissatisfied',
    });
    await ok(cast.dispatcher, caseId, 'reopen', { reason: '群众不满意，重新办理' });
    expect(await row(filed.id)).toMatchObject({
      extendedStatus: 'reopen',
      handlingOrganisationId: cast.units.housing,
    });
    const c = await t.db.repo(CaseFile).findOneByOrFail({ id: caseId });
    expect(c.routing.reopens).toBe(1);
    expect(await t.db.repo(CaseEvent).count({ where: { caseId } })).toBeGreaterThanOrEqual(6);
  });
});

describe('duplicates, supervision and follow-ups', () => {
  it('merges a new order into an open one: closed as duplicate, answered with it', async () => {
    const main = await file({}, cast.citizen);
    const dup = await file({ description: '同一个坑，再次反映' }, cast.stranger);
    // only the dispatch centre merges; others get the order's 404 or the guard's 403
    await t.http
      .post(`/v1/complaints/${dup.id}/merge`)
      .set(cast.tok(cast.handlerUrban))
      .send({ intoId: main.id, reason: 'x' })
      .expect(404);
    await t.http
      .post(`/v1/complaints/${dup.id}/merge`)
      .set(cast.tok(cast.supervisor))
      .send({ intoId: main.id, reason: 'x' })
      .expect(403);
    await t.http
      .post(`/v1/complaints/${dup.id}/merge`)
      .set(cast.tok(cast.dispatcher))
      .send({ intoId: dup.id, reason: 'x' })
      .expect(409);
    await t.http
      .post(`/v1/complaints/${dup.id}/merge`)
      .set(cast.tok(cast.dispatcher))
      .send({ intoId: 'nope', reason: 'x' })
      .expect(400);
    expect(await row(dup.id)).toMatchObject({ duplicateOfId: null, status: 'open' });
    const merged = await t.http
      .post(`/v1/complaints/${dup.id}/merge`)
      .set(cast.tok(cast.dispatcher))
      .send({ intoId: main.id, reason: '同一事项' })
      .expect(200);
    expect(merged.body).toMatchObject({
      status: 'closed',
      extendedStatus: 'duplicate',
      duplicateOfId: main.id,
    });
    const mainCase = await caseOf(main.id);
    await ok(cast.dispatcher, mainCase, 'dispatch', { organisationId: cast.units.urban });
    await ok(cast.handlerUrban, mainCase, 'sign');
    await ok(cast.handlerUrban, mainCase, 'reply', { reason: '已修复' });
    expect(await row(dup.id)).toMatchObject({ statusNotes: '已修复', extendedStatus: 'duplicate' });
    expect(
      await t.db.query(
        "SELECT 1 FROM inbox_message WHERE account_id = $1 AND template = 'complaint.answered'",
        [cast.stranger.id],
      ),
    ).toHaveLength(1);
    // a dispatched order can no longer be merged
    const late = await file({ description: '另一件事' }, cast.citizen);
    await ok(cast.dispatcher, await caseOf(late.id), 'dispatch', { organisationId: cast.units.urban });
    const refused = await t.http
      .post(`/v1/complaints/${late.id}/merge`)
      .set(cast.tok(cast.dispatcher))
      .send({ intoId: main.id, reason: 'x' })
      .expect(409);
    expect(refused.body.code).toBe('COMPLAINT_NOT_MERGEABLE');
  });

  it('records a supervision notice in the case history and tells the handling unit', async () => {
    const filed = await file({}, cast.citizen);
    const caseId = await caseOf(filed.id);
    await ok(cast.dispatcher, caseId, 'dispatch', { organisationId: cast.units.urban });
    await ok(cast.handlerUrban, caseId, 'sign');
    for (const p of [cast.dispatcher, cast.handlerUrban, cast.citizen])
      await t.http
        .post(`/v1/complaints/${filed.id}/supervision`)
        .set(cast.tok(p))
        .send({ tier: 'red', reason: 'x' })
        .expect(403);
    await t.http
      .post(`/v1/complaints/${filed.id}/supervision`)
      .set(cast.tok(cast.supervisor))
      .send({ tier: 'purple', reason: 'x' })
      .expect(400);
    const res = await t.http
      .post(`/v1/complaints/${filed.id}/supervision`)
      .set(cast.tok(cast.supervisor))
      .send({ tier: 'orange', reason: '请加快办理' })
      .expect(200);
    expect(res.body.updates.find((u: { kind: string }) => u.kind === 'supervision')).toMatchObject({
      tier: 'orange',
      description: '请加快办理',
    });
    const history = await t.db.repo(CaseEvent).find({ where: { caseId, action: 'supervision' } });
    expect(history).toHaveLength(1);
    expect(history[0]).toMatchObject({
      public: false,
      reason: '请加快办理',
      data: expect.objectContaining({ tier: 'orange' }),
    });
    expect(
      await t.db.query(
        "SELECT 1 FROM inbox_message WHERE account_id = $1 AND template = 'complaint.supervision'",
        [cast.handlerUrban.id],
      ),
    ).toHaveLength(1);
    // not on the public record
    const tracked = await t.http.get(`/v1/complaints/track/${filed.trackingCode}`).expect(200);
    expect(JSON.stringify(tracked.body)).not.toContain('请加快办理');
  });

  it('takes follow-ups from the complainant and the tracking code; reopen only on a recently closed order', async () => {
    const filed = await file({}, cast.citizen);
    const mine = await t.http
      .post(`/v1/complaints/${filed.id}/follow-ups`)
      .set(cast.tok(cast.citizen))
      .send({ description: '坑越来越大了' })
      .expect(201);
    expect(mine.body.updateId).toEqual(expect.any(String));
    await t.http
      .post(`/v1/complaints/${filed.id}/follow-ups`)
      .set(cast.tok(cast.stranger))
      .send({ description: 'x' })
      .expect(404);
    await t.http
      .post(`/v1/complaints/${filed.id}/follow-ups`)
      .set(cast.tok(cast.citizen))
      .send({ description: '' })
      .expect(400);
    const byCode = await t.http
      .post(`/v1/complaints/track/${filed.trackingCode}/follow-ups`)
      .send({ description: '补充照片', mediaUrl: 'https://example.com/p.jpg' })
      .expect(201);
    expect(await t.db.repo(ComplaintUpdate).findOneByOrFail({ id: byCode.body.updateId })).toMatchObject({
      kind: 'follow_up',
      public: true,
      mediaUrl: 'https://example.com/p.jpg',
    });
    const refused = await t.http
      .post(`/v1/complaints/track/${filed.trackingCode}/follow-ups`)
      .send({ description: '重办', reopen: true })
      .expect(409);
    expect(refused.body.code).toBe('COMPLAINT_NOT_REOPENABLE');
    await t.http
      .post('/v1/complaints/track/0000000000000000/follow-ups')
      .send({ description: 'x' })
      .expect(404);
  });
});
