import { Global, Inject, Module, OnApplicationBootstrap, OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../../../config/config';
import { JobsService } from '../jobs/jobs.service';
import { EventCatalogue } from './event-catalogue';
import { EventDeliveryWorker } from './event-delivery.worker';
import { EventsAdminService } from './events-admin.service';
import { EventsController } from './events.controller';
import { EventsService } from './events.service';

export const EVENTS_PURGE_JOB = 'events.purge';
const DAY_MS = 86_400_000;

/**
 * Global: any module registers its event types in EventCatalogue, publishes with EventsService
 * beside its writes, and subscribes (in-process or durable) from its own code.
 */
@Global()
@Module({
  controllers: [EventsController],
  providers: [EventCatalogue, EventsService, EventDeliveryWorker, EventsAdminService],
  exports: [EventCatalogue, EventsService, EventDeliveryWorker],
})
export class EventsModule implements OnModuleInit, OnApplicationBootstrap {
  constructor(
    private readonly jobs: JobsService,
    private readonly admin: EventsAdminService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    // Daily retention sweep of delivered events; the handler schedules its next run.
    this.jobs.register(EVENTS_PURGE_JOB, async () => {
      await this.admin.purge(this.config.events.retentionDays);
      await this.schedulePurge(new Date(Date.now() + DAY_MS));
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.jobs.enabled) await this.schedulePurge(new Date(Date.now() + 60_000));
  }

  private async schedulePurge(runAt: Date): Promise<void> {
    await this.jobs.enqueue(EVENTS_PURGE_JOB, {}, { runAt, dedupeKey: EVENTS_PURGE_JOB });
  }
}
