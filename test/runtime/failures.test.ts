/**
 * Failures on real worker threads: a throwing user function, a worker that exits or runs out of
 * memory, cancellation of unbounded jobs, a job module that builds a different graph in the
 * workers, and too few task slots. Each failure must reject with a clear error naming the job,
 * the task and the operator, and must leave the process healthy: a job run afterwards succeeds
 * and gets every network segment back.
 */
import assert from 'node:assert/strict';
import { BroadcastChannel } from 'node:worker_threads';
import { describe, it } from 'node:test';
import {
  execute,
  executeAndCollect,
  InsufficientSlotsError,
  InvalidJobError,
  JobCancelledError,
  JobExecutionError,
  UserFunctionError,
} from '../../src/index.js';
import differentGraph from '../fixtures/jobs/different-graph.js';
import failingMap from '../fixtures/jobs/failing-map.js';
import slotGroups from '../fixtures/jobs/slot-groups.js';
import small from '../fixtures/jobs/small.js';
import unbounded from '../fixtures/jobs/unbounded.js';

/** A small job runs to its end afterwards and every network segment is free at its end. */
async function assertHealthy(): Promise<void> {
  const result = await execute(small, { config: { 'parallelism.default': 2 } });
  assert.equal(result.jobName, 'Small');
  assert.equal(result.networkSegments.availableAtEnd, result.networkSegments.total);
  const sinkIn = result.tasks.filter((t) => t.name.includes('Discard')).reduce((n, t) => n + t.numRecordsIn, 0);
  // STREAMING: one rolling sum per input record.
  assert.equal(sinkIn, 1000);
}

/** Resolves with the first message on BroadcastChannel `name` matching `predicate`. */
function message(name: string, predicate: (data: Record<string, unknown>) => boolean): { received: Promise<Record<string, unknown>>; close: () => void } {
  const channel = new BroadcastChannel(name);
  const received = new Promise<Record<string, unknown>>((resolve) => {
    channel.onmessage = (event) => {
      const data = (event as MessageEvent).data as Record<string, unknown>;
      if (predicate(data)) resolve(data);
    };
  });
  return { received, close: () => channel.close() };
}

describe('a user function that throws', () => {
  it('rejects with JobExecutionError naming the job, the operator, the subtask and the original error', async () => {
    // 1..1000 at parallelism 2: subtask 2/2 reads 501..1000, so it meets 777.
    const error = await execute(failingMap, { params: { failure: 'throw', at: '777' }, config: { 'parallelism.default': 2 } }).then(
      () => assert.fail('the job should fail'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof JobExecutionError, String(error));
    assert.equal(error.code, 'ERR_JOB_FAILED');
    assert.equal(error.jobName, 'failing-throw');
    assert.equal(error.operator, 'Exploder');
    assert.equal(error.subtaskIndex, 1);
    assert.match(error.task, /Exploder.*\(2\/2\)$/);
    assert.match(error.message, /Job 'failing-throw' failed/);
    assert.match(error.message, /'Exploder'/);
    assert.match(error.message, /\(2\/2\)/);
    assert.match(error.message, /boom at 777/);
    // The cause is the worker's UserFunctionError, rebuilt; its cause is what the map threw.
    assert.ok(error.cause instanceof UserFunctionError, String(error.cause));
    assert.equal(error.failureCode, 'ERR_USER_FUNCTION');
    assert.equal(error.cause.operatorName, 'Exploder');
    assert.ok(error.cause.cause instanceof Error);
    assert.equal(error.cause.cause.message, 'boom at 777');
    await assertHealthy();
  });
});

describe('a task stuck in an endless loop', () => {
  it('does not hang the job: its worker is terminated after the grace period and the real failure is reported', { timeout: 20_000 }, async () => {
    // Subtask 1/2 spins forever on its first record; subtask 2/2 throws on 1000. The spinning
    // worker never sees the cancel, so the job settles only if that worker is terminated: without
    // it this await never returns and the test's timeout fails it.
    const error = await execute(failingMap, { params: { failure: 'spin', count: '1000' }, config: { 'parallelism.default': 2 } }).then(
      () => assert.fail('the job should fail'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof JobExecutionError, String(error));
    // The failure reported is the throw in 2/2, not the termination of the worker running 1/2.
    assert.match(error.message, /boom at 1000/);
    assert.doesNotMatch(error.message, /died/);
    assert.equal(error.operator, 'Exploder');
    assert.equal(error.subtaskIndex, 1);
    await assertHealthy();
  });
});

describe('a worker thread that dies', () => {
  it('process.exit(3) inside a map rejects with JobExecutionError saying the worker died', async () => {
    const error = await execute(failingMap, { params: { failure: 'exit', at: '777' }, config: { 'parallelism.default': 2 } }).then(
      () => assert.fail('the job should fail'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof JobExecutionError, String(error));
    assert.equal(error.jobName, 'failing-exit');
    assert.match(error.message, /worker thread running .*Exploder.*\(2\/2\) died/);
    assert.match(error.message, /code:? 3/);
    await assertHealthy();
  });

  it('a worker out of memory (resourceLimits) rejects with JobExecutionError naming the task and the limit to raise', async () => {
    const error = await execute(failingMap, {
      params: { failure: 'oom', at: '777' },
      config: { 'parallelism.default': 2, 'taskmanager.memory.task.heap.size': '1g' },
      resourceLimits: { maxOldGenerationSizeMb: 32 },
    }).then(
      () => assert.fail('the job should fail'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof JobExecutionError, String(error));
    assert.equal(error.jobName, 'failing-oom');
    assert.match(error.message, /task .*Exploder.*\(2\/2\) ran out of JavaScript heap/);
    // resourceLimits given to execute() win over taskmanager.memory.task.heap.size, and the message says which to raise.
    assert.match(error.message, /heap limit of 32mb/);
    assert.match(error.message, /raise resourceLimits\.maxOldGenerationSizeMb \(now 32\)/);
    assert.equal((error.cause as { code?: string }).code, 'ERR_WORKER_OUT_OF_MEMORY');
    await assertHealthy();
  });
});

describe('cancelling an unbounded job', () => {
  it('executeAndCollect: breaking out of the loop cancels the job and the loop ends cleanly', async () => {
    // Parallelism 1: one map and one collect subtask, so the records arrive in order.
    const job = executeAndCollect<number>(unbounded, { params: { sink: 'collect' }, config: { 'parallelism.default': 1 } });
    const seen: number[] = [];
    for await (const n of job) {
      seen.push(n);
      if (seen.length === 1000) break;
    }
    // The source is one subtask emitting 0, 1, 2, ... doubled, in order.
    assert.deepEqual(seen, Array.from({ length: 1000 }, (_, i) => i * 2));
    // Closing early is not a failure: the result settles without an error.
    await job.result;
    await assertHealthy();
  });

  it('executeAndCollect: cancel() ends the iteration', async () => {
    const job = executeAndCollect<number>(unbounded, { params: { sink: 'collect' } });
    let count = 0;
    for await (const _ of job) {
      if (++count === 500) job.cancel();
    }
    assert.ok(count >= 500);
    await job.result.then(
      () => undefined,
      (e: unknown) => assert.ok(e instanceof JobCancelledError, String(e)),
    );
    await assertHealthy();
  });

  it('execute with an AbortSignal rejects with JobCancelledError once aborted', async () => {
    const channel = `strom-failures-abort-${process.pid}`;
    const notified = message(channel, (data) => data.seen !== undefined);
    const controller = new AbortController();
    try {
      const run = execute(unbounded, {
        params: { sink: 'notify', channel, notifyAfter: '2000' },
        signal: controller.signal,
      });
      const data = await notified.received;
      assert.equal(data.seen, 2000);
      controller.abort();
      const error = await run.then(
        () => assert.fail('the job should be cancelled'),
        (e: unknown) => e,
      );
      assert.ok(error instanceof JobCancelledError, String(error));
      assert.equal(error.code, 'ERR_JOB_CANCELLED');
      assert.equal(error.jobName, 'Unbounded');
    } finally {
      notified.close();
    }
    await assertHealthy();
  });

  it('execute with an already aborted signal rejects with JobCancelledError', async () => {
    const error = await execute(unbounded, { params: { sink: 'notify' }, signal: AbortSignal.abort() }).then(
      () => assert.fail('the job should be cancelled'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof JobCancelledError, String(error));
    await assertHealthy();
  });
});

describe('a job that builds a different graph in the workers', () => {
  it('fails with an error saying the job built a different graph', async () => {
    // The first run: main thread and workers both build the first shape.
    await execute(differentGraph);
    // From the second build on the main thread adds a map; fresh workers build the first shape.
    const error = await execute(differentGraph).then(
      () => assert.fail('the job should fail'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof JobExecutionError || error instanceof InvalidJobError, String(error));
    assert.match((error as Error).message, /built a different graph/);
    if (error instanceof JobExecutionError) {
      assert.equal(error.jobName, 'Shape Shifter');
      assert.ok(error.cause instanceof InvalidJobError, String(error.cause));
      assert.equal(error.cause.code, 'ERR_INVALID_JOB');
      assert.match(error.cause.message, /build the same pipeline every time/);
    }
    await assertHealthy();
  });
});

describe('too few task slots', () => {
  it('parallelism 2 on one slot fails before starting with InsufficientSlotsError', async () => {
    const error = await execute(small, { config: { 'taskmanager.numberOfTaskSlots': 1, 'parallelism.default': 2 } }).then(
      () => assert.fail('the job should fail'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof InsufficientSlotsError, String(error));
    assert.equal(error.code, 'ERR_INSUFFICIENT_SLOTS');
    assert.equal(error.required, 2);
    assert.equal(error.available, 1);
    assert.match(error.message, /'taskmanager\.numberOfTaskSlots'/);
    await assertHealthy();
  });

  it('two slot sharing groups on one slot fail with InsufficientSlotsError naming both groups', async () => {
    const error = await execute(slotGroups, { config: { 'taskmanager.numberOfTaskSlots': 1, 'parallelism.default': 1 } }).then(
      () => assert.fail('the job should fail'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof InsufficientSlotsError, String(error));
    assert.equal(error.required, 2);
    assert.match(error.message, /'taskmanager\.numberOfTaskSlots'/);
    assert.match(error.message, /'other'/);
    // With two slots the same job runs.
    const result = await execute(slotGroups, { config: { 'taskmanager.numberOfTaskSlots': 2, 'parallelism.default': 1 } });
    assert.equal(result.slots, 2);
    assert.equal(result.networkSegments.availableAtEnd, result.networkSegments.total);
  });

  it('executeAndCollect throws InsufficientSlotsError at once, before any worker starts', () => {
    assert.throws(
      () => executeAndCollect(unbounded, { params: { sink: 'collect' }, config: { 'taskmanager.numberOfTaskSlots': 1, 'parallelism.default': 2 } }),
      (e: unknown) => e instanceof InsufficientSlotsError && /taskmanager\.numberOfTaskSlots/.test(e.message),
    );
  });
});
