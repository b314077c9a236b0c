import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatCheckpointBody, generateEd25519, parseCheckpointBody, signCheckpoint } from '../checkpoint';
import { consistencyProof, rootFromLeafHashes } from '../merkle';
import { WitnessRefused } from './checkpoint-witness';
import { FileWitness, readCheckpointLog } from './file-witness';

const ORIGIN = 'unit.gov.example/audit';

describe('FileWitness (the checkpoint log under DATA_DIR)', () => {
  const key = generateEd25519();
  const leaves = Array.from({ length: 20 }, () => randomBytes(32));
  const note = (size: number, root = rootFromLeafHashes(leaves.slice(0, size))): string =>
    signCheckpoint(formatCheckpointBody(ORIGIN, size, root), ORIGIN, key.privateKey);
  const cp = (n: string) => parseCheckpointBody(n.slice(0, n.lastIndexOf('\n\n') + 1));
  const proof = async (m: number, n: number) => consistencyProof(leaves, m, n);
  const fresh = () => join(mkdtempSync(join(tmpdir(), 'ow-fw-')), 'audit', 'checkpoints.log');

  it('appends each new checkpoint once, as one line, in a file only its owner can read', async () => {
    const path = fresh();
    const w = new FileWitness(path, ORIGIN, key.publicKey);
    for (const size of [3, 3, 8, 20]) await w.add(note(size), cp(note(size)), proof);
    const lines = readFileSync(path, 'utf8').split('\n');
    expect(lines.pop()).toBe('');
    expect(lines.map((l) => (JSON.parse(l) as { size: number }).size)).toEqual([3, 8, 20]);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const log = await readCheckpointLog(path, ORIGIN, key.publicKey);
    expect(log.problems).toEqual([]);
    expect(log.entries.map((e) => [e.checkpoint.size, e.line])).toEqual([
      [3, 1],
      [8, 2],
      [20, 3],
    ]);
  });

  it('refuses a rollback and forks, also after a restart (reading the file), and leaves the file as it was', async () => {
    const path = fresh();
    await new FileWitness(path, ORIGIN, key.publicKey).add(note(10), cp(note(10)), proof);
    const before = readFileSync(path, 'utf8');
    const w = new FileWitness(path, ORIGIN, key.publicKey); // a restarted instance
    const other = note(10, randomBytes(32));
    const forkedLater = note(15, randomBytes(32));
    await expect(w.add(note(7), cp(note(7)), proof)).rejects.toThrow(
      new WitnessRefused('rollback: size 7 is older than the witnessed checkpoint at size 10'),
    );
    await expect(w.add(other, cp(other), proof)).rejects.toThrow(
      /^fork: a different root at the witnessed size 10$/,
    );
    await expect(w.add(forkedLater, cp(forkedLater), proof)).rejects.toThrow(
      /^fork: size 15 does not extend the witnessed checkpoint at size 10$/,
    );
    expect(readFileSync(path, 'utf8')).toBe(before);
  });
});
