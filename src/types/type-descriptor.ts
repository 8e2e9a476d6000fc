/**
 * Type descriptors: a declared record type flattened into int32 words for native code.
 *
 * The C++ addon reads records in place (keyed aggregations on memory segments) and needs their
 * structure but none of the JS-side machinery, so a `TypeInformation` is written in prefix
 * notation:
 *
 * ```
 * STRING=1 | DOUBLE=2 | LONG=3 | BOOLEAN=4 | GENERIC=6
 * TUPLE=5, arity, <arity field descriptors>        ROW is written as TUPLE (names stay in TS)
 *
 * Types.TUPLE(Types.STRING, Types.TUPLE(Types.LONG, Types.BOOLEAN), Types.DOUBLE)
 *   -> [5, 3, 1, 5, 2, 3, 4, 2]
 * ```
 *
 * The codes are mirrored by `core::FieldKind` in native/core/record_schema.h (checked through
 * `layoutConstants()` as `FIELD_KIND.*`). Native code refuses descriptors containing GENERIC:
 * check {@link isNativeAggregatable} first.
 *
 * Depends on: type-information.
 */

import { BUILT_IN_TYPE, Types, type RowTypeInformation, type TupleTypeInformation, type TypeInformation } from './type-information.js';

/** Descriptor word of each field kind. Mirrors `core::FieldKind` (native/core/record_schema.h). */
export const FieldKindCode = Object.freeze({
  /** `Types.STRING`: int32 UTF-8 byte length + UTF-8 bytes. */
  STRING: 1,
  /** `Types.DOUBLE` / `Types.NUMBER`: float64. */
  DOUBLE: 2,
  /** `Types.LONG`: int64. */
  LONG: 3,
  /** `Types.BOOLEAN`: one byte, 0 or 1. */
  BOOLEAN: 4,
  /** `Types.TUPLE` and `Types.ROW`: followed by the arity, then each field's descriptor. */
  TUPLE: 5,
  /** `Types.GENERIC`, or any type information not built by `Types`: not readable natively. */
  GENERIC: 6,
} as const);

/** One of the {@link FieldKindCode} values. */
export type FieldKindCode = (typeof FieldKindCode)[keyof typeof FieldKindCode];

type Composite = TupleTypeInformation<unknown> | RowTypeInformation<unknown>;

/** The field types of a `Types.TUPLE` or `Types.ROW`, or undefined for any other type. */
function compositeFields(info: TypeInformation<unknown>): readonly TypeInformation<unknown>[] | undefined {
  const fields = (info as Partial<Composite>).fieldTypes;
  return Array.isArray(fields) ? fields : undefined;
}

/**
 * The code of a primitive type: strom's built-in types by identity, or by their brand when they
 * come from another copy of strom in this thread (BUILT_IN_TYPE); anything else is GENERIC.
 */
function primitiveCode(info: TypeInformation<unknown>): FieldKindCode {
  switch (info) {
    case Types.STRING: return FieldKindCode.STRING;
    case Types.DOUBLE: return FieldKindCode.DOUBLE;
    case Types.LONG: return FieldKindCode.LONG;
    case Types.BOOLEAN: return FieldKindCode.BOOLEAN;
    case Types.GENERIC: return FieldKindCode.GENERIC;
  }
  switch ((info as { [BUILT_IN_TYPE]?: string })[BUILT_IN_TYPE]) {
    case Types.STRING.name: return FieldKindCode.STRING;
    case Types.DOUBLE.name: return FieldKindCode.DOUBLE;
    case Types.LONG.name: return FieldKindCode.LONG;
    case Types.BOOLEAN.name: return FieldKindCode.BOOLEAN;
    default: return FieldKindCode.GENERIC; // Types.GENERIC and foreign type information
  }
}

function appendDescriptor(info: TypeInformation<unknown>, out: number[]): void {
  const fields = compositeFields(info);
  if (fields === undefined) {
    out.push(primitiveCode(info));
    return;
  }
  out.push(FieldKindCode.TUPLE, fields.length);
  for (const field of fields) appendDescriptor(field, out);
}

/**
 * The prefix-notation descriptor of `info` (see the module comment). Types not built by `Types`
 * are described as GENERIC.
 */
export function describeType(info: TypeInformation<unknown>): Int32Array {
  const words: number[] = [];
  appendDescriptor(info, words);
  return Int32Array.from(words);
}

/**
 * True when native code can read records of `info` in place: no `Types.GENERIC` (nor foreign
 * type information) anywhere in it.
 */
export function isNativeAggregatable(info: TypeInformation<unknown>): boolean {
  const fields = compositeFields(info);
  if (fields === undefined) return primitiveCode(info) !== FieldKindCode.GENERIC;
  return fields.every(isNativeAggregatable);
}
