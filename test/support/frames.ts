import { DataInputView } from '../../src/types/data-input-view.js';
import { DataOutputView } from '../../src/types/data-output-view.js';
import type { TypeInformation } from '../../src/types/type-information.js';

/** Frames records as a channel carries them: `[int32 length][tag 0][payload]`, back to back. */
export function frameRecords<T>(type: TypeInformation<T>, records: readonly T[]): Buffer {
  const serializer = type.createSerializer();
  const out = new DataOutputView(1024);
  for (const record of records) {
    const start = out.pos;
    out.writeInt32(0);
    out.writeUint8(0);
    serializer.write(record, out);
    out.view.setInt32(start, out.pos - start - 4, true);
  }
  return Buffer.from(out.buf.subarray(0, out.pos));
}

/** Decodes framed records (tag 0) of `type` from `bytes[start, end)`. */
export function unframeRecords<T>(type: TypeInformation<T>, bytes: Uint8Array, start = 0, end = bytes.length): T[] {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const serializer = type.createSerializer();
  const input = new DataInputView();
  const records: T[] = [];
  let pos = start;
  while (pos < end) {
    const length = view.getInt32(pos, true);
    if (buf[pos + 4] !== 0) throw new Error(`unexpected tag ${buf[pos + 4]} at ${pos}`);
    input.reset(buf, view, pos + 5, pos + 4 + length);
    records.push(serializer.read(input));
    if (input.pos !== pos + 4 + length) throw new Error(`record at ${pos} not fully read`);
    pos += 4 + length;
  }
  return records;
}
