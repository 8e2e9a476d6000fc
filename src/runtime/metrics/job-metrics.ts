/**
 * What a job's metrics look like to the caller: one snapshot of every subtask and of the
 * TaskManager, with Flink's metric names. Plain data (JSON-serializable).
 */

/** Flink's back-pressure level of a subtask: ok when ratio <= 0.10, low when <= 0.5, high above. */
export type BackPressureLevel = 'ok' | 'low' | 'high';

/** Lifecycle of a subtask as its metrics block tells it. */
export type TaskStatus = 'CREATED' | 'RUNNING' | 'FINISHED' | 'FAILED' | 'CANCELED';

/** One subtask. Counters are totals since it started; rates and times are over the snapshot's interval. */
export interface TaskMetricsSnapshot {
  /** Subtask display name, e.g. `Map -> Sink: Print to Std. Out (2/4)`. */
  name: string;
  /** Task (job vertex) name, without the subtask suffix. */
  task: string;
  vertexId: number;
  /** 0-based subtask index. */
  subtaskIndex: number;
  status: TaskStatus;
  numRecordsIn: number;
  numRecordsOut: number;
  /** Framed bytes from the input channels (or bytes a file/socket source read). */
  numBytesIn: number;
  /** Framed bytes to the output channels. */
  numBytesOut: number;
  numRecordsInPerSecond: number;
  numRecordsOutPerSecond: number;
  numBytesInPerSecond: number;
  numBytesOutPerSecond: number;
  /** 1000 - min(idle + backPressured, 1000): ms per second doing work. */
  busyTimeMsPerSecond: number;
  /** ms per second without input (or waiting on an async source). */
  idleTimeMsPerSecond: number;
  /** ms per second waiting for output buffers or ring space. */
  backPressuredTimeMsPerSecond: number;
  /** Output pools exhausted right now, or back-pressured above 10% of the interval. */
  isBackPressured: boolean;
  /** From backPressuredTimeMsPerSecond / 1000 with Flink's thresholds. */
  backPressureLevel: BackPressureLevel;
  /** Input ring entries queued / (input channels x max-buffers-per-channel), at most 1; 0 for sources. */
  inPoolUsage: number;
  /** Segments the task's local pools hold / their current size, at most 1; 0 for sinks. */
  outPoolUsage: number;
  /** Entries queued in the task's input rings now. */
  inputQueueLength: number;
  /** Entries queued in the task's output rings (its consumers' inputs) now. */
  outputQueueLength: number;
  /** Keyed state of the task's keyed operator: bytes (native stats, or a JS estimate) and keys; 0 without one. */
  stateBytes: number;
  stateKeys: number;
  /** Flink's currentInputWatermark (epoch ms): what the task's head last got from its inputs; -Infinity before any and for sources. */
  currentInputWatermark: number;
  /** Flink's currentOutputWatermark (epoch ms): the last watermark the task sent downstream; -Infinity before any. */
  currentOutputWatermark: number;
  /**
   * Flink's watermarkLag, in ms: the snapshot's time minus the output watermark, once the task
   * sent one below MAX_WATERMARK (Flink defines it for sources; strom gives it for every subtask);
   * undefined before.
   */
  watermarkLag: number | undefined;
  /** Totals since the task started, in ms. */
  idleTimeMs: number;
  backPressuredTimeMs: number;
}

/** The heap of one task slot's worker thread. */
export interface SlotHeapSnapshot {
  slot: number;
  /** V8 heap used / total of the worker thread, bytes (sampled every ~200 ms by the slot). */
  heapUsed: number;
  heapTotal: number;
}

/** The local TaskManager. */
export interface TaskManagerMetricsSnapshot {
  /** Network memory segments (Flink's Status.Network.*MemorySegments). */
  totalMemorySegments: number;
  availableMemorySegments: number;
  usedMemorySegments: number;
  /** Managed memory budget and bytes reserved now (keyed state). */
  managedMemoryTotal: number;
  managedMemoryUsed: number;
  /** Per task slot (worker thread). */
  heap: SlotHeapSnapshot[];
}

/** One sample of a job's metrics. */
export interface JobMetricsSnapshot {
  jobName: string;
  /** When it was taken (epoch ms). */
  timestamp: number;
  /** The interval the rates cover, in ms (since the previous snapshot of the same reader, or the job's start). */
  intervalMs: number;
  tasks: TaskMetricsSnapshot[];
  taskManager: TaskManagerMetricsSnapshot;
}

/** Flink's back-pressure level for a back-pressured ratio in [0, 1]. */
export function backPressureLevel(ratio: number): BackPressureLevel {
  return ratio <= 0.1 ? 'ok' : ratio <= 0.5 ? 'low' : 'high';
}
