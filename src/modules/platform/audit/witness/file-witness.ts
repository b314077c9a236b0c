// The checkpoint log under DATA_DIR (always on): one line per signed checkpoint, opened O_APPEND,
// fsync'd, never rewritten. The database's owner or superuser cannot reach it; an operator who can
// also edit the server's disk can, which is what the S3 and peer witnesses are for.
//
// Line format: {"size":<n>,"note":"<signed note>"}\n. A last line without its newline is a write cut
// short by a crash and is ignored.

import type { KeyObject } from 'node:crypto';
import { constants } from 'node:fs';
import { mkdir, open, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Checkpoint, verifyCheckpoint } from '../checkpoint';
import { CheckpointWitness, newest, ProofSource, refusal, WitnessRefused } from './checkpoint-witness';

export interface LoggedCheckpoint {
  checkpoint: Checkpoint;
  note: string;
  /** 1-based line number in the file */
  line: number;
}

export interface CheckpointLogContents {
  entries: LoggedCheckpoint[];
  /** lines that are not a checkpoint signed by the key: "line 3: invalid signature by …" */
  problems: string[];
}

/** Reads and verifies a checkpoint log; a missing file is an empty log. */
export async function readCheckpointLog(
  path: string,
  keyName: string,
  publicKey: KeyObject,
): Promise<CheckpointLogContents> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { entries: [], problems: [] };
    throw e;
  }
  const lines = text.split('\n');
  lines.pop(); // the text after the last newline: empty, or a torn write
  const entries: LoggedCheckpoint[] = [];
  const problems: string[] = [];
  lines.forEach((raw, i) => {
    try {
      const parsed = JSON.parse(raw) as { note?: unknown };
      if (typeof parsed.note !== 'string') throw new Error('no note');
      const checkpoint = verifyCheckpoint(parsed.note, keyName, publicKey, { origin: keyName });
      entries.push({ checkpoint, note: parsed.note, line: i + 1 });
    } catch (e) {
      problems.push(`line ${i + 1}: ${e instanceof Error ? e.message : String(e)}`);
    }
  });
  return { entries, problems };
}

export class FileWitness implements CheckpointWitness {
  readonly name: string;
  /** newest checkpoint in the file; undefined until first read */
  private last: Checkpoint | null | undefined;

  constructor(
    private readonly path: string,
    private readonly keyName: string,
    private readonly publicKey: KeyObject,
  ) {
    this.name = `file ${path}`;
  }

  async add(note: string, checkpoint: Checkpoint, proof: ProofSource): Promise<void> {
    if (this.last === undefined) {
      const log = await readCheckpointLog(this.path, this.keyName, this.publicKey);
      this.last = newest(log.entries)?.checkpoint ?? null;
    }
    if (this.last && this.last.size === checkpoint.size && this.last.root.equals(checkpoint.root)) return;
    const why = await refusal(this.last, checkpoint, proof);
    if (why) throw new WitnessRefused(why);
    await this.append(`${JSON.stringify({ size: checkpoint.size, note })}\n`);
    this.last = checkpoint;
  }

  private async append(line: string): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
    // O_APPEND: every write goes to the end, whatever else holds the file open; nothing is rewritten.
    const fh = await open(this.path, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT, 0o600);
    try {
      await fh.write(line);
      await fh.sync();
    } finally {
      await fh.close();
    }
  }
}
