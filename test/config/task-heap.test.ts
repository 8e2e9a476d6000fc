import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Configuration } from '../../src/config/configuration.js';
import { resolveTaskHeapSize } from '../../src/config/task-heap.js';
import { ConfigurationError } from '../../src/errors.js';

const GiB = 2 ** 30;

test('a set taskmanager.memory.task.heap.size is each slot\'s heap, in whole megabytes', () => {
  const config = Configuration.from({ 'taskmanager.memory.task.heap.size': '64mb' });
  assert.deepEqual(resolveTaskHeapSize(config, 3), { megabytes: 64, configured: true });
  assert.equal(resolveTaskHeapSize(Configuration.from({ 'taskmanager.memory.task.heap.size': '1g' }), 1).megabytes, 1024);
});

test('unset, each slot gets half the machine memory divided among the slots, between 256mb and 2gb', () => {
  const config = new Configuration();
  assert.deepEqual(resolveTaskHeapSize(config, 2, 8 * GiB), { megabytes: 2048, configured: false });
  assert.equal(resolveTaskHeapSize(config, 2, 6 * GiB).megabytes, 1536);
  assert.equal(resolveTaskHeapSize(config, 4, 8 * GiB).megabytes, 1024);
  assert.equal(resolveTaskHeapSize(config, 8, 1 * GiB).megabytes, 256, 'floor');
  assert.equal(resolveTaskHeapSize(config, 1, 64 * GiB).megabytes, 2048, 'cap');
});

test('a heap below 16mb is rejected, naming the key and the value', () => {
  assert.throws(
    () => Configuration.from({ 'taskmanager.memory.task.heap.size': '8mb' }),
    (e: unknown) => e instanceof ConfigurationError && e.key === 'taskmanager.memory.task.heap.size' && /"8mb".*at least 16mb/.test(e.message),
  );
});
