/**
 * Java `hashCode()` for the key types strom supports, so keys land in the same key groups as in
 * Flink (see key-group-assignment.ts).
 *
 * ## JS value -> Java type whose hashCode is reproduced
 * | JS key                                   | Java type      | hash                                  |
 * |------------------------------------------|----------------|---------------------------------------|
 * | string                                   | String         | `s[0]*31^(n-1) + ... + s[n-1]` over UTF-16 code units, int32 |
 * | number, int32 value (incl. -0)           | Integer        | the value                             |
 * | number, other safe integer (< 2^53)     | Long           | `(int)(v ^ (v >>> 32))`               |
 * | number, anything else (1.5, NaN, ±Inf, 2^60) | Double     | `(int)(bits ^ (bits >>> 32))`, bits = doubleToLongBits (NaN canonical) |
 * | bigint                                   | Long           | as Long, after wrapping to 64 bits (`BigInt.asIntN(64, v)`) |
 * | boolean                                  | Boolean        | true 1231, false 1237                 |
 * | array (tuple)                            | Flink TupleN   | `h = h(f0); h = 31*h + h(fi) ...`, null field 0; `[]` is Tuple0: 0 |
 * | null / undefined (inside a tuple)        | null           | 0                                     |
 * | object with `hashCode(): number`         | that class     | its `hashCode()` truncated to int32   |
 *
 * -0 is hashed as Integer 0, not as Double -0.0: JS `Map`s and `===` treat -0 and 0 as one key,
 * so they must route to the same subtask. An integral JS number is never hashed as a Java
 * `Double`; use {@link javaDoubleHashCode} to hash a value known to be a Java double.
 *
 * Hot path: strings and numbers hash without allocating (one shared Float64Array scratch for the
 * IEEE bits). bigint hashing allocates.
 *
 * Depends on: ../errors.
 */

import { errors } from '../errors.js';

const TWO_32 = 4294967296;

/** Scratch for reading a double's IEEE bits; shared, used synchronously only. */
const scratchF64 = new Float64Array(1);
const scratchU32 = new Uint32Array(scratchF64.buffer);
/** Index of the low/high word of the double in scratchU32 (platform endianness). */
const LO = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 0 : 1;
const HI = 1 - LO;

/** `Double.hashCode(NaN)`: doubleToLongBits maps every NaN to 0x7ff8000000000000. */
const NAN_HASH = 0x7ff80000;

/** Java `String.hashCode()` (UTF-16 code units, int32 overflow). */
export function javaStringHashCode(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(31, h) + s.charCodeAt(i)) | 0;
  return h;
}

/**
 * Java `Long.hashCode(v)` for a safe integer `v`: `(int)(v ^ (v >>> 32))`, computed without
 * allocating.
 */
export function javaLongHashCodeOfSafeInteger(v: number): number {
  const hi = Math.floor(v / TWO_32); // signed upper word
  const lo = v - hi * TWO_32; // unsigned lower word, 0 <= lo < 2^32
  return (lo ^ hi) | 0;
}

/** Java `Long.hashCode` of a bigint, wrapped to 64 bits first like a `(long)` cast. */
export function javaLongHashCode(v: bigint): number {
  const x = BigInt.asUintN(64, v);
  return Number(BigInt.asIntN(32, x ^ (x >> 32n)));
}

/** Java `Double.hashCode(v)`: `(int)(bits ^ (bits >>> 32))` with NaN canonicalised; -0.0 differs from 0.0. */
export function javaDoubleHashCode(v: number): number {
  if (v !== v) return NAN_HASH;
  scratchF64[0] = v;
  return (scratchU32[LO]! ^ scratchU32[HI]!) | 0;
}

/** Java `Boolean.hashCode`. */
export function javaBooleanHashCode(b: boolean): number {
  return b ? 1231 : 1237;
}

/** Hash of a JS number under the mapping in the module comment (Integer, Long or Double). */
export function javaNumberHashCode(v: number): number {
  if ((v | 0) === v) return v | 0; // int32 (and -0 -> 0)
  if (Number.isSafeInteger(v)) return javaLongHashCodeOfSafeInteger(v);
  return javaDoubleHashCode(v);
}

/**
 * Java `hashCode()` of a key, under the JS -> Java mapping in the module comment.
 * @throws TypeError for symbols, functions and objects without a `hashCode()` method.
 */
export function javaHashCode(key: unknown): number {
  switch (typeof key) {
    case 'string':
      return javaStringHashCode(key);
    case 'number':
      return javaNumberHashCode(key);
    case 'boolean':
      return key ? 1231 : 1237;
    case 'bigint':
      return javaLongHashCode(key);
    case 'undefined':
      return 0;
    case 'object': {
      if (key === null) return 0;
      if (Array.isArray(key)) {
        let h = 0;
        for (let i = 0; i < key.length; i++) h = (Math.imul(31, h) + javaHashCode(key[i])) | 0;
        return h;
      }
      const hashCode = (key as { hashCode?: unknown }).hashCode;
      if (typeof hashCode === 'function') return Number(hashCode.call(key)) | 0;
      break;
    }
  }
  throw errors.invalidArgumentType(
    'key',
    key,
    'expected a string, number, bigint, boolean, an array (tuple) of those, null inside a tuple, ' +
      'or an object with a hashCode() method',
  );
}
