/**
 * The native keyed state backend (keyed-state-backend.ts): every state's values kept serialized
 * by their declared TypeInformation in the addon's managed memory (native/core/keyed_byte_map.h,
 * through native/napi/keyed_state_store_wrap.h), charged to `taskmanager.memory.managed.size`.
 *
 * No JS objects cross per access: keys, namespaces, user keys and values go through one scratch
 * buffer shared with the store (native-scratch.ts). `setCurrentKey` writes the key there
 * (native-key-writer.ts: STRING, DOUBLE, LONG and BOOLEAN keys straight, hashed to their key
 * group by the store) and makes one store call without arguments, which also loads every
 * fixed-width VALUE state's value into the scratch (native-fixed-value-states.ts), so a
 * read-modify-write of such a state per record costs that one call. The other states
 * (native-keyed-states.ts) make one store call per access; TTL in native-state-ttl.ts,
 * snapshots in native-keyed-state-snapshot.ts.
 *
 * Depends on: ../native, ../memory, ../types, ../errors, ./keyed-state-backend,
 * ./keyed-state-snapshot-format, ./native-*, ./state-descriptor, ./state-ttl-config.
 */
import { errors } from '../errors.js';
import type { KeyGroupRange } from '../io/key-group-assignment.js';
import type { ManagedMemory } from '../memory/managed-memory.js';
import { loadNativeAddon, type NativeKeyedStateStore } from '../native/addon.js';
import { DataInputView } from '../types/data-input-view.js';
import type { TypeSerializer } from '../types/type-serializer.js';
import type { InternalKvState, KeyedStateBackend, KeyedStateBackendOptions, KeyedStateStats, VoidNamespace } from './keyed-state-backend.js';
import { KeyedStateSnapshotWriter, readKeyedStateSnapshot, VOID_NAMESPACE_TYPE_NAME, type SnapshotStateMeta } from './keyed-state-snapshot-format.js';
import { DoubleValueState, FixedSlots, FixedValueState, fixedWidth, LongValueState } from './native-fixed-value-states.js';
import { KeyKind, nativeKeyWriter, type NativeKeyWriter } from './native-key-writer.js';
import { checkAgrees, hex, parseEntries, snapshotItems, u32, type RawEntry } from './native-keyed-state-snapshot.js';
import {
  EMPTY,
  KIND_ELEMENT,
  KIND_VALUE,
  NativeAggregatingState,
  NativeListState,
  NativeMapState,
  NativeReducingState,
  NativeValueState,
  type NativeState,
  type NativeStateHost,
} from './native-keyed-states.js';
import { IO_AT, KEY_GROUP_AT, KEY_LENGTH_AT, NativeScratch } from './native-scratch.js';
import { isExpired, stampPrefix } from './native-state-ttl.js';
import type {
  AggregatingStateDescriptor,
  MapStateDescriptor,
  ReducingStateDescriptor,
  State,
  StateDescriptor,
  ValueStateDescriptor,
} from './state-descriptor.js';
import type { StateTtlConfig } from './state-ttl-config.js';

export interface NativeKeyedStateBackendOptions extends KeyedStateBackendOptions {
  /** The TaskManager's managed memory account, charged for every byte of state. */
  readonly managedMemory: ManagedMemory;
}

/** A declared state and what the store knows it by. */
interface Registered {
  readonly id: number;
  readonly descriptor: StateDescriptor;
  readonly object: NativeState;
  readonly meta: SnapshotStateMeta;
}

/** Snapshot meta of a state restored before its descriptor was declared. */
interface Pending {
  readonly id: number;
  readonly meta: SnapshotStateMeta;
}

export class NativeKeyedStateBackend<K = unknown> implements KeyedStateBackend<K>, NativeStateHost {
  readonly maxParallelism: number;
  readonly keyGroupRange: KeyGroupRange;
  /** @internal */ readonly store: NativeKeyedStateStore;
  /** @internal */ readonly scratch: NativeScratch;
  /** @internal */ readonly now: () => number;
  readonly #options: NativeKeyedStateBackendOptions;
  readonly #keys: NativeKeyWriter<K>;
  readonly #keySerializer: TypeSerializer<K>;
  readonly #states = new Map<string, Registered>();
  readonly #pending = new Map<string, Pending>();
  readonly #fixedSlots = new FixedSlots();
  #nextId = 0;
  #currentKey: K | undefined;
  #hasKey = false;
  #keyGroup = -1;
  #disposed = false;

  constructor(options: NativeKeyedStateBackendOptions) {
    this.#options = options;
    this.maxParallelism = options.maxParallelism;
    this.keyGroupRange = options.keyGroupRange;
    this.now = options.currentProcessingTime;
    this.#keys = nativeKeyWriter<K>(options.keyType, options.maxParallelism);
    this.#keySerializer = this.#keys.serializer;
    this.scratch = new NativeScratch(64 * 1024);
    this.store = new (loadNativeAddon().KeyedStateStore)({
      managedMemory: options.managedMemory.view,
      scratch: this.scratch.bytes,
      operatorName: options.operatorName,
    });
    this.store.setKeyRouting(this.#keys.kind, options.maxParallelism, IO_AT);
  }

  setCurrentKey(key: K): void {
    const scratch = this.scratch;
    const keys = this.#keys;
    const length = keys.write(key, scratch);
    if (scratch.out.buf !== scratch.bytes) scratch.sync(this.store);
    const i32 = scratch.i32;
    i32[KEY_LENGTH_AT >> 2] = length;
    if (keys.kind === KeyKind.GIVEN_GROUP) i32[KEY_GROUP_AT >> 2] = keys.keyGroup(key);
    this.store.setCurrentKey();
    const keyGroup = i32[KEY_GROUP_AT >> 2]!;
    const range = this.keyGroupRange;
    if (keyGroup < range.start || keyGroup > range.end) {
      throw errors.internal(`key ${String(key)} of key group ${keyGroup} reached ${this.#options.operatorName}, which owns key groups [${range.start}, ${range.end}]`);
    }
    this.#currentKey = key;
    this.#keyGroup = keyGroup;
    this.#hasKey = true;
  }

  getCurrentKey(): K {
    if (!this.#hasKey) throw errors.internal('getCurrentKey before setCurrentKey');
    return this.#currentKey as K;
  }

  getCurrentKeyGroupIndex(): number {
    return this.#keyGroup;
  }

  getPartitionedState<S extends State, N = VoidNamespace>(descriptor: StateDescriptor<S>, namespaceSerializer?: TypeSerializer<N>): S & InternalKvState<N> {
    this.#checkOpen();
    const existing = this.#states.get(descriptor.name);
    if (existing !== undefined) {
      if (existing.descriptor.kind !== descriptor.kind || existing.descriptor.type.name !== descriptor.type.name) {
        throw errors.invalidArgumentType(
          `state '${descriptor.name}' of ${this.#options.operatorName}`,
          `${descriptor.kind} of ${descriptor.type.name}`,
          `it was declared before as ${existing.descriptor.kind} of ${existing.descriptor.type.name}; use another name`,
        );
      }
      return existing.object as unknown as S & InternalKvState<N>;
    }
    const ttl = descriptor.ttlConfig?.isEnabled === true ? descriptor.ttlConfig : undefined;
    const meta: SnapshotStateMeta = {
      name: descriptor.name,
      kind: descriptor.kind,
      ttl: ttl !== undefined,
      namespaceTypeName: namespaceSerializer?.typeName ?? VOID_NAMESPACE_TYPE_NAME,
      valueTypeName: descriptor.type.name,
      userKeyTypeName: descriptor.kind === 'MAP' ? (descriptor as unknown as MapStateDescriptor<unknown, unknown>).keyType.name : '',
    };
    const pending = this.#pending.get(descriptor.name);
    if (pending !== undefined) checkAgrees(pending.meta, meta);
    this.#pending.delete(descriptor.name);
    const id = pending?.id ?? this.#nextId++;
    const ns = (namespaceSerializer ?? null) as TypeSerializer<unknown> | null;
    const object = this.#createState(id, descriptor, ns, ttl);
    this.#states.set(descriptor.name, { id, descriptor, object, meta });
    return object as unknown as S & InternalKvState<N>;
  }

  #createState(id: number, d: StateDescriptor, ns: TypeSerializer<unknown> | null, ttl: StateTtlConfig | undefined): NativeState {
    const value = d.type.createSerializer();
    const width = fixedWidth(d.type);
    const slot = d.kind === 'VALUE' && ns === null && ttl === undefined && width !== undefined ? this.#fixedSlots.allocate(width) : undefined;
    if (slot !== undefined) {
      const index = this.store.registerFixedState(id, slot.flagAt, slot.valueAt, width!);
      const defaultValue = (d as ValueStateDescriptor<unknown>).defaultValue;
      const State = d.type.name === 'DOUBLE' ? DoubleValueState : d.type.name === 'LONG' ? LongValueState : FixedValueState;
      return new State(this, value as never, defaultValue as never, slot.flagAt, slot.valueAt, width!, index);
    }
    switch (d.kind) {
      case 'VALUE':
        return new NativeValueState(this, id, ns, ttl, value, (d as ValueStateDescriptor<unknown>).defaultValue);
      case 'REDUCING':
        return new NativeReducingState(this, id, ns, ttl, value, (d as ReducingStateDescriptor<unknown>).reduceFunction);
      case 'AGGREGATING':
        return new NativeAggregatingState(this, id, ns, ttl, value, (d as AggregatingStateDescriptor<unknown, unknown, unknown>).aggregateFunction);
      case 'LIST':
        return new NativeListState(this, id, ns, ttl, value);
      case 'MAP':
        return new NativeMapState(this, id, ns, ttl, value, (d as MapStateDescriptor<unknown, unknown>).keyType.createSerializer());
    }
  }

  applyToAllKeys<N>(namespace: N, stateName: string, fn: (key: K) => void): void {
    this.#checkOpen();
    const state = this.#states.get(stateName);
    if (state === undefined) throw errors.invalidArgumentType('state name', stateName, `no state of that name was declared on ${this.#options.operatorName}`);
    const nsLength = state.object.writeNamespaceOf(namespace, IO_AT);
    const bytes = this.store.keys(state.id, IO_AT, nsLength);
    const keys: K[] = [];
    const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const input = new DataInputView(buf);
    while (input.pos < buf.length) {
      const len = input.readInt32();
      const end = input.pos + len;
      keys.push(this.#keySerializer.read(new DataInputView(buf, undefined, input.pos, end)));
      input.pos = end;
    }
    for (const key of keys) {
      this.setCurrentKey(key);
      fn(key);
    }
  }

  snapshot(): Uint8Array {
    this.#checkOpen();
    const { start, end } = this.keyGroupRange;
    const registered = [...this.#states.values()];
    const metas = [...registered.map((r) => r.meta), ...[...this.#pending.values()].map((p) => p.meta)];
    const indexById = new Map<number, number>();
    registered.forEach((r, i) => indexById.set(r.id, i));
    [...this.#pending.values()].forEach((p, i) => indexById.set(p.id, registered.length + i));
    const ttlById = new Map<number, StateTtlConfig | undefined>();
    for (const r of registered) ttlById.set(r.id, r.descriptor.ttlConfig?.isEnabled === true ? r.descriptor.ttlConfig : undefined);
    const writer = new KeyedStateSnapshotWriter({ maxParallelism: this.maxParallelism, keyGroupStart: start, keyGroupEnd: end, keyTypeName: this.#keySerializer.typeName }, metas);
    const entries = parseEntries(this.store.entries(start, end));
    // Sections by ascending key group; one snapshot entry per (state, key, namespace).
    const groups = new Map<string, RawEntry[]>();
    for (const e of entries) {
      const id = `${e.keyGroup}|${e.stateId}|${hex(e.key)}|${hex(e.ns)}`;
      const list = groups.get(id);
      if (list === undefined) groups.set(id, [e]);
      else list.push(e);
    }
    const sorted = [...groups.values()].sort((a, b) => a[0]!.keyGroup - b[0]!.keyGroup);
    const now = this.now();
    let keyGroup = -1;
    for (const raws of sorted) {
      const first = raws[0]!;
      const index = indexById.get(first.stateId);
      if (index === undefined) continue;
      const meta = metas[index]!;
      const ttl = ttlById.get(first.stateId);
      const dropExpired = ttl?.cleanupFullSnapshot === true;
      const items = snapshotItems(meta, raws).filter((item) => !dropExpired || !isExpired(ttl!, item.timestamp, now));
      if (items.length === 0) continue;
      if (first.keyGroup !== keyGroup) {
        writer.beginKeyGroup(first.keyGroup);
        keyGroup = first.keyGroup;
      }
      writer.beginEntry(index);
      writer.keyBytes(first.key);
      writer.namespaceBytes(first.ns);
      for (const item of items) {
        if (meta.ttl) writer.timestamp(item.timestamp);
        if (item.userKey !== undefined) writer.userKeyBytes(item.userKey);
        writer.valueBytes(item.value);
      }
    }
    return writer.finish();
  }

  restore(snapshots: readonly Uint8Array[]): void {
    this.#checkOpen();
    const { start, end } = this.keyGroupRange;
    // Validate every snapshot before changing anything.
    const read = snapshots.map((s) => readKeyedStateSnapshot(s, this.maxParallelism, start, end));
    for (const snap of read) {
      if (snap.scope.keyTypeName !== this.#keySerializer.typeName) {
        throw errors.invalidArgumentType('snapshot key type', snap.scope.keyTypeName, `this backend's keys are ${this.#keySerializer.typeName}`);
      }
      const ids = snap.states.map((meta) => this.#idForRestore(meta));
      for (const entry of snap.entries) {
        const meta = snap.states[entry.stateIndex]!;
        const id = ids[entry.stateIndex]!;
        if (meta.kind === 'MAP') {
          for (const item of entry.items) this.#putRaw(id, KIND_ELEMENT, entry.keyGroup, entry.key, entry.namespace, item.userKey!, [stampPrefix(meta, item.timestamp), item.value]);
        } else if (meta.kind === 'LIST') {
          const parts: Uint8Array[] = [];
          for (const item of entry.items) parts.push(stampPrefix(meta, item.timestamp), u32(item.value.length), item.value);
          this.#putRaw(id, KIND_VALUE, entry.keyGroup, entry.key, entry.namespace, EMPTY, parts);
        } else {
          const item = entry.items[0]!;
          this.#putRaw(id, KIND_VALUE, entry.keyGroup, entry.key, entry.namespace, EMPTY, [stampPrefix(meta, item.timestamp), item.value]);
        }
      }
    }
    this.#hasKey = false;
  }

  #idForRestore(meta: SnapshotStateMeta): number {
    const declared = this.#states.get(meta.name);
    if (declared !== undefined) {
      checkAgrees(meta, declared.meta);
      return declared.id;
    }
    const pending = this.#pending.get(meta.name);
    if (pending !== undefined) {
      checkAgrees(meta, pending.meta);
      return pending.id;
    }
    const id = this.#nextId++;
    this.#pending.set(meta.name, { id, meta });
    return id;
  }

  #putRaw(id: number, kind: number, keyGroup: number, key: Uint8Array, ns: Uint8Array, userKey: Uint8Array, value: readonly Uint8Array[]): void {
    const scratch = this.scratch;
    scratch.out.pos = IO_AT;
    for (const part of [key, ns, userKey, ...value]) scratch.writeRaw(part);
    scratch.sync(this.store);
    const valueLength = scratch.out.pos - IO_AT - key.length - ns.length - userKey.length;
    this.store.putEntry(id, kind, keyGroup, IO_AT, key.length, ns.length, userKey.length, valueLength);
  }

  stats(): KeyedStateStats {
    if (this.#disposed) return { entries: 0, memoryBytes: 0 };
    const s = this.store.stats();
    return { entries: s.entries, memoryBytes: s.memoryBytes };
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.store.close();
  }

  #checkOpen(): void {
    if (this.#disposed) throw errors.internal(`the keyed state backend of ${this.#options.operatorName} was disposed`);
  }
}

