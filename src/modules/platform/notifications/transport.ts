import { Logger } from '@nestjs/common';
import { maskEmail, maskPhone } from '../identity/personal-data/masking';
import { NotificationChannel } from './notification.entity';

/** A rendered message, ready for a provider. */
export interface OutgoingMessage {
  /** outbox row id: providers that deduplicate take it as their idempotency key */
  id: string;
  channel: NotificationChannel;
  recipient: string;
  subject: string;
  text: string;
  /** e-mail only: an HTML alternative of `text`, params escaped */
  html?: string;
  template: string;
  language: string;
}

/**
 * Where messages leave the system. An SMS gateway, an SMTP relay or a mini-program subscription
 * message adapter implements this one call and is bound to NOTIFICATION_TRANSPORT. Throw
 * PermanentDeliveryError for failures retrying cannot fix (an invalid number); anything else is
 * retried with backoff.
 */
export interface NotificationTransport {
  send(message: OutgoingMessage): Promise<void>;
  /** releases pooled connections at shutdown */
  close?(): void;
}

export const NOTIFICATION_TRANSPORT = Symbol('NOTIFICATION_TRANSPORT');

export class PermanentDeliveryError extends Error {
  override name = 'PermanentDeliveryError';
}

/**
 * Development transport: writes each message to the log so a developer can read the code they were
 * sent. Config refuses it in production (NOTIFY_TRANSPORT=log would leak one-time codes to logs).
 * The address is masked; the text is not, since reading it is the point.
 */
export class LogTransport implements NotificationTransport {
  private readonly log = new Logger('Notifications');

  send(m: OutgoingMessage): Promise<void> {
    const to =
      m.channel === NotificationChannel.Email
        ? maskEmail(m.recipient)
        : m.channel === NotificationChannel.Sms
          ? maskPhone(m.recipient)
          : m.recipient;
    this.log.log(`[${m.channel}] to ${to}: ${m.subject} | ${m.text}`);
    return Promise.resolve();
  }
}

/**
 * Sends one text message. Providers (an SMS gateway's adapter) implement this; a failure they know
 * to be final (an invalid number) is a PermanentDeliveryError.
 */
export interface SmsProvider {
  send(phone: string, text: string): Promise<void>;
}

/** Development SMS provider: logs the text with the number masked. */
export class LogSmsProvider implements SmsProvider {
  private readonly log = new Logger('Sms');

  send(phone: string, text: string): Promise<void> {
    this.log.log(`[sms] to ${maskPhone(phone)}: ${text}`);
    return Promise.resolve();
  }
}

/**
 * Routes each message to the sender of its channel: e-mail to the mail transport (SMTP), SMS to
 * the SMS provider. A channel with no sender configured is a permanent failure, not a silent drop.
 */
export class ChannelRouter implements NotificationTransport {
  constructor(
    private readonly email: NotificationTransport | null,
    private readonly sms: SmsProvider | null,
  ) {}

  async send(m: OutgoingMessage): Promise<void> {
    if (m.channel === NotificationChannel.Email && this.email) return this.email.send(m);
    if (m.channel === NotificationChannel.Sms && this.sms) return this.sms.send(m.recipient, m.text);
    throw new PermanentDeliveryError(`no sender configured for channel ${m.channel}`);
  }

  close(): void {
    this.email?.close?.();
  }
}
