/**
 * The layout of a job's metrics memory: one SharedArrayBuffer per job, one fixed block per
 * subtask and one per task slot. Tasks write their own block; the control plane only reads.
 * No messages, no locks.
 *
 * Layer: runtime/metrics. Imports nothing from strom.
 *
 * The buffer is read through two views over the same bytes: an Int32Array (header words, each
 * block's SEQ and STATE words) and a Float64Array (counters: doubles count exactly up to 2^53).
 *
 * ```text
 *   byte 0    +------------------------------------------------------------+
 *             | header: HEADER_BYTES (64), int32 words, see MetricsHeader   |
 *   64        +------------------------------------------------------------+
 *             | slot blocks: numSlots x BLOCK_BYTES (256), see SlotWord      |
 *             +------------------------------------------------------------+
 *             | task blocks: numTasks x BLOCK_BYTES (256), see TaskWord      |
 *             +------------------------------------------------------------+
 *
 *   every block (256 bytes = 32 float64 words = 64 int32 words):
 *     int32 word 0  SEQ    bumped by the block's writer around each publish (odd = writing)
 *     int32 word 1  STATE  see TaskState (task blocks) / 1 = attached (slot blocks)
 *     float64 words 1..31  the values, see TaskWord / SlotWord
 * ```
 *
 * Who writes what, in which order:
 * - The control plane formats the header (MAGIC last, with Atomics.store) before any task runs,
 *   and never writes a block.
 * - A block is written by exactly one thread: a task block by the slot thread running that
 *   subtask, a slot block by that slot's thread. A publish is a seqlock write:
 *   `Atomics.store(SEQ, s + 1)`, plain stores of the float64 words, `Atomics.store(SEQ, s + 2)`.
 *   Tasks publish at the end of a step (every few thousand records), never per record.
 * - A reader loads SEQ (Atomics.load), skips the block for now when odd, reads the words, and
 *   retries (a few times) when SEQ changed meanwhile, so words read as a pair (IDLE_NS with
 *   IDLE_SINCE_MS, the counters of one step) are consistent. After the retries it takes what it
 *   read: metrics are monotonic counters, a rare skew only shifts one interval's rate.
 * - Times are epoch milliseconds with sub-ms precision (`performance.timeOrigin +
 *   performance.now()`), comparable across threads.
 */

/** "STME": int32 word {@link MetricsHeader.MAGIC} of a formatted metrics buffer. */
export const METRICS_MAGIC = 0x53544d45;
/** Layout version; readers refuse any other. */
export const METRICS_VERSION = 1;
/** Bytes of the header. */
export const HEADER_BYTES = 64;
/** Bytes of one block (slot or task). */
export const BLOCK_BYTES = 256;
/** float64 words per block. */
export const BLOCK_WORDS = BLOCK_BYTES / 8;

/** int32 words of the header. Written by the control plane only, once. */
export const MetricsHeader = {
  MAGIC: 0,
  VERSION: 1,
  NUM_SLOTS: 2,
  NUM_TASKS: 3,
} as const;

/** int32 words at the start of every block (index relative to the block, in int32 words). */
export const BlockInt = {
  /** Seqlock counter: odd while the owner writes the block. */
  SEQ: 0,
  /** {@link TaskState} for task blocks; 1 once a slot thread attached, for slot blocks. */
  STATE: 1,
} as const;

/**
 * Lifecycle of a subtask, in {@link BlockInt.STATE}, with Flink's ExecutionState names: FAILED for
 * the task whose error failed the job, CANCELED for the others stopped by it or by a cancel.
 */
export const TaskState = { CREATED: 0, RUNNING: 1, FINISHED: 2, FAILED: 3, CANCELED: 4 } as const;
export type TaskState = (typeof TaskState)[keyof typeof TaskState];

/** float64 words of a task block (index relative to the block, in float64 words). */
export const TaskWord = {
  /** Records that entered the task (from its source, or from its input channels). */
  NUM_RECORDS_IN: 1,
  /** Records that left the task (to its output channels, or written by its sink). */
  NUM_RECORDS_OUT: 2,
  /** Bytes read: framed bytes from the channels, or bytes a file/socket source read. */
  NUM_BYTES_IN: 3,
  /** Framed bytes written to the output channels. */
  NUM_BYTES_OUT: 4,
  /** Nanoseconds with no input (idle periods that ended). */
  IDLE_NS: 5,
  /** Start (epoch ms) of the idle period in progress, or 0 when the task is not idle. */
  IDLE_SINCE_MS: 6,
  /** Nanoseconds waiting for output buffers or ring space (back-pressured time). */
  BACK_PRESSURED_NS: 7,
  /** Keyed state of the task's keyed operator: bytes (native stats or JS estimate) and keys. */
  STATE_BYTES: 8,
  STATE_KEYS: 9,
  /** When the task started / finished (epoch ms; 0 = not yet). */
  STARTED_AT_MS: 10,
  FINISHED_AT_MS: 11,
  /** When the block was last published (epoch ms). */
  UPDATED_AT_MS: 12,
  /**
   * Flink's currentInputWatermark: the watermark the task's head last got from its input (the
   * minimum over its inputs for two); -Infinity before any (Flink: Long.MIN_VALUE) and for sources.
   */
  CURRENT_INPUT_WATERMARK: 13,
  /** Flink's currentOutputWatermark: the last watermark the task sent downstream; -Infinity before any. */
  CURRENT_OUTPUT_WATERMARK: 14,
} as const;

/** float64 words of a slot block. */
export const SlotWord = {
  /** V8 heap used / total of the slot's worker thread (process.memoryUsage() in the worker), bytes. */
  HEAP_USED: 1,
  HEAP_TOTAL: 2,
  /** When the heap was last sampled (epoch ms). */
  UPDATED_AT_MS: 3,
} as const;

/** Bytes of a metrics buffer with `numSlots` slot blocks and `numTasks` task blocks. */
export function metricsByteLength(numSlots: number, numTasks: number): number {
  return HEADER_BYTES + (numSlots + numTasks) * BLOCK_BYTES;
}

/** Byte offset of slot block `slot`. */
export function slotBlockOffset(slot: number): number {
  return HEADER_BYTES + slot * BLOCK_BYTES;
}

/** Byte offset of task block `task` in a buffer with `numSlots` slot blocks. */
export function taskBlockOffset(numSlots: number, task: number): number {
  return HEADER_BYTES + (numSlots + task) * BLOCK_BYTES;
}

/** Allocates and formats a metrics buffer (control plane, before any task runs). */
export function createMetricsBuffer(numSlots: number, numTasks: number): SharedArrayBuffer {
  const buffer = new SharedArrayBuffer(metricsByteLength(numSlots, numTasks));
  const ints = new Int32Array(buffer);
  ints[MetricsHeader.VERSION] = METRICS_VERSION;
  ints[MetricsHeader.NUM_SLOTS] = numSlots;
  ints[MetricsHeader.NUM_TASKS] = numTasks;
  Atomics.store(ints, MetricsHeader.MAGIC, METRICS_MAGIC);
  return buffer;
}

/** Checks magic and version; returns the geometry. */
export function checkMetricsBuffer(buffer: SharedArrayBuffer): { numSlots: number; numTasks: number } {
  const ints = new Int32Array(buffer, 0, HEADER_BYTES / 4);
  if (Atomics.load(ints, MetricsHeader.MAGIC) !== METRICS_MAGIC || ints[MetricsHeader.VERSION] !== METRICS_VERSION) {
    throw new TypeError(`not a strom metrics buffer of layout version ${METRICS_VERSION}`);
  }
  return { numSlots: ints[MetricsHeader.NUM_SLOTS]!, numTasks: ints[MetricsHeader.NUM_TASKS]! };
}

/** Epoch milliseconds with sub-ms precision, comparable across threads. */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}
