import { Module } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../../../config/config';
import { NotificationsService } from './notifications.service';
import { LogTransport, NOTIFICATION_TRANSPORT } from './transport';

/**
 * The outbox and its delivery job. A real provider replaces the NOTIFICATION_TRANSPORT binding;
 * until then NOTIFY_TRANSPORT=log (development) logs messages and =none leaves them queued.
 */
@Module({
  providers: [
    NotificationsService,
    {
      provide: NOTIFICATION_TRANSPORT,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => (config.notifyTransport === 'log' ? new LogTransport() : null),
    },
  ],
  exports: [NotificationsService],
})
export class NotificationsModule {}
