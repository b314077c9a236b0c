// What the consultations module adds to the platform's registries: its permissions, error codes
// and notification templates (see README "Adding a module").
import { declarePermissions } from '../../../api/auth/permission-registry';
import { declareErrorCodes, declareTerms } from '../../../api/errors/error-registry';
import { RoleName } from '../../platform/identity/staff/role-catalogue';
import { declareTemplates } from '../../platform/notifications/templates';

declareTerms({
  consultation: { 'zh-CN': '咨询', en: 'consultation' },
  consultation_template: { 'zh-CN': '答复模板', en: 'answer template' },
  faq: { 'zh-CN': '常见问题', en: 'FAQ entry' },
});

export const ConsultationPermission = declarePermissions({
  /** answer templates of a unit (答复模板) */
  ManageTemplates: {
    name: 'consultation:templates',
    description: 'manage the answer templates of a unit (咨询答复模板)',
    roles: [RoleName.Clerk, RoleName.Supervisor, RoleName.OrgAdmin],
  },
  /** publish an answered consultation as an FAQ of its service's guide */
  PublishFaq: {
    name: 'consultation:faq',
    description: "publish answered consultations as FAQs of the service's guide (常见问题)",
    roles: [RoleName.Supervisor, RoleName.OrgAdmin],
  },
});

export const ConsultationError = declareErrorCodes({
  FollowUpRefused: {
    code: 'CONSULTATION_FOLLOW_UP_REFUSED',
    status: 409,
    'zh-CN': { title: '无法追问', detail: '{reason}' },
    en: { title: 'No follow-up possible', detail: '{reason}' },
  },
});

export const ConsultationTemplates = declareTemplates({
  Answered: [
    'consultation.answered',
    {
      secret: [],
      channels: {
        default: {
          'zh-CN': {
            subject: '您的咨询已答复：{number}',
            body: '您关于「{topic}」的咨询（编号 {number}）已由{unit}答复，请登录查看并评价。',
          },
          en: {
            subject: 'Your question has been answered: {number}',
            body: 'Your question about "{topic}" (number {number}) has been answered by {unit}. Sign in to read it and rate the answer.',
          },
        },
      },
    },
  ],
});

/** Follow-up questions per consultation. */
export const MAX_FOLLOW_UPS = 3;
/** A follow-up is possible this many days after the latest answer. */
export const FOLLOW_UP_WINDOW_DAYS = 30;
/** The answer limit when the unit's consultation workflow names none (working days). */
export const ANSWER_LIMIT_WORKING_DAYS = 5;
