import { createTransport } from 'nodemailer';
import type { SmtpConfig } from '../../../config/config';
import { NotificationChannel } from './notification.entity';
import { NotificationTransport, OutgoingMessage, PermanentDeliveryError } from './transport';

type Mailer = ReturnType<typeof createTransport>;

/**
 * E-mail over SMTP with nodemailer's pooled transport: a few long-lived connections, bounded
 * timeouts so a stuck relay cannot hold a job for minutes, implicit TLS for smtps:// and
 * STARTTLS whenever the server offers it. A 5xx reply is final (mailbox unknown, policy refusal);
 * anything else (4xx, timeouts, refused connections) is retried by the outbox's backoff.
 */
export class SmtpTransport implements NotificationTransport {
  private readonly mailer: Mailer;

  constructor(private readonly config: SmtpConfig) {
    const url = new URL(config.url);
    const secure = url.protocol === 'smtps:';
    this.mailer = createTransport({
      pool: true,
      maxConnections: 5,
      host: url.hostname.replace(/^\[|\]$/g, ''),
      port: url.port ? Number(url.port) : secure ? 465 : 587,
      secure,
      requireTLS: !secure && config.requireTls,
      auth: url.username
        ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) }
        : undefined,
      connectionTimeout: config.timeoutMs,
      greetingTimeout: config.timeoutMs,
      socketTimeout: config.timeoutMs * 3,
      // Certificates are always verified; a relay with a self-signed certificate needs its CA in NODE_EXTRA_CA_CERTS.
      tls: { rejectUnauthorized: true, servername: url.hostname },
    });
  }

  async send(m: OutgoingMessage): Promise<void> {
    if (m.channel !== NotificationChannel.Email)
      throw new PermanentDeliveryError(`SMTP cannot send ${m.channel}`);
    try {
      await this.mailer.sendMail({
        from: this.config.from,
        to: m.recipient,
        subject: m.subject,
        text: m.text,
        html: m.html,
        // The outbox id makes the Message-ID stable across retries, so a relay can spot duplicates.
        messageId: `<${m.id}@${this.config.messageIdDomain}>`,
        headers: { 'Content-Language': m.language },
      });
    } catch (err) {
      const code = (err as { responseCode?: unknown }).responseCode;
      if (typeof code === 'number' && code >= 500 && code < 600)
        throw new PermanentDeliveryError(`SMTP refused the message (${code})`);
      throw err;
    }
  }

  close(): void {
    this.mailer.close();
  }
}
