/**
 * Random numbers for the random partitioners (rebalance start, shuffle), injectable so tests are
 * deterministic.
 *
 * A `RandomSource` returns a float in [0, 1), like `Math.random` (the default). Copies of a
 * partitioner share their source, so seeded copies still start at different channels.
 */

/** A function returning uniformly distributed floats in [0, 1). */
export type RandomSource = () => number;

/**
 * A seeded PRNG (mulberry32: 32-bit state, period 2^32), good enough for spreading records;
 * not for cryptography. Same seed, same sequence.
 */
export function seededRandom(seed: number): RandomSource {
  let state = seed | 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Uniform integer in [0, bound) from `random`. */
export function nextInt(random: RandomSource, bound: number): number {
  return Math.floor(random() * bound);
}
