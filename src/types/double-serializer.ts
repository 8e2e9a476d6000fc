/** Serializer for `Types.DOUBLE` / `Types.NUMBER`: 8-byte little-endian IEEE-754. */

import type { DataInputView } from './data-input-view.js';
import type { DataOutputView } from './data-output-view.js';
import { serializationFailure } from './serialization-failure.js';
import type { TypeSerializer } from './type-serializer.js';

/** Encodes any JS number exactly, including -0, NaN and the infinities. */
export class DoubleSerializer implements TypeSerializer<number> {
  /** Shared instance; the serializer is stateless. */
  static readonly INSTANCE = new DoubleSerializer();
  /** @inheritdoc */
  readonly typeName = 'DOUBLE';

  /** Always 8. */
  maxSize(_value: number): number {
    return 8;
  }

  /** @inheritdoc */
  write(value: number, out: DataOutputView): void {
    if (typeof value !== 'number') throw serializationFailure(this.typeName, value, 'expected a number');
    out.writeFloat64(value);
  }

  /** @inheritdoc */
  read(input: DataInputView): number {
    return input.readFloat64();
  }
}
