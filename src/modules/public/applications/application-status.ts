import type { Language } from '../../../api/context/request-context';
import { ApplicationStatus as S } from './application.entity';

/** What the applicant's status becomes after an engine transition; null: unchanged. */
export function statusAfter(
  current: S,
  effect: string,
  caseState: { accepted: boolean; decision?: string | null },
): S | null {
  const inProgress = caseState.accepted ? S.Accepted : S.Submitted;
  switch (effect) {
    case 'started':
      return S.Submitted;
    case 'accept':
      return S.Accepted;
    case 'refuse':
      return S.Refused;
    case 'request_supplement':
      return S.SupplementRequired;
    case 'supplement_answered':
    case 'resume':
      return inProgress;
    case 'suspend':
      return S.Suspended;
    case 'decide':
      return caseState.decision === 'denied' ? S.Denied : S.Approved;
    case 'issue':
      return S.Issued;
    case 'deliver':
      return S.Delivered;
    case 'close':
      // A denied or refused case keeps telling the applicant why it closed.
      return current === S.Denied || current === S.Refused ? null : S.Completed;
    case 'withdrawn':
      return S.Withdrawn;
    default:
      // advance, return, transfer, approvals and extensions do not change what the applicant sees
      return null;
  }
}

const LABELS: Record<S, { 'zh-CN': string; en: string }> = {
  [S.Draft]: { 'zh-CN': '草稿', en: 'draft' },
  [S.Submitted]: { 'zh-CN': '已提交', en: 'submitted' },
  [S.Accepted]: { 'zh-CN': '已受理，办理中', en: 'accepted, in progress' },
  [S.SupplementRequired]: { 'zh-CN': '待补正材料', en: 'more documents needed' },
  [S.Suspended]: { 'zh-CN': '特别程序中（暂停计时）', en: 'on hold for a special procedure' },
  [S.Approved]: { 'zh-CN': '准予许可', en: 'approved' },
  [S.Denied]: { 'zh-CN': '不予许可', en: 'denied' },
  [S.Refused]: { 'zh-CN': '不予受理', en: 'not accepted' },
  [S.Issued]: { 'zh-CN': '已出证', en: 'result issued' },
  [S.Delivered]: { 'zh-CN': '已送达', en: 'result delivered' },
  [S.Completed]: { 'zh-CN': '已办结', en: 'completed' },
  [S.Withdrawn]: { 'zh-CN': '已撤回', en: 'withdrawn' },
};

export const statusLabel = (status: S, language: Language): string => LABELS[status][language];

/** Plain texts of the applicant's timeline entries, per engine effect or event action. */
const EVENT_TEXTS: Record<string, { 'zh-CN': string; en: string }> = {
  created: { 'zh-CN': '创建草稿', en: 'Draft created' },
  submitted: { 'zh-CN': '提交申请', en: 'Application submitted' },
  started: { 'zh-CN': '已收件', en: 'Application received' },
  accept: { 'zh-CN': '已受理', en: 'Application accepted' },
  refuse: { 'zh-CN': '不予受理', en: 'Application not accepted' },
  request_supplement: { 'zh-CN': '请一次性补正材料', en: 'More documents requested' },
  supplement_answered: { 'zh-CN': '已提交补正材料', en: 'Documents supplied' },
  transfer: { 'zh-CN': '已转交其他部门办理', en: 'Passed to another office' },
  suspend: { 'zh-CN': '进入特别程序，暂停计时', en: 'On hold for a special procedure' },
  resume: { 'zh-CN': '恢复办理', en: 'Handling resumed' },
  request_extension: { 'zh-CN': '申请延长办理期限', en: 'Extension of the time limit requested' },
  grant_extension: { 'zh-CN': '办理期限已延长', en: 'Time limit extended' },
  deny_extension: { 'zh-CN': '延期未获批准', en: 'Extension not granted' },
  decide: { 'zh-CN': '已作出决定', en: 'Decision made' },
  issue: { 'zh-CN': '已出证', en: 'Result issued' },
  deliver: { 'zh-CN': '已送达', en: 'Result delivered' },
  close: { 'zh-CN': '已办结', en: 'Completed' },
  withdrawn: { 'zh-CN': '申请人已撤回', en: 'Withdrawn by the applicant' },
  advance: { 'zh-CN': '办理中', en: 'In progress' },
  approve: { 'zh-CN': '办理中', en: 'In progress' },
  disapprove: { 'zh-CN': '办理中', en: 'In progress' },
  return: { 'zh-CN': '办理中', en: 'In progress' },
};

export function eventText(kind: string, language: Language): string {
  return (EVENT_TEXTS[kind] ?? { 'zh-CN': '办理进度更新', en: 'Progress update' })[language];
}
