// Storage-backed Merkle tree over audit_leaf: extends the tree when a checkpoint is made (caching perfect
// subtree roots in audit_node) and assembles proof hashes from those cached nodes, so a proof reads
// O(log n) rows rather than every leaf hash. The hashing itself is merkle.ts; this file only decides
// which rows to read and write. Works on any query function, so it runs in whatever transaction it is given.

import {
  foldSubtreeRoots,
  HASH_SIZE,
  LeafRange,
  nodeHash,
  perfectSubtrees,
  rangeRoot,
  SubtreeCoord,
} from './merkle';

/** Subtrees of 2^4 = 16 leaves and up are cached: about n/8 rows, and a proof reads at most 15 leaves per piece. */
export const NODE_MIN_LEVEL = 4;
const LEAF_BATCH = 5000;

export type Query = <T = Record<string, unknown>>(sql: string, params?: unknown[]) => Promise<T[]>;

export interface CompletedNode extends SubtreeCoord {
  hash: Buffer;
}

/**
 * A compact range (one root per set bit of `size`) that also reports each perfect subtree it completes
 * at level ≥ NODE_MIN_LEVEL, which is what audit_node caches.
 */
export class SubtreeBuilder {
  private readonly stack: { level: number; hash: Buffer }[] = [];
  private completed: CompletedNode[] = [];
  private count: number;

  constructor(size = 0, roots: readonly Buffer[] = []) {
    if (!Number.isSafeInteger(size) || size < 0) throw new RangeError(`bad tree size ${size}`);
    const levels: number[] = [];
    for (let level = 52; level >= 0; level--) if (Math.floor(size / 2 ** level) % 2 === 1) levels.push(level);
    if (levels.length !== roots.length)
      throw new RangeError(`size ${size} needs ${levels.length} subtree roots, got ${roots.length}`);
    levels.forEach((level, i) => this.stack.push({ level, hash: Buffer.from(roots[i]) }));
    this.count = size;
  }

  static fromPacked(size: number, packed: Buffer): SubtreeBuilder {
    if (packed.length % HASH_SIZE !== 0)
      throw new RangeError('packed subtree roots are not a multiple of 32 bytes');
    const roots: Buffer[] = [];
    for (let o = 0; o < packed.length; o += HASH_SIZE) roots.push(packed.subarray(o, o + HASH_SIZE));
    return new SubtreeBuilder(size, roots);
  }

  get size(): number {
    return this.count;
  }

  append(leaf: Buffer): void {
    if (leaf.length !== HASH_SIZE) throw new RangeError('leaf hash must be 32 bytes');
    this.stack.push({ level: 0, hash: leaf });
    this.count++;
    while (
      this.stack.length >= 2 &&
      this.stack[this.stack.length - 1].level === this.stack[this.stack.length - 2].level
    ) {
      const right = this.stack.pop()!;
      const left = this.stack.pop()!;
      const level = left.level + 1;
      const hash = nodeHash(left.hash, right.hash);
      this.stack.push({ level, hash });
      if (level >= NODE_MIN_LEVEL) this.completed.push({ level, index: this.count / 2 ** level - 1, hash });
    }
  }

  /** Nodes completed since the last call. */
  drainCompleted(): CompletedNode[] {
    const out = this.completed;
    this.completed = [];
    return out;
  }

  packed(): Buffer {
    return Buffer.concat(this.stack.map((s) => s.hash));
  }

  root(): Buffer {
    return foldSubtreeRoots(this.stack.map((s) => s.hash));
  }
}

/**
 * Reads leaf hashes [builder.size, toSize) in seq order, appends them and caches the completed nodes.
 * Throws if a leaf is missing: a tree head must never be signed over a gap.
 */
export async function extendTree(q: Query, builder: SubtreeBuilder, toSize: number): Promise<void> {
  while (builder.size < toSize) {
    const from = builder.size;
    const rows = await q<{ seq: string; leaf_hash: Buffer }>(
      'SELECT seq::text AS seq, leaf_hash FROM audit_leaf l WHERE l.seq >= $1 AND l.seq < $2 ORDER BY l.seq LIMIT $3',
      [from, toSize, LEAF_BATCH],
    );
    if (!rows.length) throw new Error(`audit leaf ${from} is missing`);
    for (const r of rows) {
      if (Number(r.seq) !== builder.size) throw new Error(`audit leaf ${builder.size} is missing`);
      builder.append(r.leaf_hash);
    }
    await saveNodes(q, builder.drainCompleted());
  }
}

async function saveNodes(q: Query, nodes: CompletedNode[]): Promise<void> {
  if (!nodes.length) return;
  await q(
    `INSERT INTO audit_node (level, idx, hash)
     SELECT l, i, decode(h, 'hex') FROM unnest($1::smallint[], $2::bigint[], $3::text[]) AS t(l, i, h)
     ON CONFLICT DO NOTHING`,
    [nodes.map((n) => n.level), nodes.map((n) => n.index), nodes.map((n) => n.hash.toString('hex'))],
  );
}

const key = (c: SubtreeCoord): string => `${c.level}:${c.index}`;

/**
 * Roots of the given perfect subtrees: cached nodes where present; a missing cached node (completed
 * after the last checkpoint) from its two children; small subtrees from their leaves. One query per level.
 */
async function resolveSubtrees(q: Query, coords: readonly SubtreeCoord[]): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  const derived: SubtreeCoord[] = [];
  const visited = new Set<string>();
  let frontier = dedupe(coords);
  while (frontier.length) {
    for (const c of frontier) visited.add(key(c));
    const high = frontier.filter((c) => c.level >= NODE_MIN_LEVEL);
    const low = frontier.filter((c) => c.level < NODE_MIN_LEVEL);
    if (high.length) {
      const rows = await q<{ level: number; idx: string; hash: Buffer }>(
        `SELECT n.level, n.idx::text AS idx, n.hash FROM audit_node n
         JOIN unnest($1::smallint[], $2::bigint[]) AS t(l, i) ON n.level = t.l AND n.idx = t.i`,
        [high.map((c) => c.level), high.map((c) => c.index)],
      );
      for (const r of rows) out.set(`${r.level}:${r.idx}`, r.hash);
    }
    if (low.length) await leafSubtrees(q, low, out);
    const next: SubtreeCoord[] = [];
    for (const c of high) {
      if (out.has(key(c))) continue;
      derived.push(c);
      next.push({ level: c.level - 1, index: 2 * c.index }, { level: c.level - 1, index: 2 * c.index + 1 });
    }
    frontier = dedupe(next).filter((c) => !out.has(key(c)) && !visited.has(key(c)));
  }
  // Children before parents: combine the derived nodes from the lowest level up.
  derived.sort((a, b) => a.level - b.level);
  for (const c of derived) {
    const left = out.get(key({ level: c.level - 1, index: 2 * c.index }));
    const right = out.get(key({ level: c.level - 1, index: 2 * c.index + 1 }));
    if (!left || !right) throw new Error(`cannot derive audit subtree ${key(c)}`);
    out.set(key(c), nodeHash(left, right));
  }
  return out;
}

async function leafSubtrees(
  q: Query,
  coords: readonly SubtreeCoord[],
  out: Map<string, Buffer>,
): Promise<void> {
  const seqs: number[] = [];
  for (const c of coords)
    for (let s = c.index * 2 ** c.level; s < (c.index + 1) * 2 ** c.level; s++) seqs.push(s);
  const rows = await q<{ seq: string; leaf_hash: Buffer }>(
    'SELECT seq::text AS seq, leaf_hash FROM audit_leaf WHERE seq = ANY($1::bigint[])',
    [seqs],
  );
  const bySeq = new Map(rows.map((r) => [Number(r.seq), r.leaf_hash]));
  for (const c of coords) {
    const start = c.index * 2 ** c.level;
    const hashes: Buffer[] = [];
    for (let s = start; s < start + 2 ** c.level; s++) {
      const h = bySeq.get(s);
      if (!h) throw new Error(`audit leaf ${s} is missing`);
      hashes.push(h);
    }
    out.set(key(c), rangeRoot(hashes, 0, hashes.length));
  }
}

function dedupe(coords: readonly SubtreeCoord[]): SubtreeCoord[] {
  const seen = new Map<string, SubtreeCoord>();
  for (const c of coords) seen.set(key(c), c);
  return [...seen.values()];
}

/** MTH of each range (proof elements in the order given), e.g. from inclusionProofRanges/consistencyProofRanges. */
export async function rangeHashes(q: Query, ranges: readonly LeafRange[]): Promise<Buffer[]> {
  const pieces = ranges.map((r) => perfectSubtrees(r));
  const nodes = await resolveSubtrees(q, pieces.flat());
  return pieces.map((cs) => foldSubtreeRoots(cs.map((c) => nodes.get(key(c))!)));
}
