import { Check, Column, Entity, Index, PrimaryColumn } from 'typeorm';

export type IdempotencyStatus = 'processing' | 'done';

/**
 * One Idempotency-Key of one caller: claimed ('processing') before the handler runs, then the
 * response the handler produced ('done'), replayed to retries until expires_at. The primary key
 * (scope, key) is what the claim's ON CONFLICT relies on.
 */
@Entity('idempotency_key')
@Check('idempotency_key_status_ck', `"status" IN ('processing', 'done')`)
@Index('idempotency_key_expires_idx', ['expiresAt'])
export class IdempotencyRecord {
  /** the caller: `<actor kind>:<actor id>`, or `ip:<address>` for anonymous callers */
  @PrimaryColumn({ type: 'varchar', length: 200 })
  scope: string;

  @PrimaryColumn({ type: 'varchar', length: 255 })
  key: string;

  @Column({ type: 'varchar', length: 16 })
  status: IdempotencyStatus;

  /** sha256 (hex) of method, path and canonical JSON body */
  @Column({ type: 'varchar', length: 64 })
  requestHash: string;

  @Column({ type: 'smallint', nullable: true })
  responseStatus: number | null;

  @Column({ type: 'jsonb', nullable: true })
  responseBody: unknown;

  @Column({ type: 'varchar', length: 2048, nullable: true })
  location: string | null;

  /** while processing: after this instant the claim is presumed abandoned and may be taken over */
  @Column({ type: 'timestamptz', nullable: true })
  lockedUntil: Date | null;

  /** after this instant the record is ignored (and pruned) */
  @Column({ type: 'timestamptz' })
  expiresAt: Date;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;
}
