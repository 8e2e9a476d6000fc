/**
 * Runs the subtasks that share one task slot (one worker thread) until all have finished: Flink's
 * mailbox loop for several tasks. Each task gets a bounded step in turn (round robin); a step
 * never blocks and never re-enters the scheduler. Between rounds the event loop gets its turns
 * (the "mail": timers, completions of async sources and sinks, messages), at least every
 * YIELD_EVERY_MS while tasks progress, and whenever none can.
 *
 * When a round made no progress, the loop awaits (never blocks on) the first of: new input on
 * the slot's input group, the output availability of each task that could not hand over its
 * output (BACKPRESSURED, or holding a backlog), the promise of each WAITING task (async source or
 * sink), and the idle timeout (flush timers, cancellation). Each of these wakes the loop only
 * through the event loop, so the thread stays alive however long back-pressure lasts.
 *
 * Why the slots of a job cannot deadlock (no thread ever waits inside a step, so the only waits
 * are "this task's output is unavailable" and "this task has no input"):
 * - Every step returns. A task whose output is unavailable stops taking input; what it already
 *   produced waits in its writer's JS backlog, so no step waits for a buffer.
 * - A blocked output waits only for its consumers: a segment comes back when a consumer reads
 *   the slice it ends, and a ring slot when the consumer takes the entry. Consumers read whenever
 *   their own output is available, and the reader copies a record that spans segments into its
 *   own buffer and releases each segment once read, so no consumer holds a segment while it
 *   waits for the next one: there is no hold-and-wait on segments along an edge.
 * - Each channel keeps at least its exclusive segment (`taskmanager.network.memory.buffers-per-channel`
 *   is reserved when the local pool is created), so floating segments taken by other producers
 *   never starve a channel: it gets a segment back as soon as its consumer recycles one.
 * - The job graph is acyclic, so "waits for a consumer" chains end at sinks, which have no
 *   network output and are never back-pressured by the network (an async sink's promise settles
 *   on its own). By induction from the sinks up, every consumer eventually reads, every
 *   back-pressured producer eventually gets a segment or slot, and every task finishes.
 * - Sharing a thread adds no wait: tasks of one slot are stepped in turn whatever their
 *   position in the graph (upstream and downstream alike), and a slot with nothing runnable
 *   wakes on any segment recycle, ring release, publish or timeout that concerns it.
 * test/runtime/task/mailbox-liveness.test.ts and mailbox-deadlock.test.ts check this with slots
 * holding upstream and downstream subtasks, cross-slot waits and one segment per channel.
 */
import { StromError } from '../../errors.js';
import type { ChannelGroup } from '../../io/channel-group.js';
import { SpinBudget } from '../../io/spin-until.js';
import { StepResult, type StreamTask } from './stream-task.js';
import { nowMs } from '../metrics/metrics-layout.js';
import type { SlotMetricsWriter } from '../metrics/metrics-writer.js';

/** Records one task may process per turn. */
const STEP_BUDGET = 4096;
/** How long an idle slot sleeps before re-checking cancellation and flush timers. */
const IDLE_WAIT_MS = 20;
/** Busy time after which the loop yields to the event loop (async sources, timers, messages). */
const YIELD_EVERY_MS = 20;
/** How often the loop samples the thread's heap into the slot's metrics block. */
const HEAP_SAMPLE_MS = 200;
export class SlotScheduler {
  private readonly tasks: StreamTask[] = [];
  /** A failure reported by a settled promise (async source or sink), thrown by the loop. */
  private failure: TaskError | undefined;

  constructor(
    private readonly inputGroup: ChannelGroup | undefined,
    private readonly cancelled: () => boolean,
    /** The slot's metrics block (heap of this thread), or undefined when metrics are off. */
    private readonly slotMetrics?: SlotMetricsWriter,
    /** Called once per task, when its step first returns FINISHED (reported on the control channel). */
    private readonly onFinished?: (task: StreamTask) => void,
  ) {}

  /** Tasks that returned FINISHED (each reported once to `onFinished`). */
  private readonly ended = new Set<StreamTask>();
  /**
   * How long an idle slot polls its wake conditions (input on its group, a back-pressured
   * task's output draining) before it awaits them through the event loop (see spin-until.ts).
   */
  private readonly spinBudget = new SpinBudget();

  add(task: StreamTask): void {
    this.tasks.push(task);
  }

  /** Runs every task to its end; throws the first failure (with the task attached). */
  async run(): Promise<void> {
    let lastYield = performance.now();
    let lastHeapSample = lastYield;
    this.slotMetrics?.sampleHeap(nowMs());
    for (;;) {
      if (this.failure) throw this.failure;
      if (this.cancelled()) throw new StromError('ERR_CANCELLED', 'The job was cancelled');
      const round = this.round();
      if (round.finished === this.tasks.length) return;
      const now = performance.now();
      if (this.slotMetrics && now - lastHeapSample >= HEAP_SAMPLE_MS) {
        lastHeapSample = now;
        this.slotMetrics.sampleHeap(nowMs());
      }
      if (round.progressed) {
        if (now - lastYield > YIELD_EVERY_MS) {
          await new Promise((resolve) => setImmediate(resolve));
          lastYield = performance.now();
        }
        continue;
      }
      await this.idle(round.waiting);
      lastYield = performance.now();
    }
  }

  /** Steps every unfinished task once; collects what the ones that cannot go on wait for. */
  private round(): { progressed: boolean; finished: number; waiting: Promise<unknown>[] } {
    let progressed = false;
    let finished = 0;
    const waiting: Promise<unknown>[] = [];
    for (const task of this.tasks) {
      let result: StepResult;
      try {
        // Mail first: processing-time timers due now run between steps, on this thread.
        if (task.fireProcessingTimers() > 0) progressed = true;
        result = task.step(STEP_BUDGET);
      } catch (error) {
        throw new TaskError(task, error);
      }
      if (result === StepResult.PROGRESS) progressed = true;
      else if (result === StepResult.FINISHED) {
        finished++;
        if (!this.ended.has(task)) {
          this.ended.add(task);
          this.onFinished?.(task);
        }
      } else if (result === StepResult.WAITING && task.waitingOn) waiting.push(this.settle(task, task.waitingOn));
    }
    return { progressed, finished, waiting };
  }

  /** Clears the task's wait once its promise settles; a rejection fails the task (never rejects itself). */
  private settle(task: StreamTask, promise: Promise<unknown>): Promise<unknown> {
    return promise.then(
      () => {
        if (task.waitingOn === promise) task.waitingOn = undefined;
      },
      (error) => {
        this.failure ??= new TaskError(task, error);
      },
    );
  }

  private async idle(waiting: Promise<unknown>[]): Promise<void> {
    const hasInput = () => this.tasks.some((t) => t.hasInput() && !t.waitingOn && !t.backPressured);
    if (hasInput()) return;
    if (this.spinBudget.spin(this.taskReady, this.cancelled)) return;
    // Nothing to do for now: publish partly filled buffers whose timeout passed before sleeping,
    // so a quiet source does not hold back what it already emitted.
    for (const task of this.tasks) {
      task.flushIfDue();
      // BACKPRESSURED, or idle with output still in a backlog: wake when it can be handed over.
      const output = task.outputAvailable(IDLE_WAIT_MS);
      if (output) waiting.push(output);
    }
    // Sleep no longer than until the next processing-time timer is due.
    let timeout = IDLE_WAIT_MS;
    for (const task of this.tasks) timeout = Math.min(timeout, task.nextProcessingTimerAt() - Date.now());
    timeout = Math.max(0, Math.ceil(timeout));
    const input = this.inputGroup
      ? this.inputGroup.waitForDataAsync(hasInput, timeout)
      : new Promise((resolve) => setTimeout(resolve, timeout));
    await Promise.race([input, ...waiting]);
    this.spinBudget.woke();
  }

  /**
   * What `idle` polls before it awaits: a task with new input it may take, or a back-pressured
   * task whose output drained. (Async sources and sinks settle through the event loop only:
   * they are awaited.)
   */
  private readonly taskReady = (): boolean => {
    const tasks = this.tasks;
    for (let i = 0; i < tasks.length; i++) {
      const task = tasks[i]!;
      if (task.waitingOn !== undefined) continue;
      if (task.backPressured ? task.tryDrainOutput() : task.hasInput()) return true;
    }
    return false;
  };
}

/** A failure inside one task, carrying the task for the report. */
export class TaskError extends Error {
  constructor(
    readonly task: StreamTask,
    override readonly cause: unknown,
  ) {
    super(cause instanceof Error ? cause.message : String(cause));
  }
}
