/**
 * Raw 32 KiB segments between two worker threads (no records): strom's channel hand-off
 * against ringbuf.js moving the same bytes, both relative to the single-thread memory-copy
 * ceiling (`TypedArray.set` of the same chunks).
 */
import { microBenchmark } from '../lib/micro.js';
import { makeSource, SEGMENT_BYTES } from '../lib/segments.js';
import { threadBenchmark } from '../lib/thread-scenario.js';
import type { Suite } from '../lib/types.js';
import type { Params as ChannelParams } from '../scenarios/channel-segments.js';
import type { Params as RingbufParams } from '../scenarios/ringbuf-segments.js';

const scenario = (file: string): string => new URL(`../scenarios/${file}`, import.meta.url).href;
const count = (base: number, scale: number): number => Math.max(100, Math.round(base * scale));

export const MEMCPY = 'TypedArray.set 32 KiB copy';
export const RINGBUF = 'ringbuf.js 32 KiB segments';
export const CHANNEL = 'channel 32 KiB segments';

/** Destination segments the copy rotates through: one local pool's quota, like the channel. */
const COPY_TARGETS = 10;
/** Copies per tinybench iteration, so timer overhead (~0.1 µs) is negligible against ~1 µs copies. */
const COPIES_PER_ITERATION = 64;

export const suite: Suite = {
  name: 'segments',
  benchmarks: [
    (() => {
      let dst: Uint8Array | undefined;
      return microBenchmark({
        name: MEMCPY,
        unit: 'bytes/s',
        method:
          `single thread: Uint8Array.set of a 32 KiB source into ${COPY_TARGETS} rotating 32 KiB slots of a SharedArrayBuffer ` +
          `(the memory-copy ceiling); ${COPIES_PER_ITERATION} copies per tinybench iteration, median iteration time`,
        unitsPerIteration: COPIES_PER_ITERATION * SEGMENT_BYTES,
        prepare() {
          const { src, stamp } = makeSource();
          stamp(0x5eed);
          const target = new Uint8Array(new SharedArrayBuffer(COPY_TARGETS * SEGMENT_BYTES));
          dst = target;
          let slot = 0;
          return () => {
            for (let i = 0; i < COPIES_PER_ITERATION; i++) {
              target.set(src, slot * SEGMENT_BYTES);
              slot = slot + 1 === COPY_TARGETS ? 0 : slot + 1;
            }
          };
        },
        verify() {
          const view = new DataView(dst!.buffer);
          for (let s = 0; s < COPY_TARGETS; s++) {
            if (view.getInt32(s * SEGMENT_BYTES, true) !== 0x5eed) throw new Error(`slot ${s} was never copied to`);
          }
        },
      });
    })(),
    threadBenchmark<RingbufParams>({
      name: RINGBUF,
      unit: 'bytes/s',
      itemUnit: 'segments/s',
      baseline: MEMCPY,
      method:
        '32 KiB chunks pushed whole into a 320 KiB ringbuf.js RingBuffer<Uint8Array> (TypedArray.set unless wrapping), ' +
        'popped into a 32 KiB buffer (ringbuf.js copies out with its JS loop) and checked; both sides busy-poll',
      moduleUrl: scenario('ringbuf-segments.js'),
      params: (scale) => ({ segments: count(60_000, scale), ringBytes: 10 * SEGMENT_BYTES }),
      expectedCount: (p) => p.segments,
    }),
    threadBenchmark<ChannelParams>({
      name: CHANNEL,
      unit: 'bytes/s',
      itemUnit: 'segments/s',
      baseline: MEMCPY,
      method:
        'producer: requestSegment from a local pool (1, 2, 8, 10), Buffer.set of the 32 KiB source into the segment, ' +
        'publish FINAL; consumer: poll, check head/tail/probe bytes in place (zero copy), release, recycleSegment; ' +
        'waitForData when empty',
      moduleUrl: scenario('channel-segments.js'),
      params: (scale) => ({
        segments: count(300_000, scale),
        numSegments: 64,
        localPool: [2, 8, 10],
        ringCapacity: 16,
        waitMs: 50,
      }),
      expectedCount: (p) => p.segments,
    }),
  ],
  goals: [{ name: 'raw segments: channel >= 30% of the TypedArray.set copy rate', benchmark: CHANNEL, minRatio: 0.3 }],
};
