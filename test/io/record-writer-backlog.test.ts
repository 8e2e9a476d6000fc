/**
 * RecordWriter never blocks: when a channel gets no segment (even in the middle of a record) or
 * no ring slot, the rest of its output waits in the channel's backlog, in order, and the writer
 * reports itself unavailable until `tryDrain()` handed everything over; `whenAvailable()` settles
 * when a recycle or a ring release makes that possible. One thread, real addon, real rings.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ChannelGroup } from '../../src/io/channel-group.js';
import { ChannelEvent } from '../../src/io/channel-layout.js';
import { ChannelProducer } from '../../src/io/channel-producer.js';
import { ForwardPartitioner } from '../../src/io/partitioner/forward-partitioner.js';
import { ReadStatus, RecordReader } from '../../src/io/record-reader.js';
import { RecordWriter } from '../../src/io/record-writer.js';
import { NetworkBufferPool } from '../../src/memory/network-buffer-pool.js';
import { HeaderWord } from '../../src/memory/network-memory-layout.js';
import { Types } from '../../src/types/type-information.js';

const SEGMENT_SIZE = 256;
/** Far longer than the test may run: a wake-up that never comes fails the test instead of passing late. */
const NEVER_MS = 600_000;

/** One channel whose local pool holds at most `maxPerChannel` segments, into a ring of `ringCapacity`. */
function harness(options: { maxPerChannel: number; ringCapacity: number; bufferTimeout: number }) {
  const pool = NetworkBufferPool.create({ segmentSize: SEGMENT_SIZE, numSegments: 64 });
  const group = ChannelGroup.create(1, options.ringCapacity);
  const localPool = pool.createLocalPool(1, 1, options.maxPerChannel - 1, options.maxPerChannel);
  const serializer = Types.STRING.createSerializer();
  const writer = new RecordWriter<string>({
    pool,
    localPool,
    channels: [new ChannelProducer(group, 0)],
    serializer,
    selector: new ForwardPartitioner<string>(),
    bufferTimeout: options.bufferTimeout,
  });
  const reader = new RecordReader<string>(pool, group, serializer);
  /** Reads what is visible now: records as strings, events as 'event <type>/<arg>', 'END' at the end. */
  const read = (into: string[]): ReadStatus => {
    for (;;) {
      const status = reader.next();
      if (status === ReadStatus.RECORD) into.push(reader.value!);
      else if (status === ReadStatus.EVENT) into.push(`event ${reader.eventType}/${reader.eventArg}`);
      else {
        if (status === ReadStatus.END) into.push('END');
        return status;
      }
    }
  };
  return { pool, writer, reader, read };
}

test('a record cut by a dry pool, and everything after it, waits in order until the consumer recycles', () => {
  const { pool, writer, read } = harness({ maxPerChannel: 1, ringCapacity: 16, bufferTimeout: -1 });
  const long = 'x'.repeat(SEGMENT_SIZE * 2 + 17); // spans three segments; only one can be held at a time
  writer.emit('a');
  assert.ok(writer.isAvailable(), 'the first segment takes the first record');
  writer.emit(long);
  assert.equal(writer.isAvailable(), false, 'the pool ran dry in the middle of the long record');
  writer.emit('b');
  writer.broadcastEvent(ChannelEvent.CHECKPOINT_BARRIER, 7);
  writer.emit('c');
  writer.close();
  assert.equal(writer.isAvailable(), false);
  assert.equal(writer.tryDrain(), false, 'nothing moves before the consumer gives a segment back');

  const seen: string[] = [];
  let rounds = 0;
  while (read(seen) !== ReadStatus.END) {
    rounds++;
    assert.ok(rounds < 100, `no progress after ${rounds} rounds; read ${JSON.stringify(seen)}`);
    writer.tryDrain(); // the reader recycled a segment: the backlog moves on by one
  }
  assert.deepEqual(seen, ['a', long, 'b', `event ${ChannelEvent.CHECKPOINT_BARRIER}/7`, 'c', 'END']);
  assert.ok(rounds >= 2, 'the long record needed the consumer to recycle segments on the way');
  assert.ok(writer.isAvailable());
  assert.equal(writer.numRecordsOut, 4);
  const stats = pool.stats();
  assert.equal(stats.availableSegments, stats.totalSegments);
});

test('whenAvailable settles when the consumer recycles a segment (RECYCLE_EPOCH, WAITERS)', { timeout: 30_000 }, async () => {
  const { pool, writer, read } = harness({ maxPerChannel: 1, ringCapacity: 16, bufferTimeout: -1 });
  const records = Array.from({ length: 40 }, (_, i) => `record ${i}`); // about 2.5 segments
  for (const r of records) writer.emit(r);
  writer.close();
  assert.equal(writer.isAvailable(), false);
  const seen: string[] = [];
  while (read(seen) !== ReadStatus.END) {
    let woken = false;
    const available = writer.whenAvailable(NEVER_MS).then(() => (woken = true));
    assert.equal(pool.words[HeaderWord.WAITERS]! > 0, true, 'the writer is registered in WAITERS');
    await Promise.resolve();
    assert.equal(woken, false, 'no segment came back yet');
    if (read(seen) === ReadStatus.END) break; // recycles the segment read to its end: notifies the waiter
    await available;
    writer.tryDrain();
  }
  assert.deepEqual(seen, [...records, 'END']);
  assert.equal(pool.words[HeaderWord.WAITERS], 0, 'no waiter left registered');
});

test('a full ring queues entries behind each other; whenAvailable settles when the consumer frees a slot', { timeout: 30_000 }, async () => {
  // bufferTimeout 0: every record is published as its own slice, two fit in the ring.
  const { writer, read } = harness({ maxPerChannel: 4, ringCapacity: 2, bufferTimeout: 0 });
  for (let i = 0; i < 5; i++) writer.emit(`r${i}`);
  writer.broadcastEvent(ChannelEvent.CHECKPOINT_BARRIER, 1);
  writer.emit('r5');
  writer.close();
  assert.equal(writer.isAvailable(), false, 'the ring is full');
  const seen: string[] = [];
  let woken = false;
  const available = writer.whenAvailable(NEVER_MS).then(() => (woken = true));
  await Promise.resolve();
  assert.equal(woken, false);
  read(seen); // takes both entries: READ_INDEX moves and PRODUCER_WAITING makes the reader notify
  await available;
  for (let rounds = 0; read(seen) !== ReadStatus.END; rounds++) {
    assert.ok(rounds < 20, `no progress; read ${JSON.stringify(seen)}`);
    writer.tryDrain(); // the reader freed ring slots: queued entries move on
  }
  assert.deepEqual(seen, ['r0', 'r1', 'r2', 'r3', 'r4', `event ${ChannelEvent.CHECKPOINT_BARRIER}/1`, 'r5', 'END']);
  assert.ok(writer.isAvailable());
});

test('backlogPeakBytes is the most one backlog held, and stays after it drained', () => {
  const { writer, read } = harness({ maxPerChannel: 1, ringCapacity: 16, bufferTimeout: -1 });
  assert.equal(writer.backlogPeakBytes, 0);
  while (writer.isAvailable()) writer.emit('fill');
  assert.ok(writer.backlogPeakBytes > 0, 'the record that found no segment went to the backlog');
  const before = writer.numBytesOut;
  for (let i = 0; i < 10; i++) writer.emit('y'.repeat(20));
  const queued = writer.numBytesOut - before; // all of it framed into the backlog, behind the first
  assert.ok(writer.backlogPeakBytes >= queued, `${writer.backlogPeakBytes} < ${queued}`);
  assert.ok(writer.backlogPeakBytes < queued + SEGMENT_SIZE, `${writer.backlogPeakBytes} counts more than the backlog held`);
  const peak = writer.backlogPeakBytes;
  const seen: string[] = [];
  for (let rounds = 0; !writer.tryDrain(); rounds++) {
    assert.ok(rounds < 100, 'the backlog did not drain');
    read(seen);
  }
  writer.emit('z');
  assert.equal(writer.backlogPeakBytes, peak, 'a high-water mark does not fall when the backlog drains');
});
