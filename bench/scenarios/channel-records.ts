/**
 * strom: small records over one channel with RecordWriter -> RecordReader.
 *
 * The producer emits `[key, value]` records through a RecordWriter (TUPLE(STRING, DOUBLE)
 * serializer, forward partitioner, `bufferTimeout: -1`: segments are handed over when full, as
 * in a throughput-bound Flink job). When the writer is unavailable (no segment: its record went
 * to the writer's backlog) it polls `tryDrain` (strom's adaptive `SpinBudget`),
 * then awaits `whenAvailable`, as a task slot does. The consumer reads them with
 * RecordReader.nextBatch, deserializing each record in place, and waits with `waitForInput`
 * (strom's adaptive poll, then a sleep) when nothing is there.
 */
import { checksumStep, expectedChecksum } from '../lib/records.js';
import { makeRecord } from '../lib/records.js';
import { awaitReady } from '../lib/await-ready.js';
import type { RoleContext, RoleResult, ScenarioSetup } from '../lib/scenario.js';
import {
  ChannelGroup,
  ChannelProducer,
  ForwardPartitioner,
  NetworkBufferPool,
  ReadStatus,
  RecordReader,
  RecordWriter,
  SpinBudget,
  Types,
} from '../lib/strom.js';
import { SEGMENT_BYTES } from '../lib/segments.js';

export interface Params {
  records: number;
  numSegments: number;
  /** createLocalPool(1, exclusive, maxFloating, maxPerSubpartition). */
  localPool: [exclusive: number, maxFloating: number, maxPerSubpartition: number];
  ringCapacity: number;
  /** Consumer sleep slice in ms. */
  waitMs: number;
  /** Polls of empty input before the consumer sleeps (0: sleep at once, as RecordReader does). */
  consumerSpins?: number;
}

interface Shared {
  pool: SharedArrayBuffer;
  group: SharedArrayBuffer;
  localPool: number;
}

/** Framing overhead per record: int32 length + tag. */
const HEADER_BYTES = 5;

export function setup(params: Params): ScenarioSetup {
  const pool = NetworkBufferPool.create({ segmentSize: SEGMENT_BYTES, numSegments: params.numSegments });
  const [exclusive, floating, maxPer] = params.localPool;
  const localPool = pool.createLocalPool(1, exclusive, floating, maxPer);
  const group = ChannelGroup.create(1, params.ringCapacity);
  return { shared: { pool: pool.buffer, group: group.buffer, localPool } satisfies Shared, abort: () => group.cancel() };
}


/**
 * Emits records `from..n-1` until the writer becomes unavailable; returns the next index. A plain
 * function, so the hot loop is optimized on the stack (V8 does not OSR into async functions).
 */
function emitWhileAvailable(writer: RecordWriter<[string, number]>, from: number, n: number): number {
  let i = from;
  while (i < n) {
    writer.emit(makeRecord(i++));
    if (!writer.isAvailable()) break;
  }
  return i;
}

export async function producer(ctx: RoleContext<Params, Shared>): Promise<RoleResult> {
  const n = ctx.params.records;
  const pool = NetworkBufferPool.attach(ctx.shared.pool);
  const group = ChannelGroup.attach(ctx.shared.group);
  const writer = new RecordWriter<[string, number]>({
    pool,
    localPool: ctx.shared.localPool,
    channels: [new ChannelProducer(group, 0)],
    serializer: Types.TUPLE(Types.STRING, Types.DOUBLE).createSerializer() as never,
    selector: new ForwardPartitioner<[string, number]>(),
    bufferTimeout: -1,
  });
  const aborted = () => ctx.aborted() || group.cancelled;
  const drain = () => writer.tryDrain();
  const wake = (retry: () => boolean, timeoutMs: number) => writer.whenAvailable(timeoutMs);
  const spin = new SpinBudget();
  let waits = 0;
  ctx.start();
  for (let i = 0; i < n; ) {
    i = emitWhileAvailable(writer, i, n);
    if (!writer.isAvailable()) {
      waits++;
      await awaitReady(drain, wake, spin, ctx.params.waitMs, aborted);
    }
  }
  writer.close();
  if (!writer.isAvailable()) await awaitReady(drain, wake, spin, ctx.params.waitMs, aborted);
  return {
    count: writer.numRecordsOut,
    bytes: writer.numBytesOut - HEADER_BYTES * writer.numRecordsOut,
    checksum: expectedChecksum(n),
    details: { unavailable: waits },
  };
}

export function consumer(ctx: RoleContext<Params, Shared>): RoleResult {
  const pool = NetworkBufferPool.attach(ctx.shared.pool);
  const group = ChannelGroup.attach(ctx.shared.group);
  const serializer = Types.TUPLE(Types.STRING, Types.DOUBLE).createSerializer() as never;
  const reader = new RecordReader<[string, number]>(pool, group, serializer);
  const waitMs = ctx.params.waitMs;
  let count = 0;
  let checksum = 0;
  const spins = ctx.params.consumerSpins ?? 0;
  let sleeps = 0;
  ctx.start();
  const sink = (record: [string, number]) => {
    checksum = checksumStep(checksum, count, record[0], record[1]);
    count++;
  };
  for (;;) {
    const status = reader.nextBatch(sink);
    if (status === ReadStatus.RECORD) {
      continue;
    } else if (status === ReadStatus.EMPTY) {
      if (spins > 0) {
        let i = 0;
        while (i < spins && !reader.hasInput()) i++;
        if (i < spins) continue;
      }
      sleeps++;
      if (!reader.waitForInput(waitMs) || ctx.aborted()) throw new Error('cancelled while waiting for input');
    } else if (status === ReadStatus.END) {
      break;
    } else {
      throw new Error(`unexpected status ${status} (event ${reader.eventType})`);
    }
  }
  if (reader.numRecordsIn !== count) throw new Error(`reader counted ${reader.numRecordsIn}, we counted ${count}`);
  return {
    count,
    bytes: reader.numBytesIn - HEADER_BYTES * count,
    checksum,
    details: { sleeps, idleMs: reader.idleNs / 1e6 },
  };
}
