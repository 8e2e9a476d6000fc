/**
 * Watermark metrics with Flink's names, from a task's metrics block to the snapshot and the
 * Prometheus text: currentInputWatermark, currentOutputWatermark, and watermarkLag (the
 * snapshot's time minus the output watermark, only once a finite watermark went out).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NetworkBufferPool } from '../../../src/memory/network-buffer-pool.js';
import { ManagedMemory } from '../../../src/memory/managed-memory.js';
import { createMetricsBuffer } from '../../../src/runtime/metrics/metrics-layout.js';
import { JobMetricsReader } from '../../../src/runtime/metrics/metrics-reader.js';
import { TaskMetricsWriter, type TaskCounters } from '../../../src/runtime/metrics/metrics-writer.js';
import { PrometheusExporter } from '../../../src/runtime/metrics/prometheus-exporter.js';

test('watermarks go from the task block to the snapshot and the Prometheus endpoint', async () => {
  const buffer = createMetricsBuffer(1, 2);
  const writers = [new TaskMetricsWriter(buffer, 0), new TaskMetricsWriter(buffer, 1)];
  for (const w of writers) w.start();
  const counters = (input: number, output: number): TaskCounters => ({
    numRecordsIn: 0,
    numRecordsOut: 0,
    numBytesIn: 0,
    numBytesOut: 0,
    backPressuredNs: 0,
    currentInputWatermark: input,
    currentOutputWatermark: output,
  });
  const eventTime = Date.now() - 60_000;
  writers[0]!.publish(counters(-Infinity, eventTime), Date.now());
  writers[1]!.publish(counters(eventTime - 5, eventTime - 5), Date.now());
  const tasks = [0, 1].map((block) => ({ name: `T${block} (1/1)`, vertexId: block, subtaskIndex: 0, block, input: undefined, outputs: [], localPools: [] }));
  const pool = NetworkBufferPool.create({ segmentSize: 4096, numSegments: 8 });
  const reader = new JobMetricsReader('W', buffer, tasks, pool, ManagedMemory.create(1 << 20), 2, [0], Date.now() - 1000);
  const snapshot = reader.snapshot(reader.sample());
  const [source, keyed] = snapshot.tasks as [(typeof snapshot.tasks)[0], (typeof snapshot.tasks)[0]];
  assert.deepEqual([source.currentInputWatermark, source.currentOutputWatermark], [-Infinity, eventTime]);
  assert.equal(source.watermarkLag, snapshot.timestamp - eventTime);
  assert.ok(source.watermarkLag! >= 60_000);
  assert.deepEqual([keyed.currentInputWatermark, keyed.currentOutputWatermark], [eventTime - 5, eventTime - 5]);

  const exporter = await PrometheusExporter.start({ port: 0, snapshot: () => snapshot });
  try {
    const text = await exporter.scrape();
    const raw = (name: string, task: string) => text.split('\n').find((l) => l.startsWith(`strom_task_${name}{`) && l.includes(`task="${task}"`))?.split(' ').at(-1);
    assert.equal(raw('currentInputWatermark', 'T0'), '-Inf');
    assert.equal(raw('currentOutputWatermark', 'T0'), String(eventTime));
    assert.equal(raw('watermarkLag', 'T0'), String(snapshot.timestamp - eventTime));
    assert.equal(raw('currentInputWatermark', 'T1'), String(eventTime - 5));
  } finally {
    await exporter.close();
  }
});
