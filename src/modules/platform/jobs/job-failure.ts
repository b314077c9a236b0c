/** Thrown by a handler when retrying cannot help (e.g. the record it works on is gone): the job ends as `failed`. */
export class PermanentJobError extends Error {
  override name = 'PermanentJobError';
}

export const MAX_RETRY_DELAY_SECONDS = 3600;
const MAX_ERROR_LENGTH = 500;

/**
 * Exponential backoff: 2^attempts seconds (2, 4, 8 …) capped at an hour, plus up to 10 % jitter so
 * jobs that failed together during an outage do not all retry in the same second.
 */
export function retryDelaySeconds(attempts: number, random: () => number = Math.random): number {
  const base = Math.min(2 ** Math.max(1, Math.min(attempts, 30)), MAX_RETRY_DELAY_SECONDS);
  return Math.round(base * (1 + 0.1 * random()));
}

/**
 * What is kept of an error in job.last_error: name and message only (never the stack, never pg's
 * `detail`, which quotes row values), with runs of six or more digits (ids, phones, dates) and e-mail addresses blanked.
 */
export function describeFailure(err: unknown): string {
  const text = err instanceof Error ? `${err.name}: ${err.message}` : `Error: ${String(err)}`;
  const scrubbed = text
    .replace(/\s+/g, ' ')
    .replace(/[\w.+-]+@[\w-]+(\.[\w-]+)+/g, '[email]')
    .replace(/\d(?:[\s-]?\d){5,}[Xx]?/g, '[number]');
  return scrubbed.length > MAX_ERROR_LENGTH ? `${scrubbed.slice(0, MAX_ERROR_LENGTH - 1)}…` : scrubbed;
}
