/**
 * Keyed value state held as JS values, for what the native keyed state cannot take: `reduce(fn)`
 * with a JS function, GENERIC values, keys the native path does not encode. It uses the same
 * key-group layout as the native state: every key belongs to key group
 * `assignToKeyGroup(key, maxParallelism)` (Flink's `KeyGroupRangeAssignment`), computed once when
 * the key is first put, and a snapshot covers an inclusive key-group range, so the state of one
 * range can move to another subtask exactly like Flink's keyed state.
 *
 * ## Keys
 * The key rules of js-key.ts: primitives, and tuples compared by value. Lookup cost: primitive
 * keys (the common case) go straight into one `Map` with no allocation; a tuple key is first
 * turned into its canonical string and lives in a second map. A tuple key is copied when first
 * stored. null/undefined keys and unsupported types throw `TypeError`s naming the state.
 *
 * ## Order, snapshots, memory
 * Entries are kept in first-seen order (BATCH emission order); `restore` appends the restored
 * entries in the snapshot's order. Snapshots use the declared key and value `TypeInformation`
 * serializers (GENERIC when undeclared) in the format of js-keyed-state-snapshot.ts.
 * `memoryBytes` is an estimate only; unlike the native state, this state lives on the JS heap
 * and is not charged to managed memory (`taskmanager.memory.managed.size`).
 *
 * Not thread-safe; one state per operator instance.
 *
 * Depends on: ./js-key, ../errors, ../io/key-hash, ../io/key-group-assignment, ../types.
 */

import { describeValue, errors } from '../errors.js';
import { javaHashCode } from '../io/key-hash.js';
import { murmurHash, UPPER_BOUND_MAX_PARALLELISM } from '../io/key-group-assignment.js';
import { Types, type TypeInformation } from '../types/type-information.js';
import type { TypeSerializer } from '../types/type-serializer.js';
import { estimateBytes } from './estimate-heap-bytes.js';
import { badKeyError, canonicalTuple, copyTuple, MAX_KEY_DEPTH, type JsKey, type JsKeyField } from './js-key.js';
import { readSnapshot, writeSnapshot } from './js-keyed-state-snapshot.js';

export type { JsKey, JsKeyField } from './js-key.js';

/** Options of a {@link JsKeyedState}. */
export interface JsKeyedStateOptions<K, V> {
  /** Number of key groups (`pipeline.max-parallelism`), an integer from 1 to 32768. */
  maxParallelism: number;
  /** Type of the keys, for snapshots. Default `Types.GENERIC`. */
  keyType?: TypeInformation<K>;
  /** Type of the values, for snapshots. Default `Types.GENERIC`. */
  valueType?: TypeInformation<V>;
  /** Name used in error messages, normally the operator's. Default `'keyed state'`. */
  name?: string;
}

/**
 * One key's slot. `value` may be reassigned in place (the read-modify-write path of
 * {@link JsKeyedState.entry}); `key` and `keyGroup` are fixed.
 */
export class JsKeyedEntry<K, V> {
  constructor(
    /** The key as first stored (tuples: a private copy). */
    readonly key: K,
    /** `assignToKeyGroup(key, maxParallelism)`. */
    readonly keyGroup: number,
    /** The current value. */
    public value: V,
  ) {}
}

/** Estimated bytes per entry besides key and value: the entry object, its Map slot and order slot. */
const ENTRY_OVERHEAD_BYTES = 96;
/** Values sampled by `memoryBytes` to estimate the average value size. */
const VALUE_SAMPLES = 32;

/** Map-based keyed value state with Flink's key-group layout; see the module comment. */
export class JsKeyedState<K extends JsKey, V> {
  /** Number of key groups. */
  readonly maxParallelism: number;
  /** Name in error messages. */
  readonly name: string;
  readonly #keySerializer: TypeSerializer<K>;
  readonly #valueSerializer: TypeSerializer<V>;
  /** Entries of string, number, bigint and boolean keys. */
  readonly #primitive = new Map<unknown, JsKeyedEntry<K, V>>();
  /** Entries of tuple keys, by canonical string. */
  readonly #tuples = new Map<string, JsKeyedEntry<K, V>>();
  /** All entries, first-seen order. */
  readonly #order: JsKeyedEntry<K, V>[] = [];
  /** Estimated bytes of all keys (values are sampled on demand). */
  #keyBytes = 0;
  /**
   * The tuple key `entry` canonicalised last, so an `insert` of the same array right after it
   * (the read-modify-write path) does not canonicalise again. Consumed (cleared) by `insert`,
   * and `entry` always recomputes, so a key selector reusing one mutated scratch array is safe.
   */
  #lastTuple: unknown = undefined;
  #lastCanonical = '';

  constructor(options: JsKeyedStateOptions<K, V>) {
    const { maxParallelism } = options;
    if (!Number.isInteger(maxParallelism) || maxParallelism < 1 || maxParallelism > UPPER_BOUND_MAX_PARALLELISM) {
      throw errors.argumentOutOfRange('maxParallelism', maxParallelism, `expected an integer from 1 to ${UPPER_BOUND_MAX_PARALLELISM}`);
    }
    this.maxParallelism = maxParallelism;
    this.name = options.name ?? 'keyed state';
    this.#keySerializer = (options.keyType ?? (Types.GENERIC as TypeInformation<K>)).createSerializer();
    this.#valueSerializer = (options.valueType ?? (Types.GENERIC as TypeInformation<V>)).createSerializer();
  }

  /** Number of keys held. */
  get size(): number {
    return this.#order.length;
  }

  /** The value of `key`, or undefined when absent. @throws TypeError for an unsupported key. */
  get(key: K): V | undefined {
    return this.entry(key)?.value;
  }

  /** Whether `key` has a value. @throws TypeError for an unsupported key. */
  has(key: K): boolean {
    return this.entry(key) !== undefined;
  }

  /** Sets the value of `key`, adding the key (last in order) if absent. @throws TypeError for an unsupported key. */
  put(key: K, value: V): void {
    const e = this.entry(key);
    if (e !== undefined) e.value = value;
    else this.insert(key, value);
  }

  /** Key group of `key` if present, else undefined. */
  keyGroupOf(key: K): number | undefined {
    return this.entry(key)?.keyGroup;
  }

  /**
   * The entry of `key`, or undefined: the hot path for read-modify-write (assign `entry.value`),
   * one lookup instead of `get` + `put`. @throws TypeError for an unsupported key.
   */
  entry(key: K): JsKeyedEntry<K, V> | undefined {
    const t = typeof key;
    if (t === 'string' || t === 'number' || t === 'bigint' || t === 'boolean') return this.#primitive.get(key);
    const canonical = this.#canonical(key);
    this.#lastTuple = key;
    this.#lastCanonical = canonical;
    return this.#tuples.get(canonical);
  }

  /**
   * Adds `key` with `value` after checking it is absent; returns the new entry. Do not mutate a
   * tuple key between `entry(key)` and `insert(key)`: insert reuses the canonical form `entry`
   * just computed for the same array.
   * @throws TypeError for an unsupported key; StromError `ERR_UNSUPPORTED_OPERATION` if present.
   */
  insert(key: K, value: V): JsKeyedEntry<K, V> {
    const t = typeof key;
    let e: JsKeyedEntry<K, V>;
    if (t === 'string' || t === 'number' || t === 'bigint' || t === 'boolean') {
      if (this.#primitive.has(key)) throw this.#present(key);
      e = new JsKeyedEntry(key, this.#keyGroup(key), value);
      this.#primitive.set(key, e);
      this.#keyBytes += estimateBytes(key, 2);
    } else {
      const canonical = key === this.#lastTuple ? this.#lastCanonical : this.#canonical(key);
      this.#lastTuple = undefined;
      if (this.#tuples.has(canonical)) throw this.#present(key);
      e = new JsKeyedEntry(copyTuple(key as readonly JsKeyField[]) as unknown as K, this.#keyGroup(key), value);
      this.#tuples.set(canonical, e);
      this.#keyBytes += estimateBytes(key, MAX_KEY_DEPTH) + 16 + 2 * canonical.length;
    }
    this.#order.push(e);
    return e;
  }

  /** The entry at `index` of first-seen order (0 to `size - 1`), or undefined; a cursor for emitting in steps. */
  entryAt(index: number): JsKeyedEntry<K, V> | undefined {
    return this.#order[index];
  }

  /** All entries in first-seen order (restored ones in snapshot order after the earlier ones). */
  entries(): IterableIterator<JsKeyedEntry<K, V>> {
    return this.#order.values();
  }

  /**
   * The entries of key groups `[keyGroupStart, keyGroupEnd]` (inclusive; default all,
   * `0..maxParallelism-1`) as bytes for {@link restore}, in first-seen order.
   * @throws RangeError for a bad range; SerializationError if a key or value does not fit its declared type.
   */
  snapshot(keyGroupStart = 0, keyGroupEnd = this.maxParallelism - 1): Uint8Array {
    const maxP = this.maxParallelism;
    if (!Number.isInteger(keyGroupStart) || keyGroupStart < 0 || keyGroupStart >= maxP) {
      throw errors.argumentOutOfRange('keyGroupStart', keyGroupStart, `expected an integer from 0 to ${maxP - 1}`);
    }
    if (!Number.isInteger(keyGroupEnd) || keyGroupEnd < keyGroupStart - 1 || keyGroupEnd >= maxP) {
      throw errors.argumentOutOfRange('keyGroupEnd', keyGroupEnd, `expected an integer from keyGroupStart - 1 (${keyGroupStart - 1}) to ${maxP - 1}`);
    }
    return writeSnapshot(
      { maxParallelism: maxP, keyGroupStart, keyGroupEnd },
      this.#keySerializer,
      this.#valueSerializer,
      this.#order,
    );
  }

  /**
   * Adds the entries of a snapshot taken from a state with the same maxParallelism and key and
   * value types, after the current ones, in snapshot order. All or nothing: the whole snapshot
   * is decoded and checked (every key supported, in its recorded key group, not already held)
   * before the state changes.
   * @throws CorruptRecordError for corrupt, truncated or incompatible bytes, or a key already held.
   */
  restore(bytes: Uint8Array): void {
    const { entries } = readSnapshot(bytes, this.maxParallelism, this.#keySerializer, this.#valueSerializer);
    const freshPrimitives = new Set<unknown>();
    const freshTuples = new Set<string>();
    for (let i = 0; i < entries.length; i++) {
      const { key, keyGroup } = entries[i]!;
      const t = typeof key;
      const primitive = t === 'string' || t === 'number' || t === 'bigint' || t === 'boolean';
      const canonical = primitive || !Array.isArray(key) ? null : canonicalTuple(key, 0);
      if (!primitive && canonical === null) {
        throw errors.corruptRecord(`invalid JS keyed state snapshot: entry ${i} has an unsupported key`);
      }
      const expected = this.#keyGroup(key);
      if (keyGroup !== expected) {
        throw errors.corruptRecord(`invalid JS keyed state snapshot: entry ${i} is in key group ${keyGroup}, its key belongs to ${expected}`);
      }
      const duplicate = primitive
        ? freshPrimitives.has(key) || this.#primitive.has(key)
        : freshTuples.has(canonical!) || this.#tuples.has(canonical!);
      if (duplicate) {
        throw errors.corruptRecord(
          `invalid JS keyed state snapshot: the key of entry ${i} is already in ${this.name} (overlapping key-group ranges restored?)`,
        );
      }
      if (primitive) freshPrimitives.add(key);
      else freshTuples.add(canonical!);
    }
    for (const { key, value } of entries) this.insert(key, value);
  }

  /**
   * Approximate bytes of JS heap the state holds: a fixed overhead per entry, the estimated size
   * of every key (tracked as keys are added) and the average estimated size of up to 32 sampled
   * values times the number of entries. An estimate for metrics and tuning; not charged to
   * managed memory. O(1) in the number of keys.
   */
  get memoryBytes(): number {
    const n = this.#order.length;
    if (n === 0) return 0;
    const step = Math.max(1, Math.floor(n / VALUE_SAMPLES));
    let sampled = 0;
    let valueBytes = 0;
    for (let i = 0; i < n && sampled < VALUE_SAMPLES; i += step, sampled++) valueBytes += estimateBytes(this.#order[i]!.value, 4);
    return n * ENTRY_OVERHEAD_BYTES + this.#keyBytes + Math.round((valueBytes / sampled) * n);
  }

  /** Removes every key. */
  clear(): void {
    this.#primitive.clear();
    this.#tuples.clear();
    this.#order.length = 0;
    this.#keyBytes = 0;
    this.#lastTuple = undefined;
  }

  #keyGroup(key: unknown): number {
    return murmurHash(javaHashCode(key)) % this.maxParallelism;
  }

  /** Canonical string of a tuple key; throws the TypeError for any other non-primitive key. */
  #canonical(key: unknown): string {
    if (!Array.isArray(key)) throw this.#badKey(key);
    const s = canonicalTuple(key, 0);
    if (s === null) throw this.#badKey(key);
    return s;
  }

  #badKey(key: unknown): TypeError {
    return badKeyError(this.name, key);
  }

  #present(key: unknown): Error {
    return errors.unsupportedOperation(`${this.name}: insert of key ${describeValue(key)}, which is already present; use entry() or put()`);
  }
}
