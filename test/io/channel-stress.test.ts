import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ChannelGroup } from '../../src/io/channel-group.js';
import { OutputFlusher } from '../../src/io/output-flusher.js';
import { NetworkBufferPool } from '../../src/memory/network-buffer-pool.js';
import type { ConsumeTask, ProduceTask, StressResult } from '../fixtures/channel-stress-worker.js';
import { runWorker } from '../support/run-worker.js';

/** Records for the big run; STROM_STRESS_RECORDS lowers it for slow (sanitizer) builds. */
const RECORDS = Number(process.env.STROM_STRESS_RECORDS ?? 10_000_000);
const SEGMENT_SIZE = 8192;
const NUM_SEGMENTS = 8;

interface Setup {
  pool: NetworkBufferPool;
  group: ChannelGroup;
  localPools: number[];
}

/** One consumer fed by `producers` producers, each with its own local pool of one subpartition. */
function setup(producers: number, numSegments = NUM_SEGMENTS): Setup {
  const pool = NetworkBufferPool.create({ segmentSize: SEGMENT_SIZE, numSegments });
  const group = ChannelGroup.create(producers, 16);
  // exclusive 1 + floating up to 3, at most 4 segments per channel.
  const localPools = Array.from({ length: producers }, () => pool.createLocalPool(1, 1, 3, 4));
  return { pool, group, localPools };
}

async function run(s: Setup, counts: number[], options: { bufferTimeout: number; flusher?: OutputFlusher; slowProducerUs?: number; slowConsumerUs?: number }) {
  const consumer = runWorker<StressResult>('channel-stress-worker.js', {
    role: 'consume',
    pool: s.pool.buffer,
    group: s.group.buffer,
    slowUs: options.slowConsumerUs ?? 0,
  } satisfies ConsumeTask);
  const producers = counts.map((count, channel) =>
    runWorker<StressResult>('channel-stress-worker.js', {
      role: 'produce',
      pool: s.pool.buffer,
      group: s.group.buffer,
      channel,
      localPool: s.localPools[channel]!,
      count,
      bufferTimeout: options.bufferTimeout,
      flushClock: options.flusher?.buffer,
      slowUs: options.slowProducerUs ?? 0,
    } satisfies ProduceTask),
  );
  const [consumed, ...produced] = await Promise.all([consumer, ...producers]);
  return { consumed: consumed!, produced };
}

function assertDelivered(s: Setup, consumed: StressResult, produced: StressResult[]) {
  assert.equal(consumed.orderErrors, 0, 'records arrived out of order or altered');
  produced.forEach((p, channel) => {
    assert.equal(consumed.count[channel], p.count[0], `channel ${channel}: records lost or duplicated`);
    assert.equal(consumed.checksum[channel], p.checksum[0], `channel ${channel}: checksum differs`);
  });
  const stats = s.pool.stats();
  assert.equal(stats.availableSegments, stats.totalSegments, 'every segment is back in the pool');
  assert.ok(stats.highWaterUsed <= stats.totalSegments, 'the pool never hands out more than it owns');
  for (const id of s.localPools) assert.equal(s.pool.localPoolStats(id).held, 0);
}

test(`moves ${RECORDS} records between two worker threads through ${NUM_SEGMENTS} segments, in order`, async () => {
  const s = setup(1);
  const { consumed, produced } = await run(s, [RECORDS], { bufferTimeout: -1 });
  assertDelivered(s, consumed, produced);
  assert.ok(s.pool.stats().highWaterUsed <= 4, 'one channel holds at most max-buffers-per-channel segments');
});

test('two producers into one consumer keep per-channel order, flushing every record', async () => {
  const s = setup(2);
  const { consumed, produced } = await run(s, [60_000, 40_000], { bufferTimeout: 0 });
  assertDelivered(s, consumed, produced);
});

// What this proves: with a ticking flusher a slow producer's records all arrive, in order, across
// threads. That the flusher publishes partly filled segments before close() cannot be seen here
// (close() publishes everything anyway); record-writer-reader.test.ts checks it deterministically.
test('a slow producer with a ticking output flusher delivers every record in order across threads', async () => {
  const s = setup(1);
  const flusher = new OutputFlusher().start(2);
  try {
    // 2000 small records at ~50 µs each fill far less than one segment per tick.
    const { consumed, produced } = await run(s, [2000], { bufferTimeout: 2, flusher, slowProducerUs: 50 });
    assertDelivered(s, consumed, produced);
  } finally {
    flusher.stop();
  }
});

test('a slow consumer back-pressures the producer, within the configured memory', async () => {
  const s = setup(1);
  const { consumed, produced } = await run(s, [200_000], { bufferTimeout: -1, slowConsumerUs: 1 });
  assertDelivered(s, consumed, produced);
  assert.ok(produced[0]!.waitedMs > 0, 'the producer waited for buffers');
  assert.ok(produced[0]!.maxHeldSeen <= 4 && consumed.maxHeldSeen <= 4, 'in-flight segments stay within max-buffers-per-channel');
  assert.equal(s.pool.buffer.byteLength, s.pool.segmentsOffset + SEGMENT_SIZE * NUM_SEGMENTS, 'memory is exactly the configured size');
});
