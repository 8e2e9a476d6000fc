/**
 * Small records (`[10-char string, number]`) between two worker threads: strom's channel
 * (RecordWriter -> RecordReader) against postMessage and ringbuf.js carrying the same records.
 */
import { PAYLOAD_BYTES } from '../lib/records.js';
import { threadBenchmark } from '../lib/thread-scenario.js';
import type { Suite } from '../lib/types.js';
import type { Params as ChannelParams } from '../scenarios/channel-records.js';
import type { Params as PostMessageParams } from '../scenarios/postmessage-records.js';
import type { Params as RingbufParams } from '../scenarios/ringbuf-records.js';

const scenario = (file: string): string => new URL(`../scenarios/${file}`, import.meta.url).href;
const count = (base: number, scale: number): number => Math.max(1000, Math.round(base * scale));

export const POSTMESSAGE = 'postMessage small records';
export const RINGBUF = 'ringbuf.js small records';
export const CHANNEL = 'channel small records';

export const suite: Suite = {
  name: 'small-records',
  benchmarks: [
    threadBenchmark<PostMessageParams>({
      name: POSTMESSAGE,
      unit: 'records/s',
      method:
        'worker A posts each [string, number] record as its own message on a MessageChannel port, worker B counts them ' +
        'in its message handler; no flow control; consumer time from barrier to last record',
      moduleUrl: scenario('postmessage-records.js'),
      params: (scale) => ({ records: count(1_000_000, scale) }),
      expectedCount: (p) => p.records,
    }),
    threadBenchmark<RingbufParams>({
      name: RINGBUF,
      unit: 'records/s',
      baseline: POSTMESSAGE,
      method:
        `the same records serialized with strom's TUPLE(STRING, DOUBLE) serializer and framing (${PAYLOAD_BYTES + 5} bytes each) ` +
        'into 16 KiB batches, pushed whole through a 320 KiB ringbuf.js RingBuffer<Uint8Array>; the consumer pops, ' +
        'decodes every record and carries cut records over; both sides busy-poll',
      moduleUrl: scenario('ringbuf-records.js'),
      params: (scale) => ({ records: count(20_000_000, scale), ringBytes: 10 * 32 * 1024, batchBytes: 16 * 1024 }),
      expectedCount: (p) => p.records,
    }),
    threadBenchmark<ChannelParams>({
      name: CHANNEL,
      unit: 'records/s',
      baseline: POSTMESSAGE,
      method:
        'RecordWriter (TUPLE(STRING, DOUBLE), forward partitioner, bufferTimeout -1) -> one channel -> RecordReader; ' +
        '32 KiB segments, local pool (1, 2, 8, 10), ring of 16 entries; the consumer deserializes every record and ' +
        'sleeps in waitForInput when empty',
      moduleUrl: scenario('channel-records.js'),
      params: (scale) => ({
        records: count(10_000_000, scale),
        numSegments: 64,
        localPool: [2, 8, 10],
        ringCapacity: 16,
        waitMs: 50,
      }),
      expectedCount: (p) => p.records,
    }),
  ],
  goals: [{ name: 'small records: channel >= 25x postMessage per record', benchmark: CHANNEL, minRatio: 25 }],
};
