/**
 * Process functions on real worker threads: keyed event-time timers giving the same results at
 * parallelism 1 to 4 (dedup and deletion included), a processing-time timer firing while the
 * source still runs, side outputs chained and across the network, and rich functions' runtime
 * context.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { executeAndCollect, type JobExecutionResult } from '../../src/index.js';
import job, { ALARM_DELAY, BUCKET, readings } from '../fixtures/jobs/process.js';

async function run<T>(params: Record<string, string>, config: Record<string, unknown> = {}): Promise<{ records: T[]; result: JobExecutionResult }> {
  const collected = executeAndCollect<T>(job, { params, config });
  const records: T[] = [];
  for await (const record of collected) records.push(record);
  return { records, result: await collected.result };
}

const N = 2000;

describe('keyed event-time timers in a job', () => {
  // Reference: one timer per (key, bucket end); the deleted ones never fire.
  const expected = [...new Set(readings(N).map((r) => `${r.key}@${Math.ceil((r.t + 1) / BUCKET) * BUCKET}`))].sort();

  for (const parallelism of [1, 2, 3, 4]) {
    it(`fire once per (key, time) at the end of the bounded input, at parallelism ${parallelism}`, async () => {
      const { records } = await run<[string, number]>({ case: 'timers', n: String(N) }, { 'parallelism.default': parallelism });
      assert.deepEqual(records.map(([k, t]) => `${k}@${t}`).sort(), expected);
      // Per key, in timestamp order (each key lives in one subtask, which fires in order).
      const byKey = new Map<string, number[]>();
      for (const [k, t] of records) byKey.set(k, [...(byKey.get(k) ?? []), t]);
      for (const [k, times] of byKey) assert.deepEqual(times, [...times].sort((a, b) => a - b), `timers of ${k} in order`);
    });
  }

  it('BATCH gives the same timers as STREAMING', async () => {
    const { records } = await run<[string, number]>({ case: 'timers', n: String(N) }, { 'parallelism.default': 2, 'execution.runtime-mode': 'BATCH' });
    assert.deepEqual(records.map(([k, t]) => `${k}@${t}`).sort(), expected);
  });
});

describe('event-time timers driven by watermarks in a job', () => {
  const expected = [...new Set(readings(N).map((r) => `${r.key}@${r.t + ALARM_DELAY}`))].sort();

  for (const parallelism of [1, 2, 4]) {
    it(`fire before the watermark that passes them is forwarded, mid-stream, at parallelism ${parallelism}`, async () => {
      const { records } = await run<[string, number, number | null, number]>({ case: 'event-time', n: String(N) }, { 'parallelism.default': parallelism, 'pipeline.auto-watermark-interval': 0 });
      assert.deepEqual(records.map(([k, t]) => `${k}@${t}`).sort(), expected);
      for (const [key, time, timestamp, watermarkSeen] of records) {
        assert.equal(timestamp, time, `the result of ${key}'s timer carries the timer's time`);
        assert.ok(watermarkSeen < time, `${key}@${time} arrived before a watermark at or past it (saw ${watermarkSeen})`);
      }
      // Most timers fire on the readings' watermarks, not only at the end of the input.
      const midStream = records.filter(([, , , w]) => Number.isFinite(w)).length;
      assert.ok(midStream > records.length / 2, `${midStream} of ${records.length} timers fired mid-stream`);
    });
  }
});

describe('keyed state in a job', () => {
  const expected = new Map<string, [string, number, number]>();
  for (const r of readings(N)) {
    const e = expected.get(r.key) ?? [r.key, 0, 0];
    expected.set(r.key, [r.key, e[1] + 1, e[2] + r.t]);
  }
  const sorted = [...expected.values()].sort((a, b) => (a[0] < b[0] ? -1 : 1));

  for (const parallelism of [1, 3]) {
    it(`ValueState and ListState per key, read in onTimer, at parallelism ${parallelism}`, async () => {
      const { records } = await run<[string, number, number]>({ case: 'state', n: String(N) }, { 'parallelism.default': parallelism });
      assert.deepEqual(records.sort((a, b) => (a[0] < b[0] ? -1 : 1)), sorted);
    });
  }
});

describe('processing-time timers in a job', () => {
  it('fire while the source is still running (the source waits for the timer, then ends)', async () => {
    const { records } = await run<string>({ case: 'processing' });
    assert.ok(!records.includes('seen:gave-up'), 'the timer fired before the source gave up');
    assert.deepEqual(records, ['seen:start', 'fired:start:PROCESSING_TIME', 'seen:end']);
  });
});

describe('side outputs in a job', () => {
  it('a side output chained to its process function', async () => {
    const { records, result } = await run<number>({ case: 'side-chained', n: '100' }, { 'parallelism.default': 2 });
    assert.deepEqual(records.sort((a, b) => a - b), Array.from({ length: 50 }, (_, i) => -(99 - 2 * i)));
    assert.match(result.tasks[0]!.name, /Process -> Map -> Sink: Collect/);
  });

  it('main and side output of one process function, the side across the network', async () => {
    const { records, result } = await run<[string, number]>({ case: 'side-network', n: '100' }, { 'parallelism.default': 2 });
    const main = records.filter(([k]) => k === 'main').map(([, v]) => v).sort((a, b) => a - b);
    const side = records.filter(([k]) => k === 'side').map(([, v]) => v).sort((a, b) => a - b);
    assert.deepEqual(main, Array.from({ length: 50 }, (_, i) => 2 * (i + 1)));
    assert.deepEqual(side, Array.from({ length: 50 }, (_, i) => 2 * i + 1));
    assert.ok(result.tasks.some((t) => /^Map \(\d\/3\)$/.test(t.name)), 'the side output runs in its own task');
  });
});

describe('rich functions in a job', () => {
  it('a RichReduceFunction is opened before its first reduce', async () => {
    const { records } = await run<[string, number]>({ case: 'rich-reduce', n: '100' }, { 'parallelism.default': 2, 'execution.runtime-mode': 'BATCH' });
    const sums = Array.from({ length: 5 }, (_, k) => [`k${k}`, Array.from({ length: 20 }, (_, j) => 5 * j + k).reduce((a, b) => a + b, 0)]);
    assert.deepEqual(records.sort((a, b) => (a[0] < b[0] ? -1 : 1)), sums);
  });

  it('open() runs before the first record and sees the subtask in its runtime context', async () => {
    const { records } = await run<string>({ case: 'rich', n: '200' }, { 'parallelism.default': 2 });
    assert.equal(records.length, 200, 'the filter was opened before its first record');
    assert.deepEqual([...new Set(records)].sort(), [
      'Source: Sequence Source -> Filter -> Describe -> Sink: Collect|0/2|0',
      'Source: Sequence Source -> Filter -> Describe -> Sink: Collect|1/2|0',
    ]);
  });
});
