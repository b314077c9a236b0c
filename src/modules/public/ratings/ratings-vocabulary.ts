// What the ratings module (好差评) declares: permissions, error codes, resource names, templates.
import { Permission } from '../../../api/auth/permission';
import { declarePermissions } from '../../../api/auth/permission-registry';
import { declareErrorCodes, declareTerms } from '../../../api/errors/error-registry';
import { declareTemplates } from '../../platform/notifications/templates';
import { RoleName } from '../../platform/identity/staff/role-catalogue';

export const RatingPermission = declarePermissions({
  IssueCode: {
    name: 'rating:issue-code',
    description: 'Issue a rating code (评价码, shown as a QR code) for a visit at a service-hall window',
    roles: [RoleName.Clerk],
  },
  Read: {
    name: 'rating:read',
    description: "Read the ratings of one's units (comments in full are audited reads)",
    roles: [RoleName.Clerk, RoleName.Supervisor, RoleName.OrgAdmin],
  },
  Appeal: {
    name: 'rating:appeal',
    description: "Appeal a rating of one's unit as malicious or mistaken (申诉)",
    roles: [RoleName.OrgAdmin, RoleName.Clerk],
  },
  Review: {
    name: 'rating:review',
    description: 'Decide appeals against ratings and read staff rating figures (复核)',
    roles: [RoleName.Supervisor],
  },
});

/** Who reviews a unit's ratings: rating:review, or case:supervise (督办) over the unit. */
export const REVIEWERS = [RatingPermission.Review, Permission.CaseSupervise] as Permission[];
/** Staff who see a unit's ratings (never comments in lists). */
export const RATING_STAFF = [RatingPermission.Read, RatingPermission.Appeal, ...REVIEWERS] as Permission[];
/** Staff who see a unit's appeals. */
export const APPEAL_STAFF = [RatingPermission.Appeal, ...REVIEWERS] as Permission[];

export const RatingError = declareErrorCodes({
  AlreadyRated: {
    code: 'RATING_ALREADY_GIVEN',
    status: 409,
    'zh-CN': { title: '已评价', detail: '该事项已有评价，每件事项只能评价一次。' },
    en: { title: 'Already rated', detail: 'This item already has a rating; each item is rated once.' },
  },
  NotHandled: {
    code: 'RATING_NOT_HANDLED',
    status: 409,
    'zh-CN': { title: '尚未办结', detail: '事项办结后才能评价。' },
    en: { title: 'Not handled yet', detail: 'An item can be rated once it has been handled.' },
  },
  WindowClosed: {
    code: 'RATING_WINDOW_CLOSED',
    status: 409,
    'zh-CN': { title: '评价期已过', detail: '已超过 {days} 天的评价期限。' },
    en: { title: 'Rating period over', detail: 'The {days}-day rating period is over.' },
  },
  AppealExists: {
    code: 'RATING_APPEAL_EXISTS',
    status: 409,
    'zh-CN': { title: '已申诉', detail: '该评价已提出过申诉。' },
    en: { title: 'Already appealed', detail: 'This rating has already been appealed.' },
  },
});

// `rectification` is in the built-in TERMS table (messages.spec reads notFound('…') resources from it).
declareTerms({
  rating: { 'zh-CN': '评价', en: 'rating' },
  rectification: { 'zh-CN': '差评整改', en: 'rectification' },
  rating_item: { 'zh-CN': '评价事项', en: 'rated item' },
  rating_code: { 'zh-CN': '评价码', en: 'rating code' },
  rating_appeal: { 'zh-CN': '评价申诉', en: 'rating appeal' },
});

export const RatingTemplate = declareTemplates({
  RectificationOpened: [
    'ratings.rectification_opened',
    {
      secret: [],
      channels: {
        default: {
          'zh-CN': {
            subject: '差评整改已受理',
            body: '您对“{title}”的评价已转{unit}核实整改（整改单号 {number}），办理结果将告知您。',
          },
          en: {
            subject: 'Your rating is being followed up',
            body: 'Your rating of "{title}" went to {unit} to be checked and put right (reference {number}). You will be told the result.',
          },
        },
      },
    },
  ],
  RectificationAnswered: [
    'ratings.rectification_answered',
    {
      secret: [],
      channels: {
        default: {
          'zh-CN': {
            subject: '差评整改结果',
            body: '整改单 {number} 已答复：{answer}。欢迎对整改结果作出评价。',
          },
          en: {
            subject: 'Result of the follow-up',
            body: 'Follow-up {number} was answered: {answer}. You may now rate the result.',
          },
        },
      },
    },
  ],
  AppealDecided: [
    'ratings.appeal_decided',
    {
      secret: [],
      channels: {
        default: {
          'zh-CN': { subject: '评价申诉复核结果', body: '对评价 {ratingId} 的申诉已复核：{decision}。' },
          en: {
            subject: 'Rating appeal decided',
            body: 'The appeal against rating {ratingId} was {decision}.',
          },
        },
      },
    },
  ],
});
