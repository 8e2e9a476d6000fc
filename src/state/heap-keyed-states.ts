/**
 * The state objects of the heap keyed state backend (heap-keyed-state-backend.ts), one class per
 * kind of state-descriptor.ts, with Flink's semantics (HeapValueState, HeapListState, ...
 * wrapped by Flink's TtlValueState, TtlListState, ... when TTL is on).
 *
 * Hot path: a state object caches the table of its current namespace and reads the backend's
 * current key lookup (computed once per setCurrentKey), so `value()` and `update()` of a
 * primitive key in VOID_NAMESPACE are one Map lookup and no allocation (updating an existing
 * key writes its slot in place). TTL work runs only for states with TTL.
 *
 * TTL (Flink's semantics): an entry (LIST: an element; MAP: a user key) expires `ttlMs` after it
 * was written (OnReadAndWrite: or read). Reading an expired entry removes it and returns it only
 * with ReturnExpiredIfNotCleanedUp. Every access of a TTL state with incremental cleanup checks
 * `cleanupSize` more entries of the whole state for expiry.
 *
 * Depends on: ./heap-state-table, ./js-key, ./keyed-state-backend, ./state-descriptor, ../errors.
 */

import { errors } from '../errors.js';
import { HeapSlot, JsKeyMap, type HeapStateTable, type MapItem, type NamespaceTable, type TtlItem } from './heap-state-table.js';
import { copyTuple, type JsKeyField } from './js-key.js';
import { VOID_NAMESPACE, type InternalKvState } from './keyed-state-backend.js';
import type {
  AggregateFunction,
  AggregatingState,
  ListState,
  MapState,
  ReducingState,
  ValueState,
} from './state-descriptor.js';

/** The backend's current key, as state objects read it. */
export class CurrentKey {
  /** The key as given to setCurrentKey. */
  key: unknown = undefined;
  keyGroup = -1;
  /** The key is a tuple: `lookup` is its canonical string. */
  tuple = false;
  /** What the key tables are looked up by. */
  lookup: unknown = undefined;
}

const EMPTY: readonly never[] = Object.freeze([]);

/** What every heap state object shares: the current namespace and slot lookup. */
abstract class HeapKvState implements InternalKvState<unknown> {
  #table: NamespaceTable | undefined;
  #namespace: unknown = VOID_NAMESPACE;
  #namespaceLookup: unknown = VOID_NAMESPACE;
  #lastLookup: unknown = undefined;
  #lastTuple = false;
  #lastTable: NamespaceTable | undefined = undefined;
  #lastEpoch = -1;
  #lastSlot: HeapSlot | undefined = undefined;

  constructor(
    protected readonly current: CurrentKey,
    protected readonly store: HeapStateTable,
  ) {
    this.#table = store.voidTable;
  }

  setCurrentNamespace(namespace: unknown): void {
    if (namespace === this.#namespace) return;
    this.#namespaceLookup = this.store.namespaceLookup(namespace);
    this.#namespace = namespace;
    this.#table = this.store.namespaces.get(this.#namespaceLookup);
  }

  clear(): void {
    const t = this.table(false);
    if (t !== undefined) this.store.remove(t, this.current.tuple, this.current.lookup);
  }

  /** The current namespace's table (created when `create`). */
  protected table(create: boolean): NamespaceTable | undefined {
    let t = this.#table;
    if (t === undefined || t.dead) t = this.#table = this.store.table(this.#namespaceLookup, this.#namespace, create);
    return t;
  }

  /** The current key's slot in the current namespace, or undefined. */
  protected slot(): HeapSlot | undefined {
    const t = this.table(false);
    if (t === undefined) return undefined;
    const c = this.current;
    // Read-modify-write (value() then update()) finds the slot once: the last slot found is
    // reused while key, table and the store's removal epoch are unchanged.
    if (c.lookup === this.#lastLookup && c.tuple === this.#lastTuple && t === this.#lastTable && this.store.epoch === this.#lastEpoch) return this.#lastSlot;
    const slot = c.tuple ? t.tuples.get(c.lookup as string) : t.primitive.get(c.lookup);
    if (slot !== undefined) this.#remember(t, slot);
    return slot;
  }

  #remember(t: NamespaceTable, slot: HeapSlot): void {
    this.#lastLookup = this.current.lookup;
    this.#lastTuple = this.current.tuple;
    this.#lastTable = t;
    this.#lastEpoch = this.store.epoch;
    this.#lastSlot = slot;
  }

  /** Adds a slot for the current key holding `value`. */
  protected insert(value: unknown, ts: number): HeapSlot {
    const t = this.table(true)!;
    const c = this.current;
    const key = c.tuple ? copyTuple(c.key as readonly JsKeyField[]) : c.key;
    const slot = new HeapSlot(key, c.keyGroup, value, ts);
    t.setBy(c.tuple, c.lookup, slot);
    this.store.size++;
    this.#remember(t, slot);
    return slot;
  }

  protected removeCurrent(): void {
    const t = this.table(false);
    if (t !== undefined) this.store.remove(t, this.current.tuple, this.current.lookup);
  }

  /** TTL bookkeeping of one access: runs the incremental cleanup; returns the clock. */
  protected ttlAccess(): number {
    if (this.store.cleanupSize > 0) this.store.cleanupIncrementally();
    return this.store.clock();
  }

  /**
   * The live slot of a single-value state (VALUE, REDUCING, AGGREGATING) under TTL: an expired
   * slot is removed, and returned only when `returnExpired` and the visibility allows it.
   */
  protected ttlSlot(now: number, forRead: boolean): HeapSlot | undefined {
    const slot = this.slot();
    if (slot === undefined) return undefined;
    const ttl = this.store.ttl!;
    if (this.store.expired(slot.ts, now)) {
      this.removeCurrent();
      return forRead && ttl.stateVisibility === 'ReturnExpiredIfNotCleanedUp' ? slot : undefined;
    }
    if (forRead && ttl.updateType === 'OnReadAndWrite') slot.ts = now;
    return slot;
  }
}

export class HeapValueState<T> extends HeapKvState implements ValueState<T>, InternalKvState<unknown> {
  constructor(
    current: CurrentKey,
    store: HeapStateTable,
    private readonly defaultValue: T | null,
  ) {
    super(current, store);
  }

  value(): T | null {
    if (this.store.ttl !== undefined) {
      const slot = this.ttlSlot(this.ttlAccess(), true);
      return slot === undefined ? this.defaultValue : (slot.value as T);
    }
    const slot = this.slot();
    return slot === undefined ? this.defaultValue : (slot.value as T);
  }

  update(value: T | null | undefined): void {
    if (value === null || value === undefined) {
      this.clear();
      return;
    }
    const ts = this.store.ttl !== undefined ? this.ttlAccess() : 0;
    const slot = this.slot();
    if (slot === undefined) this.insert(value, ts);
    else {
      slot.value = value;
      slot.ts = ts;
    }
  }
}

/** REDUCING and AGGREGATING: `add` folds a value into what is stored (Flink's heap appending states). */
abstract class HeapFoldingState<IN> extends HeapKvState {
  /** What is stored for a key's first value. */
  protected abstract first(value: IN): unknown;
  /** What is stored after `value` is folded into `stored`. */
  protected abstract fold(stored: unknown, value: IN): unknown;

  /** Folds `value` in; `null`/`undefined` clears, as Flink's heap state. */
  add(value: IN): void {
    if (value === null || value === undefined) {
      this.clear();
      return;
    }
    const ttl = this.store.ttl !== undefined;
    const now = ttl ? this.ttlAccess() : 0;
    const slot = ttl ? this.ttlSlot(now, false) : this.slot();
    if (slot === undefined) this.insert(this.first(value), now);
    else {
      slot.value = this.fold(slot.value, value);
      slot.ts = now;
    }
  }

  /** The stored value of the current key, TTL applied. */
  protected stored(): HeapSlot | undefined {
    return this.store.ttl !== undefined ? this.ttlSlot(this.ttlAccess(), true) : this.slot();
  }
}

export class HeapReducingState<T> extends HeapFoldingState<T> implements ReducingState<T>, InternalKvState<unknown> {
  constructor(
    current: CurrentKey,
    store: HeapStateTable,
    private readonly reduce: (a: T, b: T) => T,
  ) {
    super(current, store);
  }

  get(): T | null {
    return (this.stored()?.value as T | undefined) ?? null;
  }
  protected first(value: T): unknown {
    return value;
  }
  protected fold(stored: unknown, value: T): unknown {
    return this.reduce(stored as T, value);
  }
}

export class HeapAggregatingState<IN, ACC, OUT> extends HeapFoldingState<IN> implements AggregatingState<IN, OUT>, InternalKvState<unknown> {
  constructor(
    current: CurrentKey,
    store: HeapStateTable,
    private readonly fn: AggregateFunction<IN, ACC, OUT>,
  ) {
    super(current, store);
  }

  get(): OUT | null {
    const slot = this.stored();
    return slot === undefined ? null : this.fn.getResult(slot.value as ACC);
  }
  protected first(value: IN): unknown {
    return this.fn.add(value, this.fn.createAccumulator());
  }
  protected fold(stored: unknown, value: IN): unknown {
    return this.fn.add(value, stored as ACC);
  }
}

export class HeapListState<T> extends HeapKvState implements ListState<T>, InternalKvState<unknown> {
  /**
   * The current key's elements in order; empty when none. Without TTL this is the stored list
   * itself, as Flink's heap backend returns it: read it before the next write to this state.
   */
  get(): Iterable<T> {
    if (this.store.ttl === undefined) return (this.slot()?.value as T[] | undefined) ?? EMPTY;
    const now = this.ttlAccess();
    const slot = this.slot();
    if (slot === undefined) return EMPTY;
    const ttl = this.store.ttl;
    const items = slot.value as TtlItem[];
    const out: T[] = [];
    const live: TtlItem[] = [];
    const refresh = ttl.updateType === 'OnReadAndWrite';
    const returnExpired = ttl.stateVisibility === 'ReturnExpiredIfNotCleanedUp';
    for (const item of items) {
      if (this.store.expired(item.ts, now)) {
        if (returnExpired) out.push(item.value as T);
        continue;
      }
      if (refresh) item.ts = now;
      live.push(item);
      out.push(item.value as T);
    }
    if (live.length === 0) this.removeCurrent();
    else if (live.length !== items.length) slot.value = live;
    return out;
  }

  add(value: T): void {
    this.addAll([value]);
  }

  addAll(values: Iterable<T>): void {
    const fresh = this.#checked(values, 'addAll');
    if (fresh.length === 0) return;
    const ttl = this.store.ttl !== undefined;
    const now = ttl ? this.ttlAccess() : 0;
    const slot = this.slot();
    const items: unknown[] = ttl ? fresh.map((value) => ({ value, ts: now })) : fresh;
    if (slot === undefined) this.insert(items, 0);
    else for (const i of items) (slot.value as unknown[]).push(i);
  }

  update(values: Iterable<T>): void {
    const fresh = this.#checked(values, 'update');
    this.removeCurrent();
    if (fresh.length === 0) return;
    const now = this.store.ttl !== undefined ? this.ttlAccess() : 0;
    this.insert(this.store.ttl !== undefined ? fresh.map((value) => ({ value, ts: now })) : fresh, 0);
  }

  /** A fresh array of `values`, refusing null elements and a null list as Flink does. */
  #checked(values: Iterable<T>, method: string): T[] {
    if (values === null || values === undefined || typeof (values as Iterable<T>)[Symbol.iterator] !== 'function') {
      throw errors.invalidArgumentType(`ListState.${method} of state '${this.store.name}'`, values, 'expected an iterable of elements (an empty one clears with update)');
    }
    const out = Array.from(values);
    for (const v of out) {
      if (v === null || v === undefined) throw errors.invalidArgumentType(`element added to ListState '${this.store.name}'`, v, 'a list state cannot hold null or undefined');
    }
    return out;
  }
}

export class HeapMapState<UK, UV> extends HeapKvState implements MapState<UK, UV>, InternalKvState<unknown> {
  get(key: UK): UV | null {
    const item = this.#item(key, true);
    return item === undefined ? null : (item.value as UV);
  }

  contains(key: UK): boolean {
    return this.#item(key, true) !== undefined;
  }

  put(key: UK, value: UV): void {
    const lookup = JsKeyMap.lookupOf(key, `map state '${this.store.name}'`);
    const now = this.store.ttl !== undefined ? this.ttlAccess() : 0;
    const slot = this.slot() ?? this.insert(new JsKeyMap<MapItem>(), 0);
    const map = slot.value as JsKeyMap<MapItem>;
    const tuple = typeof lookup === 'string' && lookup !== key;
    const item = map.getBy(tuple, lookup);
    if (item !== undefined) {
      item.value = value;
      item.ts = now;
    } else map.setBy(tuple, lookup, { key: tuple ? copyTuple(key as readonly JsKeyField[]) : key, value, ts: now });
  }

  putAll(entries: Iterable<readonly [UK, UV]>): void {
    for (const [k, v] of entries) this.put(k, v);
  }

  remove(key: UK): void {
    const lookup = JsKeyMap.lookupOf(key, `map state '${this.store.name}'`);
    if (this.store.ttl !== undefined) this.ttlAccess();
    const slot = this.slot();
    if (slot === undefined) return;
    const map = slot.value as JsKeyMap<MapItem>;
    map.deleteBy(typeof lookup === 'string' && lookup !== key, lookup);
    if (map.size === 0) this.removeCurrent();
  }

  entries(): Iterable<[UK, UV]> {
    return this.#live().map((i) => [i.key as UK, i.value as UV]);
  }
  keys(): Iterable<UK> {
    return this.#live().map((i) => i.key as UK);
  }
  values(): Iterable<UV> {
    return this.#live().map((i) => i.value as UV);
  }
  isEmpty(): boolean {
    return this.#live().length === 0;
  }

  /** The item of `key`, with TTL applied (an expired item is removed). */
  #item(key: UK, forRead: boolean): MapItem | undefined {
    const lookup = JsKeyMap.lookupOf(key, `map state '${this.store.name}'`);
    const ttl = this.store.ttl;
    const now = ttl !== undefined ? this.ttlAccess() : 0;
    const slot = this.slot();
    if (slot === undefined) return undefined;
    const map = slot.value as JsKeyMap<MapItem>;
    const tuple = typeof lookup === 'string' && lookup !== key;
    const item = map.getBy(tuple, lookup);
    if (item === undefined || ttl === undefined) return item;
    if (this.store.expired(item.ts, now)) {
      map.deleteBy(tuple, lookup);
      if (map.size === 0) this.removeCurrent();
      return ttl.stateVisibility === 'ReturnExpiredIfNotCleanedUp' ? item : undefined;
    }
    if (forRead && ttl.updateType === 'OnReadAndWrite') item.ts = now;
    return item;
  }

  /** A copy of the current key's items in insertion order (primitive user keys first), with TTL applied. */
  #live(): MapItem[] {
    const ttl = this.store.ttl;
    const now = ttl !== undefined ? this.ttlAccess() : 0;
    const slot = this.slot();
    if (slot === undefined) return [];
    const map = slot.value as JsKeyMap<MapItem>;
    const all = [...map.values()];
    if (ttl === undefined) return all;
    const out: MapItem[] = [];
    for (const item of all) {
      if (this.store.expired(item.ts, now)) {
        map.deleteBy(Array.isArray(item.key), JsKeyMap.lookupOf(item.key, this.store.name));
        if (ttl.stateVisibility === 'ReturnExpiredIfNotCleanedUp') out.push(item);
        continue;
      }
      if (ttl.updateType === 'OnReadAndWrite') item.ts = now;
      out.push(item);
    }
    if (map.size === 0) this.removeCurrent();
    return out;
  }
}
