/**
 * The JS heap keyed state backend (Flink's HashMapStateBackend / HeapKeyedStateBackend): every
 * keyed state of one operator instance as JS values in Maps, any type (GENERIC included). The
 * `hashmap` choice of `state.backend.type`, and where undeclared types live under the default.
 *
 * Keys follow js-key.ts (primitives, tuples compared by value). `setCurrentKey` computes the key
 * group (Flink's KeyGroupRangeAssignment) and the key's lookup once; state objects
 * (heap-keyed-states.ts) read them, so a primitive key costs one Map lookup per access. The key
 * group of the same primitive key set twice in a row is not computed again.
 *
 * Snapshots use the shared format of keyed-state-snapshot-format.ts with the declared
 * serializers (GENERIC when undeclared); `restore` keeps the key groups of this backend's range.
 * A restored state is decoded when its descriptor is declared (its types are known then) and is
 * kept as bytes, and written back into snapshots unchanged, until then. Restoring a state whose
 * TTL was turned on since the snapshot stamps its entries with the restore time; turned off, the
 * timestamps are dropped (Flink refuses both; strom is lenient as the entries stay meaningful).
 *
 * Not thread-safe; one backend per operator instance.
 *
 * Depends on: ./heap-state-table, ./heap-keyed-states, ./js-key, ./keyed-state-backend,
 * ./keyed-state-snapshot-format, ./state-descriptor, ./estimate-heap-bytes, ../io, ../types, ../errors.
 */

import { errors } from '../errors.js';
import { javaHashCode } from '../io/key-hash.js';
import { murmurHash, UPPER_BOUND_MAX_PARALLELISM, type KeyGroupRange } from '../io/key-group-assignment.js';
import { DataInputView } from '../types/data-input-view.js';
import { Types, type TypeInformation } from '../types/type-information.js';
import type { TypeSerializer } from '../types/type-serializer.js';
import { estimateBytes } from './estimate-heap-bytes.js';
import { HeapSlot, HeapStateTable, JsKeyMap, type MapItem, type TtlItem } from './heap-state-table.js';
import { CurrentKey, HeapAggregatingState, HeapListState, HeapMapState, HeapReducingState, HeapValueState } from './heap-keyed-states.js';
import { badKeyError, canonicalTuple, isPrimitiveKey } from './js-key.js';
import { VOID_NAMESPACE, type InternalKvState, type KeyedStateBackend, type KeyedStateBackendOptions, type KeyedStateStats } from './keyed-state-backend.js';
import {
  KeyedStateSnapshotWriter,
  readKeyedStateSnapshot,
  VOID_NAMESPACE_TYPE_NAME,
  type SnapshotEntry,
  type SnapshotStateMeta,
} from './keyed-state-snapshot-format.js';
import type { AggregatingStateDescriptor, ReducingStateDescriptor, State, StateDescriptor, ValueStateDescriptor } from './state-descriptor.js';

/** Estimated bytes per slot besides key and value: the slot object and its Map entry. */
const SLOT_OVERHEAD_BYTES = 80;
/** Slots sampled per state by `stats()` to estimate the average key and value size. */
const SIZE_SAMPLES = 32;

/** A declared state: its storage and the object handed out. */
interface Declared {
  readonly store: HeapStateTable;
  readonly state: State & InternalKvState<unknown>;
}

/** Entries of a state restored before its descriptor was declared, kept as bytes. */
interface Pending {
  readonly meta: SnapshotStateMeta;
  readonly entries: SnapshotEntry[];
}

/** The meta of `descriptor` as snapshots describe it. */
export function stateMetaOf(descriptor: StateDescriptor, namespaceSerializer: TypeSerializer<unknown> | undefined): SnapshotStateMeta {
  return {
    name: descriptor.name,
    kind: descriptor.kind,
    ttl: descriptor.ttlConfig?.isEnabled === true,
    namespaceTypeName: namespaceSerializer?.typeName ?? VOID_NAMESPACE_TYPE_NAME,
    valueTypeName: descriptor.type.createSerializer().typeName,
    userKeyTypeName: descriptor.kind === 'MAP' ? (descriptor as unknown as { keyType: TypeInformation<unknown> }).keyType.createSerializer().typeName : '',
  };
}

/** Why two metas of one state name do not agree, or undefined when they do (TTL may differ). */
export function stateMetaMismatch(a: SnapshotStateMeta, b: SnapshotStateMeta): string | undefined {
  const describe = (m: SnapshotStateMeta): string =>
    `${m.kind} of ${m.kind === 'MAP' ? `${m.userKeyTypeName} -> ` : ''}${m.valueTypeName} in namespace ${m.namespaceTypeName}`;
  const same = a.kind === b.kind && a.valueTypeName === b.valueTypeName && a.userKeyTypeName === b.userKeyTypeName && a.namespaceTypeName === b.namespaceTypeName;
  return same ? undefined : `${describe(a)} vs ${describe(b)}`;
}

export class HeapKeyedStateBackend<K = unknown> implements KeyedStateBackend<K> {
  readonly maxParallelism: number;
  readonly keyGroupRange: KeyGroupRange;
  readonly #operatorName: string;
  readonly #clock: () => number;
  readonly #keySerializer: TypeSerializer<unknown>;
  readonly #current = new CurrentKey();
  readonly #declared = new Map<string, Declared>();
  readonly #pending = new Map<string, Pending>();
  /** States whose incremental TTL cleanup runs once per record. */
  #perRecordCleanup: HeapStateTable[] = [];
  #disposed = false;

  constructor(options: KeyedStateBackendOptions) {
    const { maxParallelism, keyGroupRange } = options;
    if (!Number.isInteger(maxParallelism) || maxParallelism < 1 || maxParallelism > UPPER_BOUND_MAX_PARALLELISM) {
      throw errors.argumentOutOfRange('maxParallelism', maxParallelism, `expected an integer from 1 to ${UPPER_BOUND_MAX_PARALLELISM}`);
    }
    const { start, end } = keyGroupRange ?? {};
    if (!Number.isInteger(start) || !Number.isInteger(end) || start! < 0 || end! >= maxParallelism || end! < start!) {
      throw errors.argumentOutOfRange('keyGroupRange', keyGroupRange, `expected { start, end } with 0 <= start <= end < ${maxParallelism}`);
    }
    if (typeof options.currentProcessingTime !== 'function') {
      throw errors.invalidArgumentType('currentProcessingTime', options.currentProcessingTime, 'expected a function returning the processing time in ms');
    }
    this.maxParallelism = maxParallelism;
    this.keyGroupRange = { start: start!, end: end! };
    this.#operatorName = options.operatorName;
    this.#clock = options.currentProcessingTime;
    this.#keySerializer = (options.keyType ?? Types.GENERIC).createSerializer();
  }

  setCurrentKey(key: K): void {
    const c = this.#current;
    if (isPrimitiveKey(key)) {
      if (key !== c.key || c.tuple) {
        c.keyGroup = this.#keyGroupOf(key);
        c.key = key;
        c.lookup = key;
        c.tuple = false;
      }
    } else {
      const canonical = Array.isArray(key) ? canonicalTuple(key, 0) : null;
      if (canonical === null) throw badKeyError(`keyed state of ${this.#operatorName}`, key);
      c.keyGroup = this.#keyGroupOf(key);
      c.key = key;
      c.lookup = canonical;
      c.tuple = true;
    }
    const cleanups = this.#perRecordCleanup;
    for (let i = 0; i < cleanups.length; i++) cleanups[i]!.cleanupIncrementally();
  }

  getCurrentKey(): K {
    return this.#current.key as K;
  }

  getCurrentKeyGroupIndex(): number {
    return this.#current.keyGroup;
  }

  getPartitionedState<S extends State, N = typeof VOID_NAMESPACE>(
    descriptor: StateDescriptor<S>,
    namespaceSerializer?: TypeSerializer<N>,
  ): S & InternalKvState<N> {
    this.#checkOpen();
    if (descriptor === null || typeof descriptor !== 'object' || typeof descriptor.name !== 'string' || typeof descriptor.kind !== 'string') {
      throw errors.invalidArgumentType('state descriptor', descriptor, 'expected a ValueStateDescriptor, ListStateDescriptor, MapStateDescriptor, ReducingStateDescriptor or AggregatingStateDescriptor');
    }
    const nsSerializer = namespaceSerializer as TypeSerializer<unknown> | undefined;
    const meta = stateMetaOf(descriptor, nsSerializer);
    const existing = this.#declared.get(descriptor.name);
    if (existing !== undefined) {
      const mismatch = stateMetaMismatch(existing.store.meta, meta) ?? (existing.store.meta.ttl !== meta.ttl ? 'TTL on vs off' : undefined);
      if (mismatch !== undefined) throw this.#redeclared(descriptor.name, mismatch);
      return existing.state as S & InternalKvState<N>;
    }
    const store = new HeapStateTable(
      meta,
      descriptor.type.createSerializer(),
      descriptor.kind === 'MAP' ? (descriptor as unknown as { keyType: TypeInformation<unknown> }).keyType.createSerializer() : undefined,
      nsSerializer,
      descriptor.ttlConfig,
      this.#clock,
    );
    const pending = this.#pending.get(descriptor.name);
    if (pending !== undefined) {
      const mismatch = stateMetaMismatch(pending.meta, meta);
      if (mismatch !== undefined) throw this.#redeclared(descriptor.name, `${mismatch} (the restored snapshot holds the first)`);
      this.#materialize(store, pending);
      this.#pending.delete(descriptor.name);
    }
    const state = this.#createState(descriptor, store);
    this.#declared.set(descriptor.name, { store, state });
    if (store.cleanupPerRecord) this.#perRecordCleanup.push(store);
    return state as S & InternalKvState<N>;
  }

  applyToAllKeys<N>(namespace: N, stateName: string, fn: (key: K) => void): void {
    const declared = this.#declared.get(stateName);
    if (declared === undefined) {
      if (this.#pending.has(stateName)) throw errors.unsupportedOperation(`applyToAllKeys: state '${stateName}' of ${this.#operatorName} was restored but not declared yet; call getPartitionedState first`);
      return;
    }
    const store = declared.store;
    const table = store.namespaces.get(store.namespaceLookup(namespace));
    if (table === undefined) return;
    // Keys first: fn may change the state while it runs.
    const keys = [...table.values()].map((s) => s.key);
    const previous = this.#current.key;
    try {
      for (const key of keys) {
        this.setCurrentKey(key as K);
        fn(key as K);
      }
    } finally {
      if (previous !== undefined) this.setCurrentKey(previous as K);
    }
  }

  snapshot(): Uint8Array {
    this.#checkOpen();
    const { start, end } = this.keyGroupRange;
    const declared = [...this.#declared.values()];
    const pending = [...this.#pending.values()];
    const metas = [...declared.map((d) => d.store.meta), ...pending.map((p) => p.meta)];
    const writer = new KeyedStateSnapshotWriter({ maxParallelism: this.maxParallelism, keyGroupStart: start, keyGroupEnd: end, keyTypeName: this.#keySerializer.typeName }, metas);
    // Bucket by key group: [stateIndex, table namespace, slot] or [stateIndex, raw entry].
    const buckets: (Array<readonly [number, unknown, HeapSlot] | readonly [number, SnapshotEntry, SnapshotStateMeta, 'raw']> | undefined)[] = new Array(end - start + 1);
    const bucket = (kg: number) => (buckets[kg - start] ??= []);
    declared.forEach((d, i) => {
      for (const t of d.store.namespaces.values()) for (const slot of t.values()) bucket(slot.keyGroup).push([i, t.namespace, slot]);
    });
    pending.forEach((p, j) => {
      for (const e of p.entries) bucket(e.keyGroup).push([declared.length + j, e, p.meta, 'raw']);
    });
    const now = this.#clock();
    for (let g = 0; g < buckets.length; g++) {
      const list = buckets[g];
      if (list === undefined) continue;
      writer.beginKeyGroup(start + g);
      for (const item of list) {
        if (item.length === 4) writeRawEntry(writer, item[0], item[1], item[2]);
        else this.#writeSlot(writer, item[0], declared[item[0]]!.store, item[1], item[2], now);
      }
    }
    return writer.finish();
  }

  restore(snapshots: readonly Uint8Array[]): void {
    this.#checkOpen();
    if (!Array.isArray(snapshots)) throw errors.invalidArgumentType('snapshots', snapshots, 'expected an array of snapshots from snapshot()');
    const { start, end } = this.keyGroupRange;
    // Read and check every snapshot before anything changes.
    const byName = new Map<string, Pending>();
    for (const bytes of snapshots) {
      const snap = readKeyedStateSnapshot(bytes, this.maxParallelism, start, end);
      if (snap.scope.keyTypeName !== this.#keySerializer.typeName) {
        throw errors.corruptRecord(`invalid keyed state snapshot: its keys are ${snap.scope.keyTypeName}, ${this.#operatorName} has keys of ${this.#keySerializer.typeName}`);
      }
      const targets = snap.states.map((meta) => {
        const raw = byName.get(meta.name)?.meta ?? this.#pending.get(meta.name)?.meta;
        const known = raw ?? this.#declared.get(meta.name)?.store.meta;
        // Raw entries of one state must agree on TTL too: their items do or do not carry timestamps.
        const mismatch = known && (stateMetaMismatch(meta, known) ?? (raw !== undefined && raw.ttl !== meta.ttl ? 'TTL on vs off' : undefined));
        if (mismatch) throw errors.corruptRecord(`invalid keyed state snapshot: state '${meta.name}' is ${mismatch.replace(' vs ', ' in the snapshot, ')} in ${this.#operatorName}`);
        let p = byName.get(meta.name);
        if (p === undefined) byName.set(meta.name, (p = { meta, entries: [] }));
        return p.entries;
      });
      for (const e of snap.entries) targets[e.stateIndex]!.push(e);
    }
    // Decode the entries of declared states into fresh tables; commit only when all decoded.
    const staged: Array<[Declared, HeapStateTable]> = [];
    for (const [name, p] of byName) {
      const d = this.#declared.get(name);
      if (d === undefined) continue;
      const s = d.store;
      const fresh = new HeapStateTable(s.meta, s.valueSerializer, s.userKeySerializer, s.namespaceSerializer, s.ttl, this.#clock);
      for (const t of s.namespaces.values()) for (const slot of t.values()) this.#put(fresh, t.namespace, slot, name);
      this.#materialize(fresh, p);
      staged.push([d, fresh]);
    }
    for (const [d, fresh] of staged) {
      d.store.clearAll();
      for (const t of fresh.namespaces.values()) for (const slot of t.values()) this.#put(d.store, t.namespace, slot, d.store.name);
    }
    for (const [name, p] of byName) {
      if (this.#declared.has(name)) continue;
      const earlier = this.#pending.get(name);
      this.#pending.set(name, earlier === undefined ? p : { meta: earlier.meta, entries: [...earlier.entries, ...p.entries] });
    }
  }

  stats(): KeyedStateStats {
    let entries = 0;
    let memoryBytes = 0;
    for (const { store } of this.#declared.values()) {
      entries += store.size;
      if (store.size === 0) continue;
      let sampled = 0;
      let bytes = 0;
      for (const [, slot] of store.slots()) {
        bytes += estimateBytes(slot.key, 4) + estimateBytes(slot.value instanceof JsKeyMap ? [...slot.value.values()] : slot.value, 4);
        if (++sampled === SIZE_SAMPLES) break;
      }
      memoryBytes += store.size * (SLOT_OVERHEAD_BYTES + bytes / sampled);
    }
    for (const p of this.#pending.values()) {
      entries += p.entries.length;
      for (const e of p.entries) memoryBytes += 64 + e.key.length + e.namespace.length + e.items.reduce((n, i) => n + 32 + i.value.length + (i.userKey?.length ?? 0), 0);
    }
    return { entries, memoryBytes: Math.round(memoryBytes) };
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    for (const { store } of this.#declared.values()) store.clearAll();
    this.#declared.clear();
    this.#pending.clear();
    this.#perRecordCleanup = [];
  }

  #keyGroupOf(key: unknown): number {
    const kg = murmurHash(javaHashCode(key)) % this.maxParallelism;
    const { start, end } = this.keyGroupRange;
    if (kg < start || kg > end) {
      throw errors.internal(`${this.#operatorName}: key ${String(key)} is in key group ${kg}, outside this subtask's key groups [${start}, ${end}] (was the stream partitioned by another key?)`);
    }
    return kg;
  }

  #createState(descriptor: StateDescriptor, store: HeapStateTable): State & InternalKvState<unknown> {
    const c = this.#current;
    switch (descriptor.kind) {
      case 'VALUE':
        return new HeapValueState(c, store, (descriptor as ValueStateDescriptor<unknown>).defaultValue);
      case 'LIST':
        return new HeapListState(c, store);
      case 'MAP':
        return new HeapMapState(c, store);
      case 'REDUCING':
        return new HeapReducingState(c, store, (descriptor as ReducingStateDescriptor<unknown>).reduceFunction);
      case 'AGGREGATING':
        return new HeapAggregatingState(c, store, (descriptor as AggregatingStateDescriptor<unknown, unknown, unknown>).aggregateFunction);
      default:
        throw errors.invalidArgumentType('state descriptor kind', descriptor.kind, 'expected VALUE, LIST, MAP, REDUCING or AGGREGATING');
    }
  }

  /** Adds `slot` (already checked) to `store` under `namespace`; a duplicate is a corrupt restore. */
  #put(store: HeapStateTable, namespace: unknown, slot: HeapSlot, name: string): void {
    const lookup = store.namespaceLookup(namespace);
    const table = store.table(lookup, namespace, true)!;
    const tuple = !isPrimitiveKey(slot.key);
    const keyLookup = tuple ? canonicalTuple(slot.key as unknown[], 0)! : slot.key;
    if (table.getBy(tuple, keyLookup) !== undefined) {
      throw errors.corruptRecord(`invalid keyed state snapshot: state '${name}' holds key ${String(slot.key)} twice (overlapping key-group ranges restored?)`);
    }
    table.setBy(tuple, keyLookup, slot);
    store.size++;
  }

  /** Decodes the restored entries of `p` into `store`. @throws CorruptRecordError. */
  #materialize(store: HeapStateTable, p: Pending): void {
    const input = new DataInputView();
    const read = <T>(serializer: TypeSerializer<T>, bytes: Uint8Array, what: string): T => {
      const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      input.reset(buf, new DataView(buf.buffer, buf.byteOffset, buf.byteLength), 0, buf.length);
      try {
        const v = serializer.read(input);
        if (input.pos !== input.limit) throw errors.corruptRecord(`${input.limit - input.pos} bytes after the ${what}`);
        return v;
      } catch (e) {
        const detail = e instanceof Error ? e.message : String(e);
        throw errors.corruptRecord(`invalid keyed state snapshot: state '${store.name}': undecodable ${what} (${detail})`);
      }
    };
    const ttl = store.ttl !== undefined;
    const restoredAt = this.#clock();
    const stamp = (ts: number) => (!ttl ? 0 : p.meta.ttl ? ts : restoredAt);
    for (const e of p.entries) {
      const key = read(this.#keySerializer, e.key, 'key');
      const supported = isPrimitiveKey(key) || (Array.isArray(key) && canonicalTuple(key, 0) !== null);
      if (!supported) throw errors.corruptRecord(`invalid keyed state snapshot: state '${store.name}' holds an unsupported key ${String(key)}`);
      const kg = murmurHash(javaHashCode(key)) % this.maxParallelism;
      if (kg !== e.keyGroup) throw errors.corruptRecord(`invalid keyed state snapshot: state '${store.name}': a key in key group ${e.keyGroup} belongs to ${kg}`);
      let namespace: unknown = VOID_NAMESPACE;
      if (e.namespace.length !== 0) {
        if (p.meta.namespaceTypeName === VOID_NAMESPACE_TYPE_NAME) throw errors.corruptRecord(`invalid keyed state snapshot: state '${store.name}' has VOID namespaces with ${e.namespace.length} bytes`);
        namespace = read(store.namespaceSerializer!, e.namespace, 'namespace');
      }
      let value: unknown;
      let ts = 0;
      switch (store.kind) {
        case 'LIST': {
          const elements = e.items.map((i) => read(store.valueSerializer, i.value, 'list element'));
          value = ttl ? elements.map((v, n): TtlItem => ({ value: v, ts: stamp(e.items[n]!.timestamp) })) : elements;
          break;
        }
        case 'MAP': {
          const map = new JsKeyMap<MapItem>();
          for (const i of e.items) {
            const uk = read(store.userKeySerializer!, i.userKey!, 'map key');
            let lookup: unknown;
            try {
              lookup = JsKeyMap.lookupOf(uk, store.name);
            } catch {
              throw errors.corruptRecord(`invalid keyed state snapshot: map state '${store.name}' holds an unsupported map key`);
            }
            map.setBy(Array.isArray(uk), lookup, { key: uk, value: read(store.valueSerializer, i.value, 'map value'), ts: stamp(i.timestamp) });
          }
          value = map;
          break;
        }
        default:
          value = read(store.valueSerializer, e.items[0]!.value, 'value');
          ts = stamp(e.items[0]!.timestamp);
      }
      this.#put(store, namespace, new HeapSlot(key, kg, value, ts), store.name);
    }
  }

  #writeSlot(w: KeyedStateSnapshotWriter, index: number, store: HeapStateTable, namespace: unknown, slot: HeapSlot, now: number): void {
    const ttl = store.ttl;
    const skipExpired = ttl?.cleanupFullSnapshot === true;
    const live = (ts: number) => !skipExpired || !store.expired(ts, now);
    const stamp = (ts: number) => {
      if (ttl !== undefined) w.timestamp(ts);
    };
    // Decide first whether anything is left to write: an entry needs at least one item.
    let items: readonly unknown[];
    switch (store.kind) {
      case 'LIST':
        items = ttl === undefined ? (slot.value as unknown[]) : (slot.value as TtlItem[]).filter((i) => live(i.ts));
        break;
      case 'MAP':
        items = [...(slot.value as JsKeyMap<MapItem>).values()].filter((i) => live(i.ts));
        break;
      default:
        items = ttl === undefined || live(slot.ts) ? [slot.value] : [];
    }
    if (items.length === 0) return;
    w.beginEntry(index);
    w.key(this.#keySerializer, slot.key);
    if (namespace === VOID_NAMESPACE) w.namespaceBytes(EMPTY_BYTES);
    else w.namespace(store.namespaceSerializer!, namespace);
    for (const item of items) {
      switch (store.kind) {
        case 'LIST':
          if (ttl === undefined) w.value(store.valueSerializer, item);
          else {
            stamp((item as TtlItem).ts);
            w.value(store.valueSerializer, (item as TtlItem).value);
          }
          break;
        case 'MAP':
          stamp((item as MapItem).ts);
          w.userKey(store.userKeySerializer!, (item as MapItem).key);
          w.value(store.valueSerializer, (item as MapItem).value);
          break;
        default:
          stamp(slot.ts);
          w.value(store.valueSerializer, item);
      }
    }
  }

  #redeclared(name: string, mismatch: string): TypeError {
    return errors.invalidArgumentType(
      `state '${name}' of ${this.#operatorName}`,
      name,
      `one name is one state, but it was declared as ${mismatch}; give the new state another name`,
    );
  }

  #checkOpen(): void {
    if (this.#disposed) throw errors.unsupportedOperation(`the keyed state backend of ${this.#operatorName} was disposed`);
  }
}

const EMPTY_BYTES = new Uint8Array(0);

/** Writes an entry kept as bytes since a restore, unchanged. */
function writeRawEntry(w: KeyedStateSnapshotWriter, index: number, e: SnapshotEntry, meta: SnapshotStateMeta): void {
  w.beginEntry(index);
  w.keyBytes(e.key);
  w.namespaceBytes(e.namespace);
  for (const i of e.items) {
    if (meta.ttl) w.timestamp(i.timestamp);
    if (i.userKey !== undefined) w.userKeyBytes(i.userKey);
    w.valueBytes(i.value);
  }
}
