import { uniq } from '../identity/staff-fixtures';
import { deny } from './engagement-fixtures';
import { CITIZENS, Env, freshOr, lazy, Row, snap, STAFF, version } from './engagement-rows';
import { snapshot } from './engagement-fixtures';

/** Consultations (咨询) of the bureau's service and the answer templates of its unit. */
export function consultationRows(e: Env): Row[] {
  const s = e.s;
  const w_ = lazy(e);
  return [
    // consultations (咨询) of the bureau's service
    {
      name: 'POST /v1/consultations',
      method: 'post',
      path: () => '/v1/consultations',
      body: () => ({ serviceId: e.w.serviceId, question: `请问几点上班？${uniq()}` }),
      expect: deny(CITIZENS(201, 201)),
    },
    {
      name: 'GET /v1/consultations',
      method: 'get',
      path: () => '/v1/consultations',
      expect: deny(STAFF(200, 200, 200, 200, 403, 200)),
    },
    {
      name: 'GET /v1/consultations/{id}',
      method: 'get',
      path: () => `/v1/consultations/${s.answered}`,
      expect: deny({ ...CITIZENS(200, 404), ...STAFF(404, 200, 404, 200, 403, 200) }),
    },
    {
      name: 'POST /v1/consultations/{answered}/follow-ups',
      method: 'post',
      target: freshOr(w_('answeredQuestion'), () => s.answered),
      path: (id) => `/v1/consultations/${id}/follow-ups`,
      body: () => ({ question: `还想再问一下？${uniq()}` }),
      watch: snap(e, 'consultation'),
      expect: deny(CITIZENS(200, 404)),
    },
    {
      name: 'POST /v1/consultations/{waiting}/answer',
      method: 'post',
      target: freshOr(w_('waitingQuestion'), () => s.waiting),
      path: (id) => `/v1/consultations/${id}/answer`,
      body: () => ({ text: '工作日九点上班。' }),
      watch: snap(e, 'consultation'),
      expect: deny(STAFF(404, 200, 404, 403, 403, 200)),
    },
    {
      name: 'POST /v1/consultations/{waiting}/transfer',
      method: 'post',
      target: freshOr(w_('waitingQuestion'), () => s.waiting),
      path: (id) => `/v1/consultations/${id}/transfer`,
      body: () => ({ organisationId: e.w.units.housing, reason: '属住建局职责' }),
      watch: snap(e, 'consultation'),
      expect: deny(STAFF(404, 200, 404, 403, 403, 200)),
    },
    {
      name: 'POST /v1/consultations/{answered}/faq',
      method: 'post',
      target: () => s.answered,
      path: (id) => `/v1/consultations/${id}/faq`,
      body: () => e.w.faqBody(),
      watch: (id) => snapshot(e.t, 'consultation_faq', 'x.consultation_id = $1', id),
      expect: deny(STAFF(403, 403, 403, 200, 200, 200)),
    },
    {
      name: 'DELETE /v1/consultations/{with FAQ}/faq',
      method: 'delete',
      target: freshOr(w_('publishedFaq'), () => s.faqd),
      path: (id) => `/v1/consultations/${id}/faq`,
      watch: (id) => snapshot(e.t, 'consultation_faq', 'x.consultation_id = $1', id),
      expect: deny(STAFF(403, 403, 403, 204, 204, 204)),
    },
    {
      name: 'GET /v1/me/consultations',
      method: 'get',
      path: () => '/v1/me/consultations',
      expect: deny(CITIZENS(200, 200)),
    },
    // answer templates of the bureau
    {
      name: 'GET /v1/consultation-templates',
      method: 'get',
      path: () => `/v1/consultation-templates?organisationId=${e.w.units.urban}`,
      expect: deny(STAFF(404, 200, 404, 200, 200, 200)),
    },
    {
      name: 'POST /v1/consultation-templates',
      method: 'post',
      path: () => '/v1/consultation-templates',
      body: () => ({ organisationId: e.w.units.urban, ...e.w.templateBody() }),
      expect: deny(STAFF(404, 201, 404, 201, 201, 201)),
    },
    {
      name: 'PUT /v1/consultation-templates/{id}',
      method: 'put',
      path: () => `/v1/consultation-templates/${s.template}`,
      headers: () => version(e, 'consultation_template')(s.template),
      body: () => e.w.templateBody(),
      watch: () => snap(e, 'consultation_template')(s.template),
      expect: deny(STAFF(404, 200, 404, 200, 200, 200)),
    },
    {
      name: 'DELETE /v1/consultation-templates/{id}',
      method: 'delete',
      target: freshOr(w_('template'), () => s.template),
      path: (id) => `/v1/consultation-templates/${id}`,
      watch: snap(e, 'consultation_template'),
      expect: deny(STAFF(404, 204, 404, 204, 204, 204)),
    },
    // a question passed on, and templates of a unit outside the city
    {
      name: 'GET /v1/consultation-templates (unit outside the city)',
      method: 'get',
      path: () => `/v1/consultation-templates?organisationId=${e.w.units.other}`,
      expect: deny(STAFF(404, 404, 404, 404, 404, 200)),
    },
    {
      name: 'POST /v1/consultation-templates (unit outside the city)',
      method: 'post',
      path: () => '/v1/consultation-templates',
      body: () => ({ organisationId: e.w.units.other, ...e.w.templateBody() }),
      expect: deny(STAFF(404, 404, 404, 404, 404, 201)),
    },
    {
      name: 'GET /v1/consultations/{transferred to the sibling bureau}',
      method: 'get',
      path: () => `/v1/consultations/${s.transferred}`,
      expect: deny({ ...CITIZENS(200, 404), ...STAFF(404, 404, 200, 200, 403, 200) }),
    },
    {
      name: 'POST /v1/consultations/{transferred to the sibling bureau}/answer',
      method: 'post',
      target: freshOr(w_('transferredQuestion'), () => s.transferred),
      path: (id) => `/v1/consultations/${id}/answer`,
      body: () => ({ text: '请到住建局窗口办理。' }),
      watch: snap(e, 'consultation'),
      expect: deny(STAFF(404, 404, 200, 403, 403, 200)),
    },
  ];
}
