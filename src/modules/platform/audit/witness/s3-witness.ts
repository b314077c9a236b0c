// One object per signed checkpoint in an S3-compatible bucket, keyed by tree size and written once
// (never overwritten). Point it at a bucket with Object Lock (compliance mode) or at least without
// delete rights for this instance's credentials, and the checkpoints outlive anything done to the
// database or the server's disk.

import {
  GetObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import type { KeyObject } from 'node:crypto';
import type { AuditWitnessConfig } from '../../../../config/config';
import { Checkpoint, verifyCheckpoint } from '../checkpoint';
import { CheckpointWitness, ProofSource, refusal, WitnessRefused } from './checkpoint-witness';

type S3WitnessConfig = NonNullable<AuditWitnessConfig['s3']>;

/** Zero-padded so that the bucket's lexical order is the order of tree sizes. */
const SIZE_DIGITS = 16;
const KEY_RE = /^(\d{16})\.checkpoint$/;

export interface StoredCheckpoint {
  checkpoint: Checkpoint;
  note: string;
  key: string;
}

export class S3Witness implements CheckpointWitness {
  readonly name: string;
  private readonly client: S3Client;
  /** newest checkpoint in the bucket; undefined until first listed */
  private last: StoredCheckpoint | null | undefined;

  constructor(
    private readonly config: S3WitnessConfig,
    private readonly keyName: string,
    private readonly publicKey: KeyObject,
  ) {
    this.name = `s3://${config.bucket}/${config.prefix}`;
    this.client = new S3Client({
      region: config.region,
      endpoint: config.endpoint ?? undefined,
      forcePathStyle: config.forcePathStyle,
      credentials: config.credentials ?? undefined,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      maxAttempts: 3,
    });
  }

  objectKey(size: number): string {
    return `${this.config.prefix}${String(size).padStart(SIZE_DIGITS, '0')}.checkpoint`;
  }

  async add(note: string, checkpoint: Checkpoint, proof: ProofSource): Promise<void> {
    // Listed once, then remembered: the bucket only grows through this method.
    const newest = this.last !== undefined ? this.last : (this.last = (await this.newest()).newest);
    if (
      newest &&
      newest.checkpoint.size === checkpoint.size &&
      newest.checkpoint.root.equals(checkpoint.root)
    )
      return;
    const why = await refusal(newest?.checkpoint ?? null, checkpoint, proof);
    if (why) throw new WitnessRefused(why);
    // Written once: an object already at this size is never replaced. Another instance of the same
    // log may have written this very checkpoint (same size, same root): then it is held already.
    const key = this.objectKey(checkpoint.size);
    const existing = await this.read(key);
    if (existing !== null) {
      if (this.sameCheckpoint(existing, checkpoint)) {
        this.last = { checkpoint, note: existing, key };
        return;
      }
      throw new WitnessRefused(`fork: ${key} already holds another checkpoint`);
    }
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.config.bucket,
        Key: this.objectKey(checkpoint.size),
        Body: note,
        ContentType: 'text/plain; charset=utf-8',
      }),
    );
    this.last = { checkpoint, note, key: this.objectKey(checkpoint.size) };
  }

  /**
   * The newest object that is a checkpoint signed by our key; objects that are not are listed in
   * `problems` (from newest down to the first good one).
   */
  async newest(): Promise<{ newest: StoredCheckpoint | null; problems: string[] }> {
    const keys = (await this.keys()).reverse();
    const problems: string[] = [];
    for (const key of keys) {
      const note = await this.read(key);
      if (note === null) continue;
      try {
        const checkpoint = verifyCheckpoint(note, this.keyName, this.publicKey, { origin: this.keyName });
        if (key !== this.objectKey(checkpoint.size)) throw new Error(`holds size ${checkpoint.size}`);
        return { newest: { checkpoint, note, key }, problems };
      } catch (e) {
        problems.push(`${key}: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    return { newest: null, problems };
  }

  private sameCheckpoint(note: string, checkpoint: Checkpoint): boolean {
    try {
      const held = verifyCheckpoint(note, this.keyName, this.publicKey, { origin: this.keyName });
      return held.size === checkpoint.size && held.root.equals(checkpoint.root);
    } catch {
      return false;
    }
  }

  destroy(): void {
    this.client.destroy();
  }

  /** Checkpoint object keys under the prefix, in size order. */
  private async keys(): Promise<string[]> {
    const out: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({
          Bucket: this.config.bucket,
          Prefix: this.config.prefix,
          ContinuationToken: token,
        }),
      );
      for (const o of page.Contents ?? []) {
        if (o.Key && KEY_RE.test(o.Key.slice(this.config.prefix.length))) out.push(o.Key);
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return out.sort();
  }

  private async read(key: string): Promise<string | null> {
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.config.bucket, Key: key }));
      return (await out.Body?.transformToString('utf8')) ?? '';
    } catch (e) {
      if (e instanceof NoSuchKey || (e instanceof S3ServiceException && e.$metadata.httpStatusCode === 404))
        return null;
      throw e;
    }
  }
}
