/**
 * Processing time for operators (Flink's ProcessingTimeService): the current time of the slot's
 * clock, and timers that call back at a given time. strom runs them as mail: the slot's
 * scheduler fires due timers between task steps on the task's own thread, never inside a step,
 * so a callback may touch operator state and emit records like processElement does.
 *
 * Each task has its own service (its operators share it): a failing callback fails that task,
 * and a task that finished or was cancelled drops its pending timers (Flink quiesces them).
 * A timer registered for a time already past fires at the next chance, with the timestamp it was
 * registered for. Timers fire in timestamp order, ties in registration order.
 *
 * The clock is epoch milliseconds (`Date.now()`) by default; tests and the operator harness use
 * a manual clock (`ManualProcessingTimeService`) that fires timers only when advanced.
 *
 * Depends on: nothing.
 */

/** Called with the timestamp the timer was registered for. */
export type ProcessingTimeCallback = (timestamp: number) => void;

/** A registered timer; `cancel()` stops it from firing (no effect once it fired). */
export interface ScheduledTimer {
  cancel(): void;
}

export interface ProcessingTimeService {
  /** The current processing time in epoch ms. */
  getCurrentProcessingTime(): number;
  /** Calls `callback(timestamp)` once the clock reaches `timestamp`. */
  registerTimer(timestamp: number, callback: ProcessingTimeCallback): ScheduledTimer;
}

interface QueuedTimer extends ScheduledTimer {
  readonly timestamp: number;
  readonly seq: number;
  callback: ProcessingTimeCallback | undefined;
}

/**
 * The timers of one task in a binary min-heap by (timestamp, registration order). Cancelled
 * timers stay in the heap, marked, until they reach the top: cancel is O(1).
 */
export class TaskProcessingTimeService implements ProcessingTimeService {
  private readonly heap: QueuedTimer[] = [];
  private seq = 0;
  private quiesced = false;

  constructor(private readonly clock: () => number = Date.now) {}

  getCurrentProcessingTime(): number {
    return this.clock();
  }

  registerTimer(timestamp: number, callback: ProcessingTimeCallback): ScheduledTimer {
    const timer: QueuedTimer = {
      timestamp,
      seq: this.seq++,
      callback: this.quiesced ? undefined : callback,
      cancel() {
        this.callback = undefined;
      },
    };
    if (!this.quiesced) this.push(timer);
    return timer;
  }

  /** When the earliest pending timer is due (epoch ms), or +Infinity when none is. */
  nextTimerAt(): number {
    this.dropCancelled();
    return this.heap.length === 0 ? Number.POSITIVE_INFINITY : this.heap[0]!.timestamp;
  }

  /**
   * Fires every timer due at `now` (the clock by default), in order, including timers that the
   * callbacks register for times already due. Returns how many fired. A callback that throws
   * stops the firing and the error propagates (the task fails).
   */
  fireDue(now: number = this.clock()): number {
    let fired = 0;
    for (;;) {
      this.dropCancelled();
      const top = this.heap[0];
      if (top === undefined || top.timestamp > now) return fired;
      this.pop();
      const callback = top.callback!;
      top.callback = undefined;
      fired++;
      callback(top.timestamp);
    }
  }

  /** Drops every pending timer and ignores later registrations (the task finished or failed). */
  quiesce(): void {
    this.quiesced = true;
    for (const timer of this.heap) timer.callback = undefined;
    this.heap.length = 0;
  }

  /** Pending timers, cancelled ones not yet dropped included (for tests and metrics). */
  get size(): number {
    return this.heap.length;
  }

  private dropCancelled(): void {
    while (this.heap.length > 0 && this.heap[0]!.callback === undefined) this.pop();
  }

  private static before(a: QueuedTimer, b: QueuedTimer): boolean {
    return a.timestamp < b.timestamp || (a.timestamp === b.timestamp && a.seq < b.seq);
  }

  private push(timer: QueuedTimer): void {
    const heap = this.heap;
    let i = heap.push(timer) - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!TaskProcessingTimeService.before(timer, heap[parent]!)) break;
      heap[i] = heap[parent]!;
      i = parent;
    }
    heap[i] = timer;
  }

  private pop(): void {
    const heap = this.heap;
    const last = heap.pop()!;
    if (heap.length === 0) return;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= heap.length) break;
      const r = l + 1;
      const child = r < heap.length && TaskProcessingTimeService.before(heap[r]!, heap[l]!) ? r : l;
      if (!TaskProcessingTimeService.before(heap[child]!, last)) break;
      heap[i] = heap[child]!;
      i = child;
    }
    heap[i] = last;
  }
}

/**
 * A processing-time service whose clock moves only when told (Flink's TestProcessingTimeService):
 * `setCurrentTime(t)` moves the clock and fires every timer due at `t`.
 */
export class ManualProcessingTimeService extends TaskProcessingTimeService {
  private now: number;

  constructor(startTime = 0) {
    let self: ManualProcessingTimeService | undefined;
    super(() => self!.now);
    self = this;
    this.now = startTime;
  }

  /** Moves the clock to `timestamp` (never backwards) and fires the timers due then. */
  setCurrentTime(timestamp: number): number {
    if (timestamp < this.now) throw new RangeError(`processing time cannot go back from ${this.now} to ${timestamp}`);
    this.now = timestamp;
    return this.fireDue(timestamp);
  }
}
