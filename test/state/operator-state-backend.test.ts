import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CorruptRecordError } from '../../src/errors.js';
import { OperatorStateBackend, redistributeOperatorState } from '../../src/state/operator-state-backend.js';
import { ListStateDescriptor, ValueStateDescriptor } from '../../src/state/state-descriptor.js';
import { Types } from '../../src/types/type-information.js';

const offsets = () => new ListStateDescriptor<[string, number]>('offsets', Types.TUPLE(Types.STRING, Types.DOUBLE));
const seen = () => new ListStateDescriptor<unknown>('seen');

/** Subtask `i` of `p` holding split offsets and a union list of what it saw. */
function subtask(i: number, splits: number) {
  const b = new OperatorStateBackend(`source (${i + 1}/3)`);
  const o = b.getListState(offsets());
  for (let s = 0; s < splits; s++) o.add([`split-${i}-${s}`, s * 10]);
  b.getUnionListState(seen()).add({ subtask: i });
  return b;
}

function restoredLists(snapshot: Uint8Array) {
  const b = new OperatorStateBackend('restored');
  b.restore(snapshot);
  return { offsets: [...b.getListState(offsets()).get()], seen: [...b.getUnionListState(seen()).get()] };
}

test('split lists are cut into even contiguous parts on rescale; union lists go whole to every subtask', () => {
  const old = [subtask(0, 3), subtask(1, 1), subtask(2, 3)].map((b) => b.snapshot());
  const all = old.flatMap((s) => restoredLists(s).offsets);
  assert.equal(all.length, 7);

  const two = redistributeOperatorState(old, 2).map(restoredLists);
  assert.deepEqual(two.map((r) => r.offsets.length), [3, 4]);
  assert.deepEqual(two.flatMap((r) => r.offsets), all, 'every element once, in subtask order');
  for (const r of two) assert.deepEqual(r.seen, [{ subtask: 0 }, { subtask: 1 }, { subtask: 2 }]);

  const five = redistributeOperatorState(old, 5).map(restoredLists);
  assert.deepEqual(five.map((r) => r.offsets.length), [1, 1, 2, 1, 2]);
  assert.deepEqual(five.flatMap((r) => r.offsets), all);

  const one = redistributeOperatorState(redistributeOperatorState(old, 5), 1).map(restoredLists);
  assert.deepEqual(one[0]!.offsets, all, '3 -> 5 -> 1 keeps everything');
});

test('a restored state not declared yet is carried into the next snapshot', () => {
  const b = new OperatorStateBackend('sink');
  b.restore(subtask(0, 2).snapshot());
  const again = new OperatorStateBackend('sink');
  again.restore(b.snapshot());
  assert.equal([...again.getListState(offsets()).get()].length, 2);
});

test('list state operations and clear errors', () => {
  const b = new OperatorStateBackend('op');
  const l = b.getListState(new ListStateDescriptor<number>('l', Types.DOUBLE));
  l.addAll([1, 2]);
  l.update([3]);
  l.add(4);
  assert.deepEqual([...l.get()], [3, 4]);
  l.clear();
  assert.deepEqual([...l.get()], []);
  assert.throws(() => l.add(null as never), /cannot hold null/);
  assert.throws(() => b.getUnionListState(new ListStateDescriptor<number>('l', Types.DOUBLE)), /declared as a list state of DOUBLE, now as a union list state of DOUBLE/);
  assert.throws(() => b.getListState(new ValueStateDescriptor('v') as never), /expected a ListStateDescriptor/);
  const s = subtask(0, 1).snapshot();
  const wrongType = new OperatorStateBackend('op');
  wrongType.getListState(new ListStateDescriptor<string>('offsets', Types.STRING));
  assert.throws(() => wrongType.restore(s), /'offsets' is a list state of TUPLE\(STRING, DOUBLE\) in the snapshot, a list state of STRING/);
});

test('every truncation and every single-bit flip of an operator state snapshot throws CorruptRecordError', () => {
  const good = subtask(1, 2).snapshot();
  for (let n = 0; n < good.length; n++) assert.throws(() => new OperatorStateBackend('op').restore(good.slice(0, n)), CorruptRecordError);
  for (let i = 0; i < good.length; i++) {
    for (let bit = 0; bit < 8; bit++) {
      const bad = good.slice();
      bad[i]! ^= 1 << bit;
      assert.throws(() => redistributeOperatorState([bad], 2), CorruptRecordError, `bit ${bit} of byte ${i}`);
    }
  }
});
