import { createHash } from 'node:crypto';
import { NODE_MIN_LEVEL, Query, rangeHashes, SubtreeBuilder } from './audit-tree';
import {
  consistencyProof,
  consistencyProofRanges,
  inclusionProof,
  inclusionProofRanges,
  rangeRoot,
  rootFromLeafHashes,
} from './merkle';

const leaves = (n: number): Buffer[] =>
  Array.from({ length: n }, (_, i) => createHash('sha256').update(`leaf ${i}`).digest());

/**
 * A stand-in for the two tables rangeHashes reads, answering exactly the two query shapes it sends,
 * so node resolution (cached, derived from children, computed from leaves) is tested without a database.
 */
function fakeDb(hashes: Buffer[], nodes: Map<string, Buffer>): { q: Query; queries: string[] } {
  const queries: string[] = [];
  const q = (async (sql: string, params: unknown[] = []) => {
    queries.push(sql);
    if (sql.includes('FROM audit_node')) {
      const [levels, idxs] = params as [number[], number[]];
      return levels
        .map((l, i) => ({ level: l, idx: String(idxs[i]), hash: nodes.get(`${l}:${idxs[i]}`) }))
        .filter((r) => r.hash);
    }
    if (sql.includes('seq = ANY')) {
      return (params[0] as number[])
        .filter((s) => s < hashes.length)
        .map((s) => ({ seq: String(s), leaf_hash: hashes[s] }));
    }
    throw new Error(`unexpected query ${sql}`);
  }) as Query;
  return { q, queries };
}

function built(hashes: Buffer[]): Map<string, Buffer> {
  const b = new SubtreeBuilder();
  hashes.forEach((h) => b.append(h));
  return new Map(b.drainCompleted().map((n) => [`${n.level}:${n.index}`, n.hash]));
}

describe('SubtreeBuilder', () => {
  it('computes the RFC 6962 root for every size and resumes from its packed compact range', () => {
    const all = leaves(300);
    const b = new SubtreeBuilder();
    for (let n = 1; n <= all.length; n++) {
      b.append(all[n - 1]);
      expect(b.root().equals(rootFromLeafHashes(all.slice(0, n)))).toBe(true);
      if (n % 37 === 0) {
        const resumed = SubtreeBuilder.fromPacked(n, b.packed());
        all.slice(n, n + 50).forEach((h) => resumed.append(h));
        expect(resumed.root().equals(rootFromLeafHashes(all.slice(0, Math.min(n + 50, all.length))))).toBe(
          true,
        );
      }
    }
    expect(new SubtreeBuilder().root().equals(rootFromLeafHashes([]))).toBe(true);
  });

  it('reports each completed perfect subtree at the cached levels, with its correct hash', () => {
    const all = leaves(200);
    const nodes = built(all);
    // 200 leaves: 12 subtrees of 16, 6 of 32, 3 of 64, 1 of 128.
    expect(nodes.size).toBe(12 + 6 + 3 + 1);
    for (const [k, h] of nodes) {
      const [level, index] = k.split(':').map(Number);
      expect(level).toBeGreaterThanOrEqual(NODE_MIN_LEVEL);
      expect(h.equals(rangeRoot(all, index * 2 ** level, (index + 1) * 2 ** level))).toBe(true);
    }
  });

  it('refuses a compact range whose root count does not match the size', () => {
    expect(() => new SubtreeBuilder(3, [leaves(1)[0]])).toThrow(RangeError);
    expect(() => SubtreeBuilder.fromPacked(1, Buffer.alloc(31))).toThrow(RangeError);
  });
});

describe('rangeHashes', () => {
  const all = leaves(150);

  it('gives the same inclusion and consistency proofs as the in-memory implementation', async () => {
    const { q } = fakeDb(all, built(all));
    for (const size of [1, 2, 3, 16, 17, 31, 32, 33, 100, 128, 150]) {
      for (const index of [0, 1, size >> 1, size - 1].filter((i) => i < size)) {
        const got = await rangeHashes(q, inclusionProofRanges(index, size));
        expect(got.map((h) => h.toString('hex'))).toEqual(
          inclusionProof(all, index, size).map((h) => h.toString('hex')),
        );
      }
      for (const m of [1, 7, 16, size >> 1, size - 1].filter((m) => m >= 1 && m <= size)) {
        const got = await rangeHashes(q, consistencyProofRanges(m, size));
        expect(got.map((h) => h.toString('hex'))).toEqual(
          consistencyProof(all, m, size).map((h) => h.toString('hex')),
        );
      }
    }
  });

  it('derives nodes missing from the cache (completed after the last checkpoint) from children or leaves', async () => {
    const cached = built(all.slice(0, 40)); // as if the last checkpoint was at size 40
    const { q } = fakeDb(all, cached);
    const got = await rangeHashes(q, inclusionProofRanges(3, 150));
    expect(got.map((h) => h.toString('hex'))).toEqual(
      inclusionProof(all, 3, 150).map((h) => h.toString('hex')),
    );
    const noCache = fakeDb(all, new Map());
    const got2 = await rangeHashes(noCache.q, consistencyProofRanges(50, 150));
    expect(got2.map((h) => h.toString('hex'))).toEqual(
      consistencyProof(all, 50, 150).map((h) => h.toString('hex')),
    );
  });

  it('reads cached nodes in one query per level instead of every leaf', async () => {
    const big = leaves(1024);
    const { q, queries } = fakeDb(big, built(big));
    await rangeHashes(q, inclusionProofRanges(517, 1024));
    // 10 pieces: 6 cached subtrees (one node query), 4 below the cache level (one leaf query).
    expect(queries).toHaveLength(2);
  });

  it('throws when a leaf it needs is missing', async () => {
    const { q } = fakeDb(all.slice(0, 10), new Map());
    await expect(rangeHashes(q, inclusionProofRanges(0, 12))).rejects.toThrow(/leaf 10 is missing/);
  });
});
