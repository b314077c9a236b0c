// Gathers, for `npm run audit:verify`, the checkpoints witnessed outside the database: the checkpoint
// log files, the S3 witness's newest object, the peers' newest cosigned checkpoint and checkpoint files
// given by hand. Only checkpoints signed by the log's key count; anything else found there is reported.

import type { KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { AuditWitnessConfig } from '../../../../config/config';
import { Checkpoint, verifyCheckpoint } from '../checkpoint';
import { readCheckpointLog } from './file-witness';
import { S3Witness } from './s3-witness';

export interface WitnessSources {
  /** checkpoint logs (DATA_DIR/audit/checkpoints.log and copies of it) */
  logs: string[];
  s3: AuditWitnessConfig['s3'];
  /** OneWindow instances witnessing this log (GET <peer>/v1/audit/witnessed?origin=…) */
  peers: string[];
  /** files each holding one signed checkpoint, e.g. saved from GET /v1/audit/checkpoint */
  checkpointFiles: string[];
}

export interface WitnessedCheckpoint {
  checkpoint: Checkpoint;
  /** where it was found: `data/audit/checkpoints.log line 12`, `s3://bucket/key`, `peer https://…` */
  source: string;
}

/** Throws when a source cannot be read at all (the check would be incomplete). */
export async function collectWitnessed(
  sources: WitnessSources,
  keyName: string,
  publicKey: KeyObject,
): Promise<{ witnessed: WitnessedCheckpoint[]; problems: string[] }> {
  const witnessed: WitnessedCheckpoint[] = [];
  const problems: string[] = [];
  const verify = (note: string): Checkpoint =>
    verifyCheckpoint(note, keyName, publicKey, { origin: keyName });
  for (const path of sources.logs) {
    const log = await readCheckpointLog(path, keyName, publicKey);
    for (const e of log.entries)
      witnessed.push({ checkpoint: e.checkpoint, source: `${path} line ${e.line}` });
    for (const p of log.problems) problems.push(`checkpoint log ${path} ${p}`);
  }
  if (sources.s3) {
    const s3 = new S3Witness(sources.s3, keyName, publicKey);
    try {
      const found = await s3.newest();
      if (found.newest)
        witnessed.push({
          checkpoint: found.newest.checkpoint,
          source: `s3://${sources.s3.bucket}/${found.newest.key}`,
        });
      for (const p of found.problems) problems.push(`S3 witness s3://${sources.s3.bucket}/${p}`);
    } finally {
      s3.destroy();
    }
  }
  for (const peer of sources.peers) {
    const res = await fetch(`${peer}/v1/audit/witnessed?origin=${encodeURIComponent(keyName)}`, {
      headers: { Accept: 'application/json' },
      signal: AbortSignal.timeout(10_000),
    });
    if (res.status === 404) continue; // nothing witnessed there yet
    if (!res.ok) throw new Error(`peer witness ${peer} answered ${res.status}`);
    const body = (await res.json()) as { checkpoint?: unknown };
    try {
      if (typeof body.checkpoint !== 'string') throw new Error('no checkpoint in the answer');
      witnessed.push({ checkpoint: verify(body.checkpoint), source: `peer ${peer}` });
    } catch (e) {
      problems.push(`peer witness ${peer}: ${(e as Error).message}`);
    }
  }
  for (const path of sources.checkpointFiles) {
    try {
      witnessed.push({ checkpoint: verify(await readFile(path, 'utf8')), source: path });
    } catch (e) {
      problems.push(`checkpoint file ${path}: ${(e as Error).message}`);
    }
  }
  return { witnessed, problems };
}
