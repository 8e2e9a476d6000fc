/**
 * Test helpers: encode/decode a value with a serializer in both DataOutputView modes and
 * return the bytes and the decoded value, plus the arbitraries shared by the type tests.
 */

import assert from 'node:assert/strict';
import fc from 'fast-check';
import { CorruptRecordError } from '../../src/errors.js';
import { DataInputView } from '../../src/types/data-input-view.js';
import { DataOutputView } from '../../src/types/data-output-view.js';
import { Types, type TypeInformation } from '../../src/types/type-information.js';
import type { TypeSerializer } from '../../src/types/type-serializer.js';

/** Fixed seed for every property in this folder. */
export const SEED = 0x5eed;
export const fcOptions = { seed: SEED, numRuns: 300 };

/** Encodes `value` into a growable view that starts tiny (so it must grow) and returns the bytes. */
export function encodeScratch<T>(ser: TypeSerializer<T>, value: T): Buffer {
  const out = new DataOutputView(1);
  ser.write(value, out);
  return Buffer.from(out.buf.subarray(0, out.pos));
}

const GUARD = 0xa5;

/**
 * Encodes `value` into a fixed window over a SharedArrayBuffer at an odd offset, with `limit`
 * at `maxSize` (or the exact size for GENERIC), checks the guard bytes around the window are
 * untouched, decodes it back from the SharedArrayBuffer and returns bytes and value.
 */
export function roundTripFixed<T>(ser: TypeSerializer<T>, value: T, exactSize: number): { bytes: Buffer; value: T } {
  const bound = ser.maxSize(value);
  const room = bound < 0 ? exactSize : bound;
  const start = 7;
  const sab = new SharedArrayBuffer(start + room + 16);
  const buf = Buffer.from(sab);
  buf.fill(GUARD);
  const out = DataOutputView.over(buf, new DataView(sab));
  out.pos = start;
  out.limit = start + room;
  ser.write(value, out);
  for (let i = 0; i < start; i++) assert.equal(buf[i], GUARD, 'wrote before the window');
  for (let i = start + room; i < buf.length; i++) assert.equal(buf[i], GUARD, 'wrote past the window');
  const input = new DataInputView(buf, new DataView(sab), start, out.pos);
  const decoded = ser.read(input);
  assert.equal(input.pos, out.pos, 'read consumed a different number of bytes than written');
  return { bytes: Buffer.from(buf.subarray(start, out.pos)), value: decoded };
}

/** Decodes `bytes` (a scratch encoding) and checks all of it was consumed. */
export function decode<T>(ser: TypeSerializer<T>, bytes: Buffer): T {
  const input = new DataInputView(bytes);
  const value = ser.read(input);
  assert.equal(input.pos, bytes.length, 'read consumed a different number of bytes than written');
  return value;
}

/** Asserts every strict prefix of `bytes` fails to decode with CorruptRecordError. */
export function assertPrefixesCorrupt<T>(ser: TypeSerializer<T>, bytes: Buffer): void {
  // Copy into a larger buffer so reads past the window would find plausible bytes, not the end.
  const padded = Buffer.alloc(bytes.length + 64, 0x41);
  bytes.copy(padded);
  const view = new DataView(padded.buffer, padded.byteOffset, padded.byteLength);
  for (let k = 0; k < bytes.length; k++) {
    const input = new DataInputView(padded, view, 0, k);
    assert.throws(() => ser.read(input), CorruptRecordError, `prefix of ${k}/${bytes.length} bytes decoded`);
  }
}

/**
 * Full round-trip check in both modes: decoded values deep-equal `expected`, both modes
 * produce identical bytes, `maxSize` bounds the size, and every prefix is corrupt.
 */
export function checkRoundTrip<T>(ser: TypeSerializer<T>, value: T, expected: unknown = value): void {
  const bytes = encodeScratch(ser, value);
  const bound = ser.maxSize(value);
  if (bound !== -1) assert.ok(bound >= bytes.length, `maxSize ${bound} < ${bytes.length} bytes written`);
  assert.deepStrictEqual(decode(ser, bytes), expected);
  const fixed = roundTripFixed(ser, value, bytes.length);
  assert.deepStrictEqual(fixed.value, expected);
  assert.deepStrictEqual(fixed.bytes, bytes, 'fixed and scratch encodings differ');
  assertPrefixesCorrupt(ser, bytes);
}

/**
 * What a string reads back as: UTF-8 cannot hold lone surrogates, so each becomes U+FFFD.
 */
export function wellFormed(s: string): string {
  return (s as unknown as { toWellFormed(): string }).toWellFormed();
}

/** Strings: ASCII, BMP, astral, lone surrogates, empty, long. */
export const anyString = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.string({ unit: 'binary' }),
  fc.string({ unit: 'grapheme' }),
  fc.string({ unit: fc.nat(0xffff).map((c) => String.fromCharCode(c)) }),
  fc.string({ unit: fc.constantFrom('\ud800', '\udfff', 'a', '\u00e9', '\u{1f600}') }),
  fc.string({ minLength: 200, maxLength: 5000, unit: 'binary' }),
  fc.constant(''),
);

/** Doubles including -0, NaN, the infinities and extremes. */
export const anyDouble = fc.oneof(
  fc.double(),
  fc.integer(),
  fc.constantFrom(-0, 0, NaN, Infinity, -Infinity, Number.MAX_VALUE, Number.MIN_VALUE, -Number.MAX_VALUE, 2 ** 31, -(2 ** 31)),
);

/** Signed 64-bit bigints including both extremes. */
export const anyLong = fc.oneof(
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
  fc.constantFrom(-(2n ** 63n), 2n ** 63n - 1n, 0n, -1n, 1n),
);

/** A GENERIC value: everything the tagged encoding supports, nested. */
export const anyGeneric = fc.anything({
  maxDepth: 3,
  withBigInt: true,
  withBoxedValues: true,
  withDate: true,
  withMap: true,
  withSet: true,
  withNullPrototype: true,
  withObjectString: true,
  withTypedArray: true,
  withUnicodeString: true,
  key: fc.oneof(fc.string(), fc.constantFrom('__proto__', '0', '1', 'constructor')),
});

/**
 * What a GENERIC value reads back as (see GenericSerializer): strings well-formed, null-prototype
 * objects as plain objects. Values encoded via v8.serialize are left alone.
 */
export function genericExpected(v: unknown): unknown {
  if (typeof v === 'string') return wellFormed(v);
  if (typeof v !== 'object' || v === null) return v;
  if (Array.isArray(v)) return v.map(genericExpected);
  const proto = Object.getPrototypeOf(v);
  if (proto === Object.prototype || proto === null) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(v)) {
      Object.defineProperty(out, key, {
        value: genericExpected((v as Record<string, unknown>)[key]),
        enumerable: true, writable: true, configurable: true,
      });
    }
    return out;
  }
  if (v instanceof Map) return new Map([...v].map(([k, x]) => [genericExpected(k), genericExpected(x)]));
  if (v instanceof Set) return new Set([...v].map(genericExpected));
  return v;
}

/** A random declared type (possibly nested, possibly with GENERIC leaves) and a matching value. */
export interface Sample {
  readonly info: TypeInformation<unknown>;
  readonly value: unknown;
  readonly expected: unknown;
  readonly declared: boolean;
}

type Schema =
  | { kind: 'STRING' | 'DOUBLE' | 'LONG' | 'BOOLEAN' | 'GENERIC' }
  | { kind: 'TUPLE'; fields: Schema[] }
  | { kind: 'ROW'; fields: Record<string, Schema> };

const schemaArb: fc.Arbitrary<Schema> = fc.letrec<{ node: Schema }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom('STRING', 'DOUBLE', 'LONG', 'BOOLEAN', 'GENERIC').map((kind) => ({ kind }) as Schema),
    fc.array(tie('node'), { maxLength: 4 }).map((fields) => ({ kind: 'TUPLE', fields }) as Schema),
    fc.dictionary(fc.oneof(fc.string({ maxLength: 6 }), fc.constant('__proto__')), tie('node'), { maxKeys: 4 })
      .map((fields) => ({ kind: 'ROW', fields }) as Schema),
  ),
})).node;

function build(schema: Schema): { info: TypeInformation<any>; value: fc.Arbitrary<[unknown, unknown]>; declared: boolean } {
  switch (schema.kind) {
    case 'STRING': return { info: Types.STRING, value: anyString.map((s) => [s, wellFormed(s)]), declared: true };
    case 'DOUBLE': return { info: Types.DOUBLE, value: anyDouble.map((d) => [d, d]), declared: true };
    case 'LONG': return { info: Types.LONG, value: anyLong.map((l) => [l, l]), declared: true };
    case 'BOOLEAN': return { info: Types.BOOLEAN, value: fc.boolean().map((b) => [b, b]), declared: true };
    case 'GENERIC': return { info: Types.GENERIC, value: anyGeneric.map((g) => [g, genericExpected(g)]), declared: false };
    case 'TUPLE': {
      const parts = schema.fields.map(build);
      return {
        info: Types.TUPLE(...parts.map((p) => p.info)),
        value: fc.tuple(...parts.map((p) => p.value)).map((pairs) => [pairs.map((p) => p[0]), pairs.map((p) => p[1])]),
        declared: parts.every((p) => p.declared),
      };
    }
    case 'ROW': {
      const names = Object.keys(schema.fields);
      const parts = names.map((n) => build(schema.fields[n]!));
      const infos: Record<string, TypeInformation<any>> = {};
      names.forEach((n, i) => Object.defineProperty(infos, n, { value: parts[i]!.info, enumerable: true }));
      return {
        info: Types.ROW(infos),
        value: fc.tuple(...parts.map((p) => p.value)).map((pairs) => {
          const value: Record<string, unknown> = {};
          const expected: Record<string, unknown> = {};
          names.forEach((n, i) => {
            Object.defineProperty(value, n, { value: pairs[i]![0], enumerable: true, writable: true, configurable: true });
            Object.defineProperty(expected, n, { value: pairs[i]![1], enumerable: true, writable: true, configurable: true });
          });
          return [value, expected];
        }),
        declared: parts.every((p) => p.declared),
      };
    }
  }
}

/** Random nested declared types with matching values. */
export const anySample: fc.Arbitrary<Sample> = schemaArb.chain((schema) => {
  const { info, value, declared } = build(schema);
  return value.map(([v, e]) => ({ info, value: v, expected: e, declared }));
});
