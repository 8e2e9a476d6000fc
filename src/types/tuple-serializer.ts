/**
 * Serializer for `Types.TUPLE(...)`: the fields' encodings back to back, no header (the arity
 * is part of the type). The field loops are compiled once per tuple type (see
 * `compiled-fields.ts`).
 */

import { compileFields, type CompiledFields } from './compiled-fields.js';
import type { DataInputView } from './data-input-view.js';
import type { DataOutputView } from './data-output-view.js';
import { fieldFailure, serializationFailure } from './serialization-failure.js';
import type { TypeSerializer } from './type-serializer.js';

/** Encodes JS arrays of a fixed arity whose element `i` has the type of field `i`; reads back plain arrays. */
export class TupleSerializer<T extends unknown[]> implements TypeSerializer<T> {
  /** @inheritdoc */
  readonly typeName: string;
  private readonly arity: number;
  private readonly compiled: CompiledFields;

  /** @param fields one serializer per position, created once and reused for every record. */
  constructor(fields: readonly TypeSerializer<unknown>[]) {
    const typeName = `TUPLE(${fields.map((f) => f.typeName).join(', ')})`;
    this.typeName = typeName;
    this.arity = fields.length;
    this.compiled = compileFields({
      kind: 'array',
      names: [],
      fields,
      missing: () => undefined,
      failed: (value, i, cause) => fieldFailure(typeName, value, i, cause),
    });
  }

  /** Sum of the fields' bounds; -1 if any field's is unknown; NaN if `value` is not an array of the right arity. */
  maxSize(value: T): number {
    if (!Array.isArray(value) || value.length !== this.arity) return NaN;
    return this.compiled.maxSize(value);
  }

  /** @inheritdoc */
  write(value: T, out: DataOutputView): void {
    if (!Array.isArray(value)) throw serializationFailure(this.typeName, value, 'expected an array');
    if (value.length !== this.arity) {
      throw serializationFailure(this.typeName, value, `expected ${this.arity} elements, got ${value.length}`);
    }
    this.compiled.write(value, out);
  }

  /** @inheritdoc */
  read(input: DataInputView): T {
    return this.compiled.read(input) as T;
  }
}
