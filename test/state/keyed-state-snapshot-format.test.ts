import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CorruptRecordError } from '../../src/errors.js';
import { crc32 } from '../../src/state/snapshot-envelope.js';
import {
  KeyedStateSnapshotWriter,
  readKeyedStateSnapshot,
  VOID_NAMESPACE_TYPE_NAME,
  type SnapshotStateMeta,
} from '../../src/state/keyed-state-snapshot-format.js';
import { DataInputView } from '../../src/types/data-input-view.js';
import { Types } from '../../src/types/type-information.js';

const STR = Types.STRING.createSerializer();
const DBL = Types.DOUBLE.createSerializer();

const STATES: SnapshotStateMeta[] = [
  { name: 'v', kind: 'VALUE', ttl: false, namespaceTypeName: VOID_NAMESPACE_TYPE_NAME, valueTypeName: DBL.typeName, userKeyTypeName: '' },
  { name: 'l', kind: 'LIST', ttl: true, namespaceTypeName: STR.typeName, valueTypeName: DBL.typeName, userKeyTypeName: '' },
  { name: 'm', kind: 'MAP', ttl: false, namespaceTypeName: STR.typeName, valueTypeName: DBL.typeName, userKeyTypeName: STR.typeName },
];

function decode<T>(bytes: Uint8Array, serializer: { read(i: DataInputView): T }): T {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return serializer.read(new DataInputView(buf));
}

function sample(): Uint8Array {
  const w = new KeyedStateSnapshotWriter({ maxParallelism: 8, keyGroupStart: 0, keyGroupEnd: 7, keyTypeName: STR.typeName }, STATES);
  w.beginKeyGroup(1);
  w.beginEntry(0);
  w.key(STR, 'a');
  w.namespaceBytes(new Uint8Array(0));
  w.value(DBL, 1.5);
  w.beginEntry(1);
  w.key(STR, 'a');
  w.namespace(STR, 'w1');
  w.timestamp(100);
  w.value(DBL, 2);
  w.timestamp(2 ** 40);
  w.value(DBL, 3);
  w.beginKeyGroup(6);
  w.beginEntry(2);
  w.key(STR, 'b');
  w.namespace(STR, 'w2');
  w.userKey(STR, 'x');
  w.value(DBL, 4);
  return w.finish();
}

test('entries written by key group read back with states, TTL timestamps, user keys and values', () => {
  const snap = readKeyedStateSnapshot(sample(), 8, 0, 7);
  assert.equal(snap.scope.keyTypeName, STR.typeName);
  assert.deepEqual(snap.states, STATES);
  assert.deepEqual(
    snap.entries.map((e) => ({
      state: e.stateIndex,
      kg: e.keyGroup,
      key: decode(e.key, STR),
      ns: e.namespace.length === 0 ? null : decode(e.namespace, STR),
      items: e.items.map((i) => [i.timestamp, i.userKey && decode(i.userKey, STR), decode(i.value, DBL)]),
    })),
    [
      { state: 0, kg: 1, key: 'a', ns: null, items: [[0, undefined, 1.5]] },
      { state: 1, kg: 1, key: 'a', ns: 'w1', items: [[100, undefined, 2], [2 ** 40, undefined, 3]] },
      { state: 2, kg: 6, key: 'b', ns: 'w2', items: [[0, 'x', 4]] },
    ],
  );
});

test('a reader keeps only the key groups of its range', () => {
  assert.deepEqual(readKeyedStateSnapshot(sample(), 8, 0, 3).entries.map((e) => e.keyGroup), [1, 1]);
  assert.deepEqual(readKeyedStateSnapshot(sample(), 8, 4, 7).entries.map((e) => e.keyGroup), [6]);
  assert.deepEqual(readKeyedStateSnapshot(sample(), 8, 2, 5).entries, []);
});

test('every truncation and every single-bit flip throws CorruptRecordError', () => {
  const good = sample();
  for (let n = 0; n < good.length; n++) assert.throws(() => readKeyedStateSnapshot(good.slice(0, n), 8, 0, 7), CorruptRecordError, `prefix ${n}`);
  for (let i = 0; i < good.length; i++) {
    for (let bit = 0; bit < 8; bit++) {
      const bad = good.slice();
      bad[i]! ^= 1 << bit;
      assert.throws(() => readKeyedStateSnapshot(bad, 8, 0, 7), CorruptRecordError, `bit ${bit} of byte ${i}`);
    }
  }
});

test('a valid checksum over an inconsistent structure is refused, and so is another maxParallelism', () => {
  const good = sample();
  assert.throws(() => readKeyedStateSnapshot(good, 16, 0, 15), /maxParallelism 8, this backend has 16/);
  // Section count one higher than written, checksum recomputed: the walk runs out of bytes.
  const bad = good.slice();
  const view = new DataView(bad.buffer);
  view.setInt32(24, 3, true);
  view.setUint32(bad.length - 4, crc32(bad, 0, bad.length - 4), true);
  assert.throws(() => readKeyedStateSnapshot(bad, 8, 0, 7), CorruptRecordError);
});

test('the writer refuses key groups out of order and entries without items', () => {
  const w = new KeyedStateSnapshotWriter({ maxParallelism: 8, keyGroupStart: 2, keyGroupEnd: 5, keyTypeName: 'STRING' }, STATES);
  assert.throws(() => w.beginKeyGroup(1), /must ascend within \[2, 5\]/);
  w.beginKeyGroup(3);
  assert.throws(() => w.beginKeyGroup(3), /must ascend/);
  w.beginKeyGroup(4);
  w.beginEntry(1);
  w.key(STR, 'k');
  w.namespace(STR, 'n');
  assert.throws(() => w.finish(), /at least one item/);
});
