import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { CorruptRecordError, SerializationError } from '../../src/errors.js';
import { DataInputView } from '../../src/types/data-input-view.js';
import { DataOutputView } from '../../src/types/data-output-view.js';
import { Types } from '../../src/types/type-information.js';
import { anyGeneric, anyString, checkRoundTrip, decode, encodeScratch, fcOptions, genericExpected } from './round-trip.js';

const ser = Types.GENERIC.createSerializer();

test('GENERIC round-trips arbitrary supported values', () => {
  fc.assert(fc.property(anyGeneric, (v) => checkRoundTrip(ser, v, genericExpected(v))), fcOptions);
});

test('GENERIC round-trips the documented kinds of value', () => {
  const values: unknown[] = [
    undefined, null, true, false, 0, -0, 1, -1, 2 ** 31 - 1, -(2 ** 31), 2 ** 31, 1.5, NaN, Infinity, -Infinity,
    0n, -(2n ** 63n), 2n ** 63n - 1n, 2n ** 63n, -(2n ** 200n), '', 'héllo 😀', 'x'.repeat(10_000),
    [], [1, 'a', [null]], {}, { a: 1, b: { c: [1n] } }, new Date(0),
    new Uint8Array([1, 2, 3]), Buffer.from('buf'), new Map<unknown, unknown>([[1, 'a'], ['k', new Set([1])]]),
    new Set(['a', 2]), new Float64Array([1.5, -0]), /re/g, new Int32Array(0),
  ];
  for (const v of values) checkRoundTrip(ser, v);
});

test('an invalid Date round-trips as an invalid Date', () => {
  const back = decode(ser, encodeScratch(ser, new Date(NaN)));
  assert.ok(back instanceof Date && Number.isNaN(back.getTime()));
});

test('int32 numbers use 5 bytes and -0 keeps its sign', () => {
  assert.equal(encodeScratch(ser, 7).length, 5);
  assert.equal(encodeScratch(ser, 2 ** 31).length, 9);
  assert.ok(Object.is(decode(ser, encodeScratch(ser, -0)), -0));
});

test('Buffer and Uint8Array keep their classes and do not alias the input memory', () => {
  const sab = new SharedArrayBuffer(64);
  const out = DataOutputView.over(Buffer.from(sab), new DataView(sab));
  ser.write([Buffer.from([1]), new Uint8Array([2])], out);
  const input = new DataInputView(out.buf, out.view, 0, out.pos);
  const [b, u] = ser.read(input) as [Buffer, Uint8Array];
  assert.ok(Buffer.isBuffer(b));
  assert.ok(!Buffer.isBuffer(u) && u instanceof Uint8Array);
  out.buf.fill(0);
  assert.deepEqual([...b, ...u], [1, 2]);
});

test('class instances come back as plain objects (documented)', () => {
  class Point { constructor(readonly x: number, readonly y: number) {} }
  const back = decode(ser, encodeScratch(ser, { p: new Point(1, 2) })) as { p: object };
  assert.deepStrictEqual(back.p, { x: 1, y: 2 });
  assert.equal(Object.getPrototypeOf(back.p), Object.prototype);
});

test('null-prototype objects come back with Object.prototype (documented)', () => {
  const o = Object.create(null) as Record<string, unknown>;
  o['a'] = 1;
  const back = decode(ser, encodeScratch(ser, o)) as object;
  assert.equal(Object.getPrototypeOf(back), Object.prototype);
  assert.deepEqual(back, { a: 1 });
});

test('an own __proto__ key stays an own property', () => {
  const v = JSON.parse('{"__proto__": {"polluted": true}, "a": 1}') as object;
  const back = decode(ser, encodeScratch(ser, v)) as Record<string, unknown>;
  assert.equal(Object.getPrototypeOf(back), Object.prototype);
  assert.deepStrictEqual(Object.getOwnPropertyDescriptor(back, '__proto__')?.value, { polluted: true });
  assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
});

test('array holes read back as undefined (documented)', () => {
  assert.deepStrictEqual(decode(ser, encodeScratch(ser, [1, , 3])), [1, undefined, 3]);
});

test('cyclic and very deep values fall back to v8.serialize whole', () => {
  const cyclic: Record<string, unknown> = { name: 'a' };
  cyclic['self'] = cyclic;
  const back = decode(ser, encodeScratch(ser, cyclic)) as Record<string, unknown>;
  assert.equal(back['self'], back);
  let deep: unknown = 'leaf';
  for (let i = 0; i < 1000; i++) deep = [deep];
  checkRoundTrip(ser, deep);
  // Inside a declared tuple too.
  const pair = Types.TUPLE(Types.STRING, Types.GENERIC).createSerializer();
  const back2 = decode(pair, encodeScratch(pair, ['k', cyclic])) as [string, Record<string, unknown>];
  assert.equal(back2[1]['self'], back2[1]);
});

test('functions and symbols throw SerializationError naming GENERIC', () => {
  for (const v of [() => 1, Symbol('s'), { f: () => 1 }, new Map([[1, Symbol('x')]]), new WeakMap()]) {
    assert.throws(() => ser.write(v, new DataOutputView()), (e: unknown) => {
      assert.ok(e instanceof SerializationError);
      assert.match(e.message, /as GENERIC/);
      return true;
    });
  }
});

test('corrupt GENERIC bytes throw CorruptRecordError', () => {
  const bad = [
    Buffer.from([17]), // unknown tag
    Buffer.from([255]),
    Buffer.from([9, 0xff, 0xff, 0xff, 0x7f]), // array count larger than the record
    Buffer.from([10, 1, 0, 0, 0]), // object count without entries
    Buffer.from([7, 2, 0, 0, 0, 0x31, 0x78]), // bigint digits "1x"
    Buffer.from([16, 2, 0, 0, 0, 0xff, 0x00]), // v8 garbage
    Buffer.from([2, 0]), // trailing byte is fine for read, checked below
  ];
  for (const b of bad.slice(0, -1)) assert.throws(() => ser.read(new DataInputView(b)), CorruptRecordError, b.toString('hex'));
  let nested = Buffer.alloc(0);
  for (let i = 0; i < 300; i++) nested = Buffer.concat([nested, Buffer.from([9, 1, 0, 0, 0])]);
  nested = Buffer.concat([nested, Buffer.from([0])]);
  assert.throws(() => ser.read(new DataInputView(nested)), /nested deeper than 256/);
});

test('GENERIC strings are well-formed after a round trip', () => {
  fc.assert(fc.property(anyString, (s) => {
    assert.equal(decode(ser, encodeScratch(ser, s)), (s as unknown as { toWellFormed(): string }).toWellFormed());
  }), fcOptions);
});
