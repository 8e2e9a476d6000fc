/**
 * SlotScheduler's poll before it awaits: a back-pressured task whose output drains while the
 * idle slot polls runs again without awaiting its availability; a cancellation ends the poll
 * (the adaptive budget itself: spin-until.test.ts). Scripted tasks (the real ones cannot
 * be made to drain at a chosen poll); no timing is asserted.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { POLLS_PER_CHECK } from '../../../src/io/spin-until.js';
import { SlotScheduler } from '../../../src/runtime/task/slot-scheduler.js';
import { StepResult, type StreamTask } from '../../../src/runtime/task/stream-task.js';

/** A task that is back-pressured for `steps` steps, then finishes; its output drains when `drains()` says so. */
class ScriptedTask {
  waitingOn: Promise<unknown> | undefined = undefined;
  backPressured = false;
  steps = 0;
  drainCalls = 0;
  availabilityAwaits = 0;
  constructor(
    private readonly backPressuredSteps: number,
    private readonly drains: (call: number) => boolean,
  ) {}
  step(): StepResult {
    this.steps++;
    this.backPressured = this.steps <= this.backPressuredSteps;
    return this.backPressured ? StepResult.BACKPRESSURED : StepResult.FINISHED;
  }
  hasInput(): boolean {
    return false;
  }
  tryDrainOutput(): boolean {
    return this.drains(++this.drainCalls);
  }
  flushIfDue(): void {}
  fireProcessingTimers(): number {
    return 0;
  }
  nextProcessingTimerAt(): number {
    return Number.POSITIVE_INFINITY;
  }
  outputAvailable(): Promise<void> | undefined {
    if (!this.backPressured) return undefined;
    this.availabilityAwaits++;
    return Promise.resolve();
  }
}

function schedulerOf(task: ScriptedTask, cancelled: () => boolean = () => false): SlotScheduler {
  const scheduler = new SlotScheduler(undefined, cancelled);
  scheduler.add(task as unknown as StreamTask);
  return scheduler;
}

test('an output that drains during the poll: the task runs again without awaiting availability', async () => {
  const task = new ScriptedTask(1, (call) => call === 5);
  await schedulerOf(task).run();
  assert.equal(task.steps, 2);
  assert.equal(task.drainCalls, 5);
  assert.equal(task.availabilityAwaits, 0);
});

test('the poll checks for cancellation and ends when the job is cancelled; the run fails as cancelled', async () => {
  const task = new ScriptedTask(1, () => false);
  let checkedWhilePolling = false;
  const cancelled = (): boolean => {
    // Called after the first drain and before the slot awaits availability: inside the poll.
    if (task.drainCalls > 0 && task.availabilityAwaits === 0) checkedWhilePolling = true;
    return task.drainCalls > 0;
  };
  await assert.rejects(schedulerOf(task, cancelled).run(), { code: 'ERR_CANCELLED' });
  assert.equal(checkedWhilePolling, true);
  assert.equal(task.drainCalls, POLLS_PER_CHECK, 'polled on after the cancellation');
});
