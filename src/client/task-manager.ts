/**
 * A local TaskManager (Flink's TaskExecutor with its TaskSlotTable): the resources that outlive
 * one execution attempt of a job. It owns the network memory (one NetworkBufferPool), the
 * managed memory account, the output flusher's clock and the task slots, a piscina pool of
 * worker threads, one per slot. An execution attempt (execution-attempt.ts) borrows them: it
 * deploys its subtasks into the slots, creates its local pools and channels on the network
 * memory, and gives everything back when it ends, so the next attempt of the job (a redeploy
 * after a failure) runs on the same TaskManager.
 *
 * Created and closed explicitly. Creating it only allocates memory: the worker threads start
 * with the first slot that runs, the flusher with them. `close()` stops both; it is the only
 * thing that ends the workers, except a slot whose worker must be terminated (a task stuck in
 * user code after a cancel), which piscina replaces with a fresh worker.
 */
import type { ResourceLimits, TransferListItem } from 'node:worker_threads';
import { Piscina } from 'piscina';
import type { Configuration } from '../config/configuration.js';
import { BUFFER_TIMEOUT, MANAGED_MEMORY_SIZE, TASK_HEAP_SIZE } from '../config/config-options.js';
import { resolveTaskHeapSize, type TaskHeapSize } from '../config/task-heap.js';
import { errors, JobExecutionError } from '../errors.js';
import { OutputFlusher } from '../io/output-flusher.js';
import type { ManagedMemoryUsage } from '../memory/managed-memory-layout.js';
import { ManagedMemory } from '../memory/managed-memory.js';
import { NetworkBufferPool } from '../memory/network-buffer-pool.js';
import type { NetworkPoolStats } from '../native/addon.js';
import type { SlotRequest, SlotResult } from '../runtime/deployment.js';
import type { PlannedJob } from './plan-job.js';

const WORKER_FILE = new URL('./slot-worker.js', import.meta.url).href;

/** What a TaskManager is made of, besides its configuration. */
export interface TaskManagerResources {
  /** Network memory: bytes per segment and the number of segments, allocated up front. */
  network: { segmentSize: number; numSegments: number };
  /** Task slots: worker threads, each running one slot's subtasks of an attempt at a time. */
  slots: number;
  /** Limits of each slot's worker thread; fields given here win over the configured heap. */
  resourceLimits?: ResourceLimits;
}

/** The TaskManager's memory now: network segments and managed memory. */
export interface TaskManagerStats {
  network: NetworkPoolStats;
  managedMemory: ManagedMemoryUsage;
}

export class TaskManager {
  readonly pool: NetworkBufferPool;
  readonly managedMemory: ManagedMemory;
  /** The output flusher's clock word (shared with the slots). */
  readonly flushClock: SharedArrayBuffer;
  readonly numSlots: number;
  /** Each slot's heap limit, from `taskmanager.memory.task.heap.size` or the machine's memory. */
  readonly heap: TaskHeapSize;
  private readonly resourceLimits: ResourceLimits;
  private readonly limitsGiven: boolean;
  private readonly flusher = new OutputFlusher();
  private readonly bufferTimeout: number;
  private piscina: Piscina | undefined;
  private closed = false;

  constructor(config: Configuration, resources: TaskManagerResources) {
    this.numSlots = resources.slots;
    this.pool = NetworkBufferPool.create(resources.network);
    this.managedMemory = ManagedMemory.create(config.get(MANAGED_MEMORY_SIZE));
    this.flushClock = this.flusher.buffer;
    this.bufferTimeout = config.get(BUFFER_TIMEOUT);
    // Each slot's worker gets its own heap limit, so a task that allocates without bound fails
    // its job (ERR_WORKER_OUT_OF_MEMORY) instead of aborting the whole process.
    this.heap = resolveTaskHeapSize(config, resources.slots);
    this.resourceLimits = { maxOldGenerationSizeMb: this.heap.megabytes, ...resources.resourceLimits };
    this.limitsGiven = resources.resourceLimits?.maxOldGenerationSizeMb !== undefined;
  }

  /**
   * A TaskManager sized for a planned job, as Flink's per-job MiniCluster: the network memory
   * and the slots its plan needs. Further attempts of that job fit on it.
   */
  static forJob(planned: PlannedJob, resourceLimits?: ResourceLimits): TaskManager {
    const { network, totals } = planned.plan;
    return new TaskManager(planned.config, {
      network: { segmentSize: network.segmentSize, numSegments: network.numSegments },
      slots: totals.slots,
      resourceLimits,
    });
  }

  /**
   * Runs one slot's subtasks on a free worker thread. `transfer` moves the request's MessagePort
   * into the worker; aborting `signal` terminates that worker (piscina then starts a new one).
   */
  runSlot(request: SlotRequest, transfer: TransferListItem[], signal: AbortSignal): Promise<SlotResult> {
    if (this.closed) throw errors.internal('the TaskManager is closed');
    if (!this.piscina) {
      this.piscina = new Piscina({
        filename: WORKER_FILE,
        minThreads: this.numSlots,
        maxThreads: this.numSlots,
        idleTimeout: 0,
        concurrentTasksPerWorker: 1,
        resourceLimits: this.resourceLimits,
      });
      if (this.bufferTimeout > 0) this.flusher.start(this.bufferTimeout);
    }
    return this.piscina.run(request, { transferList: transfer, signal }) as Promise<SlotResult>;
  }

  /** Network segments and managed memory now (both are back to free after every attempt). */
  stats(): TaskManagerStats {
    return { network: this.pool.stats(), managedMemory: this.managedMemory.usage() };
  }

  /** Stops the flusher and ends the worker threads. Idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    this.flusher.stop();
    const piscina = this.piscina;
    this.piscina = undefined;
    await piscina?.destroy();
  }

  /** A slot's worker hit its heap limit: names the job, its tasks, the limit and what to raise. */
  outOfHeapError(jobName: string, tasks: string, cause: unknown): JobExecutionError {
    const megabytes = this.resourceLimits.maxOldGenerationSizeMb!;
    // Suggest at most 3gb: a worker given 4gb that ran out of heap aborted the whole process here.
    const suggestion = megabytes < 3072 ? `, e.g. -D ${TASK_HEAP_SIZE.key}=${Math.min(megabytes * 2, 3072)}mb` : '';
    const fix = this.limitsGiven
      ? `raise resourceLimits.maxOldGenerationSizeMb (now ${megabytes}) passed to execute()`
      : `raise '${TASK_HEAP_SIZE.key}' (now ${megabytes}mb per slot${this.heap.configured ? '' : ', derived from the machine memory and the slots'})${suggestion}`;
    return new JobExecutionError(
      `Job '${jobName}' failed: task ${tasks} ran out of JavaScript heap: its task slot's worker thread exceeded ` +
        `its heap limit of ${megabytes}mb and was stopped. Keep less in memory in the job's functions, or ${fix}.`,
      { jobName, task: tasks, subtaskIndex: -1, operator: undefined, cause, failureCode: 'ERR_WORKER_OUT_OF_MEMORY' },
    );
  }
}
