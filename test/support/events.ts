import type { INestApplication } from '@nestjs/common';
import { EventDeliveryWorker } from '../../src/modules/platform/events/event-delivery.worker';

/**
 * Runs durable event delivery until nothing is due for any subscriber, so what subscribers write
 * (the applicant's inbox, notification outbox rows) can be read right after an action. Tests run
 * with JOBS_ENABLED off: nothing is delivered unless a test asks. Returns how many were delivered.
 */
export function drained(app: INestApplication, now?: Date): Promise<number> {
  return app.get(EventDeliveryWorker, { strict: false }).drain(now);
}
