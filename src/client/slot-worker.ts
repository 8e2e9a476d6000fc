/**
 * The entry of a task-slot worker thread (run by piscina). It rebuilds the job from its module
 * (functions cannot cross threads), checks that the graph is the one the main thread planned,
 * attaches to the TaskManager's shared memory, creates the slot's subtasks and runs them until
 * they end. It reports failures as data (rebuilt into errors on the main thread), never by dying:
 * at once on the slot's control channel, with each subtask's state changes, and in its result.
 */
import { buildJob, type JobDefinition } from '../api/define-job.js';
import { registeredJob, whenJobRegistered } from '../api/job-registry.js';
import { StreamExecutionEnvironment } from '../api/stream-execution-environment.js';
import { Configuration } from '../config/configuration.js';
import { AUTO_WATERMARK_INTERVAL, BUFFER_TIMEOUT, RUNTIME_MODE, STATE_BACKEND_TYPE } from '../config/config-options.js';
import { describeValue, errors, isCancelCode, StromError } from '../errors.js';
import { type ErrorData, errorData, isError } from '../errors/rebuild-error.js';
import { fingerprint } from '../graph/stream-graph.js';
import { ChannelGroup } from '../io/channel-group.js';
import { ManagedMemory } from '../memory/managed-memory.js';
import { NetworkBufferPool } from '../memory/network-buffer-pool.js';
import type { MessagePort } from 'node:worker_threads';
import { ControlWord, type SlotRequest, type SlotResult, type TaskDeployment, type TaskFailure } from '../runtime/deployment.js';
import { isTerminalState, type ExecutionState, type SlotCommand, type SlotEvent, type TaskExecutionState } from '../runtime/slot-messages.js';
import { SlotScheduler, TaskError } from '../runtime/task/slot-scheduler.js';
import { StreamTask, type TaskContext } from '../runtime/task/stream-task.js';
import { SlotMetricsWriter } from '../runtime/metrics/metrics-writer.js';
import { inertJobHost } from './inert-job-host.js';
import { installJobHost } from './job-host.js';
import { findJob, importJobModule } from './job-module.js';

// A task slot imports job modules only for their jobs: their own execute() / submit() calls
// must never run here (job-host.ts).
installJobHost(inertJobHost((job) => noteInertCall(job.module)));

/**
 * How long a worker waits, after the job module's last call to execute() / executeAndCollect() /
 * submit(), for the job it needs to be defined before it concludes the module is stuck at that
 * call's top-level await (which never settles here) and fails with an error saying so.
 */
const STUCK_AFTER_INERT_CALL_MS = 2000;
/** Per job module: when the inert host last took a call for one of its jobs (performance.now()). */
const lastInertCall = new Map<string, number>();
/** Restarts the wait of `whenStuckAtInertCall` for a module, if one runs. */
let inertCallSeen: ((module: string) => void) | undefined;
function noteInertCall(module: string | undefined): void {
  if (module === undefined) return;
  lastInertCall.set(module, performance.now());
  inertCallSeen?.(module);
}

/**
 * Resolves once STUCK_AFTER_INERT_CALL_MS passed since the inert host's last call for a job of
 * `module` (also one made before, while an earlier slot imported the same module: a worker is
 * reused); never without such a call. `stop()` ends the wait (the promise then stays pending).
 */
function whenStuckAtInertCall(module: string): { stuck: Promise<void>; stop: () => void } {
  let timer: NodeJS.Timeout | undefined;
  let resolve!: () => void;
  const stuck = new Promise<void>((r) => (resolve = r));
  const restart = () => {
    clearTimeout(timer);
    const since = performance.now() - lastInertCall.get(module)!;
    timer = setTimeout(resolve, Math.max(0, STUCK_AFTER_INERT_CALL_MS - since));
  };
  inertCallSeen = (called) => {
    if (called === module) restart();
  };
  if (lastInertCall.has(module)) restart();
  return {
    stuck,
    stop: () => {
      clearTimeout(timer);
      inertCallSeen = undefined;
    },
  };
}

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
    const stuckAt = whenStuckAtInertCall(request.jobModule);
    const first = await Promise.race([wait.job.then((job) => ({ job })), imported, stuckAt.stuck.then(() => ({ stuck: true as const }))]);
    wait.stop();
    stuckAt.stop();
    if ('job' in first) return first.job;
    if ('stuck' in first && !registeredJob(request.jobId)) {
      throw errors.invalidJob(
        `the job is defined in ${request.jobModule} after a top-level await of execute(), executeAndCollect() or submit(). ` +
          'Task-slot worker threads import the module only for its jobs: there those calls never settle, so the module ' +
          'never gets past that await and the job is never defined. Define every job before the first such await, ' +
          'or give each job its own module.',
      );
    }
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
  const channel = new SlotChannel(request);
  const control = new Int32Array(request.control);
  // The shared word is the fast path (also read where no message can be, inside a blocked
  // write); a `cancel` command on the control channel sets the flag, read with it.
  const cancelled = () => channel.cancelCommanded || Atomics.load(control, ControlWord.CANCELLED) !== 0;
  const tasks: StreamTask[] = [];
  try {
    const job = await loadJob(request);
    const config = Configuration.from(request.config);
    const env = new StreamExecutionEnvironment(config);
    const name = buildJob(job, env, request.params);
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
      autoWatermarkInterval: config.get(AUTO_WATERMARK_INTERVAL),
      stateBackendType: config.get(STATE_BACKEND_TYPE),
      metrics: request.metrics,
    };
    const slotMetrics = request.metrics ? new SlotMetricsWriter(request.metrics, request.slot) : undefined;
    const scheduler = new SlotScheduler(inputGroup, cancelled, slotMetrics, (task) => channel.state(task.deployment, 'FINISHED'));
    for (const deployment of request.tasks) {
      let task: StreamTask;
      channel.state(deployment, 'INITIALIZING');
      try {
        task = new StreamTask(deployment, context);
      } catch (error) {
        throw new TaskSetupError(deployment, error);
      }
      tasks.push(task);
      scheduler.add(task);
      channel.state(deployment, 'RUNNING');
    }
    await scheduler.run();
    return { ok: true, tasks: tasks.map((t) => t.metrics()) };
  } catch (error) {
    // The task whose own error this is failed; the others (and every task on a cancel) were stopped.
    const blamed = error instanceof TaskError ? error.task.deployment : error instanceof TaskSetupError ? error.deployment : undefined;
    const cancel = isCancel(error instanceof TaskError || error instanceof TaskSetupError ? error.cause : error);
    const failure = describeFailure(error, request);
    // Reported first, so the control plane stops the other slots while this one tears down.
    if (!cancel) channel.fail(failure);
    for (const task of tasks) task.abort(!cancel && task.deployment === blamed);
    // A failure without a task to blame (the job could not be loaded) fails every subtask of the slot.
    channel.endAll((d) => (!cancel && (blamed === undefined || d === blamed) ? 'FAILED' : 'CANCELED'));
    return { ok: false, failure, tasks: tasks.map((t) => t.metrics()) };
  } finally {
    channel.close();
  }
}

/**
 * The slot's end of its control channel (slot-messages.ts): takes the control plane's commands
 * and reports each subtask's state changes and the slot's failure as they happen.
 */
class SlotChannel {
  /** Set by a `cancel` command. */
  cancelCommanded = false;
  private readonly port: MessagePort;
  private readonly states = new Map<TaskDeployment, ExecutionState>();

  constructor(private readonly request: SlotRequest) {
    this.port = request.controlPort;
    this.port.on('message', (command: SlotCommand) => {
      if (command.kind === 'cancel') this.cancelCommanded = true;
    });
    for (const deployment of request.tasks) this.state(deployment, 'DEPLOYING');
  }

  state(deployment: TaskDeployment, state: ExecutionState): void {
    this.states.set(deployment, state);
    const event: TaskExecutionState = {
      kind: 'task-state',
      slot: this.request.slot,
      vertexId: deployment.vertexId,
      subtaskIndex: deployment.subtaskIndex,
      name: deployment.name,
      state,
    };
    this.port.postMessage(event);
  }

  /** Every subtask not in a terminal state yet gets the state `end` gives it. */
  endAll(end: (deployment: TaskDeployment) => ExecutionState): void {
    for (const [deployment, state] of this.states) if (!isTerminalState(state)) this.state(deployment, end(deployment));
  }

  fail(failure: TaskFailure): void {
    this.port.postMessage({ kind: 'failure', slot: this.request.slot, failure } satisfies SlotEvent);
  }

  /** Closes both ends: no listener is left behind in this worker for the next slot it runs. */
  close(): void {
    this.port.close();
  }
}

class TaskSetupError extends Error {
  constructor(
    readonly deployment: TaskDeployment,
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
    task = error.deployment.name;
    subtaskIndex = error.deployment.subtaskIndex;
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
