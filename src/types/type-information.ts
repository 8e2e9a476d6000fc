/**
 * Declared record types, after Flink's `TypeInformation` and `Types`.
 *
 * A `TypeInformation<T>` describes the JS values of one type and creates the serializer that
 * moves them between tasks. Declaring a type (`Types.TUPLE(Types.STRING, Types.DOUBLE)`) gives
 * a compact, validated encoding with a size bound known before writing, so most records are
 * written straight into shared memory; undeclared values use `Types.GENERIC`.
 *
 * | type                 | JS value                             | encoding                     |
 * |----------------------|--------------------------------------|------------------------------|
 * | `STRING`             | string                               | int32 UTF-8 length + bytes   |
 * | `DOUBLE` / `NUMBER`  | number                               | float64                      |
 * | `LONG`               | bigint in [-2^63, 2^63-1]            | int64                        |
 * | `BOOLEAN`            | boolean                              | 1 byte                       |
 * | `TUPLE(t0, t1, ...)` | array of exactly that arity          | fields back to back          |
 * | `ROW({a: t, ...})`   | object with those fields             | fields in declaration order  |
 * | `GENERIC`            | anything serializable                | tagged, self-describing      |
 */

import { BooleanSerializer } from './boolean-serializer.js';
import { DoubleSerializer } from './double-serializer.js';
import { GenericSerializer } from './generic-serializer.js';
import { LongSerializer } from './long-serializer.js';
import { RowSerializer } from './row-serializer.js';
import { StringSerializer } from './string-serializer.js';
import { TupleSerializer } from './tuple-serializer.js';
import type { TypeSerializer } from './type-serializer.js';

/** Describes the values of type `T` and how to serialize them. Immutable. */
export interface TypeInformation<T> {
  /** Human-readable type name, e.g. `TUPLE(STRING, DOUBLE)`; used in error messages. */
  readonly name: string;
  /** Returns a serializer for `T`. Cheap; serializers are stateless and may be shared. */
  createSerializer(): TypeSerializer<T>;
}

/** Type information of a `Types.TUPLE`, exposing its field types by position. */
export interface TupleTypeInformation<T> extends TypeInformation<T> {
  /** The field types, in position order. */
  readonly fieldTypes: readonly TypeInformation<unknown>[];
}

/** Type information of a `Types.ROW`, exposing its field names and types. */
export interface RowTypeInformation<T> extends TypeInformation<T> {
  /** The field names, in declaration order. */
  readonly fieldNames: readonly string[];
  /** The field types, in declaration order. */
  readonly fieldTypes: readonly TypeInformation<unknown>[];
}

/** The JS value type described by a `TypeInformation`: `TypeOf<typeof Types.STRING>` is `string`. */
export type TypeOf<I> = I extends TypeInformation<infer T> ? T : never;

/** Any type information, for constraints. */
type AnyTypeInformation = TypeInformation<any>;

/**
 * The brand of strom's built-in types, keyed by a registered symbol so that every copy of strom
 * in a thread recognises them: a job module that a worker loads through tsx may get its own copy
 * of this module, whose `Types.STRING` is not this one's, yet the plan (made on the main thread)
 * chose native state for it. Its value is the type's name.
 */
export const BUILT_IN_TYPE: unique symbol = Symbol.for('strom.builtInType') as never;

function basic<T>(serializer: TypeSerializer<T>): TypeInformation<T> {
  return Object.freeze({ name: serializer.typeName, createSerializer: () => serializer, [BUILT_IN_TYPE]: serializer.typeName });
}

function isTypeInformation(value: unknown): value is AnyTypeInformation {
  return (
    typeof value === 'object' && value !== null &&
    typeof (value as AnyTypeInformation).createSerializer === 'function' &&
    typeof (value as AnyTypeInformation).name === 'string'
  );
}

const STRING = basic(StringSerializer.INSTANCE);
const DOUBLE = basic(DoubleSerializer.INSTANCE);

/** The declarable record types, mirroring Flink's `Types`. */
export const Types = Object.freeze({
  /** A JS string, encoded as UTF-8 (lone surrogates become U+FFFD). */
  STRING,
  /** A JS number (IEEE-754 double; -0, NaN and infinities round-trip). */
  DOUBLE,
  /** Alias of `DOUBLE`. */
  NUMBER: DOUBLE,
  /** A bigint in the signed 64-bit range; numbers and out-of-range bigints are rejected. */
  LONG: basic(LongSerializer.INSTANCE),
  /** `true` or `false`. */
  BOOLEAN: basic(BooleanSerializer.INSTANCE),
  /**
   * Any value: a slower, self-describing encoding (see `GenericSerializer` for what survives a
   * round trip; class instances come back as plain objects without their prototype).
   */
  GENERIC: basic<unknown>(GenericSerializer.INSTANCE),

  /**
   * A JS array of fixed arity: `Types.TUPLE(Types.STRING, Types.DOUBLE)` describes
   * `[string, number]`. Fields may be any type, including nested tuples, rows and GENERIC.
   */
  TUPLE<const A extends readonly AnyTypeInformation[]>(
    ...fieldTypes: A
  ): TupleTypeInformation<{ -readonly [K in keyof A]: TypeOf<A[K]> }> {
    fieldTypes.forEach((t, i) => {
      if (!isTypeInformation(t)) throw new TypeError(`Types.TUPLE: field ${i} is not a TypeInformation`);
    });
    const types = Object.freeze(fieldTypes.slice());
    const serializer = new TupleSerializer(types.map((t) => t.createSerializer()));
    return Object.freeze({
      name: serializer.typeName,
      fieldTypes: types,
      createSerializer: () => serializer,
    }) as TupleTypeInformation<unknown> as TupleTypeInformation<never>;
  },

  /**
   * A plain object with named fields, serialized in declaration order:
   * `Types.ROW({ word: Types.STRING, count: Types.LONG })` describes `{ word: string; count: bigint }`.
   * Undeclared properties are not serialized.
   */
  ROW<const S extends Readonly<Record<string, AnyTypeInformation>>>(
    fields: S,
  ): RowTypeInformation<{ -readonly [K in keyof S]: TypeOf<S[K]> }> {
    if (typeof fields !== 'object' || fields === null) throw new TypeError('Types.ROW: expected an object of field types');
    const names = Object.freeze(Object.keys(fields));
    const types = Object.freeze(names.map((n) => {
      const t = fields[n];
      if (!isTypeInformation(t)) throw new TypeError(`Types.ROW: field '${n}' is not a TypeInformation`);
      return t;
    }));
    const serializer = new RowSerializer(names, types.map((t) => t.createSerializer()));
    return Object.freeze({
      name: serializer.typeName,
      fieldNames: names,
      fieldTypes: types,
      createSerializer: () => serializer,
    }) as RowTypeInformation<unknown> as RowTypeInformation<never>;
  },
});
