/**
 * The entry of a task-slot worker thread (run by piscina). It rebuilds the job from its module
 * (functions cannot cross threads), checks that the graph is the one the main thread planned,
 * attaches to the TaskManager's shared memory, creates the slot's subtasks and runs them until
 * they end. It reports failures as data (rebuilt into errors on the main thread), never by dying.
 */
import type { JobDefinition } from '../api/define-job.js';
import { registeredJob, whenJobRegistered } from '../api/job-registry.js';
import { StreamExecutionEnvironment } from '../api/stream-execution-environment.js';
import { Configuration } from '../config/configuration.js';
import { BUFFER_TIMEOUT, RUNTIME_MODE } from '../config/config-options.js';
import { describeValue, errors, isCancelCode, StromError } from '../errors.js';
import { type ErrorData, errorData, isError } from '../errors/rebuild-error.js';
import { fingerprint } from '../graph/stream-graph.js';
import { ChannelGroup } from '../io/channel-group.js';
import { ManagedMemory } from '../memory/managed-memory.js';
import { NetworkBufferPool } from '../memory/network-buffer-pool.js';
import { ControlWord, type SlotRequest, type SlotResult, type TaskFailure } from '../runtime/deployment.js';
import { SlotScheduler, TaskError } from '../runtime/task/slot-scheduler.js';
import { StreamTask, type TaskContext } from '../runtime/task/stream-task.js';
import { SlotMetricsWriter } from '../runtime/metrics/metrics-writer.js';
import { inertJobHost } from './inert-job-host.js';
import { installJobHost } from './job-host.js';
import { findJob, importJobModule } from './job-module.js';

// A task slot imports job modules only for their jobs: their own execute() / submit() calls
// must never run here (job-host.ts).
installJobHost(inertJobHost());

/**
 * The job of the request: imports its module and takes the job from the registry as soon as
 * defineJob registered it (job-registry.ts), without waiting for the rest of the module, which
 * may stay suspended for good at a top-level `await execute(job)`. Without an id (the module
 * was named explicitly), or when the module ends without registering that id, the job is found
 * among the module's exports.
 */
async function loadJob(request: SlotRequest): Promise<JobDefinition> {
  const imported = importJobModule(request.jobModule).then(
    (exports) => ({ exports }),
    (error: unknown) => ({ error }),
  );
  if (request.jobId) {
    const wait = whenJobRegistered(request.jobId);
    const first = await Promise.race([wait.job.then((job) => ({ job })), imported]);
    wait.stop();
    if ('job' in first) return first.job;
    const job = registeredJob(request.jobId);
    if (job) return job;
  }
  const loaded = await imported;
  if ('error' in loaded) throw loaded.error;
  const job = findJob(loaded.exports, request.jobExport || undefined);
  if (job) return job;
  throw errors.invalidJob(
    request.jobExport
      ? `the module ${request.jobModule} has no job in its '${request.jobExport}' export`
      : `the module ${request.jobModule} does not export its job: worker threads import the module to get the job's functions, so define it at the module's top level and export it (export default defineJob((env) => { ... }))`,
  );
}

export default async function runSlot(request: SlotRequest): Promise<SlotResult> {
  const control = new Int32Array(request.control);
  const cancelled = () => Atomics.load(control, ControlWord.CANCELLED) !== 0;
  const tasks: StreamTask[] = [];
  try {
    const job = await loadJob(request);
    const config = Configuration.from(request.config);
    const env = new StreamExecutionEnvironment(config);
    const name = job.build(env, request.params as never) ?? 'strom job';
    const graph = env.getStreamGraph(name);
    if (fingerprint(graph) !== request.fingerprint) {
      throw errors.invalidJob(
        `the job built a different graph in worker thread ${request.slot} than in the main thread. ` +
          'A job module must build the same pipeline every time it runs: do not branch on random values, ' +
          'the time, the thread or mutable module state',
      );
    }
    const pool = NetworkBufferPool.attach(request.network);
    const groups = new Map<SharedArrayBuffer, ChannelGroup>();
    const groupOf = (buffer: SharedArrayBuffer) => {
      let group = groups.get(buffer);
      if (!group) groups.set(buffer, (group = ChannelGroup.attach(buffer)));
      return group;
    };
    const inputGroup = request.inputGroup ? groupOf(request.inputGroup) : undefined;
    const context: TaskContext = {
      graph,
      pool,
      inputGroup,
      groups: groupOf,
      managedMemory: ManagedMemory.attach(request.managedMemory),
      flushClock: new Int32Array(request.flushClock),
      mode: config.get(RUNTIME_MODE),
      bufferTimeout: config.get(BUFFER_TIMEOUT),
      metrics: request.metrics,
    };
    const slotMetrics = request.metrics ? new SlotMetricsWriter(request.metrics, request.slot) : undefined;
    const scheduler = new SlotScheduler(inputGroup, cancelled, slotMetrics);
    for (const deployment of request.tasks) {
      let task: StreamTask;
      try {
        task = new StreamTask(deployment, context);
      } catch (error) {
        throw new TaskSetupError(deployment.name, deployment.subtaskIndex, error);
      }
      tasks.push(task);
      scheduler.add(task);
    }
    await scheduler.run();
    return { ok: true, tasks: tasks.map((t) => t.metrics()) };
  } catch (error) {
    // The task whose own error this is failed; the others (and every task on a cancel) were stopped.
    const failedTask = error instanceof TaskError && !isCancel(error.cause) ? error.task : undefined;
    for (const task of tasks) task.abort(task === failedTask);
    return { ok: false, failure: describeFailure(error, request), tasks: tasks.map((t) => t.metrics()) };
  }
}

class TaskSetupError extends Error {
  constructor(
    readonly task: string,
    readonly subtaskIndex: number,
    override readonly cause: unknown,
  ) {
    super(cause instanceof Error ? cause.message : String(cause));
  }
}

function describeFailure(error: unknown, request: SlotRequest): TaskFailure {
  let task = `slot ${request.slot}`;
  let subtaskIndex = -1;
  let cause = error;
  if (error instanceof TaskError) {
    task = error.task.name;
    subtaskIndex = error.task.deployment.subtaskIndex;
    cause = error.cause;
  } else if (error instanceof TaskSetupError) {
    task = error.task;
    subtaskIndex = error.subtaskIndex;
    cause = error.cause;
  }
  // A thrown non-error value becomes an Error saying what it was, with the value as its cause.
  const data = errorData(isError(cause) ? cause : new Error(typeof cause === 'string' ? cause : describeValue(cause), { cause }));
  return { task, subtaskIndex, operator: operatorOf(data), error: data };
}

/** The operator a failure names: the one whose user function threw (UserFunctionError.operatorName). */
function operatorOf(error: ErrorData): string | undefined {
  const name = error.fields.operatorName;
  return typeof name === 'string' ? name : undefined;
}

/** A task stopped by the job's cancel (the control word or a cancelled channel), not by its own error. */
function isCancel(error: unknown): boolean {
  return error instanceof StromError && isCancelCode(error.code);
}
