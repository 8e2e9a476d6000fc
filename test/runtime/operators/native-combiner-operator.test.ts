import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { ManagedMemory } from '../../../src/memory/managed-memory.js';
import { NativeCombinerOperator } from '../../../src/runtime/operators/native-combiner-operator.js';
import { FRESH_STATE, NO_TIMESTAMP } from '../../../src/runtime/operators/stream-operator.js';
import { Types } from '../../../src/types/type-information.js';
import { CollectingOutput } from '../../support/collecting-output.js';
import { referenceAggregate } from '../../support/reference-aggregation.js';

/**
 * The combiner's partials, aggregated again downstream, give the same finals as aggregating
 * every record: checked by running the reference over the partials.
 */
test('combined partials re-aggregate to the same BATCH result, also when the table flushes early', () => {
  const type = Types.TUPLE(Types.STRING, Types.DOUBLE, Types.STRING);
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.constantFrom('a', 'b', 'c', 'd', 'é', ''), fc.integer({ min: -50, max: 50 }), fc.constantFrom('x', 'y')), { maxLength: 300 }),
      fc.constantFrom('sum' as const, 'min' as const, 'max' as const),
      fc.integer({ min: 1, max: 8 }),
      (records, aggregation, maxKeys) => {
        const output = new CollectingOutput();
        const memory = ManagedMemory.create(16 << 20);
        const combiner = new NativeCombinerOperator(
          {
          type,
          keyFields: [0],
          aggregation,
          field: 1,
          maxParallelism: 128,
          managedMemory: memory,
          operatorName: 'combine-test',
          maxKeys,
          },
          output,
        );
        combiner.initializeState(FRESH_STATE);
        combiner.open();
        for (const r of records) combiner.processElement(r, NO_TIMESTAMP);
        combiner.finish();
        combiner.close();
        assert.equal(memory.usage().used, 0, 'the combiner returns its managed memory');
        const partials = output.values as unknown[][];
        assert.ok(output.emitted.every((e) => e.kind === 'record' && e.timestamp === NO_TIMESTAMP), 'partials carry no timestamp');
        const direct = referenceAggregate(records, { keyFields: [0], kind: aggregation, field: 1, mode: 'BATCH' });
        const combined = referenceAggregate(partials, { keyFields: [0], kind: aggregation, field: 1, mode: 'BATCH' });
        const byKey = (rows: unknown[]) => new Map((rows as unknown[][]).map((r) => [r[0], r[1]]));
        assert.deepEqual(byKey(combined), byKey(direct));
        if (maxKeys >= 6) assert.ok(partials.length <= new Set(records.map((r) => r[0])).size, 'one partial per key');
      },
    ),
    { seed: 0x5eed, numRuns: 200 },
  );
});

test('a table that fills up mid-input is drained in steps while the output can take them, never all at once into a blocked output', () => {
  const type = Types.TUPLE(Types.STRING, Types.DOUBLE);
  const output = new CollectingOutput();
  const memory = ManagedMemory.create(64 << 20);
  const availability = { blocked: 1 };
  const combiner = new NativeCombinerOperator(
    { type, keyFields: [0], aggregation: 'sum', field: 1, maxParallelism: 128, managedMemory: memory, operatorName: 'retire-test', maxKeys: 1000, outputAvailability: availability },
    output,
  );
  combiner.initializeState(FRESH_STATE);
  combiner.open();
  // 4000 distinct keys, ~25 bytes each: folds every ~1300 records, each fold past maxKeys retires the table.
  const records: Array<[string, number]> = Array.from({ length: 4000 }, (_, i) => [`key-${String(i).padStart(8, '0')}`, 1]);
  for (const r of records.slice(0, 2000)) combiner.processElement(r, NO_TIMESTAMP);
  assert.equal(output.values.length, 0, 'nothing goes out while the output is blocked');
  availability.blocked = 0;
  combiner.processElement(records[2000]!, NO_TIMESTAMP);
  assert.ok(output.values.length > 0 && output.values.length <= 256, `one step of partials per record taken in (${output.values.length})`);
  for (const r of records.slice(2001)) combiner.processElement(r, NO_TIMESTAMP);
  while (!combiner.finish({ maxRecords: 100, output: availability })) {}
  combiner.close();
  assert.equal(memory.usage().used, 0, 'both tables gave their managed memory back');
  const sums = new Map<string, number>();
  for (const [k, v] of output.values as Array<[string, number]>) sums.set(k, (sums.get(k) ?? 0) + v);
  assert.equal(sums.size, 4000, 'every key has its partial');
  assert.ok([...sums.values()].every((v) => v === 1), 'each record counted once');
});
