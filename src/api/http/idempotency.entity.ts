import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * The answer of one request made under one Idempotency-Key of one caller, replayed to retries
 * until expires_at. Written in the same transaction as the request's effect, so a record exists
 * exactly when the effect committed (no "in progress" rows). The primary key (scope, key) keeps
 * one answer per key.
 */
@Entity('idempotency_key')
@Index('idempotency_key_expires_idx', ['expiresAt'])
export class IdempotencyRecord {
  /** the caller: `<actor kind>:<actor id>`, or `ip:<address>` for anonymous callers */
  @PrimaryColumn({ type: 'varchar', length: 200 })
  scope: string;

  @PrimaryColumn({ type: 'varchar', length: 255 })
  key: string;

  /** sha256 (hex) of method, path and canonical JSON body (for uploads: of the bytes' sha256) */
  @Column({ type: 'varchar', length: 64 })
  requestHash: string;

  @Column({ type: 'smallint' })
  responseStatus: number;

  /**
   * The JSON body sealed with FIELD_KEYS (a FieldCipher envelope bound to scope and key): answers
   * may carry personal data. Null for an empty body.
   */
  @Column({ type: 'text', nullable: true })
  responseBody: string | null;

  /** the FIELD_KEYS key id that sealed responseBody, so a rotation finds what to re-seal */
  @Column({ type: 'varchar', length: 64, nullable: true })
  cipherKeyId: string | null;

  @Column({ type: 'varchar', length: 2048, nullable: true })
  location: string | null;

  /** after this instant the record is ignored (and pruned) */
  @Column({ type: 'timestamptz' })
  expiresAt: Date;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;
}
