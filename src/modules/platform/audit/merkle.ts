// RFC 6962 / RFC 9162 Merkle tree: hashing, roots, inclusion and consistency proofs.
// Pure functions over SHA-256 (node:crypto only), so the auditor CLI, the sequencer and tests share one
// implementation. Tree sizes and indices are plain numbers checked with Number.isSafeInteger; bit
// tricks use arithmetic, not `>>`/`&`, because JS bitwise operators truncate to 32 bits.

import { hash } from 'node:crypto';

/** SHA-256 output length; every leaf, node and root hash is this long. */
export const HASH_SIZE = 32;

const LEAF_PREFIX = Buffer.from([0x00]);
/** Reused input buffer for node hashes: hashing is synchronous, and one-shot hash() is ~40% faster than createHash. */
const NODE_INPUT = Buffer.alloc(1 + 2 * HASH_SIZE);
NODE_INPUT[0] = 0x01;

/** MTH({}) = SHA-256 of the empty string (RFC 9162 §2.1.1). */
export const EMPTY_ROOT: Buffer = hash('sha256', Buffer.alloc(0), 'buffer');

/** A half-open range of leaf indices [start, end) whose Merkle Tree Hash is one proof element. */
export interface LeafRange {
  start: number;
  end: number;
}

/** A perfect subtree: leaves [index * 2^level, (index + 1) * 2^level). Matches `merkle_node(level, idx)`. */
export interface SubtreeCoord {
  level: number;
  index: number;
}

/** Leaf hash: SHA-256(0x00 || data). The 0x00/0x01 prefixes stop a leaf being passed off as an inner node. */
export function leafHash(data: Buffer): Buffer {
  return hash('sha256', Buffer.concat([LEAF_PREFIX, data]), 'buffer');
}

/** Interior node hash: SHA-256(0x01 || left || right). Both children must be 32-byte hashes. */
export function nodeHash(left: Buffer, right: Buffer): Buffer {
  assertHash(left);
  assertHash(right);
  left.copy(NODE_INPUT, 1);
  right.copy(NODE_INPUT, 1 + HASH_SIZE);
  return hash('sha256', NODE_INPUT, 'buffer');
}

function assertSize(name: string, n: number, min = 0): void {
  if (!Number.isSafeInteger(n) || n < min) {
    throw new RangeError(`${name} must be a safe integer >= ${min}, got ${n}`);
  }
}

function isOdd(n: number): boolean {
  return n % 2 === 1;
}

function half(n: number): number {
  return Math.floor(n / 2);
}

/** Largest power of two strictly less than n (n >= 2): the RFC split point k. */
function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** Largest power of two less than or equal to n (n >= 1). */
function floorPow2(n: number): number {
  let k = 1;
  while (k * 2 <= n) k *= 2;
  return k;
}

/**
 * Incremental Merkle tree state: the roots of the perfect subtrees covering [0, size), left to right,
 * one per set bit of `size`. O(log n) memory and amortised O(1) hashes per append, so a sequencer can
 * persist it next to a tree head and extend it without re-reading old leaves.
 */
export class CompactRange {
  private readonly nodes: Buffer[];
  private count: number;

  constructor(size = 0, subtreeRoots: readonly Buffer[] = []) {
    assertSize('size', size);
    let bits = 0;
    for (let s = size; s > 0; s = half(s)) if (isOdd(s)) bits++;
    if (subtreeRoots.length !== bits) {
      throw new RangeError(
        `a compact range of size ${size} needs ${bits} subtree roots, got ${subtreeRoots.length}`,
      );
    }
    for (const h of subtreeRoots) assertHash(h);
    this.count = size;
    this.nodes = subtreeRoots.map((h) => Buffer.from(h));
  }

  get size(): number {
    return this.count;
  }

  /** Copies of the perfect-subtree roots, largest (leftmost) first. */
  get subtreeRoots(): Buffer[] {
    return this.nodes.map((h) => Buffer.from(h));
  }

  append(leaf: Buffer): void {
    assertHash(leaf);
    if (!Number.isSafeInteger(this.count + 1)) throw new RangeError('tree size overflow');
    this.nodes.push(Buffer.from(leaf));
    // Each trailing 1 bit of the old size is a same-sized left sibling waiting to be merged.
    for (let s = this.count; isOdd(s); s = half(s)) {
      const right = this.nodes.pop() as Buffer;
      const left = this.nodes.pop() as Buffer;
      this.nodes.push(nodeHash(left, right));
    }
    this.count++;
  }

  appendAll(leaves: Iterable<Buffer>): void {
    for (const h of leaves) this.append(h);
  }

  /** MTH of the leaves appended so far. */
  root(): Buffer {
    return foldSubtreeRoots(this.nodes);
  }

  clone(): CompactRange {
    return new CompactRange(this.count, this.nodes);
  }
}

/**
 * Folds perfect-subtree roots (left to right, strictly decreasing sizes) right to left into the MTH of
 * their concatenation. This equals the RFC's "split at the largest power of two" recursion.
 */
export function foldSubtreeRoots(roots: readonly Buffer[]): Buffer {
  if (roots.length === 0) return Buffer.from(EMPTY_ROOT);
  let acc = roots[roots.length - 1];
  for (let i = roots.length - 2; i >= 0; i--) acc = nodeHash(roots[i], acc);
  return Buffer.from(acc);
}

/** MTH(D[start:end]) over precomputed leaf hashes, iteratively (no recursion, fine for millions of leaves). */
export function rangeRoot(hashes: readonly Buffer[], start: number, end: number): Buffer {
  assertSize('start', start);
  assertSize('end', end);
  if (start > end || end > hashes.length) {
    throw new RangeError(`range [${start}, ${end}) outside 0..${hashes.length}`);
  }
  // Same merge rule as CompactRange.append, minus the defensive copies (hot path for proofs over arrays).
  const stack: Buffer[] = [];
  for (let i = start; i < end; i++) {
    assertHash(hashes[i]);
    stack.push(hashes[i]);
    for (let s = i - start; isOdd(s); s = half(s)) {
      const right = stack.pop() as Buffer;
      const left = stack.pop() as Buffer;
      stack.push(nodeHash(left, right));
    }
  }
  return foldSubtreeRoots(stack);
}

/** MTH(D[n]) of a whole list of leaf hashes. O(n) time, O(log n) extra memory. */
export function rootFromLeafHashes(hashes: readonly Buffer[]): Buffer {
  return rangeRoot(hashes, 0, hashes.length);
}

/**
 * Splits a proof range into perfect subtrees so a DB-backed service can read `merkle_node(level, idx)`
 * and combine them with foldSubtreeRoots. Only valid for ranges whose start is a multiple of the largest
 * power of two <= their length — true for every range produced by the *ProofRanges functions; other
 * ranges would fold into a different shape than the RFC's MTH, so they are rejected.
 */
export function perfectSubtrees(range: LeafRange): SubtreeCoord[] {
  const { start, end } = range;
  assertSize('start', start);
  assertSize('end', end);
  if (end <= start) throw new RangeError(`empty or inverted range [${start}, ${end})`);
  if (start % floorPow2(end - start) !== 0) {
    throw new RangeError(`range [${start}, ${end}) is not aligned like an RFC 9162 subtree`);
  }
  const out: SubtreeCoord[] = [];
  let pos = start;
  let remaining = end - start;
  // After the first (largest) piece the position stays aligned, so the pieces follow the bits of `remaining`.
  for (let width = floorPow2(remaining), level = Math.log2(width); remaining > 0; width /= 2, level--) {
    if (width <= remaining) {
      out.push({ level, index: pos / width });
      pos += width;
      remaining -= width;
    }
  }
  return out;
}

/**
 * The leaf ranges whose MTHs form PATH(index, D[treeSize]) (RFC 9162 §2.1.3.1), ordered from the leaf
 * upwards as the proof is. Separated from hashing so storage-backed callers can fetch nodes however they like.
 */
export function inclusionProofRanges(index: number, treeSize: number): LeafRange[] {
  assertSize('treeSize', treeSize, 1);
  assertSize('index', index);
  if (index >= treeSize) throw new RangeError(`index ${index} is outside a tree of size ${treeSize}`);
  const out: LeafRange[] = [];
  // Walk down from the root, then reverse: the proof lists siblings bottom-up.
  let lo = 0;
  let hi = treeSize;
  let m = index;
  while (hi - lo > 1) {
    const k = splitPoint(hi - lo);
    if (m < k) {
      out.push({ start: lo + k, end: hi });
      hi = lo + k;
    } else {
      out.push({ start: lo, end: lo + k });
      lo += k;
      m -= k;
    }
  }
  return out.reverse();
}

/**
 * The leaf ranges whose MTHs form PROOF(m, D[n]) = SUBPROOF(m, D[n], true) (RFC 9162 §2.1.4.1).
 * m == n and m == 0 give an empty proof (nothing to prove).
 */
export function consistencyProofRanges(m: number, n: number): LeafRange[] {
  assertSize('n', n);
  assertSize('m', m);
  if (m > n) throw new RangeError(`old size ${m} is larger than new size ${n}`);
  if (m === 0 || m === n) return [];
  const out: LeafRange[] = [];
  // Iterative SUBPROOF: appended elements come out deepest-last, so collect top-down then reverse.
  let lo = 0;
  let hi = n;
  let mm = m;
  let b = true;
  while (mm !== hi - lo) {
    const k = splitPoint(hi - lo);
    if (mm <= k) {
      out.push({ start: lo + k, end: hi });
      hi = lo + k;
    } else {
      out.push({ start: lo, end: lo + k });
      lo += k;
      mm -= k;
      b = false;
    }
  }
  // SUBPROOF(m, D[m], b): the old tree's own root is only needed when it is not the whole old tree.
  if (!b) out.push({ start: lo, end: hi });
  return out.reverse();
}

/** PATH(index, D[treeSize]) over an array of leaf hashes (hashes may be longer than treeSize). */
export function inclusionProof(hashes: readonly Buffer[], index: number, treeSize: number): Buffer[] {
  assertSize('treeSize', treeSize, 1);
  if (treeSize > hashes.length) throw new RangeError(`treeSize ${treeSize} exceeds ${hashes.length} leaves`);
  return inclusionProofRanges(index, treeSize).map((r) => rangeRoot(hashes, r.start, r.end));
}

/** PROOF(m, D[n]) over an array of leaf hashes (hashes may be longer than n). */
export function consistencyProof(hashes: readonly Buffer[], m: number, n: number): Buffer[] {
  assertSize('n', n);
  if (n > hashes.length) throw new RangeError(`n ${n} exceeds ${hashes.length} leaves`);
  return consistencyProofRanges(m, n).map((r) => rangeRoot(hashes, r.start, r.end));
}

function assertHash(h: Buffer): void {
  if (!Buffer.isBuffer(h) || h.length !== HASH_SIZE)
    throw new RangeError(`expected a ${HASH_SIZE}-byte hash`);
}

function isHash(h: unknown): h is Buffer {
  return Buffer.isBuffer(h) && h.length === HASH_SIZE;
}

function validCount(n: unknown): n is number {
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
}

/**
 * RFC 9162 §2.1.3.2. Returns false (never throws) on any malformed input, since proofs come from
 * untrusted parties.
 */
export function verifyInclusion(
  leaf: Buffer,
  index: number,
  treeSize: number,
  proof: readonly Buffer[],
  root: Buffer,
): boolean {
  if (!isHash(leaf) || !isHash(root) || !Array.isArray(proof)) return false;
  if (!validCount(index) || !validCount(treeSize) || index >= treeSize) return false;
  let fn = index;
  let sn = treeSize - 1;
  let r = leaf;
  for (const p of proof) {
    if (!isHash(p) || sn === 0) return false;
    if (isOdd(fn) || fn === sn) {
      r = nodeHash(p, r);
      // Skip levels where this node has no right sibling (right edge of an unbalanced tree).
      if (!isOdd(fn)) {
        while (!isOdd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && r.equals(root);
}

/**
 * RFC 9162 §2.1.4.2, extended with the trivial cases the RFC leaves out: m == n needs an empty proof and
 * equal roots; m == 0 needs an empty proof and rootM equal to the empty-tree hash.
 */
export function verifyConsistency(
  m: number,
  n: number,
  rootM: Buffer,
  rootN: Buffer,
  proof: readonly Buffer[],
): boolean {
  if (!isHash(rootM) || !isHash(rootN) || !Array.isArray(proof)) return false;
  if (!validCount(m) || !validCount(n) || m > n) return false;
  if (!proof.every(isHash)) return false;
  if (m === 0) return proof.length === 0 && rootM.equals(EMPTY_ROOT);
  if (m === n) return proof.length === 0 && rootM.equals(rootN);
  if (proof.length === 0) return false;

  // When m is a power of two the old root is itself a node of the new tree, so the proof omits it.
  const path = isPow2(m) ? [rootM, ...proof] : [...proof];
  let fn = m - 1;
  let sn = n - 1;
  while (isOdd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  let fr = path[0];
  let sr = path[0];
  for (let i = 1; i < path.length; i++) {
    const c = path[i];
    if (sn === 0) return false;
    if (isOdd(fn) || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (!isOdd(fn)) {
        while (!isOdd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && fr.equals(rootM) && sr.equals(rootN);
}

function isPow2(n: number): boolean {
  return n >= 1 && floorPow2(n) === n;
}
