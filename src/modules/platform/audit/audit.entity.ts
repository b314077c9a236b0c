import { Column, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn, ValueTransformer } from 'typeorm';
import type { AuditLeafFields } from './audit-leaf-hash';

/** bigint columns as JS numbers: sequence numbers and tree sizes stay far below 2^53. */
const bigintNumber: ValueTransformer = {
  to: (v: number | null | undefined) => v,
  from: (v: string | null) => {
    if (v === null) return null;
    const n = Number(v);
    if (!Number.isSafeInteger(n)) throw new RangeError(`bigint ${v} exceeds the safe integer range`);
    return n;
  },
};

/**
 * One entry of the append-only, Merkle-hashed audit log (leaf `seq` of the RFC 6962 tree). Written
 * in the business transaction it records; holds ids, codes and a stated purpose, never personal data
 * (no names, phone numbers or ID numbers: a subject is named by its account uuid).
 * No foreign keys, here or on the other audit tables: the log outlives what it names (a deleted
 * row's history must stay), its rows are hashed as written, and resource ids are polymorphic.
 */
@Entity('audit_leaf')
@Index('audit_leaf_subject_idx', ['subjectId', 'seq'])
export class AuditLeaf {
  /** dense 0, 1, 2 … assigned under the sequencer's advisory lock: the Merkle leaf index */
  @PrimaryColumn({ type: 'bigint', transformer: bigintNumber })
  seq: number;

  @Column({ type: 'timestamptz' })
  at: Date;

  /** citizen, staff, client, apikey, system or anonymous */
  @Column({ type: 'varchar', length: 16 })
  actorKind: string;

  /** account, client or key id (a job or CLI name for system actors) */
  @Column({ type: 'varchar', length: 100, nullable: true })
  actorId: string | null;

  /** delegations: the colleague whose role was exercised */
  @Column({ type: 'varchar', length: 100, nullable: true })
  onBehalfOf: string | null;

  /** the acting agency or unit */
  @Column({ type: 'uuid', nullable: true })
  organisationId: string | null;

  /** e.g. organisation.create, account.read */
  @Column({ type: 'varchar', length: 100 })
  action: string;

  @Column({ type: 'varchar', length: 50 })
  resourceType: string;

  @Column({ type: 'varchar', length: 100, nullable: true })
  resourceId: string | null;

  /** the account whose personal data was read or changed */
  @Column({ type: 'uuid', nullable: true })
  subjectId: string | null;

  /** the stated reason, shown to the data subject */
  @Column({ type: 'varchar', length: 200, nullable: true })
  purpose: string | null;

  @Column({ type: 'varchar', length: 200, nullable: true })
  legalBasis: string | null;

  @Column({ type: 'varchar', length: 32, nullable: true })
  channel: string | null;

  /** X-Request-Id (≤ 128) or a system context's id */
  @Column({ type: 'varchar', length: 160, nullable: true })
  requestId: string | null;

  /** lawful covert access: hidden from the data subject until then (an embargo, never a deletion) */
  @Column({ type: 'timestamptz', nullable: true })
  hiddenUntil: Date | null;

  /** SHA-256(0x00 || canonical JSON of every other column) */
  @Column({ type: 'bytea' })
  leafHash: Buffer;
}

/** A queued leaf's fields as stored in jsonb (dates as ISO strings). */
export type QueuedLeafFields = Omit<AuditLeafFields, 'seq' | 'at' | 'hiddenUntil'> & {
  hiddenUntil: string | null;
};

/**
 * A leaf written by a business transaction that found the sequencer busy (Trillian's queue): it
 * commits with the change it records and is given its sequence number by the next batch, which
 * moves it to audit_leaf. Not append-only guarded: rows leave it by design, within milliseconds.
 */
@Entity('audit_queue')
export class AuditQueued {
  /** arrival order; the batch sequences in this order */
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  /** when the recorded change happened (its transaction's end), kept as the leaf's `at` */
  @Column({ type: 'timestamptz' })
  at: Date;

  @Column({ type: 'jsonb' })
  fields: QueuedLeafFields;
}

/** A signed tree head: a C2SP checkpoint over leaves [0, size). */
@Entity('audit_tree_head')
export class AuditTreeHead {
  @PrimaryColumn({ type: 'bigint', transformer: bigintNumber })
  size: number;

  @Column({ type: 'bytea' })
  rootHash: Buffer;

  @Column({ type: 'timestamptz' })
  at: Date;

  /** the signed note (checkpoint body, blank line, signature lines) as published */
  @Column({ type: 'text' })
  note: string;

  @Column({ type: 'varchar', length: 200 })
  keyName: string;

  /**
   * Roots of the perfect subtrees covering [0, size), largest first, concatenated (a compact range),
   * so the next checkpoint only hashes the leaves appended since. A cache: the verifier ignores it.
   */
  @Column({ type: 'bytea' })
  subtreeRoots: Buffer;
}

/**
 * Cached roots of perfect subtrees [idx·2^level, (idx+1)·2^level) for level ≥ NODE_MIN_LEVEL, filled
 * when checkpoints are made, so proofs read O(log n) rows instead of every leaf hash. Derived data:
 * proofs are checked by clients against signed roots, and the verifier rebuilds from leaves.
 */
@Entity('audit_node')
export class AuditNode {
  @PrimaryColumn({ type: 'smallint' })
  level: number;

  @PrimaryColumn({ type: 'bigint', transformer: bigintNumber })
  idx: number;

  @Column({ type: 'bytea' })
  hash: Buffer;
}

/**
 * A checkpoint this instance witnessed for another OneWindow log (POST /v1/audit/witness): the
 * origin's signed note with this instance's cosignature. Insert-only (guarded like the log itself);
 * the newest row per origin is what a later checkpoint from that origin must be consistent with.
 */
@Entity('audit_witnessed')
export class AuditWitnessed {
  /** the log's origin line (also its key name) */
  @PrimaryColumn({ type: 'varchar', length: 200 })
  origin: string;

  @PrimaryColumn({ type: 'bigint', transformer: bigintNumber })
  size: number;

  @Column({ type: 'bytea' })
  rootHash: Buffer;

  /** the submitted note with this instance's signature appended */
  @Column({ type: 'text' })
  note: string;

  @Column({ type: 'timestamptz' })
  at: Date;
}
