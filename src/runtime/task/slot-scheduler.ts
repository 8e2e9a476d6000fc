/**
 * Runs the subtasks that share one task slot (one worker thread) until all have finished, like
 * Flink's mailbox loop but for several tasks: each gets a bounded step in turn. When none can
 * progress, the thread waits without blocking its event loop (Atomics.waitAsync on the slot's
 * input group, raced with the promises async sources and sinks wait on).
 *
 * A task whose output is back-pressured waits inside its write; while it waits it calls `help`,
 * which steps the slot's other tasks: the consumer that would free the buffer may be one of
 * them, so a thread never blocks on work only it can do.
 */
import { StromError } from '../../errors.js';
import type { ChannelGroup } from '../../io/channel-group.js';
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
  /** Tasks with a step on the stack (a blocked write), which `help` must not re-enter. */
  private readonly busy = new Set<StreamTask>();
  /** A failure reported by a settled promise (async source or sink), thrown by the loop. */
  private failure: TaskError | undefined;

  /** Per task, the slot's tasks downstream of it (the only ones `help` may step for it). */
  private readonly downstream = new Map<StreamTask, StreamTask[]>();

  constructor(
    private readonly inputGroup: ChannelGroup | undefined,
    private readonly cancelled: () => boolean,
    /** The job's edges (StreamGraph node ids), to tell which tasks are downstream of which. */
    private readonly edges: readonly { source: number; target: number }[],
    /** The slot's metrics block (heap of this thread), or undefined when metrics are off. */
    private readonly slotMetrics?: SlotMetricsWriter,
    /** Called once per task, when its step first returns FINISHED (reported on the control channel). */
    private readonly onFinished?: (task: StreamTask) => void,
  ) {}

  /** Tasks that returned FINISHED (each reported once to `onFinished`). */
  private readonly ended = new Set<StreamTask>();

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
      const round = this.round(undefined);
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

  /**
   * Steps the tasks other than `except` once (WaitHooks.help for a task blocked in a write);
   * true if any progressed.
   */
  help(except: StreamTask): boolean {
    return this.round(except, false, this.downstreamOf(except)).progressed;
  }

  /**
   * The slot's tasks downstream of `task` in the job graph (directly or through other slots).
   * `help` steps only these: a helped task that blocks in turn then waits only for tasks further
   * downstream, so the waits (a blocked writer waits for its consumers; a task's frame waits for
   * the helped task's step above it) all point downstream in an acyclic graph and cannot form a
   * cycle across threads. Helping an upstream task could deadlock: slot 0 helps Source 1/2 from
   * under Counter 1/2 and blocks on Counter 2/2, slot 1 helps Source 2/2 from under Counter 2/2
   * and blocks on Counter 1/2, whose frames are buried under the blocked sources.
   */
  private downstreamOf(task: StreamTask): StreamTask[] {
    let tasks = this.downstream.get(task);
    if (tasks) return tasks;
    const reached = new Set<number>();
    const pending = [...task.deployment.nodeIds];
    while (pending.length > 0) {
      const node = pending.pop()!;
      for (const edge of this.edges) {
        if (edge.source === node && !reached.has(edge.target)) {
          reached.add(edge.target);
          pending.push(edge.target);
        }
      }
    }
    tasks = this.tasks.filter((t) => t !== task && t.deployment.nodeIds.some((id) => reached.has(id)));
    this.downstream.set(task, tasks);
    return tasks;
  }

  private round(
    except: StreamTask | undefined,
    collectWaits = true,
    only?: readonly StreamTask[],
  ): { progressed: boolean; finished: number; waiting: Promise<unknown>[] } {
    let progressed = false;
    let finished = 0;
    const waiting: Promise<unknown>[] = [];
    for (const task of only ?? this.tasks) {
      if (task === except || this.busy.has(task)) continue;
      this.busy.add(task);
      let result: StepResult;
      try {
        result = task.step(STEP_BUDGET);
      } catch (error) {
        throw new TaskError(task, error);
      } finally {
        this.busy.delete(task);
      }
      if (result === StepResult.PROGRESS) progressed = true;
      else if (result === StepResult.FINISHED) {
        finished++;
        if (!this.ended.has(task)) {
          this.ended.add(task);
          this.onFinished?.(task);
        }
      }
      else if (collectWaits && result === StepResult.WAITING && task.waitingOn) waiting.push(this.settle(task, task.waitingOn));
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
    const hasInput = () => this.tasks.some((t) => t.hasInput() && !t.waitingOn);
    if (hasInput()) return;
    // Nothing to do for now: publish partly filled buffers whose timeout passed before sleeping,
    // so a quiet source does not hold back what it already emitted.
    for (const task of this.tasks) task.flushIfDue();
    const input = this.inputGroup
      ? this.inputGroup.waitForDataAsync(hasInput, IDLE_WAIT_MS)
      : new Promise((resolve) => setTimeout(resolve, IDLE_WAIT_MS));
    await Promise.race([input, ...waiting]);
  }
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
