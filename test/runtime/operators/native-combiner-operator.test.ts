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
