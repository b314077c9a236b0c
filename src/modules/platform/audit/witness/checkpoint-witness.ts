// What every place that witnesses our checkpoints outside the database has in common. A witness keeps
// the newest checkpoint it has seen and accepts a new one only if it extends that one (C2SP
// tlog-witness): larger or equal size, and a consistency proof from the old tree to the new. So once a
// checkpoint is witnessed, a database that was truncated or rolled back can no longer get a
// checkpoint witnessed, and `npm run audit:verify` finds it short of the witnessed one.

import type { Checkpoint } from '../checkpoint';
import { verifyConsistency } from '../merkle';

/** Consistency proof (RFC 9162) from the tree of size `from` to the tree of size `to`, from the log. */
export type ProofSource = (from: number, to: number) => Promise<Buffer[]>;

/** The witness refuses: the new checkpoint does not extend the one it holds (a rollback or a fork). */
export class WitnessRefused extends Error {}

export interface CheckpointWitness {
  /** where the checkpoints go, for logs and reports: `file data/audit/checkpoints.log`, `s3://…`, … */
  readonly name: string;
  /**
   * Records the signed note of `checkpoint` unless already recorded; throws WitnessRefused when it
   * does not extend the newest checkpoint the witness holds, and other errors when it is unreachable.
   */
  add(note: string, checkpoint: Checkpoint, proof: ProofSource): Promise<void>;
}

/** Why `next` cannot follow `last` in an append-only log, or null when it can. */
export async function refusal(
  last: Checkpoint | null,
  next: Checkpoint,
  proof: ProofSource,
): Promise<string | null> {
  if (!last) return null;
  if (next.size < last.size)
    return `rollback: size ${next.size} is older than the witnessed checkpoint at size ${last.size}`;
  if (next.size === last.size)
    return next.root.equals(last.root) ? null : `fork: a different root at the witnessed size ${next.size}`;
  const hashes = await proof(last.size, next.size);
  return verifyConsistency(last.size, next.size, last.root, next.root, hashes)
    ? null
    : `fork: size ${next.size} does not extend the witnessed checkpoint at size ${last.size}`;
}

/** The checkpoint with the largest tree size, or null. */
export function newest<T extends { checkpoint: Checkpoint }>(entries: readonly T[]): T | null {
  return entries.reduce<T | null>((a, b) => (!a || b.checkpoint.size > a.checkpoint.size ? b : a), null);
}
