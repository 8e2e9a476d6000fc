import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CorruptRecordError, SerializationError } from '../../src/errors.js';
import { ChannelGroup } from '../../src/io/channel-group.js';
import { ChannelEvent, FLAG_FINAL } from '../../src/io/channel-layout.js';
import { ChannelProducer } from '../../src/io/channel-producer.js';
import { OutputFlusher } from '../../src/io/output-flusher.js';
import type { ChannelSelector } from '../../src/io/partitioner/channel-selector.js';
import { ReadStatus, RecordReader } from '../../src/io/record-reader.js';
import { RecordWriter } from '../../src/io/record-writer.js';
import { NetworkBufferPool } from '../../src/memory/network-buffer-pool.js';
import { DataInputView } from '../../src/types/data-input-view.js';
import { Types } from '../../src/types/type-information.js';
import type { TypeSerializer } from '../../src/types/type-serializer.js';

// Small segments so ordinary records span several of them; all in one thread, so the pool is
// large enough that the writer never has to wait for the reader.
const SEGMENT_SIZE = 256;

function selectorOf<T>(pick: (record: T) => number, broadcast = false): ChannelSelector<T> {
  return { name: 'test', setup() {}, selectChannel: pick, isBroadcast: () => broadcast };
}

function harness<T>(
  serializer: TypeSerializer<T>,
  options: { channels?: number; bufferTimeout?: number; selector?: ChannelSelector<T>; flushClock?: Int32Array } = {},
) {
  const channels = options.channels ?? 1;
  const pool = NetworkBufferPool.create({ segmentSize: SEGMENT_SIZE, numSegments: 256 });
  const group = ChannelGroup.create(channels, 256);
  const localPool = pool.createLocalPool(channels, 2, 128, 200);
  const writer = new RecordWriter<T>({
    pool,
    localPool,
    channels: Array.from({ length: channels }, (_, c) => new ChannelProducer(group, c)),
    serializer,
    selector: options.selector ?? selectorOf(() => 0),
    bufferTimeout: options.bufferTimeout ?? -1,
    flushClock: options.flushClock,
  });
  const reader = new RecordReader<T>(pool, group, serializer);
  /** Reads until END (or EMPTY when `untilEnd` is false); returns records and event markers. */
  const drain = (untilEnd = true) => {
    const seen: Array<{ channel: number; value?: T; event?: number }> = [];
    for (;;) {
      const status = reader.next();
      if (status === ReadStatus.RECORD) seen.push({ channel: reader.channel, value: reader.value });
      else if (status === ReadStatus.EVENT) seen.push({ channel: reader.channel, event: reader.eventType });
      else if (status === ReadStatus.END || !untilEnd) return seen;
      else assert.fail('input ran dry before END_OF_PARTITION');
    }
  };
  return { pool, group, writer, reader, drain, localPool };
}

function assertPoolFull(pool: NetworkBufferPool) {
  const stats = pool.stats();
  assert.equal(stats.availableSegments, stats.totalSegments);
}

test('records of every size round-trip, including longer than a segment, empty and unicode', () => {
  const type = Types.TUPLE(Types.STRING, Types.DOUBLE);
  const { writer, drain, pool } = harness(type.createSerializer());
  const records: Array<[string, number]> = [
    ['', 0],
    ['short', 1.5],
    ['héllo wörld ✓ 日本 🦀', -0],
    ['x'.repeat(SEGMENT_SIZE - 20), Number.NaN],
    ['y'.repeat(SEGMENT_SIZE * 5 + 3), Infinity],
    ['z'.repeat(SEGMENT_SIZE), -Infinity],
  ];
  for (let i = 0; i < 300; i++) records.push([`k${i}`.repeat(i % 40), i]);
  for (const r of records) writer.emit(r);
  writer.close();
  const seen = drain();
  assert.deepEqual(
    seen.map((s) => s.value),
    records,
  );
  assert.equal(writer.numRecordsOut, records.length);
  assertPoolFull(pool);
});

test('undeclared (generic) values round-trip', () => {
  const { writer, drain, pool } = harness(Types.GENERIC.createSerializer());
  const records: unknown[] = [null, 1, 'two', [3, 'four', { five: 5n }], { nested: { deep: [true, false] } }, 'w'.repeat(1000)];
  for (const r of records) writer.emit(r);
  writer.close();
  assert.deepEqual(
    drain().map((s) => s.value),
    records,
  );
  assertPoolFull(pool);
});

test('records are routed by the selector and broadcast reaches every channel', () => {
  const type = Types.DOUBLE;
  const routed = harness(type.createSerializer(), { channels: 3, selector: selectorOf((v: number) => v % 3) });
  for (let i = 0; i < 30; i++) routed.writer.emit(i);
  routed.writer.close();
  // Every record arrives once, on the channel its value selects.
  const arrived = routed.drain();
  assert.equal(arrived.length, 30);
  for (let c = 0; c < 3; c++) {
    assert.deepEqual(
      arrived.filter((s) => s.channel === c).map((s) => s.value),
      Array.from({ length: 10 }, (_, i) => i * 3 + c),
    );
  }

  const broadcast = harness(type.createSerializer(), { channels: 3, selector: selectorOf(() => -1, true) });
  for (let i = 0; i < 10; i++) broadcast.writer.emit(i);
  broadcast.writer.close();
  const seen = broadcast.drain();
  for (let c = 0; c < 3; c++) {
    assert.deepEqual(
      seen.filter((s) => s.channel === c).map((s) => s.value),
      [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    );
  }
  assertPoolFull(broadcast.pool);
});

test('events keep their place between records', () => {
  const { writer, drain } = harness(Types.STRING.createSerializer());
  writer.emit('a');
  writer.emit('b');
  writer.broadcastEvent(ChannelEvent.CHECKPOINT_BARRIER, 7);
  writer.emit('c');
  writer.close();
  assert.deepEqual(
    drain().map((s) => s.value ?? `event ${s.event}`),
    ['a', 'b', `event ${ChannelEvent.CHECKPOINT_BARRIER}`, 'c'],
  );
});

test('buffer timeout 0 publishes every record at once; -1 waits for a full segment', () => {
  const eager = harness(Types.STRING.createSerializer(), { bufferTimeout: 0 });
  eager.writer.emit('now');
  assert.deepEqual(
    eager.drain(false).map((s) => s.value),
    ['now'],
  );

  const lazy = harness(Types.STRING.createSerializer(), { bufferTimeout: -1 });
  lazy.writer.emit('later');
  assert.deepEqual(lazy.drain(false), [], 'nothing is visible before the segment is full or flushed');
  lazy.writer.flushAll();
  assert.deepEqual(
    lazy.drain(false).map((s) => s.value),
    ['later'],
  );
});

test('a value the declared type cannot encode is rejected and the stream stays intact', () => {
  const type = Types.TUPLE(Types.STRING, Types.DOUBLE);
  const { writer, drain, pool } = harness(type.createSerializer());
  writer.emit(['ok', 1]);
  assert.throws(() => writer.emit([42, 'nope'] as unknown as [string, number]), SerializationError);
  writer.emit(['still ok', 2]);
  writer.close();
  assert.deepEqual(
    drain().map((s) => s.value),
    [
      ['ok', 1],
      ['still ok', 2],
    ],
  );
  assertPoolFull(pool);
});

test('corrupt bytes in a segment give CorruptRecordError, not garbage', () => {
  /** Publishes one final slice of `bytes` (then optionally END_OF_PARTITION) and reads it. */
  const readCorrupt = (bytes: number[], thenEnd: boolean) => {
    const { pool, group, reader, localPool } = harness(Types.STRING.createSerializer());
    const producer = new ChannelProducer(group, 0);
    const segment = pool.tryRequestSegment(localPool, 0);
    pool.buf.set(bytes, pool.segmentOffset(segment));
    assert.ok(producer.tryPublish(segment, 0, bytes.length, FLAG_FINAL));
    if (thenEnd) assert.ok(producer.tryPublishEvent(ChannelEvent.END_OF_PARTITION));
    assert.throws(() => {
      while (reader.next() !== ReadStatus.END);
    }, CorruptRecordError);
    reader.releaseAll();
    assertPoolFull(pool);
  };
  readCorrupt([0xfb, 0xff, 0xff, 0xff, 0, 0, 0, 0], false); // negative length
  readCorrupt([5, 0, 0, 0, 9, 0, 0, 0, 0], false); // unknown stream element tag 9
  readCorrupt([6, 0, 0, 0, 0, 200, 0, 0, 0, 65], false); // string length beyond the record
  readCorrupt([0x40, 0x42, 0x0f, 0, 0, 1, 0, 0, 0, 65], true); // channel ends inside a record

  // The same through nextSlice, whose consumer stops before the cut record (as the native aggregation does).
  const { pool, group, reader, localPool } = harness(Types.STRING.createSerializer());
  const producer = new ChannelProducer(group, 0);
  const segment = pool.tryRequestSegment(localPool, 0);
  pool.buf.set([0x40, 0x42, 0x0f, 0, 0, 1, 0, 0, 0, 65], pool.segmentOffset(segment));
  assert.ok(producer.tryPublish(segment, 0, 10, FLAG_FINAL));
  assert.ok(producer.tryPublishEvent(ChannelEvent.END_OF_PARTITION));
  assert.equal(reader.nextSlice(), ReadStatus.SLICE);
  reader.releaseSlice(reader.sliceStart); // nothing whole in it
  assert.throws(() => reader.nextSlice(), (e: unknown) => e instanceof CorruptRecordError && /ended in the middle of a record/.test(e.message));
  reader.releaseAll();
  assertPoolFull(pool);
});

test('a positive buffer timeout publishes partly filled segments when the flusher clock ticks', () => {
  const flusher = new OutputFlusher(); // ticked by hand: deterministic
  const { writer, drain } = harness(Types.STRING.createSerializer(), { bufferTimeout: 100, flushClock: new Int32Array(flusher.buffer) });
  writer.emit('a');
  assert.deepEqual(drain(false), [], 'before a tick the record stays in its segment');
  flusher.tick();
  writer.flushIfDue(); // what an idle task does
  assert.deepEqual(
    drain(false).map((s) => s.value),
    ['a'],
  );
  writer.emit('b');
  flusher.tick();
  writer.emit('c'); // a busy producer notices the tick on its next record
  assert.deepEqual(
    drain(false).map((s) => s.value),
    ['b', 'c'],
  );
});

test('nextSlice hands over whole records only: a record cut by a slice is reassembled once and handed over as its own slice', () => {
  const serializer = Types.TUPLE(Types.STRING, Types.DOUBLE).createSerializer();
  const { pool, writer, reader } = harness(serializer, { channels: 2, selector: selectorOf((r: [string, number]) => r[1] % 2) });
  // Keys from 1 to 300 bytes: many records cross a 256-byte segment, some span two or three.
  const sent: Array<[string, number]> = Array.from({ length: 200 }, (_, i) => ['k'.repeat(1 + ((i * 37) % 300)), i]);
  for (const record of sent) writer.emit(record);
  writer.close();
  const got: Array<[string, number]> = [];
  const input = new DataInputView();
  let reassembled = 0;
  for (;;) {
    const status = reader.nextSlice();
    if (status === ReadStatus.END) break;
    assert.equal(status, ReadStatus.SLICE, 'only data and END were sent');
    if (reader.sliceBuf !== pool.buf) reassembled++;
    // A consumer like the native aggregation: whole frames, stopping before one the slice cuts.
    const { sliceBuf: buf, sliceStart: start, sliceEnd: end } = reader;
    let pos = start;
    while (pos + 5 <= end && pos + 4 + buf.readInt32LE(pos) <= end) {
      const frameEnd = pos + 4 + buf.readInt32LE(pos);
      input.reset(buf, new DataView(buf.buffer, buf.byteOffset, buf.length), pos + 5, frameEnd);
      got.push(serializer.read(input));
      pos = frameEnd;
    }
    if (reader.sliceBuf !== pool.buf) assert.equal(pos, end, 'a reassembled slice holds exactly one whole record');
    reader.releaseSlice(pos);
  }
  const byChannel = (records: Array<[string, number]>, c: number) => records.filter((r) => r[1] % 2 === c);
  for (const c of [0, 1]) assert.deepEqual(byChannel(got, c), byChannel(sent, c), `channel ${c}: every record once, in order`);
  assert.ok(reassembled > 30, `records spanning segments came as reassembled slices (${reassembled})`);
  assert.equal(reader.numBytesIn, writer.numBytesOut, 'every byte counted once');
  assertPoolFull(pool);
});
