import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { JsKeyedAggregation } from '../../src/state/js-keyed-aggregation.js';
import { referenceAggregate, type AggregationKind } from '../support/reference-aggregation.js';

const KINDS: AggregationKind[] = ['sum', 'min', 'max', 'minBy', 'maxBy', 'count', 'avg'];

function run(records: unknown[][], kind: AggregationKind, mode: 'STREAMING' | 'BATCH') {
  const out: unknown[] = [];
  const aggregation = new JsKeyedAggregation({
    operatorName: 'js-aggregation',
    aggregation: kind,
    field: 1,
    keySelector: (r) => (r as [string])[0],
    mode,
    maxParallelism: 128,
    emit: (r) => out.push(r),
  });
  for (const r of records) aggregation.process(r);
  aggregation.finish();
  return out;
}

test('JS aggregations (selector keys) match the reference, numbers and bigints, STREAMING and BATCH', () => {
  const key = fc.constantFrom('a', 'b', 'c', '');
  fc.assert(
    fc.property(
      fc.oneof(
        fc.array(fc.tuple(key, fc.oneof(fc.double(), fc.constantFrom(0, -0, NaN)), fc.string({ maxLength: 2 })), { maxLength: 40 }),
        fc.array(fc.tuple(key, fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), fc.string({ maxLength: 2 })), { maxLength: 40 }),
      ),
      fc.constantFrom(...KINDS),
      fc.constantFrom('STREAMING' as const, 'BATCH' as const),
      (records, kind, mode) => {
        const expected = referenceAggregate(records, { keyFields: [0], kind, field: 1, mode });
        assert.deepStrictEqual(run(records, kind, mode), expected);
      },
    ),
    { seed: 0x5eed, numRuns: 300 },
  );
});

test('a non-numeric aggregated field is a clear error naming the operator', () => {
  assert.throws(() => run([['a', 'x'], ['a', 'y']], 'sum', 'STREAMING'), /sum field 1 of operator 'js-aggregation'/);
});
