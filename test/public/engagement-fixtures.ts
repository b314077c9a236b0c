import { RoleName } from '../../src/modules/platform/identity/staff/role-catalogue';
import { auth, makeStaff, Person, signIn, uniq } from '../identity/staff-fixtures';
import type { TestApp } from '../support/test-app';
import { publishServiceWithWorkflow } from '../support/workflow-fixtures';
import { complaintsCast, ComplaintsCast, filer } from './complaints/complaints-fixtures';
import { answer, ask, question } from './consultations/consultation-fixtures';
import { registerTestTarget, TEST_KIND, testItem } from './ratings/ratings-fixtures';

/**
 * The world of the public-engagement permission matrix (issue 13 §5): the complaints cast (a city,
 * its 12345 dispatch centre, the handling bureau 城管局 and the sibling bureau 住建局), a service
 * of the handling bureau for consultations and ratings, an org admin and an administrator over
 * the city, two API keys of the dispatch centre, and factories of the objects the rows act on.
 */

export const CALLERS = [
  'anonymous',
  'citizenA',
  'citizenB',
  'dispatcher',
  'handler',
  'otherHandler',
  'supervisor',
  'orgAdmin',
  'integrator',
  'apiKey',
  'admin',
] as const;
export type Caller = (typeof CALLERS)[number];
export type Expect = Record<Caller, number>;

/** anonymous 401, everyone else 403, then the given exceptions */
export const deny = (allowed: Partial<Expect> = {}): Expect => ({
  ...(Object.fromEntries(CALLERS.map((c) => [c, 403])) as Expect),
  anonymous: 401,
  ...allowed,
});
/** everyone gets `status` (public routes) */
export const all = (status: number, except: Partial<Expect> = {}): Expect => ({
  ...(Object.fromEntries(CALLERS.map((c) => [c, status])) as Expect),
  ...except,
});

type Res = Promise<{ status: number; text: string; body: unknown }>;
async function must<T>(what: string, res: Res, status: number): Promise<T> {
  const r = await res;
  if (r.status !== status) throw new Error(`${what}: ${r.status} ${r.text}`);
  return r.body as T;
}

export interface Order {
  id: string;
  number: string;
  trackingCode: string;
  caseId: string;
}

export async function engagementWorld(t: TestApp) {
  await registerTestTarget(t);
  const cast: ComplaintsCast = await complaintsCast(t);
  const { gov, hotline, urban, housing, other } = cast.units;
  const signedIn = async (role: RoleName, unit: string | null) => {
    const p = await makeStaff(t, gov, [{ role, unit }]);
    return { p, h: auth(await signIn(t, p, 'staff')) };
  };
  const orgAdmin = await signedIn(RoleName.OrgAdmin, gov);
  const admin = await signedIn(RoleName.Admin, null);
  const newKey = async (scopes: string[]) =>
    (
      await must<{ key: string }>(
        'api key',
        t.http
          .post('/v1/api-keys')
          .set(orgAdmin.h)
          .send({ name: `矩阵接入-${uniq()}`, organisationId: hotline, scopes }),
        201,
      )
    ).key;
  const people: Partial<Record<Caller, Person>> = {
    citizenA: cast.citizen,
    citizenB: cast.stranger,
    dispatcher: cast.dispatcher,
    handler: cast.handlerUrban,
    otherHandler: cast.handlerHousing,
    supervisor: cast.supervisor,
  };
  const creds = new Map<Caller, Record<string, string>>(
    Object.entries(people).map(([c, p]) => [c as Caller, cast.tok(p)]),
  );
  creds.set('orgAdmin', orgAdmin.h);
  creds.set('admin', admin.h);
  creds.set('integrator', { 'X-API-Key': await newKey(['open311:submit']) });
  creds.set('apiKey', { 'X-API-Key': await newKey(['directory:read']) });
  const as = (c: Caller) => creds.get(c) ?? {};
  const { serviceId } = await publishServiceWithWorkflow(t, urban);

  const file = filer(
    () => t,
    () => cast,
  );
  const caseOf = async (complaintId: string) =>
    (await t.db.query<{ case_id: string }>('SELECT case_id FROM complaint WHERE id = $1', [complaintId]))[0]
      .case_id;
  const act = (c: Caller, caseId: string, action: string, body: object = {}) =>
    must(action, t.http.post(`/v1/cases/${caseId}/actions/${action}`).set(as(c)).send(body), 200);

  /** a road order of citizen A waiting at the dispatch centre */
  const undispatched = async (): Promise<Order> => {
    const f = await file({}, cast.citizen);
    return { ...f, caseId: await caseOf(f.id) };
  };
  /** a road order of citizen A dispatched to the bureau, waiting for its handler to sign */
  const dispatchedOrder = async (): Promise<Order> => {
    const o = await undispatched();
    await act('dispatcher', o.caseId, 'dispatch', { organisationId: urban });
    return o;
  };
  /** a road order of citizen A dispatched to the bureau and signed by its handler */
  const signedOrder = async (): Promise<Order> => {
    const o = await dispatchedOrder();
    await act('handler', o.caseId, 'sign');
    return o;
  };

  /** a question of citizen A to the bureau's service, waiting for its answer */
  const waitingQuestion = async () => (await ask(t, as('citizenA'), { serviceId, question: question() })).id;
  const answeredQuestion = async () => {
    const id = await waitingQuestion();
    await answer(t, as('handler'), id, { text: '请携带身份证原件办理。' });
    return id;
  };
  /** a question of citizen A passed by the bureau's handler to the sibling bureau (住建局) */
  const transferredQuestion = async () => {
    const id = await waitingQuestion();
    await must(
      'transfer',
      t.http
        .post(`/v1/consultations/${id}/transfer`)
        .set(as('handler'))
        .send({ organisationId: housing, reason: '属住建局职责' }),
      200,
    );
    return id;
  };
  const faqBody = () => ({ question: question('需要带什么'), answer: '身份证原件。' });
  const publishedFaq = async () => {
    const id = await answeredQuestion();
    await must('faq', t.http.post(`/v1/consultations/${id}/faq`).set(as('supervisor')).send(faqBody()), 200);
    return id;
  };
  const templateBody = () => ({ title: `模板${uniq()}`, body: '您好，请携带身份证原件到窗口办理。' });
  const template = async () =>
    (
      await must<{ id: string }>(
        'template',
        t.http
          .post('/v1/consultation-templates')
          .set(as('supervisor'))
          .send({ organisationId: urban, ...templateBody() }),
        201,
      )
    ).id;

  /** an item of citizen A handled by the bureau's handler today, not rated yet */
  const item = () => testItem(t, { rater: cast.citizen.id, unit: urban, handler: cast.handlerUrban.id });
  const rating = async (level = 'satisfied') =>
    must<{ id: string; rectificationId: string | null }>(
      'rate',
      t.http
        .post('/v1/ratings')
        .set(as('citizenA'))
        .send({ kind: TEST_KIND, itemId: await item(), level, comment: '窗口办事效率高' }),
      201,
    );
  const appealBody = () => ({ ground: 'malicious', reason: `评价人多次重复恶意差评 ${uniq()}` });
  const appeal = async () => {
    const bad = await rating('very_dissatisfied');
    return (
      await must<{ id: string }>(
        'appeal',
        t.http.post(`/v1/ratings/${bad.id}/appeals`).set(as('handler')).send(appealBody()),
        201,
      )
    ).id;
  };
  /** a rectification of citizen A's bad rating, still open (the case at `verify`) */
  const openRectification = async () => (await rating('very_dissatisfied')).rectificationId!;
  const rectificationCase = async (id: string) =>
    (
      await t.db.query<{ id: string }>(
        "SELECT id FROM case_file WHERE case_type = 'rectification' AND subject_id = $1",
        [id],
      )
    )[0].id;
  /** a rectification answered by the bureau, waiting for citizen A's judgement */
  const answeredRectification = async () => {
    const id = await openRectification();
    const caseId = await rectificationCase(id);
    await act('handler', caseId, 'verified', { reason: '已电话回访核实' });
    await act('handler', caseId, 'explain', { reason: '材料要求依法设定，已解释' });
    await act('handler', caseId, 'reply', { reason: '已向您说明材料要求的依据，并优化了告知清单。' });
    return id;
  };
  const ratingCode = async () =>
    (
      await must<{ code: string }>(
        'code',
        t.http.post('/v1/rating-codes').set(as('handler')).send({ organisationId: urban }),
        201,
      )
    ).code;

  /** an Open311 request of the noise category filed by the integrator: its service_request_id */
  const open311Form = () => ({
    service_code: cast.codes.noise,
    address_string: '人民路 2 号',
    description: `夜间施工噪声 ${uniq()}`,
  });
  const open311Request = async () =>
    (
      await must<Array<{ service_request_id: string }>>(
        'open311',
        t.http.post('/open311/v2/requests.json').type('form').set(as('integrator')).send(open311Form()),
        200,
      )
    )[0].service_request_id;

  return {
    cast,
    units: { gov, hotline, urban, housing, other },
    serviceId,
    as,
    file,
    undispatched,
    dispatchedOrder,
    signedOrder,
    waitingQuestion,
    answeredQuestion,
    transferredQuestion,
    faqBody,
    publishedFaq,
    templateBody,
    template,
    item,
    rating,
    appealBody,
    appeal,
    openRectification,
    answeredRectification,
    rectificationCase,
    ratingCode,
    open311Form,
    open311Request,
  };
}
export type EngagementWorld = Awaited<ReturnType<typeof engagementWorld>>;

/** A row's object as JSON (its version, status, timestamps…): unchanged after a refused call. */
export async function snapshot(t: TestApp, table: string, where: string, param: string): Promise<string> {
  const rows = await t.db.query<{ j: unknown }>(
    `SELECT row_to_json(x)::text AS j FROM ${table} x WHERE ${where}`,
    [param],
  );
  return JSON.stringify(rows.map((r) => r.j));
}

/** `METHOD /path` of every route Express serves, with parameters (snake_case too) written `:id`. */
export function servedRoutes(t: TestApp): string[] {
  type Layer = { route?: { path: string; methods: Record<string, boolean> } };
  const express = t.app.getHttpAdapter().getInstance() as { router: { stack: Layer[] } };
  const out = new Set<string>();
  for (const layer of express.router.stack) {
    if (!layer.route) continue;
    for (const [method, on] of Object.entries(layer.route.methods)) {
      if (on && method !== '_all')
        out.add(`${method.toUpperCase()} ${layer.route.path.replace(/:[A-Za-z_]+/g, ':id')}`);
    }
  }
  return [...out];
}
