/**
 * Event time in real jobs on worker threads: timestamps and watermarks from
 * assignTimestampsAndWatermarks and from sources (a strategy inside the source task, periodic
 * emission on the task's processing-time timers, and a source's own markers), seen by a
 * ProcessFunction in the same chain.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { executeAndCollect } from '../../src/index.js';
import job, { DELAY, jittered, OUT_OF_ORDER, type KeyedObserved, type Observed } from '../fixtures/jobs/event-time.js';

async function run<T = Observed>(params: Record<string, string>, config: Record<string, unknown> = {}): Promise<T[]> {
  const collected = executeAndCollect<T>(job, { params, config });
  const records: T[] = [];
  for await (const record of collected) records.push(record);
  await collected.result;
  return records;
}

describe('event time in a job', () => {
  it('assignTimestampsAndWatermarks: each record carries its event time; a punctuated bounded delay gives max - DELAY - 1 after each record', async () => {
    const records = await run({ case: 'assign-punctuated' });
    let max = Number.NEGATIVE_INFINITY;
    const expected = OUT_OF_ORDER.map(([id, time]): Observed => {
      const seen = max === Number.NEGATIVE_INFINITY ? max : max - DELAY - 1;
      max = Math.max(max, time);
      return [[id, time], time, seen];
    });
    assert.deepEqual(records, expected);
  });

  it('BATCH mode: records keep their timestamps but no watermark is emitted before the end (Flink emits no progressive watermarks)', async () => {
    const records = await run({ case: 'assign-punctuated' }, { 'execution.runtime-mode': 'BATCH' });
    assert.deepEqual(
      records.map(([, timestamp, watermark]) => [timestamp, watermark]),
      OUT_OF_ORDER.map(([, time]) => [time, Number.NEGATIVE_INFINITY]),
    );
  });

  it('a source with a strategy emits periodic watermarks on the processing clock between records', async () => {
    const records = await run({ case: 'source-periodic', gap: '20' }, { 'pipeline.auto-watermark-interval': '1ms' });
    // Each record waits 20 ms in the source, time for periodic emissions: the watermark a record
    // meets is the previous record's timestamp - 1 (monotonous timestamps).
    assert.deepEqual(records, [
      [{ id: 1, time: 1000 }, 1000, Number.NEGATIVE_INFINITY],
      [{ id: 2, time: 2000 }, 2000, 999],
      [{ id: 3, time: 3000 }, 3000, 1999],
      [{ id: 4, time: 4000 }, 4000, 2999],
      [{ id: 5, time: 5000 }, 5000, 3999],
    ]);
  });

  it('pipeline.auto-watermark-interval 0 turns periodic emission off', async () => {
    const records = await run({ case: 'source-periodic', gap: '5' }, { 'pipeline.auto-watermark-interval': 0 });
    assert.deepEqual(
      records.map(([, , watermark]) => watermark),
      records.map(() => Number.NEGATIVE_INFINITY),
    );
  });

  it("a custom source's own timestamps and watermarks reach the next operator in order; lower watermarks are dropped", async () => {
    const records = await run({ case: 'source-markers' });
    assert.deepEqual(records, [
      ['a', 100, Number.NEGATIVE_INFINITY],
      ['b', 150, 99],
      ['no time', null, 99],
      ['c', 120, 140],
    ]);
    const batch = await run({ case: 'source-markers' }, { 'execution.runtime-mode': 'BATCH' });
    assert.deepEqual(
      batch.map(([value, timestamp, watermark]) => [value, timestamp, watermark]),
      [
        ['a', 100, Number.NEGATIVE_INFINITY],
        ['b', 150, Number.NEGATIVE_INFINITY],
        ['no time', null, Number.NEGATIVE_INFINITY],
        ['c', 120, Number.NEGATIVE_INFINITY],
      ],
      'BATCH: timestamps stay, watermarks wait for the end',
    );
  });

  it('across a keyBy: records keep their timestamps, no record is late at any parallelism, timers fire once the watermark passes them', async () => {
    const n = 600;
    const timersOf = (records: KeyedObserved[]) =>
      records
        .filter((r) => r[0] === 'timer')
        .map((r) => `${r[1]}@${r[2]}`)
        .sort();
    const expectedTimers = [...new Set(jittered(n).map((e) => `${e.key}@${e.t + 100}`))].sort();
    for (const parallelism of [1, 2, 3, 4]) {
      const records = await run<KeyedObserved>({ case: 'keyed-across-network', n: String(n) }, { 'parallelism.default': parallelism });
      for (const r of records) {
        if (r[0] === 'element') {
          const [, , t, timestamp, watermark] = r;
          assert.equal(timestamp, t, `p=${parallelism}: the timestamp crossed the network`);
          // Each source subtask's events are at most DELAY late, and the keyed task's watermark is the minimum over its channels.
          assert.ok(t > watermark, `p=${parallelism}: record at ${t} is late for watermark ${watermark}`);
        } else {
          assert.ok(r[3] >= r[2], `p=${parallelism}: timer ${r[2]} fired at watermark ${r[3]}`);
        }
      }
      assert.equal(records.filter((r) => r[0] === 'element').length, n);
      assert.deepEqual(timersOf(records), expectedTimers, `p=${parallelism}`);
      if (parallelism === 1) {
        // One channel: the watermark each record meets is exactly the source's after the record before it.
        let max = Number.NEGATIVE_INFINITY;
        const expected = jittered(n).map((e) => {
          const seen = max === Number.NEGATIVE_INFINITY ? max : max - DELAY - 1;
          max = Math.max(max, e.t);
          return seen;
        });
        assert.deepEqual(
          records.filter((r) => r[0] === 'element').map((r) => r[4]),
          expected,
        );
      }
    }
  });

  it('an idle source subtask does not hold back event time downstream; it counts again once it sends', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'strom-idle-'));
    try {
      const records = await run<[string, number, number]>({ case: 'idle-split', signal: join(dir, 'signal') });
      const keys = new Set(records.map(([key]) => key));
      assert.ok(!keys.has('gave-up'), 'the idle subtask held back the watermark: the signal never came');
      assert.ok(keys.has('b'), 'the idle subtask sends once the watermark advanced without it');
      // The first event to meet a watermark of 3000 or more: subtask 0's watermark alone (max - DELAY - 1).
      const first = records.find(([key, , watermark]) => key === 'a' && watermark >= 3000)!;
      assert.equal(first[2], first[1] - 1000 - DELAY - 1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
