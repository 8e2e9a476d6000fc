/**
 * strom: raw 32 KiB segment hand-off over a channel, no records.
 *
 * The producer takes a segment from its local buffer pool (when its quota is used up it polls
 * (strom's adaptive `SpinBudget`), then awaits `whenRecycled`: strom's
 * non-blocking back-pressure, as a task slot waits), copies the source segment into network
 * memory with one `Buffer.set` (the same bytes the baselines move), and publishes it as FINAL on
 * channel 0. The consumer reads the segment in place (zero copy), checks it, releases the ring
 * slot and recycles the segment.
 * When the ring is empty it waits with `ChannelGroup.waitForData`.
 */
import { awaitReady } from '../lib/await-ready.js';
import type { RoleContext, RoleResult, ScenarioSetup } from '../lib/scenario.js';
import { expectedSegmentChecksum, makeSource, PROBE_OFFSET, PROBE_VALUE, SEGMENT_BYTES } from '../lib/segments.js';
import {
  ChannelConsumer,
  ChannelEvent,
  ChannelGroup,
  ChannelProducer,
  EVENT_SEGMENT,
  FLAG_FINAL,
  NetworkBufferPool,
  SpinBudget,
} from '../lib/strom.js';

export interface Params {
  segments: number;
  /** Segments of network memory. */
  numSegments: number;
  /** createLocalPool(1, exclusive, maxFloating, maxPerSubpartition). */
  localPool: [exclusive: number, maxFloating: number, maxPerSubpartition: number];
  /** Ring entries of the channel. */
  ringCapacity: number;
  /** Consumer sleep slice in ms. */
  waitMs: number;
  /** Polls of an empty ring before the consumer sleeps (0: sleep at once, as RecordReader does). */
  consumerSpins?: number;
}

interface Shared {
  pool: SharedArrayBuffer;
  group: SharedArrayBuffer;
  localPool: number;
}

export function setup(params: Params): ScenarioSetup {
  const pool = NetworkBufferPool.create({ segmentSize: SEGMENT_BYTES, numSegments: params.numSegments });
  const [exclusive, floating, maxPer] = params.localPool;
  const localPool = pool.createLocalPool(1, exclusive, floating, maxPer);
  const group = ChannelGroup.create(1, params.ringCapacity);
  return { shared: { pool: pool.buffer, group: group.buffer, localPool } satisfies Shared, abort: () => group.cancel() };
}


/** The segment the producer holds between runs of `sendWhileReady` (-1: none), and whether it is filled. */
interface Pending {
  segment: number;
  filled: boolean;
}

/**
 * Fills and publishes segments `from..n-1` while a segment and a ring slot can be had; returns
 * the next index. A plain function, so the loop is optimized on the stack (V8 does not OSR into
 * async functions).
 */
function sendWhileReady(
  pool: NetworkBufferPool,
  channel: ChannelProducer,
  localPool: number,
  source: ReturnType<typeof makeSource>,
  from: number,
  n: number,
  pending: Pending,
): number {
  const buf = pool.buf;
  let i = from;
  while (i < n) {
    if (pending.segment < 0 && (pending.segment = pool.tryRequestSegment(localPool, 0)) < 0) break;
    if (!pending.filled) {
      source.stamp(i);
      buf.set(source.src, pool.segmentOffset(pending.segment));
      pending.filled = true;
    }
    if (!channel.tryPublish(pending.segment, 0, SEGMENT_BYTES, FLAG_FINAL)) break;
    pending.segment = -1;
    pending.filled = false;
    i++;
  }
  return i;
}

export async function producer(ctx: RoleContext<Params, Shared>): Promise<RoleResult> {
  const n = ctx.params.segments;
  const pool = NetworkBufferPool.attach(ctx.shared.pool);
  const group = ChannelGroup.attach(ctx.shared.group);
  const channel = new ChannelProducer(group, 0);
  const localPool = ctx.shared.localPool;
  const source = makeSource();
  const aborted = (): boolean => ctx.aborted() || group.cancelled;
  const waitMs = ctx.params.waitMs;
  const pending: Pending = { segment: -1, filled: false };
  const request = (): boolean => (pending.segment = pool.tryRequestSegment(localPool, 0)) >= 0;
  const hasSpace = (): boolean => channel.hasSpace();
  const recycled = (retry: () => boolean, timeoutMs: number) => pool.whenRecycled(retry, timeoutMs);
  const space = (retry: () => boolean, timeoutMs: number) => channel.whenSpace(retry, timeoutMs);
  const spin = new SpinBudget();
  let waits = 0;
  ctx.start();
  for (let i = 0; i < n; ) {
    i = sendWhileReady(pool, channel, localPool, source, i, n, pending);
    if (i === n) break;
    waits++;
    if (pending.segment >= 0) await awaitReady(hasSpace, space, spin, waitMs, aborted);
    else await awaitReady(request, recycled, spin, waitMs, aborted);
  }
  const end = () => channel.tryPublishEvent(ChannelEvent.END_OF_PARTITION);
  if (!end()) await awaitReady(end, space, spin, waitMs, aborted);
  return {
    count: n,
    bytes: n * SEGMENT_BYTES,
    checksum: expectedSegmentChecksum(n),
    details: { unavailable: waits },
  };
}

export function consumer(ctx: RoleContext<Params, Shared>): RoleResult {
  const pool = NetworkBufferPool.attach(ctx.shared.pool);
  const group = ChannelGroup.attach(ctx.shared.group);
  const channel = new ChannelConsumer(group, 0);
  const view = pool.view;
  const buf = pool.buf;
  const waitMs = ctx.params.waitMs;
  const hasEntry = (): boolean => channel.hasEntry();
  let count = 0;
  let bytes = 0;
  let checksum = 0;
  const spins = ctx.params.consumerSpins ?? 0;
  let sleeps = 0;
  ctx.start();
  for (;;) {
    if (!channel.poll()) {
      if (spins > 0) {
        let i = 0;
        while (i < spins && !channel.hasEntry()) i++;
        if (i < spins) continue;
      }
      sleeps++;
      if (!group.waitForData(hasEntry, waitMs) || ctx.aborted()) throw new Error('cancelled while waiting for data');
      continue;
    }
    const segment = channel.segment;
    if (segment === EVENT_SEGMENT) {
      const type = channel.start;
      channel.release();
      if (type === ChannelEvent.END_OF_PARTITION) break;
      throw new Error(`unexpected event ${type}`);
    }
    const off = pool.segmentOffset(segment) + channel.start;
    const length = channel.end - channel.start;
    const head = view.getInt32(off, true);
    const tail = view.getInt32(off + SEGMENT_BYTES - 4, true);
    if (length !== SEGMENT_BYTES || head !== count || tail !== count || buf[off + PROBE_OFFSET] !== PROBE_VALUE) {
      throw new Error(`segment ${count} is corrupt (length ${length}, head ${head}, tail ${tail})`);
    }
    if ((channel.flags & FLAG_FINAL) === 0) throw new Error(`segment ${count} was not published as final`);
    checksum += head + tail;
    bytes += length;
    count++;
    channel.release();
    pool.recycleSegment(segment);
  }
  return { count, bytes, checksum, details: { sleeps } };
}
