import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CorruptRecordError, StromError } from '../../src/errors.js';
import { HeapKeyedStateBackend } from '../../src/state/heap-keyed-state-backend.js';
import { VOID_NAMESPACE, type KeyedStateBackendOptions } from '../../src/state/keyed-state-backend.js';
import {
  AggregatingStateDescriptor,
  ListStateDescriptor,
  MapStateDescriptor,
  ReducingStateDescriptor,
  ValueStateDescriptor,
} from '../../src/state/state-descriptor.js';
import { StateTtlConfig } from '../../src/state/state-ttl-config.js';
import { Types } from '../../src/types/type-information.js';
import { checkKeyedStateProperties } from '../support/keyed-state-properties.js';

function heap(overrides: Partial<KeyedStateBackendOptions> = {}): HeapKeyedStateBackend<unknown> {
  return new HeapKeyedStateBackend({ operatorName: 'test op', maxParallelism: 128, keyGroupRange: { start: 0, end: 127 }, currentProcessingTime: () => 0, ...overrides });
}

for (const seed of [1, 2, 3, 4]) {
  test(`every state kind behaves like the plain JS model, through snapshots and rescales (seed ${seed})`, () => {
    checkKeyedStateProperties((options) => new HeapKeyedStateBackend(options), { seed });
  });
}

test('keys compare by value: tuples, -0 and 0, NaN; undeclared values round-trip through a snapshot', () => {
  const b = heap();
  const v = b.getPartitionedState(new ValueStateDescriptor<unknown>('v'));
  b.setCurrentKey(['a', 1]);
  v.update({ deep: [1, 2n] });
  b.setCurrentKey(['a', 1]);
  assert.deepEqual(v.value(), { deep: [1, 2n] });
  b.setCurrentKey(-0);
  v.update('zero');
  b.setCurrentKey(0);
  assert.equal(v.value(), 'zero');
  b.setCurrentKey(NaN);
  v.update('nan');
  b.setCurrentKey('[2:s1:an1;');
  assert.equal(v.value(), null, 'a string is never a tuple');
  const c = heap();
  c.restore([b.snapshot()]);
  const v2 = c.getPartitionedState(new ValueStateDescriptor<unknown>('v'));
  c.setCurrentKey(['a', 1]);
  assert.deepEqual(v2.value(), { deep: [1, 2n] });
  c.setCurrentKey(NaN);
  assert.equal(v2.value(), 'nan');
  assert.equal(c.stats().entries, 3);
});

test('a reused tuple key array does not change the stored key', () => {
  const b = heap();
  const v = b.getPartitionedState(new ValueStateDescriptor<number>('v'));
  const scratch: [string, number] = ['a', 1];
  b.setCurrentKey(scratch);
  v.update(1);
  scratch[1] = 2;
  b.setCurrentKey(scratch);
  v.update(2);
  const seen: unknown[] = [];
  b.applyToAllKeys(VOID_NAMESPACE, 'v', (k) => seen.push(k));
  assert.deepEqual(seen, [['a', 1], ['a', 2]]);
});

test('namespaces separate the state of one key; applyToAllKeys sees one namespace and sets the key', () => {
  const b = heap();
  const ns = Types.STRING.createSerializer();
  const r = b.getPartitionedState(new ReducingStateDescriptor<number>('sum', (x, y) => x + y, Types.DOUBLE), ns);
  for (const [key, w, x] of [['a', 'w1', 1], ['a', 'w2', 10], ['b', 'w1', 100], ['a', 'w1', 2]] as const) {
    b.setCurrentKey(key);
    r.setCurrentNamespace(w);
    r.add(x);
  }
  const seen: [unknown, number | null][] = [];
  r.setCurrentNamespace('w1');
  b.applyToAllKeys('w1', 'sum', (k) => seen.push([k, r.get()]));
  assert.deepEqual(seen, [['a', 3], ['b', 100]]);
  r.setCurrentNamespace('w2');
  b.setCurrentKey('a');
  assert.equal(r.get(), 10);
});

test('aggregating state keeps the accumulator; reducing and value states clear on null', () => {
  const b = heap();
  const agg = b.getPartitionedState(
    new AggregatingStateDescriptor('max', { createAccumulator: () => -Infinity, add: (v: number, a: number) => Math.max(v, a), getResult: (a: number) => `max ${a}`, merge: Math.max }),
  );
  const val = b.getPartitionedState(new ValueStateDescriptor<number>('v', Types.DOUBLE, 7));
  b.setCurrentKey('k');
  assert.equal(agg.get(), null);
  agg.add(3);
  agg.add(1);
  assert.equal(agg.get(), 'max 3');
  assert.equal(val.value(), 7, 'the default value');
  val.update(1);
  val.update(null);
  assert.equal(val.value(), 7);
  assert.equal(b.stats().entries, 1);
});

test('a name reused with another kind or type, and bad input, get clear errors', () => {
  const b = heap();
  b.getPartitionedState(new ValueStateDescriptor('s', Types.DOUBLE));
  assert.throws(() => b.getPartitionedState(new ListStateDescriptor('s', Types.DOUBLE)), /state 's' of test op.*declared as VALUE of DOUBLE.*vs LIST of DOUBLE.*another name/s);
  assert.throws(() => b.getPartitionedState(new ValueStateDescriptor('s', Types.STRING)), /VALUE of DOUBLE .* vs VALUE of STRING/);
  assert.throws(() => b.setCurrentKey({ id: 1 }), /objects compare by identity/);
  assert.throws(() => b.setCurrentKey(null), /must not be null/);
  const l = b.getPartitionedState(new ListStateDescriptor<number>('l'));
  b.setCurrentKey('k');
  assert.throws(() => l.add(null as never), /cannot hold null/);
  assert.throws(() => l.update(null as never), /expected an iterable/);
  const v = b.getPartitionedState(new ValueStateDescriptor('v'));
  assert.throws(() => v.setCurrentNamespace({ window: 1 } as never), /needs a namespace serializer/);
  assert.throws(() => heap({ keyGroupRange: { start: 0, end: 128 } }), /keyGroupRange/);
});

test('a key of another subtask is an internal error naming the key group', () => {
  const b = heap({ keyGroupRange: { start: 0, end: 0 } });
  const strays = ['a', 'b', 'c', 'd'];
  assert.throws(() => strays.forEach((k) => b.setCurrentKey(k)), (e: unknown) => e instanceof StromError && /outside this subtask's key groups \[0, 0\]/.test(e.message));
});

test('restored states not declared yet are written back into snapshots unchanged', () => {
  const a = heap();
  const l = a.getPartitionedState(new ListStateDescriptor<string>('l', Types.STRING));
  const m = a.getPartitionedState(new MapStateDescriptor<string, number>('m', Types.STRING, Types.DOUBLE));
  for (const k of ['x', 'y']) {
    a.setCurrentKey(k);
    l.addAll([k, k]);
    m.put(k, 1);
  }
  const first = a.snapshot();
  const b = heap();
  b.restore([first]);
  assert.deepEqual(b.snapshot(), first);
  const c = heap();
  c.restore([b.snapshot()]);
  const m2 = c.getPartitionedState(new MapStateDescriptor<string, number>('m', Types.STRING, Types.DOUBLE));
  c.setCurrentKey('y');
  assert.deepEqual([...m2.entries()], [['y', 1]]);
  assert.throws(() => c.getPartitionedState(new ListStateDescriptor<number>('l', Types.DOUBLE)), /LIST of STRING .* vs LIST of DOUBLE.*restored snapshot/);
});

test('corrupt, truncated or incompatible snapshots throw CorruptRecordError and change nothing', () => {
  const a = heap();
  const v = a.getPartitionedState(new ValueStateDescriptor<number>('v', Types.DOUBLE));
  a.setCurrentKey('k');
  v.update(1);
  const good = a.snapshot();
  const b = heap();
  const v2 = b.getPartitionedState(new ValueStateDescriptor<number>('v', Types.DOUBLE));
  b.setCurrentKey('other');
  v2.update(5);
  for (const bad of [good.slice(0, good.length - 1), good.slice(0, 10), Uint8Array.from(good, (x, i) => (i === 60 ? x ^ 1 : x))]) {
    assert.throws(() => b.restore([bad]), CorruptRecordError);
  }
  assert.throws(() => heap({ maxParallelism: 64, keyGroupRange: { start: 0, end: 63 } }).restore([good]), /maxParallelism 128/);
  assert.throws(() => heap({ keyType: Types.DOUBLE }).restore([good]), /its keys are GENERIC/);
  const typed = heap();
  typed.getPartitionedState(new ValueStateDescriptor<string>('v', Types.STRING));
  assert.throws(() => typed.restore([good]), /state 'v' is VALUE of DOUBLE .* in the snapshot, VALUE of STRING/);
  // Restoring the same snapshot twice holds one key twice: refused, and the state is as before.
  b.restore([good]);
  assert.throws(() => b.restore([good]), /holds key k twice/);
  assert.equal(b.stats().entries, 2);
  b.setCurrentKey('k');
  assert.equal(v2.value(), 1);
});

/** A backend with a manual clock and one TTL value state. */
function ttlBackend(ttl: StateTtlConfig) {
  let now = 1000;
  const b = heap({ currentProcessingTime: () => now });
  const d = new ValueStateDescriptor<number>('v', Types.DOUBLE);
  d.enableTimeToLive(ttl);
  return { b, v: b.getPartitionedState(d), at: (t: number) => (now = t), descriptor: d };
}

test('TTL: entries expire ttl ms after the last write; reading refreshes only with OnReadAndWrite', () => {
  const write = ttlBackend(StateTtlConfig.newBuilder(100).build());
  write.b.setCurrentKey('k');
  write.v.update(1);
  write.at(1099);
  assert.equal(write.v.value(), 1);
  write.at(1100);
  assert.equal(write.v.value(), null, 'expired at last access + ttl');
  assert.equal(write.b.stats().entries, 0, 'removed when read');

  const read = ttlBackend(StateTtlConfig.newBuilder(100).updateTtlOnReadAndWrite().build());
  read.b.setCurrentKey('k');
  read.v.update(1);
  read.at(1099);
  assert.equal(read.v.value(), 1);
  read.at(1198);
  assert.equal(read.v.value(), 1, 'the read at 1099 restarted the clock');
});

test('TTL: ReturnExpiredIfNotCleanedUp returns an expired value once, then it is gone', () => {
  const t = ttlBackend(StateTtlConfig.newBuilder(10).returnExpiredIfNotCleanedUp().disableCleanupInBackground().build());
  t.b.setCurrentKey('k');
  t.v.update(5);
  t.at(2000);
  assert.equal(t.v.value(), 5);
  assert.equal(t.v.value(), null);
});

test('TTL: list elements and map entries expire one by one', () => {
  let now = 0;
  const b = heap({ currentProcessingTime: () => now });
  const ttl = StateTtlConfig.newBuilder(100).disableCleanupInBackground().build();
  const ld = new ListStateDescriptor<string>('l', Types.STRING);
  ld.enableTimeToLive(ttl);
  const md = new MapStateDescriptor<string, number>('m', Types.STRING, Types.DOUBLE);
  md.enableTimeToLive(ttl);
  const l = b.getPartitionedState(ld);
  const m = b.getPartitionedState(md);
  b.setCurrentKey('k');
  l.add('old');
  m.put('old', 1);
  now = 50;
  l.add('new');
  m.put('new', 2);
  now = 120;
  assert.deepEqual([...l.get()], ['new']);
  assert.deepEqual([...m.entries()], [['new', 2]]);
  assert.equal(m.contains('old'), false);
  now = 150;
  assert.deepEqual([...l.get()], []);
  assert.equal(m.isEmpty(), true);
  assert.equal(b.stats().entries, 0);
});

test('TTL: incremental cleanup removes expired entries of other keys as the state is used', () => {
  let now = 0;
  const b = heap({ currentProcessingTime: () => now });
  const d = new ValueStateDescriptor<number>('v', Types.DOUBLE);
  d.enableTimeToLive(StateTtlConfig.newBuilder(10).cleanupIncrementally(3, false).build());
  const v = b.getPartitionedState(d);
  for (let i = 0; i < 6; i++) {
    b.setCurrentKey(`k${i}`);
    v.update(i);
  }
  now = 100;
  b.setCurrentKey('fresh');
  v.update(1);
  assert.ok(b.stats().entries < 7, 'the write checked 3 entries');
  v.value();
  v.value();
  assert.equal(b.stats().entries, 1, 'only the fresh entry is left');
});

test('TTL: per-record cleanup runs on setCurrentKey; disabled background cleanup never runs', () => {
  for (const [ttl, expected] of [
    [StateTtlConfig.newBuilder(10).cleanupIncrementally(10, true).build(), 1],
    [StateTtlConfig.newBuilder(10).disableCleanupInBackground().build(), 5],
  ] as const) {
    let now = 0;
    const b = heap({ currentProcessingTime: () => now });
    const d = new ValueStateDescriptor<number>('v', Types.DOUBLE);
    d.enableTimeToLive(ttl);
    const v = b.getPartitionedState(d);
    for (let i = 0; i < 4; i++) {
      b.setCurrentKey(`k${i}`);
      v.update(i);
    }
    now = 100;
    b.setCurrentKey('fresh');
    v.update(1);
    b.setCurrentKey('x');
    assert.equal(b.stats().entries, expected);
  }
});

test('TTL: snapshots keep last-access times, and cleanupFullSnapshot leaves expired entries out', () => {
  for (const full of [false, true]) {
    const builder = StateTtlConfig.newBuilder(100).disableCleanupInBackground();
    const t = ttlBackend(full ? builder.cleanupFullSnapshot().build() : builder.build());
    t.b.setCurrentKey('old');
    t.v.update(1);
    t.at(1050);
    t.b.setCurrentKey('new');
    t.v.update(2);
    t.at(1120);
    let now = 1120;
    const c = heap({ currentProcessingTime: () => now });
    c.restore([t.b.snapshot()]);
    const v = c.getPartitionedState(t.descriptor);
    assert.equal(c.stats().entries, full ? 1 : 2);
    c.setCurrentKey('new');
    now = 1149;
    assert.equal(v.value(), 2, 'written at 1050, alive until 1150');
    now = 1150;
    assert.equal(v.value(), null);
  }
});
