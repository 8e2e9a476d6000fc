import type { NetworkBufferPool, WaitHooks, WaitStats } from '../memory/network-buffer-pool.js';
import { DataOutputView } from '../types/data-output-view.js';
import type { TypeSerializer } from '../types/type-serializer.js';
import type { ChannelProducer } from './channel-producer.js';
import { ChannelEvent, FLAG_FINAL } from './channel-layout.js';
import { FLUSH_EPOCH } from './output-flusher.js';
import type { ChannelSelector } from './partitioner/channel-selector.js';
import { HEADER_BYTES, LENGTH_BYTES, StreamElementTag } from './stream-element.js';

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
  /** While waiting for buffers: run other tasks of the thread, and stop if the job was cancelled. */
  hooks?: WaitHooks;
}

/**
 * Flink's RecordWriter + BufferBuilder for one producer subtask: serializes records straight
 * into network-memory segments, one open segment per channel, and publishes slices of them to
 * the channel rings.
 *
 * Framing: `[int32 length][tag][payload]`; a record's 5-byte header always lies in one segment,
 * its payload may continue in the next segments of the same channel. A segment is published
 * when full, when flushed (buffer timeout), or before an event, so events keep their order.
 *
 * Hot path: if the serializer's cheap upper bound fits the open segment, the record is written
 * in place; otherwise it is serialized once into a private scratch buffer and copied across
 * segments. Neither path allocates beyond what the serializer itself needs.
 */
export class RecordWriter<T> {
  /** Records written. */
  numRecordsOut = 0;
  /** Framed bytes written (headers included). */
  numBytesOut = 0;
  /** Time spent waiting for segments or ring space (Flink's back-pressured time). */
  readonly waits: WaitStats = { backPressuredNs: 0 };

  private readonly pool: NetworkBufferPool;
  private readonly localPool: number;
  private readonly channels: ChannelProducer[];
  private readonly serializer: TypeSerializer<T>;
  private readonly selector: ChannelSelector<T>;
  private readonly broadcast: boolean;
  private readonly flushEveryRecord: boolean;
  private readonly flushClock: Int32Array | undefined;
  private readonly hooks: WaitHooks | undefined;
  private lastFlushEpoch = 0;
  private readonly buf: Buffer;
  private readonly view: DataView;
  private readonly out: DataOutputView;
  private readonly scratch = new DataOutputView(256);
  private readonly segmentSize: number;

  // Per channel: open segment (-1 = none), its byte offset, write cursor, published mark, end.
  private readonly segment: Int32Array;
  private readonly segmentStart: Float64Array;
  private readonly cursor: Float64Array;
  private readonly published: Float64Array;
  private readonly limit: Float64Array;
  private closed = false;

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
    this.hooks = options.hooks;
    this.buf = pool.buf;
    this.view = pool.view;
    this.out = DataOutputView.over(pool.buf, pool.view);
    this.segmentSize = pool.segmentSize;
    const n = channels.length;
    this.segment = new Int32Array(n).fill(-1);
    this.segmentStart = new Float64Array(n);
    this.cursor = new Float64Array(n);
    this.published = new Float64Array(n);
    this.limit = new Float64Array(n);
  }

  /** Writes one record to the channel its selector picks (all channels when broadcasting). */
  emit(record: T): void {
    if (this.broadcast) this.broadcastEmit(record);
    else this.writeRecord(this.selector.selectChannel(record), record);
    this.numRecordsOut++;
    if (this.flushClock !== undefined && this.flushClock[FLUSH_EPOCH] !== this.lastFlushEpoch) this.flushAll();
  }

  private writeRecord(channel: number, record: T): void {
    let pos = this.cursor[channel]!;
    if (pos + HEADER_BYTES > this.limit[channel]!) pos = this.nextSegment(channel);
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
    let pos = this.cursor[channel]!;
    if (pos + HEADER_BYTES > this.limit[channel]!) pos = this.nextSegment(channel);
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
    }
    this.numBytesOut += payloadLength + HEADER_BYTES;
    if (pos + HEADER_BYTES > this.limit[channel]!) this.finishSegment(channel);
  }

  /** Publishes the open segment as final and opens a new one; returns the new cursor. */
  private nextSegment(channel: number): number {
    if (this.segment[channel]! >= 0) this.finishSegment(channel);
    const segment = this.pool.requestSegment(this.localPool, channel, this.waits, this.hooks);
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
    this.publishSlice(channel, segment, this.published[channel]! - base, this.cursor[channel]! - base, FLAG_FINAL);
    this.segment[channel] = -1;
    this.cursor[channel] = 0;
    this.published[channel] = 0;
    this.limit[channel] = 0;
  }

  private publishSlice(channel: number, segment: number, start: number, end: number, flags: number): void {
    const producer = this.channels[channel]!;
    const before = producer.waitedNs;
    producer.publish(segment, start, end, flags);
    if (producer.waitedNs !== before) this.waits.backPressuredNs += producer.waitedNs - before;
  }

  /** Publishes the unpublished bytes of channel `channel`'s open segment, keeping it open. */
  flush(channel: number): void {
    const segment = this.segment[channel]!;
    const cursor = this.cursor[channel]!;
    if (segment < 0 || cursor === this.published[channel]) return;
    const base = this.segmentStart[channel]!;
    this.publishSlice(channel, segment, this.published[channel]! - base, cursor - base, 0);
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
    for (let c = 0; c < this.channels.length; c++) {
      this.flush(c);
      this.channels[c]!.publishEvent(type, arg);
    }
  }

  /** Ends the partition: hands every open segment over and sends END_OF_PARTITION. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (let c = 0; c < this.channels.length; c++) {
      this.finishSegment(c);
      this.channels[c]!.publishEvent(ChannelEvent.END_OF_PARTITION);
    }
  }
}
