import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManagedMemory } from '../../src/memory/managed-memory.js';
import type { KeyedAggregationTask } from '../fixtures/keyed-aggregation-worker.js';
import { workerRecords } from '../support/worker-records.js';
import { referenceAggregate } from '../support/reference-aggregation.js';
import { runWorker } from '../support/run-worker.js';

test('the addon aggregates in several worker threads at once, each with its own table, on one managed memory', async () => {
  const memory = ManagedMemory.create(64 << 20);
  const seeds = [1, 2, 3, 4];
  const count = 100_000;
  const results = await Promise.all(
    seeds.map((seed) =>
      runWorker<{ keys: number; outputs: unknown[] }>('keyed-aggregation-worker.js', {
        managedMemory: memory.buffer,
        seed,
        count,
      } satisfies KeyedAggregationTask),
    ),
  );
  results.forEach((result, i) => {
    const expected = referenceAggregate(workerRecords(seeds[i]!, count), { keyFields: [0], kind: 'sum', field: 1, mode: 'BATCH' });
    assert.deepEqual(result.outputs, expected, `worker ${i}`);
    assert.equal(result.keys, expected.length);
  });
  const usage = memory.usage();
  assert.equal(usage.used, 0, 'every worker returned its managed memory');
  assert.ok(usage.highWater > 0 && usage.highWater <= usage.budget);
});
