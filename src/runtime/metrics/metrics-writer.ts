/**
 * The writing side of the metrics memory (layout: metrics-layout.ts): a task's or a slot's own
 * block, written only by the thread that runs it, as a seqlock publish. Never allocates.
 */
import { BLOCK_WORDS, BlockInt, checkMetricsBuffer, nowMs, SlotWord, slotBlockOffset, taskBlockOffset, TaskState, TaskWord } from './metrics-layout.js';

/** One block: an int32 view (SEQ, STATE) and a float64 view (values) over the same bytes. */
class Block {
  protected readonly ints: Int32Array;
  protected readonly words: Float64Array;
  private seq = 0;

  constructor(buffer: SharedArrayBuffer, byteOffset: number) {
    this.ints = new Int32Array(buffer, byteOffset, BLOCK_WORDS * 2);
    this.words = new Float64Array(buffer, byteOffset, BLOCK_WORDS);
  }

  /** Opens a publish: readers retry until `end()`. */
  protected begin(): void {
    Atomics.store(this.ints, BlockInt.SEQ, ++this.seq);
  }

  protected end(): void {
    Atomics.store(this.ints, BlockInt.SEQ, ++this.seq);
  }

  setState(state: number): void {
    Atomics.store(this.ints, BlockInt.STATE, state);
  }
}

/** Values a task publishes (the caller keeps one object and fills it in place). */
export interface TaskCounters {
  numRecordsIn: number;
  numRecordsOut: number;
  numBytesIn: number;
  numBytesOut: number;
  backPressuredNs: number;
  /** Watermarks (epoch ms, -Infinity before any): see TaskWord.CURRENT_INPUT_WATERMARK / CURRENT_OUTPUT_WATERMARK. */
  currentInputWatermark: number;
  currentOutputWatermark: number;
}

/**
 * A subtask's block. Idle time is kept here: `idle(now)` marks the start of a period without
 * input, `active(now)` ends it; the open period is published as IDLE_SINCE_MS so a reader counts
 * it before it ends.
 */
export class TaskMetricsWriter extends Block {
  private idleNs = 0;
  private idleSince = 0;

  constructor(buffer: SharedArrayBuffer, task: number) {
    const { numSlots, numTasks } = checkMetricsBuffer(buffer);
    if (!(task >= 0 && task < numTasks)) throw new RangeError(`metrics block ${task} out of range [0, ${numTasks})`);
    super(buffer, taskBlockOffset(numSlots, task));
  }

  start(): void {
    this.begin();
    this.words[TaskWord.STARTED_AT_MS] = nowMs();
    this.words[TaskWord.CURRENT_INPUT_WATERMARK] = Number.NEGATIVE_INFINITY;
    this.words[TaskWord.CURRENT_OUTPUT_WATERMARK] = Number.NEGATIVE_INFINITY;
    this.end();
    this.setState(TaskState.RUNNING);
  }

  /** True while an idle period is open. */
  get idling(): boolean {
    return this.idleSince !== 0;
  }

  /** The task found no input at `now` (epoch ms): an idle period starts, unless one is open. */
  idle(now: number): void {
    if (this.idleSince === 0) this.idleSince = now;
  }

  /** The task has work again at `now`: closes the open idle period. */
  active(now: number): void {
    if (this.idleSince !== 0) {
      this.idleNs += (now - this.idleSince) * 1e6;
      this.idleSince = 0;
    }
  }

  /** Publishes the counters (end of a step). */
  publish(c: TaskCounters, now: number): void {
    const w = this.words;
    this.begin();
    w[TaskWord.NUM_RECORDS_IN] = c.numRecordsIn;
    w[TaskWord.NUM_RECORDS_OUT] = c.numRecordsOut;
    w[TaskWord.NUM_BYTES_IN] = c.numBytesIn;
    w[TaskWord.NUM_BYTES_OUT] = c.numBytesOut;
    w[TaskWord.BACK_PRESSURED_NS] = c.backPressuredNs;
    w[TaskWord.CURRENT_INPUT_WATERMARK] = c.currentInputWatermark;
    w[TaskWord.CURRENT_OUTPUT_WATERMARK] = c.currentOutputWatermark;
    w[TaskWord.IDLE_NS] = this.idleNs;
    w[TaskWord.IDLE_SINCE_MS] = this.idleSince;
    w[TaskWord.UPDATED_AT_MS] = now;
    this.end();
  }

  /** Publishes the keyed state's size (sampled now and then, not every step). */
  publishState(bytes: number, keys: number): void {
    this.begin();
    this.words[TaskWord.STATE_BYTES] = bytes;
    this.words[TaskWord.STATE_KEYS] = keys;
    this.end();
  }

  /** The task ended (FINISHED, FAILED or CANCELED): final counters, then the state word. */
  finish(c: TaskCounters, state: (typeof TaskState)['FINISHED' | 'FAILED' | 'CANCELED']): void {
    const now = nowMs();
    this.active(now);
    this.publish(c, now);
    this.begin();
    this.words[TaskWord.FINISHED_AT_MS] = now;
    this.end();
    this.setState(state);
  }
}

/** A slot's block: the worker thread's heap, sampled by the slot's scheduler loop. */
export class SlotMetricsWriter extends Block {
  constructor(buffer: SharedArrayBuffer, slot: number) {
    const { numSlots } = checkMetricsBuffer(buffer);
    if (!(slot >= 0 && slot < numSlots)) throw new RangeError(`metrics slot ${slot} out of range [0, ${numSlots})`);
    super(buffer, slotBlockOffset(slot));
    this.setState(1);
  }

  /** Samples process.memoryUsage() of this worker thread (its own V8 heap). */
  sampleHeap(now: number): void {
    const usage = process.memoryUsage();
    this.begin();
    this.words[SlotWord.HEAP_USED] = usage.heapUsed;
    this.words[SlotWord.HEAP_TOTAL] = usage.heapTotal;
    this.words[SlotWord.UPDATED_AT_MS] = now;
    this.end();
  }
}
