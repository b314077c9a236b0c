import type { OnModuleDestroy } from '@nestjs/common';

/** One caller's counter in the current window. */
export interface RateLimitHit {
  /** requests counted in this window, including the one just made */
  count: number;
  /** epoch ms at which the window ends and the counter starts again */
  resetAt: number;
}

/**
 * Where counters live. In memory for one instance; a shared store (Redis INCR + PEXPIRE) makes the
 * quota cluster-wide and only has to implement this one call.
 */
export interface RateLimitStore {
  /** Counts one request for `key` in a fixed window of `windowMs` and returns the window's state. */
  hit(key: string, windowMs: number, now?: number): Promise<RateLimitHit>;
}

export const RATE_LIMIT_STORE = Symbol('RATE_LIMIT_STORE');

export interface MemoryStoreOptions {
  /** most callers tracked at once; past it, expired windows are swept and then the oldest dropped */
  maxKeys?: number;
  /** how often expired windows are swept */
  sweepMs?: number;
}

/**
 * Fixed-window counters in a Map. Bounded: a flood of distinct keys (spoofed IPs behind a loose
 * proxy) evicts the longest-standing windows instead of growing the heap, which at worst resets
 * an old caller's count early rather than refusing everyone.
 */
export class MemoryRateLimitStore implements RateLimitStore, OnModuleDestroy {
  private readonly windows = new Map<string, RateLimitHit>();
  private readonly maxKeys: number;
  private readonly timer: NodeJS.Timeout;

  constructor(options: MemoryStoreOptions = {}) {
    this.maxKeys = options.maxKeys ?? 100_000;
    this.timer = setInterval(() => this.sweep(), options.sweepMs ?? 60_000);
    this.timer.unref();
  }

  hit(key: string, windowMs: number, now = Date.now()): Promise<RateLimitHit> {
    let entry = this.windows.get(key);
    if (!entry || entry.resetAt <= now) {
      // Re-insert so Map order stays "oldest window first" for eviction.
      if (entry) this.windows.delete(key);
      else this.makeRoom(now);
      entry = { count: 0, resetAt: now + windowMs };
      this.windows.set(key, entry);
    }
    entry.count++;
    return Promise.resolve({ count: entry.count, resetAt: entry.resetAt });
  }

  /** Drops every window that has ended; returns how many were dropped. */
  sweep(now = Date.now()): number {
    let dropped = 0;
    for (const [key, entry] of this.windows) {
      if (entry.resetAt <= now) {
        this.windows.delete(key);
        dropped++;
      }
    }
    return dropped;
  }

  get size(): number {
    return this.windows.size;
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
    this.windows.clear();
  }

  private makeRoom(now: number): void {
    if (this.windows.size < this.maxKeys) return;
    this.sweep(now);
    while (this.windows.size >= this.maxKeys) {
      const oldest = this.windows.keys().next().value as string;
      this.windows.delete(oldest);
    }
  }
}
