/**
 * Flink's OutputFlusher, shared by every writer of a TaskManager: a clock word in shared memory
 * that the control thread bumps every `execution.buffer-timeout` ms. A writer compares the word
 * with the value it saw at its last flush (one plain load per record) and publishes its partly
 * filled segments when it changed. The clock runs on the control thread, which task threads
 * never block, so a busy producer still flushes on time.
 *
 * Layout: one Int32Array word, FLUSH_EPOCH, written only by the ticking thread.
 */
export const FLUSH_EPOCH = 0;

export class OutputFlusher {
  /** Share this with worker threads; attach with `new Int32Array(buffer)`. */
  readonly buffer = new SharedArrayBuffer(64);
  private readonly words = new Int32Array(this.buffer);
  private timer: NodeJS.Timeout | undefined;

  /** Starts ticking every `intervalMs` (> 0). The timer does not keep the process alive. */
  start(intervalMs: number): this {
    if (!(intervalMs > 0)) throw new RangeError(`flush interval must be > 0 ms, got ${intervalMs}`);
    this.stop();
    this.timer = setInterval(() => this.tick(), intervalMs);
    this.timer.unref();
    return this;
  }

  /** Advances the clock once: every writer flushes at its next record or idle check. */
  tick(): void {
    Atomics.add(this.words, FLUSH_EPOCH, 1);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
