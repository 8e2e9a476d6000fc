/**
 * A back-pressured slot stays alive (issue 9, "A back-pressured slot is dead"): a task whose
 * output is back-pressured yields instead of blocking its thread, so a timer-driven async source
 * sharing the slot keeps producing while the back-pressure lasts.
 *
 * Real worker threads and the real addon (fixtures/jobs/back-pressured-slot.ts). The assertion
 * is about order of events, not time: the timer source is seen to emit TICKS records while the
 * back-pressured source is still running with records left to emit. Before the mailbox runtime
 * the source blocked its thread in Atomics.wait, and the ticks came only between its steps of
 * thousands of records, each as long as the slow sink took to drain them.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { JobCancelledError, submit } from '../../../src/index.js';
import type { TaskMetricsSnapshot } from '../../../src/index.js';
import { taskNamed as task } from '../../support/task-metrics.js';
import backPressuredSlot from '../../fixtures/jobs/back-pressured-slot.js';

const RECORDS = 30_000;
/** Ticks to see while Flood is back-pressured (up to ~1000 fit in its back-pressure at 5 ms each). */
const TICKS = 50;

describe('a back-pressured slot', () => {
  it('keeps running a timer-driven source in the same slot while back-pressure lasts', async () => {
    const client = submit(backPressuredSlot, {
      // Small segments: few records in flight, so Flood is back-pressured for most of its run.
      config: { 'taskmanager.numberOfTaskSlots': 2, 'taskmanager.memory.segment-size': '4kb' },
      params: { records: String(RECORDS), sinkMicros: '200', tickMs: '5' },
    });
    let seen: { flood: TaskMetricsSnapshot; ticks: TaskMetricsSnapshot } | undefined;
    let floodBackPressured = false;
    try {
      for await (const snapshot of client.snapshots(20)) {
        const flood = task(snapshot, 'Flood');
        const ticks = task(snapshot, 'Ticks');
        if (flood.backPressuredTimeMs > 0) floodBackPressured = true;
        if (flood.status === 'FINISHED' || flood.numRecordsOut >= RECORDS) {
          assert.fail(`Flood finished its back-pressured run while Ticks had emitted only ${ticks.numRecordsIn} of ${TICKS}: the slot's event loop did not run`);
        }
        if (ticks.numRecordsIn >= TICKS) {
          seen = { flood, ticks };
          break;
        }
      }
    } finally {
      client.cancel();
      await assert.rejects(client.result, JobCancelledError);
    }
    assert.ok(seen);
    assert.equal(seen.flood.status, 'RUNNING');
    assert.ok(seen.flood.numRecordsOut < RECORDS, JSON.stringify(seen.flood));
    assert.ok(floodBackPressured, `Flood was never back-pressured: ${JSON.stringify(seen.flood)}`);
  });

  it('counts back-pressured time only for the task that has input but no output buffer', async () => {
    const client = submit(backPressuredSlot, {
      config: { 'taskmanager.numberOfTaskSlots': 2, 'taskmanager.memory.segment-size': '4kb' },
      params: { records: String(RECORDS), sinkMicros: '200', tickMs: '5' },
    });
    let flood: TaskMetricsSnapshot | undefined;
    let starved: TaskMetricsSnapshot | undefined;
    try {
      for await (const snapshot of client.snapshots(20)) {
        flood = task(snapshot, 'Flood');
        starved = task(snapshot, 'Starved');
        // Whatever the machine's load: once Flood was back-pressured and Starved spent time idle, compare.
        if (flood.backPressuredTimeMs > 0 && starved.idleTimeMs > 0) break;
        if (flood.status === 'FINISHED') break;
      }
    } finally {
      client.cancel();
      await assert.rejects(client.result, JobCancelledError);
    }
    assert.ok(flood && starved);
    assert.ok(flood.backPressuredTimeMs > 0, `Flood (input left, output full) was not back-pressured: ${JSON.stringify(flood)}`);
    assert.ok(starved.idleTimeMs > 0, JSON.stringify(starved));
    assert.equal(starved.numRecordsIn, 0);
    assert.equal(starved.backPressuredTimeMs, 0, `Starved (no input) counted back-pressured time: ${JSON.stringify(starved)}`);
    const final = client.metrics();
    assert.equal(task(final, 'Starved').backPressuredTimeMs, 0);
  });
});
