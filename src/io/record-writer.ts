import type { NetworkBufferPool } from '../memory/network-buffer-pool.js';
import { DataOutputView } from '../types/data-output-view.js';
import type { TypeSerializer } from '../types/type-serializer.js';
import { ChannelBacklog, EVENT_MARK, EVENT_MARK_BYTES } from './channel-backlog.js';
import type { ChannelProducer } from './channel-producer.js';
import { ChannelEvent, EVENT_SEGMENT, FLAG_FINAL } from './channel-layout.js';
import { FLUSH_EPOCH } from './output-flusher.js';
import type { ChannelSelector } from './partitioner/channel-selector.js';
import { HEADER_BYTES, LENGTH_BYTES, NO_TIMESTAMP, STATUS_PAYLOAD_BYTES, StreamElementTag, TIMESTAMP_BYTES, WATERMARK_PAYLOAD_BYTES } from './stream-element.js';

/** Options of a RecordWriter. */
export interface RecordWriterOptions<T> {
  /** The TaskManager's network memory, attached in this thread. */
  pool: NetworkBufferPool;
  /** The local buffer pool of this producer (one subpartition per channel). */
  localPool: number;
  /** One producer per outgoing channel; channel i is subpartition i of the local pool. */
  channels: ChannelProducer[];
  /** Serializer of the records. */
  serializer: TypeSerializer<T>;
  /** Picks the channel of each record; a broadcast selector writes to all. */
  selector: ChannelSelector<T>;
  /**
   * `execution.buffer-timeout` in ms: 0 publishes after every record, -1 only full segments,
   * otherwise partly filled segments are published when `flushClock` ticks.
   */
  bufferTimeout: number;
  /** The OutputFlusher's clock word (`new Int32Array(flusher.buffer)`); needed when bufferTimeout > 0. */
  flushClock?: Int32Array;
  /**
   * Shared with the other writers of the same task (and its source reader): counts the blocked
   * channels of all of them, so one field read tells whether the task's output is available.
   * Default: the writer's own.
   */
  availability?: OutputAvailability;
}

/** A count of blocked output channels; 0 means every output can take records. */
export interface OutputAvailability {
  blocked: number;
}

/**
 * Flink's RecordWriter + BufferBuilder for one producer subtask: serializes records straight
 * into network-memory segments, one open segment per channel, and publishes slices of them to
 * the channel rings.
 *
 * Framing: `[int32 length][tag][payload]`; a record's 5-byte header always lies in one segment,
 * its payload may continue in the next segments of the same channel. A segment is published
 * when full, when flushed (buffer timeout), or before an event, so events keep their order.
 * Records with a timestamp, watermarks and watermark statuses are frames too
 * (io/stream-element.ts), so they stay in order with the records of their channel.
 *
 * Hot path: if the serializer's cheap upper bound fits the open segment, the record is written
 * in place; otherwise it is serialized once into a private scratch buffer and copied across
 * segments. Neither path allocates beyond what the serializer itself needs.
 *
 * Never blocks (Flink's availability model). When a channel gets no segment (its local pool or
 * the network memory is dry) or no ring slot, even in the middle of a record, the rest of that
 * channel's output goes to its {@link ChannelBacklog} in order (records, events, the end of
 * partition) and the writer is unavailable (`isAvailable()` false, a field read) until
 * `tryDrain()` moved the backlog into segments and rings. `whenAvailable()` gives the promise to
 * await meanwhile (Flink's `getAvailableFuture()`). Unlike Flink, which blocks the task thread
 * once its overdraft buffers are used up, strom never blocks: the caller stops taking input
 * while the writer is unavailable, which bounds the backlog to the output of one input element.
 */
export class RecordWriter<T> {
  /** Records written. */
  numRecordsOut = 0;
  /** Framed bytes written (headers included). */
  numBytesOut = 0;
  /** The last watermark broadcast (-Infinity before any): the task's currentOutputWatermark. */
  currentWatermark = Number.NEGATIVE_INFINITY;

  private readonly pool: NetworkBufferPool;
  private readonly localPool: number;
  private readonly channels: ChannelProducer[];
  private readonly serializer: TypeSerializer<T>;
  private readonly selector: ChannelSelector<T>;
  private readonly broadcast: boolean;
  private readonly flushEveryRecord: boolean;
  private readonly flushClock: Int32Array | undefined;
  private lastFlushEpoch = 0;
  private readonly buf: Buffer;
  private readonly view: DataView;
  private readonly out: DataOutputView;
  private readonly scratch = new DataOutputView(256);
  private readonly segmentSize: number;

  // Per channel: open segment (-1 = none), its byte offset, write cursor, published mark, end.
  // Int32Array while the network memory is below 2 GiB (always, in practice): the positions
  // then stay small integers in `out.pos`/`out.limit`. From a Float64Array they would turn the
  // DataOutputView's fields into boxed doubles, which made every record ~10 ns slower.
  private readonly segment: Int32Array;
  private readonly segmentStart: Int32Array | Float64Array;
  private readonly cursor: Int32Array | Float64Array;
  private readonly published: Int32Array | Float64Array;
  private readonly limit: Int32Array | Float64Array;
  private closed = false;

  /** Per channel: what waits to be handed over (created on first use). */
  private readonly backlogs: (ChannelBacklog | undefined)[];
  /** Per channel: 1 while its backlog is not empty (everything new then goes behind it). */
  private readonly blocked: Uint8Array;
  /** Channels of this writer with a non-empty backlog. */
  private blockedChannels = 0;
  /** Blocked channels of this writer and the ones sharing the counter. */
  private readonly availability: OutputAvailability;
  /** The promise of `whenAvailable` while it is pending. */
  private availableFuture: Promise<void> | undefined;
  private readonly drainNow = (): boolean => this.tryDrain();

  constructor(options: RecordWriterOptions<T>) {
    const { pool, channels, bufferTimeout } = options;
    if (channels.length === 0) throw new RangeError('a RecordWriter needs at least one channel');
    if (!(bufferTimeout === -1 || bufferTimeout >= 0)) {
      throw new RangeError(`bufferTimeout must be -1, 0 or a positive number of ms, got ${bufferTimeout}`);
    }
    if (bufferTimeout > 0 && !options.flushClock) {
      throw new RangeError('a positive bufferTimeout needs the OutputFlusher clock (flushClock)');
    }
    this.pool = pool;
    this.localPool = options.localPool;
    this.channels = channels;
    this.serializer = options.serializer;
    this.selector = options.selector;
    this.selector.setup(channels.length);
    this.broadcast = this.selector.isBroadcast();
    this.flushEveryRecord = bufferTimeout === 0;
    this.flushClock = bufferTimeout > 0 ? options.flushClock : undefined;
    if (this.flushClock) this.lastFlushEpoch = Atomics.load(this.flushClock, FLUSH_EPOCH);
    this.availability = options.availability ?? { blocked: 0 };
    this.buf = pool.buf;
    this.view = pool.view;
    this.out = DataOutputView.over(pool.buf, pool.view);
    this.segmentSize = pool.segmentSize;
    const n = channels.length;
    this.segment = new Int32Array(n).fill(-1);
    const Positions = pool.buf.length <= 0x7fffffff ? Int32Array : Float64Array;
    this.segmentStart = new Positions(n);
    this.cursor = new Positions(n);
    this.published = new Positions(n);
    this.limit = new Positions(n);
    this.backlogs = new Array<ChannelBacklog | undefined>(n).fill(undefined);
    this.blocked = new Uint8Array(n);
  }

  /**
   * Writes one record to the channel its selector picks (all channels when broadcasting). Never
   * blocks. A record with a timestamp goes out as a RECORD_WITH_TIMESTAMP frame; one with
   * NO_TIMESTAMP as a plain RECORD frame, so jobs without event time pay nothing for it.
   */
  emit(record: T, timestamp: number = NO_TIMESTAMP): void {
    if (timestamp !== NO_TIMESTAMP) this.emitWithTimestamp(record, timestamp);
    else if (this.broadcast) this.broadcastEmit(record);
    else this.writeRecord(this.selector.selectChannel(record), record);
    this.numRecordsOut++;
    if (this.flushClock !== undefined && this.flushClock[FLUSH_EPOCH] !== this.lastFlushEpoch) this.flushAll();
  }

  /**
   * Broadcasts a watermark to every channel, after the records written so far (Flink's
   * RecordWriter.broadcastEmit of a Watermark): a WATERMARK frame, published like a record (at
   * once with buffer timeout 0, else when the flusher ticks or the segment fills).
   */
  broadcastWatermark(watermark: number): void {
    this.currentWatermark = watermark;
    const scratch = this.scratch;
    scratch.pos = 0;
    scratch.writeFloat64(watermark);
    this.broadcastElement(StreamElementTag.WATERMARK, WATERMARK_PAYLOAD_BYTES);
  }

  /** Broadcasts a watermark status (WatermarkStatus ACTIVE 0 / IDLE 1) to every channel, in order like a watermark. */
  broadcastWatermarkStatus(status: number): void {
    const scratch = this.scratch;
    scratch.pos = 0;
    scratch.writeInt32(status);
    this.broadcastElement(StreamElementTag.STREAM_STATUS, STATUS_PAYLOAD_BYTES);
  }

  /** Copies the element serialized in `scratch` into every channel. */
  private broadcastElement(tag: number, payloadLength: number): void {
    const payload = this.scratch.buf;
    for (let c = 0; c < this.channels.length; c++) {
      this.copyFramed(c, tag, payload, payloadLength);
      if (this.flushEveryRecord) this.flush(c);
    }
    if (this.flushClock !== undefined && this.flushClock[FLUSH_EPOCH] !== this.lastFlushEpoch) this.flushAll();
  }

  /**
   * A record with a timestamp: `[length][RECORD_WITH_TIMESTAMP][float64 timestamp][value]`,
   * in place when it fits the open segment of an unblocked writer, else through the scratch buffer.
   */
  private emitWithTimestamp(record: T, timestamp: number): void {
    const channel = this.broadcast ? -1 : this.selector.selectChannel(record);
    if (channel >= 0 && this.blockedChannels === 0) {
      const pos = this.cursor[channel]!;
      const limit = this.limit[channel]!;
      const bound = this.serializer.maxSize(record);
      if (bound >= 0 && pos + HEADER_BYTES + TIMESTAMP_BYTES + bound <= limit) {
        const out = this.out;
        this.view.setFloat64(pos + HEADER_BYTES, timestamp, true);
        out.pos = pos + HEADER_BYTES + TIMESTAMP_BYTES;
        out.limit = limit;
        this.serializer.write(record, out);
        const end = out.pos;
        const length = end - pos - LENGTH_BYTES;
        this.view.setInt32(pos, length, true);
        this.buf[pos + LENGTH_BYTES] = StreamElementTag.RECORD_WITH_TIMESTAMP;
        this.cursor[channel] = end;
        this.numBytesOut += length + LENGTH_BYTES;
        if (end + HEADER_BYTES > limit) this.finishSegment(channel);
        if (this.flushEveryRecord) this.flush(channel);
        return;
      }
    }
    const scratch = this.scratch;
    scratch.pos = 0;
    scratch.writeFloat64(timestamp);
    this.serializer.write(record, scratch);
    if (channel >= 0) {
      this.copyFramed(channel, StreamElementTag.RECORD_WITH_TIMESTAMP, scratch.buf, scratch.pos);
      if (this.flushEveryRecord) this.flush(channel);
      return;
    }
    for (let c = 0; c < this.channels.length; c++) {
      this.copyFramed(c, StreamElementTag.RECORD_WITH_TIMESTAMP, scratch.buf, scratch.pos);
      if (this.flushEveryRecord) this.flush(c);
    }
  }

  /**
   * True when no channel holds a backlog: the next record goes straight to a segment (Flink's
   * `isAvailable()`). A field read; a blocked writer becomes available only through `tryDrain`.
   */
  isAvailable(): boolean {
    return this.blockedChannels === 0;
  }

  /**
   * The most bytes any one channel's backlog held at once over the writer's life (the backlogs'
   * high-water mark), 0 if none was ever used: how far past its segments the writer went.
   */
  get backlogPeakBytes(): number {
    let peak = 0;
    for (const backlog of this.backlogs) if (backlog !== undefined && backlog.peakBytes > peak) peak = backlog.peakBytes;
    return peak;
  }

  /**
   * Moves what it can of every backlog into segments and rings, without blocking; true when
   * nothing is left (the writer is available).
   */
  tryDrain(): boolean {
    if (this.blockedChannels === 0) return true;
    for (let c = 0; c < this.channels.length; c++) if (this.blocked[c] !== 0) this.drainChannel(c);
    return this.blockedChannels === 0;
  }

  /**
   * A promise that settles when the writer may be available again (Flink's
   * `getAvailableFuture()`): a segment was recycled (for a channel waiting for one), a ring slot
   * was freed (for a channel waiting for one), or `timeoutMs` passed. Never rejects; settled at
   * once when `tryDrain()` succeeds. Call `tryDrain()` again after it settles.
   */
  whenAvailable(timeoutMs: number): Promise<void> {
    if (this.availableFuture !== undefined) return this.availableFuture;
    if (this.tryDrain()) return Promise.resolve();
    const waits: Promise<void>[] = [];
    let needSegment = false;
    for (let c = 0; c < this.channels.length; c++) {
      const backlog = this.backlogs[c];
      if (this.blocked[c] === 0 || backlog === undefined) continue;
      if (backlog.hasBytes) needSegment = true;
      if (backlog.hasEntries) waits.push(this.channels[c]!.whenSpace(this.drainNow, timeoutMs));
    }
    if (needSegment) waits.push(this.pool.whenRecycled(this.drainNow, timeoutMs));
    const future = Promise.race(waits).then(() => {
      if (this.availableFuture === future) this.availableFuture = undefined;
    });
    this.availableFuture = future;
    return future;
  }

  /**
   * The hot path, kept small so V8 inlines the serializer into it: the record's bound fits the
   * open segment of an unblocked writer, so it is written in place. Everything else (no open
   * segment, a blocked channel, a record of unknown or too large size) takes `writeRecordSlow`.
   */
  private writeRecord(channel: number, record: T): void {
    const pos = this.cursor[channel]!;
    const limit = this.limit[channel]!;
    const bound = this.serializer.maxSize(record);
    if (this.blockedChannels === 0 && bound >= 0 && pos + HEADER_BYTES + bound <= limit) {
      const out = this.out;
      out.pos = pos + HEADER_BYTES;
      out.limit = limit;
      this.serializer.write(record, out);
      const end = out.pos;
      const length = end - pos - LENGTH_BYTES;
      this.view.setInt32(pos, length, true);
      this.buf[pos + LENGTH_BYTES] = StreamElementTag.RECORD;
      this.cursor[channel] = end;
      this.numBytesOut += length + LENGTH_BYTES;
      if (end + HEADER_BYTES > limit) this.finishSegment(channel);
      if (this.flushEveryRecord) this.flush(channel);
    } else {
      this.writeRecordSlow(channel, record);
    }
  }

  private writeRecordSlow(channel: number, record: T): void {
    if (this.blockedChannels !== 0 && this.blocked[channel] !== 0) {
      this.numBytesOut += this.backlogOf(channel).appendRecord(StreamElementTag.RECORD, this.serializer, record);
      return;
    }
    let pos = this.cursor[channel]!;
    if (pos + HEADER_BYTES > this.limit[channel]!) {
      pos = this.nextSegment(channel);
      if (pos < 0) {
        this.numBytesOut += this.blockOn(channel).appendRecord(StreamElementTag.RECORD, this.serializer, record);
        return;
      }
    }
    const bound = this.serializer.maxSize(record);
    const out = this.out;
    if (bound >= 0 && pos + HEADER_BYTES + bound <= this.limit[channel]!) {
      out.pos = pos + HEADER_BYTES;
      out.limit = this.limit[channel]!;
      this.serializer.write(record, out);
      const length = out.pos - pos - LENGTH_BYTES;
      this.view.setInt32(pos, length, true);
      this.buf[pos + LENGTH_BYTES] = StreamElementTag.RECORD;
      this.cursor[channel] = out.pos;
      this.numBytesOut += length + LENGTH_BYTES;
      if (out.pos + HEADER_BYTES > this.limit[channel]!) this.finishSegment(channel);
    } else {
      const scratch = this.scratch;
      scratch.pos = 0;
      this.serializer.write(record, scratch);
      this.copyFramed(channel, StreamElementTag.RECORD, scratch.buf, scratch.pos);
    }
    if (this.flushEveryRecord) this.flush(channel);
  }

  private broadcastEmit(record: T): void {
    const scratch = this.scratch;
    scratch.pos = 0;
    this.serializer.write(record, scratch);
    for (let c = 0; c < this.channels.length; c++) {
      this.copyFramed(c, StreamElementTag.RECORD, scratch.buf, scratch.pos);
      if (this.flushEveryRecord) this.flush(c);
    }
  }

  /** Copies a serialized payload with its header into channel `channel`, spanning segments. */
  private copyFramed(channel: number, tag: number, payload: Buffer, payloadLength: number): void {
    this.numBytesOut += payloadLength + HEADER_BYTES;
    if (this.blocked[channel] !== 0) {
      this.backlogOf(channel).appendFrame(tag, payload, payloadLength);
      return;
    }
    let pos = this.cursor[channel]!;
    if (pos + HEADER_BYTES > this.limit[channel]!) {
      pos = this.nextSegment(channel);
      if (pos < 0) {
        this.blockOn(channel).appendFrame(tag, payload, payloadLength);
        return;
      }
    }
    this.view.setInt32(pos, payloadLength + 1, true);
    this.buf[pos + LENGTH_BYTES] = tag;
    pos += HEADER_BYTES;
    let copied = 0;
    for (;;) {
      const n = Math.min(payloadLength - copied, this.limit[channel]! - pos);
      payload.copy(this.buf, pos, copied, copied + n);
      copied += n;
      pos += n;
      this.cursor[channel] = pos;
      if (copied === payloadLength) break;
      pos = this.nextSegment(channel);
      if (pos < 0) {
        // The pool ran dry mid-record: the rest waits, and everything after it.
        this.blockOn(channel).appendRest(payload, copied, payloadLength);
        return;
      }
    }
    if (pos + HEADER_BYTES > this.limit[channel]!) this.finishSegment(channel);
  }

  /**
   * Publishes the open segment as final and opens a new one; returns the new cursor, or -1 when
   * no segment can be had now (the channel then has no open segment).
   */
  private nextSegment(channel: number): number {
    if (this.segment[channel]! >= 0) this.finishSegment(channel);
    const segment = this.pool.tryRequestSegment(this.localPool, channel);
    if (segment < 0) return -1;
    const start = this.pool.segmentOffset(segment);
    this.segment[channel] = segment;
    this.segmentStart[channel] = start;
    this.cursor[channel] = start;
    this.published[channel] = start;
    this.limit[channel] = start + this.segmentSize;
    return start;
  }

  /** Publishes what is left of the open segment with FLAG_FINAL: the consumer recycles it. */
  private finishSegment(channel: number): void {
    const segment = this.segment[channel]!;
    if (segment < 0) return;
    const base = this.segmentStart[channel]!;
    this.putEntry(channel, segment, this.published[channel]! - base, this.cursor[channel]! - base, FLAG_FINAL);
    this.segment[channel] = -1;
    this.cursor[channel] = 0;
    this.published[channel] = 0;
    this.limit[channel] = 0;
  }

  /** Publishes a ring entry, or queues it behind the entries already waiting for ring space. */
  private putEntry(channel: number, segment: number, start: number, end: number, flags: number): void {
    const backlog = this.blocked[channel] !== 0 ? this.backlogs[channel] : undefined;
    if ((backlog === undefined || !backlog.hasEntries) && this.channels[channel]!.tryPublish(segment, start, end, flags)) return;
    (backlog ?? this.blockOn(channel)).pushEntry(segment, start, end, flags);
  }

  /** The backlog of a blocked channel. */
  private backlogOf(channel: number): ChannelBacklog {
    return this.backlogs[channel]!;
  }

  /** Marks `channel` blocked (if not yet) and returns its backlog. */
  private blockOn(channel: number): ChannelBacklog {
    let backlog = this.backlogs[channel];
    if (backlog === undefined) this.backlogs[channel] = backlog = new ChannelBacklog();
    if (this.blocked[channel] === 0) {
      this.blocked[channel] = 1;
      this.blockedChannels++;
      this.availability.blocked++;
    }
    return backlog;
  }

  /**
   * Moves channel `c`'s backlog on: bytes into segments (record headers never cut, as on the
   * direct path; event marks become ring entries at their place), then queued entries into the
   * ring. Stops at the first segment or ring slot it cannot get; unblocks the channel when empty.
   */
  private drainChannel(c: number): void {
    const backlog = this.backlogs[c]!;
    const bytes = backlog.out;
    while (backlog.hasBytes) {
      let head = backlog.head;
      if (backlog.frameLeft === 0) {
        if (bytes.buf[head + LENGTH_BYTES] === EVENT_MARK) {
          const type = bytes.view.getInt32(head + HEADER_BYTES, true);
          const arg = bytes.view.getInt32(head + HEADER_BYTES + 4, true);
          if (type === ChannelEvent.END_OF_PARTITION) this.finishSegment(c);
          else this.flush(c);
          this.putEntry(c, EVENT_SEGMENT, type, arg, 0);
          backlog.consume(EVENT_MARK_BYTES);
          continue;
        }
        if (this.cursor[c]! + HEADER_BYTES > this.limit[c]! && this.nextSegment(c) < 0) break;
        backlog.frameLeft = LENGTH_BYTES + bytes.view.getInt32(head, true);
      } else if (this.cursor[c]! >= this.limit[c]! && this.nextSegment(c) < 0) {
        break;
      }
      const pos = this.cursor[c]!;
      const n = Math.min(backlog.frameLeft, this.limit[c]! - pos);
      bytes.buf.copy(this.buf, pos, head, head + n);
      head += n;
      this.cursor[c] = pos + n;
      backlog.frameLeft -= n;
      backlog.consume(n);
      if (backlog.frameLeft === 0 && pos + n + HEADER_BYTES > this.limit[c]!) this.finishSegment(c);
    }
    if (this.flushEveryRecord) this.flush(c);
    const producer = this.channels[c]!;
    while (backlog.hasEntries && producer.tryPublish(backlog.entry(0), backlog.entry(1), backlog.entry(2), backlog.entry(3))) backlog.shiftEntry();
    if (backlog.empty) {
      this.blocked[c] = 0;
      this.blockedChannels--;
      this.availability.blocked--;
    }
  }

  /** Publishes the unpublished bytes of channel `channel`'s open segment, keeping it open. */
  flush(channel: number): void {
    const segment = this.segment[channel]!;
    const cursor = this.cursor[channel]!;
    if (segment < 0 || cursor === this.published[channel]) return;
    const base = this.segmentStart[channel]!;
    this.putEntry(channel, segment, this.published[channel]! - base, cursor - base, 0);
    this.published[channel] = cursor;
  }

  /** Publishes all partly filled segments (what the OutputFlusher triggers). */
  flushAll(): void {
    for (let c = 0; c < this.channels.length; c++) this.flush(c);
    if (this.flushClock) this.lastFlushEpoch = Atomics.load(this.flushClock, FLUSH_EPOCH);
  }

  /** Flushes if the OutputFlusher ticked since the last flush; call it when the task goes idle. */
  flushIfDue(): void {
    if (this.flushClock !== undefined && Atomics.load(this.flushClock, FLUSH_EPOCH) !== this.lastFlushEpoch) this.flushAll();
  }

  /**
   * Publishes an event on every channel after the data written so far (Flink publishes the
   * partly filled buffer before an event, so the event cannot overtake records).
   */
  broadcastEvent(type: number, arg = 0): void {
    for (let c = 0; c < this.channels.length; c++) this.putEvent(c, type, arg);
  }

  /**
   * Ends the partition: hands every open segment over and sends END_OF_PARTITION. Idempotent.
   * A blocked channel gets them behind its backlog: the writer is finished once `isAvailable()`.
   */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (let c = 0; c < this.channels.length; c++) this.putEvent(c, ChannelEvent.END_OF_PARTITION, 0);
    this.tryDrain();
  }

  /** An event on channel `c` after everything written to it: behind its backlog when it is blocked. */
  private putEvent(c: number, type: number, arg: number): void {
    if (this.blocked[c] !== 0 && this.backlogOf(c).hasBytes) {
      this.backlogOf(c).appendEvent(type, arg);
      return;
    }
    if (type === ChannelEvent.END_OF_PARTITION) this.finishSegment(c);
    else this.flush(c);
    this.putEntry(c, EVENT_SEGMENT, type, arg, 0);
  }
}
