/**
 * The control plane's side of the metrics memory (layout: metrics-layout.ts): reads the task and
 * slot blocks, and the words of the network memory, the managed memory account and the channel
 * rings, without a message or a lock, and turns them into snapshots with per-second rates.
 *
 * Rates need two samples: `sample()` takes raw counters, `snapshot(previous, current)` computes
 * the rates over the time between them (or since each task's start when there is no previous).
 */
import type { ChannelGroup } from '../../io/channel-group.js';
import type { ManagedMemory } from '../../memory/managed-memory.js';
import { HeaderWord, POOL_ENTRY_WORDS, PoolWord } from '../../memory/network-memory-layout.js';
import type { NetworkBufferPool } from '../../memory/network-buffer-pool.js';
import { backPressureLevel, type JobMetricsSnapshot, type TaskMetricsSnapshot, type TaskStatus } from './job-metrics.js';
import { BLOCK_WORDS, BlockInt, checkMetricsBuffer, nowMs, SlotWord, slotBlockOffset, taskBlockOffset, TaskState, TaskWord } from './metrics-layout.js';

/** Where a subtask's buffers are, for the buffer metrics the reader computes itself. */
export interface TaskMetricsSource {
  /** Subtask display name. */
  name: string;
  vertexId: number;
  subtaskIndex: number;
  /** Its block in the metrics memory. */
  block: number;
  /** Its input rings (none for a source). */
  input: { group: ChannelGroup; rings: readonly number[] } | undefined;
  /** Its output rings (in the consumers' groups, or a collect group). */
  outputs: readonly { group: ChannelGroup; ring: number }[];
  /** Its local buffer pools (network memory pool ids). */
  localPools: readonly number[];
}

/** Raw words of one block plus the sample time. */
export interface RawSample {
  time: number;
  tasks: Float64Array[];
  states: number[];
}

/** TaskState's names by value (its values are 0, 1, 2, ... in declaration order); TaskStatus names the same states. */
const STATUS = Object.keys(TaskState satisfies Record<TaskStatus, number>) as TaskStatus[];
const SEQ_RETRIES = 8;

export class JobMetricsReader {
  private readonly ints: Int32Array;
  private readonly words: Float64Array;
  private readonly numSlots: number;
  private readonly numTasks: number;

  constructor(
    readonly jobName: string,
    buffer: SharedArrayBuffer,
    private readonly sources: readonly TaskMetricsSource[],
    private readonly pool: NetworkBufferPool,
    private readonly managedMemory: ManagedMemory,
    /** max-buffers-per-channel: the most segments one input channel can queue. */
    private readonly maxBuffersPerChannel: number,
    /** The slots in use (slot indices). */
    private readonly slots: readonly number[],
    /** When the job was deployed (epoch ms), the start of the first interval. */
    readonly startedAt: number,
  ) {
    ({ numSlots: this.numSlots, numTasks: this.numTasks } = checkMetricsBuffer(buffer));
    this.ints = new Int32Array(buffer);
    this.words = new Float64Array(buffer);
  }

  /** Copies block words [int32 start / float64 start) consistently (seqlock read). */
  private readBlock(byteOffset: number, into: Float64Array): number {
    const seqIndex = byteOffset / 4 + BlockInt.SEQ;
    const first = byteOffset / 8;
    for (let attempt = 0; ; attempt++) {
      const before = Atomics.load(this.ints, seqIndex);
      if ((before & 1) === 0 || attempt >= SEQ_RETRIES) {
        into.set(this.words.subarray(first, first + BLOCK_WORDS));
        if (Atomics.load(this.ints, seqIndex) === before || attempt >= SEQ_RETRIES) break;
      }
    }
    return Atomics.load(this.ints, byteOffset / 4 + BlockInt.STATE);
  }

  /** The raw counters of every task now. */
  sample(): RawSample {
    const tasks: Float64Array[] = [];
    const states: number[] = [];
    for (let t = 0; t < this.numTasks; t++) {
      const block = new Float64Array(BLOCK_WORDS);
      states.push(this.readBlock(taskBlockOffset(this.numSlots, t), block));
      tasks.push(block);
    }
    return { time: nowMs(), tasks, states };
  }

  /** A snapshot of `current`, with rates over the time since `previous` (or since each task's start). */
  snapshot(current: RawSample, previous?: RawSample): JobMetricsSnapshot {
    const tasks = this.sources.map((source) => this.taskSnapshot(source, current, previous));
    const network = this.pool.words;
    const managed = this.managedMemory.usage();
    const heap = this.slots.map((slot) => {
      const block = new Float64Array(BLOCK_WORDS);
      this.readBlock(slotBlockOffset(slot), block);
      return { slot, heapUsed: block[SlotWord.HEAP_USED]!, heapTotal: block[SlotWord.HEAP_TOTAL]! };
    });
    const total = Atomics.load(network, HeaderWord.NUM_SEGMENTS);
    const available = Atomics.load(network, HeaderWord.AVAILABLE_SEGMENTS);
    return {
      jobName: this.jobName,
      timestamp: current.time,
      intervalMs: current.time - (previous?.time ?? this.startedAt),
      tasks,
      taskManager: {
        totalMemorySegments: total,
        availableMemorySegments: available,
        usedMemorySegments: total - available,
        managedMemoryTotal: managed.budget,
        managedMemoryUsed: managed.used,
        heap,
      },
    };
  }

  private taskSnapshot(source: TaskMetricsSource, current: RawSample, previous: RawSample | undefined): TaskMetricsSnapshot {
    const cur = current.tasks[source.block]!;
    const prev = previous?.tasks[source.block];
    const started = cur[TaskWord.STARTED_AT_MS]!;
    const finished = cur[TaskWord.FINISHED_AT_MS]!;
    // The task's part of the interval: from max(previous sample, its start) to min(now, its end).
    const from = Math.max(previous?.time ?? 0, started);
    const to = finished > 0 ? Math.min(current.time, finished) : current.time;
    const windowMs = started > 0 ? to - from : 0;
    const idleNow = idleNs(cur, current.time);
    const idleBefore = prev ? idleNs(prev, previous!.time) : 0;
    const delta = (word: number) => cur[word]! - (prev?.[word] ?? 0);
    const perSecond = (d: number) => (windowMs > 0 ? (d * 1000) / windowMs : 0);
    let idle = 0;
    let backPressured = 0;
    let busy = 0;
    if (windowMs > 0) {
      idle = clamp((idleNow - idleBefore) / 1e6 / (windowMs / 1000));
      backPressured = clamp(delta(TaskWord.BACK_PRESSURED_NS) / 1e6 / (windowMs / 1000));
      busy = 1000 - Math.min(idle + backPressured, 1000);
    }
    const buffers = this.buffers(source);
    const level = backPressureLevel(backPressured / 1000);
    const vertexName = source.name.replace(/ \(\d+\/\d+\)$/, '');
    return {
      name: source.name,
      task: vertexName,
      vertexId: source.vertexId,
      subtaskIndex: source.subtaskIndex,
      status: STATUS[current.states[source.block]!] ?? 'CREATED',
      numRecordsIn: cur[TaskWord.NUM_RECORDS_IN]!,
      numRecordsOut: cur[TaskWord.NUM_RECORDS_OUT]!,
      numBytesIn: cur[TaskWord.NUM_BYTES_IN]!,
      numBytesOut: cur[TaskWord.NUM_BYTES_OUT]!,
      numRecordsInPerSecond: perSecond(delta(TaskWord.NUM_RECORDS_IN)),
      numRecordsOutPerSecond: perSecond(delta(TaskWord.NUM_RECORDS_OUT)),
      numBytesInPerSecond: perSecond(delta(TaskWord.NUM_BYTES_IN)),
      numBytesOutPerSecond: perSecond(delta(TaskWord.NUM_BYTES_OUT)),
      busyTimeMsPerSecond: busy,
      idleTimeMsPerSecond: idle,
      backPressuredTimeMsPerSecond: backPressured,
      isBackPressured: (buffers.outPoolUsage >= 1 && finished === 0) || level !== 'ok',
      backPressureLevel: level,
      ...buffers,
      stateBytes: cur[TaskWord.STATE_BYTES]!,
      stateKeys: cur[TaskWord.STATE_KEYS]!,
      ...watermarksOf(cur, current.time),
      idleTimeMs: idleNow / 1e6,
      backPressuredTimeMs: cur[TaskWord.BACK_PRESSURED_NS]! / 1e6,
    };
  }

  /** Buffer metrics straight from the rings and the network memory's pool table. */
  private buffers(source: TaskMetricsSource): Pick<TaskMetricsSnapshot, 'inPoolUsage' | 'outPoolUsage' | 'inputQueueLength' | 'outputQueueLength'> {
    let inputQueueLength = 0;
    if (source.input) for (const ring of source.input.rings) inputQueueLength += Math.max(0, source.input.group.queueLength(ring));
    let outputQueueLength = 0;
    for (const out of source.outputs) outputQueueLength += Math.max(0, out.group.queueLength(out.ring));
    const words = this.pool.words;
    const table = Atomics.load(words, HeaderWord.LOCAL_POOLS_OFFSET) / 4;
    let held = 0;
    let size = 0;
    for (const id of source.localPools) {
      const base = table + id * POOL_ENTRY_WORDS;
      if (Atomics.load(words, base + PoolWord.STATE) === 0) continue; // destroyed (job over)
      held += Atomics.load(words, base + PoolWord.HELD);
      size +=
        Atomics.load(words, base + PoolWord.NUM_SUBPARTITIONS) * Atomics.load(words, base + PoolWord.EXCLUSIVE_PER_SUBPARTITION) +
        Atomics.load(words, base + PoolWord.FLOATING_SIZE);
    }
    const inputs = source.input?.rings.length ?? 0;
    return {
      inPoolUsage: inputs > 0 ? Math.min(1, inputQueueLength / (inputs * this.maxBuffersPerChannel)) : 0,
      outPoolUsage: size > 0 ? Math.min(1, held / size) : 0,
      inputQueueLength,
      outputQueueLength,
    };
  }
}

/** Idle ns of a block at `time`, counting the idle period still open. */
/**
 * A task's watermarks; a block not started yet (all zero) reads as no watermark. watermarkLag is
 * Flink's (time - output watermark), defined once a watermark below MAX_WATERMARK went out.
 */
function watermarksOf(block: Float64Array, time: number): Pick<TaskMetricsSnapshot, 'currentInputWatermark' | 'currentOutputWatermark' | 'watermarkLag'> {
  const started = block[TaskWord.STARTED_AT_MS]! > 0;
  const input = started ? block[TaskWord.CURRENT_INPUT_WATERMARK]! : Number.NEGATIVE_INFINITY;
  const output = started ? block[TaskWord.CURRENT_OUTPUT_WATERMARK]! : Number.NEGATIVE_INFINITY;
  return { currentInputWatermark: input, currentOutputWatermark: output, watermarkLag: Number.isFinite(output) ? time - output : undefined };
}

function idleNs(block: Float64Array, time: number): number {
  const since = block[TaskWord.IDLE_SINCE_MS]!;
  return block[TaskWord.IDLE_NS]! + (since > 0 ? Math.max(0, time - since) * 1e6 : 0);
}

function clamp(ms: number): number {
  return Math.min(1000, Math.max(0, ms));
}
