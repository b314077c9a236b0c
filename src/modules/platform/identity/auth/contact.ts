import { DomainError } from '../../../../api/errors/domain-error';
import { ErrorCode } from '../../../../api/errors/error-code';
import { NotificationChannel } from '../../notifications/notification.entity';

/** Mainland mobiles with an optional +86/86 prefix, or any E.164 number. */
export const PHONE_PATTERN = /^(?:(?:\+?86[- ]?)?1[3-9]\d{9}|\+[1-9]\d{6,14})$/;

/** A verified way to reach an account: the column it is stored in and the channel codes go through. */
export interface Contact {
  field: 'phone' | 'email';
  value: string;
  channel: NotificationChannel;
}

/** Mainland mobiles are stored as 11 digits (no +86), other numbers as E.164 with the plus. */
export function normalisePhone(raw: string): string {
  const s = raw.replace(/[\s-]/g, '');
  const mainland = /^(?:\+?86)?(1[3-9]\d{9})$/.exec(s);
  return mainland ? mainland[1] : s;
}

export function normaliseEmail(raw: string): string {
  return raw.trim().toLowerCase();
}

/** Exactly one of phone and e-mail, normalised; both or neither is a 400 naming the fields. */
export function contactOf(input: { phone?: string; email?: string }): Contact {
  const hasPhone = input.phone != null;
  const hasEmail = input.email != null;
  if (hasPhone === hasEmail) {
    const message = 'give exactly one of phone or email';
    throw new DomainError(ErrorCode.ValidationFailed, { count: 2 }, [
      { pointer: '/phone', code: 'exactlyOneContact', message },
      { pointer: '/email', code: 'exactlyOneContact', message },
    ]);
  }
  return hasPhone
    ? { field: 'phone', value: normalisePhone(input.phone!), channel: NotificationChannel.Sms }
    : { field: 'email', value: normaliseEmail(input.email!), channel: NotificationChannel.Email };
}

/** What a login string names: an e-mail address, a phone number, or else a staff username. */
export function parseLogin(login: string): { field: 'phone' | 'email' | 'username'; value: string } {
  const trimmed = login.trim();
  if (trimmed.includes('@')) return { field: 'email', value: normaliseEmail(trimmed) };
  if (PHONE_PATTERN.test(trimmed.replace(/[\s-]/g, '')))
    return { field: 'phone', value: normalisePhone(trimmed) };
  return { field: 'username', value: trimmed };
}
