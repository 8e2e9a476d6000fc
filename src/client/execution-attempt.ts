/**
 * One execution attempt of a job on a TaskManager (Flink's Execution / ExecutionAttempt, one per
 * subtask there; one per job here, since a failure restarts the whole job): everything that
 * belongs to one run and nothing that outlives it. It creates the attempt's channels and local
 * pools on the TaskManager's network memory (slot-deployment.ts), deploys the subtasks into its
 * slots with a control channel per slot (slot-messages.ts), follows their states and failures
 * while they run, and when the run ends gives every buffer back to the TaskManager, which can
 * then run the next attempt (a redeploy after a failure).
 *
 * On a failure or a cancel it stops every slot (the shared control word, the channels, and a
 * `cancel` command on each control channel), and rejects with a clear error; nothing is left
 * running. The first failure a slot reports on its channel stops the others at once, without
 * waiting for that slot to end. The output of its writeAsText sinks appears only when the run
 * succeeded: a FileOutputCommitter checks the targets before the start, commits the in-progress
 * files at the end, and removes them on failure, cancel, or when the process exits during the run.
 */
import { EventEmitter } from 'node:events';
import { MessageChannel, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import type { JobDefinition } from '../api/define-job.js';
import type { Configuration } from '../config/configuration.js';
import { FS_OVERWRITE_FILES } from '../config/config-options.js';
import { errorMessage, errors, isCancelCode, JobCancelledError, JobExecutionError } from '../errors.js';
import { rebuildError } from '../errors/rebuild-error.js';
import type { ExecutionPlan } from '../graph/execution-plan.js';
import type { StreamGraph } from '../graph/stream-graph.js';
import type { ChannelGroup } from '../io/channel-group.js';
import type { NetworkBufferPool } from '../memory/network-buffer-pool.js';
import { CONTROL_BYTES, ControlWord, type SlotResult, type TaskFailure } from '../runtime/deployment.js';
import { createMetricsBuffer, nowMs } from '../runtime/metrics/metrics-layout.js';
import { JobMetricsReader, type TaskMetricsSource } from '../runtime/metrics/metrics-reader.js';
import { FileOutputCommitter, textFileOutputs } from '../runtime/sinks/file-output-committer.js';
import { isTerminalState, type ExecutionState, type SlotCommand, type SlotEvent, type TaskExecutionState } from '../runtime/slot-messages.js';
import type { ExecuteOptions, JobExecutionResult } from './execute-options.js';
import type { PlannedJob } from './plan-job.js';
import { deploySlots, type CollectReader, type PreparedSlot } from './slot-deployment.js';
import type { TaskManager } from './task-manager.js';

/** Events of an attempt, emitted as the slots report them while it runs. */
export interface ExecutionAttemptEvents {
  /** A subtask changed state. */
  taskState: [TaskExecutionState];
  /** A slot reported the failure that stopped it (the error the run will reject with, if first). */
  failure: [Error];
  /** A slot's run settled (its worker returned its result, died or was terminated). */
  slotEnded: [number];
}

/** How long tasks get to stop after a failure or cancel before their worker threads are terminated. */
const STOP_GRACE_MS = 2000;

/** The result of a slot whose worker died or was terminated: its tasks left no figures. */
const NO_SLOT_RESULT = { ok: false, tasks: [] } as unknown as SlotResult;

export class ExecutionAttempt extends EventEmitter<ExecutionAttemptEvents> {
  readonly jobName: string;
  readonly graph: StreamGraph;
  readonly plan: ExecutionPlan;
  readonly config: Configuration;
  readonly collects: CollectReader[] = [];
  /** The writeAsText sinks' output: checked before the start, committed or removed at the end. */
  readonly output: FileOutputCommitter;
  /** The attempt's task metrics; undefined with `metrics: false`. */
  readonly metrics: JobMetricsReader | undefined;
  private readonly pool: NetworkBufferPool;
  private readonly control = new SharedArrayBuffer(CONTROL_BYTES);
  /** The attempt's channel groups and local pools (made by deploySlots, given back at the end). */
  readonly groups: ChannelGroup[] = [];
  readonly localPools: number[] = [];
  private readonly requests: PreparedSlot[];
  /** The control plane's end of each running slot's control channel. */
  private readonly ports: MessagePort[] = [];
  /** Per running slot: aborting it terminates the slot's worker thread (piscina). */
  private readonly terminations: AbortController[] = [];
  /** The last state each subtask reported, by `vertexId/subtaskIndex`. */
  private readonly states = new Map<string, TaskExecutionState>();
  /** The subtasks (by name) whose failure a slot reported. */
  private readonly failedTasks = new Set<string>();
  private readonly metricsBuffer: SharedArrayBuffer | undefined;
  readonly metricsSources: TaskMetricsSource[] = [];
  private started = false;
  private cancelRequested = false;
  private firstFailure: Error | undefined;
  private stopTimer: NodeJS.Timeout | undefined;
  /** Set once the workers are being terminated: their runs then reject, which is no new failure. */
  private workersTerminated = false;

  constructor(
    private readonly taskManager: TaskManager,
    job: JobDefinition,
    planned: PlannedJob,
    private readonly options: ExecuteOptions,
  ) {
    super();
    this.config = planned.config;
    this.jobName = planned.jobName;
    this.graph = planned.graph;
    this.plan = planned.plan;
    if (!this.graph.nodes.some((n) => n.operator.kind === 'sink')) {
      throw errors.invalidJob(`job '${this.jobName}' has no sink: add print(), writeAsText(), collect() or addSink() to a stream`);
    }
    // Existing output is refused here, before the attempt allocates or starts anything.
    this.output = new FileOutputCommitter(textFileOutputs(this.graph, this.plan, this.config.get(FS_OVERWRITE_FILES)));
    this.pool = taskManager.pool;
    if (options.metrics !== false) {
      const numTasks = this.plan.vertices.reduce((n, v) => n + v.subtasks.length, 0);
      this.metricsBuffer = createMetricsBuffer(this.plan.totals.slots, numTasks);
    }
    if (this.plan.totals.slots > taskManager.numSlots) {
      throw errors.internal(`the job needs ${this.plan.totals.slots} task slots, the TaskManager has ${taskManager.numSlots}`);
    }
    try {
      this.requests = deploySlots(
        {
          job,
          options,
          planned,
          pool: this.pool,
          managedMemory: taskManager.managedMemory.buffer,
          flushClock: taskManager.flushClock,
          control: this.control,
          metrics: this.metricsBuffer,
          output: this.output,
        },
        this,
      );
    } catch (error) {
      // E.g. too few network buffers on this TaskManager: the local pools made so far go back.
      this.release();
      throw error;
    }
    this.metrics = this.metricsBuffer
      ? new JobMetricsReader(
          this.jobName,
          this.metricsBuffer,
          this.metricsSources,
          this.pool,
          taskManager.managedMemory,
          this.plan.network.maxBuffersPerChannel,
          this.requests.map((r) => r.slot),
          nowMs(),
        )
      : undefined;
  }

  /** The last state each subtask reported (the slots report them on their control channels). */
  taskStates(): TaskExecutionState[] {
    return [...this.states.values()];
  }

  /**
   * Deploys the slots and resolves when every task finished; rejects on failure or cancel. An
   * attempt runs once. With collect() sinks, `collected` must settle once the main thread has read
   * them to the end (their segments are only reclaimed after that).
   */
  async run(collected?: Promise<unknown>): Promise<JobExecutionResult> {
    if (this.started) throw errors.internal('an execution attempt runs once; create a new one to redeploy the job');
    this.started = true;
    const started = performance.now();
    try {
      this.output.prepare();
    } catch (error) {
      this.release();
      throw error;
    }
    // A process that exits during the run (process.exit, a second Ctrl-C in the CLI) leaves no
    // in-progress output behind.
    const unwatch = this.output.abortOnProcessExit();
    try {
      return await this.runPrepared(started, collected);
    } catch (error) {
      this.output.abort();
      throw error;
    } finally {
      unwatch();
    }
  }

  private async runPrepared(started: number, collected: Promise<unknown> | undefined): Promise<JobExecutionResult> {
    const signal = this.options.signal;
    const onAbort = () => this.cancel();
    signal?.addEventListener('abort', onAbort, { once: true });
    if (signal?.aborted) this.cancel();
    const results = await Promise.all(this.requests.map((request) => this.runSlot(request)));
    signal?.removeEventListener('abort', onAbort);
    if (collected) await collected.catch(() => {});
    const availableAtEnd = this.release();
    // The first failure wins; a cancel makes tasks fail with ERR_CANCELLED, reported as such.
    if (this.firstFailure) throw this.firstFailure;
    if (this.cancelRequested) throw new JobCancelledError(this.jobName);
    // Every task finished: the output appears (the caller aborts it if this throws).
    this.output.commit();
    return {
      jobName: this.jobName,
      durationMs: performance.now() - started,
      tasks: results.flatMap((r) => r.tasks).sort((a, b) => a.vertexId - b.vertexId || a.subtaskIndex - b.subtaskIndex),
      slots: this.requests.length,
      networkSegments: { total: this.pool.numSegments, availableAtEnd },
      metrics: this.metrics?.snapshot(this.metrics.sample()),
    };
  }

  /** Runs one slot with its control channel; settles with its result, never rejects. */
  private async runSlot(prepared: PreparedSlot): Promise<SlotResult> {
    const { port1, port2 } = new MessageChannel();
    port1.on('message', (event: SlotEvent) => this.onSlotEvent(event));
    // The channel never keeps the process alive: the slot's run does while it lasts.
    port1.unref();
    this.ports.push(port1);
    const termination = new AbortController();
    this.terminations.push(termination);
    // A failure or cancel before this slot started: it gets the command like the others.
    if (this.firstFailure || this.cancelRequested) port1.postMessage({ kind: 'cancel' } satisfies SlotCommand);
    let result: SlotResult;
    try {
      result = await this.taskManager.runSlot({ ...prepared, controlPort: port2 }, [port2], termination.signal);
    } catch (error) {
      this.drain(port1);
      this.slotLost(prepared, error);
      this.emit('slotEnded', prepared.slot);
      return NO_SLOT_RESULT;
    }
    // What the slot posted before it returned is queued on the port by now: handled first.
    this.drain(port1);
    if (!result.ok) this.fail(this.failureError(result.failure));
    this.emit('slotEnded', prepared.slot);
    return result;
  }

  /** Handles the events still queued on a slot's port (synchronously, in order). */
  private drain(port: MessagePort): void {
    for (let m = receiveMessageOnPort(port); m; m = receiveMessageOnPort(port)) this.onSlotEvent(m.message as SlotEvent);
  }

  /** A slot's run rejected: its worker was terminated (after a stop) or died. */
  private slotLost(prepared: PreparedSlot, error: unknown): void {
    // Terminated by stopAll's grace period: the failure or cancel that stopped it is reported.
    if (this.workersTerminated) {
      this.endStates(prepared, 'CANCELED');
      return;
    }
    // The worker itself died (exit, out of memory): its tasks are gone.
    this.endStates(prepared, 'FAILED');
    const names = prepared.tasks.map((t) => t.name).join(', ');
    if ((error as { code?: unknown }).code === 'ERR_WORKER_OUT_OF_MEMORY') {
      this.fail(this.taskManager.outOfHeapError(this.jobName, names, error));
      return;
    }
    this.fail(
      new JobExecutionError(`Job '${this.jobName}' failed: the worker thread running ${names} died: ${errorMessage(error)}`, {
        jobName: this.jobName,
        task: names,
        subtaskIndex: -1,
        operator: undefined,
        cause: error,
      }),
    );
  }

  private onSlotEvent(event: SlotEvent): void {
    if (event.kind === 'task-state') {
      this.states.set(`${event.vertexId}/${event.subtaskIndex}`, event);
      this.emit('taskState', event);
    } else {
      this.failedTasks.add(event.failure.task);
      const error = this.failureError(event.failure);
      this.fail(error);
      this.emit('failure', error);
    }
  }

  /**
   * The subtasks of a slot whose worker ended without reporting their end get `state`, or
   * FAILED when the slot had reported their failure.
   */
  private endStates(slot: PreparedSlot, state: ExecutionState): void {
    for (const task of slot.tasks) {
      const last = this.states.get(`${task.vertexId}/${task.subtaskIndex}`);
      if (last && isTerminalState(last.state)) continue;
      const end = this.failedTasks.has(task.name) ? 'FAILED' : state;
      this.onSlotEvent({ kind: 'task-state', slot: slot.slot, vertexId: task.vertexId, subtaskIndex: task.subtaskIndex, name: task.name, state: end });
    }
  }

  private fail(error: Error): void {
    this.firstFailure ??= error;
    this.stopAll();
  }

  /** Cancels the attempt: every task stops at its next step or wait. */
  cancel(): void {
    this.cancelRequested = true;
    this.stopAll();
  }

  /**
   * Sends `command` on every slot's control channel, and nothing else (cancel() also sets the
   * shared control word and cancels the channels).
   */
  command(command: SlotCommand): void {
    for (const port of this.ports) port.postMessage(command);
  }

  private stopAll(): void {
    Atomics.store(new Int32Array(this.control), ControlWord.CANCELLED, 1);
    for (const group of this.groups) group.cancel();
    this.command({ kind: 'cancel' });
    // A task stuck in user code (an endless loop) never sees the cancel: after a grace period its
    // worker is terminated, which settles its run, so a failed or cancelled job never hangs.
    if (!this.stopTimer) {
      this.stopTimer = setTimeout(() => this.terminateWorkers(), STOP_GRACE_MS);
      this.stopTimer.unref();
    }
  }

  private terminateWorkers(): void {
    this.workersTerminated = true;
    for (const termination of this.terminations) termination.abort();
  }

  /**
   * The attempt's end: closes the control channels and gives the TaskManager back every segment
   * of its local pools. Returns the free segments.
   */
  private release(): number {
    clearTimeout(this.stopTimer);
    for (const port of this.ports) port.close();
    for (const id of this.localPools) this.pool.destroyLocalPool(id, true);
    this.localPools.length = 0;
    return this.pool.stats().availableSegments;
  }

  /**
   * The error a failed task reported, rebuilt into its class (errors/rebuild-error.ts), as the
   * cause of a JobExecutionError naming the job, the task, the subtask and the operator.
   */
  private failureError(failure: TaskFailure): Error {
    const code = failure.error.code;
    if (failure.error.strom && isCancelCode(code)) {
      return new JobCancelledError(this.jobName);
    }
    const where = failure.operator ? `operator '${failure.operator}' in task '${failure.task}'` : `task '${failure.task}'`;
    return new JobExecutionError(`Job '${this.jobName}' failed: ${where}: ${failure.error.message}`, {
      jobName: this.jobName,
      task: failure.task,
      subtaskIndex: failure.subtaskIndex,
      operator: failure.operator,
      failureCode: code,
      cause: rebuildError(failure.error),
    });
  }
}
