import type { DeliveryStatus } from './domain-event.entity';

/** After a failed attempt: retried (pending, after a backoff) until max attempts, then dead. */
export function nextAfterFailure(
  attempts: number,
  maxAttempts: number,
): Extract<DeliveryStatus, 'pending' | 'dead'> {
  return attempts >= maxAttempts ? 'dead' : 'pending';
}

/** A delivery, as far as ordering is concerned. */
export interface OrderedDelivery {
  subscriber: string;
  aggregate: string;
  sequence: number;
  status: DeliveryStatus;
}

/**
 * The rule CLAIM_SQL applies, in plain code (and unit-tested): a delivery may run only when every
 * earlier event of its aggregate has been handled by the same subscriber. A dead earlier event
 * holds the later ones back until an operator replays it.
 */
export function mayRun(d: OrderedDelivery, all: readonly OrderedDelivery[]): boolean {
  return !all.some(
    (e) =>
      e.subscriber === d.subscriber &&
      e.aggregate === d.aggregate &&
      e.sequence < d.sequence &&
      e.status !== 'done',
  );
}
