import type { KeyObject } from 'node:crypto';
import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../../../../config/config';
import { Db } from '../../../../database/db';
import { AuditTreeHead } from '../audit.entity';
import { Query, rangeHashes } from '../audit-tree';
import { verifyCheckpoint } from '../checkpoint';
import { consistencyProofRanges } from '../merkle';
import { loadSigningKey } from '../../../../config/keys/signing-key';
import { CheckpointWitness, ProofSource, WitnessRefused } from './checkpoint-witness';
import { FileWitness } from './file-witness';
import { PeerWitness } from './peer-witness';
import { S3Witness } from './s3-witness';

/** How long a witness that failed is left alone (the periodic checkpoint job retries after it). */
const RETRY_MS = 30_000;

export interface WitnessOutcome {
  witness: string;
  size: number;
  /** accepted (or already held), refused (rollback/fork: an alarm), or unreachable (retried next time) */
  result: 'accepted' | 'refused' | 'unreachable';
  reason?: string;
}

/**
 * Copies every signed checkpoint outside the database: to the checkpoint log under DATA_DIR, and where
 * configured to an S3 bucket and to peer OneWindow instances. A witness that refuses a checkpoint has
 * seen a newer or different history than the database now holds: that is logged as an error for the
 * operator's alerting, and the audit log must be checked (`npm run audit:verify`).
 */
@Injectable()
export class CheckpointPublisher implements OnModuleDestroy {
  private readonly log = new Logger('AuditWitness');
  readonly witnesses: CheckpointWitness[];
  /** the size each witness last accepted, so a head is handed over once */
  private readonly accepted = new Map<CheckpointWitness, number>();
  /** a witness that failed is left alone until then (epoch ms), so a peer that is down costs little */
  private readonly retryAt = new Map<CheckpointWitness, number>();
  private chain: Promise<unknown> = Promise.resolve();
  private readonly origin: string;
  private readonly publicKey: KeyObject;

  constructor(
    private readonly db: Db,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    const { origin, witness } = config.audit;
    const publicKey = loadSigningKey(config.signingKeyPem).publicKey;
    this.origin = origin;
    this.publicKey = publicKey;
    this.witnesses = [
      new FileWitness(witness.file, origin, publicKey),
      ...(witness.s3 ? [new S3Witness(witness.s3, origin, publicKey)] : []),
      ...witness.peers.map((url) => new PeerWitness(url)),
    ];
  }

  /** Lets a hand-over in progress finish (an fsync, an upload) before the clients go. */
  async onModuleDestroy(): Promise<void> {
    await this.settled();
    for (const w of this.witnesses) if (w instanceof S3Witness) w.destroy();
  }

  /** Resolves once every hand-over asked for so far is done. */
  settled(): Promise<void> {
    return this.chain.then(() => undefined);
  }

  /**
   * Hands the database's newest tree head to every witness that has not taken it. Calls run one at a
   * time and read the head themselves, so a slow caller never offers an older head after a newer one.
   * Never throws. `size`: the head the caller just saw; when every witness already holds it, nothing is read.
   */
  publish(size?: number): Promise<WitnessOutcome[]> {
    if (size !== undefined && this.witnesses.every((w) => this.accepted.get(w) === size || this.waiting(w)))
      return Promise.resolve([]);
    const run = this.chain.then(() => this.publishLatest());
    this.chain = run.catch(() => undefined);
    return run.catch((e: unknown) => {
      this.log.warn(`audit checkpoint not witnessed: ${e instanceof Error ? e.message : String(e)}`);
      return [];
    });
  }

  private async publishLatest(): Promise<WitnessOutcome[]> {
    const head = await this.db
      .repo(AuditTreeHead)
      .createQueryBuilder('h')
      .orderBy('h.size', 'DESC')
      .limit(1)
      .getOne();
    if (!head) return [];
    // Only what our key signed leaves the database (the runtime role can insert rows, not sign them).
    const checkpoint = verifyCheckpoint(head.note, this.origin, this.publicKey, { origin: this.origin });
    if (checkpoint.size !== head.size)
      throw new Error(`tree head ${head.size} holds a checkpoint for another size`);
    const proof: ProofSource = (from, to) => {
      const q: Query = (sql, params) => this.db.query(sql, params);
      return rangeHashes(q, consistencyProofRanges(from, to));
    };
    const outcomes: WitnessOutcome[] = [];
    for (const w of this.witnesses) {
      if (this.accepted.get(w) === head.size || this.waiting(w)) continue;
      const outcome: WitnessOutcome = { witness: w.name, size: head.size, result: 'accepted' };
      try {
        await w.add(head.note, checkpoint, proof);
        this.accepted.set(w, head.size);
        this.retryAt.delete(w);
      } catch (e) {
        this.retryAt.set(w, Date.now() + RETRY_MS);
        outcome.reason = e instanceof Error ? e.message : String(e);
        if (e instanceof WitnessRefused) {
          outcome.result = 'refused';
          this.log.error(
            `audit checkpoint at size ${head.size} REFUSED by witness ${w.name} (${outcome.reason}); ` +
              'the database no longer holds the history the witness saw: run npm run audit:verify',
          );
        } else {
          outcome.result = 'unreachable';
          this.log.warn(
            `audit checkpoint at size ${head.size} not witnessed by ${w.name}: ${outcome.reason}`,
          );
        }
      }
      outcomes.push(outcome);
    }
    return outcomes;
  }

  private waiting(w: CheckpointWitness): boolean {
    return (this.retryAt.get(w) ?? 0) > Date.now();
  }
}
