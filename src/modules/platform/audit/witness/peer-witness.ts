// Another OneWindow instance (another agency's, say) as witness: POST <peer>/v1/audit/witness with the
// checkpoint and a consistency proof from the size the peer last witnessed (C2SP tlog-witness, in
// JSON). The peer checks our signature and the proof, keeps the checkpoint and cosigns it; it answers
// 409 with X-Witness-Size when it holds a different size than we assumed, and we retry once from there.

import type { Checkpoint } from '../checkpoint';
import { CheckpointWitness, ProofSource, WitnessRefused } from './checkpoint-witness';

const TIMEOUT_MS = 10_000;

export class PeerWitness implements CheckpointWitness {
  readonly name: string;
  /** the size we believe the peer last witnessed (learned from its 409 answers) */
  private oldSize = 0;
  /** the peer's cosigned note of our newest checkpoint */
  cosigned: string | null = null;

  constructor(private readonly baseUrl: string) {
    this.name = `peer ${baseUrl}`;
  }

  async add(note: string, checkpoint: Checkpoint, proof: ProofSource): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const oldSize = Math.min(this.oldSize, checkpoint.size);
      const hashes = await proof(oldSize, checkpoint.size);
      const res = await fetch(`${this.baseUrl}/v1/audit/witness`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify({ oldSize, proof: hashes.map((h) => h.toString('base64')), checkpoint: note }),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
      const body = (await res.json().catch(() => ({}))) as { checkpoint?: string; detail?: string };
      if (res.ok) {
        this.oldSize = checkpoint.size;
        this.cosigned = body.checkpoint ?? null;
        return;
      }
      const known = Number(res.headers.get('x-witness-size'));
      // The peer holds another size: retry once with a proof from it (unless it is ahead of us: a rollback).
      if (res.status === 409 && attempt === 0 && Number.isSafeInteger(known) && known !== oldSize) {
        this.oldSize = known;
        if (known <= checkpoint.size) continue;
      }
      const why = `${res.status} ${body.detail ?? res.statusText}`;
      if (res.status === 409) throw new WitnessRefused(why);
      throw new Error(`${this.name} answered ${why}`);
    }
  }
}
