/**
 * Serializer for `Types.ROW({...})`: the fields' encodings back to back in declaration order,
 * no header and no field names (both are part of the type). The field loops are compiled once
 * per row type (see `compiled-fields.ts`).
 */

import { compileFields, type CompiledFields } from './compiled-fields.js';
import type { DataInputView } from './data-input-view.js';
import type { DataOutputView } from './data-output-view.js';
import { fieldFailure, serializationFailure } from './serialization-failure.js';
import type { TypeSerializer } from './type-serializer.js';

/**
 * Encodes objects with the declared named fields. Every declared field must be present (`in`
 * the object, so a GENERIC field may hold `undefined`); properties that are not declared are
 * not serialized and do not come back. Rows read back as plain objects with the fields in
 * declaration order, whatever the prototype of the written object.
 */
export class RowSerializer<T extends object> implements TypeSerializer<T> {
  /** @inheritdoc */
  readonly typeName: string;
  private readonly compiled: CompiledFields;

  /**
   * @param names field names in declaration order.
   * @param fields one serializer per field, created once and reused for every record.
   */
  constructor(names: readonly string[], fields: readonly TypeSerializer<unknown>[]) {
    if (names.length !== fields.length) throw new TypeError('RowSerializer: names and fields differ in length');
    const typeName = `ROW(${names.map((n, i) => `${n}: ${fields[i]!.typeName}`).join(', ')})`;
    this.typeName = typeName;
    this.compiled = compileFields({
      kind: 'object',
      names,
      fields,
      missing: (value, i) => serializationFailure(typeName, value, `missing field '${names[i]}'`),
      failed: (value, i, cause) => fieldFailure(typeName, value, names[i]!, cause),
    });
  }

  /** Sum of the fields' bounds; -1 if any field's is unknown; NaN if `value` is not an object. */
  maxSize(value: T): number {
    if (typeof value !== 'object' || value === null) return NaN;
    return this.compiled.maxSize(value);
  }

  /** @inheritdoc */
  write(value: T, out: DataOutputView): void {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw serializationFailure(this.typeName, value, 'expected an object');
    }
    this.compiled.write(value, out);
  }

  /** @inheritdoc */
  read(input: DataInputView): T {
    return this.compiled.read(input) as T;
  }
}
