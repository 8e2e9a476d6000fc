import { DataOutputView } from '../types/data-output-view.js';
import type { TypeSerializer } from '../types/type-serializer.js';
import { HEADER_BYTES, LENGTH_BYTES } from './stream-element.js';

/**
 * Tag of an event mark in a backlog: `[int32 9][EVENT_MARK][int32 type][int32 arg]`. It never
 * reaches a segment: draining turns it into a ring event entry at its place in the stream.
 */
export const EVENT_MARK = 0xff;
/** Bytes of an event mark. */
export const EVENT_MARK_BYTES = HEADER_BYTES + 8;

/**
 * What one channel of a RecordWriter could not hand over yet, in channel order: the analogue of
 * Flink's overdraft buffers, kept in JS memory instead of network segments.
 *
 * - `bytes` (`[head, out.pos)` of a growable buffer): framed records exactly as they will lie in
 *   segments, and event marks between them. When `frameLeft > 0`, the first `frameLeft` bytes
 *   are the rest of a record whose start is already in a segment (the pool ran dry mid-record).
 * - `entries`: ring entries (slices, events) waiting for ring space, oldest first; they come
 *   before everything in `bytes`.
 *
 * Filled only while the channel cannot take more; the writer then reports itself unavailable
 * and its task takes no input, so a backlog holds at most the output of one input element (or
 * one batch of a reader) plus what was already queued. Single-threaded: owned by its writer.
 */
export class ChannelBacklog {
  /** Growable byte store; `out.pos` is the tail. */
  readonly out = new DataOutputView(256);
  /** First byte not yet copied into a segment. */
  head = 0;
  /** The most bytes the backlog held at once (its high-water mark), updated as bytes are appended. */
  peakBytes = 0;
  /** Bytes of the record at `head` still to copy when it was cut mid-way; 0 at a frame start. */
  frameLeft = 0;
  /** Queued ring entries, four numbers each (segment, start, end, flags), from `entryHead`. */
  private readonly entries: number[] = [];
  private entryHead = 0;

  /** True when bytes wait for a segment. */
  get hasBytes(): boolean {
    return this.head < this.out.pos;
  }

  /** True when entries wait for ring space. */
  get hasEntries(): boolean {
    return this.entryHead < this.entries.length;
  }

  /** True when nothing waits. */
  get empty(): boolean {
    return !this.hasBytes && !this.hasEntries;
  }

  /** Raises `peakBytes` to what is held now; called after every append (the backlog path only). */
  private notePeak(): void {
    const held = this.out.pos - this.head;
    if (held > this.peakBytes) this.peakBytes = held;
  }

  /** Appends `record` framed with `tag`; on a serializer error nothing is appended. */
  appendRecord<T>(tag: number, serializer: TypeSerializer<T>, record: T): number {
    const out = this.out;
    const start = out.pos;
    out.ensure(HEADER_BYTES);
    out.pos = start + HEADER_BYTES;
    try {
      serializer.write(record, out);
    } catch (error) {
      out.pos = start;
      throw error;
    }
    const length = out.pos - start - LENGTH_BYTES;
    out.view.setInt32(start, length, true);
    out.buf[start + LENGTH_BYTES] = tag;
    this.notePeak();
    return length + LENGTH_BYTES;
  }

  /** Appends a framed payload (`payload[0, payloadLength)`) with `tag`. */
  appendFrame(tag: number, payload: Buffer, payloadLength: number): void {
    const out = this.out;
    out.ensure(HEADER_BYTES + payloadLength);
    out.view.setInt32(out.pos, payloadLength + 1, true);
    out.buf[out.pos + LENGTH_BYTES] = tag;
    payload.copy(out.buf, out.pos + HEADER_BYTES, 0, payloadLength);
    out.pos += HEADER_BYTES + payloadLength;
    this.notePeak();
  }

  /** Appends the rest (`payload[from, to)`) of a record already started in a segment; the backlog must hold no bytes. */
  appendRest(payload: Buffer, from: number, to: number): void {
    const out = this.out;
    out.ensure(to - from);
    payload.copy(out.buf, out.pos, from, to);
    out.pos += to - from;
    this.frameLeft = to - from;
    this.notePeak();
  }

  /** Appends an event mark. */
  appendEvent(type: number, arg: number): void {
    const out = this.out;
    out.ensure(EVENT_MARK_BYTES);
    out.view.setInt32(out.pos, EVENT_MARK_BYTES - LENGTH_BYTES, true);
    out.buf[out.pos + LENGTH_BYTES] = EVENT_MARK;
    out.view.setInt32(out.pos + HEADER_BYTES, type, true);
    out.view.setInt32(out.pos + HEADER_BYTES + 4, arg, true);
    out.pos += EVENT_MARK_BYTES;
    this.notePeak();
  }

  /** Marks `n` bytes at `head` as handed over; resets the store when it is empty. */
  consume(n: number): void {
    this.head += n;
    if (this.head === this.out.pos) {
      this.head = 0;
      this.out.pos = 0;
    }
  }

  /** Queues a ring entry. */
  pushEntry(segment: number, start: number, end: number, flags: number): void {
    this.entries.push(segment, start, end, flags);
  }

  /** The oldest queued entry's field `i` (0 segment, 1 start, 2 end, 3 flags). */
  entry(i: number): number {
    return this.entries[this.entryHead + i]!;
  }

  /** Drops the oldest queued entry. */
  shiftEntry(): void {
    this.entryHead += 4;
    if (this.entryHead === this.entries.length) {
      this.entries.length = 0;
      this.entryHead = 0;
    }
  }
}
