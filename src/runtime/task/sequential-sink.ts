/**
 * The task's side of a SinkWriter (sink-writer.ts): writes are awaited one after another, and
 * the writer is flushed on `execution.buffer-timeout`, as a RecordWriter publishes its partly
 * filled segments (Flink's OutputFlusher, output-flusher.ts).
 *
 * - Sequencing: when a write (or a flush) returns a promise, later records queue behind it, so
 *   an async custom sink sees one `invoke` at a time and records keep their order.
 * - Flushing: buffer timeout `0` flushes after every record; `-1` never flushes before the end
 *   (`close()`); a positive timeout flushes when the OutputFlusher's clock word moved since the
 *   last flush. The task checks the clock after each write (one plain load, no allocation) and
 *   calls `flushIfDue()` whenever it goes idle, so a trickle of records is not held back.
 *
 * Every method returns a promise only when the task must wait for the sink before its next
 * record (the sink back-pressures); such a promise is already marked handled, because the task
 * may pick it up only at the scheduler's next round. Its rejection is the sink's error.
 *
 * Layering: runtime/task -> runtime/sinks, io (the clock's layout).
 */
import { FLUSH_EPOCH } from '../../io/output-flusher.js';
import type { SinkWriter } from '../sinks/sink-writer.js';

export class SequentialSink {
  /** Records handed to `write` (queued ones included). */
  written = 0;
  readonly name: string;
  readonly #writer: SinkWriter<unknown>;
  readonly #queue: unknown[] = [];
  /** The write or flush in flight and the queue behind it; undefined when none is. */
  #draining: Promise<void> | undefined;
  /** A flush asked for while draining: done once the queue is written. */
  #flushAfterDrain = false;
  readonly #flushEveryRecord: boolean;
  /** The OutputFlusher's clock word, when the buffer timeout is positive. */
  readonly #clock: Int32Array | undefined;
  /** The clock as it was at the last flush. */
  #lastFlushEpoch = 0;

  /**
   * @param bufferTimeout `execution.buffer-timeout` in ms: 0, -1 or positive.
   * @param flushClock The OutputFlusher's clock (`new Int32Array(flusher.buffer)`); used when `bufferTimeout` > 0.
   */
  constructor(writer: SinkWriter<unknown>, name: string, bufferTimeout: number, flushClock: Int32Array | undefined) {
    this.#writer = writer;
    this.name = name;
    this.#flushEveryRecord = bufferTimeout === 0;
    this.#clock = bufferTimeout > 0 ? flushClock : undefined;
    if (this.#clock !== undefined) this.#lastFlushEpoch = Atomics.load(this.#clock, FLUSH_EPOCH);
  }

  /** Writes now, or queues behind a pending write; returns the promise to wait for, if any. */
  write(record: unknown): Promise<void> | undefined {
    this.written++;
    if (this.#draining !== undefined) {
      this.#queue.push(record);
      return this.#draining;
    }
    const pending = this.#writer.write(record);
    if (pending) return this.#drainAfter(pending);
    if (this.#flushEveryRecord || this.#due()) return this.flush();
    return undefined;
  }

  /** Flushes if the buffer timeout passed since the last flush (the task calls it when idle). */
  flushIfDue(): Promise<void> | undefined {
    if (this.#due()) return this.flush();
    return undefined;
  }

  /** True when the flusher's clock moved since the last flush (one load: checked per record). */
  #due(): boolean {
    return this.#clock !== undefined && this.#clock[FLUSH_EPOCH] !== this.#lastFlushEpoch;
  }

  /** Remembers the clock as of this flush. */
  #flushed(): void {
    if (this.#clock !== undefined) this.#lastFlushEpoch = Atomics.load(this.#clock, FLUSH_EPOCH);
  }

  /** Flushes the writer now, or after the queued records when a write is pending. */
  flush(): Promise<void> | undefined {
    this.#flushed();
    if (this.#draining !== undefined) {
      this.#flushAfterDrain = true;
      return this.#draining;
    }
    const pending = this.#writer.flush();
    return pending ? this.#drainAfter(pending) : undefined;
  }

  /** Flushes and releases the writer once the pending writes are done. */
  close(): Promise<void> | undefined {
    if (this.#draining) return this.#draining.then(() => this.close());
    const closing = this.#writer.close();
    return closing ? Promise.resolve(closing) : undefined;
  }

  /** Starts draining the queue behind `pending`; returns the (handled) promise of the whole drain. */
  #drainAfter(pending: Promise<void>): Promise<void> {
    const draining = this.#drain(pending);
    this.#draining = draining;
    draining.catch(() => {});
    return draining;
  }

  async #drain(pending: Promise<void>): Promise<void> {
    try {
      await pending;
      for (;;) {
        let next: Promise<void> | void;
        if (this.#queue.length > 0) {
          next = this.#writer.write(this.#queue.shift());
          if (!next && (this.#flushEveryRecord || this.#due())) {
            this.#flushed();
            next = this.#writer.flush();
          }
        } else if (this.#flushAfterDrain) {
          this.#flushAfterDrain = false;
          next = this.#writer.flush();
        } else {
          break;
        }
        if (next) await next;
      }
    } finally {
      this.#draining = undefined;
      this.#flushAfterDrain = false;
    }
  }
}
