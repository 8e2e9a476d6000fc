/** Serializer for `Types.BOOLEAN`: one byte, 0 or 1 (any other byte is corrupt). */

import type { DataInputView } from './data-input-view.js';
import type { DataOutputView } from './data-output-view.js';
import { serializationFailure } from './serialization-failure.js';
import type { TypeSerializer } from './type-serializer.js';

/** Encodes `true`/`false`; truthy or falsy non-booleans are rejected. */
export class BooleanSerializer implements TypeSerializer<boolean> {
  /** Shared instance; the serializer is stateless. */
  static readonly INSTANCE = new BooleanSerializer();
  /** @inheritdoc */
  readonly typeName = 'BOOLEAN';

  /** Always 1. */
  maxSize(_value: boolean): number {
    return 1;
  }

  /** @inheritdoc */
  write(value: boolean, out: DataOutputView): void {
    if (typeof value !== 'boolean') throw serializationFailure(this.typeName, value, 'expected a boolean');
    out.writeBoolean(value);
  }

  /** @inheritdoc */
  read(input: DataInputView): boolean {
    return input.readBoolean();
  }
}
