/**
 * Decodes framed records (`[int32 length][tag][payload]`, whole frames back to back) from a
 * byte range and pushes each value on: how a native operator's output enters the JS operators
 * chained after it.
 */
import { errors } from '../../errors.js';
import { StreamElementTag } from '../../io/stream-element.js';
import { DataInputView } from '../../types/data-input-view.js';
import type { TypeInformation } from '../../types/type-information.js';
import type { TypeSerializer } from '../../types/type-serializer.js';


export class FrameDecoder {
  private readonly serializer: TypeSerializer<unknown>;
  private readonly input = new DataInputView();
  private buffer: Uint8Array | undefined;
  private buf: Buffer = Buffer.alloc(0);
  private view: DataView = new DataView(new ArrayBuffer(0));

  constructor(type: TypeInformation<unknown>, private readonly push: (record: unknown) => void) {
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
      if (length < 1 || frameEnd > end || buf[pos + 4] !== StreamElementTag.RECORD) {
        throw errors.internal(`malformed output frame at byte ${pos} of a native operator`);
      }
      input.reset(buf, view, pos + 5, frameEnd);
      this.push(serializer.read(input));
      pos = frameEnd;
    }
  }
}
