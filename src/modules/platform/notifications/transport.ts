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
