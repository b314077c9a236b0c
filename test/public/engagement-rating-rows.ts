import { uniq } from '../identity/staff-fixtures';
import { all, deny, snapshot } from './engagement-fixtures';
import { CITIZENS, Env, freshOr, lazy, Row, snap, STAFF } from './engagement-rows';
import { TEST_KIND } from './ratings/ratings-fixtures';

/** Ratings (好差评) with codes, appeals, rectifications and figures; Open311 GeoReport v2. */
export function ratingAndOpen311Rows(e: Env): Row[] {
  const s = e.s;
  const w_ = lazy(e);
  return [
    // ratings (好差评)
    {
      name: 'POST /v1/ratings',
      method: 'post',
      target: () => e.w.item(),
      path: () => '/v1/ratings',
      body: (_c, itemId) => ({ kind: TEST_KIND, itemId, level: 'satisfied' }),
      expect: deny(CITIZENS(201, 404)),
    },
    {
      name: 'GET /v1/ratings',
      method: 'get',
      path: () => '/v1/ratings',
      expect: deny(STAFF(200, 200, 200, 200, 200, 200)),
    },
    {
      name: 'GET /v1/ratings/{id}',
      method: 'get',
      path: () => `/v1/ratings/${s.rating}`,
      expect: deny({ ...CITIZENS(200, 404), ...STAFF(404, 200, 404, 200, 200, 200) }),
    },
    {
      name: 'POST /v1/ratings/{bad}/appeals',
      method: 'post',
      target: async (fresh) => (fresh ? (await e.w.rating('very_dissatisfied')).id : s.rating),
      path: (id) => `/v1/ratings/${id}/appeals`,
      body: () => e.w.appealBody(),
      watch: snap(e, 'rating'),
      expect: deny(STAFF(404, 201, 404, 403, 201, 201)),
    },
    {
      name: 'GET /v1/me/ratings',
      method: 'get',
      path: () => '/v1/me/ratings',
      expect: deny(CITIZENS(200, 200)),
    },
    {
      name: 'POST /v1/rating-codes',
      method: 'post',
      path: () => '/v1/rating-codes',
      body: () => ({ organisationId: e.w.units.urban }),
      expect: deny(STAFF(404, 201, 404, 403, 403, 201)),
    },
    {
      name: 'GET /v1/rating-codes/{code}',
      method: 'get',
      path: () => `/v1/rating-codes/${s.code}`,
      expect: all(200),
    },
    {
      name: 'GET /v1/rating-codes/{code}/qr.svg',
      method: 'get',
      path: () => `/v1/rating-codes/${s.code}/qr.svg`,
      expect: deny(STAFF(404, 200, 404, 403, 403, 200)),
    },
    {
      name: 'POST /v1/rating-codes/{code}/rating',
      method: 'post',
      target: freshOr(w_('ratingCode'), () => s.code),
      path: (id) => `/v1/rating-codes/${id}/rating`,
      body: () => ({ level: 'very_satisfied' }),
      watch: (id) => snapshot(e.t, 'rating_code', 'x.code = $1', id),
      expect: all(403, { anonymous: 201, ...CITIZENS(201, 201) }),
    },
    {
      name: 'GET /v1/rating-appeals',
      method: 'get',
      path: () => '/v1/rating-appeals',
      expect: deny(STAFF(200, 200, 200, 200, 200, 200)),
    },
    {
      name: 'GET /v1/rating-appeals/{id}',
      method: 'get',
      path: () => `/v1/rating-appeals/${s.appeal}`,
      expect: deny(STAFF(404, 200, 404, 200, 200, 200)),
    },
    {
      name: 'POST /v1/rating-appeals/{id}/decision',
      method: 'post',
      target: freshOr(w_('appeal'), () => s.appeal),
      path: (id) => `/v1/rating-appeals/${id}/decision`,
      body: () => ({ decision: 'rejected', reason: '办理记录显示评价属实' }),
      watch: snap(e, 'rating_appeal'),
      expect: deny(STAFF(403, 403, 403, 200, 403, 200)),
    },
    {
      name: 'GET /v1/rectifications',
      method: 'get',
      path: () => `/v1/rectifications?organisationId=${e.w.units.urban}`,
      expect: all(200),
    },
    {
      name: 'GET /v1/rectifications/{id}',
      method: 'get',
      path: () => `/v1/rectifications/${s.rectification}`,
      expect: all(200),
    },
    {
      name: 'POST /v1/rectifications/{answered}/satisfaction',
      method: 'post',
      target: freshOr(w_('answeredRectification'), () => s.rectification),
      path: (id) => `/v1/rectifications/${id}/satisfaction`,
      body: () => ({ satisfaction: 'satisfied' }),
      watch: snap(e, 'rectification'),
      expect: deny(CITIZENS(200, 404)),
    },
    {
      name: 'GET /v1/rating-figures/units/{id}',
      method: 'get',
      path: () => `/v1/rating-figures/units/${e.w.units.urban}`,
      expect: all(200),
    },
    {
      name: 'GET /v1/rating-figures/services/{id}',
      method: 'get',
      path: () => `/v1/rating-figures/services/${e.w.serviceId}`,
      expect: all(200),
    },
    {
      name: 'GET /v1/rating-figures/staff',
      method: 'get',
      path: () => `/v1/rating-figures/staff?organisationId=${e.w.units.urban}`,
      expect: deny({ supervisor: 200, admin: 200 }),
    },
    // ratings aimed outside the caller's units, or at what only some may see
    {
      name: 'GET /v1/ratings/{id}?comment=true',
      method: 'get',
      path: () => `/v1/ratings/${s.rating}?comment=true`,
      expect: deny({ ...CITIZENS(200, 404), ...STAFF(404, 200, 404, 200, 200, 200) }),
    },
    {
      name: 'GET /v1/ratings (unit outside the city)',
      method: 'get',
      path: () => `/v1/ratings?organisationId=${e.w.units.other}`,
      expect: deny(STAFF(404, 404, 404, 404, 404, 200)),
    },
    {
      name: 'GET /v1/rating-figures/staff (unit outside the city)',
      method: 'get',
      path: () => `/v1/rating-figures/staff?organisationId=${e.w.units.other}`,
      expect: deny({ supervisor: 404, admin: 200 }),
    },
    {
      name: 'POST /v1/rating-codes (unit outside the city)',
      method: 'post',
      path: () => '/v1/rating-codes',
      body: () => ({ organisationId: e.w.units.other }),
      expect: deny(STAFF(404, 404, 404, 403, 403, 201)),
    },
    // Open311 GeoReport v2: reads are public; POSTs need an integrator key with open311:submit
    ...(
      [
        ['discovery.{format}', () => 'discovery.json'],
        ['services.{format}', () => 'services.json'],
        ['services/{service_code}.{format}', () => `services/${e.w.cast.codes.noise}.json`],
        ['tokens/{token}.{format}', () => `tokens/${s.order.trackingCode}.json`],
        ['requests.{format}', () => 'requests.json'],
        ['requests/{service_request_id}.{format}', () => `requests/${s.request}.json`],
        ['servicerequestupdates.{format}', () => 'servicerequestupdates.json'],
      ] as Array<[string, () => string]>
    ).map(([name, path]): Row => ({
      name: `GET /open311/v2/${name}`,
      method: 'get',
      path: () => `/open311/v2/${path()}`,
      open311: true,
      expect: all(200),
    })),
    {
      name: 'POST /open311/v2/requests.{format}',
      method: 'post',
      path: () => '/open311/v2/requests.json',
      body: () => e.w.open311Form(),
      open311: true,
      // org_admin holds open311:submit (declared so that it may issue integrator keys with it)
      expect: all(403, { integrator: 200, orgAdmin: 200, admin: 200 }),
    },
    {
      name: 'POST /open311/v2/servicerequestupdates.{format}',
      method: 'post',
      path: () => '/open311/v2/servicerequestupdates.json',
      body: () => ({ service_request_id: s.request, description: `Still broken ${uniq()}`, status: 'OPEN' }),
      open311: true,
      watch: () => snapshot(e.t, 'complaint', 'x.number = $1', s.request),
      expect: all(403, { integrator: 200, orgAdmin: 200, admin: 200 }),
    },
    {
      name: "POST /open311/v2/servicerequestupdates.{format} (outside centre's order)",
      method: 'post',
      path: () => '/open311/v2/servicerequestupdates.json',
      body: () => ({
        service_request_id: s.outsideNumber,
        description: `Still broken ${uniq()}`,
        status: 'OPEN',
      }),
      open311: true,
      watch: () => snapshot(e.t, 'complaint', 'x.number = $1', s.outsideNumber),
      expect: all(403, { integrator: 404, orgAdmin: 404, admin: 200 }),
    },
  ];
}
