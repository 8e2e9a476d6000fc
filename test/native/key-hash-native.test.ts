/**
 * Native key groups (native/core/key_hash.cc over record_parser.cc) against the TS routing
 * (src/io/key-group-assignment.ts, itself checked against a real JDK): random TUPLE/ROW records
 * written by the real TS serializers and framed as the record writer frames them; the native
 * key hash and key group of every record must equal TS `javaHashCode` / `assignToKeyGroup` of
 * the key a key selector would pick from the record read back. Corrupt input must throw
 * TypeError/RangeError, never crash (the sanitizer run of `npm run test:native` includes this file).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';

import { assignToKeyGroup } from '../../src/io/key-group-assignment.js';
import { javaHashCode, javaStringHashCode } from '../../src/io/key-hash.js';
import { loadNativeAddon } from '../../src/native/addon.js';
import { DataInputView } from '../../src/types/data-input-view.js';
import { DataOutputView } from '../../src/types/data-output-view.js';
import { describeType, FieldKindCode } from '../../src/types/type-descriptor.js';
import { Types, type TypeInformation } from '../../src/types/type-information.js';

const addon = loadNativeAddon();
const fcOptions = { seed: 0x6b657973, numRuns: 250 };

/** A declared type as a tree, so arbitraries can generate both the type and its values. */
type Shape =
  | { kind: 'STRING' | 'DOUBLE' | 'LONG' | 'BOOLEAN' }
  | { kind: 'TUPLE'; fields: Shape[] }
  | { kind: 'ROW'; fields: Shape[] };

function typeOf(shape: Shape): TypeInformation<any> {
  switch (shape.kind) {
    case 'STRING': return Types.STRING;
    case 'DOUBLE': return Types.DOUBLE;
    case 'LONG': return Types.LONG;
    case 'BOOLEAN': return Types.BOOLEAN;
    case 'TUPLE': return Types.TUPLE(...shape.fields.map(typeOf));
    case 'ROW': return Types.ROW(Object.fromEntries(shape.fields.map((f, i) => [`f${i}`, typeOf(f)])));
  }
}

/** TS cannot hash plain objects, so a key field must not contain a ROW. */
function hashableInTs(shape: Shape): boolean {
  if (shape.kind === 'ROW') return false;
  return shape.kind !== 'TUPLE' || shape.fields.every(hashableInTs);
}

const primitiveShape = fc.constantFrom<Shape>(
  { kind: 'STRING' }, { kind: 'DOUBLE' }, { kind: 'LONG' }, { kind: 'BOOLEAN' },
);
const { shape: fieldShape } = fc.letrec<{ shape: Shape }>((tie) => ({
  shape: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    primitiveShape,
    fc.array(tie('shape'), { maxLength: 3 }).map((fields): Shape => ({ kind: 'TUPLE', fields })),
    fc.array(tie('shape'), { maxLength: 3 }).map((fields): Shape => ({ kind: 'ROW', fields })),
  ),
}));
/** Top-level record types: a TUPLE or ROW of 1..5 fields, or a lone primitive. */
const recordShape: fc.Arbitrary<Shape> = fc.oneof(
  fc.array(fieldShape, { minLength: 1, maxLength: 5 }).map((fields): Shape => ({ kind: 'TUPLE', fields })),
  fc.array(fieldShape, { minLength: 1, maxLength: 5 }).map((fields): Shape => ({ kind: 'ROW', fields })),
  primitiveShape,
);

const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c));
const anyString = fc.oneof(
  fc.constant(''),
  fc.string({ maxLength: 12 }),
  fc.string({ unit: 'grapheme', maxLength: 8 }),
  fc.string({ unit: 'binary', maxLength: 8 }), // astral code points
  fc.string({ unit: fc.oneof(fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }), loneSurrogate), maxLength: 6 }),
);
const anyNumber = fc.oneof(
  fc.integer(),
  fc.integer({ min: -1000, max: 1000 }),
  fc.maxSafeInteger(),
  fc.double(), // includes NaN, -0 and the infinities
  fc.constantFrom(-0, NaN, Infinity, -Infinity, 2 ** 31, -(2 ** 31) - 1, 2 ** 32, 2 ** 53 - 1, -(2 ** 53 - 1), 2 ** 53, 2 ** 60, 0.1, -1.5, 1e300),
);
const anyLong = fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });

function valueOf(shape: Shape): fc.Arbitrary<unknown> {
  switch (shape.kind) {
    case 'STRING': return anyString;
    case 'DOUBLE': return anyNumber;
    case 'LONG': return anyLong;
    case 'BOOLEAN': return fc.boolean();
    case 'TUPLE': return fc.tuple(...shape.fields.map(valueOf));
    case 'ROW': return fc.tuple(...shape.fields.map(valueOf)).map((values) => Object.fromEntries(values.map((v, i) => [`f${i}`, v])));
  }
}

/** The top-level fields of a record type (a lone primitive is a record of one field). */
function topFields(shape: Shape): Shape[] {
  return shape.kind === 'TUPLE' || shape.kind === 'ROW' ? shape.fields : [shape];
}

/** Top-level field `i` of a record read back, as a key selector would read it. */
function fieldOf(shape: Shape, record: unknown, i: number): unknown {
  if (shape.kind === 'TUPLE') return (record as unknown[])[i];
  if (shape.kind === 'ROW') return (record as Record<string, unknown>)[`f${i}`];
  return record;
}

function keyOf(shape: Shape, record: unknown, keyFields: readonly number[]): unknown {
  return keyFields.length === 1 ? fieldOf(shape, record, keyFields[0]!) : keyFields.map((i) => fieldOf(shape, record, i));
}

/** Frames every record as `[int32 length][tag 0][payload]`, with the real serializer. */
function frame(info: TypeInformation<any>, records: readonly unknown[]): Buffer {
  const ser = info.createSerializer();
  const out = new DataOutputView(16);
  for (const record of records) {
    const start = out.pos;
    out.writeInt32(0);
    out.writeUint8(0);
    ser.write(record, out);
    out.view.setInt32(start, out.pos - start - 4, true);
  }
  return Buffer.from(out.buf.subarray(0, out.pos));
}

/** Reads the framed records back with the real serializer (what a downstream task would key). */
function readBack(info: TypeInformation<any>, frames: Buffer): unknown[] {
  const ser = info.createSerializer();
  const records: unknown[] = [];
  let pos = 0;
  while (pos < frames.length) {
    const length = frames.readInt32LE(pos);
    const input = new DataInputView(frames, undefined, pos + 5, pos + 4 + length);
    records.push(ser.read(input));
    pos += 4 + length;
  }
  return records;
}

const schemaCase = recordShape.chain((shape) => {
  const candidates = topFields(shape).flatMap((f, i) => (hashableInTs(f) ? [i] : []));
  const keyFields = candidates.length === 0
    ? fc.constant([] as number[])
    : fc.array(fc.constantFrom(...candidates), { minLength: 1, maxLength: 3 });
  return fc.record({
    shape: fc.constant(shape),
    keyFields,
    records: fc.array(valueOf(shape), { minLength: 1, maxLength: 8 }),
    maxParallelism: fc.oneof(fc.constantFrom(1, 128, 256, 32768), fc.integer({ min: 1, max: 32768 })),
    shared: fc.boolean(),
  });
});

describe('native key groups', () => {
  it('match TS javaHashCode and assignToKeyGroup for random TUPLE/ROW records', () => {
    let checked = 0;
    fc.assert(
      fc.property(schemaCase, ({ shape, keyFields, records, maxParallelism, shared }) => {
        if (keyFields.length === 0) return;
        const info = typeOf(shape);
        let frames: Uint8Array = frame(info, records);
        if (shared) {
          // The same bytes inside a SharedArrayBuffer at an odd offset, like a memory segment.
          const sab = new Uint8Array(new SharedArrayBuffer(frames.length + 11), 7, frames.length);
          sab.set(frames);
          frames = sab;
        }
        const readRecords = readBack(info, Buffer.from(frames));
        const descriptor = describeType(info);
        const fields = Int32Array.from(keyFields);
        const hashes = addon.keyHashesOfRecords(descriptor, fields, frames);
        const groups = addon.keyGroupsOfRecords(descriptor, fields, frames, maxParallelism);
        assert.equal(hashes.length, records.length);
        assert.equal(groups.length, records.length);
        assert.equal(readRecords.length, records.length);
        readRecords.forEach((record, i) => {
          const key = keyOf(shape, record, keyFields);
          assert.equal(hashes[i], javaHashCode(key), `hash of record ${i}`);
          assert.equal(groups[i], assignToKeyGroup(key, maxParallelism), `key group of record ${i}`);
        });
        checked += records.length;
      }),
      fcOptions,
    );
    assert.ok(checked > 500, `checked ${checked} records`);
  });

  it('hash strings from the oracle fixture, ints, -0, NaN and bigint extremes like TS', () => {
    const info = Types.TUPLE(Types.STRING, Types.DOUBLE, Types.LONG, Types.BOOLEAN);
    const records: [string, number, bigint, boolean][] = [
      ['polygenelubricants', -0, -(2n ** 63n), true],
      ['\u{1F600}', NaN, 2n ** 63n - 1n, false],
      ['a\u{1F600}b', 2 ** 53, 0n, true],
      ['\ud800', -(2 ** 31), -1n, false], // lone surrogate: written and read back as U+FFFD
      ['', 1.5, 42n, true],
    ];
    const frames = frame(info, records);
    const readRecords = readBack(info, frames) as typeof records;
    assert.equal(readRecords.length, records.length);
    for (const keyFields of [[0], [1], [2], [3], [0, 1], [3, 2, 1, 0], [1, 1]]) {
      const hashes = addon.keyHashesOfRecords(describeType(info), Int32Array.from(keyFields), frames);
      readRecords.forEach((record, i) => {
        const key = keyFields.length === 1 ? record[keyFields[0]!] : keyFields.map((k) => record[k]);
        assert.equal(hashes[i], javaHashCode(key), `record ${i}, key fields ${keyFields}`);
      });
    }
    assert.equal(addon.keyHashesOfRecords(describeType(Types.STRING), Int32Array.of(0), frame(Types.STRING, ['polygenelubricants']))[0], -2147483648);
  });

  it('decode invalid UTF-8 (corrupt data only) like Node does: U+FFFD per maximal subpart', () => {
    const bytes = fc.uint8Array({ maxLength: 24 }).chain((random) =>
      fc.constantFrom(
        random,
        Uint8Array.from(random, (b, i) => (i % 3 === 0 ? 0x80 | (b & 0x3f) : b)), // many continuations
        Uint8Array.from(random, (b) => 0xe0 | (b & 0x1f)), // lead bytes only
      ),
    );
    fc.assert(
      fc.property(bytes, (payload) => {
        const record = Buffer.alloc(4 + payload.length);
        record.writeInt32LE(payload.length, 0);
        record.set(payload, 4);
        const frames = Buffer.concat([Buffer.from([0, 0, 0, 0, 0]), record]);
        frames.writeInt32LE(record.length + 1, 0);
        const [hash] = addon.keyHashesOfRecords(describeType(Types.STRING), Int32Array.of(0), frames);
        assert.equal(hash, javaStringHashCode(Buffer.from(payload).toString('utf8')));
      }),
      { ...fcOptions, numRuns: 1000 },
    );
  });
});

describe('native record parsing refuses bad input', () => {
  const info = Types.TUPLE(Types.STRING, Types.BOOLEAN, Types.DOUBLE);
  const descriptor = describeType(info);
  const good = frame(info, [['key', true, 1], ['x', false, 2]]);
  const keys = Int32Array.of(0);

  it('describes types in prefix notation with the mirrored codes', () => {
    assert.deepEqual([...descriptor], [FieldKindCode.TUPLE, 3, FieldKindCode.STRING, FieldKindCode.BOOLEAN, FieldKindCode.DOUBLE]);
    assert.deepEqual(addon.keyGroupsOfRecords(descriptor, keys, good, 128).length, 2);
    assert.deepEqual(addon.keyGroupsOfRecords(descriptor, keys, new Uint8Array(0), 128).length, 0);
  });

  it('throws TypeError for wrong argument types and GENERIC schemas', () => {
    assert.throws(() => addon.keyGroupsOfRecords([5, 1, 1] as unknown as Int32Array, keys, good, 128), TypeError);
    assert.throws(() => addon.keyGroupsOfRecords(descriptor, [0] as unknown as Int32Array, good, 128), TypeError);
    assert.throws(() => addon.keyGroupsOfRecords(descriptor, keys, [1, 2] as unknown as Uint8Array, 128), TypeError);
    assert.throws(() => addon.keyGroupsOfRecords(descriptor, keys, good, '128' as unknown as number), TypeError);
    assert.throws(
      () => addon.keyGroupsOfRecords(describeType(Types.TUPLE(Types.STRING, Types.GENERIC)), keys, good, 128),
      (e: Error) => e instanceof TypeError && /GENERIC/.test(e.message),
    );
  });

  it('throws RangeError for malformed descriptors, key fields and maxParallelism', () => {
    for (const words of [[], [0], [99], [5], [5, 2, 1], [5, -1], [1, 1], [5, 1, 5, 1]]) {
      assert.throws(() => addon.keyGroupsOfRecords(Int32Array.from(words), keys, good, 128), RangeError, `descriptor ${words}`);
    }
    for (const fields of [[], [3], [-1], [0, 7]]) {
      assert.throws(() => addon.keyGroupsOfRecords(descriptor, Int32Array.from(fields), good, 128), RangeError, `keyFields ${fields}`);
    }
    for (const maxP of [0, -1, 32769, 1.5]) {
      assert.throws(() => addon.keyGroupsOfRecords(descriptor, keys, good, maxP), RangeError, `maxParallelism ${maxP}`);
    }
  });

  it('throws RangeError for cut, corrupt and non-matching frames', () => {
    const cases: Array<[string, Buffer, RegExp]> = [];
    for (let end = 1; end < good.length; end++) {
      if (end === good.readInt32LE(0) + 4) continue; // a whole first record is a valid input
      cases.push([`cut at ${end}`, good.subarray(0, end), /end inside the record|not a well-formed/]);
    }
    const withLength = (length: number) => { const b = Buffer.from(good); b.writeInt32LE(length, 0); return b; };
    cases.push(['length 0', withLength(0), /invalid record length 0/]);
    cases.push(['negative length', withLength(-5), /invalid record length -5/]);
    cases.push(['length over 1 GiB', withLength(2 ** 30 + 1), /invalid record length/]);
    cases.push(['length too short for the payload', withLength(good.readInt32LE(0) - 1), /not a well-formed|invalid record length|tag/]);
    const tagged = (tag: number) => { const b = Buffer.from(good); b[4] = tag; return b; };
    cases.push(['unknown tag', tagged(9), /unknown stream element tag 9/]);
    cases.push(['watermark tag', tagged(2), /only records/]);
    const boolByte = Buffer.from(good);
    boolByte[5 + 4 + 3] = 2; // the BOOLEAN after the 3-byte string "key"
    cases.push(['boolean 2', boolByte, /not a well-formed/]);
    const stringLength = Buffer.from(good);
    stringLength.writeInt32LE(-1, 5);
    cases.push(['negative string length', stringLength, /not a well-formed/]);
    for (const [name, bytes, message] of cases) {
      assert.throws(() => addon.keyGroupsOfRecords(descriptor, keys, bytes, 128), (e: Error) => e instanceof RangeError && message.test(e.message), name);
    }
  });

  it('never crashes on randomly mutated frames', () => {
    const mutation = fc.array(
      fc.record({ at: fc.nat(), kind: fc.constantFrom('flip', 'byte', 'int32', 'truncate', 'insert'), value: fc.integer() }),
      { minLength: 1, maxLength: 4 },
    );
    let thrown = 0;
    let returned = 0;
    fc.assert(
      fc.property(mutation, (steps) => {
        let bytes = Buffer.from(good);
        for (const { at, kind, value } of steps) {
          const i = bytes.length === 0 ? 0 : at % bytes.length;
          if (kind === 'flip' && bytes.length > 0) bytes[i]! ^= 1 << (value & 7);
          else if (kind === 'byte' && bytes.length > 0) bytes[i] = value & 0xff;
          else if (kind === 'int32' && bytes.length >= 4) bytes.writeInt32LE(value | 0, Math.min(i, bytes.length - 4));
          else if (kind === 'truncate') bytes = bytes.subarray(0, i);
          else if (kind === 'insert') bytes = Buffer.concat([bytes.subarray(0, i), Buffer.from([value & 0xff, (value >> 8) & 0xff]), bytes.subarray(i)]);
        }
        try {
          const groups = addon.keyGroupsOfRecords(descriptor, Int32Array.of(0, 1, 2), bytes, 128);
          for (const g of groups) assert.ok(g >= 0 && g < 128);
          returned++;
        } catch (e) {
          assert.ok(e instanceof RangeError || e instanceof TypeError, `unexpected ${String(e)}`);
          thrown++;
        }
      }),
      { ...fcOptions, numRuns: 2000 },
    );
    assert.ok(thrown > 0 && returned > 0, `thrown ${thrown}, returned ${returned}`);
  });
});
