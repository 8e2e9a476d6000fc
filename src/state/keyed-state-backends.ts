/**
 * The keyed state backend an operator gets: one KeyedStateBackend facade that sends each state
 * descriptor to the JS heap backend (heap-keyed-state-backend.ts) or the native one, as
 * `state.backend.type` (config-options.ts) says:
 * - `hashmap`: every state on the heap (Flink's HashMapStateBackend, Flink's default).
 * - `native`: every state in the native backend; a descriptor with an undeclared type (GENERIC
 *   anywhere in its value, map key or key type) is refused with an error naming the state, so no
 *   state escapes the managed-memory budget unnoticed.
 * - `auto` (strom's default): native for a state whose types (and the key type) are all
 *   declared, the heap for the others. strom's default differs from Flink's `hashmap` because
 *   declared types are what the native backend keeps compactly, off the JS heap, and faster.
 *
 * The native backend is a factory parameter (`createNative`), so it plugs in where it is built.
 * Without one, `auto` keeps everything on the heap and `native` fails with a clear error.
 *
 * Both backends write the one snapshot format: the facade merges their snapshots into one and,
 * on restore, hands each state's entries to the backend its descriptor is routed to when it is
 * declared. A restored state not declared (yet) is carried into the next snapshot unchanged.
 *
 * Depends on: ./heap-keyed-state-backend, ./keyed-state-backend, ./keyed-state-snapshot-format,
 * ./keyed-state-snapshot-merge, ./state-descriptor, ../errors, ../types.
 */

import { errors } from '../errors.js';
import type { KeyGroupRange } from '../io/key-group-assignment.js';
import { Types, type TypeInformation } from '../types/type-information.js';
import type { TypeSerializer } from '../types/type-serializer.js';
import { HeapKeyedStateBackend } from './heap-keyed-state-backend.js';
import type {
  InternalKvState,
  KeyedStateBackend,
  KeyedStateBackendOptions,
  KeyedStateStats,
  StateBackendType,
  VoidNamespace,
} from './keyed-state-backend.js';
import { readKeyedStateSnapshot } from './keyed-state-snapshot-format.js';
import { mergeKeyedStateSnapshots, selectKeyedStateSnapshotStates } from './keyed-state-snapshot-merge.js';
import type { State, StateDescriptor } from './state-descriptor.js';

/** Makes the native keyed state backend of one operator instance. */
export type NativeKeyedStateBackendFactory = <K>(options: KeyedStateBackendOptions) => KeyedStateBackend<K>;

export interface KeyedStateBackendsOptions extends KeyedStateBackendOptions {
  /** `state.backend.type`. */
  readonly type: StateBackendType;
  /** The native backend, where it is available. */
  readonly createNative?: NativeKeyedStateBackendFactory | undefined;
}

type Route = 'heap' | 'native';

/** Whether a type is declared: no GENERIC anywhere in it (tuple fields included). */
function isDeclared(type: TypeInformation<unknown> | undefined): boolean {
  if (type === undefined || type === Types.GENERIC) return false;
  return !/\bGENERIC\b/.test(type.createSerializer().typeName);
}

/** The undeclared parts of a descriptor (and the key type), for the choice and its error. */
function undeclaredParts(descriptor: StateDescriptor, keyType: TypeInformation<unknown> | undefined): string[] {
  const parts: string[] = [];
  if (!isDeclared(keyType)) parts.push('the key type (keyBy on a declared field type)');
  if (!isDeclared(descriptor.type)) parts.push('its value type');
  const mapKey = (descriptor as { keyType?: TypeInformation<unknown> }).keyType;
  if (descriptor.kind === 'MAP' && !isDeclared(mapKey)) parts.push('its map key type');
  return parts;
}

/** The keyed state backend of one operator instance, routing each state; see the module comment. */
export class KeyedStateBackends<K = unknown> implements KeyedStateBackend<K> {
  readonly maxParallelism: number;
  readonly keyGroupRange: KeyGroupRange;
  readonly #options: KeyedStateBackendsOptions;
  readonly #heap: HeapKeyedStateBackend<K>;
  #native: KeyedStateBackend<K> | undefined;
  readonly #routes = new Map<string, Route>();
  #key: K | undefined;
  #hasKey = false;
  /** The heap holds (or is about to hold) a state, so it follows the current key. */
  #heapInUse = false;
  /** Snapshots restored; their states go to a backend as they are declared. */
  #restored: Uint8Array[] = [];
  /** Restored states already handed to a backend. */
  readonly #claimed = new Set<string>();
  /** Entries of restored states not handed to a backend yet, by state name, for stats. */
  readonly #unclaimedEntries = new Map<string, number>();

  constructor(options: KeyedStateBackendsOptions) {
    const type = options.type;
    if (type !== 'auto' && type !== 'hashmap' && type !== 'native') {
      throw errors.invalidConfig('state.backend.type', type, "expected 'auto', 'hashmap' or 'native'");
    }
    if (type === 'native' && options.createNative === undefined) {
      throw errors.invalidConfig('state.backend.type', type, "'native' is not available in this build yet; use 'auto' or 'hashmap'");
    }
    this.#options = options;
    this.#heap = new HeapKeyedStateBackend<K>(options);
    this.maxParallelism = this.#heap.maxParallelism;
    this.keyGroupRange = this.#heap.keyGroupRange;
  }

  setCurrentKey(key: K): void {
    this.#key = key;
    this.#hasKey = true;
    // Only a backend that holds states follows the key: a job with all its state native pays
    // nothing for the heap's key group and lookup per record.
    if (this.#heapInUse) this.#heap.setCurrentKey(key);
    const native = this.#native;
    if (native !== undefined) native.setCurrentKey(key);
  }

  getCurrentKey(): K {
    return this.#hasKey ? (this.#key as K) : this.#heap.getCurrentKey();
  }

  getCurrentKeyGroupIndex(): number {
    if (this.#native !== undefined && !this.#heapInUse) return this.#native.getCurrentKeyGroupIndex();
    return this.#useHeap().getCurrentKeyGroupIndex();
  }

  getPartitionedState<S extends State, N = VoidNamespace>(descriptor: StateDescriptor<S>, namespaceSerializer?: TypeSerializer<N>): S & InternalKvState<N> {
    // The heap backend names what is wrong with something that is not a descriptor.
    if (descriptor === null || typeof descriptor !== 'object') return this.#heap.getPartitionedState(descriptor, namespaceSerializer);
    const name = descriptor.name;
    const route = this.#routes.get(name) ?? this.#route(descriptor);
    const backend = route === 'native' ? this.#nativeBackend() : this.#useHeap();
    if (!this.#claimed.has(name) && this.#restored.length > 0) {
      const mine = this.#restored.map((s) => selectKeyedStateSnapshotStates(s, this.maxParallelism, (m) => m.name === name));
      backend.restore(mine);
      this.#claimed.add(name);
      this.#unclaimedEntries.delete(name);
    }
    const state = backend.getPartitionedState(descriptor, namespaceSerializer);
    this.#routes.set(name, route);
    return state;
  }

  applyToAllKeys<N>(namespace: N, stateName: string, fn: (key: K) => void): void {
    const backend = this.#routes.get(stateName) === 'native' ? this.#native! : this.#heap;
    // The other backend follows each key the call makes current, so fn sees every state at it.
    backend.applyToAllKeys(namespace, stateName, (key) => {
      this.#key = key;
      this.#hasKey = true;
      if (backend !== this.#heap && this.#heapInUse) this.#heap.setCurrentKey(key);
      if (backend === this.#heap && this.#native !== undefined) this.#native.setCurrentKey(key);
      fn(key);
    });
  }

  snapshot(): Uint8Array {
    const parts = [this.#heap.snapshot()];
    if (this.#native !== undefined) parts.push(this.#native.snapshot());
    const unclaimed = this.#restored.map((s) => selectKeyedStateSnapshotStates(s, this.maxParallelism, (m) => !this.#claimed.has(m.name)));
    if (parts.length === 1 && unclaimed.length === 0) return parts[0]!;
    const { scope } = readKeyedStateSnapshot(parts[0]!, this.maxParallelism, 1, 0);
    return mergeKeyedStateSnapshots([...parts, ...unclaimed], scope);
  }

  restore(snapshots: readonly Uint8Array[]): void {
    if (!Array.isArray(snapshots)) throw errors.invalidArgumentType('snapshots', snapshots, 'expected an array of snapshots from snapshot()');
    // Check every snapshot now, so a bad one fails the restore, not a later declaration.
    const { start, end } = this.keyGroupRange;
    const mine = snapshots.map((s) => {
      const { scope } = readKeyedStateSnapshot(s, this.maxParallelism, 1, 0);
      return mergeKeyedStateSnapshots([s], { ...scope, keyGroupStart: start, keyGroupEnd: end });
    });
    // States declared already take their entries now; the others when declared.
    for (const [name, route] of this.#routes) {
      const backend = route === 'native' ? this.#native! : this.#useHeap();
      backend.restore(mine.map((s) => selectKeyedStateSnapshotStates(s, this.maxParallelism, (m) => m.name === name)));
    }
    for (const s of mine) {
      const rest = selectKeyedStateSnapshotStates(s, this.maxParallelism, (m) => !this.#routes.has(m.name));
      const { states, entries } = readKeyedStateSnapshot(rest, this.maxParallelism, start, end);
      for (const e of entries) {
        const name = states[e.stateIndex]!.name;
        this.#unclaimedEntries.set(name, (this.#unclaimedEntries.get(name) ?? 0) + 1);
      }
      this.#restored.push(rest);
    }
  }

  /** Both backends' figures; restored states not declared yet count their entries and snapshot bytes. */
  stats(): KeyedStateStats {
    const heap = this.#heap.stats();
    const native = this.#native?.stats() ?? { entries: 0, memoryBytes: 0 };
    let entries = heap.entries + native.entries;
    for (const n of this.#unclaimedEntries.values()) entries += n;
    const restoredBytes = this.#unclaimedEntries.size === 0 ? 0 : this.#restored.reduce((n, s) => n + s.byteLength, 0);
    return { entries, memoryBytes: heap.memoryBytes + native.memoryBytes + restoredBytes };
  }

  dispose(): void {
    this.#heap.dispose();
    this.#native?.dispose();
    this.#restored = [];
    this.#unclaimedEntries.clear();
  }

  /** Where `descriptor` goes, by `state.backend.type`. */
  #route(descriptor: StateDescriptor): Route {
    const type = this.#options.type;
    if (type === 'hashmap') return 'heap';
    const undeclared = undeclaredParts(descriptor, this.#options.keyType);
    if (type === 'native' && undeclared.length > 0) {
      throw errors.invalidConfig(
        'state.backend.type',
        'native',
        `state '${descriptor.name}' of ${this.#options.operatorName} has undeclared types (${undeclared.join(', ')}); ` +
          "the native backend keeps declared types only: declare them (e.g. new ValueStateDescriptor(name, Types.DOUBLE)) or use 'auto' or 'hashmap'",
      );
    }
    return undeclared.length === 0 && this.#options.createNative !== undefined ? 'native' : 'heap';
  }

  /** The heap backend, following the current key from now on. */
  #useHeap(): HeapKeyedStateBackend<K> {
    if (!this.#heapInUse) {
      this.#heapInUse = true;
      if (this.#hasKey) this.#heap.setCurrentKey(this.#key as K);
    }
    return this.#heap;
  }

  #nativeBackend(): KeyedStateBackend<K> {
    if (this.#native === undefined) {
      this.#native = this.#options.createNative!<K>(this.#options);
      if (this.#hasKey) this.#native.setCurrentKey(this.#key as K);
    }
    return this.#native;
  }
}
