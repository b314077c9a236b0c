import { gql } from '../identity/graphql-matrix';
import { diffCounts, rowCounts } from '../support/fuzz/row-counts';
import { startTestApp } from '../support/test-app';
import { dropTestTarget } from './ratings/ratings-fixtures';
import { CALLERS, Caller, engagementWorld, Expect, servedRoutes } from './engagement-fixtures';
import { consultationRows } from './engagement-consultation-rows';
import { ratingAndOpen311Rows } from './engagement-rating-rows';
import { complaintRows, Env, newCategory, Row, Shared } from './engagement-rows';

/**
 * Issue 13 §5: every REST route of the public-engagement front (12345 work orders and their
 * categories, consultations and their templates, ratings with codes, appeals, rectifications and
 * figures, Open311 GeoReport v2) and the steps of its new case types, against every kind of
 * caller, with the exact status each must get: 401 without a token where one is needed, 403
 * without the permission, 404 for an object outside the caller's units or another citizen's, 2xx
 * otherwise; Open311 answers 403 to a POST without a credential holding open311:submit. A refused
 * call changes no row count and leaves the object it aimed at as it was.
 *
 * Callers: citizen A files, asks and rates; the order is dispatched by the 12345 centre's clerk to
 * the bureau (handler: its clerk) and signed there; the other handler is a clerk of the sibling
 * bureau; the supervisor, org admin and administrator sit over the city; the two API keys belong to
 * the dispatch centre, one with open311:submit, one with directory:read only.
 */
describe('public engagement permission matrix', () => {
  const e = { s: {} as Shared } as Env;
  const s = e.s;

  beforeAll(async () => {
    e.t = await startTestApp({ RATE_LIMIT_ANONYMOUS: '100000', RATE_LIMIT_AUTHENTICATED: '100000' });
    const { t } = e;
    const w = (e.w = await engagementWorld(t));
    s.order = await w.signedOrder();
    s.waiting = await w.waitingQuestion();
    s.answered = await w.answeredQuestion();
    s.faqd = await w.publishedFaq();
    s.template = await w.template();
    s.rating = (await w.rating()).id;
    s.appeal = await w.appeal();
    s.rectification = await w.answeredRectification();
    s.code = await w.ratingCode();
    s.request = await w.open311Request();
    const outside = await t.http
      .post('/v1/complaint-categories')
      .set(w.as('admin'))
      .send({ ...newCategory(e), organisationId: w.units.other, dispatchUnits: undefined });
    expect(outside.status).toBe(201);
    s.outsideCode = outside.body.code;
    const outsideOrder = await w.file({ categoryCode: s.outsideCode, attributes: {} }, w.cast.citizen);
    s.outsideOrder = outsideOrder.id;
    s.outsideNumber = outsideOrder.number;
    s.anonymousOrder = (await w.file({ anonymous: true }, w.cast.citizen)).id;
    s.transferred = await w.transferredQuestion();
    s.orderCases = {
      undispatched: (await w.undispatched()).caseId,
      dispatched: (await w.dispatchedOrder()).caseId,
      signed: (await w.signedOrder()).caseId,
      rectification: await w.rectificationCase(await w.openRectification()),
    };
  });
  afterAll(async () => {
    if (e.t) await dropTestTarget(e.t);
    await e.t?.close();
  });

  const rows: Row[] = [...complaintRows(e), ...consultationRows(e), ...ratingAndOpen311Rows(e)];

  async function runRow(r: Row): Promise<void> {
    const actual = {} as Expect;
    const changed: string[] = [];
    for (const caller of CALLERS) {
      const refused = r.expect[caller] >= 400;
      const id = r.target ? await r.target(!refused, caller) : '';
      const path = r.path(id, caller);
      const headers = r.headers ? await r.headers(id) : {};
      const body = r.body ? await r.body(caller, id) : undefined;
      const before = refused ? await rowCounts(e.t.db) : undefined;
      const watched = refused && r.watch ? await r.watch(id) : undefined;
      let req = e.t.http[r.method](path).set(e.w.as(caller)).set(headers);
      if (r.open311 && body) req = req.type('form');
      const res = await (body ? req.send(body) : req);
      actual[caller] = res.status;
      if (res.status >= 400 && !r.open311)
        expect([caller, res.headers['content-type']]).toEqual([
          caller,
          expect.stringMatching(/^application\/problem\+json/),
        ]);
      if (before) {
        const diff = diffCounts(before, await rowCounts(e.t.db));
        if (diff.length) changed.push(`${caller}: ${diff.join(', ')}`);
      }
      if (watched !== undefined && (await r.watch!(id)) !== watched)
        changed.push(`${caller}: ${r.name} changed`);
    }
    expect(actual).toEqual(r.expect);
    expect(changed).toEqual([]);
  }

  it.each(rows.map((r) => [r.name, r] as const))('%s', async (_name, r) => runRow(r));

  // GraphQL twins of the object reads: the outcome mirrors the REST status of the same service call
  const CODE: Record<number, string> = { 401: 'UNAUTHENTICATED', 403: 'FORBIDDEN', 404: 'NOT_FOUND' };
  const twinOf = (name: string) => rows.find((r) => r.name === name)!.expect;
  const gRows: Array<[string, string, () => Record<string, unknown>, string]> = [
    [
      'complaint',
      'query($id: ID!) { complaint(id: $id) { id } }',
      () => ({ id: s.order.id }),
      'GET /v1/complaints/{id}',
    ],
    [
      'complaint (outside centre)',
      'query($id: ID!) { complaint(id: $id) { id } }',
      () => ({ id: s.outsideOrder }),
      "GET /v1/complaints/{outside centre's order of A}",
    ],
    [
      'consultation',
      'query($id: ID!) { consultation(id: $id) { id } }',
      () => ({ id: s.answered }),
      'GET /v1/consultations/{id}',
    ],
    [
      'rating',
      'query($id: ID!) { rating(id: $id) { id } }',
      () => ({ id: s.rating }),
      'GET /v1/ratings/{id}',
    ],
    [
      'ratingAppeal',
      'query($id: ID!) { ratingAppeal(id: $id) { id } }',
      () => ({ id: s.appeal }),
      'GET /v1/rating-appeals/{id}',
    ],
    ['complaintHotspots', '{ complaintHotspots { count } }', () => ({}), 'GET /v1/complaints/hotspots'],
  ];
  it.each(gRows)('graphql %s', async (_name, query, variables, twin) => {
    const want = twinOf(twin);
    const actual = {} as Record<Caller, string>;
    for (const c of CALLERS) {
      const res = await gql(e.t, e.w.as(c), query, variables());
      actual[c] = res.errors?.length ? res.errors[0].extensions.code : 'ok';
    }
    expect(actual).toEqual(Object.fromEntries(CALLERS.map((c) => [c, want[c] < 300 ? 'ok' : CODE[want[c]]])));
  });

  // GraphQL twins of the mutations, with the callers who must be refused (those allowed act in the
  // REST rows on fresh objects; these share one): the same code, and nothing written
  const gMutations: Array<[string, string, () => Record<string, unknown>, string]> = [
    [
      'superviseComplaint',
      'mutation($id: ID!) { superviseComplaint(id: $id, input: { tier: "blue", reason: "请加快" }) { id } }',
      () => ({ id: s.order.id }),
      'POST /v1/complaints/{id}/supervision',
    ],
    [
      'mergeComplaint',
      'mutation($id: ID!, $into: ID!) { mergeComplaint(id: $id, input: { intoId: $into, reason: "同一事项" }) { id } }',
      () => ({ id: s.anonymousOrder, into: s.order.id }),
      'POST /v1/complaints/{undispatched}/merge',
    ],
    [
      'addComplaintFollowUp',
      'mutation($id: ID!) { addComplaintFollowUp(id: $id, input: { description: "补充" }) { updateId } }',
      () => ({ id: s.order.id }),
      'POST /v1/complaints/{id}/follow-ups',
    ],
    [
      'answerConsultation',
      'mutation($id: ID!) { answerConsultation(id: $id, input: { text: "九点上班" }) { id } }',
      () => ({ id: s.waiting }),
      'POST /v1/consultations/{waiting}/answer',
    ],
    [
      'appealRating',
      'mutation($id: ID!) { appealRating(id: $id, input: { ground: malicious, reason: "评价人恶意差评" }) { id } }',
      () => ({ id: s.rating }),
      'POST /v1/ratings/{bad}/appeals',
    ],
    [
      'decideRatingAppeal',
      'mutation($id: ID!) { decideRatingAppeal(id: $id, input: { decision: rejected, reason: "办理记录显示评价属实" }) { id } }',
      () => ({ id: s.appeal }),
      'POST /v1/rating-appeals/{id}/decision',
    ],
    [
      'rateRectification',
      'mutation($id: ID!) { rateRectification(id: $id, input: { satisfaction: satisfied }) { id } }',
      () => ({ id: s.rectification }),
      'POST /v1/rectifications/{answered}/satisfaction',
    ],
  ];
  it.each(gMutations)('graphql %s (refused callers)', async (_name, query, variables, twin) => {
    const want = twinOf(twin);
    const refused = CALLERS.filter((c) => want[c] >= 400);
    const actual: Record<string, string> = {};
    const changed: string[] = [];
    for (const c of refused) {
      const before = await rowCounts(e.t.db);
      const res = await gql(e.t, e.w.as(c), query, variables());
      actual[c] = res.errors?.length ? res.errors[0].extensions.code : 'ok';
      const diff = diffCounts(before, await rowCounts(e.t.db));
      if (diff.length) changed.push(`${c}: ${diff.join(', ')}`);
    }
    expect(actual).toEqual(Object.fromEntries(refused.map((c) => [c, CODE[want[c]]])));
    expect(changed).toEqual([]);
  });

  it("lists answered 200 hold only what is in the caller's scope", async () => {
    const ids = async (c: Caller, path: string) => {
      const res = await e.t.http.get(`${path}${path.includes('?') ? '&' : '?'}limit=100`).set(e.w.as(c));
      expect([c, path, res.status]).toEqual([c, path, 200]);
      return (res.body.items as Array<{ id: string }>).map((i) => i.id);
    };
    const holds = async (path: string, id: string, expected: Partial<Record<Caller, boolean>>) => {
      const actual: Partial<Record<Caller, boolean>> = {};
      for (const c of Object.keys(expected) as Caller[]) actual[c] = (await ids(c, path)).includes(id);
      expect([path, actual]).toEqual([path, expected]);
    };
    const staff = (d: boolean, h: boolean, o: boolean, sup: boolean) => ({
      dispatcher: d,
      handler: h,
      otherHandler: o,
      supervisor: sup,
    });
    await holds('/v1/complaints', s.order.id, { ...staff(true, true, false, true), admin: true });
    await holds('/v1/consultations', s.answered, { ...staff(false, true, false, true), admin: true });
    await holds('/v1/ratings', s.rating, { ...staff(false, true, false, true), orgAdmin: true });
    await holds('/v1/rating-appeals', s.appeal, { ...staff(false, true, false, true), orgAdmin: true });
    await holds(`/v1/consultation-templates?organisationId=${e.w.units.urban}`, s.template, {
      handler: true,
      supervisor: true,
      orgAdmin: true,
    });
    const hot = async (c: Caller) =>
      (await e.t.http.get(`/v1/complaints/hotspots?categoryCode=${s.outsideCode}`).set(e.w.as(c)).expect(200))
        .body as unknown[];
    expect((await hot('admin')).length).toBeGreaterThan(0);
    expect(await hot('supervisor')).toEqual([]);
    await holds('/v1/me/consultations', s.answered, { citizenA: true, citizenB: false });
    await holds('/v1/me/ratings', s.rating, { citizenA: true, citizenB: false });
  });

  it('has a row for every route of the four modules', () => {
    const covered = new Set(
      rows.map((r) =>
        r.name
          .replace(/\{[^}]+\}/g, ':id')
          .split(' ')
          .slice(0, 2)
          .join(' ')
          .replace(/\?.*$/, ''),
      ),
    );
    const served = servedRoutes(e.t).filter((r) =>
      /^[A-Z]+ \/(v1\/(complaints|complaint-categories|consultations|consultation-templates|me\/(consultations|ratings|complaints)|ratings|rating-codes|rating-appeals|rectifications|rating-figures)|open311\/v2)(\/|\.|$)/.test(
        r,
      ),
    );
    expect(served.length).toBeGreaterThanOrEqual(50);
    expect(served.filter((r) => !covered.has(r))).toEqual([]);
    const everything = servedRoutes(e.t);
    expect([...covered].filter((r) => !everything.includes(r))).toEqual([]);
  });
});
