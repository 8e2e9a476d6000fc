/**
 * The examples run as jobs from code and as programs: examples/average.ts (a stream's mean,
 * BATCH) and examples/running-max.ts (a keyed running maximum over an unbounded source,
 * cancelled after N results).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { executeAndCollect } from '../../src/index.js';
import averageJob, { average } from '../../examples/average.js';
import runningMaxJob, { reading, runningMax, SENSORS, type Reading } from '../../examples/running-max.js';

const exec = promisify(execFile);
const example = (name: string) => fileURLToPath(new URL(`../../examples/${name}`, import.meta.url));

describe('examples/average', () => {
  it('the average of 1, 2, 3, 4, 5 is 3, one final value', async () => {
    const job = executeAndCollect<number>(averageJob);
    const results: number[] = [];
    for await (const mean of job) results.push(mean);
    assert.deepEqual(results, [3]);
    const result = await job.result;
    assert.equal(result.jobName, 'Average');
    assert.equal(result.networkSegments.availableAtEnd, result.networkSegments.total);
  });

  it('averages other values given as params, also at parallelism 2', async () => {
    assert.equal(await average([2, 4, 9]), 5);
    assert.equal(await average([-1.5, 0.5]), -0.5);
    const values = Array.from({ length: 1000 }, (_, i) => i);
    const results: number[] = [];
    for await (const mean of executeAndCollect<number>(averageJob, { params: { values: values.join(',') }, config: { 'parallelism.default': 2 } })) {
      results.push(mean);
    }
    assert.deepEqual(results, [499.5]);
  });

  it('runs as a program: `node dist/examples/average.js` prints "average: 3" and exits 0', async () => {
    const { stdout, stderr } = await exec(process.execPath, [example('average.js')]);
    assert.equal(stdout, 'average: 3\n');
    assert.equal(stderr, '');
    const other = await exec(process.execPath, [example('average.js'), '10', '20']);
    assert.equal(other.stdout, 'average: 15\n');
  });
});

describe('examples/running-max', () => {
  /** The reference: per sensor, [sensor, max so far, seq of its first reading], in reading order. */
  function reference(count: number): Reading[] {
    const state = new Map<string, Reading>();
    const out: Reading[] = [];
    for (let seq = 0; seq < count; seq++) {
      const [sensor, value] = reading(seq);
      const current = state.get(sensor);
      const next: Reading = current ? [sensor, Math.max(current[1], value), current[2]] : reading(seq);
      state.set(sensor, next);
      out.push(next);
    }
    return out;
  }

  it('the first N results are the running maxima of the first N readings, then the loop ends and the job is cancelled', async () => {
    const results = await runningMax(2000);
    assert.equal(results.length, 2000);
    // One keyed subtask and one collect subtask: results arrive in reading order.
    assert.deepEqual(results, reference(2000));
    assert.equal(new Set(results.map(([sensor]) => sensor)).size, SENSORS);
  });

  it('at parallelism 2 each sensor\'s maxima are still its reference sequence (order kept per key)', async () => {
    const limit = 3000;
    const collected = executeAndCollect<Reading>(runningMaxJob, { config: { 'parallelism.default': 2 } });
    const perSensor = new Map<string, Reading[]>();
    let n = 0;
    for await (const result of collected) {
      let list = perSensor.get(result[0]);
      if (!list) perSensor.set(result[0], (list = []));
      list.push(result);
      if (++n === limit) break;
    }
    await collected.result;
    // The loop ended by its break, not because results stopped coming.
    assert.equal(n, limit);
    // Results of different sensors interleave across the two subtasks; per sensor they are a
    // prefix of the reference sequence.
    const expected = new Map<string, Reading[]>();
    for (const r of reference(limit * 2)) {
      let list = expected.get(r[0]);
      if (!list) expected.set(r[0], (list = []));
      list.push(r);
    }
    for (const [sensor, list] of perSensor) {
      assert.deepEqual(list, expected.get(sensor)!.slice(0, list.length), sensor);
      for (let i = 1; i < list.length; i++) assert.ok(list[i]![1] >= list[i - 1]![1], `${sensor}: maxima never decrease`);
    }
  });

  it('runs as a program: prints the first N running maxima and exits 0', async () => {
    const { stdout } = await exec(process.execPath, [example('running-max.js'), '12']);
    const expected = reference(12).map(([sensor, max, seq]) => `${sensor} max ${max} (first seq ${seq})`);
    assert.deepEqual(stdout.trimEnd().split('\n'), expected);
  });
});
