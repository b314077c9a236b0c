// What the complaints module declares in the platform's registries: its permission, error codes,
// notification templates and domain event types.

import { Injectable, OnModuleInit } from '@nestjs/common';
import { declarePermissions } from '../../../api/auth/permission-registry';
import { declareErrorCodes, declareTerms } from '../../../api/errors/error-registry';
import { EventCatalogue, EventTypeDefinition, S } from '../../platform/events/event-catalogue';
import { RoleName } from '../../platform/identity/staff/role-catalogue';
import { declareTemplates } from '../../platform/notifications/templates';

declareTerms({
  complaint: { 'zh-CN': '诉求工单', en: 'work order' },
  complaint_category: { 'zh-CN': '诉求分类', en: 'complaint category' },
});

export const ComplaintPermission = declarePermissions({
  Manage: {
    name: 'complaint:manage',
    description: 'manage complaint categories and their time limits for the units in scope',
    roles: [RoleName.OrgAdmin],
  },
});

export const ComplaintError = declareErrorCodes({
  NotMergeable: {
    code: 'COMPLAINT_NOT_MERGEABLE',
    status: 409,
    'zh-CN': {
      title: '工单不能合并',
      detail: '只有尚未派单的工单可以并入同一事项的另一张未办结工单',
    },
    en: {
      title: 'Work order cannot be merged',
      detail: 'only an order not yet dispatched can be merged into another open order about the same matter',
    },
  },
  NotSupervisable: {
    code: 'COMPLAINT_NOT_SUPERVISABLE',
    status: 409,
    'zh-CN': { title: '工单不能督办', detail: '只有未办结的工单可以督办' },
    en: {
      title: 'Work order cannot be supervised',
      detail: 'only an open order can get a supervision notice',
    },
  },
  NotReopenable: {
    code: 'COMPLAINT_NOT_REOPENABLE',
    status: 409,
    'zh-CN': { title: '工单不能重办', detail: '只有办结后三十日内、未被合并的工单可以申请重办' },
    en: {
      title: 'Work order cannot be reopened',
      detail: 'only an order closed within the last 30 days, and not merged into another, can be reopened',
    },
  },
});

export const ComplaintTemplate = declareTemplates({
  Filed: [
    'complaint.filed',
    {
      secret: [],
      channels: {
        default: {
          'zh-CN': {
            subject: '工单已受理',
            body: '您的诉求已登记，工单号 {number}，查询码 {trackingCode}。',
          },
          en: {
            subject: 'Work order filed',
            body: 'Your request is filed as {number}; tracking code {trackingCode}.',
          },
        },
      },
    },
  ],
  Answered: [
    'complaint.answered',
    {
      secret: [],
      channels: {
        default: {
          'zh-CN': { subject: '工单已答复', body: '工单 {number} 已答复：{answer}' },
          en: { subject: 'Work order answered', body: 'Work order {number} was answered: {answer}' },
        },
      },
    },
  ],
  Callback: [
    'complaint.callback',
    {
      secret: [],
      channels: {
        default: {
          'zh-CN': { subject: '工单回访', body: '工单 {number} 已办理，请告诉我们您是否满意。' },
          en: {
            subject: 'How did we do?',
            body: 'Work order {number} was handled; please tell us whether you are satisfied.',
          },
        },
      },
    },
  ],
  FollowUp: [
    'complaint.follow_up',
    {
      secret: [],
      channels: {
        default: {
          'zh-CN': { subject: '工单有新的补充', body: '工单 {number} 收到群众补充意见。' },
          en: {
            subject: 'Follow-up on a work order',
            body: 'Work order {number} has a follow-up from the public.',
          },
        },
      },
    },
  ],
  Supervision: [
    'complaint.supervision',
    {
      secret: [],
      channels: {
        default: {
          'zh-CN': { subject: '督办通知（{tier}）', body: '工单 {number} 被督办：{reason}' },
          en: {
            subject: 'Supervision notice ({tier})',
            body: 'Work order {number} is under supervision: {reason}',
          },
        },
      },
    },
  ],
});

const COMPLAINT_FACTS = {
  complaintId: S.uuid,
  caseId: S.nullableUuid,
  categoryCode: S.code,
  regionCode: S.code,
};

export const COMPLAINT_FILED: EventTypeDefinition = {
  type: 'complaint.filed',
  version: 1,
  description: 'A work order was filed (its case opened in the same transaction).',
  schema: S.object({ ...COMPLAINT_FACTS, channel: S.code, urgency: S.code, anonymous: S.bool }),
};

export const COMPLAINT_MERGED: EventTypeDefinition = {
  type: 'complaint.merged',
  version: 1,
  description: 'A work order was merged into another about the same matter.',
  schema: S.object({ ...COMPLAINT_FACTS, intoComplaintId: S.uuid }),
};

export const COMPLAINT_SUPERVISED: EventTypeDefinition = {
  type: 'complaint.supervised',
  version: 1,
  description: 'A supervisor issued a supervision notice (督办) on a work order.',
  schema: S.object({ ...COMPLAINT_FACTS, tier: S.code }),
};

@Injectable()
export class ComplaintEventTypes implements OnModuleInit {
  constructor(private readonly catalogue: EventCatalogue) {}

  onModuleInit(): void {
    this.catalogue.register(COMPLAINT_FILED, COMPLAINT_MERGED, COMPLAINT_SUPERVISED);
  }
}
