// The pure rules of work orders: codes and numbers, the category attributes, time limits, the
// default workflow of a category and how the case's transitions read as Open311 statuses.

import { createHash, randomBytes } from 'node:crypto';
import type { FieldError } from '../../../api/errors/domain-error';
import type { WorkflowSpec } from '../../internal/workflow/workflow-spec';

export type CategoryKind = 'consultation' | 'help' | 'complaint' | 'suggestion';
export const CATEGORY_KINDS: readonly CategoryKind[] = ['consultation', 'help', 'complaint', 'suggestion'];
export const URGENCIES = ['normal', 'urgent', 'life_safety'] as const;
export const CHANNELS = ['portal', 'app', 'mini_program', 'hotline', 'open311'] as const;
export const SATISFACTIONS = ['satisfied', 'basically_satisfied', 'dissatisfied'] as const;
export const SUPERVISION_TIERS = ['blue', 'orange', 'red'] as const;
export type SupervisionTier = (typeof SUPERVISION_TIERS)[number];

/** A second filing of the same text by the same filer within this window answers the first one. */
export const DUPLICATE_WINDOW_MS = 24 * 3_600_000;

/** An Open311 attribute of a category (what the filer answers beside the text). */
export interface CategoryAttribute {
  code: string;
  datatype: 'string' | 'number' | 'datetime' | 'text' | 'singlevaluelist' | 'multivaluelist';
  required: boolean;
  order: number;
  description: { 'zh-CN': string; en: string };
  values: Array<{ key: string; name: { 'zh-CN': string; en: string } }>;
}

/** Crockford base32: no I, L, O, U, so a code read aloud on the hotline stays unambiguous. */
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const randomBase32 = (n: number): string => Array.from(randomBytes(n), (b) => CROCKFORD[b & 31]).join('');

/** 16 characters, 80 random bits: what an anonymous complainant follows the order with. */
export const newTrackingCode = (): string => randomBase32(16);
export const TRACKING_CODE_RE = /^[0-9A-HJKMNP-TV-Z]{16}$/;

/** Upper case, separators gone, I/L read as 1 and O as 0; null when it cannot be a code. */
export function normaliseTrackingCode(raw: string): string | null {
  if (typeof raw !== 'string' || raw.length > 40) return null;
  const code = raw.toUpperCase().replace(/[\s-]/g, '').replace(/[IL]/g, '1').replace(/O/g, '0');
  return TRACKING_CODE_RE.test(code) ? code : null;
}

/** `GD` + the China-time date + 8 random base32 characters, e.g. GD20261208K7Q2M9XA. */
export function newOrderNumber(at: Date): string {
  const day = new Date(at.getTime() + 8 * 3_600_000).toISOString().slice(0, 10).replace(/-/g, '');
  return `GD${day}${randomBase32(8)}`;
}

/** The text as compared for duplicates: whitespace collapsed, case folded, full-width spaces too. */
export const normaliseText = (s: string): string =>
  s.normalize('NFKC').replace(/\s+/g, ' ').trim().toLowerCase();

/** The content key's input (hashed with the blind-index key by the service). */
export const contentKeyInput = (filer: string, categoryCode: string, text: string): string =>
  createHash('sha256')
    .update(`${filer}\n${categoryCode}\n${normaliseText(text)}`)
    .digest('hex');

/** Local rules (地方规定): 咨询/求助 3 working days, 投诉/建议 13, urgent 1, life safety 2 hours. */
export function defaultLimit(kind: string, urgency: string): { amount: number; unit: string } {
  if (urgency === 'life_safety') return { amount: 2, unit: 'hours' };
  if (urgency === 'urgent') return { amount: 1, unit: 'working_days' };
  return kind === 'consultation' || kind === 'help'
    ? { amount: 3, unit: 'working_days' }
    : { amount: 13, unit: 'working_days' };
}

/** The region and its parents, most specific first (330102 → 330102, 330100, 330000). */
export function regionChain(code: string): string[] {
  const out = [code];
  if (/^\d{6}$/.test(code)) {
    if (code.slice(4) !== '00') out.push(`${code.slice(0, 4)}00`);
    if (code.slice(2) !== '0000') out.push(`${code.slice(0, 2)}0000`);
  }
  return out;
}

/** Every rule the answers break, against the category's attributes, as field errors under /attributes. */
export function attributeProblems(
  defs: readonly CategoryAttribute[],
  given: Record<string, string | string[]> | undefined,
  pointer = '/attributes',
): FieldError[] {
  const answers = given ?? {};
  const errors: FieldError[] = [];
  const known = new Map(defs.map((d) => [d.code, d]));
  for (const key of Object.keys(answers))
    if (!known.has(key))
      errors.push({ pointer: `${pointer}/${key}`, code: 'unknownAttribute', message: `no attribute ${key}` });
  for (const d of defs) {
    const v = answers[d.code];
    const at = `${pointer}/${d.code}`;
    if (v === undefined || v === '' || (Array.isArray(v) && !v.length)) {
      if (d.required) errors.push({ pointer: at, code: 'isNotEmpty', message: `${d.code} is required` });
      continue;
    }
    const list = Array.isArray(v) ? v : [v];
    if (d.datatype !== 'multivaluelist' && Array.isArray(v))
      errors.push({ pointer: at, code: 'isString', message: `${d.code} takes one value` });
    else if (list.some((x) => typeof x !== 'string' || x.length > 2000))
      errors.push({
        pointer: at,
        code: 'isString',
        message: `${d.code} must be text of at most 2000 characters`,
      });
    else if (d.datatype === 'number' && !/^-?\d+(\.\d+)?$/.test(list[0]))
      errors.push({ pointer: at, code: 'isNumber', message: `${d.code} must be a number` });
    else if (d.datatype === 'datetime' && Number.isNaN(Date.parse(list[0])))
      errors.push({ pointer: at, code: 'isDateString', message: `${d.code} must be a date and time` });
    else if (
      (d.datatype === 'singlevaluelist' || d.datatype === 'multivaluelist') &&
      list.some((x) => !d.values.some((o) => o.key === x))
    )
      errors.push({ pointer: at, code: 'isIn', message: `${d.code} must be one of the listed values` });
  }
  return errors;
}

/**
 * How the case reads in Open311 terms after a transition: the effect (or, for the start, the
 * stage) picks the extended status, and a closed case is closed whatever the last step was.
 */
export function extendedStatusOf(effect: string, closed: boolean, satisfaction?: string | null): string {
  if (effect === 'refuse') return 'not_councils_responsibility';
  if (effect === 'merge') return 'duplicate';
  if (closed) return effect === 'close' && satisfaction === 'dissatisfied' ? 'no_further_action' : 'closed';
  switch (effect) {
    case 'dispatch':
      return 'action_scheduled';
    case 'sign':
    case 'opinion':
    case 'request_extension':
    case 'grant_extension':
    case 'deny_extension':
      return 'in_progress';
    case 'return_to_dispatcher':
      return 'internal_referral';
    case 'reply':
      return 'fixed';
    case 'callback':
      return 'investigating';
    case 'reopen':
      return 'reopen';
    default:
      return 'open';
  }
}

const t = (zh: string, en: string) => ({ 'zh-CN': zh, en });

/**
 * The default procedure of a category (国办发〔2020〕53号): 受理/派单 at the dispatch centre (or
 * 不予受理, or merged into another order) → 签收 or 退单 (two returns, then arbitration above) →
 * 办理 with 协办 opinions and extensions → 答复 → 回访 by the dispatch centre → 办结, or on
 * dissatisfaction a review: 重办 with the same history, or close. No clock limit of its own: the
 * case type answers it per category, urgency and region. `units`: where the dispatch centre may
 * send orders (absent: any unit below it).
 */
export function defaultWorkflow(units?: string[]): WorkflowSpec {
  const handle = { permission: 'case:handle', unit: 'handling' } as WorkflowSpec['stages'][0]['assignee'];
  const dispatcher = { ...handle, unit: 'dispatcher' as const };
  return {
    start: 'intake',
    clock: { supplementNoticeWithin: 5, yellowWithin: 1, escalateOverdue: true },
    stages: [
      {
        key: 'intake',
        title: t('受理派单', 'Intake and dispatch'),
        assignee: handle,
        actions: [
          {
            key: 'dispatch',
            effect: 'dispatch',
            title: t('派单', 'Dispatch'),
            to: 'handling',
            signWithin: { amount: 1, unit: 'working_days' as never },
            ...(units?.length && { units }),
          },
          { key: 'refuse', effect: 'refuse', title: t('不予受理', 'Not our responsibility') },
          { key: 'merge', effect: 'close', title: t('合并办理', 'Merged as duplicate'), to: 'done' },
        ],
      },
      {
        key: 'handling',
        title: t('办理', 'Handling'),
        assignee: handle,
        actions: [
          { key: 'sign', effect: 'sign', title: t('签收', 'Sign') },
          { key: 'return', effect: 'return_to_dispatcher', title: t('退单', 'Return'), maxReturns: 2 },
          { key: 'opinion', effect: 'opinion', title: t('协办意见', 'Co-handling opinion') },
          { key: 'reply', effect: 'reply', title: t('答复', 'Reply'), to: 'callback' },
          {
            key: 'request_extension',
            effect: 'request_extension',
            title: t('申请延期', 'Request extension'),
          },
          { key: 'grant_extension', effect: 'grant_extension', title: t('批准延期', 'Grant extension') },
          { key: 'deny_extension', effect: 'deny_extension', title: t('不予延期', 'Deny extension') },
        ],
      },
      {
        key: 'callback',
        title: t('回访', 'Callback'),
        assignee: dispatcher,
        actions: [
          {
            key: 'callback',
            effect: 'callback',
            title: t('回访', 'Callback'),
            to: 'done',
            dissatisfiedTo: 'review',
          },
        ],
      },
      {
        key: 'review',
        title: t('不满意复核', 'Review of dissatisfaction'),
        assignee: dispatcher,
        actions: [
          { key: 'reopen', effect: 'reopen', title: t('重办', 'Reopen'), to: 'handling' },
          { key: 'close', effect: 'close', title: t('办结', 'Close'), to: 'done' },
        ],
      },
      { key: 'done', title: t('办结', 'Closed'), assignee: handle, final: true, actions: [] },
    ],
  };
}

const ATTRIBUTE_CODE_RE = /^[a-z][a-z0-9_]{0,63}$/;
const DATATYPES = new Set(['string', 'number', 'datetime', 'text', 'singlevaluelist', 'multivaluelist']);
const isTexts = (v: unknown, max: number): boolean =>
  !!v &&
  typeof v === 'object' &&
  typeof (v as Record<string, unknown>)['zh-CN'] === 'string' &&
  typeof (v as Record<string, unknown>).en === 'string' &&
  [(v as Record<string, string>)['zh-CN'], (v as Record<string, string>).en].every(
    (s) => s.length >= 1 && s.length <= max,
  ) &&
  Object.keys(v).length === 2;

/** The rules a category's attribute definitions must meet (what an administrator posts). */
export function attributeDefinitionProblems(defs: unknown, pointer = '/attributes'): FieldError[] {
  if (!Array.isArray(defs) || defs.length > 30)
    return [{ pointer, code: 'isArray', message: 'attributes must be a list of at most 30 definitions' }];
  const errors: FieldError[] = [];
  const seen = new Set<string>();
  defs.forEach((d: Record<string, unknown>, i) => {
    const at = `${pointer}/${i}`;
    const values = d?.values;
    const list = d?.datatype === 'singlevaluelist' || d?.datatype === 'multivaluelist';
    const problem =
      !d || typeof d !== 'object' || Array.isArray(d)
        ? 'must be an object'
        : Object.keys(d).some(
              (k) => !['code', 'datatype', 'required', 'order', 'description', 'values'].includes(k),
            )
          ? 'has an unknown property'
          : typeof d.code !== 'string' || !ATTRIBUTE_CODE_RE.test(d.code) || seen.has(d.code)
            ? 'needs a unique code of lower-case letters, digits and _'
            : !DATATYPES.has(d.datatype as string)
              ? 'has an unknown datatype'
              : typeof d.required !== 'boolean' || !Number.isInteger(d.order)
                ? 'needs required (boolean) and order (integer)'
                : !isTexts(d.description, 500)
                  ? 'needs a description in zh-CN and en'
                  : !Array.isArray(values) ||
                      values.length > 100 ||
                      (list && !values.length) ||
                      (!list && values.length) ||
                      values.some(
                        (v: Record<string, unknown>) =>
                          typeof v?.key !== 'string' ||
                          !/^[A-Za-z0-9_.-]{1,64}$/.test(v.key) ||
                          !isTexts(v.name, 200),
                      )
                    ? 'needs values (key, name in zh-CN and en) exactly for list datatypes'
                    : null;
    if (typeof d?.code === 'string') seen.add(d.code);
    if (problem)
      errors.push({ pointer: at, code: 'attributeDefinition', message: `attribute ${i} ${problem}` });
  });
  return errors;
}
