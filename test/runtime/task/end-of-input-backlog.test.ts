/**
 * End of input under back-pressure: a BATCH keyed aggregation emits one final per key when its
 * input ends (and its combiner one partial per key before that), far more than the network
 * memory holds. It must emit them in bounded steps that stop while the output is unavailable
 * (operators/stream-operator.ts, "End of input"), so no writer's backlog grows towards the size
 * of the state. Real worker threads, the real addon, small network memory and a slow consumer
 * (fixtures/jobs/many-keys-batch.ts); the bound is far below what emitting everything at once
 * puts into a backlog (about 25 bytes per key, megabytes here).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { executeAndCollect } from '../../../src/index.js';
import manyKeysBatch from '../../fixtures/jobs/many-keys-batch.js';

const KEYS = 200_000;
/** What any one channel's backlog may hold at most: a few native chunks of finals (256 records of ~25 bytes each). */
const BACKLOG_BOUND_BYTES = 64 * 1024;

const CONFIG = {
  'execution.runtime-mode': 'BATCH',
  'parallelism.default': 1,
  'taskmanager.numberOfTaskSlots': 2,
  'taskmanager.memory.segment-size': '4kb',
  'taskmanager.memory.network.min': '4mb',
  'taskmanager.memory.network.max': '4mb',
  'taskmanager.network.memory.buffers-per-channel': 1,
  'taskmanager.network.memory.floating-buffers-per-gate': 0,
  'taskmanager.network.memory.max-buffers-per-channel': 1,
};

describe('end of input under back-pressure', () => {
  for (const aggregation of ['sum', 'reduce'] as const) {
    it(`a BATCH ${aggregation} over ${KEYS} keys into a slow consumer finishes exactly with bounded backlogs`, { timeout: 240_000 }, async () => {
      const job = executeAndCollect<[string, number]>(manyKeysBatch, {
        params: { keys: String(KEYS), aggregation, spinMicros: '1' },
        config: CONFIG,
      });
      const seen = new Set<string>();
      for await (const [key, value] of job) {
        assert.equal(value, 2, `key ${key}`);
        assert.ok(!seen.has(key), `key ${key} came twice`);
        seen.add(key);
      }
      const result = await job.result;
      assert.equal(seen.size, KEYS);
      const peaks = result.tasks.map((t) => `${t.name}: ${t.outputBacklogPeakBytes} B`).join(', ');
      const aggregate = result.tasks.find((t) => t.name.startsWith('Aggregate'));
      assert.ok(aggregate, peaks);
      // The aggregation's output was back-pressured (else the test proves nothing)...
      assert.ok(aggregate.outputBacklogPeakBytes > 0, `the aggregation's output never waited: ${peaks}`);
      // ...and no backlog grew with the number of keys.
      for (const task of result.tasks) {
        assert.ok(task.outputBacklogPeakBytes < BACKLOG_BOUND_BYTES, `${task.name} held ${task.outputBacklogPeakBytes} B in one backlog (bound ${BACKLOG_BOUND_BYTES}): ${peaks}`);
      }
      assert.equal(result.networkSegments.availableAtEnd, result.networkSegments.total);
    });
  }
});
