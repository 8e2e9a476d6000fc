import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { createSourceReader, SourceStatus } from '../../../src/runtime/sources/source-reader.js';
import { sequenceSplit } from '../../../src/runtime/sources/sequence-source-reader.js';
import { drainSync } from './drain.js';

function readSubtasks(from: number | bigint, to: number | bigint, parallelism: number, max: number): unknown[][] {
  const out: unknown[][] = [];
  for (let i = 0; i < parallelism; i++) {
    out.push(drainSync(createSourceReader({ kind: 'sequence', from, to }, { subtaskIndex: i, parallelism }), max));
  }
  return out;
}

describe('SequenceSourceReader', () => {
  it('splits number sequences into contiguous, even ranges covering each number once', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.integer({ min: -1000, max: 1000 }), fc.integer({ min: Number.MAX_SAFE_INTEGER - 600, max: Number.MAX_SAFE_INTEGER - 300 }), fc.constant(Number.MIN_SAFE_INTEGER)),
        fc.integer({ min: 0, max: 300 }),
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 1, max: 50 }),
        (from, length, parallelism, max) => {
          const to = from + length - 1 >= from ? from + length - 1 : from;
          const parts = readSubtasks(from, to, parallelism, max);
          const n = to - from + 1;
          const expected = Array.from({ length: n }, (_, k) => from + k);
          assert.deepEqual(parts.flat(), expected);
          const q = Math.floor(n / parallelism);
          parts.forEach((part, i) => {
            assert.equal(part.length, q + (i < n % parallelism ? 1 : 0));
            for (const v of part) assert.equal(typeof v, 'number');
          });
        },
      ),
      { seed: 7, numRuns: 300 },
    );
  });

  it('splits bigint sequences beyond 64 bits the same way, emitting bigints', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(1n << 80n), max: 1n << 80n }), fc.integer({ min: 1, max: 200 }), fc.integer({ min: 1, max: 8 }), (from, length, parallelism) => {
        const to = from + BigInt(length) - 1n;
        const parts = readSubtasks(from, to, parallelism, 13);
        assert.deepEqual(parts.flat(), Array.from({ length }, (_, k) => from + BigInt(k)));
        const sizes = parts.map((p) => p.length);
        assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1);
        assert.deepEqual(sizes, [...sizes].sort((a, b) => b - a), 'larger ranges first, as Flink splits');
      }),
      { seed: 8, numRuns: 200 },
    );
  });

  it('computes exact split bounds for huge ranges without enumerating them', () => {
    const from = -(1n << 63n);
    const to = (1n << 63n) - 1n;
    let next = from;
    for (let i = 0; i < 7; i++) {
      const { first, last } = sequenceSplit(from, to, i, 7);
      assert.equal(first, next);
      next = last + 1n;
    }
    assert.equal(next, to + 1n);
  });

  it('emits at most max records per poll and gives empty ranges to extra subtasks', () => {
    const reader = createSourceReader({ kind: 'sequence', from: 1, to: 5 }, { subtaskIndex: 0, parallelism: 1 });
    const got: unknown[] = [];
    const push = (r: unknown): void => void got.push(r);
    assert.equal(reader.poll(2, push), SourceStatus.MORE);
    assert.deepEqual(got, [1, 2]);
    assert.equal(reader.poll(3, push), SourceStatus.END);
    assert.deepEqual(got, [1, 2, 3, 4, 5]);
    assert.deepEqual(readSubtasks(10, 11, 4, 5), [[10], [11], [], []]);
  });
});
