import { randomUUID } from 'node:crypto';
import { Permission } from '../../src/api/auth/permission';
import type { ActionSpec, WorkflowSpec } from '../../src/modules/internal/workflow/workflow-spec';
import { ClockUnit } from '../../src/modules/platform/calendar/deadline';
import type { TestApp } from './test-app';
import { scopedToken } from './tokens';

/**
 * Workflows and published services for tests of the workflow engine and its users (applications,
 * statistics, demo). Everything goes through HTTP as an administrator would do it.
 */

const zh = (text: string, en?: string) => ({ 'zh-CN': text, en: en ?? text });

const act = (
  key: string,
  effect: ActionSpec['effect'],
  title: string,
  more: Partial<ActionSpec> = {},
): ActionSpec => ({
  key,
  effect,
  title: zh(title, key),
  ...more,
});

/**
 * A promised item (承诺件): 受理 → 审查 → 两级审批 → 决定 → 制证 → 送达 → 办结.
 * - acceptance (clerk, case:handle): accept → review, refuse, request_supplement, transfer
 * - review (reviewer, case:review): advance → approval, return → acceptance, suspend/resume,
 *   request_extension with grant_extension/deny_extension (a superior decides)
 * - approval: sequential, case:approve in the handling unit, then case:approve in the unit above;
 *   approve → decision, disapprove → review
 * - decision (case:approve): decide approved → issuing; denied closes the case
 * - issuing (case:handle): issue → delivery; delivery (case:handle): deliver → closed
 * - separation of duties: whoever accepted may not approve
 */
export function standardSpec(): WorkflowSpec {
  return {
    start: 'acceptance',
    clock: { supplementNoticeWithin: 5, yellowWithin: 2, escalateOverdue: true },
    separationOfDuties: [
      { actions: ['accept', 'approve'], title: zh('受理与审批不得为同一人', 'accept ≠ approve') },
    ],
    stages: [
      {
        key: 'acceptance',
        title: zh('受理', 'Acceptance'),
        assignee: { permission: Permission.CaseHandle, unit: 'handling' },
        limit: { amount: 1, unit: ClockUnit.WorkingDays },
        actions: [
          act('accept', 'accept', '受理', { to: 'review' }),
          act('refuse', 'refuse', '不予受理', { reasonRequired: true }),
          act('request_supplement', 'request_supplement', '一次性告知补正'),
          act('transfer', 'transfer', '转办', { reasonRequired: true }),
        ],
      },
      {
        key: 'review',
        title: zh('审查', 'Review'),
        assignee: { permission: Permission.CaseReview, unit: 'handling' },
        actions: [
          act('advance', 'advance', '审查通过', { to: 'approval' }),
          act('return', 'return', '退回受理', { to: 'acceptance', reasonRequired: true }),
          act('suspend', 'suspend', '特别程序', { reasonRequired: true }),
          act('resume', 'resume', '恢复办理'),
          act('request_extension', 'request_extension', '申请延期', { reasonRequired: true }),
          act('grant_extension', 'grant_extension', '同意延期'),
          act('deny_extension', 'deny_extension', '不同意延期', { reasonRequired: true }),
        ],
      },
      {
        key: 'approval',
        title: zh('审批', 'Approval'),
        assignee: { permission: Permission.CaseApprove, unit: 'handling' },
        approval: {
          mode: 'sequential',
          levels: [
            { permission: Permission.CaseApprove, unit: 'handling' },
            { permission: Permission.CaseApprove, unit: 'parent' },
          ],
        },
        actions: [
          act('approve', 'approve', '同意', { to: 'decision' }),
          act('disapprove', 'disapprove', '不同意', { to: 'review', reasonRequired: true }),
        ],
      },
      {
        key: 'decision',
        title: zh('决定', 'Decision'),
        assignee: { permission: Permission.CaseApprove, unit: 'handling' },
        actions: [act('decide', 'decide', '作出决定', { to: 'issuing' })],
      },
      {
        key: 'issuing',
        title: zh('制证', 'Issuing'),
        assignee: { permission: Permission.CaseHandle, unit: 'handling' },
        actions: [act('issue', 'issue', '制证', { to: 'delivery' })],
      },
      {
        key: 'delivery',
        title: zh('送达', 'Delivery'),
        assignee: { permission: Permission.CaseHandle, unit: 'handling' },
        actions: [act('deliver', 'deliver', '送达', { to: 'closed' })],
      },
      {
        key: 'closed',
        title: zh('办结', 'Closed'),
        assignee: { permission: Permission.CaseHandle, unit: 'handling' },
        final: true,
        actions: [],
      },
    ],
  };
}

/** An instant item (即办件): 受理 → 决定 → 出证 → 办结, all in the window. */
export function instantSpec(): WorkflowSpec {
  return {
    start: 'acceptance',
    clock: { supplementNoticeWithin: 5, yellowWithin: 0, escalateOverdue: false },
    stages: [
      {
        key: 'acceptance',
        title: zh('受理', 'Acceptance'),
        assignee: { permission: Permission.CaseHandle, unit: 'handling' },
        actions: [
          act('accept', 'accept', '受理', { to: 'decision' }),
          act('refuse', 'refuse', '不予受理', { reasonRequired: true }),
          act('request_supplement', 'request_supplement', '一次性告知补正'),
        ],
      },
      {
        key: 'decision',
        title: zh('决定', 'Decision'),
        assignee: { permission: Permission.CaseHandle, unit: 'handling' },
        actions: [act('decide', 'decide', '当场决定', { to: 'issuing' })],
      },
      {
        key: 'issuing',
        title: zh('出证', 'Issuing'),
        assignee: { permission: Permission.CaseHandle, unit: 'handling' },
        actions: [act('issue', 'issue', '当场出证', { to: 'closed' })],
      },
      {
        key: 'closed',
        title: zh('办结', 'Closed'),
        assignee: { permission: Permission.CaseHandle, unit: 'handling' },
        final: true,
        actions: [],
      },
    ],
  };
}

/** A form every test service uses unless told otherwise: name and phone required, shop area optional. */
export const SERVICE_FORM = {
  type: 'object',
  required: ['applicantName', 'phone'],
  additionalProperties: false,
  properties: {
    applicantName: {
      type: 'string',
      minLength: 1,
      maxLength: 50,
      'x-ui': { label: { 'zh-CN': '申请人姓名', en: 'Name' }, order: 1 },
    },
    phone: { type: 'string', pattern: '^1\\d{10}$', 'x-ui': { label: '手机号', order: 2, widget: 'phone' } },
    shopArea: { type: 'number', minimum: 0, 'x-ui': { label: '经营面积', order: 3, widget: 'number' } },
  },
};

/** Guide content that passes the catalogue's publication rules (promised 5 ≤ legal 20 working days). */
export function serviceContent(
  over: Record<string, unknown> = {},
  guideOver: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    guide: {
      legalBasis: '《中华人民共和国行政许可法》',
      conditions: '年满十八周岁，具有完全民事行为能力',
      materials: [
        { name: '身份证', source: '申请人自备', copies: 1, form: 'both', required: true },
        { name: '经营场所证明', source: '申请人自备', copies: 1, form: 'electronic', required: false },
      ],
      legalLimit: { amount: 20, unit: 'working_days' },
      promisedLimit: { amount: 5, unit: 'working_days' },
      handlingType: 'promised',
      visitsRequired: 1,
      fees: [],
      onlineDepth: 3,
      places: [{ name: '政务服务中心', address: '演示路 1 号', hours: '周一至周五 9:00-17:00' }],
      steps: ['网上申请', '受理', '审查', '决定', '送达'],
      faq: [{ q: '可以代办吗？', a: '可以，需提供委托书。' }],
      consultPhone: '0755-12345678',
      supervisionPhone: '12345',
      lifeEvents: ['开办企业'],
      topics: ['市场监管'],
      ...guideOver,
    },
    translations: {
      'zh-CN': { title: '个体工商户登记', summary: '个体工商户设立登记' },
      en: { title: 'Sole proprietorship registration', summary: 'Register a sole proprietorship' },
    },
    elder: { summary: '开小店，先登记。', steps: ['带身份证', '到窗口', '填一张表', '等通知'] },
    form: SERVICE_FORM,
    ...over,
  };
}

export interface PublishOptions {
  /** the workflow (default standardSpec()) */
  spec?: WorkflowSpec;
  /** the guide content (default serviceContent()) */
  content?: Record<string, unknown>;
  /** a bearer token holding catalog:manage, catalog:review and workflow:manage for the unit */
  token?: string;
  /** default administrative_licence / person */
  type?: string;
  target?: string;
}

export interface PublishedService {
  serviceId: string;
  definitionId: string;
  implementationCode: string;
}

const expectStatus = (what: string, res: { status: number; text: string }, status: number): void => {
  if (res.status !== status) throw new Error(`${what}: ${res.status} ${res.text}`);
};

/**
 * Creates a service in `unitId`, gives it an active workflow and publishes it, all through HTTP.
 * Without a token a synthetic staff caller holding the three permissions everywhere is used.
 */
export async function publishServiceWithWorkflow(
  t: TestApp,
  unitId: string,
  opts: PublishOptions = {},
): Promise<PublishedService> {
  const token =
    opts.token ??
    (await scopedToken(t, 'staff', [
      Permission.CatalogManage,
      Permission.CatalogReview,
      Permission.WorkflowManage,
    ]));
  const as = { Authorization: `Bearer ${token}` };
  const implementationCode = `WF-${randomUUID().replace(/-/g, '').slice(0, 16)}`;
  const created = await t.http
    .post('/v1/catalog/services')
    .set(as)
    .send({
      organisationId: unitId,
      implementationCode,
      type: opts.type ?? 'administrative_licence',
      target: opts.target ?? 'person',
      draft: opts.content ?? serviceContent(),
    });
  expectStatus('create service', created, 201);
  const serviceId = (created.body as { id: string }).id;
  const definitionId = await activeWorkflow(t, serviceId, opts.spec ?? standardSpec(), as);
  expectStatus('submit', await t.http.post(`/v1/catalog/services/${serviceId}/submit`).set(as).send(), 200);
  expectStatus('publish', await t.http.post(`/v1/catalog/services/${serviceId}/publish`).set(as).send(), 200);
  return { serviceId, definitionId, implementationCode };
}

/** Creates a workflow version for the service and activates it; returns its id. */
export async function activeWorkflow(
  t: TestApp,
  serviceId: string,
  spec: WorkflowSpec,
  as: Record<string, string>,
): Promise<string> {
  const wf = await t.http.post(`/v1/services/${serviceId}/workflows`).set(as).send({ spec });
  expectStatus('create workflow', wf, 201);
  const definitionId = (wf.body as { id: string }).id;
  expectStatus(
    'activate workflow',
    await t.http.post(`/v1/workflows/${definitionId}/activate`).set(as).send(),
    200,
  );
  return definitionId;
}
