/**
 * Baseline: 32 KiB segments through a ringbuf.js byte ring between two workers.
 *
 * The producer waits until the ring has room for a whole segment and pushes it (one
 * `TypedArray.set` into the ring unless the segment wraps around its end). The consumer pops
 * into its own 32 KiB buffer until the segment is complete (ringbuf.js's `pop` always copies
 * with its unrolled JS loop) and checks it. Both sides poll, backing off after a long idle streak (lib/spin.ts).
 */
import { RingBuffer } from 'ringbuf.js';
import type { RoleContext, RoleResult, ScenarioSetup } from '../lib/scenario.js';
import { expectedSegmentChecksum, makeSource, PROBE_OFFSET, PROBE_VALUE, SEGMENT_BYTES } from '../lib/segments.js';
import { Spinner } from '../lib/spin.js';

export interface Params {
  segments: number;
  /** Ring capacity in bytes. */
  ringBytes: number;
}

interface Shared {
  sab: SharedArrayBuffer;
}

export function setup(params: Params): ScenarioSetup {
  return { shared: { sab: RingBuffer.getStorageForCapacity(params.ringBytes, Uint8Array) } satisfies Shared };
}

export function producer(ctx: RoleContext<Params, Shared>): RoleResult {
  const n = ctx.params.segments;
  const ring = new RingBuffer(ctx.shared.sab, Uint8Array);
  const { src, stamp } = makeSource();
  const spinner = new Spinner(ctx.aborted);
  ctx.start();
  for (let i = 0; i < n; i++) {
    stamp(i);
    while (ring.availableWrite() < SEGMENT_BYTES) spinner.spin();
    spinner.progress();
    const pushed = ring.push(src);
    if (pushed !== SEGMENT_BYTES) throw new Error(`ringbuf.js pushed ${pushed} of ${SEGMENT_BYTES} bytes`);
  }
  return { count: n, bytes: n * SEGMENT_BYTES, checksum: expectedSegmentChecksum(n), details: { idlePolls: spinner.idle, sleeps: spinner.sleeps } };
}

export function consumer(ctx: RoleContext<Params, Shared>): RoleResult {
  const n = ctx.params.segments;
  const ring = new RingBuffer(ctx.shared.sab, Uint8Array);
  const dst = new Uint8Array(SEGMENT_BYTES);
  const view = new DataView(dst.buffer);
  const spinner = new Spinner(ctx.aborted);
  let count = 0;
  let checksum = 0;
  let filled = 0;
  ctx.start();
  while (count < n) {
    const got = ring.pop(dst, SEGMENT_BYTES - filled, filled);
    if (got === 0) {
      spinner.spin();
      continue;
    }
    spinner.progress();
    filled += got;
    if (filled < SEGMENT_BYTES) continue;
    const head = view.getInt32(0, true);
    const tail = view.getInt32(SEGMENT_BYTES - 4, true);
    if (head !== count || tail !== count || dst[PROBE_OFFSET] !== PROBE_VALUE) {
      throw new Error(`segment ${count} is corrupt (head ${head}, tail ${tail}, probe ${dst[PROBE_OFFSET]})`);
    }
    checksum += head + tail;
    count++;
    filled = 0;
  }
  return { count, bytes: count * SEGMENT_BYTES, checksum, details: { idlePolls: spinner.idle, sleeps: spinner.sleeps } };
}
