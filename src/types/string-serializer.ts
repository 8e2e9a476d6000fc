/** Serializer for `Types.STRING`: int32 UTF-8 byte length + UTF-8 bytes (see `DataOutputView.writeString`). */

import type { DataInputView } from './data-input-view.js';
import type { DataOutputView } from './data-output-view.js';
import { serializationFailure } from './serialization-failure.js';
import type { TypeSerializer } from './type-serializer.js';

/**
 * Encodes JS strings as UTF-8. Lone surrogates cannot be represented in UTF-8 and are written
 * as U+FFFD, so such a string reads back with U+FFFD in their place (the only lossy case).
 */
export class StringSerializer implements TypeSerializer<string> {
  /** Shared instance; the serializer is stateless. */
  static readonly INSTANCE = new StringSerializer();
  /** @inheritdoc */
  readonly typeName = 'STRING';

  /** `4 + 3 * length` (a UTF-16 unit never needs more than 3 UTF-8 bytes); NaN for non-strings. */
  maxSize(value: string): number {
    return typeof value === 'string' ? 4 + 3 * value.length : NaN;
  }

  /** @inheritdoc */
  write(value: string, out: DataOutputView): void {
    if (typeof value !== 'string') throw serializationFailure(this.typeName, value, 'expected a string');
    out.writeString(value);
  }

  /** @inheritdoc */
  read(input: DataInputView): string {
    return input.readString();
  }
}
