/**
 * The native keyed state backend (keyed-state-backend.ts): every state's values kept serialized
 * by their declared TypeInformation in the addon's managed memory (native/core/keyed_byte_map.h,
 * through native/napi/keyed_state_store_wrap.h), charged to `taskmanager.memory.managed.size`.
 *
 * No JS objects cross per access: keys, namespaces, user keys and values are written into one
 * scratch buffer shared with the store, and calls pass offsets and lengths. `setCurrentKey`
 * serializes the key once; the store looks up every fixed-width VALUE state (DOUBLE, LONG,
 * BOOLEAN, tuples of them; no TTL, no namespace) in the same call and copies their values into
 * the scratch, so `value()` reads there and `update()` writes there (written back in place by the
 * next setCurrentKey): a read-modify-write per record costs one native call.
 *
 * Stored bytes per entry (the snapshot format's items, in keyed-state-snapshot-format.ts):
 *   VALUE, REDUCING, AGGREGATING  [int64 last access, TTL only] value
 *   LIST                          per element: [int64 last access, TTL only] uint32 length, element
 *   MAP (one entry per user key)  [int64 last access, TTL only] value
 * REDUCING and AGGREGATING fold with the JS function, then write. TTL: expired entries are
 * removed when read (and left out of snapshots with cleanupFullSnapshot); strom does not run
 * Flink's incremental background cleanup on this backend yet.
 *
 * Depends on: ../native, ../memory, ../io/key-group-assignment, ../io/key-hash, ../types,
 * ../errors, ./keyed-state-backend, ./keyed-state-snapshot-format, ./state-descriptor,
 * ./state-ttl-config.
 */
import { errors } from '../errors.js';
import { computeKeyGroupForKeyHash, type KeyGroupRange } from '../io/key-group-assignment.js';
import { javaHashCode } from '../io/key-hash.js';
import type { ManagedMemory } from '../memory/managed-memory.js';
import { loadNativeAddon, type NativeKeyedStateStore } from '../native/addon.js';
import { DataInputView } from '../types/data-input-view.js';
import { DataOutputView } from '../types/data-output-view.js';
import { Types, type TypeInformation } from '../types/type-information.js';
import type { TypeSerializer } from '../types/type-serializer.js';
import {
  VOID_NAMESPACE,
  type InternalKvState,
  type KeyedStateBackend,
  type KeyedStateBackendOptions,
  type KeyedStateStats,
  type VoidNamespace,
} from './keyed-state-backend.js';
import {
  KeyedStateSnapshotWriter,
  readKeyedStateSnapshot,
  VOID_NAMESPACE_TYPE_NAME,
  type SnapshotStateMeta,
} from './keyed-state-snapshot-format.js';
import type {
  AggregatingStateDescriptor,
  MapStateDescriptor,
  ReducingStateDescriptor,
  State,
  StateDescriptor,
  ValueStateDescriptor,
} from './state-descriptor.js';
import { StateTtlConfig } from './state-ttl-config.js';

export interface NativeKeyedStateBackendOptions extends KeyedStateBackendOptions {
  /** The TaskManager's managed memory account, charged for every byte of state. */
  readonly managedMemory: ManagedMemory;
}

const KIND_VALUE = 0;
const KIND_MAP = 1;
const KIND_ELEMENT = 2;
/** Scratch bytes [0, FIXED_AREA) hold the fixed-width states' flags and values. */
const FIXED_AREA = 4096;
/** Where the key (then namespaces, user keys, values) is written. */
const IO_AT = FIXED_AREA;
const FIXED_WIDTHS: Readonly<Record<string, number>> = { DOUBLE: 8, LONG: 8, BOOLEAN: 1 };

/** Bytes of a type whose encoding has one width, else undefined. */
function fixedWidth(type: TypeInformation<unknown>): number | undefined {
  const own = FIXED_WIDTHS[type.name];
  if (own !== undefined) return own;
  const fields = (type as { fieldTypes?: readonly TypeInformation<unknown>[] }).fieldTypes;
  if (!Array.isArray(fields) || !type.name.startsWith('TUPLE(')) return undefined;
  let sum = 0;
  for (const f of fields) {
    const w = fixedWidth(f as TypeInformation<unknown>);
    if (w === undefined) return undefined;
    sum += w;
  }
  return sum;
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

export class NativeKeyedStateBackend<K = unknown> implements KeyedStateBackend<K> {
  readonly maxParallelism: number;
  readonly keyGroupRange: KeyGroupRange;
  /** @internal */ readonly store: NativeKeyedStateStore;
  /** @internal */ out: DataOutputView;
  /** @internal */ input: DataInputView;
  /** @internal */ readonly now: () => number;
  readonly #options: NativeKeyedStateBackendOptions;
  readonly #keySerializer: TypeSerializer<K>;
  readonly #states = new Map<string, Registered>();
  readonly #pending = new Map<string, Pending>();
  #nextId = 0;
  #nextFixedAt = 0;
  #currentKey: K | undefined;
  #hasKey = false;
  #keyGroup = -1;
  #disposed = false;

  constructor(options: NativeKeyedStateBackendOptions) {
    this.#options = options;
    this.maxParallelism = options.maxParallelism;
    this.keyGroupRange = options.keyGroupRange;
    this.now = options.currentProcessingTime;
    this.#keySerializer = (options.keyType ?? Types.GENERIC).createSerializer() as TypeSerializer<K>;
    this.out = new DataOutputView(64 * 1024);
    this.input = new DataInputView(this.out.buf, this.out.view, 0, this.out.buf.length);
    this.store = new (loadNativeAddon().KeyedStateStore)({
      managedMemory: options.managedMemory.view,
      scratch: this.out.buf,
      operatorName: options.operatorName,
    });
  }

  /** @internal After writing to `out`: hands a grown scratch to the store. */
  syncScratch(): void {
    if (this.input.buf !== this.out.buf) {
      this.store.setScratch(this.out.buf);
      this.input = new DataInputView(this.out.buf, this.out.view, 0, this.out.buf.length);
    }
  }

  /** @internal Makes the scratch at least `bytes` long (keeping its contents). */
  growScratch(bytes: number): void {
    const pos = this.out.pos;
    this.out.pos = this.out.buf.length;
    this.out.ensure(bytes - this.out.buf.length);
    this.out.pos = pos;
    this.syncScratch();
  }

  setCurrentKey(key: K): void {
    const out = this.out;
    out.pos = IO_AT;
    this.#keySerializer.write(key, out);
    this.syncScratch();
    const keyGroup = computeKeyGroupForKeyHash(javaHashCode(key), this.maxParallelism);
    if (keyGroup < this.keyGroupRange.start || keyGroup > this.keyGroupRange.end) {
      throw errors.internal(`key ${String(key)} of key group ${keyGroup} reached ${this.#options.operatorName}, which owns key groups [${this.keyGroupRange.start}, ${this.keyGroupRange.end}]`);
    }
    this.store.setCurrentKey(IO_AT, out.pos - IO_AT, keyGroup);
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
    if (d.kind === 'VALUE' && ns === null && ttl === undefined && width !== undefined && this.#nextFixedAt + 8 + width <= FIXED_AREA) {
      const flagAt = this.#nextFixedAt;
      const valueAt = flagAt + 8;
      this.#nextFixedAt = (valueAt + width + 7) & ~7;
      const index = this.store.registerFixedState(id, flagAt, valueAt, width);
      return new FixedValueState(this, value, (d as ValueStateDescriptor<unknown>).defaultValue, flagAt, valueAt, width, index);
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
          for (const item of entry.items) this.#putRaw(id, KIND_ELEMENT, entry.keyGroup, entry.key, entry.namespace, item.userKey!, [ttlPrefix(meta, item.timestamp), item.value]);
        } else if (meta.kind === 'LIST') {
          const parts: Uint8Array[] = [];
          for (const item of entry.items) parts.push(ttlPrefix(meta, item.timestamp), u32(item.value.length), item.value);
          this.#putRaw(id, KIND_VALUE, entry.keyGroup, entry.key, entry.namespace, EMPTY, parts);
        } else {
          const item = entry.items[0]!;
          this.#putRaw(id, KIND_VALUE, entry.keyGroup, entry.key, entry.namespace, EMPTY, [ttlPrefix(meta, item.timestamp), item.value]);
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
    const out = this.out;
    out.pos = IO_AT;
    for (const part of [key, ns, userKey, ...value]) writeRaw(out, part);
    this.syncScratch();
    const valueLength = out.pos - IO_AT - key.length - ns.length - userKey.length;
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

const EMPTY = new Uint8Array(0);

function writeRaw(out: DataOutputView, bytes: Uint8Array): void {
  out.ensure(bytes.length);
  out.buf.set(bytes, out.pos);
  out.pos += bytes.length;
}

function u32(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n, true);
  return b;
}

function ttlPrefix(meta: SnapshotStateMeta, timestamp: number): Uint8Array {
  if (!meta.ttl) return EMPTY;
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigInt64(0, BigInt(timestamp), true);
  return b;
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
}

function checkAgrees(snapshot: SnapshotStateMeta, declared: SnapshotStateMeta): void {
  const fields = ['kind', 'ttl', 'namespaceTypeName', 'valueTypeName', 'userKeyTypeName'] as const;
  for (const f of fields) {
    if (snapshot[f] !== declared[f]) {
      throw errors.invalidArgumentType(
        `state '${declared.name}'`,
        `${f} ${String(declared[f])}`,
        `the restored snapshot holds it with ${f} ${String(snapshot[f])}; declare it as it was when the snapshot was taken`,
      );
    }
  }
}

function isExpired(ttl: StateTtlConfig, lastAccess: number, now: number): boolean {
  return lastAccess + ttl.ttlMs <= now;
}

interface RawEntry {
  readonly stateId: number;
  readonly kind: number;
  readonly keyGroup: number;
  readonly key: Uint8Array;
  readonly ns: Uint8Array;
  readonly userKey: Uint8Array;
  readonly value: Uint8Array;
}

/** The records of KeyedStateStore.entries(). */
function parseEntries(bytes: Uint8Array): RawEntry[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: RawEntry[] = [];
  let p = 0;
  const blob = (): Uint8Array => {
    const n = view.getUint32(p, true);
    const b = bytes.subarray(p + 4, p + 4 + n);
    p += 4 + n;
    return b;
  };
  while (p < bytes.length) {
    const stateId = view.getUint16(p, true);
    const kind = bytes[p + 2]!;
    const keyGroup = view.getInt32(p + 4, true);
    p += 8;
    out.push({ stateId, kind, keyGroup, key: blob(), ns: blob(), userKey: blob(), value: blob() });
  }
  return out;
}

interface Item {
  readonly timestamp: number;
  readonly userKey: Uint8Array | undefined;
  readonly value: Uint8Array;
}

/** The snapshot items of one (state, key, namespace)'s stored entries. */
function snapshotItems(meta: SnapshotStateMeta, raws: readonly RawEntry[]): Item[] {
  const ttlBytes = meta.ttl ? 8 : 0;
  const stamp = (b: Uint8Array, at: number): number => (meta.ttl ? Number(new DataView(b.buffer, b.byteOffset + at, 8).getBigInt64(0, true)) : 0);
  if (meta.kind === 'MAP') {
    return raws.map((r) => ({ timestamp: stamp(r.value, 0), userKey: r.userKey, value: r.value.subarray(ttlBytes) }));
  }
  const v = raws[0]!.value;
  if (meta.kind !== 'LIST') return [{ timestamp: stamp(v, 0), userKey: undefined, value: v.subarray(ttlBytes) }];
  const items: Item[] = [];
  const view = new DataView(v.buffer, v.byteOffset, v.byteLength);
  for (let p = 0; p < v.length; ) {
    const timestamp = stamp(v, p);
    const n = view.getUint32(p + ttlBytes, true);
    const at = p + ttlBytes + 4;
    items.push({ timestamp, userKey: undefined, value: v.subarray(at, at + n) });
    p = at + n;
  }
  return items;
}

/** What every state object of this backend does: namespaces and the scratch protocol. */
abstract class NativeState implements InternalKvState<unknown> {
  /** Bytes of the current namespace (VOID: none). */
  #ns: Uint8Array = EMPTY;

  constructor(
    protected readonly backend: NativeKeyedStateBackend<unknown>,
    protected readonly id: number,
    protected readonly nsSerializer: TypeSerializer<unknown> | null,
    protected readonly ttl: StateTtlConfig | undefined,
  ) {}

  abstract clear(): void;

  setCurrentNamespace(namespace: unknown): void {
    // VOID_NAMESPACE is no bytes, also in a state with namespaces (as on the heap backend).
    if (this.nsSerializer === null || namespace === VOID_NAMESPACE) {
      if (namespace !== VOID_NAMESPACE) throw errors.invalidArgumentType('namespace', namespace, 'this state was declared without a namespace serializer (VOID_NAMESPACE only)');
      this.#ns = EMPTY;
      return;
    }
    const out = new DataOutputView(32);
    this.nsSerializer.write(namespace, out);
    this.#ns = new Uint8Array(out.buf.subarray(0, out.pos));
  }

  /** Writes `namespace`'s bytes at `at` (applyToAllKeys); their length. */
  writeNamespaceOf(namespace: unknown, at: number): number {
    const b = this.backend;
    b.out.pos = at;
    if (this.nsSerializer !== null && namespace !== VOID_NAMESPACE) this.nsSerializer.write(namespace, b.out);
    else if (namespace !== VOID_NAMESPACE) throw errors.invalidArgumentType('namespace', namespace, 'this state has no namespaces (VOID_NAMESPACE only)');
    b.syncScratch();
    return b.out.pos - at;
  }

  /** Writes namespace (and user key) at IO_AT; returns the position after them. */
  protected begin(userKey?: (out: DataOutputView) => void): { ukLength: number } {
    const out = this.backend.out;
    out.pos = IO_AT;
    writeRaw(out, this.#ns);
    const at = out.pos;
    if (userKey !== undefined) userKey(out);
    return { ukLength: out.pos - at };
  }

  protected get nsLength(): number {
    return this.#ns.length;
  }

  /** Fetches the stored bytes of (kind, current key, ns[, user key]) into the scratch at IO_AT;
   *  their length, or -1. begin() must have written the name. */
  protected fetch(kind: number, ukLength: number): number {
    const b = this.backend;
    b.syncScratch();
    const nsLength = this.#ns.length;
    let len = b.store.get(this.id, kind, IO_AT, nsLength, ukLength);
    if (len >= 0 && IO_AT + len > b.out.buf.length) {
      b.growScratch(IO_AT + len + nsLength + ukLength);
      len = b.store.get(this.id, kind, IO_AT, nsLength, ukLength);
    }
    return len;
  }

  /** The int64 last-access stamp at the scratch's IO_AT + offset. */
  protected stampAt(offset: number): number {
    return Number(this.backend.out.view.getBigInt64(IO_AT + offset, true));
  }

  protected writeStamp(out: DataOutputView): void {
    if (this.ttl !== undefined) out.writeBigInt64(BigInt(this.backend.now()));
  }

  /** Expiry of a stored stamp, per the TTL's visibility: 'live', 'expired-visible', 'expired'. */
  protected expiry(stamp: number): 'live' | 'expired-visible' | 'expired' {
    const ttl = this.ttl!;
    if (!isExpired(ttl, stamp, this.backend.now())) return 'live';
    return ttl.stateVisibility === StateTtlConfig.StateVisibility.ReturnExpiredIfNotCleanedUp ? 'expired-visible' : 'expired';
  }

  protected removeCurrent(kind: number, ukLength: number): void {
    const b = this.backend;
    b.syncScratch();
    b.store.remove(this.id, kind, IO_AT, this.#ns.length, ukLength);
  }

  /** Puts the value written after begin()'s name. */
  protected putCurrent(kind: number, ukLength: number): void {
    const b = this.backend;
    b.syncScratch();
    const nsLength = this.#ns.length;
    b.store.put(this.id, kind, IO_AT, nsLength, ukLength, b.out.pos - IO_AT - nsLength - ukLength);
  }
}

/** A VALUE state of one fixed width, no TTL, no namespace: values live in the scratch. */
class FixedValueState<T> extends NativeState {
  constructor(
    backend: NativeKeyedStateBackend<unknown>,
    private readonly serializer: TypeSerializer<T>,
    private readonly defaultValue: T | null,
    private readonly flagAt: number,
    private readonly valueAt: number,
    private readonly width: number,
    private readonly index: number,
  ) {
    super(backend, -1, null, undefined);
  }

  value(): T | null {
    const b = this.backend;
    if (b.out.buf[this.flagAt] !== 1) return this.defaultValue;
    const input = b.input;
    input.pos = this.valueAt;
    return this.serializer.read(input);
  }

  update(value: T | null | undefined): void {
    if (value === null || value === undefined) return this.clear();
    const b = this.backend;
    const out = b.out;
    out.pos = this.valueAt;
    this.serializer.write(value, out);
    if (out.pos !== this.valueAt + this.width) throw errors.internal(`fixed-width state wrote ${out.pos - this.valueAt} bytes, expected ${this.width}`);
    if (out.buf[this.flagAt] === 1) out.buf[this.flagAt + 1] = 1;
    else b.store.insertFixed(this.index);
  }

  clear(): void {
    this.backend.store.removeFixed(this.index);
  }
}

class NativeValueState<T> extends NativeState {
  constructor(
    backend: NativeKeyedStateBackend<unknown>,
    id: number,
    ns: TypeSerializer<unknown> | null,
    ttl: StateTtlConfig | undefined,
    protected readonly serializer: TypeSerializer<T>,
    private readonly defaultValue: T | null,
  ) {
    super(backend, id, ns, ttl);
  }

  value(): T | null {
    return this.read() ?? this.defaultValue;
  }

  /** The stored value (null when absent or expired), refreshing or removing per the TTL. */
  protected read(): T | null {
    this.begin();
    const len = this.fetch(KIND_VALUE, 0);
    if (len < 0) return null;
    const input = this.backend.input;
    const ttlBytes = this.ttl === undefined ? 0 : 8;
    input.pos = IO_AT + ttlBytes;
    input.limit = IO_AT + len;
    const value = this.serializer.read(input);
    input.limit = input.buf.length;
    if (this.ttl !== undefined) {
      const expiry = this.expiry(this.stampAt(0));
      if (expiry !== 'live') {
        this.clear();
        return expiry === 'expired-visible' ? value : null;
      }
      if (this.ttl.updateType === StateTtlConfig.UpdateType.OnReadAndWrite) this.write(value);
    }
    return value;
  }

  update(value: T | null | undefined): void {
    if (value === null || value === undefined) return this.clear();
    this.write(value);
  }

  protected write(value: T): void {
    this.begin();
    this.writeStamp(this.backend.out);
    this.serializer.write(value, this.backend.out);
    this.putCurrent(KIND_VALUE, 0);
  }

  clear(): void {
    this.begin();
    this.removeCurrent(KIND_VALUE, 0);
  }
}

class NativeReducingState<T> extends NativeValueState<T> {
  constructor(
    backend: NativeKeyedStateBackend<unknown>,
    id: number,
    ns: TypeSerializer<unknown> | null,
    ttl: StateTtlConfig | undefined,
    serializer: TypeSerializer<T>,
    private readonly reduce: (a: T, b: T) => T,
  ) {
    super(backend, id, ns, ttl, serializer, null);
  }

  get(): T | null {
    return this.read();
  }

  add(value: T): void {
    const current = this.read();
    this.write(current === null ? value : this.reduce(current, value));
  }
}

class NativeAggregatingState<IN, ACC, OUT> extends NativeValueState<ACC> {
  constructor(
    backend: NativeKeyedStateBackend<unknown>,
    id: number,
    ns: TypeSerializer<unknown> | null,
    ttl: StateTtlConfig | undefined,
    serializer: TypeSerializer<ACC>,
    private readonly fn: { createAccumulator(): ACC; add(v: IN, acc: ACC): ACC; getResult(acc: ACC): OUT },
  ) {
    super(backend, id, ns, ttl, serializer, null);
  }

  get(): OUT | null {
    const acc = this.read();
    return acc === null ? null : this.fn.getResult(acc);
  }

  add(value: IN): void {
    this.write(this.fn.add(value, this.read() ?? this.fn.createAccumulator()));
  }
}

class NativeListState<T> extends NativeState {
  constructor(
    backend: NativeKeyedStateBackend<unknown>,
    id: number,
    ns: TypeSerializer<unknown> | null,
    ttl: StateTtlConfig | undefined,
    private readonly serializer: TypeSerializer<T>,
  ) {
    super(backend, id, ns, ttl);
  }

  get(): Iterable<T> {
    this.begin();
    const len = this.fetch(KIND_VALUE, 0);
    if (len < 0) return [];
    const b = this.backend;
    const input = b.input;
    const ttlBytes = this.ttl === undefined ? 0 : 8;
    const values: T[] = [];
    let expired = 0;
    for (let p = IO_AT; p < IO_AT + len; ) {
      const n = b.out.view.getUint32(p + ttlBytes, true);
      input.pos = p + ttlBytes + 4;
      input.limit = input.pos + n;
      const value = this.serializer.read(input);
      const expiry = this.ttl === undefined ? 'live' : this.expiry(this.stampAt(p - IO_AT));
      if (expiry !== 'expired') values.push(value);
      if (expiry !== 'live') expired++;
      p = input.limit;
    }
    input.limit = input.buf.length;
    if (expired > 0) this.update(values);
    return values;
  }

  add(value: T): void {
    this.addAll([value]);
  }

  addAll(values: Iterable<T>): void {
    this.begin();
    const out = this.backend.out;
    const start = out.pos;
    for (const v of values) this.writeElement(out, v);
    if (out.pos === start) return;
    const b = this.backend;
    b.syncScratch();
    b.store.append(this.id, IO_AT, this.nsLength, out.pos - start);
  }

  update(values: Iterable<T>): void {
    this.begin();
    const out = this.backend.out;
    const start = out.pos;
    for (const v of values) this.writeElement(out, v);
    if (out.pos === start) return this.clear();
    this.putCurrent(KIND_VALUE, 0);
  }

  private writeElement(out: DataOutputView, value: T): void {
    if (value === null || value === undefined) throw errors.invalidArgumentType('list state element', value, 'expected a value (ListState does not hold null)');
    this.writeStamp(out);
    const at = out.pos;
    out.writeInt32(0);
    this.serializer.write(value, out);
    out.view.setUint32(at, out.pos - at - 4, true);
  }

  clear(): void {
    this.begin();
    this.removeCurrent(KIND_VALUE, 0);
  }
}

class NativeMapState<UK, UV> extends NativeState {
  constructor(
    backend: NativeKeyedStateBackend<unknown>,
    id: number,
    ns: TypeSerializer<unknown> | null,
    ttl: StateTtlConfig | undefined,
    private readonly valueSerializer: TypeSerializer<UV>,
    private readonly userKeys: TypeSerializer<UK>,
  ) {
    super(backend, id, ns, ttl);
  }

  get(key: UK): UV | null {
    const { ukLength } = this.begin((out) => this.userKeys.write(key, out));
    const len = this.fetch(KIND_ELEMENT, ukLength);
    if (len < 0) return null;
    const input = this.backend.input;
    const ttlBytes = this.ttl === undefined ? 0 : 8;
    input.pos = IO_AT + ttlBytes;
    input.limit = IO_AT + len;
    const value = this.valueSerializer.read(input);
    input.limit = input.buf.length;
    if (this.ttl !== undefined) {
      const expiry = this.expiry(this.stampAt(0));
      if (expiry !== 'live') {
        this.remove(key);
        return expiry === 'expired-visible' ? value : null;
      }
      if (this.ttl.updateType === StateTtlConfig.UpdateType.OnReadAndWrite) this.put(key, value);
    }
    return value;
  }

  put(key: UK, value: UV): void {
    const { ukLength } = this.begin((out) => this.userKeys.write(key, out));
    this.writeStamp(this.backend.out);
    this.valueSerializer.write(value, this.backend.out);
    this.putCurrent(KIND_ELEMENT, ukLength);
  }

  putAll(entries: Iterable<readonly [UK, UV]>): void {
    for (const [k, v] of entries) this.put(k, v);
  }

  remove(key: UK): void {
    const { ukLength } = this.begin((out) => this.userKeys.write(key, out));
    this.removeCurrent(KIND_ELEMENT, ukLength);
  }

  contains(key: UK): boolean {
    return this.get(key) !== null;
  }

  entries(): Iterable<[UK, UV]> {
    this.begin();
    const b = this.backend;
    b.syncScratch();
    const bytes = b.store.mapEntries(this.id, IO_AT, this.nsLength);
    const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const ttlBytes = this.ttl === undefined ? 0 : 8;
    const result: [UK, UV][] = [];
    const expiredKeys: UK[] = [];
    for (let p = 0; p < bytes.length; ) {
      const kn = view.getUint32(p, true);
      const key = this.userKeys.read(new DataInputView(buf, undefined, p + 4, p + 4 + kn));
      p += 4 + kn;
      const vn = view.getUint32(p, true);
      const value = this.valueSerializer.read(new DataInputView(buf, undefined, p + 4 + ttlBytes, p + 4 + vn));
      const expiry = this.ttl === undefined ? 'live' : this.expiry(Number(view.getBigInt64(p + 4, true)));
      p += 4 + vn;
      if (expiry !== 'expired') result.push([key, value]);
      if (expiry !== 'live') expiredKeys.push(key);
    }
    for (const k of expiredKeys) this.remove(k);
    return result;
  }

  keys(): Iterable<UK> {
    return [...this.entries()].map(([k]) => k);
  }

  values(): Iterable<UV> {
    return [...this.entries()].map(([, v]) => v);
  }

  isEmpty(): boolean {
    if (this.ttl !== undefined) return [...this.entries()].length === 0;
    this.begin();
    this.backend.syncScratch();
    return this.backend.store.mapSize(this.id, IO_AT, this.nsLength) === 0;
  }

  clear(): void {
    this.begin();
    this.removeCurrent(KIND_MAP, 0);
  }
}
