/**
 * The keyed state backend of one keyed operator instance (Flink's KeyedStateBackend): it holds
 * every keyed state the operator's functions declared, for the key groups the subtask owns, and
 * hands out state objects (state-descriptor.ts) scoped to the current key and namespace.
 *
 * Two implementations behind this interface, chosen per state by `state.backend.type`
 * (config-options.ts):
 * - the JS heap backend: values as JS objects in Maps, any type (GENERIC included);
 * - the native backend: values kept serialized by their declared TypeInformation in the addon's
 *   managed memory (a keyed byte map with namespaces, removal and iteration, in C++), charged to
 *   `taskmanager.memory.managed.size`. Default where every type of a descriptor is declared.
 *
 * ## Keys, key groups, namespaces
 * The operator calls `setCurrentKey(key)` before it processes an element or fires a timer; the
 * backend computes the key's key group (Flink's KeyGroupRangeAssignment: murmur of the Java
 * hashCode, mod maxParallelism) once per call. A key outside `keyGroupRange` is an internal error
 * (the partitioner sent it to the wrong subtask). Namespaces separate the state of one key per
 * window; non-window operators use VOID_NAMESPACE. The namespace is set on each state object
 * (`InternalKvState.setCurrentNamespace`), as in Flink.
 *
 * ## Snapshots (by key group)
 * `snapshot()` writes every state's entries grouped by key group into one self-describing,
 * versioned, checksummed byte format shared by both backends (so a snapshot of one restores into
 * the other, and into any parallelism: `restore()` keeps only the key groups of its range). The
 * format lives in keyed-state-snapshot-format.ts.
 *
 * Depends on: ./state-descriptor, ../io/key-group-assignment, ../types.
 */
import type { KeyGroupRange } from '../io/key-group-assignment.js';
import type { TypeInformation } from '../types/type-information.js';
import type { TypeSerializer } from '../types/type-serializer.js';
import type { State, StateDescriptor } from './state-descriptor.js';

/** The namespace of state outside windows (Flink's VoidNamespace). */
export const VOID_NAMESPACE: unique symbol = Symbol.for('strom.VoidNamespace') as never;
export type VoidNamespace = typeof VOID_NAMESPACE;

/** A state object with its namespace settable by the operator (Flink's InternalKvState). */
export interface InternalKvState<N = VoidNamespace> extends State {
  setCurrentNamespace(namespace: N): void;
}

/** What `state.backend.type` may say. `auto`: native where declared types allow, else heap. */
export type StateBackendType = 'auto' | 'hashmap' | 'native';

/** How a backend is made for one operator instance. */
export interface KeyedStateBackendOptions {
  /** Name of the operator (subtask), for errors. */
  readonly operatorName: string;
  /** Number of key groups. */
  readonly maxParallelism: number;
  /** The key groups this subtask owns. */
  readonly keyGroupRange: KeyGroupRange;
  /** The declared key type (keyBy on fields of declared types), or undefined (GENERIC). */
  readonly keyType?: TypeInformation<unknown> | undefined;
  /** Processing time for TTL: the slot's clock. */
  readonly currentProcessingTime: () => number;
}

/** The figures the metrics publish for keyed state. */
export interface KeyedStateStats {
  /** Distinct (state, key, namespace) entries held. */
  readonly entries: number;
  /** Bytes held: charged managed memory (native) or an estimate (heap). */
  readonly memoryBytes: number;
}

export interface KeyedStateBackend<K = unknown> {
  readonly maxParallelism: number;
  readonly keyGroupRange: KeyGroupRange;
  /** Makes `key` current for every state object of this backend; computes its key group. */
  setCurrentKey(key: K): void;
  getCurrentKey(): K;
  /** The current key's key group. */
  getCurrentKeyGroupIndex(): number;
  /**
   * The state object of `descriptor` (created on first use; the same object after). Throws a
   * clear error when a state of that name was declared before with another kind or type.
   */
  getPartitionedState<S extends State, N = VoidNamespace>(
    descriptor: StateDescriptor<S>,
    /** How namespaces are written (windows: start and end as longs); omitted: VOID_NAMESPACE only. */
    namespaceSerializer?: TypeSerializer<N>,
  ): S & InternalKvState<N>;
  /** Calls `fn` with every key that has an entry in state `stateName` under `namespace` (Flink's applyToAllKeys). */
  applyToAllKeys<N>(namespace: N, stateName: string, fn: (key: K) => void): void;
  /** Every state's entries, by key group, in the shared snapshot format. */
  snapshot(): Uint8Array;
  /**
   * Adds the entries of `snapshots` whose key groups are in `keyGroupRange` (several snapshots:
   * a rescale that merges subtasks). States are matched by name; the descriptors declared later
   * must agree with the snapshot's kinds and types.
   */
  restore(snapshots: readonly Uint8Array[]): void;
  stats(): KeyedStateStats;
  /** Frees everything (native memory back to the managed-memory budget). Idempotent. */
  dispose(): void;
}
