/**
 * Property test of a KeyedStateBackend (keyed-state-backend.ts) against a plain JS model: random
 * seeded sequences of operations on every state kind (VALUE, LIST, MAP, REDUCING, AGGREGATING),
 * over many keys and two namespaces besides VOID, with snapshot/restore round trips in the middle
 * and restores into 3 subtasks and back into 1 at the end. Every read is compared with the
 * model as it happens, and every entry of the model is read back after each restore.
 *
 * Takes a backend factory, so every backend runs the same properties:
 * `checkKeyedStateProperties((options) => new HeapKeyedStateBackend(options), { seed })`.
 */
import assert from 'node:assert/strict';
import { computeKeyGroupRangeForOperatorIndex, type KeyGroupRange } from '../../src/io/key-group-assignment.js';
import { VOID_NAMESPACE, type InternalKvState, type KeyedStateBackend, type KeyedStateBackendOptions } from '../../src/state/keyed-state-backend.js';
import {
  AggregatingStateDescriptor,
  ListStateDescriptor,
  MapStateDescriptor,
  ReducingStateDescriptor,
  ValueStateDescriptor,
  type AggregatingState,
  type ListState,
  type MapState,
  type ReducingState,
  type ValueState,
} from '../../src/state/state-descriptor.js';
import { Types } from '../../src/types/type-information.js';
import type { TypeSerializer } from '../../src/types/type-serializer.js';
import { prng } from './prng.js';

export type BackendFactory = (options: KeyedStateBackendOptions) => KeyedStateBackend<string>;

export interface KeyedStatePropertyOptions {
  readonly seed: number;
  /** Operations per run. Default 3000. */
  readonly operations?: number;
  /** Distinct keys. Default 200. */
  readonly keys?: number;
  /** Key groups. Default 128. */
  readonly maxParallelism?: number;
}

const NS_SERIALIZER = Types.STRING.createSerializer() as TypeSerializer<unknown>;
const NAMESPACES: readonly unknown[] = [VOID_NAMESPACE, 'w1', 'w2'];
type Namespace = (typeof NAMESPACES)[number];

/** An average as an AggregateFunction: accumulator [sum, count] kept as one DOUBLE pair. */
const average = {
  createAccumulator: (): [number, number] => [0, 0],
  add: (v: number, acc: [number, number]): [number, number] => [acc[0] + v, acc[1] + 1],
  getResult: (acc: [number, number]) => acc[0] / acc[1],
  merge: (a: [number, number], b: [number, number]): [number, number] => [a[0] + b[0], a[1] + b[1]],
};

function descriptors() {
  return {
    value: new ValueStateDescriptor<number>('value', Types.DOUBLE),
    list: new ListStateDescriptor<string>('list', Types.STRING),
    map: new MapStateDescriptor<string, number>('map', Types.STRING, Types.DOUBLE),
    reducing: new ReducingStateDescriptor<number>('reducing', (a, b) => a + b, Types.DOUBLE),
    aggregating: new AggregatingStateDescriptor('aggregating', average, Types.TUPLE(Types.DOUBLE, Types.DOUBLE)),
  };
}

type Ns<S> = S & InternalKvState<unknown>;
interface States {
  value: Ns<ValueState<number>>;
  list: Ns<ListState<string>>;
  map: Ns<MapState<string, number>>;
  reducing: Ns<ReducingState<number>>;
  aggregating: Ns<AggregatingState<number, number>>;
}

function declare(backend: KeyedStateBackend<string>): States {
  const d = descriptors();
  return {
    value: backend.getPartitionedState(d.value, NS_SERIALIZER),
    list: backend.getPartitionedState(d.list, NS_SERIALIZER),
    map: backend.getPartitionedState(d.map, NS_SERIALIZER),
    reducing: backend.getPartitionedState(d.reducing, NS_SERIALIZER),
    aggregating: backend.getPartitionedState(d.aggregating, NS_SERIALIZER) as Ns<AggregatingState<number, number>>,
  };
}

type StateName = keyof States;
/** The model: state -> namespace -> key -> value (LIST: elements; MAP: a Map; AGGREGATING: [sum, count]). */
type Model = Map<StateName, Map<Namespace, Map<string, unknown>>>;

function cell(model: Model, state: StateName, ns: Namespace): Map<string, unknown> {
  let byNs = model.get(state);
  if (byNs === undefined) model.set(state, (byNs = new Map()));
  let byKey = byNs.get(ns);
  if (byKey === undefined) byNs.set(ns, (byKey = new Map()));
  return byKey;
}

/** Reads the state of `key` in `ns` and compares it with the model. */
function checkRead(states: States, model: Model, state: StateName, ns: Namespace, key: string, where: string): void {
  const expected = cell(model, state, ns).get(key);
  const s = states[state];
  s.setCurrentNamespace(ns);
  const at = `${where}: ${state} of ${key} in ${String(ns)}`;
  switch (state) {
    case 'value':
      assert.equal(states.value.value(), expected ?? null, at);
      break;
    case 'list':
      assert.deepEqual([...states.list.get()], expected ?? [], at);
      break;
    case 'map': {
      const m = (expected as Map<string, number> | undefined) ?? new Map<string, number>();
      assert.deepEqual(new Map(states.map.entries()), m, at);
      assert.equal(states.map.isEmpty(), m.size === 0, at);
      break;
    }
    case 'reducing':
      assert.equal(states.reducing.get(), expected ?? null, at);
      break;
    case 'aggregating': {
      const acc = expected as [number, number] | undefined;
      assert.equal(states.aggregating.get(), acc === undefined ? null : acc[0] / acc[1], at);
      break;
    }
  }
}

/** Every (state, namespace, key) of the model and every key asked, read back from `backendOf(key)`. */
function checkAll(model: Model, keys: readonly string[], backendOf: (key: string) => [KeyedStateBackend<string>, States], where: string): void {
  for (const key of keys) {
    const [backend, states] = backendOf(key);
    backend.setCurrentKey(key);
    for (const state of Object.keys(states) as StateName[]) for (const ns of NAMESPACES) checkRead(states, model, state, ns, key, where);
  }
}

function options(maxParallelism: number, keyGroupRange: KeyGroupRange, now: () => number): KeyedStateBackendOptions {
  return { operatorName: 'property test', maxParallelism, keyGroupRange, keyType: Types.STRING, currentProcessingTime: now };
}

/** Runs one seeded sequence; throws an AssertionError naming the step on any difference. */
export function checkKeyedStateProperties(factory: BackendFactory, opts: KeyedStatePropertyOptions): void {
  const random = prng(opts.seed);
  const maxP = opts.maxParallelism ?? 128;
  const keys = Array.from({ length: opts.keys ?? 200 }, (_, i) => `key-${i}`);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const now = () => 0;
  const full = { start: 0, end: maxP - 1 };
  let backend = factory(options(maxP, full, now));
  let states = declare(backend);
  const model: Model = new Map();
  const operations = opts.operations ?? 3000;
  const names = Object.keys(states) as StateName[];
  let key = pick(keys);
  backend.setCurrentKey(key);

  for (let step = 0; step < operations; step++) {
    const where = `seed ${opts.seed} step ${step}`;
    const r = random();
    if (r < 0.2) {
      key = pick(keys);
      backend.setCurrentKey(key);
      continue;
    }
    if (r < 0.21) {
      // Round trip: the state goes on in a fresh backend restored from a snapshot.
      const bytes = backend.snapshot();
      backend.dispose();
      backend = factory(options(maxP, full, now));
      backend.restore([bytes]);
      states = declare(backend);
      checkAll(model, keys, () => [backend, states], `${where} after restore`);
      backend.setCurrentKey(key);
      continue;
    }
    const state = pick(names);
    const ns = pick(NAMESPACES);
    const m = cell(model, state, ns);
    states[state].setCurrentNamespace(ns);
    const op = random();
    if (op < 0.3) {
      checkRead(states, model, state, ns, key, where);
      continue;
    }
    if (op < 0.38) {
      states[state].clear();
      m.delete(key);
      continue;
    }
    const x = Math.round(random() * 1000) / 8;
    switch (state) {
      case 'value':
        states.value.update(x);
        m.set(key, x);
        break;
      case 'list': {
        const elements = Array.from({ length: Math.floor(random() * 3) }, () => `e${Math.floor(random() * 50)}`);
        const current = (m.get(key) as string[] | undefined) ?? [];
        if (op < 0.6) {
          states.list.add(`e${x}`);
          m.set(key, [...current, `e${x}`]);
        } else if (op < 0.8) {
          states.list.addAll(elements);
          if (current.length + elements.length > 0) m.set(key, [...current, ...elements]);
        } else {
          states.list.update(elements);
          if (elements.length > 0) m.set(key, elements);
          else m.delete(key);
        }
        break;
      }
      case 'map': {
        const uk = `u${Math.floor(random() * 6)}`;
        const current = new Map((m.get(key) as Map<string, number> | undefined) ?? []);
        if (op < 0.7) {
          states.map.put(uk, x);
          current.set(uk, x);
        } else {
          assert.equal(states.map.contains(uk), current.has(uk), `${where}: contains ${uk}`);
          assert.equal(states.map.get(uk), current.get(uk) ?? null, `${where}: get ${uk}`);
          states.map.remove(uk);
          current.delete(uk);
        }
        if (current.size > 0) m.set(key, current);
        else m.delete(key);
        break;
      }
      case 'reducing':
        states.reducing.add(x);
        m.set(key, ((m.get(key) as number | undefined) ?? 0) + x);
        break;
      case 'aggregating': {
        states.aggregating.add(x);
        const acc = (m.get(key) as [number, number] | undefined) ?? [0, 0];
        m.set(key, [acc[0] + x, acc[1] + 1]);
        break;
      }
    }
  }

  // Rescale 1 -> 3 -> 1: every key lands in the one subtask owning its key group, none is lost.
  const whole = backend.snapshot();
  const three = [0, 1, 2].map((i) => {
    const b = factory(options(maxP, computeKeyGroupRangeForOperatorIndex(maxP, 3, i), now));
    b.restore([whole]);
    return [b, declare(b)] as [KeyedStateBackend<string>, States];
  });
  const owner = (k: string): [KeyedStateBackend<string>, States] => {
    const owners = three.filter(([b]) => {
      backend.setCurrentKey(k);
      const kg = backend.getCurrentKeyGroupIndex();
      return kg >= b.keyGroupRange.start && kg <= b.keyGroupRange.end;
    });
    assert.equal(owners.length, 1, `key ${k} belongs to exactly one of 3 subtasks`);
    return owners[0]!;
  };
  checkAll(model, keys, owner, `seed ${opts.seed} after restore into 3 subtasks`);
  const entries = (b: KeyedStateBackend<string>) => b.stats().entries;
  assert.equal(three.reduce((n, [b]) => n + entries(b), 0), entries(backend), 'the 3 subtasks hold every entry once');
  const merged = factory(options(maxP, full, now));
  merged.restore(three.map(([b]) => b.snapshot()));
  const mergedStates = declare(merged);
  checkAll(model, keys, () => [merged, mergedStates], `seed ${opts.seed} after restore of 3 snapshots into 1`);
  assert.equal(entries(merged), entries(backend));
  for (const [b] of three) b.dispose();
  merged.dispose();
  backend.dispose();
}
