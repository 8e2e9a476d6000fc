/**
 * Decodes framed records (`[int32 length][tag][payload]`, whole frames back to back) from a
 * byte range and pushes each value on with its timestamp (RECORD_WITH_TIMESTAMP frames; NO_TIMESTAMP
 * for RECORD frames): how a native operator's output enters the JS operators chained after it.
 */
import { errors } from '../../errors.js';
import { NO_TIMESTAMP, StreamElementTag, TIMESTAMP_BYTES } from '../../io/stream-element.js';
import { DataInputView } from '../../types/data-input-view.js';
import type { TypeInformation } from '../../types/type-information.js';
import type { TypeSerializer } from '../../types/type-serializer.js';


export class FrameDecoder {
  private readonly serializer: TypeSerializer<unknown>;
  private readonly input = new DataInputView();
  private buffer: Uint8Array | undefined;
  private buf: Buffer = Buffer.alloc(0);
  private view: DataView = new DataView(new ArrayBuffer(0));

  constructor(type: TypeInformation<unknown>, private readonly push: (record: unknown, timestamp: number) => void) {
    this.serializer = type.createSerializer();
  }

  decode(bytes: Uint8Array, start: number, end: number): void {
    if (bytes !== this.buffer) {
      this.buffer = bytes;
      this.buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    }
    const { buf, view, input, serializer } = this;
    let pos = start;
    while (pos < end) {
      const length = view.getInt32(pos, true);
      const frameEnd = pos + 4 + length;
      const tag = buf[pos + 4];
      let payload = pos + 5;
      let timestamp = NO_TIMESTAMP;
      if (tag === StreamElementTag.RECORD_WITH_TIMESTAMP && length > TIMESTAMP_BYTES) {
        timestamp = view.getFloat64(payload, true);
        payload += TIMESTAMP_BYTES;
      } else if (length < 1 || tag !== StreamElementTag.RECORD) {
        throw errors.internal(`malformed output frame at byte ${pos} of a native operator`);
      }
      if (frameEnd > end) throw errors.internal(`malformed output frame at byte ${pos} of a native operator`);
      input.reset(buf, view, payload, frameEnd);
      this.push(serializer.read(input), timestamp);
      pos = frameEnd;
    }
  }
}
