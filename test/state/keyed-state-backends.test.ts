import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigurationError } from '../../src/errors.js';
import { STATE_BACKEND_TYPE } from '../../src/config/config-options.js';
import { HeapKeyedStateBackend } from '../../src/state/heap-keyed-state-backend.js';
import type { KeyedStateBackend, KeyedStateBackendOptions, StateBackendType } from '../../src/state/keyed-state-backend.js';
import { KeyedStateBackends } from '../../src/state/keyed-state-backends.js';
import { NativeKeyedStateBackend } from '../../src/state/native-keyed-state-backend.js';
import { ManagedMemory } from '../../src/memory/managed-memory.js';
import { readKeyedStateSnapshot } from '../../src/state/keyed-state-snapshot-format.js';
import { ListStateDescriptor, MapStateDescriptor, ValueStateDescriptor } from '../../src/state/state-descriptor.js';
import { Types } from '../../src/types/type-information.js';
import { checkKeyedStateProperties } from '../support/keyed-state-properties.js';

/**
 * The native backend's stand-in: another real backend behind the same contract, recording the
 * states it was asked for, so the tests see which backend each state went to.
 */
function nativeStandIn() {
  const made: HeapKeyedStateBackend<unknown>[] = [];
  const declared: string[] = [];
  const createNative = <K>(options: KeyedStateBackendOptions): KeyedStateBackend<K> => {
    const b = new HeapKeyedStateBackend<K>(options);
    made.push(b as HeapKeyedStateBackend<unknown>);
    const get = b.getPartitionedState.bind(b);
    b.getPartitionedState = ((d, ns) => {
      declared.push(d.name);
      return get(d, ns);
    }) as typeof b.getPartitionedState;
    return b;
  };
  return { createNative, made, declared };
}

function backends(type: StateBackendType, createNative?: ReturnType<typeof nativeStandIn>['createNative']) {
  return new KeyedStateBackends<string>({
    type,
    createNative,
    operatorName: 'op',
    maxParallelism: 128,
    keyGroupRange: { start: 0, end: 127 },
    keyType: Types.STRING,
    currentProcessingTime: () => 0,
  });
}

const declaredValue = () => new ValueStateDescriptor<number>('declared', Types.DOUBLE);
const genericList = () => new ListStateDescriptor<unknown>('generic');

test('state.backend.type is an option with auto as default and the three values', () => {
  assert.equal(STATE_BACKEND_TYPE.key, 'state.backend.type');
  assert.equal(STATE_BACKEND_TYPE.defaultValue, 'auto');
  assert.match(STATE_BACKEND_TYPE.description, /Flink's default is 'hashmap'/);
});

test('auto sends states with declared types to the native backend and the others to the heap; one snapshot holds both', () => {
  const native = nativeStandIn();
  const b = backends('auto', native.createNative);
  const v = b.getPartitionedState(declaredValue());
  const l = b.getPartitionedState(genericList());
  const m = b.getPartitionedState(new MapStateDescriptor<string, unknown>('half', Types.STRING));
  assert.deepEqual(native.declared, ['declared']);
  b.setCurrentKey('k');
  v.update(1);
  l.add({ any: 'thing' });
  m.put('x', [1]);
  assert.equal(native.made[0]!.stats().entries, 1);
  assert.equal(b.stats().entries, 3);
  const snap = b.snapshot();
  assert.deepEqual(readKeyedStateSnapshot(snap, 128, 0, 127).states.map((s) => s.name).sort(), ['declared', 'generic', 'half']);

  // All of it restores into the heap alone, and back.
  const heapOnly = backends('hashmap');
  heapOnly.restore([snap]);
  heapOnly.setCurrentKey('k');
  assert.equal(heapOnly.getPartitionedState(declaredValue()).value(), 1);
  assert.deepEqual([...heapOnly.getPartitionedState(genericList()).get()], [{ any: 'thing' }]);
  const again = nativeStandIn();
  const c = backends('auto', again.createNative);
  c.restore([heapOnly.snapshot()]);
  c.setCurrentKey('k');
  assert.equal(c.getPartitionedState(declaredValue()).value(), 1);
  assert.equal(again.made[0]!.stats().entries, 1, 'the restored declared state went to the native backend');
  assert.equal(c.stats().entries, 3, 'the two states not declared yet are kept');
  assert.equal(readKeyedStateSnapshot(c.snapshot(), 128, 0, 127).entries.length, 3);
});

test('hashmap keeps everything on the heap; auto without a native backend too', () => {
  for (const b of [backends('hashmap', nativeStandIn().createNative), backends('auto')]) {
    b.getPartitionedState(declaredValue());
    b.getPartitionedState(genericList());
  }
  const native = nativeStandIn();
  backends('hashmap', native.createNative).getPartitionedState(declaredValue());
  assert.equal(native.made.length, 0);
});

test('native refuses undeclared types and is a clear error where no native backend is built', () => {
  assert.throws(() => backends('native'), (e: unknown) => e instanceof ConfigurationError && /not available in this build yet; use 'auto' or 'hashmap'/.test(e.message));
  const b = backends('native', nativeStandIn().createNative);
  b.getPartitionedState(declaredValue());
  assert.throws(() => b.getPartitionedState(genericList()), /state 'generic' of op has undeclared types \(its value type\).*declare them/);
  assert.throws(() => backends('rocksdb' as StateBackendType), /expected 'auto', 'hashmap' or 'native'/);
  assert.throws(() => b.getPartitionedState(null as never), /expected a ValueStateDescriptor/);
});

test('the facade passes the property test with states on both backends', () => {
  // Every state of the property test declares its types: with auto they all go native, with hashmap all to the heap.
  for (const type of ['auto', 'hashmap'] as const) {
    checkKeyedStateProperties(
      (options) => new KeyedStateBackends<string>({ ...options, type, createNative: nativeStandIn().createNative }),
      { seed: 7, operations: 1500 },
    );
  }
});

test('the facade with the real native backend passes the property test in auto and native mode (declared types)', () => {
  for (const type of ['auto', 'native'] as const) {
    const memory = ManagedMemory.create(64 << 20);
    let peak = 0;
    const createNative = <K>(options: KeyedStateBackendOptions): KeyedStateBackend<K> => {
      const b = new NativeKeyedStateBackend<K>({ ...options, managedMemory: memory });
      const stats = b.stats.bind(b);
      b.stats = () => {
        const s = stats();
        peak = Math.max(peak, memory.usage().used);
        return s;
      };
      const dispose = b.dispose.bind(b);
      b.dispose = () => {
        peak = Math.max(peak, memory.usage().used);
        dispose();
      };
      return b;
    };
    checkKeyedStateProperties((options) => new KeyedStateBackends<string>({ ...options, type, createNative }), { seed: 11, operations: 1500 });
    // Every state of the test declares its types: they lived in managed memory, all given back.
    assert.ok(peak > 0, `${type}: no managed memory was used`);
  }
});
