/**
 * The seeded PRNG tests draw from, so they draw the same values on every run: the benchmarks'
 * mulberry32 (one copy; benchmarks cannot import test code, so the tests import theirs).
 */
export { seededRandom as prng } from '../../bench/lib/zipf.js';
