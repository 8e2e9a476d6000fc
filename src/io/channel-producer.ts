import { StromError } from '../errors.js';
import type { WaitHooks } from '../memory/network-buffer-pool.js';
import { WAIT_SLICE_MS, type ChannelGroup } from './channel-group.js';
import {
  CANCELLED,
  ENTRY_END,
  ENTRY_FLAGS,
  ENTRY_SEGMENT,
  ENTRY_START,
  ENTRY_WORDS,
  EVENT_SEGMENT,
  PRODUCER_WAITING,
  READ_INDEX,
  RING_START,
  WRITE_INDEX,
} from './channel-layout.js';

/** Spins on a full ring before sleeping; a wait/notify round trip costs ~45 µs. */
const SPINS_BEFORE_SLEEP = 256;

/**
 * The producer end of one channel: publishes segment slices and events into the ring.
 * Exactly one thread may own a producer for a given channel (single producer).
 */
export class ChannelProducer {
  readonly group: ChannelGroup;
  readonly channel: number;
  private readonly words: Int32Array;
  private readonly base: number;
  private readonly mask: number;
  /** Our own copy of WRITE_INDEX; only this thread writes it. */
  private writeIndex: number;
  /** Last READ_INDEX seen, so a non-full ring needs no atomic load. */
  private readLimit: number;
  /** Nanoseconds spent waiting on a full ring (counted as back-pressured time). */
  waitedNs = 0;

  /** What to do while waiting for ring space (run other tasks of the thread, check cancellation). */
  hooks: WaitHooks | undefined;

  constructor(group: ChannelGroup, channel: number, hooks?: WaitHooks) {
    this.hooks = hooks;
    this.group = group;
    this.channel = channel;
    this.words = group.words;
    this.base = group.base(channel);
    this.mask = group.capacity - 1;
    this.writeIndex = Atomics.load(this.words, this.base + WRITE_INDEX);
    this.readLimit = Atomics.load(this.words, this.base + READ_INDEX);
  }

  /** Publishes bytes [start, end) of `segment`; `flags` may hold FLAG_FINAL. Waits if the ring is full. */
  publish(segment: number, start: number, end: number, flags: number): void {
    this.put(segment, start, end, flags);
  }

  /** Publishes an in-band event (see ChannelEvent) after all data published so far. */
  publishEvent(type: number, arg = 0): void {
    this.put(EVENT_SEGMENT, type, arg, 0);
  }

  private put(segment: number, start: number, end: number, flags: number): void {
    const words = this.words;
    const w = this.writeIndex;
    if (((w - this.readLimit) | 0) > this.mask) {
      this.readLimit = Atomics.load(words, this.base + READ_INDEX);
      if (((w - this.readLimit) | 0) > this.mask) this.waitForSpace();
    }
    const slot = this.base + RING_START + (w & this.mask) * ENTRY_WORDS;
    words[slot + ENTRY_SEGMENT] = segment;
    words[slot + ENTRY_START] = start;
    words[slot + ENTRY_END] = end;
    words[slot + ENTRY_FLAGS] = flags;
    this.writeIndex = (w + 1) | 0;
    // Release: the entry and the segment bytes written before become visible with the index.
    Atomics.store(words, this.base + WRITE_INDEX, this.writeIndex);
    this.group.signalConsumer();
  }

  /** Spins, then sleeps on READ_INDEX until the consumer frees a slot. */
  private waitForSpace(): void {
    const words = this.words;
    const readWord = this.base + READ_INDEX;
    const started = process.hrtime.bigint();
    for (let spin = 0; spin < SPINS_BEFORE_SLEEP; spin++) {
      this.readLimit = Atomics.load(words, readWord);
      if (((this.writeIndex - this.readLimit) | 0) <= this.mask) return this.addWait(started);
    }
    Atomics.store(words, this.base + PRODUCER_WAITING, 1);
    try {
      for (;;) {
        const seen = Atomics.load(words, readWord);
        this.readLimit = seen;
        if (((this.writeIndex - seen) | 0) <= this.mask) break;
        if (Atomics.load(words, CANCELLED) !== 0 || this.hooks?.cancelled?.()) {
          throw new StromError('ERR_CHANNEL_CANCELLED', `Channel ${this.channel} was cancelled while its producer waited`);
        }
        if (this.hooks?.help?.()) continue;
        Atomics.wait(words, readWord, seen, WAIT_SLICE_MS);
      }
    } finally {
      Atomics.store(words, this.base + PRODUCER_WAITING, 0);
      this.addWait(started);
    }
  }

  private addWait(started: bigint): void {
    this.waitedNs += Number(process.hrtime.bigint() - started);
  }
}
