/**
 * An execution attempt's control channels, on real worker threads: a `cancel` command alone stops
 * a running unbounded job, subtask states arrive while the job runs, and the first failure a slot
 * reports stops the other slots before the failing slot's run settles.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { BroadcastChannel } from 'node:worker_threads';
import { after, describe, it } from 'node:test';
import type { JobDefinition } from '../../src/api/define-job.js';
import type { ExecuteOptions } from '../../src/client/execute-options.js';
import { ExecutionAttempt } from '../../src/client/execution-attempt.js';
import { planJob } from '../../src/client/plan-job.js';
import { TaskManager } from '../../src/client/task-manager.js';
import { JobCancelledError, JobExecutionError } from '../../src/errors.js';
import type { TaskExecutionState } from '../../src/runtime/slot-messages.js';
import failWhileOtherRuns from '../fixtures/jobs/fail-while-other-runs.js';
import unbounded from '../fixtures/jobs/unbounded.js';
import { tempDirs } from '../support/temp-dirs.js';

const taskManagers: TaskManager[] = [];
after(async () => {
  for (const tm of taskManagers) await tm.close();
});

/** A TaskManager sized for the job and its first attempt (closed after the suite). */
function attemptOf(job: JobDefinition, options: ExecuteOptions): { tm: TaskManager; attempt: ExecutionAttempt } {
  const planned = planJob(job, options.config, options.params);
  const tm = TaskManager.forJob(planned);
  taskManagers.push(tm);
  return { tm, attempt: new ExecutionAttempt(tm, job, planned, options) };
}

/** Resolves on the first message on BroadcastChannel `name`. */
function firstMessage(name: string): Promise<unknown> {
  const channel = new BroadcastChannel(name);
  return new Promise((resolve) => {
    channel.onmessage = (event) => {
      channel.close();
      resolve((event as MessageEvent).data);
    };
  });
}

/** The subtasks of the attempt's plan, as `vertexId/subtaskIndex`. */
function subtasksOf(attempt: ExecutionAttempt): string[] {
  return attempt.plan.vertices.flatMap((v) => v.subtasks.map((s) => `${v.vertex.id}/${s.index}`));
}

const key = (s: TaskExecutionState) => `${s.vertexId}/${s.subtaskIndex}`;

describe('the cancel command on the control channels', () => {
  it('alone (no control word, no channel cancel) stops a running unbounded job', { timeout: 60_000 }, async () => {
    const channel = `attempt-cancel-${process.pid}`;
    const { attempt } = attemptOf(unbounded, { params: { sink: 'notify', channel, notifyAfter: '500' }, config: { 'parallelism.default': 2 } });
    const running = firstMessage(channel);
    const result = attempt.run();
    await running; // the sink has seen 500 records: the job runs
    attempt.command({ kind: 'cancel' });
    // Without a slot acting on the command the job never ends and the test times out.
    await assert.rejects(result, JobCancelledError);
    const states = attempt.taskStates();
    assert.equal(states.length, subtasksOf(attempt).length);
    for (const state of states) assert.equal(state.state, 'CANCELED', `${state.name}: ${state.state}`);
  });
});

describe('task states on the control channels', () => {
  it('every subtask reports DEPLOYING, INITIALIZING and RUNNING while the job runs, then CANCELED', { timeout: 60_000 }, async () => {
    const { attempt } = attemptOf(unbounded, { params: { sink: 'notify' }, config: { 'parallelism.default': 2 } });
    const subtasks = subtasksOf(attempt);
    assert.ok(subtasks.length >= 3, 'several subtasks in several slots');
    const seen = new Map<string, string[]>();
    let ended = false;
    const allRunning = new Promise<void>((resolve) => {
      attempt.on('taskState', (s) => {
        seen.set(key(s), [...(seen.get(key(s)) ?? []), s.state]);
        if (subtasks.every((k) => seen.get(k)?.includes('RUNNING'))) resolve();
      });
    });
    const result = attempt.run().finally(() => (ended = true));
    result.catch(() => {});
    // The job is unbounded: it ends only when cancelled below. States reported only at the end
    // would never get here, and the test would time out.
    await allRunning;
    assert.equal(ended, false);
    attempt.cancel();
    await assert.rejects(result, JobCancelledError);
    for (const k of subtasks) assert.deepEqual(seen.get(k), ['DEPLOYING', 'INITIALIZING', 'RUNNING', 'CANCELED'], k);
  });
});

describe('a failure reported on the control channel', () => {
  const dir = tempDirs('strom-attempt-');

  it('stops the other slots before the failing slot settles, and is the error the run rejects with', { timeout: 120_000 }, async () => {
    const closedFile = join(dir(), 'closed');
    const { attempt } = attemptOf(failWhileOtherRuns, { params: { closedFile } });
    const order: string[] = [];
    attempt.on('failure', (error) => order.push(`failure: ${error.message}`));
    attempt.on('slotEnded', (slot) => order.push(`slot ${slot} ended, other stopped: ${existsSync(closedFile)}`));
    const error = await attempt.run().then(
      () => assert.fail('the job should fail'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof JobExecutionError, String(error));
    assert.match(error.message, /boom in 1\/2/);
    assert.equal(error.subtaskIndex, 0);
    const slot = attempt.taskStates().find((s) => s.subtaskIndex === 0)!.slot;
    // The failing slot's sink waits in close() until the other slot was stopped. Stopped only
    // after the failing slot's result (the old way), its wait runs out first and the order differs.
    assert.match(order[0]!, /^failure: .*boom in 1\/2/);
    assert.ok(order.includes(`slot ${slot} ended, other stopped: true`), order.join('\n'));
    const states = new Map(attempt.taskStates().map((s) => [s.subtaskIndex, s.state]));
    assert.equal(states.get(0), 'FAILED');
    assert.equal(states.get(1), 'CANCELED');
  });

  it('a slot stuck after reporting its failure is terminated; its subtask stays FAILED', { timeout: 120_000 }, async () => {
    const closedFile = join(dir(), 'closed');
    const { attempt } = attemptOf(failWhileOtherRuns, { params: { closedFile, stuck: 'yes' } });
    await assert.rejects(attempt.run(), (error: unknown) => error instanceof JobExecutionError && /boom in 1\/2/.test(error.message));
    const states = new Map(attempt.taskStates().map((s) => [s.subtaskIndex, s.state]));
    assert.equal(states.get(0), 'FAILED');
    assert.equal(states.get(1), 'CANCELED');
  });
});
