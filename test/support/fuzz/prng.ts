/** mulberry32: a tiny seeded PRNG, so a failing fuzz case reproduces from the printed seed. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Seeded choices; `fork(label)` gives an independent stream per operation so adding one doesn't reshuffle the rest. */
export class Rng {
  private readonly next: () => number;

  constructor(readonly seed: number) {
    this.next = mulberry32(seed);
  }

  float(): number {
    return this.next();
  }

  /** integer in [0, n) */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  between(min: number, max: number): number {
    return min + this.int(max - min + 1);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (!items.length) throw new Error('pick from an empty list');
    return items[this.int(items.length)];
  }

  /** `n` distinct items (or all of them), order shuffled */
  sample<T>(items: readonly T[], n: number): T[] {
    const copy = [...items];
    for (let i = copy.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [copy[i], copy[j]] = [copy[j], copy[i]];
    }
    return copy.slice(0, n);
  }

  uuid(): string {
    const hex = Array.from({ length: 32 }, () => this.int(16).toString(16)).join('');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${'89ab'[this.int(4)]}${hex.slice(17, 20)}-${hex.slice(20)}`;
  }

  word(len = 8): string {
    const abc = 'abcdefghijklmnopqrstuvwxyz';
    return Array.from({ length: len }, () => abc[this.int(abc.length)]).join('');
  }

  fork(label: string): Rng {
    let h = this.seed ^ 0x9e3779b9;
    for (let i = 0; i < label.length; i++) h = Math.imul(h ^ label.charCodeAt(i), 0x01000193);
    return new Rng(h >>> 0);
  }
}

/** FUZZ_SEED from the environment (decimal), else a fresh one; always printed by the suite. */
export function fuzzSeed(): number {
  const raw = process.env.FUZZ_SEED;
  if (raw && /^\d+$/.test(raw)) return Number(raw) >>> 0;
  return (Date.now() ^ (process.pid << 16)) >>> 0;
}

/**
 * The seeds of one run: FUZZ_SEED first, then FUZZ_SEEDS - 1 more drawn from it (CI: one seed).
 * A sweep boots the app once for all of them; each failing seed reproduces alone with FUZZ_SEED.
 */
export function fuzzSeeds(): number[] {
  const raw = process.env.FUZZ_SEEDS ?? '1';
  if (!/^[1-9]\d{0,4}$/.test(raw))
    throw new Error(`FUZZ_SEEDS must be a whole number from 1 to 99999, not "${raw}"`);
  const first = fuzzSeed();
  const draw = new Rng(first).fork('seeds');
  const seeds = new Set([first]);
  while (seeds.size < Number(raw)) seeds.add(Math.floor(draw.float() * 2 ** 32) >>> 0);
  return [...seeds];
}
