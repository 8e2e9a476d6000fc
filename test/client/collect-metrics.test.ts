import assert from 'node:assert/strict';
import { test } from 'node:test';
import { executeAndCollect } from '../../src/client/execute.js';
import job from '../fixtures/jobs/doubled.js';

test('executeAndCollect exposes the running job: metrics while reading, final figures at the end', async () => {
  const collected = executeAndCollect<number>(job, { config: { 'parallelism.default': 2 } });
  let sum = 0;
  let sampled = false;
  for await (const value of collected) {
    sum += value;
    if (!sampled) {
      const snapshot = collected.client.metrics();
      assert.equal(snapshot.tasks.length, 2, 'source -> map -> collect sink chained, 2 subtasks');
      assert.equal(snapshot.taskManager.totalMemorySegments > 0, true);
      sampled = true;
    }
  }
  assert.equal(sum, 20_000 * 20_001);
  const result = await collected.result;
  const sinkIn = result.tasks.filter((t) => t.name.includes('Collect')).reduce((n, t) => n + t.numRecordsIn, 0);
  assert.equal(sinkIn, 20_000);
  assert.equal(result.networkSegments.availableAtEnd, result.networkSegments.total);
});
