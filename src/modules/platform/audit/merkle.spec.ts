import { hash } from 'node:crypto';

import {
  CompactRange,
  EMPTY_ROOT,
  consistencyProof,
  consistencyProofRanges,
  foldSubtreeRoots,
  inclusionProof,
  inclusionProofRanges,
  leafHash,
  nodeHash,
  perfectSubtrees,
  rangeRoot,
  rootFromLeafHashes,
  verifyConsistency,
  verifyInclusion,
} from './merkle';

const hex = (b: Buffer): string => b.toString('hex');
const hexAll = (bs: Buffer[]): string[] => bs.map(hex);

// The Certificate Transparency reference test data (RFC 6962 tree of 8 leaves).
const CT_LEAVES = [
  '',
  '00',
  '10',
  '2021',
  '3031',
  '40414243',
  '5051525354555657',
  '606162636465666768696a6b6c6d6e6f',
].map((h) => leafHash(Buffer.from(h, 'hex')));

const CT_ROOTS = [
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];

/** Deterministic synthetic leaf hashes. */
function leaves(n: number): Buffer[] {
  return Array.from({ length: n }, (_, i) => leafHash(Buffer.from(`leaf-${i}`)));
}

/** Textbook recursive MTH from RFC 9162 §2.1.1, as an independent oracle for the iterative code. */
function referenceRoot(hs: Buffer[]): Buffer {
  if (hs.length === 0) return hash('sha256', Buffer.alloc(0), 'buffer');
  if (hs.length === 1) return hs[0];
  let k = 1;
  while (k * 2 < hs.length) k *= 2;
  return nodeHash(referenceRoot(hs.slice(0, k)), referenceRoot(hs.slice(k)));
}

function flipByte(b: Buffer, at = 0): Buffer {
  const c = Buffer.from(b);
  c[at] ^= 0x01;
  return c;
}

const MAX = 33;
const HS = leaves(MAX);
const ROOTS = Array.from({ length: MAX + 1 }, (_, n) => rootFromLeafHashes(HS.slice(0, n)));

describe('hashing', () => {
  it('uses SHA-256 of the empty string as the empty-tree root', () => {
    expect(hex(EMPTY_ROOT)).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(rootFromLeafHashes([])).toEqual(EMPTY_ROOT);
  });

  it('prefixes leaves with 0x00 and nodes with 0x01', () => {
    expect(hex(leafHash(Buffer.alloc(0)))).toBe(CT_ROOTS[0]);
    const [a, b] = CT_LEAVES;
    const manual = hash('sha256', Buffer.concat([Buffer.from([1]), a, b]), 'buffer');
    expect(nodeHash(a, b)).toEqual(manual);
  });

  it('rejects node children that are not 32-byte hashes', () => {
    expect(() => nodeHash(Buffer.alloc(31), Buffer.alloc(32))).toThrow(RangeError);
  });
});

describe('RFC 6962 known answers (Certificate Transparency test vectors)', () => {
  it.each(CT_ROOTS.map((r, i) => [i + 1, r] as const))('root of the first %i leaves', (n, root) => {
    expect(hex(rootFromLeafHashes(CT_LEAVES.slice(0, n)))).toBe(root);
  });

  it.each([
    [
      0,
      8,
      [
        '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
        '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
        '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
      ],
    ],
    [
      5,
      8,
      [
        'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
        'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
        'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
      ],
    ],
    [2, 3, ['fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125']],
    [
      1,
      5,
      [
        '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
        '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
        'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
      ],
    ],
    [0, 1, []],
  ])('inclusion proof for leaf %i in a tree of %i', (index, size, expected) => {
    const proof = inclusionProof(CT_LEAVES, index, size);
    expect(hexAll(proof)).toEqual(expected);
    expect(
      verifyInclusion(CT_LEAVES[index], index, size, proof, Buffer.from(CT_ROOTS[size - 1], 'hex')),
    ).toBe(true);
  });

  it.each([
    [
      1,
      8,
      [
        '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
        '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
        '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
      ],
    ],
    [
      6,
      8,
      [
        '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
        'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
        'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
      ],
    ],
    [
      2,
      5,
      [
        '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
        'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
      ],
    ],
  ])('consistency proof from size %i to %i', (m, n, expected) => {
    const proof = consistencyProof(CT_LEAVES, m, n);
    expect(hexAll(proof)).toEqual(expected);
    const rootM = Buffer.from(CT_ROOTS[m - 1], 'hex');
    const rootN = Buffer.from(CT_ROOTS[n - 1], 'hex');
    expect(verifyConsistency(m, n, rootM, rootN, proof)).toBe(true);
  });
});

describe('roots', () => {
  it('matches the recursive RFC definition for every size up to 33', () => {
    for (let n = 0; n <= MAX; n++) expect(ROOTS[n]).toEqual(referenceRoot(HS.slice(0, n)));
  });

  it('rangeRoot hashes an arbitrary slice as its own tree', () => {
    for (let start = 0; start <= 9; start++) {
      for (let end = start; end <= 20; end++) {
        expect(rangeRoot(HS, start, end)).toEqual(referenceRoot(HS.slice(start, end)));
      }
    }
    expect(() => rangeRoot(HS, 5, 4)).toThrow(RangeError);
    expect(() => rangeRoot(HS, 0, MAX + 1)).toThrow(RangeError);
  });

  it('CompactRange agrees with rootFromLeafHashes after every append and round-trips its state', () => {
    const cr = new CompactRange();
    expect(cr.root()).toEqual(EMPTY_ROOT);
    for (let n = 1; n <= MAX; n++) {
      cr.append(HS[n - 1]);
      expect(cr.size).toBe(n);
      expect(cr.root()).toEqual(ROOTS[n]);
      // A sequencer persists (size, subtreeRoots) and resumes from them later.
      const restored = new CompactRange(cr.size, cr.subtreeRoots);
      expect(restored.root()).toEqual(ROOTS[n]);
      expect(cr.subtreeRoots).toHaveLength(n.toString(2).replace(/0/g, '').length);
    }
    // Resuming from state rebuilt out of stored subtree hashes, then appending the rest.
    const resumed = new CompactRange(20, subtreeState(20));
    resumed.appendAll(HS.slice(20));
    expect(resumed.root()).toEqual(ROOTS[MAX]);
  });

  it('CompactRange rejects inconsistent state and bad hashes', () => {
    expect(() => new CompactRange(3, [HS[0]])).toThrow(RangeError);
    expect(() => new CompactRange(-1)).toThrow(RangeError);
    expect(() => new CompactRange().append(Buffer.alloc(5))).toThrow(RangeError);
  });

  it('computes the root of a million leaves iteratively', () => {
    const n = 1_000_000;
    const big: Buffer[] = new Array<Buffer>(n);
    const seed = Buffer.alloc(4);
    for (let i = 0; i < n; i++) {
      seed.writeUInt32BE(i);
      big[i] = hash('sha256', seed, 'buffer');
    }
    const root = rootFromLeafHashes(big);
    // Independent route, the way the sequencer's storage works: perfect subtrees (a stand-in for the
    // merkle_node table) folded right to left.
    const stored = new Map<string, Buffer>();
    const node = (level: number, index: number): Buffer => {
      const key = `${level}/${index}`;
      let h = stored.get(key);
      if (!h) {
        h = rangeRoot(big, index * 2 ** level, (index + 1) * 2 ** level);
        stored.set(key, h);
      }
      return h;
    };
    const viaNodes = (r: { start: number; end: number }): Buffer =>
      foldSubtreeRoots(perfectSubtrees(r).map((c) => node(c.level, c.index)));
    expect(viaNodes({ start: 0, end: n })).toEqual(root);
    // The last leaf's siblings are those same big subtrees plus small ones, so this stays cheap.
    const last = n - 1;
    const proof = inclusionProofRanges(last, n).map(viaNodes);
    expect(verifyInclusion(big[last], last, n, proof, root)).toBe(true);
    expect(verifyInclusion(big[last - 1], last, n, proof, root)).toBe(false);
  }, 120_000);
});

/** Subtree roots of the first n synthetic leaves, built the slow way. */
function subtreeState(n: number): Buffer[] {
  return perfectSubtrees({ start: 0, end: n }).map(({ level, index }) =>
    referenceRoot(HS.slice(index * 2 ** level, (index + 1) * 2 ** level)),
  );
}

describe('inclusion proofs (all index/size pairs up to 33)', () => {
  it('verifies every proof and rejects it for every other index and size', () => {
    let checked = 0;
    for (let size = 1; size <= MAX; size++) {
      for (let index = 0; index < size; index++) {
        const proof = inclusionProof(HS, index, size);
        expect(verifyInclusion(HS[index], index, size, proof, ROOTS[size])).toBe(true);
        // Wrong index, wrong size, wrong leaf, wrong root.
        for (let other = 0; other < size; other++) {
          if (other !== index)
            expect(verifyInclusion(HS[index], other, size, proof, ROOTS[size])).toBe(false);
        }
        // Claiming the leaf is in a tree of another size (with that tree's real root) must fail. The same
        // root with another size can pass when the path shape matches; checkpoints bind size to root.
        for (let s = index + 1; s <= MAX; s++) {
          if (s !== size) expect(verifyInclusion(HS[index], index, s, proof, ROOTS[s])).toBe(false);
        }
        expect(verifyInclusion(flipByte(HS[index]), index, size, proof, ROOTS[size])).toBe(false);
        expect(verifyInclusion(HS[index], index, size, proof, flipByte(ROOTS[size], 31))).toBe(false);
        // Every flipped proof byte position class (first/last byte of each element), truncation and extension.
        for (let j = 0; j < proof.length; j++) {
          for (const at of [0, 31]) {
            const bad = proof.map((p, k) => (k === j ? flipByte(p, at) : p));
            expect(verifyInclusion(HS[index], index, size, bad, ROOTS[size])).toBe(false);
          }
        }
        if (proof.length > 0) {
          expect(verifyInclusion(HS[index], index, size, proof.slice(0, -1), ROOTS[size])).toBe(false);
        }
        expect(verifyInclusion(HS[index], index, size, [...proof, HS[0]], ROOTS[size])).toBe(false);
        checked++;
      }
    }
    expect(checked).toBe((MAX * (MAX + 1)) / 2);
  });

  it('rejects malformed input without throwing', () => {
    const proof = inclusionProof(HS, 3, 10);
    expect(verifyInclusion(HS[3], 10, 10, proof, ROOTS[10])).toBe(false);
    expect(verifyInclusion(HS[3], -1, 10, proof, ROOTS[10])).toBe(false);
    expect(verifyInclusion(HS[3], 3.5, 10, proof, ROOTS[10])).toBe(false);
    expect(verifyInclusion(HS[3], 3, 0, [], EMPTY_ROOT)).toBe(false);
    expect(verifyInclusion(HS[3], 3, 10, [proof[0].subarray(1), ...proof.slice(1)], ROOTS[10])).toBe(false);
    expect(verifyInclusion(HS[3].subarray(0, 31), 3, 10, proof, ROOTS[10])).toBe(false);
    // A single-leaf tree's root is its leaf hash and its proof is empty.
    expect(verifyInclusion(HS[0], 0, 1, [], HS[0])).toBe(true);
    expect(verifyInclusion(HS[0], 0, 1, [HS[1]], HS[0])).toBe(false);
  });

  it('refuses to build proofs for impossible positions', () => {
    expect(() => inclusionProof(HS, 5, 5)).toThrow(RangeError);
    expect(() => inclusionProof(HS, 0, 0)).toThrow(RangeError);
    expect(() => inclusionProof(HS, 0, MAX + 1)).toThrow(RangeError);
  });
});

describe('consistency proofs (all m <= n up to 33)', () => {
  it('verifies every proof and rejects tampering, wrong sizes and wrong roots', () => {
    let checked = 0;
    for (let n = 1; n <= MAX; n++) {
      for (let m = 1; m <= n; m++) {
        const proof = consistencyProof(HS, m, n);
        expect(verifyConsistency(m, n, ROOTS[m], ROOTS[n], proof)).toBe(true);
        if (m === n) {
          expect(proof).toHaveLength(0);
          expect(verifyConsistency(m, n, ROOTS[m], flipByte(ROOTS[n]), proof)).toBe(false);
          checked++;
          continue;
        }
        expect(verifyConsistency(m, n, flipByte(ROOTS[m]), ROOTS[n], proof)).toBe(false);
        expect(verifyConsistency(m, n, ROOTS[m], flipByte(ROOTS[n]), proof)).toBe(false);
        expect(verifyConsistency(m, n, ROOTS[m], ROOTS[n], [])).toBe(false);
        for (let j = 0; j < proof.length; j++) {
          const bad = proof.map((p, k) => (k === j ? flipByte(p, 17) : p));
          expect(verifyConsistency(m, n, ROOTS[m], ROOTS[n], bad)).toBe(false);
        }
        expect(verifyConsistency(m, n, ROOTS[m], ROOTS[n], proof.slice(0, -1))).toBe(false);
        expect(verifyConsistency(m, n, ROOTS[m], ROOTS[n], [...proof, HS[0]])).toBe(false);
        // The same proof must not vouch for other size pairs.
        for (let n2 = m; n2 <= MAX; n2++) {
          if (n2 !== n) expect(verifyConsistency(m, n2, ROOTS[m], ROOTS[n2], proof)).toBe(false);
        }
        for (let m2 = 1; m2 < n; m2++) {
          if (m2 !== m) expect(verifyConsistency(m2, n, ROOTS[m2], ROOTS[n], proof)).toBe(false);
        }
        checked++;
      }
    }
    expect(checked).toBe((MAX * (MAX + 1)) / 2);
  });

  it('handles the empty old tree and malformed input without throwing', () => {
    expect(consistencyProof(HS, 0, 7)).toEqual([]);
    expect(verifyConsistency(0, 7, EMPTY_ROOT, ROOTS[7], [])).toBe(true);
    expect(verifyConsistency(0, 7, ROOTS[1], ROOTS[7], [])).toBe(false);
    expect(verifyConsistency(0, 7, EMPTY_ROOT, ROOTS[7], [HS[0]])).toBe(false);
    expect(verifyConsistency(5, 4, ROOTS[5], ROOTS[4], [])).toBe(false);
    expect(verifyConsistency(-1, 4, ROOTS[1], ROOTS[4], [])).toBe(false);
    expect(verifyConsistency(2, 4, ROOTS[2], ROOTS[4], [Buffer.alloc(3)])).toBe(false);
    expect(() => consistencyProof(HS, 4, 3)).toThrow(RangeError);
    expect(() => consistencyProof(HS, 1, MAX + 1)).toThrow(RangeError);
  });
});

describe('proof ranges for storage-backed callers', () => {
  /** Hash of a perfect subtree, the way a merkle_node(level, idx) table would hold it. */
  const node = (level: number, index: number): Buffer =>
    rangeRoot(HS, index * 2 ** level, (index + 1) * 2 ** level);
  const viaNodes = (r: { start: number; end: number }): Buffer =>
    foldSubtreeRoots(perfectSubtrees(r).map((c) => node(c.level, c.index)));

  it('rebuilds every inclusion and consistency proof from perfect subtrees', () => {
    for (let n = 1; n <= MAX; n++) {
      for (let i = 0; i < n; i++) {
        expect(inclusionProofRanges(i, n).map(viaNodes)).toEqual(inclusionProof(HS, i, n));
      }
      for (let m = 0; m <= n; m++) {
        expect(consistencyProofRanges(m, n).map(viaNodes)).toEqual(consistencyProof(HS, m, n));
      }
    }
  });

  it('decomposes ranges along the bits of their length and rejects misaligned ones', () => {
    expect(perfectSubtrees({ start: 0, end: 13 })).toEqual([
      { level: 3, index: 0 },
      { level: 2, index: 2 },
      { level: 0, index: 12 },
    ]);
    expect(perfectSubtrees({ start: 8, end: 11 })).toEqual([
      { level: 1, index: 4 },
      { level: 0, index: 10 },
    ]);
    // [1, 4) would fold as 1 + 2, but the RFC hashes three leaves as 2 + 1.
    expect(() => perfectSubtrees({ start: 1, end: 4 })).toThrow(RangeError);
    expect(() => perfectSubtrees({ start: 4, end: 4 })).toThrow(RangeError);
  });
});
