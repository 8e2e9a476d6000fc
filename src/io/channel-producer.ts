import { whenWordChanges } from '../memory/word-change.js';
import type { ChannelGroup } from './channel-group.js';
import {
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

/**
 * The producer end of one channel: publishes segment slices and events into the ring.
 * Exactly one thread may own a producer for a given channel (single producer).
 *
 * Never blocks: a full ring makes `tryPublish` return false, and `whenSpace` gives a promise
 * that settles once the consumer freed a slot (Atomics.waitAsync on READ_INDEX), so the thread's
 * event loop keeps running while the consumer catches up.
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

  constructor(group: ChannelGroup, channel: number) {
    this.group = group;
    this.channel = channel;
    this.words = group.words;
    this.base = group.base(channel);
    this.mask = group.capacity - 1;
    this.writeIndex = Atomics.load(this.words, this.base + WRITE_INDEX);
    this.readLimit = Atomics.load(this.words, this.base + READ_INDEX);
  }

  /** Publishes bytes [start, end) of `segment`; `flags` may hold FLAG_FINAL. False (nothing published) when the ring is full. */
  tryPublish(segment: number, start: number, end: number, flags: number): boolean {
    return this.put(segment, start, end, flags);
  }

  /** Publishes an in-band event (see ChannelEvent) after all data published so far; false when the ring is full. */
  tryPublishEvent(type: number, arg = 0): boolean {
    return this.put(EVENT_SEGMENT, type, arg, 0);
  }

  /** True when the ring has room for one more entry. */
  hasSpace(): boolean {
    if (((this.writeIndex - this.readLimit) | 0) <= this.mask) return true;
    this.readLimit = Atomics.load(this.words, this.base + READ_INDEX);
    return ((this.writeIndex - this.readLimit) | 0) <= this.mask;
  }

  private put(segment: number, start: number, end: number, flags: number): boolean {
    const words = this.words;
    const w = this.writeIndex;
    if (((w - this.readLimit) | 0) > this.mask) {
      this.readLimit = Atomics.load(words, this.base + READ_INDEX);
      if (((w - this.readLimit) | 0) > this.mask) return false;
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
    return true;
  }

  /**
   * Settles once the consumer released a ring slot, or after `timeoutMs`, without blocking.
   * Counts itself in PRODUCER_WAITING before `retry` (which re-checks what the caller waits for),
   * so a release racing with the registration either changes READ_INDEX before the wait (it
   * returns at once) or sees the count and notifies; the count goes down when the wait ends (a
   * count, not a flag: a wait that lost a race may still be pending when the next one starts).
   * Returns at once when `retry` returns true.
   */
  whenSpace(retry: () => boolean, timeoutMs: number): Promise<void> {
    const words = this.words;
    const flag = this.base + PRODUCER_WAITING;
    const readWord = this.base + READ_INDEX;
    Atomics.add(words, flag, 1);
    return whenWordChanges(words, readWord, Atomics.load(words, readWord), timeoutMs, retry, () => {
      Atomics.sub(words, flag, 1);
    });
  }
}
