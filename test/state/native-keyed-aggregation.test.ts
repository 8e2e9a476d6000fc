import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { CorruptRecordError, ManagedMemoryExceededError } from '../../src/errors.js';
import { ManagedMemory } from '../../src/memory/managed-memory.js';
import { NativeKeyedAggregation, type NativeKeyedAggregationOptions } from '../../src/state/native-keyed-aggregation.js';
import { Types, type TypeInformation } from '../../src/types/type-information.js';
import { frameRecords, unframeRecords } from '../support/frames.js';
import { referenceAggregate, type AggregationKind } from '../support/reference-aggregation.js';

const KINDS: AggregationKind[] = ['sum', 'min', 'max', 'minBy', 'maxBy', 'count', 'avg'];
const SEED = 0x5eed;

/** Runs the native aggregation over `frames`, fed in chunks cut at `cuts`; returns decoded outputs. */
function runNative(
  options: Omit<NativeKeyedAggregationOptions, 'output' | 'managedMemory' | 'operatorName' | 'maxParallelism'> & { managedMemory?: ManagedMemory },
  frames: Buffer,
  cuts: number[] = [],
): { outputs: unknown[]; aggregation: NativeKeyedAggregation } {
  const chunks: Buffer[] = [];
  const aggregation = new NativeKeyedAggregation({
    maxParallelism: 128,
    operatorName: 'test-aggregation',
    managedMemory: options.managedMemory ?? ManagedMemory.create(64 << 20),
    ...options,
    output: (bytes, start, end) => chunks.push(Buffer.from(bytes.subarray(start, end))),
  });
  // Each feed stops before a record its cut splits; the next one starts there (as RecordReader
  // hands such a record over whole).
  let pos = 0;
  for (const cut of [...cuts.filter((c) => c > 0 && c < frames.length)].sort((a, b) => a - b).concat(frames.length)) {
    if (cut > pos) pos = aggregation.feed(frames, pos, cut);
  }
  assert.equal(pos, frames.length, 'every record was fed whole');
  aggregation.finish();
  return { outputs: unframeRecords(aggregation.outputType, Buffer.concat(chunks)), aggregation };
}

/** Deep equality where NaN equals NaN and -0 differs from 0, like the serialized bytes. */
function assertSameValues(actual: unknown, expected: unknown, message: string) {
  assert.deepStrictEqual(actual, expected, message);
}

const key = fc.oneof(fc.constantFrom('a', 'b', 'c', '', 'héllo', '🦀'), fc.string({ maxLength: 6 }));
const double = fc.oneof(
  fc.integer({ min: -5, max: 5 }),
  fc.double({ noDefaultInfinity: false }),
  fc.constantFrom(0, -0, NaN, Infinity, -Infinity),
);
const long = fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });

test('every aggregation over TUPLE(STRING, DOUBLE) matches the JS reference, STREAMING and BATCH', () => {
  const type = Types.TUPLE(Types.STRING, Types.DOUBLE);
  fc.assert(
    fc.property(
      fc.array(fc.tuple(key, double), { maxLength: 60 }),
      fc.constantFrom(...KINDS),
      fc.constantFrom('STREAMING' as const, 'BATCH' as const),
      fc.array(fc.nat(2000), { maxLength: 4 }),
      (records, kind, mode, cuts) => {
        const expected = referenceAggregate(records, { keyFields: [0], kind, field: 1, mode });
        const { outputs } = runNative({ type, keyFields: [0], aggregation: kind, field: 1, mode }, frameRecords(type, records), cuts);
        assertSameValues(outputs, expected, `${kind} ${mode}`);
      },
    ),
    { seed: SEED, numRuns: 300 },
  );
});

test('LONG fields wrap like Java longs; records with other fields keep the first (or extreme) record', () => {
  const type = Types.TUPLE(Types.LONG, Types.STRING, Types.LONG, Types.BOOLEAN);
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.bigInt({ min: -2n, max: 2n }), fc.string({ maxLength: 4 }), long, fc.boolean()), { maxLength: 50 }),
      fc.constantFrom(...KINDS),
      fc.constantFrom('STREAMING' as const, 'BATCH' as const),
      (records, kind, mode) => {
        const expected = referenceAggregate(records, { keyFields: [0], kind, field: 2, mode });
        const { outputs } = runNative({ type, keyFields: [0], aggregation: kind, field: 2, mode }, frameRecords(type, records));
        assertSameValues(outputs, expected, `${kind} ${mode}`);
      },
    ),
    { seed: SEED, numRuns: 200 },
  );
});

test('composite keys, field names of rows, and records longer than the output buffer', () => {
  const type = Types.ROW({ region: Types.STRING, amount: Types.DOUBLE, shop: Types.LONG, note: Types.STRING });
  const rowToTuple = (r: { region: string; amount: number; shop: bigint; note: string }) => [r.region, r.amount, r.shop, r.note];
  fc.assert(
    fc.property(
      fc.array(
        fc.record({
          region: fc.constantFrom('north', 'south'),
          amount: double,
          shop: fc.bigInt({ min: 0n, max: 2n }),
          note: fc.oneof(fc.string({ maxLength: 3 }), fc.constant('n'.repeat(5000))),
        }),
        { maxLength: 40 },
      ),
      fc.constantFrom(...KINDS),
      fc.constantFrom('STREAMING' as const, 'BATCH' as const),
      (rows, kind, mode) => {
        const expected = referenceAggregate(rows.map(rowToTuple), { keyFields: [0, 2], kind, field: 1, mode });
        const { outputs } = runNative(
          { type, keyFields: ['region', 'shop'], aggregation: kind, field: 'amount', mode, outputBufferSize: 64 },
          frameRecords(type, rows),
        );
        const normalized = kind === 'count' || kind === 'avg' ? outputs : (outputs as Array<Parameters<typeof rowToTuple>[0]>).map(rowToTuple);
        assertSameValues(normalized, expected, `${kind} ${mode}`);
      },
    ),
    { seed: SEED, numRuns: 150 },
  );
});

test('snapshot, restore, continue gives the same results as without the snapshot', () => {
  const type = Types.TUPLE(Types.STRING, Types.DOUBLE);
  fc.assert(
    fc.property(fc.array(fc.tuple(key, double), { minLength: 1, maxLength: 60 }), fc.nat(60), fc.constantFrom(...KINDS), (records, at, kind) => {
      const split = at % (records.length + 1);
      const first = records.slice(0, split);
      const rest = records.slice(split);
      const whole = runNative({ type, keyFields: [0], aggregation: kind, field: 1, mode: 'STREAMING' }, frameRecords(type, records)).outputs;
      const before = runNative({ type, keyFields: [0], aggregation: kind, field: 1, mode: 'STREAMING' }, frameRecords(type, first));
      // Restore by key-group halves into a fresh aggregation, then continue.
      const snapshots = [before.aggregation.snapshot(0, 63), before.aggregation.snapshot(64, 127)];
      const chunks: Buffer[] = [];
      const resumed = new NativeKeyedAggregation({
        type, keyFields: [0], aggregation: kind, field: 1, mode: 'STREAMING', maxParallelism: 128,
        managedMemory: ManagedMemory.create(64 << 20), operatorName: 'resumed',
        output: (bytes, start, end) => chunks.push(Buffer.from(bytes.subarray(start, end))),
      });
      for (const s of snapshots) resumed.restore(s);
      assert.equal(resumed.stats().keys, before.aggregation.stats().keys);
      resumed.feed(frameRecords(type, rest), 0, frameRecords(type, rest).length);
      resumed.finish();
      assertSameValues([...before.outputs, ...unframeRecords(resumed.outputType, Buffer.concat(chunks))], whole, kind);
    }),
    { seed: SEED, numRuns: 150 },
  );
});

test('state beyond the managed memory budget fails with a clear error; closing returns the memory', () => {
  const type = Types.TUPLE(Types.STRING, Types.DOUBLE);
  const memory = ManagedMemory.create(256 * 1024);
  const frames = frameRecords(type, Array.from({ length: 50_000 }, (_, i): [string, number] => [`key-${i}`, i]));
  const aggregation = new NativeKeyedAggregation({
    type, keyFields: [0], aggregation: 'sum', field: 1, mode: 'BATCH', maxParallelism: 128,
    managedMemory: memory, operatorName: 'big-sum', output: () => {},
  });
  assert.throws(
    () => aggregation.feed(frames, 0, frames.length),
    (error: unknown) => {
      assert.ok(error instanceof ManagedMemoryExceededError);
      assert.equal(error.code, 'ERR_MANAGED_MEMORY_EXCEEDED');
      assert.match(error.message, /Operator 'big-sum' needs \d+ more bytes of managed memory/);
      assert.match(error.message, /Increase 'taskmanager\.memory\.managed\.size'/);
      assert.ok(error.bytesNeeded > 0);
      return true;
    },
  );
  const usage = memory.usage();
  assert.ok(usage.used > 0 && usage.used <= usage.budget, 'the budget is never exceeded');
  aggregation.close();
  assert.equal(memory.usage().used, 0, 'closing returns every byte');
  const { outputs } = runNative({ type, keyFields: [0], aggregation: 'count', mode: 'BATCH', managedMemory: memory }, frameRecords(type, [['x', 1], ['x', 2]]));
  assert.deepEqual(outputs, [['x', 2]]);
});

test('corrupt bytes and bad options give clear errors, never a crash', () => {
  const type = Types.TUPLE(Types.STRING, Types.DOUBLE);
  const good = frameRecords(type, [['a', 1]]);
  const corrupt = Buffer.from(good);
  corrupt.writeInt32LE(50, 5); // string length beyond the record
  assert.throws(() => runNative({ type, keyFields: [0], aggregation: 'sum', field: 1, mode: 'STREAMING' }, corrupt), CorruptRecordError);
  // A record cut by the end of the bytes is not aggregated: feed stops before it and says where
  // (RecordReader hands it over whole once the rest arrived, and fails the input if it never does).
  const truncated = good.subarray(0, good.length - 2);
  const partial = new NativeKeyedAggregation({
    type, keyFields: [0], aggregation: 'sum', field: 1, mode: 'STREAMING', maxParallelism: 128,
    managedMemory: ManagedMemory.create(1 << 20), operatorName: 'cut', output: () => assert.fail('a cut record was aggregated'),
  });
  assert.equal(partial.feed(truncated, 0, truncated.length), 0, 'feed stops before the cut record');
  partial.close();
  assert.throws(() => runNative({ type, keyFields: [0], aggregation: 'sum', field: 0, mode: 'STREAMING' }, good), TypeError);
  assert.throws(() => runNative({ type, keyFields: [1], aggregation: 'sum', field: 1, mode: 'STREAMING' }, good), RangeError);
  assert.throws(() => runNative({ type, keyFields: [5], aggregation: 'count', mode: 'STREAMING' }, good), RangeError);
  assert.throws(() => runNative({ type: Types.GENERIC as TypeInformation<unknown>, keyFields: [0], aggregation: 'count', mode: 'STREAMING' }, good), TypeError);
  const other = runNative({ type, keyFields: [0], aggregation: 'max', field: 1, mode: 'STREAMING' }, good).aggregation;
  const target = runNative({ type, keyFields: [0], aggregation: 'min', field: 1, mode: 'STREAMING' }, Buffer.alloc(0)).aggregation;
  assert.throws(() => target.restore(other.snapshot()), CorruptRecordError);
  const damaged = other.snapshot();
  damaged[damaged.length - 3]! ^= 0xff;
  assert.throws(() => runNative({ type, keyFields: [0], aggregation: 'max', field: 1, mode: 'STREAMING' }, Buffer.alloc(0)).aggregation.restore(damaged), CorruptRecordError);
});

test('emitFinal checks its record budget: a RangeError for less than one record', () => {
  const { aggregation } = runNative({ type: Types.TUPLE(Types.STRING, Types.DOUBLE), keyFields: [0], aggregation: 'sum', field: 1, mode: 'BATCH' }, frameRecords(Types.TUPLE(Types.STRING, Types.DOUBLE), [['a', 1]]));
  const native = (aggregation as unknown as { native: { emitFinal(o: Uint8Array, s: number, e: number, r: Int32Array, n?: number): void } }).native;
  assert.throws(() => native.emitFinal(Buffer.alloc(64), 0, 64, new Int32Array(5), 0), RangeError);
  native.emitFinal(Buffer.alloc(64), 0, 64, new Int32Array(5), 1); // every final is out already: nothing to do
  aggregation.close();
});
