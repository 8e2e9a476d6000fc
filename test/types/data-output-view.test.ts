import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { StromError } from '../../src/errors.js';
import { DataInputView } from '../../src/types/data-input-view.js';
import { DataOutputView } from '../../src/types/data-output-view.js';
import { anyString, fcOptions, wellFormed } from './round-trip.js';

test('a growable view doubles and keeps what was written', () => {
  const out = new DataOutputView(2);
  for (let i = 0; i < 1000; i++) out.writeInt32(i);
  assert.equal(out.pos, 4000);
  assert.ok(out.limit >= 4000);
  const input = new DataInputView(out.buf, out.view, 0, out.pos);
  for (let i = 0; i < 1000; i++) assert.equal(input.readInt32(), i);
});

test('primitives are little-endian at the documented sizes', () => {
  const out = new DataOutputView(1);
  out.writeUint8(0xab);
  out.writeBoolean(true);
  out.writeBoolean(false);
  out.writeInt32(-2);
  out.writeFloat64(1);
  out.writeBigInt64(-1n);
  out.writeString('hé');
  out.writeBytes(new Uint8Array([9, 8]));
  assert.deepEqual(
    [...out.buf.subarray(0, out.pos)],
    [0xab, 1, 0, 0xfe, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f, 255, 255, 255, 255, 255, 255, 255, 255,
      3, 0, 0, 0, 0x68, 0xc3, 0xa9, 2, 0, 0, 0, 9, 8],
  );
});

test('a fixed view writes into shared memory and refuses to pass its limit', () => {
  const sab = new SharedArrayBuffer(32);
  const buf = Buffer.from(sab);
  const out = DataOutputView.over(buf, new DataView(sab));
  assert.equal(out.fixed, true);
  out.pos = 4;
  out.limit = 10;
  out.writeInt32(7);
  assert.equal(new DataView(sab).getInt32(4, true), 7);
  assert.throws(() => out.writeFloat64(1), (e: unknown) => e instanceof StromError && e.code === 'ERR_INTERNAL_ASSERTION');
  assert.throws(() => out.writeString('abc'), StromError);
  assert.throws(() => out.writeBytes(new Uint8Array(3)), StromError);
  out.writeUint8(1);
  out.writeBoolean(true);
  assert.throws(() => out.writeUint8(1), StromError);
  assert.equal(out.pos, 10);
  assert.deepEqual([...buf.subarray(10)], new Array(22).fill(0), 'nothing written past the limit');
});

test('over() rejects a view of other memory', () => {
  const sab = new SharedArrayBuffer(16);
  assert.throws(() => DataOutputView.over(Buffer.from(sab), new DataView(sab, 4)), TypeError);
  assert.throws(() => new DataOutputView(0), RangeError);
});

test('strings round-trip through both string paths in both modes', () => {
  fc.assert(
    fc.property(anyString, (s) => {
      const out = new DataOutputView(1);
      out.writeString(s);
      assert.ok(out.pos <= 4 + 3 * s.length);
      const sab = new SharedArrayBuffer(4 + 3 * s.length + 3);
      const fixed = DataOutputView.over(Buffer.from(sab), new DataView(sab));
      fixed.pos = 3;
      fixed.limit = 3 + 4 + 3 * s.length;
      fixed.writeString(s);
      assert.equal(fixed.pos - 3, out.pos);
      assert.equal(new DataInputView(out.buf, out.view, 0, out.pos).readString(), wellFormed(s));
      assert.equal(new DataInputView(fixed.buf, fixed.view, 3, fixed.pos).readString(), wellFormed(s));
    }),
    fcOptions,
  );
});

test('lone surrogates are written as U+FFFD by both string paths', () => {
  const cases: [string, string][] = [
    ['\ud800', '\ufffd'],
    ['ab\udc00', 'ab\ufffd'],
    ['x'.repeat(20) + '\ud800', 'x'.repeat(20) + '\ufffd'],
    ['\ud83d\ude00\ud83d', '\u{1f600}\ufffd'],
    ['\ude00\ud83d', '\ufffd\ufffd'],
  ];
  for (const [s, expected] of cases) {
    const out = new DataOutputView(1);
    out.writeString(s);
    assert.equal(new DataInputView(out.buf, out.view, 0, out.pos).readString(), expected);
    assert.equal(expected, wellFormed(s));
  }
});
