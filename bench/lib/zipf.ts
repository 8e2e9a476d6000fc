/**
 * Seeded Zipf-distributed key streams, like words in text: key rank r (1-based) is drawn with
 * probability proportional to 1 / r^s. Deterministic for a given seed, so every benchmark of a
 * run (and its baseline) sees the same stream.
 */

/** mulberry32: a small, fast, seeded PRNG returning floats in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * `count` ranks in [0, distinct) drawn from Zipf(s) with a seeded PRNG (inverse CDF over a
 * precomputed cumulative table, binary search per draw).
 */
export function zipfRanks(distinct: number, count: number, seed = 42, s = 1): Uint32Array {
  const cdf = new Float64Array(distinct);
  let total = 0;
  for (let r = 0; r < distinct; r++) {
    total += 1 / Math.pow(r + 1, s);
    cdf[r] = total;
  }
  const random = seededRandom(seed);
  const out = new Uint32Array(count);
  for (let i = 0; i < count; i++) {
    const u = random() * total;
    let lo = 0;
    let hi = distinct - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cdf[mid]! < u) lo = mid + 1;
      else hi = mid;
    }
    out[i] = lo;
  }
  return out;
}

/** A word-like key for rank r: short for frequent ranks, longer for rare ones (2..12 chars). */
export function wordForRank(r: number): string {
  return `w${r.toString(36)}`.padEnd(2 + Math.min(10, Math.floor(Math.log2(r + 2))), 'x');
}
