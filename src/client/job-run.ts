/**
 * The client layer (Flink's MiniCluster / local executor): the only layer that knows both the
 * DataStream API (to build the job) and the runtime (to run it).
 *
 * Runs a job on a local TaskManager (the main thread's side of the runtime): plans the job,
 * allocates the TaskManager's network memory, managed memory and channels, deploys the subtasks
 * into task slots (a piscina pool of worker threads), and waits for the end. On a failure or a
 * cancel it stops every slot, gives back every buffer and rejects with a clear error; nothing is
 * left running. The output of its writeAsText sinks appears only when the job succeeded: a
 * FileOutputCommitter checks the targets before the job starts, commits the in-progress files at
 * the end, and removes them on failure, cancel, or when the process exits during the run.
 */
import { resolve } from 'node:path';
import type { ResourceLimits } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { moduleUrl, type JobDefinition } from '../api/define-job.js';
import { Configuration } from '../config/configuration.js';
import { BUFFER_TIMEOUT, FS_OVERWRITE_FILES, MANAGED_MEMORY_SIZE, TASK_HEAP_SIZE } from '../config/config-options.js';
import { resolveTaskHeapSize, type TaskHeapSize } from '../config/task-heap.js';
import type { NetworkMemoryConfig } from '../config/network-memory-config.js';
import { errorMessage, errors, isCancelCode, JobCancelledError, JobExecutionError } from '../errors.js';
import { rebuildError } from '../errors/rebuild-error.js';
import type { ExecutionPlan } from '../graph/execution-plan.js';
import { resolveRecordType } from '../graph/physical-plan.js';
import { fingerprint, type StreamGraph } from '../graph/stream-graph.js';
import { ChannelGroup } from '../io/channel-group.js';
import { OutputFlusher } from '../io/output-flusher.js';
import { ManagedMemory } from '../memory/managed-memory.js';
import { NetworkBufferPool } from '../memory/network-buffer-pool.js';
import { CONTROL_BYTES, ControlWord, type SlotRequest, type SlotResult, type TaskDeployment, type TaskFailure, type TaskMetrics } from '../runtime/deployment.js';
import { FileOutputCommitter, textFileOutputs } from '../runtime/sinks/file-output-committer.js';
import type { JobMetricsSnapshot } from '../runtime/metrics/job-metrics.js';
import { createMetricsBuffer, nowMs } from '../runtime/metrics/metrics-layout.js';
import { JobMetricsReader, type TaskMetricsSource } from '../runtime/metrics/metrics-reader.js';
import { planJob } from './plan-job.js';
import type { TypeInformation } from '../types/type-information.js';

/** How to run a job. */
export interface ExecuteOptions {
  /** Job parameters (what the CLI passes after `--`). */
  params?: Record<string, string>;
  /**
   * Configuration (Flink keys). A plain object is applied over the defaults, the config file in
   * `$STROM_CONF_DIR` and `STROM_PROPERTIES`; a Configuration is used exactly as given.
   */
  config?: Record<string, unknown> | Configuration;
  /** Cancels the job (e.g. an unbounded one). The run then rejects with JobCancelledError. */
  signal?: AbortSignal;
  /** The job's module (path or file URL); default: the module that called defineJob. */
  module?: string | URL;
  /** The export holding the job in its module; default: its only job export, else `default`. */
  exportName?: string;
  /**
   * Limits of each task-slot worker thread (heap sizes); a worker exceeding them fails the job.
   * Default: `maxOldGenerationSizeMb` from `taskmanager.memory.task.heap.size` (or derived from
   * the machine's memory and the slots); fields given here win over it.
   */
  resourceLimits?: ResourceLimits;
  /**
   * Task metrics in shared memory (numRecordsIn/Out, busy/idle/back-pressured time, buffers,
   * state size, ...), read with `submit(job).metrics()`. Default true; false skips publishing
   * them (for measuring their cost); the final `tasks` figures of the result are kept either way.
   */
  metrics?: boolean;
  /**
   * Serves the job's metrics to Prometheus on this port (`/metrics`, prom-client text format)
   * while the job runs; 0 picks a free port (see `JobClient.metricsUrl`). Default: no server.
   */
  metricsPort?: number;
  /** Address the Prometheus endpoint listens on. Default `127.0.0.1` (loopback only). */
  metricsHost?: string;
}

/** The outcome of a finished job. */
export interface JobExecutionResult {
  jobName: string;
  /** Wall time from deployment to the last task's end, in ms. */
  durationMs: number;
  /** Per subtask: records and bytes in and out, back-pressured time, duration. */
  tasks: TaskMetrics[];
  /** The plan's task slots used and network segments, to check nothing leaked. */
  slots: number;
  networkSegments: { total: number; availableAtEnd: number };
  /** The final metrics (rates averaged over the whole run); undefined when metrics were off. */
  metrics?: JobMetricsSnapshot;
}

/** The main thread's handle on records sent by `collect()` sinks. */
export interface CollectReader {
  /** Typed reader over the collect channels (one per collect-sink subtask). */
  group: ChannelGroup;
  type: TypeInformation<unknown>;
  pool: NetworkBufferPool;
}

/** One slot's channel group is sized for its inputs; rings hold this many entries at least. */
const MIN_RING_CAPACITY = 16;

/** How long tasks get to stop after a failure or cancel before their worker threads are terminated. */
const STOP_GRACE_MS = 2000;

/** The result of a slot whose worker died or was terminated: its tasks left no figures. */
const NO_SLOT_RESULT = { ok: false, tasks: [] } as unknown as SlotResult;

const WORKER_FILE = new URL('./slot-worker.js', import.meta.url).href;

/** A planned job with its TaskManager resources, ready to deploy. */
export class JobRun {
  readonly jobName: string;
  readonly graph: StreamGraph;
  readonly plan: ExecutionPlan;
  readonly config: Configuration;
  readonly pool: NetworkBufferPool;
  readonly collects: CollectReader[] = [];
  /** The writeAsText sinks' output: checked before the start, committed or removed at the end. */
  readonly output: FileOutputCommitter;
  private readonly managedMemory: ManagedMemory;
  private readonly flusher = new OutputFlusher();
  private readonly control = new SharedArrayBuffer(CONTROL_BYTES);
  private readonly groups: ChannelGroup[] = [];
  private readonly localPools: number[] = [];
  private readonly requests: SlotRequest[];
  private piscina: Piscina | undefined;
  private cancelRequested = false;
  private stopTimer: NodeJS.Timeout | undefined;
  /** Set once the workers are being terminated: their runs then reject, which is no new failure. */
  private workersTerminated = false;
  /** The job's metrics memory and its reader; undefined with `metrics: false`. */
  private readonly metricsBuffer: SharedArrayBuffer | undefined;
  private readonly metricsSources: TaskMetricsSource[] = [];
  readonly metrics: JobMetricsReader | undefined;

  constructor(job: JobDefinition, private readonly options: ExecuteOptions) {
    const planned = planJob(job, options.config, options.params);
    this.config = planned.config;
    this.jobName = planned.jobName;
    this.graph = planned.graph;
    this.plan = planned.plan;
    if (!this.graph.nodes.some((n) => n.operator.kind === 'sink')) {
      throw errors.invalidJob(`job '${this.jobName}' has no sink: add print(), writeAsText(), collect() or addSink() to a stream`);
    }
    // Existing output is refused here, before anything is allocated or started.
    this.output = new FileOutputCommitter(textFileOutputs(this.graph, this.plan, this.config.get(FS_OVERWRITE_FILES)));
    const network = this.plan.network;
    this.pool = NetworkBufferPool.create({ segmentSize: network.segmentSize, numSegments: network.numSegments });
    this.managedMemory = ManagedMemory.create(this.config.get(MANAGED_MEMORY_SIZE));
    if (options.metrics !== false) {
      const numTasks = this.plan.vertices.reduce((n, v) => n + v.subtasks.length, 0);
      this.metricsBuffer = createMetricsBuffer(this.plan.totals.slots, numTasks);
    }
    this.requests = this.deploy(job, network, options);
    this.metrics = this.metricsBuffer
      ? new JobMetricsReader(
          this.jobName,
          this.metricsBuffer,
          this.metricsSources,
          this.pool,
          this.managedMemory,
          network.maxBuffersPerChannel,
          this.requests.map((r) => r.slot),
          nowMs(),
        )
      : undefined;
  }

  /** Builds one SlotRequest per slot: channel groups, local pools and task deployments. */
  private deploy(job: JobDefinition, network: NetworkMemoryConfig, options: ExecuteOptions): SlotRequest[] {
    const { plan, graph } = this;
    const capacity = Math.max(MIN_RING_CAPACITY, 1 << Math.ceil(Math.log2(network.maxBuffersPerChannel * 2)));
    const slots = plan.totals.slots;
    // Each slot's input group holds the input rings of all its subtasks, in subtask order.
    const ringBase = new Map<string, number>(); // "vertex/subtask" -> first ring in its slot's group
    const ringsPerSlot = new Array<number>(slots).fill(0);
    for (const vertex of plan.vertices) {
      for (const sub of vertex.subtasks) {
        ringBase.set(`${sub.vertexId}/${sub.index}`, ringsPerSlot[sub.slot]!);
        ringsPerSlot[sub.slot]! += sub.inputChannels.length;
      }
    }
    const slotGroups = ringsPerSlot.map((n) => (n > 0 ? this.track(ChannelGroup.create(n, capacity)) : undefined));

    // collect() sinks: one main-thread group per collect sink, one ring per sink subtask.
    const collectGroups = new Map<number, ChannelGroup>();
    for (const vertex of plan.vertices) {
      const tail = graph.nodes[vertex.vertex.nodeIds[vertex.vertex.nodeIds.length - 1]!]!;
      if (tail.operator.kind !== 'sink' || tail.operator.sink.kind !== 'collect') continue;
      const group = this.track(ChannelGroup.create(vertex.vertex.parallelism, capacity));
      collectGroups.set(vertex.vertex.id, group);
      const type = resolveRecordType(graph, plan.operators[tail.id]!.inputTypes[0]!);
      this.collects.push({ group, type, pool: this.pool });
    }

    const tasksPerSlot: TaskDeployment[][] = Array.from({ length: slots }, () => []);
    const groupOf = new Map<SharedArrayBuffer, ChannelGroup>(this.groups.map((g) => [g.buffer, g]));
    let block = 0;
    for (const vertex of plan.vertices) {
      const v = vertex.vertex;
      for (const sub of vertex.subtasks) {
        const base = ringBase.get(`${v.id}/${sub.index}`)!;
        const outputs = sub.outputs.map((partition) => {
          const jobEdge = plan.jobGraph.edges[partition.edgeIndex]!;
          const consumer = plan.vertices[jobEdge.target]!;
          const localPool = this.localPool(partition.channels.length, network);
          const { serializer, combiner } = plan.edges[partition.edgeIndex]!;
          return {
            streamEdgeIndex: graph.edges.indexOf(jobEdge.streamEdge),
            partitioner: jobEdge.partitioner,
            serializer,
            combiner,
            localPool,
            consumerMaxParallelism: consumer.vertex.maxParallelism,
            channels: partition.channels.map((c) => {
              const consumerSub = consumer.subtasks[c.consumerSubtask]!;
              return {
                group: slotGroups[consumerSub.slot]!.buffer,
                ring: ringBase.get(`${consumerSub.vertexId}/${consumerSub.index}`)! + c.inputChannelIndex,
              };
            }),
          };
        });
        const collectGroup = collectGroups.get(v.id);
        const tail = graph.nodes[v.nodeIds[v.nodeIds.length - 1]!]!;
        const collect = collectGroup
          ? { serializer: plan.operators[tail.id]!.inputTypes[0]!, group: collectGroup.buffer, ring: sub.index, localPool: this.localPool(1, network) }
          : undefined;
        const inputRings = sub.inputChannels.map((_, i) => base + i);
        // Each input of the head gets the rings of the channels the plan assigned to it.
        const head = plan.operators[v.nodeIds[0]!]!;
        const inputs = head.inputTypes.map((type, inputIndex) => ({
          inputIndex,
          type,
          rings: inputRings.filter((_, i) => sub.inputChannels[i]!.inputIndex === inputIndex),
        }));
        const textFile = tail.operator.kind === 'sink' && tail.operator.sink.kind === 'textFile' ? this.output.subtaskFile(tail.id, sub.index) : undefined;
        const metricsBlock = this.metricsBuffer ? block++ : -1;
        if (this.metricsBuffer) {
          this.metricsSources.push({
            name: sub.name,
            vertexId: v.id,
            subtaskIndex: sub.index,
            block: metricsBlock,
            input: inputRings.length > 0 ? { group: slotGroups[sub.slot]!, rings: inputRings } : undefined,
            outputs: [
              ...outputs.flatMap((o) => o.channels.map((c) => ({ group: groupOf.get(c.group)!, ring: c.ring }))),
              ...(collect ? [{ group: collectGroup!, ring: collect.ring }] : []),
            ],
            localPools: [...outputs.map((o) => o.localPool), ...(collect ? [collect.localPool] : [])],
          });
        }
        tasksPerSlot[sub.slot]!.push({
          vertexId: v.id,
          name: sub.name,
          subtaskIndex: sub.index,
          parallelism: v.parallelism,
          nodeIds: [...v.nodeIds],
          operators: v.nodeIds.map((id) => {
            const op = plan.operators[id]!;
            return { nodeId: id, inputTypes: [...op.inputTypes], implementation: op.implementation };
          }),
          maxParallelism: v.maxParallelism,
          keyGroupRange: sub.keyGroupRange ? { start: sub.keyGroupRange.start, end: sub.keyGroupRange.end } : undefined,
          inputs,
          outputs,
          collect,
          metricsBlock,
          textFile,
        });
      }
    }
    const jobModule = jobModuleUrl(job, options);
    // The id names the job in its module's registry; it only holds for the module that defined it.
    const jobId = job.module !== undefined && jobModule === job.module ? job.id : undefined;
    const print = fingerprint(graph);
    return tasksPerSlot
      .map((tasks, slot) => ({ tasks, slot }))
      .filter((s) => s.tasks.length > 0)
      .map(({ tasks, slot }) => ({
        jobModule,
        jobExport: options.exportName ?? '',
        jobId,
        params: options.params ?? {},
        config: this.config.toObject(),
        fingerprint: print,
        slot,
        network: this.pool.buffer,
        managedMemory: this.managedMemory.buffer,
        flushClock: this.flusher.buffer,
        control: this.control,
        metrics: this.metricsBuffer,
        inputGroup: slotGroups[slot]?.buffer,
        tasks,
      }));
  }

  private track(group: ChannelGroup): ChannelGroup {
    this.groups.push(group);
    return group;
  }

  private localPool(channels: number, network: NetworkMemoryConfig): number {
    const id = this.pool.createLocalPool(channels, network.buffersPerChannel, network.floatingBuffersPerGate, network.maxBuffersPerChannel);
    this.localPools.push(id);
    return id;
  }

  /**
   * Deploys the slots and resolves when every task finished; rejects on failure or cancel.
   * With collect() sinks, `collected` must settle once the main thread has read them to the end
   * (their segments are only reclaimed after that).
   */
  async run(collected?: Promise<unknown>): Promise<JobExecutionResult> {
    const started = performance.now();
    try {
      this.output.prepare();
    } catch (error) {
      await this.release();
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
    const bufferTimeout = this.config.get(BUFFER_TIMEOUT);
    if (bufferTimeout > 0) this.flusher.start(bufferTimeout);
    const signal = this.options.signal;
    const onAbort = () => this.cancel();
    signal?.addEventListener('abort', onAbort, { once: true });
    if (signal?.aborted) this.cancel();
    // Each slot's worker gets its own heap limit, so a task that allocates without bound fails
    // its job (ERR_WORKER_OUT_OF_MEMORY) instead of aborting the whole process.
    const heap = resolveTaskHeapSize(this.config, this.requests.length);
    const resourceLimits: ResourceLimits = { maxOldGenerationSizeMb: heap.megabytes, ...this.options.resourceLimits };
    this.piscina = new Piscina({
      filename: WORKER_FILE,
      minThreads: this.requests.length,
      maxThreads: this.requests.length,
      idleTimeout: 0,
      concurrentTasksPerWorker: 1,
      resourceLimits,
    });
    let firstFailure: Error | undefined;
    const fail = (error: Error) => {
      firstFailure ??= error;
      this.stopAll();
    };
    const results = await Promise.all(
      this.requests.map((request) =>
        (this.piscina!.run(request) as Promise<SlotResult>).then(
          (result) => {
            if (!result.ok) fail(this.failureError(result.failure));
            return result;
          },
          (error: unknown) => {
            // Terminated by stopAll's grace period: the failure or cancel that stopped it is reported.
            if (this.workersTerminated) return NO_SLOT_RESULT;
            // The worker itself died (exit, out of memory): its tasks are gone.
            const names = request.tasks.map((t) => t.name).join(', ');
            if ((error as { code?: unknown }).code === 'ERR_WORKER_OUT_OF_MEMORY') {
              fail(this.outOfHeapError(names, heap, resourceLimits.maxOldGenerationSizeMb!, error));
              return NO_SLOT_RESULT;
            }
            fail(
              new JobExecutionError(`Job '${this.jobName}' failed: the worker thread running ${names} died: ${errorMessage(error)}`, {
                jobName: this.jobName,
                task: names,
                subtaskIndex: -1,
                operator: undefined,
                cause: error,
              }),
            );
            return NO_SLOT_RESULT;
          },
        ),
      ),
    );
    signal?.removeEventListener('abort', onAbort);
    if (collected) await collected.catch(() => {});
    const availableAtEnd = await this.release();
    // The first failure wins; a cancel makes tasks fail with ERR_CANCELLED, reported as such.
    if (firstFailure) throw firstFailure;
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

  /** Cancels the job: every task stops at its next step or wait. */
  cancel(): void {
    this.cancelRequested = true;
    this.stopAll();
  }

  private stopAll(): void {
    Atomics.store(new Int32Array(this.control), ControlWord.CANCELLED, 1);
    for (const group of this.groups) group.cancel();
    // A task stuck in user code (an endless loop) never sees the cancel: after a grace period the
    // workers are terminated, which settles their runs, so a failed or cancelled job never hangs.
    if (!this.stopTimer) {
      this.stopTimer = setTimeout(() => void this.terminateWorkers(), STOP_GRACE_MS);
      this.stopTimer.unref();
    }
  }

  private async terminateWorkers(): Promise<void> {
    this.workersTerminated = true;
    const piscina = this.piscina;
    this.piscina = undefined;
    await piscina?.destroy();
  }

  /** Stops the flusher and the workers, and reclaims every segment. Returns the free segments. */
  private async release(): Promise<number> {
    this.flusher.stop();
    clearTimeout(this.stopTimer);
    await this.terminateWorkers();
    for (const id of this.localPools) this.pool.destroyLocalPool(id, true);
    this.localPools.length = 0;
    return this.pool.stats().availableSegments;
  }

  /** A slot's worker hit its heap limit: names its tasks, the limit and what to raise. */
  /** `megabytes`: the worker's limit; it differs from `heap` when execute()'s resourceLimits won. */
  private outOfHeapError(tasks: string, heap: TaskHeapSize, megabytes: number, cause: unknown): JobExecutionError {
    // Suggest at most 3gb: a worker given 4gb that ran out of heap aborted the whole process here.
    const suggestion = megabytes < 3072 ? `, e.g. -D ${TASK_HEAP_SIZE.key}=${Math.min(megabytes * 2, 3072)}mb` : '';
    const fix = this.options.resourceLimits?.maxOldGenerationSizeMb === undefined
      ? `raise '${TASK_HEAP_SIZE.key}' (now ${megabytes}mb per slot${heap.configured ? '' : ', derived from the machine memory and the slots'})${suggestion}`
      : `raise resourceLimits.maxOldGenerationSizeMb (now ${megabytes}) passed to execute()`;
    return new JobExecutionError(
      `Job '${this.jobName}' failed: task ${tasks} ran out of JavaScript heap: its task slot's worker thread exceeded ` +
        `its heap limit of ${megabytes}mb and was stopped. Keep less in memory in the job's functions, or ${fix}.`,
      { jobName: this.jobName, task: tasks, subtaskIndex: -1, operator: undefined, cause, failureCode: 'ERR_WORKER_OUT_OF_MEMORY' },
    );
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

/** The job's module URL: given, or where defineJob was called. */
function jobModuleUrl(job: JobDefinition, options: ExecuteOptions): string {
  const given = options.module ?? job.module;
  const url = given === undefined ? undefined : moduleUrl(given instanceof URL ? given : given.startsWith('file:') ? given : resolve(given));
  if (!url) {
    throw errors.invalidJob('cannot tell which module defines the job: pass { module: import.meta.url } to execute()');
  }
  return url;
}
