/**
 * STREAMING and BATCH give the same final results on bounded input for an event-time keyed job
 * with timers (Flink: a bounded input ends with MAX_WATERMARK, which fires every timer), at
 * parallelism 1 and 3; out-of-order input within the strategy's bound has no late record in
 * either mode (in BATCH no watermark but the last reaches the keyed operator at all).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { executeAndCollect } from '../../src/index.js';
import { DELAY, jittered } from '../fixtures/jobs/event-time.js';
import job, { bucketEnd, type ModeResult } from '../fixtures/jobs/event-time-modes.js';

const N = 3000;

async function run(mode: 'STREAMING' | 'BATCH', parallelism: number, delay = DELAY): Promise<ModeResult[]> {
  const collected = executeAndCollect<ModeResult>(job, {
    params: { n: String(N), delay: String(delay) },
    config: { 'execution.runtime-mode': mode, 'parallelism.default': parallelism },
  });
  const records: ModeResult[] = [];
  for await (const record of collected) records.push(record);
  await collected.result;
  return records;
}

/** The buckets a plain JS pass over the events gives, as `key@end:count:sum`, sorted. */
function referenceBuckets(): string[] {
  const buckets = new Map<string, [number, number]>();
  for (const { key, t } of jittered(N)) {
    const id = `${key}@${bucketEnd(t)}`;
    const [count, sum] = buckets.get(id) ?? [0, 0];
    buckets.set(id, [count + 1, sum + t]);
  }
  return [...buckets].map(([id, [count, sum]]) => `${id}:${count}:${sum}`).sort();
}

function bucketsOf(records: ModeResult[]): string[] {
  return records
    .filter((r) => r[0] === 'bucket')
    .map((r) => `${r[1]}@${r[2]}:${r[3]}:${r[4]}`)
    .sort();
}

function lateOf(records: ModeResult[]): ModeResult[] {
  return records.filter((r) => r[0] === 'late');
}

describe('STREAMING and BATCH on bounded event-time input', () => {
  const reference = referenceBuckets();

  for (const parallelism of [1, 3]) {
    it(`parallelism ${parallelism}: the same buckets from event-time timers in both modes, equal to a plain JS pass, and no late record`, async () => {
      const streaming = await run('STREAMING', parallelism);
      const batch = await run('BATCH', parallelism);
      assert.deepEqual(lateOf(streaming), [], 'STREAMING: a record within the bound was late');
      assert.deepEqual(lateOf(batch), [], 'BATCH: a record was late');
      assert.deepEqual(bucketsOf(streaming), reference, 'STREAMING buckets');
      assert.deepEqual(bucketsOf(batch), bucketsOf(streaming), 'BATCH buckets differ from STREAMING');
    });
  }

  it('the job sees late records when the bound is smaller than the disorder (STREAMING only: BATCH has no watermark before the end)', async () => {
    // Guards the test above: with too small a bound, STREAMING does report late records...
    const streaming = await run('STREAMING', 3, 50);
    assert.ok(lateOf(streaming).length > 0, 'a 50 ms bound on events up to 250 ms out of order made no late record');
    assert.notDeepEqual(bucketsOf(streaming), reference);
    // ...while BATCH drops every watermark but the final one, so nothing is late and the buckets are complete.
    const batch = await run('BATCH', 3, 50);
    assert.deepEqual(lateOf(batch), []);
    assert.deepEqual(bucketsOf(batch), reference);
  });
});
