/**
 * What the control plane sends to a task slot (a worker thread): the message shapes that cross
 * threads, declared once. Everything here is structured-cloneable; shared memory travels as
 * SharedArrayBuffers. Functions do not travel: the worker rebuilds the StreamGraph from the job
 * module and finds each operator by node id, after checking the graph's fingerprint.
 *
 * The physical choices travel here, made by the plan (graph/physical-plan.ts): each operator's
 * input types and native or js aggregation, each edge's serializer and combiner, and which
 * input of the head each input ring feeds. A worker instantiates exactly that.
 */
import type { MessagePort } from 'node:worker_threads';
import type { ErrorData } from '../errors/rebuild-error.js';
import type { AggregationImplementation, CombinerPlan, RecordType } from '../graph/physical-plan.js';
import type { PartitionerKind } from '../graph/stream-graph.js';

/** One slot's work: the subtasks that share its thread. */
export interface SlotRequest {
  /** file: URL of the module whose default export is the job (defineJob). */
  jobModule: string;
  /** Export holding the job in that module (default: `default`). */
  jobExport: string;
  /**
   * The job's id in its module (`<module>#<n>`, api/job-registry.ts): the worker takes the job
   * defineJob registers under it. Undefined when the module was named explicitly.
   */
  jobId: string | undefined;
  params: Record<string, string>;
  /** The job's configuration as plain key/values, to rebuild the same environment. */
  config: Record<string, unknown>;
  /** fingerprint() of the main thread's StreamGraph. */
  fingerprint: string;
  slot: number;
  /** Network memory, managed memory, output-flusher clock and the job's control words. */
  network: SharedArrayBuffer;
  managedMemory: SharedArrayBuffer;
  flushClock: SharedArrayBuffer;
  control: SharedArrayBuffer;
  /**
   * The slot's end of its control channel (slot-messages.ts): commands in, task states and
   * failures out. Transferred with the request; the slot closes it when it returns.
   */
  controlPort: MessagePort;
  /**
   * The job's metrics memory (runtime/metrics/metrics-layout.ts): the slot writes its block
   * `slot` and each task its block `metricsBlock`. Undefined when metrics are off.
   */
  metrics: SharedArrayBuffer | undefined;
  /** The rings feeding this slot's tasks, or undefined when only sources run here. */
  inputGroup: SharedArrayBuffer | undefined;
  tasks: TaskDeployment[];
}

/** One subtask. */
export interface TaskDeployment {
  vertexId: number;
  /** Display name, Flink style: `Keyed Aggregation -> Sink: Print to Std. Out (2/4)`. */
  name: string;
  subtaskIndex: number;
  parallelism: number;
  /** The chained operators, head first (StreamGraph node ids). */
  nodeIds: number[];
  /** The plan's choices for each chained operator, in `nodeIds` order. */
  operators: OperatorDeployment[];
  maxParallelism: number;
  /** Key groups of a keyed task (inclusive), else undefined. */
  keyGroupRange: { start: number; end: number } | undefined;
  /**
   * The head's inputs, by input index (one for a one-input head, two for a two-input head, none
   * for a source): the rings of the slot's input group feeding each, and their record type.
   */
  inputs: InputDeployment[];
  outputs: OutputDeployment[];
  /** For a collect sink: where its records go to the main thread. */
  collect: CollectDeployment | undefined;
  /** This subtask's block in the job's metrics memory (-1: none). */
  metricsBlock: number;
  /** For a writeAsText sink: the in-progress file it writes (named by the FileOutputCommitter). */
  textFile?: string;
}

/** What the plan chose for one chained operator. */
export interface OperatorDeployment {
  /** StreamGraph node id. */
  nodeId: number;
  /** Record types entering each input; [] for sources. */
  inputTypes: RecordType[];
  /** Keyed aggregations and reduce: native (the addon, on serialized records) or js. */
  implementation: AggregationImplementation | undefined;
}

/** One input of a task's head (Flink's input gate): its rings, in input-channel order. */
export interface InputDeployment {
  /** 0, or 1 for the second input of a two-input operator. */
  inputIndex: number;
  /** Rings of the slot's input group, in the order of the plan's input channels. */
  rings: number[];
  /** Type of the records on these rings (their serializer). */
  type: RecordType;
}

/** One output edge of a subtask: a writer over one local pool. */
export interface OutputDeployment {
  /** Index of the StreamGraph edge (its key, for HASH). */
  streamEdgeIndex: number;
  partitioner: PartitionerKind;
  /** Type of the records on the edge (the writer's serializer). */
  serializer: RecordType;
  /** A combiner in front of the writer (BATCH keyed edges into a native sum/min/max), or undefined. */
  combiner: CombinerPlan | undefined;
  localPool: number;
  /** Max parallelism of the consumer (key groups for HASH routing). */
  consumerMaxParallelism: number;
  /** Writer channel i: the consumer slot's input group and the ring in it. */
  channels: { group: SharedArrayBuffer; ring: number }[];
}

/** The ring a collect sink subtask writes to; the main thread reads it. */
export interface CollectDeployment {
  /** Type of the collected records (the writer's serializer). */
  serializer: RecordType;
  group: SharedArrayBuffer;
  ring: number;
  localPool: number;
}

/** Words of the job's control buffer (Int32Array), written by the control plane. */
export const ControlWord = {
  /** Set to 1 to cancel: tasks stop at their next step or wait. */
  CANCELLED: 0,
} as const;
export const CONTROL_BYTES = 64;

/** Per-subtask figures returned by a slot at the end (Flink's metric names). */
export interface TaskMetrics {
  name: string;
  vertexId: number;
  subtaskIndex: number;
  numRecordsIn: number;
  numRecordsOut: number;
  numBytesIn: number;
  numBytesOut: number;
  /** Time spent waiting for output buffers. */
  backPressuredTimeMs: number;
  /**
   * The most bytes one output channel of the task held in its JS backlog at once (records that
   * found no network segment), in bytes; 0 when the output never had to wait.
   */
  outputBacklogPeakBytes: number;
  /** Time from the task's first step to its end. */
  durationMs: number;
}

/** What a slot returns: its tasks' metrics, or the failure that stopped it. */
export type SlotResult = { ok: true; tasks: TaskMetrics[] } | { ok: false; failure: TaskFailure; tasks: TaskMetrics[] };

/**
 * A failure, for the trip to the main thread: where it happened, and the error as plain data
 * (errors/rebuild-error.ts), rebuilt there into the same class with its fields and causes.
 */
export interface TaskFailure {
  /** The failed task, e.g. `Map (2/4)`, or `slot <n>` when no task of the slot had started. */
  task: string;
  /** 0-based subtask index, or -1 when the failure is not tied to one subtask. */
  subtaskIndex: number;
  /** The operator whose user function failed, when known. */
  operator: string | undefined;
  /** The error the task failed with (a non-error thrown value arrives wrapped in an Error). */
  error: ErrorData;
}
