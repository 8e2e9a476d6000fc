/**
 * Timestamps, watermarks and watermark statuses on the wire: RECORD_WITH_TIMESTAMP, WATERMARK and
 * STREAM_STATUS frames through real segments and channel rings, in order with the records of
 * each channel, by every read path (next, nextBatch, nextSlice).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ChannelGroup } from '../../src/io/channel-group.js';
import { ChannelProducer } from '../../src/io/channel-producer.js';
import { ReadStatus, RecordReader } from '../../src/io/record-reader.js';
import { RecordWriter } from '../../src/io/record-writer.js';
import { HEADER_BYTES, LENGTH_BYTES, NO_TIMESTAMP, StreamElementTag } from '../../src/io/stream-element.js';
import { NetworkBufferPool } from '../../src/memory/network-buffer-pool.js';
import { Types } from '../../src/types/type-information.js';

const SEGMENT_SIZE = 128;
const type = Types.TUPLE(Types.STRING, Types.DOUBLE);
type Row = [string, number];

function wire(channels: number, segments = 512) {
  const pool = NetworkBufferPool.create({ segmentSize: SEGMENT_SIZE, numSegments: segments });
  const group = ChannelGroup.create(channels, 256);
  const writer = new RecordWriter<Row>({
    pool,
    localPool: pool.createLocalPool(channels, 2, segments / 2, segments - 8),
    channels: Array.from({ length: channels }, (_, c) => new ChannelProducer(group, c)),
    serializer: type.createSerializer(),
    selector: { name: 'by field 1', setup() {}, selectChannel: (r: Row) => r[1] % channels, isBroadcast: () => false },
    bufferTimeout: -1,
  });
  const reader = new RecordReader<Row>(pool, group, type.createSerializer());
  return { pool, writer, reader };
}

/** What one channel carries, as strings: `r:<key>@<ts>` (ts '-' for none), `wm:<w>`, `st:<s>`. */
function writeScript(writer: RecordWriter<Row>, channels: number): string[][] {
  const expected: string[][] = Array.from({ length: channels }, () => []);
  let watermark = 0;
  for (let i = 0; i < 400; i++) {
    // Keys of every length: in place, through the scratch buffer, and longer than a segment.
    const key = `k${i}`.repeat(i % 50 === 7 ? 60 : i % 9);
    const timestamp = i % 3 === 0 ? NO_TIMESTAMP : 1_000 + i * 10;
    writer.emit([key, i], timestamp);
    expected[i % channels]!.push(`r:${key}@${timestamp === NO_TIMESTAMP ? '-' : timestamp}`);
    if (i % 17 === 0) {
      watermark = 1_000 + i * 10 - 5;
      writer.broadcastWatermark(watermark);
      for (const e of expected) e.push(`wm:${watermark}`);
    }
    if (i % 61 === 0) {
      const status = (i / 61) % 2 === 0 ? 1 : 0;
      writer.broadcastWatermarkStatus(status);
      for (const e of expected) e.push(`st:${status}`);
    }
  }
  writer.broadcastWatermark(Number.POSITIVE_INFINITY);
  for (const e of expected) e.push('wm:Infinity');
  writer.close();
  return expected;
}

function elementOf(reader: RecordReader<Row>, status: ReadStatus): string {
  if (status === ReadStatus.RECORD) return `r:${reader.value![0]}@${reader.timestamp === NO_TIMESTAMP ? '-' : reader.timestamp}`;
  if (status === ReadStatus.WATERMARK) return `wm:${reader.watermark}`;
  if (status === ReadStatus.WATERMARK_STATUS) return `st:${reader.watermarkStatus}`;
  return assert.fail(`unexpected status ${status}`);
}

function assertPoolFull(pool: NetworkBufferPool): void {
  const stats = pool.stats();
  assert.equal(stats.availableSegments, stats.totalSegments, 'every segment came back');
}

test('next: records with and without timestamps, watermarks and statuses arrive in order per channel', () => {
  const channels = 3;
  const { pool, writer, reader } = wire(channels);
  const expected = writeScript(writer, channels);
  const seen: string[][] = Array.from({ length: channels }, () => []);
  for (let status = reader.next(); status !== ReadStatus.END; status = reader.next()) {
    assert.notEqual(status, ReadStatus.EMPTY, 'input ran dry before the end');
    seen[reader.channel]!.push(elementOf(reader, status));
  }
  assert.deepEqual(seen, expected);
  assert.equal(reader.numRecordsIn, 400, 'watermarks and statuses are not records');
  assertPoolFull(pool);
});

test('nextBatch: a watermark after a run of records comes with the next call, in order', () => {
  const channels = 2;
  const { pool, writer, reader } = wire(channels);
  const expected = writeScript(writer, channels);
  const seen: string[][] = Array.from({ length: channels }, () => []);
  for (;;) {
    const status = reader.nextBatch((value, timestamp) => {
      seen[reader.channel]!.push(`r:${value[0]}@${timestamp === NO_TIMESTAMP ? '-' : timestamp}`);
    });
    if (status === ReadStatus.END) break;
    assert.notEqual(status, ReadStatus.EMPTY, 'input ran dry before the end');
    if (status !== ReadStatus.RECORD) seen[reader.channel]!.push(elementOf(reader, status));
  }
  assert.deepEqual(seen, expected);
  assertPoolFull(pool);
});

test('nextSlice: a consumer that stops before a non-record frame gets the element next, then the records after it', () => {
  const channels = 2;
  const { pool, writer, reader } = wire(channels);
  const expected = writeScript(writer, channels);
  const seen: string[][] = Array.from({ length: channels }, () => []);
  let slices = 0;
  for (;;) {
    const status = reader.nextSlice();
    if (status === ReadStatus.END) break;
    assert.notEqual(status, ReadStatus.EMPTY, 'input ran dry before the end');
    if (status !== ReadStatus.SLICE) {
      seen[reader.channel]!.push(elementOf(reader, status));
      continue;
    }
    slices++;
    // What the native operators do: walk whole record frames, stop before anything else or a cut frame.
    const buf = reader.sliceBuf;
    const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    let pos = reader.sliceStart;
    while (pos + HEADER_BYTES <= reader.sliceEnd) {
      const end = pos + LENGTH_BYTES + view.getInt32(pos, true);
      const tag = buf[pos + LENGTH_BYTES];
      if (end > reader.sliceEnd || (tag !== StreamElementTag.RECORD && tag !== StreamElementTag.RECORD_WITH_TIMESTAMP)) break;
      const timestamped = tag === StreamElementTag.RECORD_WITH_TIMESTAMP;
      const keyStart = pos + HEADER_BYTES + (timestamped ? 8 : 0);
      const keyLength = view.getInt32(keyStart, true);
      const key = buf.toString('utf8', keyStart + 4, keyStart + 4 + keyLength);
      seen[reader.channel]!.push(`r:${key}@${timestamped ? view.getFloat64(pos + HEADER_BYTES, true) : '-'}`);
      pos = end;
    }
    reader.releaseSlice(pos);
  }
  assert.ok(slices > 0);
  assert.deepEqual(seen, expected);
  assertPoolFull(pool);
});

test('a blocked writer keeps timestamps, watermarks and statuses in order through its backlog', () => {
  // 16 segments: the writer runs dry long before the script ends, so most of it goes to the backlogs.
  const channels = 2;
  const { pool, writer, reader } = wire(channels, 16);
  const expected = writeScript(writer, channels);
  assert.ok(!writer.isAvailable(), 'the writer never blocked: the test proves nothing');
  const seen: string[][] = Array.from({ length: channels }, () => []);
  for (;;) {
    const status = reader.next();
    if (status === ReadStatus.END) break;
    if (status === ReadStatus.EMPTY) {
      assert.ok(!writer.isAvailable(), 'input ran dry with nothing left in the backlogs');
      writer.tryDrain();
      continue;
    }
    seen[reader.channel]!.push(elementOf(reader, status));
  }
  assert.deepEqual(seen, expected);
  assertPoolFull(pool);
});
