import { StromError } from '../errors.js';
import { SpinBudget } from './spin-until.js';
import { whenWordChanges } from '../memory/word-change.js';
import {
  CANCELLED,
  CHANNEL_GROUP_MAGIC,
  CHANNEL_GROUP_VERSION,
  GATE_SIGNAL,
  GATE_WAITING,
  MAGIC,
  NUM_CHANNELS,
  READ_INDEX,
  RING_CAPACITY,
  VERSION,
  WRITE_INDEX,
  channelBase,
  channelGroupByteLength,
} from './channel-layout.js';

/** How long one `Atomics.wait` sleeps before re-checking for cancellation, in ms. */
export const WAIT_SLICE_MS = 50;

/**
 * The rings feeding one consumer subtask, in one SharedArrayBuffer (layout: channel-layout.ts).
 * Created by the control plane; producer and consumer threads attach to the same buffer.
 */
export class ChannelGroup {
  /** The shared memory; send it to the threads that attach. */
  readonly buffer: SharedArrayBuffer;
  /** Int32 view over the whole group. */
  readonly words: Int32Array;
  /** Number of channels (one per producer subtask). */
  readonly numChannels: number;
  /** Ring entries per channel; a power of two. */
  readonly capacity: number;
  /** How long `waitForData` polls before it sleeps (consumer thread only; see spin-until.ts). */
  private readonly spinBudget = new SpinBudget();

  private constructor(buffer: SharedArrayBuffer) {
    this.buffer = buffer;
    this.words = new Int32Array(buffer);
    this.numChannels = this.words[NUM_CHANNELS]!;
    this.capacity = this.words[RING_CAPACITY]!;
  }

  /**
   * Allocates a group of `numChannels` rings with `capacity` entries each.
   * `capacity` must be a power of two and at least the segments one channel may hold
   * (`max-buffers-per-channel`) plus room for events, so data never waits on the ring itself.
   */
  static create(numChannels: number, capacity: number): ChannelGroup {
    if (!Number.isInteger(numChannels) || numChannels < 1 || numChannels > 65536) {
      throw new RangeError(`numChannels must be an integer in [1, 65536], got ${numChannels}`);
    }
    if (!Number.isInteger(capacity) || capacity < 2 || capacity > 1 << 20 || (capacity & (capacity - 1)) !== 0) {
      throw new RangeError(`ring capacity must be a power of two in [2, 2^20], got ${capacity}`);
    }
    const buffer = new SharedArrayBuffer(channelGroupByteLength(numChannels, capacity));
    const words = new Int32Array(buffer);
    words[NUM_CHANNELS] = numChannels;
    words[RING_CAPACITY] = capacity;
    words[VERSION] = CHANNEL_GROUP_VERSION;
    Atomics.store(words, MAGIC, CHANNEL_GROUP_MAGIC);
    return new ChannelGroup(buffer);
  }

  /** Attaches to a group created elsewhere (e.g. in another thread); checks magic and version. */
  static attach(buffer: SharedArrayBuffer): ChannelGroup {
    if (!(buffer instanceof SharedArrayBuffer) || buffer.byteLength < channelGroupByteLength(1, 2)) {
      throw new TypeError('ChannelGroup.attach expects the SharedArrayBuffer of a channel group');
    }
    const words = new Int32Array(buffer);
    if (Atomics.load(words, MAGIC) !== CHANNEL_GROUP_MAGIC || words[VERSION] !== CHANNEL_GROUP_VERSION) {
      throw new StromError(
        'ERR_LAYOUT_MISMATCH',
        `Not a channel group of layout version ${CHANNEL_GROUP_VERSION} (magic ${words[MAGIC]}, version ${words[VERSION]})`,
      );
    }
    return new ChannelGroup(buffer);
  }

  /** First word of channel `index`. */
  base(index: number): number {
    if (!(index >= 0 && index < this.numChannels)) {
      throw new RangeError(`channel index ${index} out of range [0, ${this.numChannels})`);
    }
    return channelBase(this.capacity, index);
  }

  /** True once the control plane cancelled the group. */
  get cancelled(): boolean {
    return Atomics.load(this.words, CANCELLED) !== 0;
  }

  /** Cancels the group: every producer or consumer waiting on it wakes and gives up. */
  cancel(): void {
    Atomics.store(this.words, CANCELLED, 1);
    Atomics.add(this.words, GATE_SIGNAL, 1);
    Atomics.notify(this.words, GATE_SIGNAL);
    for (let c = 0; c < this.numChannels; c++) {
      const base = channelBase(this.capacity, c);
      Atomics.notify(this.words, base + READ_INDEX);
      Atomics.notify(this.words, base + WRITE_INDEX);
    }
  }

  /** Entries published but not yet released on channel `index`. */
  queueLength(index: number): number {
    const base = this.base(index);
    return (Atomics.load(this.words, base + WRITE_INDEX) - Atomics.load(this.words, base + READ_INDEX)) | 0;
  }

  /**
   * Called by a producer after publishing: wakes the consumer if it sleeps on the gate.
   * Cheap when nobody sleeps (one load).
   */
  signalConsumer(): void {
    if (Atomics.load(this.words, GATE_WAITING) !== 0) {
      Atomics.add(this.words, GATE_SIGNAL, 1);
      Atomics.notify(this.words, GATE_SIGNAL);
    }
  }

  /**
   * Polls (adaptive, at most SPIN_MAX_MS; see spin-until.ts), then sleeps until any producer publishes
   * to this group, for at most `timeoutMs`. While spinning nobody counts in GATE_WAITING, so
   * producers do not notify (no syscall on either side); `hasData` re-checks the rings after
   * the count is raised, so a publish racing with going to sleep is never lost. Returns false
   * when the group was cancelled (also while spinning).
   * Blocks the thread: only for a thread that does nothing else (a benchmark or test consumer);
   * task slots use `waitForDataAsync`.
   */
  waitForData(hasData: () => boolean, timeoutMs: number): boolean {
    const words = this.words;
    if (this.spinBudget.spin(hasData, this.isCancelled)) return true;
    if (Atomics.load(words, CANCELLED) !== 0) return false;
    Atomics.add(words, GATE_WAITING, 1);
    try {
      const signal = Atomics.load(words, GATE_SIGNAL);
      if (hasData()) return true;
      if (Atomics.load(words, CANCELLED) !== 0) return false;
      Atomics.wait(words, GATE_SIGNAL, signal, timeoutMs);
    } finally {
      Atomics.sub(words, GATE_WAITING, 1);
      this.spinBudget.woke();
    }
    return Atomics.load(words, CANCELLED) === 0;
  }

  private readonly isCancelled = (): boolean => Atomics.load(this.words, CANCELLED) !== 0;

  /**
   * Like `waitForData`, without blocking the thread: resolves when a producer publishes to this
   * group or after `timeoutMs`, so the thread's event loop (async sources and sinks) keeps
   * running while its tasks have no input. Resolves false if the group was cancelled.
   */
  waitForDataAsync(hasData: () => boolean, timeoutMs: number): Promise<boolean> {
    const words = this.words;
    Atomics.add(words, GATE_WAITING, 1);
    const signal = Atomics.load(words, GATE_SIGNAL);
    return whenWordChanges(
      words,
      GATE_SIGNAL,
      signal,
      timeoutMs,
      () => hasData() || this.isCancelled(),
      () => Atomics.sub(words, GATE_WAITING, 1),
    ).then(() => !this.isCancelled());
  }

}
