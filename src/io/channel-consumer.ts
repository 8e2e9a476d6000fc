import type { ChannelGroup } from './channel-group.js';
import {
  ENTRY_END,
  ENTRY_FLAGS,
  ENTRY_SEGMENT,
  ENTRY_START,
  ENTRY_WORDS,
  PRODUCER_WAITING,
  READ_INDEX,
  RING_START,
  WRITE_INDEX,
} from './channel-layout.js';

/**
 * The consumer end of one channel: takes entries from the ring in publish order.
 * Exactly one thread may own a consumer for a given channel (single consumer).
 *
 * Usage: `if (c.poll()) { read c.segment/c.start/c.end/c.flags; ...; c.release(); }`.
 * The entry stays owned by the consumer until `release()`; the fields are overwritten by the
 * next `poll()`, so nothing is allocated per entry.
 */
export class ChannelConsumer {
  readonly group: ChannelGroup;
  readonly channel: number;
  private readonly words: Int32Array;
  private readonly base: number;
  private readonly mask: number;
  /** Our own copy of READ_INDEX; only this thread writes it. */
  private readIndex: number;
  /** Last WRITE_INDEX seen, so draining a batch needs one atomic load. */
  private writeLimit: number;
  /** Segment of the polled entry, or -1 for an event. */
  segment = 0;
  /** Start byte of the slice, or the event type. */
  start = 0;
  /** End byte (exclusive) of the slice, or the event argument. */
  end = 0;
  /** Entry flags (FLAG_FINAL). */
  flags = 0;

  constructor(group: ChannelGroup, channel: number) {
    this.group = group;
    this.channel = channel;
    this.words = group.words;
    this.base = group.base(channel);
    this.mask = group.capacity - 1;
    this.readIndex = Atomics.load(this.words, this.base + READ_INDEX);
    this.writeLimit = Atomics.load(this.words, this.base + WRITE_INDEX);
  }

  /** True when an entry is waiting (does not take it). */
  hasEntry(): boolean {
    if (this.readIndex !== this.writeLimit) return true;
    this.writeLimit = Atomics.load(this.words, this.base + WRITE_INDEX);
    return this.readIndex !== this.writeLimit;
  }

  /** Takes the next entry into the fields; false when the ring is empty. */
  poll(): boolean {
    if (this.readIndex === this.writeLimit) {
      // Acquire: entries and segment bytes published before the index are visible after it.
      this.writeLimit = Atomics.load(this.words, this.base + WRITE_INDEX);
      if (this.readIndex === this.writeLimit) return false;
    }
    const slot = this.base + RING_START + (this.readIndex & this.mask) * ENTRY_WORDS;
    const words = this.words;
    this.segment = words[slot + ENTRY_SEGMENT]!;
    this.start = words[slot + ENTRY_START]!;
    this.end = words[slot + ENTRY_END]!;
    this.flags = words[slot + ENTRY_FLAGS]!;
    return true;
  }

  /** Gives the polled slot back to the producer; wakes it if it waits for space. */
  release(): void {
    this.readIndex = (this.readIndex + 1) | 0;
    Atomics.store(this.words, this.base + READ_INDEX, this.readIndex);
    if (Atomics.load(this.words, this.base + PRODUCER_WAITING) !== 0) {
      Atomics.notify(this.words, this.base + READ_INDEX);
    }
  }
}
