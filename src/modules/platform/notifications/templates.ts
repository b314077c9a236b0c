import type { Language } from '../../../api/context/request-context';

export type TemplateChannel = 'email' | 'sms' | 'inapp';
type Text = { subject?: string; body: string };
type PerLanguage = { 'zh-CN': Text } & Partial<Record<Language, Text>>;

export interface Template {
  /** params that must not outlive delivery (blanked in the outbox once sent) */
  secret: string[];
  /**
   * Texts per channel and language. `default` serves every channel without its own text; zh-CN is
   * required (the fallback language), `{name}` is filled from the params.
   */
  channels: { default: PerLanguage } & Partial<Record<TemplateChannel, PerLanguage>>;
}

/** Message texts per template, channel and language: data, so a new notice is one entry here. */
export const TEMPLATES = {
  'auth.verify-contact': {
    secret: ['code'],
    channels: {
      default: {
        'zh-CN': {
          subject: '注册验证码',
          body: '您的 OneWindow 注册验证码为 {code}，{minutes} 分钟内有效。请勿将验证码告诉他人。',
        },
        en: {
          subject: 'Your verification code',
          body: 'Your OneWindow verification code is {code}. It expires in {minutes} minutes. Never share it.',
        },
      },
    },
  },
  'auth.password-reset': {
    secret: ['code'],
    channels: {
      default: {
        'zh-CN': {
          subject: '重置密码验证码',
          body: '您正在重置 OneWindow 密码，验证码为 {code}，{minutes} 分钟内有效。如非本人操作，请忽略本消息。',
        },
        en: {
          subject: 'Password reset code',
          body: 'Your OneWindow password reset code is {code}. It expires in {minutes} minutes. If you did not ask for it, ignore this message.',
        },
      },
    },
  },
  'auth.account-exists': {
    secret: [],
    channels: {
      default: {
        'zh-CN': {
          subject: '注册提醒',
          body: '有人尝试用此联系方式注册 OneWindow 账号，但该联系方式已注册。如是您本人，请直接登录或找回密码。',
        },
        en: {
          subject: 'Registration attempt',
          body: 'Someone tried to register a OneWindow account with this contact, which already has one. If it was you, sign in or reset your password.',
        },
      },
    },
  },
  'application.status_changed': {
    secret: [],
    channels: {
      default: {
        'zh-CN': {
          subject: '办件状态更新：{serviceName}',
          body: '您的办件「{serviceName}」（受理编号 {reference}）状态已更新为：{status}。',
        },
        en: {
          subject: 'Application update: {serviceName}',
          body: 'Your application "{serviceName}" (reference {reference}) is now: {status}.',
        },
      },
      sms: {
        'zh-CN': { body: '【OneWindow】您的办件 {reference} 状态已更新为：{status}。' },
        en: { body: 'OneWindow: your application {reference} is now: {status}.' },
      },
    },
  },
  'application.supplement_requested': {
    secret: [],
    channels: {
      default: {
        'zh-CN': {
          subject: '请补正材料：{serviceName}',
          body: '您的办件「{serviceName}」（受理编号 {reference}）需要补正材料：{reason}。请在 {deadline} 前一次性提交。',
        },
        en: {
          subject: 'Documents needed: {serviceName}',
          body: 'Your application "{serviceName}" (reference {reference}) needs more documents: {reason}. Please submit them all by {deadline}.',
        },
      },
      sms: {
        'zh-CN': { body: '【OneWindow】您的办件 {reference} 需要补正材料，请在 {deadline} 前登录提交。' },
        en: { body: 'OneWindow: application {reference} needs more documents; submit them by {deadline}.' },
      },
    },
  },
  'application.supplement_notice': {
    secret: [],
    channels: {
      default: {
        'zh-CN': {
          subject: '请补正材料：{serviceName}',
          body: '您的办件「{serviceName}」（申请编号 {reference}）需要一次性补正：{items}。请登录后在办件详情中一次提交全部补正内容。',
        },
        en: {
          subject: 'More needed: {serviceName}',
          body: 'Your application "{serviceName}" (number {reference}) needs the following, all at once: {items}. Sign in and supply them from the application page.',
        },
      },
    },
  },
  'case.task_reminder': {
    secret: [],
    channels: {
      default: {
        'zh-CN': {
          subject: '办件即将到期：{number}',
          body: '您待办的办件 {number}（环节：{stage}）将于 {dueAt} 到期，请及时办理。',
        },
        en: {
          subject: 'Case due soon: {number}',
          body: 'Case {number} (step: {stage}) waiting for you is due at {dueAt}. Please handle it in time.',
        },
      },
    },
  },
  'case.overdue_escalation': {
    secret: [],
    channels: {
      default: {
        'zh-CN': {
          subject: '办件超期督办：{number}',
          body: '办件 {number}（环节：{stage}）已超过办理时限（{dueAt}），请督促办理。',
        },
        en: {
          subject: 'Overdue case: {number}',
          body: 'Case {number} (step: {stage}) passed its time limit ({dueAt}). Please follow it up.',
        },
      },
    },
  },
  'licence.issued': {
    secret: [],
    channels: {
      default: {
        'zh-CN': {
          subject: '电子证照已签发：{licenceName}',
          body: '您的电子证照「{licenceName}」已签发，证照编号 {licenceNumber}，核验码 {verificationCode}。',
        },
        en: {
          subject: 'E-licence issued: {licenceName}',
          body: 'Your e-licence "{licenceName}" has been issued: number {licenceNumber}, verification code {verificationCode}.',
        },
      },
    },
  },
  'task.assigned': {
    secret: [],
    channels: {
      default: {
        'zh-CN': {
          subject: '新的待办任务：{caseNumber}',
          body: '{by} 将办件 {caseNumber}（环节：{stage}）的任务交给您办理，请在待办中查看。',
        },
        en: {
          subject: 'New task: {caseNumber}',
          body: '{by} has given you the task of case {caseNumber} (stage: {stage}). See it in your work queue.',
        },
      },
    },
  },
} satisfies Record<string, Template>;

declare const declared: unique symbol;
/** A template a module registered with declareTemplates (a plain string at run time). */
export type DeclaredTemplate = string & { readonly [declared]: true };
export type TemplateName = keyof typeof TEMPLATES | DeclaredTemplate;
export type TemplateParams = Record<string, string | number>;

/** Templates modules declared (declareTemplates), beside the platform's own table above. */
const declaredTemplates = new Map<string, Template>();

/**
 * A module's notification templates, declared where the module lives: `const T =
 * declareTemplates({ Booked: ['room.booked', { secret: [], channels: { default: { 'zh-CN': ... } } }] })`,
 * then `notifications.enqueue(ctx, T.Booked, ...)`. A name may not shadow another template.
 */
export function declareTemplates<K extends string>(
  list: Record<K, readonly [name: string, template: Template]>,
): Record<K, DeclaredTemplate> {
  const names = {} as Record<K, DeclaredTemplate>;
  for (const [key, [name, template]] of Object.entries<readonly [string, Template]>(list)) {
    if (
      Object.hasOwn(TEMPLATES, name) ||
      (declaredTemplates.has(name) && declaredTemplates.get(name) !== template)
    )
      throw new Error(`notification template ${name} is declared twice`);
    if (!template.channels.default['zh-CN'])
      throw new Error(`notification template ${name} needs a zh-CN text`);
    declaredTemplates.set(name, template);
    names[key as K] = name as DeclaredTemplate;
  }
  return names;
}

function templateOf(name: TemplateName): Template {
  return Object.hasOwn(TEMPLATES, name)
    ? TEMPLATES[name as keyof typeof TEMPLATES]
    : declaredTemplates.get(name)!;
}

export function isTemplateName(name: string): name is TemplateName {
  return Object.prototype.hasOwnProperty.call(TEMPLATES, name) || declaredTemplates.has(name);
}

export interface Rendered {
  subject: string;
  text: string;
}

/**
 * The text of a template for a channel in a language, falling back to the template's default
 * channel and to zh-CN. A missing param renders empty rather than as `{name}`.
 */
export function renderTemplate(
  name: TemplateName,
  language: Language,
  params: TemplateParams,
  channel: TemplateChannel = 'email',
): Rendered {
  const template = templateOf(name);
  const texts = template.channels[channel] ?? template.channels.default;
  const t = texts[language] ?? texts['zh-CN'];
  const subject =
    t.subject ?? (template.channels.default[language] ?? template.channels.default['zh-CN']).subject ?? '';
  return { subject: fill(subject, params), text: fill(t.body, params) };
}

function fill(s: string, params: TemplateParams): string {
  return s.replace(/\{(\w+)\}/g, (_, k: string) => (Object.hasOwn(params, k) ? String(params[k]) : ''));
}

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]);
}

/** A minimal HTML part for e-mail: the rendered text escaped (params may carry user input), lines kept. */
export function toHtml(rendered: Rendered, language: Language): string {
  const paragraphs = rendered.text
    .split(/\n{2,}/)
    .map((p) => `<p>${escapeHtml(p).replace(/\n/g, '<br>')}</p>`)
    .join('\n');
  return `<!doctype html>\n<html lang="${language}"><head><meta charset="utf-8"><title>${escapeHtml(rendered.subject)}</title></head>\n<body>\n${paragraphs}\n</body></html>\n`;
}

export function secretParamsOf(name: TemplateName): string[] {
  return templateOf(name).secret;
}
