import { errors } from '../errors.js';
import type { NetworkBufferPool } from '../memory/network-buffer-pool.js';
import { DataInputView } from '../types/data-input-view.js';
import type { TypeSerializer } from '../types/type-serializer.js';
import type { ChannelGroup } from './channel-group.js';
import { ChannelConsumer } from './channel-consumer.js';
import { ChannelEvent, EVENT_SEGMENT, FLAG_FINAL } from './channel-layout.js';
import { HEADER_BYTES, LENGTH_BYTES, MAX_RECORD_BYTES, NO_TIMESTAMP, STATUS_PAYLOAD_BYTES, StreamElementTag, TIMESTAMP_BYTES, WATERMARK_PAYLOAD_BYTES } from './stream-element.js';

/** What `RecordReader.next()` found. */
export const ReadStatus = {
  /** Nothing available right now; call `waitForInput` or come back later. */
  EMPTY: 0,
  /** A record: see `value`, `timestamp` and `channel`. */
  RECORD: 1,
  /** An event other than end-of-partition: see `eventType`, `eventArg`, `channel`. */
  EVENT: 2,
  /** Every channel delivered END_OF_PARTITION: the input is finished. */
  END: 3,
  /** (nextSlice only) Whole framed records: see `sliceBuf`, `sliceStart`, `sliceEnd`, `channel`. */
  SLICE: 4,
  /** A watermark of channel `channel`: see `watermark`. */
  WATERMARK: 5,
  /** A watermark status change of channel `channel`: see `watermarkStatus` (0 ACTIVE, 1 IDLE). */
  WATERMARK_STATUS: 6,
} as const;
export type ReadStatus = (typeof ReadStatus)[keyof typeof ReadStatus];

/** The `stop` of a `nextBatch` that never stops early. */
const NEVER_BLOCKED = { blocked: 0 } as const;

/** What taking a ring entry did (internal). */
const Entry = { NONE: 0, SLICE: 1, EVENT: 2, ENDED: 3 } as const;
type Entry = (typeof Entry)[keyof typeof Entry];

/**
 * The consumer side of one input gate (all channels of a ChannelGroup): reads records in
 * place from the producers' segments, reassembles records that span segments, delivers events
 * in order with the data, and recycles each segment once its last slice is read (Flink's
 * LocalInputChannel + SpillingAdaptiveSpanningRecordDeserializer: no copy unless spanning).
 *
 * Channels are served round robin, one slice at a time, so one busy producer cannot starve
 * the others.
 */
export class RecordReader<T> {
  /** The record of the last RECORD status. */
  value: T | undefined;
  /** The timestamp of the last RECORD (epoch ms), or NO_TIMESTAMP when its frame carried none. */
  timestamp = NO_TIMESTAMP;
  /** The watermark of the last WATERMARK status. */
  watermark = Number.NEGATIVE_INFINITY;
  /** The status of the last WATERMARK_STATUS (0 ACTIVE, 1 IDLE). */
  watermarkStatus = 0;
  /** Channel of the last RECORD or EVENT. */
  channel = -1;
  /** Type and argument of the last EVENT. */
  eventType = 0;
  eventArg = 0;
  /** Records read. */
  numRecordsIn = 0;
  /** Framed bytes read (headers included). */
  numBytesIn = 0;
  /** Time spent in `waitForInput` (Flink's idle time). */
  idleNs = 0;

  private readonly pool: NetworkBufferPool;
  private readonly group: ChannelGroup;
  private readonly serializer: TypeSerializer<T>;
  private readonly consumers: ChannelConsumer[];
  private readonly buf: Buffer;
  private readonly view: DataView;
  private readonly input = new DataInputView();
  private current = 0;
  private endedChannels = 0;
  private readonly ended: Uint8Array;
  /** A watermark or status that `nextBatch` read after its records: `next` returns it first. */
  private pendingElement: ReadStatus | 0 = 0;

  // The one open slice, always of channel `current` (absolute byte offsets into `buf`), and its
  // segment when the slice is the segment's last (recycled on close), else -1.
  private sliceOpen = false;
  private readPos = 0;
  private readEnd = 0;
  private sliceRecycle = -1;
  /** The open slice starts with the rest of a record spanning segments (spanLength[current] >= 0). */
  private sliceContinuesSpan = false;
  /** nextSlice handed out a slice not yet given back; `spanDelivered`: it was a reassembled record. */
  private sliceDelivered = false;
  private spanDelivered = false;
  // Per channel: a record spanning slices, its whole frame (header included) being reassembled
  // into its own scratch buffer: spanLength is the frame's bytes (-1: none), spanFilled how many are in.
  private readonly spanBuffers: Buffer[];
  private readonly spanLength: Int32Array;
  private readonly spanFilled: Int32Array;

  /**
   * Reads the rings `channels` of `group` (default: all), which are this reader's input channels
   * 0..n-1 in that order: several tasks of one thread share a group, each with its own rings.
   */
  constructor(pool: NetworkBufferPool, group: ChannelGroup, serializer: TypeSerializer<T>, channels?: readonly number[]) {
    this.pool = pool;
    this.group = group;
    this.serializer = serializer;
    this.buf = pool.buf;
    this.view = pool.view;
    this.sliceBuf = pool.buf;
    const rings = channels ?? Array.from({ length: group.numChannels }, (_, c) => c);
    if (rings.length === 0) throw new RangeError('a RecordReader needs at least one channel');
    const n = rings.length;
    this.consumers = rings.map((ring) => new ChannelConsumer(group, ring));
    this.ended = new Uint8Array(n);
    this.spanBuffers = Array.from({ length: n }, () => Buffer.alloc(0));
    this.spanLength = new Int32Array(n).fill(-1);
    this.spanFilled = new Int32Array(n);
  }

  /** True once every channel delivered END_OF_PARTITION. */
  get finished(): boolean {
    return this.endedChannels === this.consumers.length;
  }

  /** Reads the next record, watermark, watermark status or event; never blocks. */
  next(): ReadStatus {
    if (this.pendingElement !== 0) {
      const pending = this.pendingElement;
      this.pendingElement = 0;
      return pending;
    }
    for (;;) {
      if (this.sliceOpen) {
        const read = this.readFromSlice(this.current);
        if (read !== 0) return read;
        this.advance(); // slice done: serve the next channel, so no producer starves the others
        continue;
      }
      const entry = this.nextEntry();
      if (entry === Entry.EVENT) return ReadStatus.EVENT;
      if (entry === Entry.NONE) return this.finished ? ReadStatus.END : ReadStatus.EMPTY;
    }
  }

  /**
   * Takes the next ring entry, serving the channels round robin from `current`: a data slice
   * (opened, of channel `current`), an event, or NONE once a full round found nothing.
   * END_OF_PARTITION entries are consumed on the way.
   */
  private nextEntry(): Entry {
    const n = this.consumers.length;
    for (let idle = 0; idle < n; ) {
      const entry = this.takeEntry(this.current);
      if (entry === Entry.NONE) {
        this.advance();
        idle++;
      } else if (entry !== Entry.ENDED) {
        return entry;
      } else {
        idle = 0;
      }
    }
    return Entry.NONE;
  }

  /**
   * Takes channel c's next ring entry: opens a data slice, consumes END_OF_PARTITION, or holds
   * another event in `eventType`/`eventArg`/`channel`.
   */
  private takeEntry(c: number): Entry {
    const consumer = this.consumers[c]!;
    if (this.ended[c] !== 0 || !consumer.poll()) return Entry.NONE;
    if (consumer.segment !== EVENT_SEGMENT) {
      this.openSlice(c, consumer);
      return Entry.SLICE;
    }
    const type = consumer.start;
    const arg = consumer.end;
    consumer.release();
    if (type === ChannelEvent.END_OF_PARTITION) {
      this.endChannel(c);
      return Entry.ENDED;
    }
    this.channel = c;
    this.eventType = type;
    this.eventArg = arg;
    return Entry.EVENT;
  }

  /**
   * Like `next`, but delivers every record of the open slice (with its timestamp) to `sink` in
   * one loop and returns RECORD (the records' channel is `channel`); a watermark or status after
   * them is returned by the next call. WATERMARK, WATERMARK_STATUS, EVENT, EMPTY and END as
   * `next`. Cheaper per record than calling `next` for each. If `sink` throws, the records after
   * it stay unread.
   * With `stop`, returns after the record that set `stop.blocked` (the consumer's output is
   * back-pressured): the rest of the slice stays open for the next call.
   */
  nextBatch(sink: (record: T, timestamp: number) => void, stop: { readonly blocked: number } = NEVER_BLOCKED): ReadStatus {
    const status = this.next();
    if (status !== ReadStatus.RECORD) return status;
    const c = this.channel;
    sink(this.value!, this.timestamp);
    if (this.sliceOpen && !this.sliceContinuesSpan) this.readRun(sink, stop);
    while (stop.blocked === 0 && this.sliceOpen) {
      const read = this.readFromSlice(c);
      if (read === 0) break;
      if (read !== ReadStatus.RECORD) {
        this.pendingElement = read;
        return ReadStatus.RECORD;
      }
      sink(this.value!, this.timestamp);
    }
    if (!this.sliceOpen) this.advance();
    return ReadStatus.RECORD;
  }

  /**
   * The hot loop of `nextBatch`: delivers the whole, well-formed records of the open slice
   * with the slice bounds, buffer and serializer in locals. Stops (leaving the position at the
   * first record it did not deliver) at the end of the slice, at a record that continues in the
   * next slice, at a watermark or status, or at anything malformed: `readFromSlice` then closes
   * the slice, starts the span, reads the element, or throws the error.
   */
  private readRun(sink: (record: T, timestamp: number) => void, stop: { readonly blocked: number }): void {
    const buf = this.buf;
    const view = this.view;
    const input = this.input;
    const serializer = this.serializer;
    const end = this.readEnd;
    let pos = this.readPos;
    let value: T | undefined;
    let timestamp = NO_TIMESTAMP;
    // Counted locally and stored once (also when `sink` throws): no field writes per record but
    // the read position, and no write barrier for `value`.
    let records = 0;
    let bytes = 0;
    try {
      while (stop.blocked === 0 && pos + HEADER_BYTES <= end) {
        const length = view.getInt32(pos, true);
        const recordEnd = pos + LENGTH_BYTES + length;
        if (length < 1 || recordEnd > end) break;
        const tag = buf[pos + LENGTH_BYTES];
        let payload = pos + HEADER_BYTES;
        let ts = NO_TIMESTAMP;
        if (tag !== StreamElementTag.RECORD) {
          if (tag !== StreamElementTag.RECORD_WITH_TIMESTAMP || length < 1 + TIMESTAMP_BYTES) break;
          ts = view.getFloat64(payload, true);
          payload += TIMESTAMP_BYTES;
        }
        input.reset(buf, view, payload, recordEnd);
        const record = serializer.read(input);
        if (input.pos !== recordEnd) break;
        value = record;
        timestamp = ts;
        this.readPos = pos = recordEnd;
        records++;
        bytes += length + LENGTH_BYTES;
        sink(record, ts);
      }
    } finally {
      if (records !== 0) {
        this.value = value;
        this.timestamp = timestamp;
        this.numRecordsIn += records;
        this.numBytesIn += bytes;
      }
    }
  }

  /** The buffer holding the slice of the last SLICE status: the pool's `buf`, or a reassembled record's. */
  sliceBuf: Buffer;
  /** Start (offset in `sliceBuf`) of the slice of the last SLICE status. */
  sliceStart = 0;
  /** End (exclusive) of the slice of the last SLICE status. */
  sliceEnd = 0;

  /**
   * Like `next`, but hands over slices of whole framed records instead of records (for native
   * operators that read the bytes in place): SLICE with `channel`, `sliceBuf`, `sliceStart` and
   * `sliceEnd`. A slice of a segment may end with the start of a record that continues in the
   * channel's next slice: the consumer stops there and says so to `releaseSlice`, and the reader
   * reassembles that record (the one copy of span reassembly, shared with `next`) and hands it
   * over as a slice of its own. Call `releaseSlice()` when done with the bytes; until then the
   * slice's segment stays held.
   *
   * Watermarks and statuses: the consumer stops before one (a frame that is not a record) and
   * gives back the slice up to it; the next call returns it as WATERMARK or WATERMARK_STATUS, then
   * the records after it as a new SLICE, so the elements keep their order with the records.
   */
  nextSlice(): ReadStatus {
    if (this.sliceDelivered) throw new RangeError('releaseSlice() the previous slice first');
    for (;;) {
      if (!this.sliceOpen) {
        const entry = this.nextEntry();
        if (entry === Entry.EVENT) return ReadStatus.EVENT;
        if (entry === Entry.NONE) return this.finished ? ReadStatus.END : ReadStatus.EMPTY;
      }
      const c = this.current;
      if (this.sliceContinuesSpan) {
        const before = this.readPos;
        const frameBytes = this.appendSpan(c, before, this.readEnd);
        this.numBytesIn += this.readPos - before;
        if (frameBytes !== 0) {
          const span = this.spanBuffers[c]!;
          if (!isRecordTag(span[LENGTH_BYTES]!)) return this.readElement(c, span, new DataView(span.buffer, span.byteOffset, span.length), LENGTH_BYTES, frameBytes);
          return this.deliver(c, span, 0, frameBytes, true);
        }
      }
      if (this.readPos === this.readEnd) {
        this.closeSlice(c);
        this.advance();
        continue;
      }
      const element = this.elementAt(c);
      if (element !== 0) return element;
      this.numBytesIn += this.readEnd - this.readPos;
      return this.deliver(c, this.buf, this.readPos, this.readEnd, false);
    }
  }

  /**
   * A whole watermark or status frame at the read position of channel c's open slice: reads it
   * (moving past it) and returns its status; 0 when a record (or a cut frame) is there.
   */
  private elementAt(c: number): ReadStatus | 0 {
    const pos = this.readPos;
    if (pos + HEADER_BYTES > this.readEnd || isRecordTag(this.buf[pos + LENGTH_BYTES]!)) return 0;
    const frameEnd = pos + this.frameBytesAt(c, pos, this.readEnd);
    if (frameEnd > this.readEnd) return 0;
    this.readPos = frameEnd;
    this.numBytesIn += frameEnd - pos;
    return this.readElement(c, this.buf, this.view, pos + LENGTH_BYTES, frameEnd);
  }

  private deliver(c: number, buf: Buffer, start: number, end: number, span: boolean): ReadStatus {
    this.channel = c;
    this.sliceBuf = buf;
    this.sliceStart = start;
    this.sliceEnd = end;
    this.sliceDelivered = true;
    this.spanDelivered = span;
    return ReadStatus.SLICE;
  }

  /**
   * Gives back the slice of the last SLICE status (recycling its segment if it was the segment's
   * last slice). `consumedTo` (default: all of it) is where the consumer stopped: before a
   * record cut by the slice's end, which the reader then reassembles from the next slices, or
   * before a whole watermark or status frame, which the next `nextSlice` returns.
   */
  releaseSlice(consumedTo = this.sliceEnd): void {
    if (!this.sliceDelivered) return;
    this.sliceDelivered = false;
    if (this.spanDelivered) {
      // A reassembled record: the segment slice it ended in stays open for the records after it.
      this.spanDelivered = false;
      return;
    }
    const c = this.current;
    if (consumedTo < this.sliceEnd) {
      const frameBytes = this.frameBytesAt(c, consumedTo, this.sliceEnd);
      if (consumedTo + frameBytes <= this.sliceEnd) {
        // A whole frame the consumer did not take: a watermark or status. The slice stays open at it.
        this.numBytesIn -= this.sliceEnd - consumedTo;
        this.readPos = consumedTo;
        return;
      }
      this.startSpan(c, consumedTo, this.sliceEnd, frameBytes);
    }
    this.closeSlice(c);
    this.advance();
  }

  private advance(): void {
    this.current = this.current + 1 === this.consumers.length ? 0 : this.current + 1;
  }

  /**
   * Sleeps until a producer publishes (spinning briefly first), for at most `timeoutMs`.
   * Returns false if the channel group was cancelled.
   */
  waitForInput(timeoutMs: number): boolean {
    const started = process.hrtime.bigint();
    const ok = this.group.waitForData(() => this.hasInput(), timeoutMs);
    this.idleNs += Number(process.hrtime.bigint() - started);
    return ok;
  }

  /** True when some channel has an unread entry or an open slice. */
  hasInput(): boolean {
    if (this.sliceOpen) return true;
    for (let c = 0; c < this.consumers.length; c++) {
      if (this.ended[c] === 0 && this.consumers[c]!.hasEntry()) return true;
    }
    return false;
  }

  private endChannel(c: number): void {
    if (this.spanLength[c]! >= 0) {
      throw errors.corruptRecord(`channel ${c} ended in the middle of a record spanning segments`);
    }
    this.ended[c] = 1;
    this.endedChannels++;
  }

  private openSlice(c: number, consumer: ChannelConsumer): void {
    const segment = consumer.segment;
    const start = consumer.start;
    const end = consumer.end;
    const size = this.pool.segmentSize;
    if (!(segment >= 0 && segment < this.pool.numSegments && start >= 0 && start <= end && end <= size)) {
      throw errors.corruptRecord(`channel ${c} published an invalid slice (segment ${segment}, bytes ${start}..${end})`);
    }
    const base = this.pool.segmentOffset(segment);
    this.sliceOpen = true;
    this.readPos = base + start;
    this.readEnd = base + end;
    this.sliceRecycle = (consumer.flags & FLAG_FINAL) !== 0 ? segment : -1;
    this.sliceContinuesSpan = this.spanLength[c]! >= 0;
  }

  /**
   * Reads one element (record, watermark or status) of channel c's open slice and returns its
   * status; 0 (slice closed) when it has no more.
   */
  private readFromSlice(c: number): ReadStatus | 0 {
    const pos = this.readPos;
    const end = this.readEnd;
    if (this.sliceContinuesSpan) {
      const read = this.continueSpan(c, pos, end);
      if (read !== 0) return read;
      this.closeSlice(c);
      return 0;
    }
    if (pos >= end) {
      this.closeSlice(c);
      return 0;
    }
    const frameBytes = this.frameBytesAt(c, pos, end);
    const recordEnd = pos + frameBytes;
    if (recordEnd <= end) {
      this.readPos = recordEnd;
      this.numBytesIn += frameBytes;
      return this.readElement(c, this.buf, this.view, pos + LENGTH_BYTES, recordEnd);
    }
    // The frame continues in the next slice: start reassembling it.
    this.startSpan(c, pos, end, frameBytes);
    this.closeSlice(c);
    return 0;
  }

  /** The bytes of the frame at `pos` (header included), checked: its header lies before `end`, its length is valid. */
  private frameBytesAt(c: number, pos: number, end: number): number {
    if (pos + HEADER_BYTES > end) {
      throw errors.corruptRecord(`channel ${c}: a record header is cut by the end of its segment slice`);
    }
    const length = this.view.getInt32(pos, true);
    if (length < 1 || length > MAX_RECORD_BYTES) {
      throw errors.corruptRecord(`channel ${c}: invalid record length ${length}`);
    }
    return LENGTH_BYTES + length;
  }

  /** Starts reassembling channel c's frame of `frameBytes` bytes from its first part, buf[pos, end). */
  private startSpan(c: number, pos: number, end: number, frameBytes: number): void {
    if (this.spanBuffers[c]!.length < frameBytes) {
      this.spanBuffers[c] = Buffer.allocUnsafe(Math.max(frameBytes, this.spanBuffers[c]!.length * 2));
    }
    this.buf.copy(this.spanBuffers[c]!, 0, pos, end);
    this.spanLength[c] = frameBytes;
    this.spanFilled[c] = end - pos;
  }

  /**
   * Appends bytes of the open slice (from `pos`) to channel c's spanning frame and moves the read
   * position past them; returns the frame's bytes once it is complete, else 0.
   */
  private appendSpan(c: number, pos: number, end: number): number {
    const frameBytes = this.spanLength[c]!;
    const filled = this.spanFilled[c]!;
    const take = Math.min(frameBytes - filled, end - pos);
    this.buf.copy(this.spanBuffers[c]!, filled, pos, pos + take);
    this.spanFilled[c] = filled + take;
    this.readPos = pos + take;
    if (filled + take < frameBytes) return 0;
    this.spanLength[c] = -1;
    this.sliceContinuesSpan = false;
    return frameBytes;
  }

  /** Appends slice bytes to channel c's spanning frame; the element's status once it completed one, else 0. */
  private continueSpan(c: number, pos: number, end: number): ReadStatus | 0 {
    const frameBytes = this.appendSpan(c, pos, end);
    if (frameBytes === 0) return 0;
    const span = this.spanBuffers[c]!;
    this.numBytesIn += frameBytes;
    return this.readElement(c, span, new DataView(span.buffer, span.byteOffset, span.length), LENGTH_BYTES, frameBytes);
  }

  /**
   * Reads the element whose tag and payload are [start, end) of channel c: a record (into `value`
   * and `timestamp`), a watermark (`watermark`) or a status (`watermarkStatus`); returns its status.
   * Checks the payload's size (the serializer used every byte).
   */
  private readElement(c: number, buf: Buffer, view: DataView, start: number, end: number): ReadStatus {
    const tag = buf[start];
    const payloadLength = end - start - 1;
    this.channel = c;
    if (tag === StreamElementTag.WATERMARK && payloadLength === WATERMARK_PAYLOAD_BYTES) {
      this.watermark = view.getFloat64(start + 1, true);
      return ReadStatus.WATERMARK;
    }
    if (tag === StreamElementTag.STREAM_STATUS && payloadLength === STATUS_PAYLOAD_BYTES) {
      const status = view.getInt32(start + 1, true);
      if (status !== 0 && status !== 1) throw errors.corruptRecord(`channel ${c}: watermark status ${status} is neither ACTIVE (0) nor IDLE (1)`);
      this.watermarkStatus = status;
      return ReadStatus.WATERMARK_STATUS;
    }
    let payload = start + 1;
    this.timestamp = NO_TIMESTAMP;
    if (tag === StreamElementTag.RECORD_WITH_TIMESTAMP && payloadLength >= TIMESTAMP_BYTES) {
      this.timestamp = view.getFloat64(payload, true);
      payload += TIMESTAMP_BYTES;
    } else if (tag !== StreamElementTag.RECORD) {
      throw errors.corruptRecord(`channel ${c}: unsupported stream element tag ${tag} with ${payloadLength} payload bytes`);
    }
    const input = this.input;
    input.reset(buf, view, payload, end);
    this.value = this.serializer.read(input);
    if (input.pos !== end) {
      throw errors.corruptRecord(`channel ${c}: the ${this.serializer.typeName} serializer read ${input.pos - payload} of ${end - payload} payload bytes`);
    }
    this.numRecordsIn++;
    return ReadStatus.RECORD;
  }

  /** Releases channel c's slice to its producer; recycles the segment if it was the last slice. */
  private closeSlice(c: number): void {
    this.sliceOpen = false;
    const recycle = this.sliceRecycle;
    this.consumers[c]!.release();
    if (recycle >= 0) {
      this.sliceRecycle = -1;
      this.pool.recycleSegment(recycle);
    }
  }

  /** Releases everything still held (open slices, queued entries) back to the pool. For teardown. */
  releaseAll(): void {
    this.sliceDelivered = false;
    this.spanDelivered = false;
    if (this.sliceOpen) this.closeSlice(this.current);
    for (let c = 0; c < this.consumers.length; c++) {
      const consumer = this.consumers[c]!;
      while (consumer.poll()) {
        const recycle = consumer.segment >= 0 && (consumer.flags & FLAG_FINAL) !== 0 ? consumer.segment : -1;
        consumer.release();
        if (recycle >= 0) this.pool.recycleSegment(recycle);
      }
    }
  }
}

/** True for the frames that carry a record (with or without a timestamp). */
function isRecordTag(tag: number): boolean {
  return tag === StreamElementTag.RECORD || tag === StreamElementTag.RECORD_WITH_TIMESTAMP;
}
