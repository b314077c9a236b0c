import type { Language } from '../../../api/context/request-context';

interface Template {
  /** params that must not outlive delivery (blanked in the outbox once sent) */
  secret: string[];
  text: Record<Language, { subject: string; body: string }>;
}

/** Message texts per template and language; `{name}` is filled from the outbox row's params. */
export const TEMPLATES = {
  'auth.verify-contact': {
    secret: ['code'],
    text: {
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
  'auth.password-reset': {
    secret: ['code'],
    text: {
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
  'auth.account-exists': {
    secret: [],
    text: {
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
} satisfies Record<string, Template>;

export type TemplateName = keyof typeof TEMPLATES;

export function isTemplateName(name: string): name is TemplateName {
  return Object.prototype.hasOwnProperty.call(TEMPLATES, name);
}

export function renderTemplate(
  name: TemplateName,
  language: Language,
  params: Record<string, string | number>,
): { subject: string; text: string } {
  const template: Template = TEMPLATES[name];
  const t = template.text[language] ?? template.text['zh-CN'];
  const fill = (s: string) => s.replace(/\{(\w+)\}/g, (_, k: string) => String(params[k] ?? ''));
  return { subject: fill(t.subject), text: fill(t.body) };
}

export function secretParamsOf(name: TemplateName): string[] {
  const template: Template = TEMPLATES[name];
  return template.secret;
}
