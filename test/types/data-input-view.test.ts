import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CorruptRecordError } from '../../src/errors.js';
import { DataInputView } from '../../src/types/data-input-view.js';
import { DataOutputView } from '../../src/types/data-output-view.js';

function bytes(...values: number[]): Buffer {
  return Buffer.from(values);
}

test('every read stops at the limit with CorruptRecordError, not RangeError', () => {
  const reads: [string, (i: DataInputView) => unknown, number][] = [
    ['readUint8', (i) => i.readUint8(), 1],
    ['readBoolean', (i) => i.readBoolean(), 1],
    ['readInt32', (i) => i.readInt32(), 4],
    ['readFloat64', (i) => i.readFloat64(), 8],
    ['readBigInt64', (i) => i.readBigInt64(), 8],
  ];
  // The buffer holds plenty of zero bytes past the limit: a read must not use them.
  const buf = Buffer.alloc(64);
  for (const [name, read, size] of reads) {
    for (let limit = 0; limit < size; limit++) {
      const input = new DataInputView(buf, undefined, 0, limit);
      assert.throws(() => read(input), CorruptRecordError, `${name} with ${limit} bytes`);
      assert.equal(input.pos, 0);
    }
    assert.doesNotThrow(() => read(new DataInputView(buf, undefined, 0, size)));
    // Also at the very end of the underlying memory.
    assert.throws(() => read(new DataInputView(buf, undefined, 64 - size + 1, 64)), CorruptRecordError);
  }
});

test('strings and bytes with bad lengths are corrupt', () => {
  const cases = [
    bytes(0xff, 0xff, 0xff, 0xff), // -1
    bytes(5, 0, 0, 0, 0x61, 0x62), // 5 announced, 2 present
    bytes(0, 0, 0, 0x80), // int32 min
    bytes(2, 0, 0),
  ];
  for (const c of cases) {
    const padded = Buffer.concat([c, Buffer.alloc(32, 0x61)]);
    assert.throws(() => new DataInputView(padded, undefined, 0, c.length).readString(), CorruptRecordError);
    assert.throws(() => new DataInputView(padded, undefined, 0, c.length).readBytes(), CorruptRecordError);
  }
  const empty = new DataInputView(bytes(0, 0, 0, 0));
  assert.equal(empty.readString(), '');
});

test('a boolean byte other than 0 or 1 is corrupt', () => {
  assert.throws(() => new DataInputView(bytes(2)).readBoolean(), /Corrupt record: invalid boolean byte 2/);
  assert.equal(new DataInputView(bytes(1)).readBoolean(), true);
  assert.equal(new DataInputView(bytes(0)).readBoolean(), false);
});

test('invalid UTF-8 decodes to U+FFFD within the record', () => {
  assert.equal(new DataInputView(bytes(2, 0, 0, 0, 0xc3, 0x28)).readString(), '\ufffd(');
  assert.equal(new DataInputView(bytes(1, 0, 0, 0, 0xc3, 0xa9)).readString(), '\ufffd');
});

test('short ASCII and other strings decode from shared memory', () => {
  const sab = new SharedArrayBuffer(256);
  const out = DataOutputView.over(Buffer.from(sab), new DataView(sab));
  const strings = ['', 'a', 'ab', 'abc', 'abcd', 'abcde', 'abcdef', 'abcdefg', 'abcdefgh', 'abcdefghi', 'é', 'aé', '1234567é'];
  for (const s of strings) out.writeString(s);
  const input = new DataInputView(out.buf, out.view, 0, out.pos);
  for (const s of strings) assert.equal(input.readString(), s);
  assert.equal(input.remaining(), 0);
});

test('readBytes returns a copy that does not alias shared memory', () => {
  const sab = new SharedArrayBuffer(16);
  const buf = Buffer.from(sab);
  const out = DataOutputView.over(buf, new DataView(sab));
  out.writeBytes(new Uint8Array([1, 2, 3]));
  const copy = new DataInputView(buf, out.view, 0, out.pos).readBytes();
  buf.fill(0);
  assert.deepEqual([...copy], [1, 2, 3]);
  assert.ok(!(copy.buffer instanceof SharedArrayBuffer));
});

test('reset rejects a window outside the buffer', () => {
  const buf = Buffer.alloc(8);
  const input = new DataInputView();
  assert.throws(() => input.reset(buf, new DataView(buf.buffer, buf.byteOffset, 8), 0, 9), RangeError);
  assert.throws(() => input.reset(buf, new DataView(buf.buffer, buf.byteOffset, 8), 5, 4), RangeError);
  assert.throws(() => input.reset(buf, new DataView(buf.buffer, buf.byteOffset, 8), -1, 4), RangeError);
});

test('readLength with a unit rejects counts the remaining bytes cannot hold', () => {
  const input = new DataInputView(bytes(3, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9));
  assert.throws(() => input.readLength(5), CorruptRecordError);
  assert.equal(input.readLength(3), 3);
});
