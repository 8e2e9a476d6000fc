/**
 * A TaskManager outlives its execution attempts: a job whose first attempt fails (a user function
 * throws) is redeployed on the same TaskManager and succeeds, with every network segment and all
 * managed memory back between the attempts; and a process that ran jobs exits by itself (no
 * worker, port or timer left holding it).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, it } from 'node:test';
import { ExecutionAttempt } from '../../src/client/execution-attempt.js';
import { planJob } from '../../src/client/plan-job.js';
import { TaskManager } from '../../src/client/task-manager.js';
import { InsufficientNetworkBuffersError, JobExecutionError, UserFunctionError } from '../../src/errors.js';
import failOnce from '../fixtures/jobs/fail-once.js';
import failingMap from '../fixtures/jobs/failing-map.js';
import small from '../fixtures/jobs/small.js';
import { tempDirs } from '../support/temp-dirs.js';

const run = promisify(execFile);

describe('a TaskManager across attempts', () => {
  const dir = tempDirs('strom-tm-');

  it('redeploys a job after a failed attempt: the second attempt succeeds with the right output', { timeout: 120_000 }, async () => {
    const output = join(dir(), 'sums');
    const config = { 'parallelism.default': 2, 'execution.runtime-mode': 'batch' };
    const first = planJob(failOnce, config, { output, fail: 'yes' });
    const tm = TaskManager.forJob(first);
    try {
      const total = tm.stats().network.totalSegments;
      // Attempt 1: the map after the keyed sums throws on the even sum, while their state is held.
      const error = await new ExecutionAttempt(tm, failOnce, first, { params: { output, fail: 'yes' } }).run().then(
        () => assert.fail('the first attempt should fail'),
        (e: unknown) => e,
      );
      assert.ok(error instanceof JobExecutionError, String(error));
      assert.ok(error.cause instanceof UserFunctionError);
      assert.match(error.message, /boom at even/);
      assert.equal(existsSync(output), false, 'a failed attempt leaves no output');
      const between = tm.stats();
      assert.equal(between.network.availableSegments, total, 'every segment is back after the failed attempt');
      assert.equal(between.network.numLocalPools, 0, 'the attempt destroyed its local pools');
      assert.equal(between.managedMemory.used, 0, 'the keyed state released its managed memory');
      assert.ok(between.managedMemory.highWater > 0, 'the failed attempt did use managed memory');

      // Attempt 2 of the same job (no failure now) on the same TaskManager and its workers.
      const second = planJob(failOnce, config, { output });
      const result = await new ExecutionAttempt(tm, failOnce, second, { params: { output } }).run();
      assert.equal(result.networkSegments.availableAtEnd, total);
      const lines = readdirSync(output)
        .flatMap((file) => readFileSync(join(output, file), 'utf8').split('\n'))
        .filter((line) => line !== '')
        .sort();
      assert.deepEqual(lines, ['(even,250500)', '(odd,250000)']);
      const after = tm.stats();
      assert.equal(after.network.availableSegments, total);
      assert.equal(after.managedMemory.used, 0);
    } finally {
      await tm.close();
    }
  });
});

describe('an attempt that does not fit its TaskManager', () => {
  it('is refused with InsufficientNetworkBuffersError and gives back the local pools it had made', async () => {
    const planned = planJob(small, { 'parallelism.default': 2 });
    // Room for the first local pools of the plan, not for all of them.
    const tm = new TaskManager(planned.config, { network: { segmentSize: planned.plan.network.segmentSize, numSegments: 8 }, slots: 2 });
    try {
      assert.throws(() => new ExecutionAttempt(tm, small, planned, {}), InsufficientNetworkBuffersError);
      assert.equal(tm.stats().network.numLocalPools, 0);
      assert.equal(tm.stats().network.reservedMinimum, 0);
    } finally {
      await tm.close();
    }
  });
});

describe('a TaskManager whose worker died', () => {
  it('fails the attempt, then runs the next attempt on a fresh worker', { timeout: 120_000 }, async () => {
    const config = { 'parallelism.default': 2 };
    const dying = planJob(failingMap, config, { failure: 'exit', at: '777' });
    const tm = TaskManager.forJob(dying);
    try {
      const total = tm.stats().network.totalSegments;
      const attempt = new ExecutionAttempt(tm, failingMap, dying, { params: { failure: 'exit', at: '777' } });
      const error = await attempt.run().then(
        () => assert.fail('the attempt should fail'),
        (e: unknown) => e,
      );
      assert.ok(error instanceof JobExecutionError, String(error));
      assert.match(error.message, /worker thread running .*Exploder.*\(2\/2\) died/);
      // The dead worker's subtasks never reported their end: the attempt marks them FAILED.
      const states = attempt.taskStates();
      assert.ok(states.some((s) => s.name.includes('Exploder') && s.subtaskIndex === 1 && s.state === 'FAILED'), JSON.stringify(states));
      assert.equal(tm.stats().network.availableSegments, total);

      // The same job without the exit, on the same TaskManager: piscina replaced the dead worker.
      const healthy = planJob(failingMap, config, { failure: 'exit', at: '0' });
      const result = await new ExecutionAttempt(tm, failingMap, healthy, { params: { failure: 'exit', at: '0' } }).run();
      const discarded = result.tasks.filter((t) => t.name.includes('Exploder')).reduce((n, t) => n + t.numRecordsIn, 0);
      assert.equal(discarded, 1000);
      assert.equal(result.networkSegments.availableAtEnd, total);
    } finally {
      await tm.close();
    }
  });
});

describe('a process that ran jobs', () => {
  it('exits by itself after a successful job, a failed one, a collected one closed early and an attempt on a TaskManager left open', { timeout: 120_000 }, async () => {
    const index = new URL('../../src/index.js', import.meta.url).href;
    const small = new URL('../fixtures/jobs/small.js', import.meta.url).href;
    const failing = new URL('../fixtures/jobs/failing-map.js', import.meta.url).href;
    const unbounded = new URL('../fixtures/jobs/unbounded.js', import.meta.url).href;
    const client = (file: string) => new URL(`../../src/client/${file}.js`, import.meta.url).href;
    // No process.exit: the child ends only when nothing keeps its event loop alive.
    const script = `
      const { execute, executeAndCollect } = await import(${JSON.stringify(index)});
      const small = (await import(${JSON.stringify(small)})).default;
      const failing = (await import(${JSON.stringify(failing)})).default;
      const unbounded = (await import(${JSON.stringify(unbounded)})).default;
      const { planJob } = await import(${JSON.stringify(client('plan-job'))});
      const { TaskManager } = await import(${JSON.stringify(client('task-manager'))});
      const { ExecutionAttempt } = await import(${JSON.stringify(client('execution-attempt'))});
      await execute(small, { config: { 'parallelism.default': 2 } });
      await execute(failing, { params: { failure: 'throw' }, config: { 'parallelism.default': 2 } }).catch(() => {});
      let n = 0;
      for await (const _ of executeAndCollect(unbounded)) if (++n === 100) break;
      // A TaskManager left open after its attempt: its idle workers and the attempt's closed
      // control channels hold nothing.
      const planned = planJob(small, {});
      await new ExecutionAttempt(TaskManager.forJob(planned), small, planned, {}).run();
      console.log('done');
    `;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { timeout: 100_000 });
    assert.equal(stdout.trim(), 'done');
  });
});
