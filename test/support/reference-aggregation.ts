/**
 * A plain JS reference of Flink's rolling aggregations on keyed streams, for property tests of
 * the native implementation. Records are arrays (tuples); keys are the values of `keyFields`
 * (one field: that value; several: an array of them) and compare like a JS Map (SameValueZero),
 * which is also what the native table does.
 *
 * Semantics (Flink's DataStream API):
 * - sum(f): field f holds the running sum; the other fields come from the first record of the key.
 * - min(f)/max(f): field f holds the running extreme; the other fields from the first record.
 * - minBy(f)/maxBy(f): the whole record holding the extreme; the first one on ties.
 * - count(): [key, number of records]; avg(f): [key, mean of f].
 * - Comparisons follow Java's Double.compare / Long.compare (NaN above everything, -0 below 0);
 *   LONG sums wrap around at 64 bits like Java's long.
 * STREAMING emits the updated aggregate for every record, BATCH only the final one per key, in
 * the order keys were first seen.
 */
export type AggregationKind = 'sum' | 'min' | 'max' | 'minBy' | 'maxBy' | 'count' | 'avg';

export interface ReferenceSpec {
  keyFields: number[];
  kind: AggregationKind;
  /** The aggregated field (ignored by count). */
  field: number;
  mode: 'STREAMING' | 'BATCH';
}

type Value = number | bigint;

/** Java's Double.compare / Long.compare. */
export function javaCompare(a: Value, b: Value): number {
  if (typeof a === 'bigint' || typeof b === 'bigint') return a < b ? -1 : a > b ? 1 : 0;
  if (a < b) return -1;
  if (a > b) return 1;
  const aNaN = Number.isNaN(a);
  const bNaN = Number.isNaN(b);
  if (aNaN || bNaN) return aNaN === bNaN ? 0 : aNaN ? 1 : -1;
  const aNeg = Object.is(a, -0);
  const bNeg = Object.is(b, -0);
  return aNeg === bNeg ? 0 : aNeg ? -1 : 1;
}

function canonicalKey(record: unknown[], keyFields: number[]): string {
  const parts = keyFields.map((i) => {
    const v = record[i];
    if (typeof v === 'number') return Number.isNaN(v) ? 'n:NaN' : `n:${v === 0 ? 0 : v}`;
    if (typeof v === 'bigint') return `b:${v}`;
    return `${typeof v}:${String(v)}`;
  });
  return JSON.stringify(parts);
}

function keyValue(record: unknown[], keyFields: number[]): unknown {
  return keyFields.length === 1 ? record[keyFields[0]!] : keyFields.map((i) => record[i]);
}

interface State {
  first: unknown[];
  extreme: unknown[];
  acc: Value;
  count: number;
  sum: number;
}

export function referenceAggregate(records: unknown[][], spec: ReferenceSpec): unknown[] {
  const { keyFields, kind, field, mode } = spec;
  const states = new Map<string, State>();
  const out: unknown[] = [];
  const emit = (s: State): unknown => {
    switch (kind) {
      case 'sum':
      case 'min':
      case 'max': {
        const r = s.first.slice();
        r[field] = s.acc;
        return r;
      }
      case 'minBy':
      case 'maxBy':
        return s.extreme.slice();
      case 'count':
        return [keyValue(s.first, keyFields), s.count];
      case 'avg':
        return [keyValue(s.first, keyFields), s.sum / s.count];
    }
  };
  for (const record of records) {
    const k = canonicalKey(record, keyFields);
    let s = states.get(k);
    const v = record[field] as Value;
    if (!s) {
      s = { first: record, extreme: record, acc: v, count: 1, sum: Number(v) };
      states.set(k, s);
    } else {
      s.count++;
      if (kind === 'avg') s.sum += Number(v);
      if (kind === 'sum') s.acc = typeof v === 'bigint' ? BigInt.asIntN(64, (s.acc as bigint) + v) : (s.acc as number) + v;
      if (kind === 'min' && javaCompare(v, s.acc) < 0) s.acc = v;
      if (kind === 'max' && javaCompare(v, s.acc) > 0) s.acc = v;
      if (kind === 'minBy' && javaCompare(v, s.extreme[field] as Value) < 0) s.extreme = record;
      if (kind === 'maxBy' && javaCompare(v, s.extreme[field] as Value) > 0) s.extreme = record;
    }
    if (mode === 'STREAMING') out.push(emit(s));
  }
  if (mode === 'BATCH') for (const s of states.values()) out.push(emit(s));
  return out;
}
