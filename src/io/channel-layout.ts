/**
 * Shared-memory layout of a channel group: the single-producer single-consumer rings that feed
 * one consumer subtask (Flink's input gate), in one SharedArrayBuffer. Mirrored for C++ by
 * `native/core/channel_layout.h`; change both together and bump VERSION.
 *
 * All fields are little-endian int32 words, indexed from the start of the buffer.
 *
 * ```
 *  word 0                    16                    32
 *  +-------------------------+---------------------+----------------------------------------+
 *  | MAGIC VERSION N CAP ... | GATE_SIGNAL WAITING | channel 0 | channel 1 | ... | channel N-1 |
 *  +-------------------------+---------------------+----------------------------------------+
 *
 *  channel c starts at word CHANNELS_START + c * channelWords(CAP):
 *  +0  WRITE_INDEX        +16 READ_INDEX  PRODUCER_WAITING     +32 ring: CAP entries of 4 words
 *  (own 64-byte line)     (own 64-byte line)                       [SEGMENT, START, END, FLAGS]
 * ```
 *
 * Who writes what, and in which order:
 * - MAGIC, VERSION, NUM_CHANNELS, RING_CAPACITY: the control plane, once, before any task runs.
 * - CANCELLED: the control plane, when it cancels the job; it then notifies every wait word.
 * - Ring entry and WRITE_INDEX: the producer only. It writes the four entry words first, then
 *   publishes them with `Atomics.store(WRITE_INDEX)` (sequentially consistent, so it also
 *   releases the segment bytes written before). Then, if GATE_WAITING is not 0, it bumps
 *   GATE_SIGNAL and notifies it.
 * - READ_INDEX: the consumer only, with `Atomics.store` once it no longer needs the entry; then,
 *   if PRODUCER_WAITING is not 0, it notifies READ_INDEX (this wakes an `Atomics.waitAsync` of
 *   the producer's thread too).
 * - GATE_WAITING / PRODUCER_WAITING: how many waits of that side are pending (`Atomics.add`
 *   before waiting, `Atomics.sub` after; async waits of one thread may overlap, so a count, not
 *   a flag). A waiter counts itself, then re-checks the index before `Atomics.wait` (a
 *   consumer thread outside a task slot) or `Atomics.waitAsync` (task slots: a producer with a
 *   full ring, `ChannelProducer.whenSpace`), so a publish or release that raced with it is never
 *   missed. No producer ever blocks: a full ring makes `tryPublish` return false.
 * - Indices grow without bound and wrap at 2^32; `(write - read) | 0` is the fill level and
 *   `index & (CAP - 1)` the slot.
 *
 * Entries:
 * - data: SEGMENT >= 0 is a network-memory segment index; bytes [START, END) of that segment
 *   hold framed records (`[int32 length][tag][payload]`, a record may continue in the next
 *   data entry of the same channel). FLAGS_FINAL set means the producer is done with the
 *   segment: the consumer recycles it after reading the slice. Without it, the producer keeps
 *   appending to the same segment and will publish a later slice of it.
 * - event: SEGMENT = -1, START = event type (see ChannelEvent), END = event argument.
 */

export const CHANNEL_GROUP_MAGIC = 0x5354434e; // 'STCN'
export const CHANNEL_GROUP_VERSION = 1;

/** Header word indices. */
export const MAGIC = 0;
export const VERSION = 1;
export const NUM_CHANNELS = 2;
export const RING_CAPACITY = 3;
/** Set to 1 by the control plane to cancel: every sleeper wakes and gives up. */
export const CANCELLED = 4;
export const GATE_SIGNAL = 16;
export const GATE_WAITING = 17;
export const CHANNELS_START = 32;

/** Word offsets inside one channel. */
export const WRITE_INDEX = 0;
export const READ_INDEX = 16;
export const PRODUCER_WAITING = 17;
export const RING_START = 32;

/** Words per ring entry and the entry fields. */
export const ENTRY_WORDS = 4;
export const ENTRY_SEGMENT = 0;
export const ENTRY_START = 1;
export const ENTRY_END = 2;
export const ENTRY_FLAGS = 3;

/** Entry flag: the consumer recycles the segment after this slice. */
export const FLAG_FINAL = 1;
/** SEGMENT value of an event entry. */
export const EVENT_SEGMENT = -1;

/** In-band events that travel in the ring, in order with the data (Flink's AbstractEvent). */
export const ChannelEvent = {
  /** The producer will publish nothing more on this channel. */
  END_OF_PARTITION: 1,
  /** A checkpoint barrier; the argument is the checkpoint id. */
  CHECKPOINT_BARRIER: 2,
} as const;

/** Words one channel occupies for a ring of `capacity` entries. */
export function channelWords(capacity: number): number {
  return RING_START + capacity * ENTRY_WORDS;
}

/** Byte length of a channel group with `numChannels` rings of `capacity` entries. */
export function channelGroupByteLength(numChannels: number, capacity: number): number {
  return (CHANNELS_START + numChannels * channelWords(capacity)) * 4;
}

/** First word of channel `index`. */
export function channelBase(capacity: number, index: number): number {
  return CHANNELS_START + index * channelWords(capacity);
}
