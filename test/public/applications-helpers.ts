import { samples } from '../support/sample-files';
import { publishServiceWithWorkflow, serviceContent } from '../support/workflow-fixtures';
import type { TestApp } from '../support/test-app';
import { auth } from '../identity/staff-fixtures';
import type { Citizen } from '../identity/citizen-fixtures';

/** Shared steps of the applications specs, all through HTTP. */

export interface AppBody {
  id: string;
  number: string | null;
  status: string;
  version: number;
  formData: Record<string, unknown>;
  promisedDueAt: string | null;
  supplement: {
    items: Array<{ material: string | null; field: string | null; description: string }>;
    answeredAt: string | null;
  } | null;
  decision: string | null;
  decisionReason: string | null;
  licence: { id: string; verificationUrl: string } | null;
  attachments: Array<{
    id: string;
    material: string;
    fileId: string;
    sha256: string;
    size: number;
    phase: string;
  }>;
  [k: string]: unknown;
}

export const as = (c: Pick<Citizen, 'accessToken'>): Record<string, string> => auth(c.accessToken);

/** Guide content for the test services (the elder guide is required by the catalogue). */
export function guideContent(): Record<string, unknown> {
  return {
    elder: { summary: '开小店，先登记。', steps: ['带身份证', '网上申请', '等通知'] },
    ...serviceContent(),
  };
}

/** A published person-service with the standard workflow in the unit. */
export async function publishedService(t: TestApp, unitId: string, target = 'person'): Promise<string> {
  return (await publishServiceWithWorkflow(t, unitId, { content: guideContent(), target })).serviceId;
}

export const GOOD_FORM = { applicantName: '张三', phone: '13812345678', shopArea: 12 };

export function applicationSteps(t: () => TestApp) {
  const ok = <T>(what: string, res: { status: number; text: string; body: unknown }, status: number): T => {
    if (res.status !== status) throw new Error(`${what}: ${res.status} ${res.text}`);
    return res.body as T;
  };
  return {
    async draft(
      c: Citizen,
      serviceId: string,
      formData: Record<string, unknown> = GOOD_FORM,
    ): Promise<AppBody> {
      return ok(
        'create',
        await t().http.post('/v1/applications').set(as(c)).send({ serviceId, formData }),
        201,
      );
    },
    async upload(c: Citizen, body = samples.pdf()): Promise<string> {
      const res = await t()
        .http.post('/v1/files')
        .set(as(c))
        .attach('file', body, { filename: '身份证.pdf', contentType: 'application/pdf' });
      return ok<{ id: string }>('upload', res, 201).id;
    },
    async attach(c: Citizen, appId: string, material: string, fileId?: string): Promise<AppBody> {
      const file = fileId ?? (await this.upload(c));
      return ok(
        'attach',
        await t()
          .http.post(`/v1/applications/${appId}/attachments`)
          .set(as(c))
          .send({ fileId: file, material }),
        201,
      );
    },
    async submitted(
      c: Citizen,
      serviceId: string,
      formData: Record<string, unknown> = GOOD_FORM,
    ): Promise<AppBody> {
      const d = await this.draft(c, serviceId, formData);
      await this.attach(c, d.id, '身份证');
      return ok('submit', await t().http.post(`/v1/applications/${d.id}/submit`).set(as(c)).send(), 200);
    },
    async caseOf(
      appId: string,
    ): Promise<{ id: string; status: string; outcome: string | null; number: string }> {
      const [row] = await t().db.query<{
        id: string;
        status: string;
        outcome: string | null;
        number: string;
      }>('SELECT id, status, outcome, number FROM case_file WHERE subject_type = $1 AND subject_id = $2', [
        'application',
        appId,
      ]);
      return row;
    },
    async act(
      staff: Record<string, string>,
      appId: string,
      action: string,
      body: Record<string, unknown> = {},
    ) {
      const c = await this.caseOf(appId);
      return ok<Record<string, unknown>>(
        `action ${action}`,
        await t().http.post(`/v1/cases/${c.id}/actions/${action}`).set(staff).send(body),
        200,
      );
    },
    async row(appId: string): Promise<Record<string, unknown> | undefined> {
      return (
        await t().db.query<Record<string, unknown>>('SELECT * FROM application WHERE id = $1', [appId])
      )[0];
    },
  };
}
