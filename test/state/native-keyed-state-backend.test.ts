import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { ManagedMemoryExceededError } from '../../src/errors.js';
import { ManagedMemory } from '../../src/memory/managed-memory.js';
import { VOID_NAMESPACE } from '../../src/state/keyed-state-backend.js';
import { NativeKeyedStateBackend } from '../../src/state/native-keyed-state-backend.js';
import {
  AggregatingStateDescriptor,
  ListStateDescriptor,
  MapStateDescriptor,
  ReducingStateDescriptor,
  ValueStateDescriptor,
} from '../../src/state/state-descriptor.js';
import { StateTtlConfig } from '../../src/state/state-ttl-config.js';
import { Types, type TypeInformation } from '../../src/types/type-information.js';
import { assignToKeyGroup } from '../../src/io/key-group-assignment.js';
import { checkKeyedStateProperties } from '../support/keyed-state-properties.js';

function backend(options: { budget?: number; start?: number; end?: number; clock?: { now: number } } = {}): NativeKeyedStateBackend<string> {
  const clock = options.clock ?? { now: 0 };
  return new NativeKeyedStateBackend<string>({
    operatorName: 'test-op',
    maxParallelism: 128,
    keyGroupRange: { start: options.start ?? 0, end: options.end ?? 127 },
    keyType: Types.STRING,
    currentProcessingTime: () => clock.now,
    managedMemory: ManagedMemory.create(options.budget ?? 64 << 20),
  });
}

test('fixed-width and generic value states are per key, survive key switches and clear', () => {
  const b = backend();
  const count = b.getPartitionedState(new ValueStateDescriptor('count', Types.DOUBLE));
  const name = b.getPartitionedState(new ValueStateDescriptor('name', Types.STRING));
  for (let round = 0; round < 3; round++) {
    for (const key of ['a', 'b', 'c']) {
      b.setCurrentKey(key);
      count.update((count.value() ?? 0) + 1);
      name.update(`${key}${round}`);
    }
  }
  b.setCurrentKey('b');
  assert.equal(count.value(), 3);
  assert.equal(name.value(), 'b2');
  count.clear();
  assert.equal(count.value(), null);
  b.setCurrentKey('a');
  b.setCurrentKey('b');
  assert.equal(count.value(), null);
  b.setCurrentKey('c');
  assert.equal(count.value(), 3);
  assert.equal(b.stats().entries, 5);
  b.dispose();
});

test('list, map, reducing and aggregating states', () => {
  const b = backend();
  const list = b.getPartitionedState(new ListStateDescriptor('list', Types.STRING));
  const map = b.getPartitionedState(new MapStateDescriptor('map', Types.STRING, Types.DOUBLE));
  const sum = b.getPartitionedState(new ReducingStateDescriptor('sum', (x: number, y: number) => x + y, Types.DOUBLE));
  const avg = b.getPartitionedState(
    new AggregatingStateDescriptor('avg', { createAccumulator: () => [0, 0] as [number, number], add: (v: number, a: [number, number]) => [a[0] + v, a[1] + 1] as [number, number], getResult: (a: [number, number]) => a[0] / a[1], merge: (a: [number, number], c: [number, number]) => [a[0] + c[0], a[1] + c[1]] as [number, number] }, Types.TUPLE(Types.DOUBLE, Types.DOUBLE)),
  );
  b.setCurrentKey('k');
  list.add('x');
  list.addAll(['y', 'z']);
  assert.deepEqual([...list.get()], ['x', 'y', 'z']);
  list.update(['q']);
  assert.deepEqual([...list.get()], ['q']);
  map.put('a', 1);
  map.put('b', 2);
  map.remove('a');
  assert.equal(map.get('b'), 2);
  assert.equal(map.contains('a'), false);
  assert.deepEqual([...map.entries()], [['b', 2]]);
  assert.equal(map.isEmpty(), false);
  map.clear();
  assert.equal(map.isEmpty(), true);
  sum.add(2);
  sum.add(5);
  assert.equal(sum.get(), 7);
  avg.add(2);
  avg.add(4);
  assert.equal(avg.get(), 3);
  b.setCurrentKey('other');
  assert.deepEqual([...list.get()], []);
  assert.equal(sum.get(), null);
  b.dispose();
});

test('namespaces separate state and applyToAllKeys sees the keys of one namespace', () => {
  const b = backend();
  const ns = Types.LONG.createSerializer();
  const v = b.getPartitionedState(new ValueStateDescriptor('v', Types.STRING), ns);
  for (const key of ['a', 'b']) {
    b.setCurrentKey(key);
    v.setCurrentNamespace(1n);
    v.update(`${key}@1`);
  }
  b.setCurrentKey('c');
  v.setCurrentNamespace(2n);
  v.update('c@2');
  v.setCurrentNamespace(1n);
  assert.equal(v.value(), null);
  const seen: string[] = [];
  b.applyToAllKeys(1n, 'v', (key) => seen.push(key));
  assert.deepEqual(seen.sort(), ['a', 'b']);
  b.dispose();
});

test('TTL: expired values are not returned and are removed on read', () => {
  const clock = { now: 1000 };
  const b = backend({ clock });
  const d = new ValueStateDescriptor('v', Types.DOUBLE);
  d.enableTimeToLive(StateTtlConfig.newBuilder(100).build());
  const v = b.getPartitionedState(d);
  b.setCurrentKey('k');
  v.update(5);
  clock.now = 1099;
  assert.equal(v.value(), 5);
  clock.now = 1100;
  assert.equal(v.value(), null);
  assert.equal(b.stats().entries, 0);
  b.dispose();
});

test('snapshot and restore by key group into two halves and back', () => {
  const a = backend();
  const count = a.getPartitionedState(new ValueStateDescriptor('count', Types.DOUBLE));
  const list = a.getPartitionedState(new ListStateDescriptor('list', Types.STRING));
  const map = a.getPartitionedState(new MapStateDescriptor('map', Types.STRING, Types.STRING));
  const keys = Array.from({ length: 200 }, (_, i) => `key${i}`);
  for (const k of keys) {
    a.setCurrentKey(k);
    count.update(k.length);
    list.addAll([k, k + '!']);
    map.put('u', k);
  }
  const snap = a.snapshot();
  const low = backend({ start: 0, end: 63 });
  const high = backend({ start: 64, end: 127 });
  low.restore([snap]);
  high.restore([snap]);
  assert.equal(low.stats().entries + high.stats().entries, a.stats().entries);
  const merged = backend();
  merged.restore([low.snapshot(), high.snapshot()]);
  const c2 = merged.getPartitionedState(new ValueStateDescriptor('count', Types.DOUBLE));
  const l2 = merged.getPartitionedState(new ListStateDescriptor('list', Types.STRING));
  const m2 = merged.getPartitionedState(new MapStateDescriptor('map', Types.STRING, Types.STRING));
  for (const k of keys) {
    merged.setCurrentKey(k);
    assert.equal(c2.value(), k.length);
    assert.deepEqual([...l2.get()], [k, k + '!']);
    assert.equal(m2.get('u'), k);
  }
  assert.throws(() => merged.getPartitionedState(new ValueStateDescriptor('count', Types.STRING)), /declared before/);
  for (const x of [a, low, high, merged]) x.dispose();
});

test('a refused allocation is a ManagedMemoryExceededError naming taskmanager.memory.managed.size', () => {
  const b = backend({ budget: 256 * 1024 });
  const v = b.getPartitionedState(new ValueStateDescriptor('v', Types.DOUBLE));
  let stored = 0;
  assert.throws(() => {
    for (let i = 0; i < 1_000_000; i++) {
      b.setCurrentKey(`key-${i}`);
      v.update(i);
      stored++;
    }
  }, (e: unknown) => e instanceof ManagedMemoryExceededError && /taskmanager\.memory\.managed\.size/.test(e.message));
  b.setCurrentKey('key-0');
  assert.equal(v.value(), 0);
  assert.ok(stored > 1000);
  b.dispose();
  assert.throws(() => b.getPartitionedState(new ValueStateDescriptor('w', Types.DOUBLE)), /disposed/);
});

test('property: value, list and map states agree with a plain JS model', () => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.constantFrom('a', 'b', 'c', 'd'), fc.integer({ min: 0, max: 6 }), fc.integer({ min: -5, max: 5 })), { maxLength: 120 }),
      (ops) => {
        const b = backend();
        const v = b.getPartitionedState(new ValueStateDescriptor('v', Types.DOUBLE));
        const l = b.getPartitionedState(new ListStateDescriptor('l', Types.DOUBLE));
        const m = b.getPartitionedState(new MapStateDescriptor('m', Types.DOUBLE, Types.STRING));
        const mv = new Map<string, number>();
        const ml = new Map<string, number[]>();
        const mm = new Map<string, Map<number, string>>();
        for (const [key, op, x] of ops) {
          b.setCurrentKey(key);
          if (op === 0) { v.update((v.value() ?? 0) + x); mv.set(key, (mv.get(key) ?? 0) + x); }
          else if (op === 1) { v.clear(); mv.delete(key); }
          else if (op === 2) { l.add(x); ml.set(key, [...(ml.get(key) ?? []), x]); }
          else if (op === 3) { l.clear(); ml.delete(key); }
          else if (op === 4) { m.put(x, `s${x}`); if (!mm.has(key)) mm.set(key, new Map()); mm.get(key)!.set(x, `s${x}`); }
          else if (op === 5) { m.remove(x); mm.get(key)?.delete(x); }
          else { m.clear(); mm.delete(key); }
          assert.equal(v.value(), mv.get(key) ?? null);
          assert.deepEqual([...l.get()], ml.get(key) ?? []);
          assert.deepEqual(new Map(m.entries()), mm.get(key) ?? new Map());
        }
        b.dispose();
      },
    ),
    { numRuns: 60 },
  );
});

test('the native backend passes the property test of every state kind against a JS model', () => {
  for (const seed of [1, 2, 3]) {
    checkKeyedStateProperties((options) => new NativeKeyedStateBackend<string>({ ...options, managedMemory: ManagedMemory.create(64 << 20) }), { seed });
  }
});

test("the store's key groups of STRING, DOUBLE, LONG and BOOLEAN keys are the routing's (src/io/key-hash.ts)", () => {
  const cases: [TypeInformation<unknown>, unknown[]][] = [
    [Types.STRING, ['', 'a', 'word', 'ünïcödé', '😀 astral', 'x'.repeat(300)]],
    [Types.DOUBLE, [0, 1, -1, 2 ** 31, 2 ** 53 - 1, 0.5, -1e300, Number.NaN, Number.POSITIVE_INFINITY]],
    [Types.LONG, [0n, 1n, -1n, 2n ** 63n - 1n, -(2n ** 63n), 123456789012345n]],
    [Types.BOOLEAN, [true, false]],
  ];
  for (const [keyType, keys] of cases) {
    for (const maxParallelism of [1, 7, 128, 32768]) {
      const b = new NativeKeyedStateBackend<unknown>({
        operatorName: 'test-op',
        maxParallelism,
        keyGroupRange: { start: 0, end: maxParallelism - 1 },
        keyType,
        currentProcessingTime: () => 0,
        managedMemory: ManagedMemory.create(1 << 20),
      });
      const count = b.getPartitionedState(new ValueStateDescriptor('count', Types.DOUBLE));
      for (const key of keys) {
        b.setCurrentKey(key);
        assert.equal(b.getCurrentKeyGroupIndex(), assignToKeyGroup(key, maxParallelism), `${keyType.name} key ${String(key)} at max parallelism ${maxParallelism}`);
        count.update((count.value() ?? 0) + 1);
      }
      for (const key of keys) {
        b.setCurrentKey(key);
        assert.equal(count.value(), 1, `${keyType.name} key ${String(key)} kept its own value`);
      }
      b.dispose();
    }
  }
});

test('a key that is not of the declared key type fails with the serializer\'s error', () => {
  const b = backend();
  assert.throws(() => b.setCurrentKey(42 as never), /Cannot serialize 42 as STRING/);
  b.dispose();
});

test('DOUBLE keys -0 and 0 are one key, and every NaN one, as on the heap backend (a JS Map)', () => {
  const b = new NativeKeyedStateBackend<number>({
    operatorName: 'test-op',
    maxParallelism: 128,
    keyGroupRange: { start: 0, end: 127 },
    keyType: Types.DOUBLE,
    currentProcessingTime: () => 0,
    managedMemory: ManagedMemory.create(1 << 20),
  });
  const count = b.getPartitionedState(new ValueStateDescriptor('count', Types.DOUBLE));
  const otherNaN = new Float64Array(new BigInt64Array([0x7ff8000000000123n]).buffer)[0]!;
  for (const key of [0, -0, Number.NaN, otherNaN]) {
    b.setCurrentKey(key);
    count.update((count.value() ?? 0) + 1);
  }
  b.setCurrentKey(0);
  assert.equal(count.value(), 2);
  b.setCurrentKey(Number.NaN);
  assert.equal(count.value(), 2);
  b.dispose();
});
