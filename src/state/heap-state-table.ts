/**
 * The storage of one keyed state of the heap backend (heap-keyed-state-backend.ts): per
 * namespace, a table of the keys that have an entry, each key's slot holding its JS value.
 *
 * Layout: `namespaces` maps a namespace's lookup value (VOID_NAMESPACE itself, a primitive as
 * is, any other namespace by its serialized bytes) to a {@link NamespaceTable}, which keeps
 * primitive keys and tuple keys (by canonical string, js-key.ts) in two Maps, as
 * js-keyed-state.ts does. A slot holds the key as first stored, its key group (so snapshots
 * group by key group without hashing again), the value and, with TTL, the last-access time.
 *
 * What a slot's `value` is, by kind: VALUE, REDUCING: the value; AGGREGATING: the accumulator;
 * LIST: an array of the elements (with TTL: of {@link TtlItem}s); MAP: a {@link JsKeyMap} of
 * {@link MapItem}s by user key.
 *
 * Depends on: ./js-key, ./keyed-state-backend, ./state-ttl-config, ./keyed-state-snapshot-format, ../types.
 */

import { DataOutputView } from '../types/data-output-view.js';
import type { TypeSerializer } from '../types/type-serializer.js';
import { badKeyError, canonicalTuple, isPrimitiveKey } from './js-key.js';
import { VOID_NAMESPACE } from './keyed-state-backend.js';
import type { SnapshotStateMeta } from './keyed-state-snapshot-format.js';
import type { StateKind } from './state-descriptor.js';
import type { StateTtlConfig } from './state-ttl-config.js';

/** One key's entry in one namespace of one state. */
export class HeapSlot {
  constructor(
    /** The key as first stored (tuples: a private copy). */
    readonly key: unknown,
    readonly keyGroup: number,
    /** See the module comment for what it holds per kind. */
    public value: unknown,
    /** TTL last-access time (ms); 0 without TTL or for LIST/MAP (their items carry it). */
    public ts: number,
  ) {}
}

/** A list element of a state with TTL. */
export interface TtlItem {
  value: unknown;
  ts: number;
}

/** A map entry of a MapState; `ts` is its TTL last-access time (0 without TTL). */
export interface MapItem {
  readonly key: unknown;
  value: unknown;
  ts: number;
}

/**
 * Entries by JS key (js-key.ts rules): primitive keys in one Map, tuples by canonical string in
 * another, so a string never collides with a tuple's canonical form.
 */
export class JsKeyMap<E> {
  readonly primitive = new Map<unknown, E>();
  readonly tuples = new Map<string, E>();

  get size(): number {
    return this.primitive.size + this.tuples.size;
  }

  /** The tuple map's key of `key`, or the key itself when primitive. @throws TypeError for an unsupported key. */
  static lookupOf(key: unknown, owner: string): unknown {
    if (isPrimitiveKey(key)) return key;
    const c = Array.isArray(key) ? canonicalTuple(key, 0) : null;
    if (c === null) throw badKeyError(owner, key);
    return c;
  }

  getBy(tuple: boolean, lookup: unknown): E | undefined {
    return tuple ? this.tuples.get(lookup as string) : this.primitive.get(lookup);
  }
  setBy(tuple: boolean, lookup: unknown, e: E): void {
    if (tuple) this.tuples.set(lookup as string, e);
    else this.primitive.set(lookup, e);
  }
  deleteBy(tuple: boolean, lookup: unknown): boolean {
    return tuple ? this.tuples.delete(lookup as string) : this.primitive.delete(lookup);
  }

  *values(): IterableIterator<E> {
    yield* this.primitive.values();
    yield* this.tuples.values();
  }
}

/** The keys of one state in one namespace. */
export class NamespaceTable extends JsKeyMap<HeapSlot> {
  /** Set when the table was dropped (emptied, not VOID): state objects holding it look it up again. */
  dead = false;
  constructor(
    readonly namespace: unknown,
    readonly lookup: unknown,
  ) {
    super();
  }
}

/** Scratch for serializing a non-primitive namespace into its lookup string. */
const namespaceScratch = new DataOutputView(256);

/** One declared keyed state's entries and what describes them. */
export class HeapStateTable {
  readonly namespaces = new Map<unknown, NamespaceTable>();
  readonly voidTable = new NamespaceTable(VOID_NAMESPACE, VOID_NAMESPACE);
  /** Slots held, over all namespaces. */
  size = 0;
  /** Bumped on every removal, so state objects drop the slot they remembered. */
  epoch = 0;
  /** TTL when enabled, else undefined. */
  readonly ttl: StateTtlConfig | undefined;
  /** Entries the incremental cleanup checks per state access (0: off). */
  readonly cleanupSize: number;
  /** Incremental cleanup also runs once per record (setCurrentKey). */
  readonly cleanupPerRecord: boolean;
  #cleanupCursor: Iterator<readonly [NamespaceTable, HeapSlot]> | undefined;

  constructor(
    readonly meta: SnapshotStateMeta,
    readonly valueSerializer: TypeSerializer<unknown>,
    readonly userKeySerializer: TypeSerializer<unknown> | undefined,
    readonly namespaceSerializer: TypeSerializer<unknown> | undefined,
    ttl: StateTtlConfig | undefined,
    /** Processing time for TTL. */
    readonly clock: () => number,
  ) {
    this.namespaces.set(VOID_NAMESPACE, this.voidTable);
    this.ttl = ttl?.isEnabled ? ttl : undefined;
    const incremental = this.ttl !== undefined && !this.ttl.cleanupInBackgroundDisabled ? this.ttl.incrementalCleanup : undefined;
    this.cleanupSize = incremental?.cleanupSize ?? 0;
    this.cleanupPerRecord = this.cleanupSize > 0 && incremental!.runCleanupForEveryRecord;
  }

  get name(): string {
    return this.meta.name;
  }
  get kind(): StateKind {
    return this.meta.kind;
  }

  /** The lookup value of `namespace` in `namespaces`. */
  namespaceLookup(namespace: unknown): unknown {
    if (namespace === VOID_NAMESPACE || isPrimitiveKey(namespace)) return namespace;
    const serializer = this.namespaceSerializer;
    if (serializer === undefined) {
      throw new TypeError(`state '${this.name}': namespace ${String(namespace)} needs a namespace serializer (getPartitionedState(descriptor, namespaceSerializer)); without one only VOID_NAMESPACE is allowed`);
    }
    namespaceScratch.pos = 0;
    serializer.write(namespace, namespaceScratch);
    // A leading NUL keeps serialized namespaces apart from string namespaces.
    return '\u0000' + namespaceScratch.buf.toString('latin1', 0, namespaceScratch.pos);
  }

  /** The table of a namespace lookup, created when `create`. */
  table(lookup: unknown, namespace: unknown, create: boolean): NamespaceTable | undefined {
    let t = this.namespaces.get(lookup);
    if (t === undefined && create) {
      t = new NamespaceTable(namespace, lookup);
      this.namespaces.set(lookup, t);
    }
    return t;
  }

  /** Removes the slot of `lookup` from `table`, dropping a non-VOID table left empty. */
  remove(table: NamespaceTable, tuple: boolean, lookup: unknown): void {
    if (!table.deleteBy(tuple, lookup)) return;
    this.size--;
    this.epoch++;
    if (table !== this.voidTable && table.size === 0) {
      this.namespaces.delete(table.lookup);
      table.dead = true;
    }
  }

  /** Removes `slot` (found by iteration) from `table`. */
  removeSlot(table: NamespaceTable, slot: HeapSlot): void {
    const tuple = !isPrimitiveKey(slot.key);
    this.remove(table, tuple, tuple ? canonicalTuple(slot.key as unknown[], 0) : slot.key);
  }

  /** Whether an entry last accessed at `ts` has expired at `now` (Flink: ts + ttl <= now). */
  expired(ts: number, now: number): boolean {
    return ts + this.ttl!.ttlMs <= now;
  }

  /** Every slot with its table. Robust to removals while iterating (Map iteration is). */
  *slots(): IterableIterator<readonly [NamespaceTable, HeapSlot]> {
    for (const t of this.namespaces.values()) for (const s of t.values()) yield [t, s];
  }

  /**
   * Incremental TTL cleanup (Flink's TtlIncrementalCleanup): checks the next `cleanupSize`
   * slots of a cursor that walks the whole state round and round, removing what has expired.
   */
  cleanupIncrementally(): void {
    const now = this.clock();
    for (let i = 0; i < this.cleanupSize; i++) {
      let cursor = this.#cleanupCursor;
      if (cursor === undefined) cursor = this.#cleanupCursor = this.slots();
      const step = cursor.next();
      if (step.done === true) {
        this.#cleanupCursor = undefined;
        if (this.size === 0) return;
        continue;
      }
      const [table, slot] = step.value;
      if (this.purgeExpired(slot, now)) this.removeSlot(table, slot);
    }
  }

  /**
   * Drops the expired items of `slot` (LIST elements, MAP entries); true when the whole slot has
   * expired or has no item left (the caller removes it).
   */
  purgeExpired(slot: HeapSlot, now: number): boolean {
    switch (this.meta.kind) {
      case 'LIST': {
        const items = slot.value as TtlItem[];
        const live = items.filter((i) => !this.expired(i.ts, now));
        if (live.length !== items.length) slot.value = live;
        return live.length === 0;
      }
      case 'MAP': {
        const map = slot.value as JsKeyMap<MapItem>;
        for (const [k, item] of map.primitive) if (this.expired(item.ts, now)) map.primitive.delete(k);
        for (const [k, item] of map.tuples) if (this.expired(item.ts, now)) map.tuples.delete(k);
        return map.size === 0;
      }
      default:
        return this.expired(slot.ts, now);
    }
  }

  clearAll(): void {
    for (const t of this.namespaces.values()) if (t !== this.voidTable) t.dead = true;
    this.namespaces.clear();
    this.voidTable.primitive.clear();
    this.voidTable.tuples.clear();
    this.namespaces.set(VOID_NAMESPACE, this.voidTable);
    this.size = 0;
    this.epoch++;
    this.#cleanupCursor = undefined;
  }
}
