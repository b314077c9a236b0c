import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * Failed sign-in attempts counted under one key: a login name, a source address, or the pair.
 * The key is a keyed hash, so the table holds neither login names nor addresses. Rows for logins
 * that name no account look exactly like the others, which is what keeps them indistinguishable.
 */
@Entity('login_throttle')
export class LoginThrottleEntry {
  /** HMAC-SHA256 (blind-index key) of `<kind>:<value>`, hex */
  @PrimaryColumn({ type: 'varchar', length: 64 })
  key: string;

  /** failures since the count last decayed to zero */
  @Column({ type: 'int', default: 0 })
  failures: number;

  @Index()
  @Column({ type: 'timestamptz', nullable: true })
  lastFailureAt: Date | null;

  /** no attempt under this key is taken before then */
  @Column({ type: 'timestamptz', nullable: true })
  nextAttemptAt: Date | null;
}
