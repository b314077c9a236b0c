import { Injectable } from '@nestjs/common';

/** failures per (client address, login) within the window before further attempts are refused */
export const THROTTLE_MAX_FAILURES = 10;
export const THROTTLE_WINDOW_MS = 15 * 60_000;
const MAX_KEYS = 50_000;

/**
 * In-memory brake on password guessing from one address against one login, including logins that
 * name no account (which the per-account lockout cannot see). Per instance; behind several
 * instances the per-account lockout in the database stays the shared limit.
 * Bounded: past MAX_KEYS the oldest windows are dropped, so a flood cannot grow the heap.
 */
@Injectable()
export class LoginThrottle {
  private readonly failures = new Map<string, { count: number; resetAt: number }>();

  /** Seconds to wait before the next attempt is taken, or 0. */
  retryAfter(key: string, now = Date.now()): number {
    const entry = this.failures.get(key);
    if (!entry || entry.resetAt <= now) return 0;
    return entry.count >= THROTTLE_MAX_FAILURES ? Math.max(1, Math.ceil((entry.resetAt - now) / 1000)) : 0;
  }

  fail(key: string, now = Date.now()): void {
    let entry = this.failures.get(key);
    if (!entry || entry.resetAt <= now) {
      this.failures.delete(key);
      if (this.failures.size >= MAX_KEYS) this.evict(now);
      entry = { count: 0, resetAt: now + THROTTLE_WINDOW_MS };
      this.failures.set(key, entry);
    }
    entry.count++;
  }

  reset(key: string): void {
    this.failures.delete(key);
  }

  private evict(now: number): void {
    for (const [k, e] of this.failures) if (e.resetAt <= now) this.failures.delete(k);
    while (this.failures.size >= MAX_KEYS) this.failures.delete(this.failures.keys().next().value as string);
  }
}
