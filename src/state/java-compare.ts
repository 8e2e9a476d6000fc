/**
 * Java's `Double.compare` / `Long.compare` on JS values, which Flink's min/max/minBy/maxBy use:
 * numeric order, then -0 below 0 and NaN above everything. bigints (LONG) compare exactly.
 */
export function javaCompare(a: number | bigint, b: number | bigint): number {
  if (a < b) return -1;
  if (a > b) return 1;
  if (typeof a === 'bigint' || typeof b === 'bigint') return 0;
  const aNaN = a !== a;
  const bNaN = b !== b;
  if (aNaN || bNaN) return aNaN === bNaN ? 0 : aNaN ? 1 : -1;
  if (a === 0 && b === 0) {
    const aNeg = 1 / a < 0;
    const bNeg = 1 / b < 0;
    return aNeg === bNeg ? 0 : aNeg ? -1 : 1;
  }
  return 0;
}
