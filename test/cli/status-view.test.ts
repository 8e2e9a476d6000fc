import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { liveLines, summaryLines, taskRows, watermarkText } from '../../src/cli/status-view.js';
import type { TaskMetricsSnapshot } from '../../src/runtime/metrics/job-metrics.js';

const run = promisify(execFile);
const CLI = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

function task(vertexId: number, subtaskIndex: number, fields: Partial<TaskMetricsSnapshot>): TaskMetricsSnapshot {
  return {
    name: `T${vertexId} (${subtaskIndex + 1}/2)`, task: `T${vertexId}`, vertexId, subtaskIndex, status: 'RUNNING',
    numRecordsIn: 0, numRecordsOut: 0, numBytesIn: 0, numBytesOut: 0, numRecordsInPerSecond: 0, numRecordsOutPerSecond: 0,
    numBytesInPerSecond: 0, numBytesOutPerSecond: 0, busyTimeMsPerSecond: 0, idleTimeMsPerSecond: 0, backPressuredTimeMsPerSecond: 0,
    isBackPressured: false, backPressureLevel: 'ok', inPoolUsage: 0, outPoolUsage: 0, inputQueueLength: 0, outputQueueLength: 0,
    stateBytes: 0, stateKeys: 0, idleTimeMs: 0, backPressuredTimeMs: 0,
    currentInputWatermark: Number.NEGATIVE_INFINITY, currentOutputWatermark: Number.NEGATIVE_INFINITY, watermarkLag: undefined, ...fields,
  };
}

test('task rows add up subtasks and show the worst back-pressure level', () => {
  const rows = taskRows([
    task(0, 0, { numRecordsOutPerSecond: 1000, backPressureLevel: 'low', busyTimeMsPerSecond: 400, numBytesIn: 100 }),
    task(0, 1, { numRecordsOutPerSecond: 500, backPressureLevel: 'high', busyTimeMsPerSecond: 600, numBytesIn: 300 }),
    task(1, 0, { numRecordsInPerSecond: 1500, busyTimeMsPerSecond: 900, stateBytes: 2048, currentInputWatermark: 2000 }),
    task(1, 1, { currentInputWatermark: 1000 }),
  ]);
  assert.deepEqual(
    rows.map((r) => [r.task, r.subtasks, r.recordsOutPerSecond, r.level, r.busyPercent, watermarkText(r.inputWatermark)]),
    [
      ['T0', 2, 1500, 'high', 50, '-'],
      ['T1', 2, 0, 'ok', 45, '1970-01-01 00:00:01.000'],
    ],
  );
  const lines = liveLines(
    { jobName: 'J', timestamp: 0, intervalMs: 500, tasks: [task(0, 0, { numBytesIn: 256 }), task(0, 1, { numBytesIn: 256 })], taskManager: { totalMemorySegments: 10, availableMemorySegments: 7, usedMemorySegments: 3, managedMemoryTotal: 1024, managedMemoryUsed: 0, heap: [] } },
    1500,
    1024,
  );
  assert.match(lines[1]!, /\[#{15}\.{15}\] 50% of 1\.0 KiB/);
  assert.match(lines.at(-1)!, /network segments 3\/10 used/);
});

test('strom run shows the summary, writes --metrics-json, and logs plainly when stderr is not a terminal', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'strom-status-'));
  try {
    const input = join(dir, 'in.txt');
    writeFileSync(input, 'to be or not to be\n'.repeat(2000));
    const metrics = join(dir, 'metrics.json');
    const example = fileURLToPath(new URL('../../examples/word-count.js', import.meta.url));
    const { stderr } = await run(process.execPath, [CLI, 'run', example, '-p', '2', '--metrics-json', metrics, '--', '--input', input, '--output', join(dir, 'out')], { timeout: 60_000 });
    assert.match(stderr, /Job 'WordCount' finished in [\d.]+ s on 2 task slot\(s\)\./);
    assert.match(stderr, /Counter -> Sink: Output +2 +12\.0k/);
    assert.match(stderr, /network segments back in the pool: (\d+)\/\1/);
    const json = JSON.parse(readFileSync(metrics, 'utf8')) as { jobName: string; tasks: { numRecordsIn: number }[]; metrics: { tasks: unknown[] } };
    assert.equal(json.jobName, 'WordCount');
    assert.equal(json.tasks.length, 4);
    assert.equal(json.metrics.tasks.length, 4);
    const quiet = await run(process.execPath, [CLI, 'run', example, '-q', '--', '--input', input, '--output', join(dir, 'out2')], { timeout: 60_000 });
    assert.equal(quiet.stderr, '');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('summary lines name every task with its totals', () => {
  const lines = summaryLines({
    jobName: 'J', durationMs: 1234, slots: 1, networkSegments: { total: 8, availableAtEnd: 8 },
    tasks: [{ name: 'Map (1/1)', vertexId: 0, subtaskIndex: 0, numRecordsIn: 10, numRecordsOut: 20, numBytesIn: 2048, numBytesOut: 0, backPressuredTimeMs: 3, outputBacklogPeakBytes: 0, durationMs: 40 }],
  } as never);
  assert.equal(lines[0], "Job 'J' finished in 1.23 s on 1 task slot(s).");
  assert.match(lines[3]!, /^Map +1 +10 +20 +2\.0 KiB +0 B +3 ms +40 ms$/);
});
