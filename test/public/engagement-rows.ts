import { uniq } from '../identity/staff-fixtures';
import type { TestApp } from '../support/test-app';
import { all, Caller, deny, EngagementWorld, Expect, Order, snapshot } from './engagement-fixtures';

/**
 * The rows of the public-engagement permission matrix: one per route (and a few probes of the same
 * route aimed outside the caller's reach), each with the exact status every caller must get.
 * Rows are built before the world exists: everything they use is read from `Env` when they run.
 */

export interface Row {
  name: string;
  method: 'get' | 'post' | 'put' | 'delete';
  /** the object acted on: a fresh one for callers expected to succeed (fresh = true), else a shared one */
  target?: (fresh: boolean, c: Caller) => string | Promise<string>;
  path: (id: string, c: Caller) => string;
  body?: (c: Caller, id: string) => object | Promise<object>;
  headers?: (id: string) => Promise<Record<string, string>>;
  /** a form body and Open311's own error documents instead of problem+json */
  open311?: boolean;
  /** the object's row, compared before and after each refused call */
  watch?: (id: string) => Promise<string>;
  expect: Expect;
}

/** the shared objects, acted on by the callers who must be refused */
export interface Shared {
  order: Order;
  waiting: string;
  answered: string;
  faqd: string;
  template: string;
  rating: string;
  appeal: string;
  rectification: string;
  code: string;
  request: string;
  /** a category of a dispatch centre outside the city, and citizen A's order there */
  outsideCode: string;
  outsideOrder: string;
  outsideNumber: string;
  /** an anonymous filing of citizen A at the city's centre */
  anonymousOrder: string;
  /** a question of citizen A passed to the sibling bureau */
  transferred: string;
  /** case ids of orders waiting at each step, and of an open rectification */
  orderCases: { undispatched: string; dispatched: string; signed: string; rectification: string };
}

export interface Env {
  t: TestApp;
  w: EngagementWorld;
  s: Shared;
}

/** dispatcher, handler, otherHandler, supervisor, orgAdmin, admin */
export const STAFF = (
  d: number,
  h: number,
  o: number,
  s: number,
  oa: number,
  ad: number,
): Partial<Expect> => ({
  dispatcher: d,
  handler: h,
  otherHandler: o,
  supervisor: s,
  orgAdmin: oa,
  admin: ad,
});
export const CITIZENS = (a: number, b: number): Partial<Expect> => ({ citizenA: a, citizenB: b });

/** the row `id` of `table`, as JSON */
export const snap = (e: Env, table: string) => (id: string) => snapshot(e.t, table, 'x.id = $1', id);
export const freshOr =
  (make: () => Promise<string>, sharedOne: () => string) =>
  (fresh: boolean): Promise<string> | string =>
    fresh ? make() : sharedOne();
/** the world's factory of that name, looked up when the row runs */
export const lazy =
  (e: Env) =>
  <K extends keyof EngagementWorld>(name: K): EngagementWorld[K] =>
    ((...args: never[]) => (e.w[name] as (...a: never[]) => unknown)(...args)) as EngagementWorld[K];
export const caseOf = (make: () => Promise<{ caseId: string }>) => async () => (await make()).caseId;
export const version = (e: Env, table: string) => async (id: string) => ({
  'If-Match': `"v${(await e.t.db.query<{ version: number }>(`SELECT version FROM ${table} WHERE id = $1`, [id]))[0].version}"`,
});

export function filing(e: Env) {
  return {
    categoryCode: e.w.cast.codes.noise,
    description: `夜间施工噪声 ${uniq()}`,
    addressString: '人民路 2 号',
    anonymous: false,
    lastName: '李',
    firstName: '四',
    phone: '13912345678',
    channel: 'app',
  };
}
export function newCategory(e: Env) {
  const texts = { 'zh-CN': '漏水', en: 'Leak' };
  return {
    code: `m${uniq()}.leak`,
    assignable: true,
    kind: 'help',
    name: texts,
    description: texts,
    groupName: texts,
    keywords: [],
    attributes: [],
    organisationId: e.w.units.hotline,
    regionCode: '990000',
    dispatchUnits: [e.w.units.housing],
  };
}

/** 12345 work orders, their categories and their steps on the workflow engine */
export function complaintRows(e: Env): Row[] {
  const s = e.s;
  const w_ = lazy(e);
  return [
    // 12345 work orders
    {
      name: 'POST /v1/complaints',
      method: 'post',
      path: () => '/v1/complaints',
      body: () => filing(e),
      expect: all(201),
    },
    {
      name: 'GET /v1/complaints',
      method: 'get',
      path: () => '/v1/complaints',
      expect: deny(STAFF(200, 200, 200, 200, 403, 200)),
    },
    {
      name: 'GET /v1/complaints/hotspots',
      method: 'get',
      path: () => '/v1/complaints/hotspots',
      expect: deny({ supervisor: 200, admin: 200 }),
    },
    {
      name: 'GET /v1/complaints/hotspots/map',
      method: 'get',
      path: () => '/v1/complaints/hotspots/map',
      expect: deny({ supervisor: 200, admin: 200 }),
    },
    {
      name: 'GET /v1/complaints/track/{code}',
      method: 'get',
      path: () => `/v1/complaints/track/${s.order.trackingCode}`,
      expect: all(200),
    },
    {
      name: 'POST /v1/complaints/track/{code}/follow-ups',
      method: 'post',
      path: () => `/v1/complaints/track/${s.order.trackingCode}/follow-ups`,
      body: () => ({ description: `补充：坑越来越大了 ${uniq()}` }),
      expect: all(201),
    },
    {
      name: 'GET /v1/complaints/{id}',
      method: 'get',
      path: () => `/v1/complaints/${s.order.id}`,
      expect: deny({ ...CITIZENS(200, 404), ...STAFF(200, 200, 404, 200, 403, 200) }),
    },
    {
      name: 'POST /v1/complaints/{id}/follow-ups',
      method: 'post',
      target: () => s.order.id,
      path: (id) => `/v1/complaints/${id}/follow-ups`,
      body: () => ({ description: `补充：坑越来越大了 ${uniq()}` }),
      watch: snap(e, 'complaint'),
      expect: deny(CITIZENS(201, 404)),
    },
    {
      name: 'POST /v1/complaints/{undispatched}/merge',
      method: 'post',
      target: async () => (await e.w.undispatched()).id,
      path: (id) => `/v1/complaints/${id}/merge`,
      body: () => ({ intoId: s.order.id, reason: '同一事项' }),
      watch: snap(e, 'complaint'),
      expect: deny(STAFF(200, 404, 404, 403, 403, 200)),
    },
    {
      name: 'POST /v1/complaints/{id}/supervision',
      method: 'post',
      target: () => s.order.id,
      path: (id) => `/v1/complaints/${id}/supervision`,
      body: () => ({ tier: 'blue', reason: '请加快办理' }),
      watch: snap(e, 'complaint'),
      expect: deny({ supervisor: 200, admin: 200 }),
    },
    // categories
    {
      name: 'GET /v1/complaint-categories',
      method: 'get',
      path: () => '/v1/complaint-categories',
      expect: all(200),
    },
    {
      name: 'POST /v1/complaint-categories',
      method: 'post',
      path: () => '/v1/complaint-categories',
      body: () => newCategory(e),
      expect: deny({ orgAdmin: 201, admin: 201 }),
    },
    {
      name: 'GET /v1/complaint-categories/{code}',
      method: 'get',
      path: () => `/v1/complaint-categories/${e.w.cast.codes.road}`,
      expect: all(200),
    },
    {
      name: 'POST /v1/complaint-categories/{code}/time-limits',
      method: 'post',
      path: () => `/v1/complaint-categories/${e.w.cast.codes.noise}/time-limits`,
      body: () => ({ regionCode: '990000', urgency: 'normal', amount: 5, unit: 'working_days' }),
      watch: () => snapshot(e.t, 'complaint_time_limit', 'x.category_code = $1', e.w.cast.codes.noise),
      expect: deny({ orgAdmin: 200, admin: 200 }),
    },
    // the same routes aimed at orders outside the caller's reach
    {
      name: 'GET /v1/complaints/{id}?unmask=contact',
      method: 'get',
      path: () => `/v1/complaints/${s.order.id}?unmask=contact`,
      // the identity goes to handlers of the dispatch centre and of the handling unit only
      expect: deny({ ...CITIZENS(200, 404), ...STAFF(200, 200, 404, 403, 403, 200) }),
    },
    {
      name: 'POST /v1/complaint-categories (centre outside the city)',
      method: 'post',
      path: () => '/v1/complaint-categories',
      body: () => ({ ...newCategory(e), organisationId: e.w.units.other, dispatchUnits: undefined }),
      expect: deny({ orgAdmin: 404, admin: 201 }),
    },
    {
      name: "POST /v1/complaint-categories/{outside centre's}/time-limits",
      method: 'post',
      path: () => `/v1/complaint-categories/${s.outsideCode}/time-limits`,
      body: () => ({ urgency: 'normal', amount: 3, unit: 'working_days' }),
      watch: () => snapshot(e.t, 'complaint_time_limit', 'x.category_code = $1', s.outsideCode),
      expect: deny({ orgAdmin: 404, admin: 200 }),
    },
    {
      name: 'GET /v1/complaints/{undispatched}',
      method: 'get',
      target: async () => (await e.w.undispatched()).id,
      path: (id) => `/v1/complaints/${id}`,
      expect: deny({ ...CITIZENS(200, 404), ...STAFF(200, 404, 404, 200, 403, 200) }),
    },
    {
      name: 'GET /v1/complaints/{anonymous filing of A}',
      method: 'get',
      path: () => `/v1/complaints/${s.anonymousOrder}`,
      expect: deny({ ...CITIZENS(404, 404), ...STAFF(200, 404, 404, 200, 403, 200) }),
    },
    {
      name: 'GET /v1/complaints/{anonymous filing of A}?unmask=contact',
      method: 'get',
      path: () => `/v1/complaints/${s.anonymousOrder}?unmask=contact`,
      // nobody unmasks an anonymous filing
      expect: deny({ ...CITIZENS(404, 404), ...STAFF(403, 404, 404, 403, 403, 403) }),
    },
    {
      name: "GET /v1/complaints/{outside centre's order of A}",
      method: 'get',
      path: () => `/v1/complaints/${s.outsideOrder}`,
      expect: deny({ ...CITIZENS(200, 404), ...STAFF(404, 404, 404, 404, 403, 200) }),
    },
    {
      name: "POST /v1/complaints/{outside centre's order}/supervision",
      method: 'post',
      target: () => s.outsideOrder,
      path: (id) => `/v1/complaints/${id}/supervision`,
      body: () => ({ tier: 'red', reason: '请加快办理' }),
      watch: snap(e, 'complaint'),
      expect: deny({ supervisor: 404, admin: 200 }),
    },
    {
      name: "POST /v1/complaints/{undispatched}/merge (into an outside centre's order)",
      method: 'post',
      target: async () => (await e.w.undispatched()).id,
      path: (id) => `/v1/complaints/${id}/merge`,
      body: () => ({ intoId: s.outsideOrder, reason: '同一事项' }),
      watch: snap(e, 'complaint'),
      expect: deny(STAFF(404, 404, 404, 403, 403, 409)),
    },
    // the new case types' steps on the workflow engine (派单, 签收, 答复; 差评核实)
    {
      name: 'POST /v1/cases/{undispatched order}/actions/{dispatch}',
      method: 'post',
      target: freshOr(caseOf(w_('undispatched')), () => s.orderCases.undispatched),
      path: (id) => `/v1/cases/${id}/actions/dispatch`,
      body: () => ({ organisationId: e.w.units.urban }),
      watch: snap(e, 'case_file'),
      expect: deny(STAFF(200, 404, 404, 403, 403, 200)),
    },
    {
      name: 'POST /v1/cases/{dispatched order}/actions/{sign}',
      method: 'post',
      target: freshOr(caseOf(w_('dispatchedOrder')), () => s.orderCases.dispatched),
      path: (id) => `/v1/cases/${id}/actions/sign`,
      body: () => ({}),
      watch: snap(e, 'case_file'),
      expect: deny(STAFF(403, 200, 404, 403, 403, 200)),
    },
    {
      name: 'POST /v1/cases/{signed order}/actions/{reply}',
      method: 'post',
      target: freshOr(caseOf(w_('signedOrder')), () => s.orderCases.signed),
      path: (id) => `/v1/cases/${id}/actions/reply`,
      body: () => ({ reason: '已安排修复' }),
      watch: snap(e, 'case_file'),
      // once signed, the case is the bureau's: the dispatch centre still reads the order, not the case
      expect: deny(STAFF(404, 200, 404, 403, 403, 200)),
    },
    {
      name: 'POST /v1/cases/{rectification}/actions/{verified}',
      method: 'post',
      target: freshOr(
        async () => e.w.rectificationCase(await e.w.openRectification()),
        () => s.orderCases.rectification,
      ),
      path: (id) => `/v1/cases/${id}/actions/verified`,
      body: () => ({ reason: '已电话回访核实' }),
      watch: snap(e, 'case_file'),
      expect: deny(STAFF(404, 200, 404, 403, 403, 200)),
    },
  ];
}
