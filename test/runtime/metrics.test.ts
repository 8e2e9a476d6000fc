/**
 * Task metrics on real worker threads: shared-memory counters against the final result, Flink's
 * back-pressure signals with a deliberately slow sink, the Prometheus endpoint scraped over HTTP
 * on loopback, and the TaskManager's memory back to full at the end. Synchronised through the
 * snapshot iterator, never with sleeps.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import { execute, JobCancelledError, submit, type JobMetricsSnapshot, type TaskMetricsSnapshot } from '../../src/index.js';
import slowSink from '../fixtures/jobs/slow-sink.js';
import small from '../fixtures/jobs/small.js';
import failingMap from '../fixtures/jobs/failing-map.js';
import { taskNamed as task } from '../support/task-metrics.js';

const SLOTS = { 'taskmanager.numberOfTaskSlots': 2 };


describe('metrics in shared memory', () => {
  it("a failed job's subtasks end FAILED (the one that threw) or CANCELED (those it stopped), as Flink's ExecutionState", async () => {
    const client = submit(failingMap, { config: { 'parallelism.default': 2, ...SLOTS }, params: { count: '100000000', at: '50' } }); // the other subtask is far from its end when the failure stops it
    await assert.rejects(client.result);
    const statuses = client.metrics().tasks.map((t) => `${t.name.split(' (')[0]}: ${t.status}`);
    assert.equal(statuses.filter((s) => s.endsWith('FAILED')).length, 1, statuses.join('; '));
    assert.ok(statuses.filter((s) => s.endsWith('FAILED')).every((s) => s.includes('Exploder')), statuses.join('; '));
    assert.ok(statuses.some((s) => s.endsWith('CANCELED')), statuses.join('; '));
    assert.ok(statuses.every((s) => /(FAILED|CANCELED|FINISHED)$/.test(s)), statuses.join('; '));
  });

  it('counts what the final result counts, and memory is back to full at the end', async () => {
    const client = submit(small, { config: { 'parallelism.default': 2, ...SLOTS } });
    let seen = 0;
    let last: JobMetricsSnapshot | undefined;
    for await (const snapshot of client.snapshots(50)) {
      seen++;
      last = snapshot;
    }
    assert.ok(seen >= 1);
    assert.ok(client.ended, 'the iterator ends when the job ends');
    const result = await client.result;
    const final = result.metrics;
    assert.ok(final);
    assert.equal(final.tasks.length, result.tasks.length);
    for (const t of result.tasks) {
      const m: TaskMetricsSnapshot = final.tasks.find((x) => x.vertexId === t.vertexId && x.subtaskIndex === t.subtaskIndex)!;
      assert.equal(m.status, 'FINISHED', m.name);
      assert.equal(m.numRecordsIn, t.numRecordsIn, `${m.name} numRecordsIn`);
      assert.equal(m.numRecordsOut, t.numRecordsOut, `${m.name} numRecordsOut`);
      assert.equal(m.numBytesIn, t.numBytesIn, `${m.name} numBytesIn`);
      assert.equal(m.numBytesOut, t.numBytesOut, `${m.name} numBytesOut`);
      assert.ok(m.busyTimeMsPerSecond >= 0 && m.busyTimeMsPerSecond <= 1000);
      assert.equal(Math.round(m.busyTimeMsPerSecond + m.idleTimeMsPerSecond + m.backPressuredTimeMsPerSecond), 1000);
    }
    // The last iterator snapshot was taken after the end: same totals.
    assert.deepEqual(
      last!.tasks.map((t) => t.numRecordsOut),
      final.tasks.map((t) => t.numRecordsOut),
    );
    const sources = final.tasks.filter((t) => t.name.startsWith('Source'));
    assert.equal(sources.reduce((n, t) => n + t.numRecordsOut, 0), 1000);
    const keyed = final.tasks.filter((t) => t.name.startsWith('Keyed'));
    assert.equal(keyed.reduce((n, t) => n + t.numRecordsIn, 0), 1000);
    assert.equal(keyed.reduce((n, t) => n + t.numBytesIn, 0), sources.reduce((n, t) => n + t.numBytesOut, 0));
    // Watermarks: the sources end with MAX_WATERMARK, which reaches the keyed tasks through both channels.
    for (const t of sources) assert.deepEqual([t.currentInputWatermark, t.currentOutputWatermark, t.watermarkLag], [-Infinity, Infinity, undefined], t.name);
    for (const t of keyed) assert.deepEqual([t.currentInputWatermark, t.currentOutputWatermark, t.watermarkLag], [Infinity, Infinity, undefined], t.name);
    // Two keys (even, odd) in the keyed state, with their bytes.
    assert.equal(keyed.reduce((n, t) => n + t.stateKeys, 0), 2);
    assert.ok(keyed.reduce((n, t) => n + t.stateBytes, 0) > 0);
    const tm = final.taskManager;
    assert.equal(tm.availableMemorySegments, tm.totalMemorySegments);
    assert.equal(tm.usedMemorySegments, 0);
    assert.equal(tm.managedMemoryUsed, 0);
    assert.ok(tm.managedMemoryTotal > 0);
    assert.equal(tm.heap.length, result.slots);
    for (const h of tm.heap) assert.ok(h.heapUsed > 0 && h.heapUsed <= h.heapTotal, JSON.stringify(h));
    // metrics() on demand works after the end too.
    assert.equal(client.metrics().tasks.length, final.tasks.length);
  });

  it('execute() keeps its result shape and metrics: false turns the metrics off', async () => {
    const result = await execute(small, { config: { 'parallelism.default': 2, ...SLOTS }, metrics: false });
    assert.equal(result.metrics, undefined);
    assert.equal(result.tasks.filter((t) => t.name.includes('Discard')).reduce((n, t) => n + t.numRecordsIn, 0), 1000);
    assert.equal(result.networkSegments.availableAtEnd, result.networkSegments.total);
    const client = submit(small, { config: { 'parallelism.default': 1, ...SLOTS }, metrics: false });
    assert.throws(() => client.metrics(), { code: 'ERR_METRICS_DISABLED' });
    await client.result;
  });
});

describe('back-pressure with a slow sink', () => {
  it('reports the source back-pressured and never the sink, which has no output to wait on', async () => {
    // Thresholds (level 'high', busy > 800 ms/s) are a matter of scheduling, which a loaded
    // machine decides; what holds on any machine: the source waits on its output (its
    // back-pressured time grows and it is seen back-pressured), the sink never does (exactly 0),
    // records queue in front of the sink, and each rate window splits into busy + idle +
    // back-pressured = 1000 ms/s.
    const client = submit(slowSink, { config: SLOTS });
    let source: TaskMetricsSnapshot | undefined;
    let sink: TaskMetricsSnapshot | undefined;
    let sourceSeenBackPressured = false;
    let sinkSeenQueued = false;
    let windows = 0;
    let snapshots = 0;
    for await (const snapshot of client.snapshots(50)) {
      snapshots++;
      source = task(snapshot, 'Source');
      sink = task(snapshot, 'Slow');
      if (source.isBackPressured) sourceSeenBackPressured = true;
      if (sink.inputQueueLength > 0 && sink.inPoolUsage > 0) sinkSeenQueued = true;
      for (const t of [source, sink]) {
        // A task that has not run since the previous sample has no window to split (all 0).
        if (t.status !== 'RUNNING' || t.busyTimeMsPerSecond + t.idleTimeMsPerSecond + t.backPressuredTimeMsPerSecond === 0) continue;
        windows++;
        assert.equal(Math.round(t.busyTimeMsPerSecond + t.idleTimeMsPerSecond + t.backPressuredTimeMsPerSecond), 1000, JSON.stringify(t));
      }
      assert.equal(sink.backPressuredTimeMs, 0, JSON.stringify(sink));
      assert.equal(sink.backPressuredTimeMsPerSecond, 0, JSON.stringify(sink));
      assert.equal(sink.backPressureLevel, 'ok', JSON.stringify(sink));
      if (sourceSeenBackPressured && sinkSeenQueued && source.backPressuredTimeMs > 0 && sink.numRecordsIn > 0) break;
      // Far more than an idle machine needs (a few snapshots); the assertions below say what was missing.
      if (snapshots >= 400) break;
    }
    client.cancel();
    await assert.rejects(client.result, JobCancelledError);
    assert.ok(source && sink);
    assert.ok(windows > 0, 'no snapshot saw both tasks running');
    assert.ok(sourceSeenBackPressured, `the source was never reported back-pressured: ${JSON.stringify(source)}`);
    assert.ok(source.backPressuredTimeMs > 0, JSON.stringify(source));
    assert.ok(source.backPressuredTimeMs > sink.backPressuredTimeMs);
    assert.ok(sinkSeenQueued, `records never queued in front of the sink: ${JSON.stringify(sink)}`);
    assert.ok(sink.numRecordsIn > 0, JSON.stringify(sink));
    // After the cancel every segment is back.
    const end = client.metrics().taskManager;
    assert.equal(end.availableMemorySegments, end.totalMemorySegments);
  });
});

describe('the Prometheus endpoint', () => {
  it('serves the documented metric names with plausible values during a run, and closes at the end', async () => {
    const client = submit(slowSink, { config: SLOTS, metricsPort: 0, metricsIntervalMs: 50 });
    const url = await client.metricsUrl!;
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    // Wait (through the iterator) until records flow.
    for await (const snapshot of client.snapshots(100)) if (task(snapshot, 'Slow').numRecordsIn > 0) break;
    const response = await fetch(url);
    assert.equal(response.status, 200);
    const text = await response.text();
    const value = (name: string, labels: string): number => {
      const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes(labels));
      assert.ok(line, `no ${name}{${labels}} in\n${text}`);
      return Number(line.slice(line.lastIndexOf(' ') + 1));
    };
    const source = 'job="Slow Sink",task="Source: Sequence Source",subtask="0"';
    const sink = 'job="Slow Sink",task="Map -> Sink: Slow",subtask="0"';
    assert.ok(value('strom_task_numRecordsOut', source) > 0);
    assert.ok(value('strom_task_numRecordsIn', sink) > 0);
    assert.ok(value('strom_task_numBytesOut', source) > 0);
    for (const labels of [source, sink]) {
      for (const name of ['busyTimeMsPerSecond', 'idleTimeMsPerSecond', 'backPressuredTimeMsPerSecond']) {
        const v = value(`strom_task_${name}`, labels);
        assert.ok(v >= 0 && v <= 1000, `${name} ${v}`);
      }
      for (const name of ['buffers_inPoolUsage', 'buffers_outPoolUsage']) {
        const v = value(`strom_task_${name}`, labels);
        assert.ok(v >= 0 && v <= 1, `${name} ${v}`);
      }
      assert.ok([0, 1].includes(value('strom_task_isBackPressured', labels)));
      assert.ok([0, 1, 2].includes(value('strom_task_backPressureLevel', labels)));
      assert.ok(value('strom_task_numRecordsInPerSecond', labels) >= 0);
      assert.ok(value('strom_task_buffers_inputQueueLength', labels) >= 0);
      assert.ok(value('strom_task_buffers_outputQueueLength', labels) >= 0);
      assert.equal(value('strom_task_state_keys', labels), 0);
    }
    // No watermark yet (the sequence source assigns none): -Inf, Flink's Long.MIN_VALUE; no watermarkLag before one.
    const raw = (name: string, labels: string) => text.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes(labels))?.split(' ').at(-1);
    for (const labels of [source, sink]) {
      assert.equal(raw('strom_task_currentInputWatermark', labels), '-Inf');
      assert.equal(raw('strom_task_currentOutputWatermark', labels), '-Inf');
    }
    assert.doesNotMatch(text, /^strom_task_watermarkLag\{/m);
    assert.match(text, /# TYPE strom_task_watermarkLag gauge/);
    const job = 'job="Slow Sink"';
    const total = value('strom_taskmanager_Status_Network_TotalMemorySegments', job);
    const available = value('strom_taskmanager_Status_Network_AvailableMemorySegments', job);
    const used = value('strom_taskmanager_Status_Network_UsedMemorySegments', job);
    assert.ok(total > 0 && available + used === total && used > 0, `${total} ${available} ${used}`);
    assert.ok(value('strom_taskmanager_Status_Managed_Memory_Total', job) > 0);
    assert.equal(value('strom_taskmanager_Status_Managed_Memory_Used', job), 0);
    assert.ok(value('strom_taskmanager_Status_Worker_Heap_Used', `${job},slot="0"`) > 0);
    assert.match(text, /# TYPE strom_task_numRecordsIn counter/);
    assert.match(text, /# TYPE strom_task_busyTimeMsPerSecond gauge/);
    assert.equal((await fetch(url.replace('/metrics', '/other'))).status, 404);
    // 'metrics' events, every metricsIntervalMs while listened to.
    const [event] = (await once(client, 'metrics')) as [JobMetricsSnapshot];
    assert.equal(event.jobName, 'Slow Sink');
    assert.ok(event.intervalMs > 0 && event.tasks.length === 2);

    client.cancel();
    await assert.rejects(client.result, JobCancelledError);
    await assert.rejects(fetch(url), 'the server is closed when the job ends');
  });
});
