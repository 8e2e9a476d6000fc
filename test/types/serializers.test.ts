import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { CorruptRecordError, describeValue, SerializationError } from '../../src/errors.js';
import { DataInputView } from '../../src/types/data-input-view.js';
import { DataOutputView } from '../../src/types/data-output-view.js';
import { Types, type TypeInformation } from '../../src/types/type-information.js';
import {
  anyDouble, anyLong, anySample, anyString, checkRoundTrip, encodeScratch, fcOptions, wellFormed,
} from './round-trip.js';

test('STRING round-trips (lone surrogates become U+FFFD)', () => {
  const ser = Types.STRING.createSerializer();
  fc.assert(fc.property(anyString, (s) => checkRoundTrip(ser, s, wellFormed(s))), fcOptions);
});

test('DOUBLE round-trips, including -0, NaN and infinities', () => {
  const ser = Types.DOUBLE.createSerializer();
  fc.assert(fc.property(anyDouble, (d) => checkRoundTrip(ser, d)), fcOptions);
  for (const d of [-0, NaN, Infinity, -Infinity]) checkRoundTrip(ser, d);
  assert.equal(Types.NUMBER, Types.DOUBLE);
});

test('LONG round-trips across the int64 range', () => {
  const ser = Types.LONG.createSerializer();
  fc.assert(fc.property(anyLong, (l) => checkRoundTrip(ser, l)), fcOptions);
  checkRoundTrip(ser, -(2n ** 63n));
  checkRoundTrip(ser, 2n ** 63n - 1n);
});

test('BOOLEAN round-trips', () => {
  const ser = Types.BOOLEAN.createSerializer();
  checkRoundTrip(ser, true);
  checkRoundTrip(ser, false);
});

test('nested TUPLE and ROW types round-trip; maxSize bounds declared ones', () => {
  fc.assert(
    fc.property(anySample, ({ info, value, expected, declared }) => {
      const ser = info.createSerializer();
      checkRoundTrip(ser, value, expected);
      const bound = ser.maxSize(value);
      if (declared) assert.ok(bound >= 0, `${info.name} gave no bound`);
      else assert.equal(bound, -1);
    }),
    { ...fcOptions, numRuns: 500 },
  );
});

test('an empty tuple and an empty row encode to nothing', () => {
  assert.equal(encodeScratch(Types.TUPLE().createSerializer(), []).length, 0);
  assert.equal(encodeScratch(Types.ROW({}).createSerializer(), {}).length, 0);
});

test('ROW reads back a plain object in declaration order without undeclared fields', () => {
  const info = Types.ROW({ b: Types.STRING, a: Types.DOUBLE, g: Types.GENERIC });
  const ser = info.createSerializer();
  class Point { constructor(readonly b: string, readonly a: number, readonly g: unknown, readonly extra = 1) {} }
  const back = ser.read(new DataInputView(encodeScratch(ser, new Point('x', 1, undefined))));
  assert.deepStrictEqual(back, { b: 'x', a: 1, g: undefined });
  assert.deepEqual(Object.keys(back), ['b', 'a', 'g']);
});

test('a ROW field named __proto__ is an own property, not the prototype', () => {
  const fields = JSON.parse('{"__proto__": 0, "x": 0}') as Record<string, unknown>;
  fields['__proto__'] = Types.STRING;
  fields['x'] = Types.DOUBLE;
  const info = Types.ROW(fields as Record<string, TypeInformation<any>>);
  const value = JSON.parse('{"__proto__": "p", "x": 1}') as Record<string, unknown>;
  const back = info.createSerializer().read(new DataInputView(encodeScratch(info.createSerializer(), value))) as object;
  assert.equal(Object.getPrototypeOf(back), Object.prototype);
  assert.deepStrictEqual(back, value);
});

function assertSerializationError(info: TypeInformation<any>, value: unknown, ...mentions: (string | RegExp)[]): void {
  const ser = info.createSerializer();
  const check = (e: unknown): boolean => {
    assert.ok(e instanceof SerializationError, `expected SerializationError, got ${e}`);
    assert.equal(e.code, 'ERR_SERIALIZATION');
    assert.ok(e.message.includes(`as ${info.name}`), `message does not name ${info.name}: ${e.message}`);
    assert.ok(e.message.includes(describeValue(value)), `message does not name the value: ${e.message}`);
    for (const m of mentions) {
      if (typeof m === 'string') assert.ok(e.message.includes(m), `message lacks ${JSON.stringify(m)}: ${e.message}`);
      else assert.match(e.message, m);
    }
    return true;
  };
  assert.throws(() => ser.write(value, new DataOutputView()), check);
  // maxSize never throws: NaN, -1 or a number for a wrong value.
  const bound = ser.maxSize(value);
  assert.equal(typeof bound, 'number');
  // The fixed path never sees such values (maxSize is NaN or too small), but if it did,
  // write still throws SerializationError before writing past the window.
  if (bound >= 0) {
    const sab = new SharedArrayBuffer(64);
    const out = DataOutputView.over(Buffer.from(sab), new DataView(sab));
    out.limit = Math.min(64, bound);
    assert.throws(() => ser.write(value, out));
  }
}

test('values a declared type cannot encode throw errors naming the type and the value', () => {
  assertSerializationError(Types.STRING, 42, 'expected a string');
  assertSerializationError(Types.STRING, null);
  assertSerializationError(Types.STRING, undefined);
  assertSerializationError(Types.STRING, ['a']);
  assertSerializationError(Types.DOUBLE, '1', 'expected a number');
  assertSerializationError(Types.DOUBLE, 1n);
  assertSerializationError(Types.LONG, 1.5, 'expected a bigint');
  assertSerializationError(Types.LONG, 5, 'expected a bigint');
  assertSerializationError(Types.LONG, 2n ** 63n, 'signed 64-bit range');
  assertSerializationError(Types.LONG, -(2n ** 63n) - 1n, 'signed 64-bit range');
  assertSerializationError(Types.BOOLEAN, 1, 'expected a boolean');
  const pair = Types.TUPLE(Types.STRING, Types.DOUBLE);
  assertSerializationError(pair, ['a'], 'expected 2 elements, got 1');
  assertSerializationError(pair, ['a', 1, 2], 'expected 2 elements, got 3');
  assertSerializationError(pair, 'ab', 'expected an array');
  assertSerializationError(pair, [1, 1], 'field 0: cannot serialize 1 as STRING: expected a string');
  const row = Types.ROW({ word: Types.STRING, count: Types.LONG });
  assertSerializationError(row, { word: 'a' }, "missing field 'count'");
  assertSerializationError(row, { word: 'a', count: 1 }, 'field count: cannot serialize 1 as LONG: expected a bigint');
  assertSerializationError(row, null, 'expected an object');
  assertSerializationError(row, ['a', 1n], 'expected an object');
  assertSerializationError(row, { word: 'a', count: undefined }, 'field count: cannot serialize undefined as LONG');
  const nested = Types.TUPLE(Types.STRING, Types.ROW({ inner: Types.TUPLE(Types.BOOLEAN) }));
  assertSerializationError(nested, ['a', { inner: ['yes'] }], 'field 1.inner.0: cannot serialize "yes" as BOOLEAN');
  assertSerializationError(Types.TUPLE(Types.GENERIC), [() => 1], 'field 0: cannot serialize');
});

test('maxSize never throws and is NaN for values of the wrong shape', () => {
  const infos = [Types.STRING, Types.TUPLE(Types.STRING), Types.ROW({ a: Types.STRING })];
  for (const info of infos) {
    for (const v of [null, undefined, 1, 'x', [], {}, [1, 2], { a: 1 }]) {
      const bound = info.createSerializer().maxSize(v as never);
      assert.equal(typeof bound, 'number');
    }
  }
  assert.ok(Number.isNaN(Types.STRING.createSerializer().maxSize(null as never)));
  assert.ok(Number.isNaN(Types.TUPLE(Types.STRING).createSerializer().maxSize([] as never)));
  assert.ok(Number.isNaN(Types.ROW({ a: Types.STRING }).createSerializer().maxSize(null as never)));
  assert.equal(Types.TUPLE(Types.STRING, Types.GENERIC).createSerializer().maxSize(['a', 1]), -1);
});

test('a corrupt BOOLEAN inside a TUPLE is a CorruptRecordError', () => {
  const ser = Types.TUPLE(Types.DOUBLE, Types.BOOLEAN).createSerializer();
  const bytes = encodeScratch(ser, [1, true]);
  bytes[8] = 7;
  assert.throws(() => ser.read(new DataInputView(bytes)), CorruptRecordError);
});

test('Types reject field types that are not TypeInformation', () => {
  assert.throws(() => Types.TUPLE(Types.STRING, 'STRING' as never), /field 1 is not a TypeInformation/);
  assert.throws(() => Types.ROW({ a: {} as never }), /field 'a' is not a TypeInformation/);
});
