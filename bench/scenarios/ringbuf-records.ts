/**
 * Baseline: the same small records through a ringbuf.js byte ring between two workers.
 *
 * Both sides use strom's own TUPLE(STRING, DOUBLE) serializer and strom's framing
 * (`[int32 length][tag][payload]`), so the bytes and the encode/decode work are identical to
 * the channel benchmark and only the transport differs. The producer serializes records into a
 * private batch buffer and, once the next record would not fit, waits for that much ring space
 * and pushes the whole batch (ringbuf.js copies a whole typed array with `TypedArray.set`;
 * partial pushes fall back to a JS loop). The consumer pops whatever is there into its own
 * buffer, decodes every complete record and carries a cut record over to the next pop.
 * Both sides poll (ringbuf.js cannot sleep), backing off after a long idle streak (lib/spin.ts).
 */
import { RingBuffer } from 'ringbuf.js';
import { checksumStep, expectedChecksum, makeRecord, PAYLOAD_BYTES } from '../lib/records.js';
import type { RoleContext, RoleResult, ScenarioSetup } from '../lib/scenario.js';
import { Spinner } from '../lib/spin.js';
import { DataInputView, DataOutputView, StreamElementTag, Types } from '../lib/strom-types.js';

export interface Params {
  records: number;
  /** Ring capacity in bytes. */
  ringBytes: number;
  /** Producer batch size in bytes. */
  batchBytes: number;
}

interface Shared {
  sab: SharedArrayBuffer;
}

export function setup(params: Params): ScenarioSetup {
  return { shared: { sab: RingBuffer.getStorageForCapacity(params.ringBytes, Uint8Array) } satisfies Shared };
}

function newBuffer(size: number): { buf: Buffer; view: DataView } {
  const buf = Buffer.allocUnsafeSlow(size);
  return { buf, view: new DataView(buf.buffer, buf.byteOffset, buf.byteLength) };
}

export function producer(ctx: RoleContext<Params, Shared>): RoleResult {
  const { records: n, batchBytes } = ctx.params;
  const ring = new RingBuffer(ctx.shared.sab, Uint8Array);
  const serializer = Types.TUPLE(Types.STRING, Types.DOUBLE).createSerializer();
  const { buf, view } = newBuffer(batchBytes);
  const out = DataOutputView.over(buf, view);
  const spinner = new Spinner(ctx.aborted);
  const push = (length: number): void => {
    while (ring.availableWrite() < length) spinner.spin();
    spinner.progress();
    const pushed = ring.push(buf.subarray(0, length));
    if (pushed !== length) throw new Error(`ringbuf.js pushed ${pushed} of ${length} bytes`);
  };
  let bytes = 0;
  let pos = 0;
  ctx.start();
  for (let i = 0; i < n; i++) {
    const record = makeRecord(i);
    if (pos + 5 + serializer.maxSize(record) > batchBytes) {
      push(pos);
      pos = 0;
    }
    out.pos = pos + 5;
    out.limit = batchBytes;
    serializer.write(record, out);
    const length = out.pos - pos - 4;
    view.setInt32(pos, length, true);
    buf[pos + 4] = StreamElementTag.RECORD;
    bytes += length - 1;
    pos = out.pos;
  }
  if (pos > 0) push(pos);
  return { count: n, bytes, checksum: expectedChecksum(n), details: { idlePolls: spinner.idle, sleeps: spinner.sleeps } };
}

export function consumer(ctx: RoleContext<Params, Shared>): RoleResult {
  const { records: n, batchBytes } = ctx.params;
  const ring = new RingBuffer(ctx.shared.sab, Uint8Array);
  const serializer = Types.TUPLE(Types.STRING, Types.DOUBLE).createSerializer();
  const { buf, view } = newBuffer(batchBytes * 2);
  const input = new DataInputView();
  const spinner = new Spinner(ctx.aborted);
  let count = 0;
  let bytes = 0;
  let checksum = 0;
  let filled = 0;
  ctx.start();
  while (count < n) {
    const got = ring.pop(buf, buf.length - filled, filled);
    if (got === 0) {
      spinner.spin();
      continue;
    }
    spinner.progress();
    filled += got;
    let pos = 0;
    while (pos + 4 <= filled) {
      const length = view.getInt32(pos, true);
      const end = pos + 4 + length;
      if (end > filled) break;
      if (buf[pos + 4] !== StreamElementTag.RECORD) throw new Error(`bad tag at record ${count}`);
      input.reset(buf, view, pos + 5, end);
      const record = serializer.read(input) as [string, number];
      checksum = checksumStep(checksum, count, record[0], record[1]);
      count++;
      bytes += length - 1;
      pos = end;
    }
    if (pos > 0) {
      buf.copyWithin(0, pos, filled);
      filled -= pos;
    }
  }
  if (bytes !== n * PAYLOAD_BYTES) throw new Error(`received ${bytes} payload bytes, expected ${n * PAYLOAD_BYTES}`);
  return { count, bytes, checksum, details: { idlePolls: spinner.idle, sleeps: spinner.sleeps } };
}
