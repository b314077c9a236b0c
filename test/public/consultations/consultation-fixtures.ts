import { RoleName } from '../../../src/modules/platform/identity/staff/role-catalogue';
import { auth, makeCitizen, makeStaff, makeUnit, signIn } from '../../identity/staff-fixtures';
import type { TestApp } from '../../support/test-app';
import { publishServiceWithWorkflow } from '../../support/workflow-fixtures';

export type Headers = Record<string, string>;

/**
 * The cast of the consultation specs: a service published in unit X (under a root, beside X2 and Y
 * in the same region), the staff of each unit and two citizens.
 */
export interface Cast {
  root: string;
  X: string;
  X2: string;
  Y: string;
  serviceId: string;
  asker: { id: string; h: Headers };
  other: { id: string; h: Headers };
  /** clerk (case:handle) in X, in X2, in Y */
  handlerX: { id: string; h: Headers };
  handlerX2: Headers;
  handlerY: Headers;
  /** supervisor (case:supervise, consultation:faq, consultation:templates) in X and in Y */
  supervisorX: Headers;
  supervisorY: Headers;
  /** auditor in X: no consultation permission at all */
  auditorX: Headers;
}

export async function makeCast(t: TestApp): Promise<Cast> {
  const root = await makeUnit(t, '咨询市局');
  const X = await makeUnit(t, '咨询甲区', root);
  const X2 = await makeUnit(t, '咨询甲区二', root);
  const Y = await makeUnit(t, '咨询乙区', root);
  const { serviceId } = await publishServiceWithWorkflow(t, X);
  const staff = async (unit: string, role: RoleName) => {
    const p = await makeStaff(t, unit, [{ role, unit }]);
    return { id: p.id, h: auth(await signIn(t, p, 'staff')) };
  };
  const citizen = async () => {
    const p = await makeCitizen(t);
    return { id: p.id, h: auth(await signIn(t, p, 'citizen')) };
  };
  return {
    root,
    X,
    X2,
    Y,
    serviceId,
    asker: await citizen(),
    other: await citizen(),
    handlerX: await staff(X, RoleName.Clerk),
    handlerX2: (await staff(X2, RoleName.Clerk)).h,
    handlerY: (await staff(Y, RoleName.Clerk)).h,
    supervisorX: (await staff(X, RoleName.Supervisor)).h,
    supervisorY: (await staff(Y, RoleName.Supervisor)).h,
    auditorX: (await staff(X, RoleName.Auditor)).h,
  };
}

export interface ConsultationBody {
  id: string;
  number: string;
  status: string;
  organisationId: string;
  serviceId: string | null;
  followUps: number;
  followUpsLeft: number;
  openCaseId: string | null;
  topic: string;
  messages: Array<{ seq: number; kind: string; text: string }>;
  faq: { question: string; answer: string } | null;
  version: number;
}

let n = 0;
/** a question unique to the run, so database assertions can look for its plain text */
export const question = (what = '请问需要带什么材料'): string => `${what}？（${Date.now()}-${++n}）`;

export async function ask(t: TestApp, h: Headers, body: Record<string, unknown>): Promise<ConsultationBody> {
  const res = await t.http.post('/v1/consultations').set(h).send(body);
  if (res.status !== 201) throw new Error(`ask: ${res.status} ${res.text}`);
  return res.body as ConsultationBody;
}

export async function answer(
  t: TestApp,
  h: Headers,
  id: string,
  body: Record<string, unknown>,
): Promise<ConsultationBody> {
  const res = await t.http.post(`/v1/consultations/${id}/answer`).set(h).send(body);
  if (res.status !== 200) throw new Error(`answer: ${res.status} ${res.text}`);
  return res.body as ConsultationBody;
}
