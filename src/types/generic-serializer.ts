/**
 * Serializer for `Types.GENERIC`: a self-describing tagged encoding for values whose type was
 * not declared. Slower and larger than a declared type (a tag byte per value, names per object
 * key), and `maxSize` is unknown, so records always take the writer's scratch path.
 *
 * Encoding: one tag byte, then the payload (integers little-endian, counts int32):
 *
 * | tag | value                    | payload                                             |
 * |-----|--------------------------|-----------------------------------------------------|
 * |  0  | undefined                | -                                                   |
 * |  1  | null                     | -                                                   |
 * |  2  | false                    | -                                                   |
 * |  3  | true                     | -                                                   |
 * |  4  | number, int32 and not -0 | int32                                               |
 * |  5  | other number             | float64                                             |
 * |  6  | bigint in int64 range    | int64                                               |
 * |  7  | other bigint             | decimal digits as a string                          |
 * |  8  | string                   | string (int32 UTF-8 length + bytes)                 |
 * |  9  | array                    | count, then each element (holes read as undefined)  |
 * | 10  | plain object             | count, then (key string, value) per own enumerable  |
 * |     |                          | string key                                          |
 * | 11  | Date                     | float64 epoch millis (NaN for an invalid date)      |
 * | 12  | Uint8Array               | bytes (int32 length + bytes)                        |
 * | 13  | Buffer                   | bytes                                               |
 * | 14  | Map                      | count, then (key, value) per entry                  |
 * | 15  | Set                      | count, then each value                              |
 * | 16  | anything else            | bytes of `v8.serialize(value)`                      |
 *
 * Lossy cases, by design: a "plain object" is one whose prototype is `Object.prototype` or
 * null, and reads back with `Object.prototype`; symbol keys and non-enumerable properties are
 * dropped; extra properties on arrays, Maps and Sets are dropped; array holes become
 * `undefined`. Anything else (class instances, other typed arrays, RegExp, Error, boxed
 * primitives...) goes through `v8.serialize`, which keeps typed arrays, RegExps and Errors but
 * turns class instances into plain objects without their prototype. Functions and symbols
 * cannot be serialized at all. A value nested deeper than 256 levels (e.g. a cycle) is encoded
 * whole with `v8.serialize`, which preserves cycles and shared references.
 */

import * as v8 from 'node:v8';
import { errors } from '../errors.js';
import type { DataInputView } from './data-input-view.js';
import type { DataOutputView } from './data-output-view.js';
import { serializationFailure } from './serialization-failure.js';
import type { TypeSerializer } from './type-serializer.js';

const T_UNDEFINED = 0;
const T_NULL = 1;
const T_FALSE = 2;
const T_TRUE = 3;
const T_INT32 = 4;
const T_FLOAT64 = 5;
const T_BIGINT64 = 6;
const T_BIGINT_TEXT = 7;
const T_STRING = 8;
const T_ARRAY = 9;
const T_OBJECT = 10;
const T_DATE = 11;
const T_UINT8ARRAY = 12;
const T_BUFFER = 13;
const T_MAP = 14;
const T_SET = 15;
const T_V8 = 16;

/** Deeper values are re-encoded whole with v8.serialize; also the read-side limit. */
const MAX_DEPTH = 256;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const hasOwn = Object.hasOwn;
const objectProto = Object.prototype;

/** Thrown internally when nesting exceeds MAX_DEPTH; never escapes `write`. */
const TOO_DEEP: unique symbol = Symbol('strom.generic.tooDeep');

/** Encodes any JS value that can be encoded, declared type or not; see the file header for the format. */
export class GenericSerializer implements TypeSerializer<unknown> {
  /** Shared instance; the serializer is stateless. */
  static readonly INSTANCE = new GenericSerializer();
  /** @inheritdoc */
  readonly typeName = 'GENERIC';

  /** Always -1: the size is not known without encoding. */
  maxSize(_value: unknown): number {
    return -1;
  }

  /** @inheritdoc */
  write(value: unknown, out: DataOutputView): void {
    const start = out.pos;
    try {
      writeValue(value, out, 0);
    } catch (e) {
      if (e !== TOO_DEEP) throw e;
      out.pos = start;
      writeV8(value, out);
    }
  }

  /** @inheritdoc */
  read(input: DataInputView): unknown {
    return readValue(input, 0);
  }
}

function writeValue(v: unknown, out: DataOutputView, depth: number): void {
  switch (typeof v) {
    case 'string':
      out.writeUint8(T_STRING);
      out.writeString(v);
      return;
    case 'number':
      if ((v | 0) === v && (v !== 0 || 1 / v > 0)) {
        out.writeUint8(T_INT32);
        out.writeInt32(v);
      } else {
        out.writeUint8(T_FLOAT64);
        out.writeFloat64(v);
      }
      return;
    case 'boolean':
      out.writeUint8(v ? T_TRUE : T_FALSE);
      return;
    case 'undefined':
      out.writeUint8(T_UNDEFINED);
      return;
    case 'bigint':
      if (v >= INT64_MIN && v <= INT64_MAX) {
        out.writeUint8(T_BIGINT64);
        out.writeBigInt64(v);
      } else {
        out.writeUint8(T_BIGINT_TEXT);
        out.writeString(v.toString());
      }
      return;
    case 'object':
      if (v === null) {
        out.writeUint8(T_NULL);
        return;
      }
      writeObject(v, out, depth);
      return;
    default:
      throw serializationFailure('GENERIC', v, `a ${typeof v} cannot be serialized`);
  }
}

function writeObject(v: object, out: DataOutputView, depth: number): void {
  if (depth >= MAX_DEPTH) throw TOO_DEEP;
  const next = depth + 1;
  if (Array.isArray(v)) {
    const n = v.length;
    out.writeUint8(T_ARRAY);
    out.writeInt32(n);
    for (let i = 0; i < n; i++) writeValue(v[i], out, next);
    return;
  }
  const proto = Object.getPrototypeOf(v);
  if (proto === objectProto || proto === null) {
    out.writeUint8(T_OBJECT);
    out.writeInt32(0);
    const countAt = out.pos - 4;
    let count = 0;
    const record = v as Record<string, unknown>;
    for (const key in record) {
      if (!hasOwn(record, key)) continue;
      out.writeString(key);
      writeValue(record[key], out, next);
      count++;
    }
    out.view.setInt32(countAt, count, true);
    return;
  }
  if (v instanceof Date) {
    out.writeUint8(T_DATE);
    out.writeFloat64(v.getTime());
    return;
  }
  if (v instanceof Uint8Array) {
    out.writeUint8(Buffer.isBuffer(v) ? T_BUFFER : T_UINT8ARRAY);
    out.writeBytes(v);
    return;
  }
  if (v instanceof Map) {
    out.writeUint8(T_MAP);
    out.writeInt32(v.size);
    for (const [key, value] of v) {
      writeValue(key, out, next);
      writeValue(value, out, next);
    }
    return;
  }
  if (v instanceof Set) {
    out.writeUint8(T_SET);
    out.writeInt32(v.size);
    for (const value of v) writeValue(value, out, next);
    return;
  }
  writeV8(v, out);
}

function writeV8(v: unknown, out: DataOutputView): void {
  let bytes: Buffer;
  try {
    bytes = v8.serialize(v);
  } catch (e) {
    throw serializationFailure('GENERIC', v, `v8.serialize failed: ${(e as Error).message}`);
  }
  out.writeUint8(T_V8);
  out.writeBytes(bytes);
}

function readValue(input: DataInputView, depth: number): unknown {
  const tagAt = input.pos;
  const tag = input.readUint8();
  switch (tag) {
    case T_UNDEFINED: return undefined;
    case T_NULL: return null;
    case T_FALSE: return false;
    case T_TRUE: return true;
    case T_INT32: return input.readInt32();
    case T_FLOAT64: return input.readFloat64();
    case T_BIGINT64: return input.readBigInt64();
    case T_BIGINT_TEXT: return readBigText(input);
    case T_STRING: return input.readString();
    case T_DATE: return new Date(input.readFloat64());
    case T_UINT8ARRAY: return input.readBytes();
    case T_BUFFER: {
      const bytes = input.readBytes();
      return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    }
    case T_V8: return readV8(input);
  }
  if (tag > T_V8) throw errors.corruptRecord(`invalid GENERIC tag ${tag} at offset ${tagAt}`);
  if (depth >= MAX_DEPTH) throw errors.corruptRecord(`GENERIC value nested deeper than ${MAX_DEPTH} levels`);
  const next = depth + 1;
  switch (tag) {
    case T_ARRAY: {
      const n = input.readLength(1);
      const result: unknown[] = [];
      for (let i = 0; i < n; i++) result.push(readValue(input, next));
      return result;
    }
    case T_OBJECT: {
      const n = input.readLength(5);
      const result: Record<string, unknown> = {};
      for (let i = 0; i < n; i++) {
        const key = input.readString();
        const value = readValue(input, next);
        if (key === '__proto__') {
          Object.defineProperty(result, key, { value, enumerable: true, writable: true, configurable: true });
        } else {
          result[key] = value;
        }
      }
      return result;
    }
    case T_MAP: {
      const n = input.readLength(2);
      const result = new Map<unknown, unknown>();
      for (let i = 0; i < n; i++) {
        const key = readValue(input, next);
        result.set(key, readValue(input, next));
      }
      return result;
    }
    default: {
      const n = input.readLength(1);
      const result = new Set<unknown>();
      for (let i = 0; i < n; i++) result.add(readValue(input, next));
      return result;
    }
  }
}

function readBigText(input: DataInputView): bigint {
  const at = input.pos;
  const text = input.readString();
  if (!/^-?[0-9]+$/.test(text)) throw errors.corruptRecord(`invalid bigint digits at offset ${at}`);
  return BigInt(text);
}

function readV8(input: DataInputView): unknown {
  const at = input.pos;
  const bytes = input.readBytes();
  try {
    return v8.deserialize(bytes);
  } catch (e) {
    throw errors.corruptRecord(`invalid v8-serialized value at offset ${at}: ${(e as Error).message}`);
  }
}
