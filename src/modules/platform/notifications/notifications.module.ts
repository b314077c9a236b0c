import { Inject, Module, OnApplicationShutdown, Optional } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../../../config/config';
import { InboxService } from './inbox.service';
import { NotificationsController } from './notifications.controller';
import { NotificationsResolver } from './notifications.resolver';
import { NotificationsService } from './notifications.service';
import { SmtpTransport } from './smtp-transport';
import {
  ChannelRouter,
  LogSmsProvider,
  LogTransport,
  NOTIFICATION_TRANSPORT,
  NotificationTransport,
} from './transport';

/**
 * The outbox and its delivery job, the in-app inbox and channel preferences. NOTIFY_TRANSPORT picks
 * the sender: `smtp` sends e-mail through SMTP_URL (SMS through the dev log provider outside
 * production, until an SMS gateway adapter is bound), `log` logs everything (development), `none`
 * leaves messages queued for a provider adapter.
 */
@Module({
  controllers: [NotificationsController],
  providers: [
    NotificationsService,
    InboxService,
    NotificationsResolver,
    {
      provide: NOTIFICATION_TRANSPORT,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig): NotificationTransport | null => {
        if (config.notifyTransport === 'log') return new LogTransport();
        if (config.notifyTransport === 'smtp' && config.smtp)
          return new ChannelRouter(
            new SmtpTransport(config.smtp),
            config.env === 'production' ? null : new LogSmsProvider(),
          );
        return null;
      },
    },
  ],
  exports: [NotificationsService],
})
export class NotificationsModule implements OnApplicationShutdown {
  constructor(
    @Optional() @Inject(NOTIFICATION_TRANSPORT) private readonly transport: NotificationTransport | null,
  ) {}

  /** Closes pooled SMTP connections so the process can exit. */
  onApplicationShutdown(): void {
    this.transport?.close?.();
  }
}
