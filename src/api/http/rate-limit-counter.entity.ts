import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * One caller's fixed-window counter, for RATE_LIMIT_STORE=postgres: the row every instance
 * increments, so the quota is the cluster's, not each instance's. One row per caller (not per
 * window): a hit after reset_at starts the next window in the same row. The table is UNLOGGED
 * (migration 1796100000005): counters are not worth WAL, and losing them on a crash or failover
 * only restarts everyone's window.
 */
@Entity('rate_limit_counter')
export class RateLimitCounter {
  /** callerKey(): `<actor kind>:<actor id>` or `ip:<address or /64>` */
  @PrimaryColumn({ type: 'varchar', length: 200 })
  caller: string;

  /** requests counted in the current window */
  @Column({ type: 'integer' })
  hits: number;

  /** end of the current window (database clock, so instances with skewed clocks agree) */
  @Column({ type: 'timestamptz' })
  resetAt: Date;
}
