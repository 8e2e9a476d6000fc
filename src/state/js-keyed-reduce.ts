/**
 * Flink's `keyBy(keySelector).reduce(fn)` with a JS reduce function, on a {@link JsKeyedState}
 * (so with Flink's key-group layout, snapshots by key-group range).
 *
 * Semantics (Flink's `StreamGroupedReduceOperator`): the first record of a key becomes its
 * accumulated value as is, without calling `fn`; every later record `r` replaces it with
 * `fn(accumulated, r)`. STREAMING emits the accumulated value after every record; BATCH emits
 * only the final value of every key, in the order keys were first seen, at `finish()`.
 * sum/min/max/minBy/maxBy/count/avg belong to the native path (native-keyed-aggregation.ts).
 *
 * Errors: a key selector or reduce function that throws surfaces as `UserFunctionError`
 * (`ERR_USER_FUNCTION`) naming the operator, with what it threw as `cause`; the state is left
 * as it was before that record. A key selector returning null/undefined or an unsupported key,
 * or a reduce function returning null/undefined, is a `TypeError` naming the operator.
 *
 * Depends on: ../errors, ../types, js-keyed-state.
 */

import { errors } from '../errors.js';
import type { TypeInformation } from '../types/type-information.js';
import { JsKeyedState, type JsKey } from './js-keyed-state.js';

/** An output that is never blocked (finish without a limit). */
const NEVER_BLOCKED = Object.freeze({ blocked: 0 });

/** Options of a {@link JsKeyedReduce}. */
export interface JsKeyedReduceOptions<T, K extends JsKey> {
  /** Operator name, for error messages. */
  operatorName: string;
  /** Extracts the key of a record: a string, number, bigint, boolean or an array (tuple) of those. */
  keySelector: (record: T) => K;
  /** Combines the accumulated value of a key with the next record of that key; must not return null/undefined. */
  reduce: (accumulator: T, value: T) => T;
  /** STREAMING emits the new accumulated value per record; BATCH only the finals, at `finish()`. */
  mode: 'STREAMING' | 'BATCH';
  /** Number of key groups (`pipeline.max-parallelism`), 1..32768. */
  maxParallelism: number;
  /** Receives every output record (a JS value; may be the stored accumulator itself, do not mutate it). */
  emit: (record: T) => void;
  /** Type of the keys, for snapshots. Default `Types.GENERIC`. */
  keyType?: TypeInformation<K>;
  /** Type of the records (and accumulated values), for snapshots. Default `Types.GENERIC`. */
  type?: TypeInformation<T>;
}

/** A keyed rolling `reduce(fn)` in JS; see the module comment. */
export class JsKeyedReduce<T, K extends JsKey = JsKey> {
  /** Operator name in error messages. */
  readonly operatorName: string;
  /** STREAMING or BATCH. */
  readonly mode: 'STREAMING' | 'BATCH';
  /** The accumulated value per key. */
  readonly state: JsKeyedState<K, T>;
  readonly #keySelector: (record: T) => K;
  readonly #reduce: (accumulator: T, value: T) => T;
  readonly #emit: (record: T) => void;
  readonly #streaming: boolean;
  #recordsIn = 0;
  #finished = false;
  /** BATCH: the index (first-seen order) of the next final to emit. */
  #finalCursor = 0;

  constructor(options: JsKeyedReduceOptions<T, K>) {
    const { operatorName, keySelector, reduce, mode, emit } = options;
    if (typeof operatorName !== 'string' || operatorName === '') {
      throw errors.invalidArgumentType('operatorName', operatorName, 'expected a non-empty string');
    }
    if (typeof keySelector !== 'function') throw errors.invalidArgumentType('keySelector', keySelector, 'expected a function');
    if (typeof reduce !== 'function') throw errors.invalidArgumentType('reduce', reduce, 'expected a function');
    if (typeof emit !== 'function') throw errors.invalidArgumentType('emit', emit, 'expected a function');
    if (mode !== 'STREAMING' && mode !== 'BATCH') throw errors.argumentOutOfRange('mode', mode, "expected 'STREAMING' or 'BATCH'");
    this.operatorName = operatorName;
    this.mode = mode;
    this.#streaming = mode === 'STREAMING';
    this.#keySelector = keySelector;
    this.#reduce = reduce;
    this.#emit = emit;
    this.state = new JsKeyedState<K, T>({
      maxParallelism: options.maxParallelism,
      keyType: options.keyType,
      valueType: options.type,
      name: `operator '${operatorName}'`,
    });
  }

  /**
   * Reduces one record into its key's accumulated value and returns the new accumulated value;
   * in STREAMING mode also emits it.
   * @throws UserFunctionError if the key selector or reduce function throws; TypeError for a bad key or a null/undefined result.
   */
  process(record: T): T {
    if (this.#finished) throw errors.unsupportedOperation(`Operator '${this.operatorName}': process() after finish()`);
    let key: K;
    try {
      key = this.#keySelector(record);
    } catch (e) {
      throw errors.userFunction(this.operatorName, this.#keySelector.name || 'keySelector', e);
    }
    const state = this.state;
    const entry = state.entry(key); // TypeError naming the operator for null/undefined/unsupported keys
    let acc: T;
    if (entry === undefined) {
      acc = record;
      if (acc == null) throw this.#nullValue('the record');
      state.insert(key, acc);
    } else {
      try {
        acc = this.#reduce(entry.value, record);
      } catch (e) {
        throw errors.userFunction(this.operatorName, this.#reduce.name || 'reduce', e);
      }
      if (acc == null) throw this.#nullValue('the reduce function');
      entry.value = acc;
    }
    this.#recordsIn++;
    if (this.#streaming) this.#emit(acc);
    return acc;
  }

  /**
   * Ends the input: in BATCH mode emits the final accumulated value of every key, in first-seen
   * order (restored keys after the others, in snapshot order), in steps: at most `maxRecords`
   * per call, and none once `output.blocked` is non-zero (checked before each record: the
   * caller's output cannot take more). Returns true when every final is out (later calls do
   * nothing and return true), false when it stopped early: call again to go on from there.
   */
  finish(maxRecords = Number.POSITIVE_INFINITY, output: { readonly blocked: number } = NEVER_BLOCKED): boolean {
    this.#finished = true;
    if (this.#streaming) return true;
    const state = this.state;
    const emit = this.#emit;
    const end = Math.min(state.size, this.#finalCursor + maxRecords);
    let i = this.#finalCursor;
    while (i < end && output.blocked === 0) emit(state.entryAt(i++)!.value);
    this.#finalCursor = i;
    return i === state.size;
  }

  /** The accumulated values of key groups `[keyGroupStart, keyGroupEnd]` (default all) as bytes for `restore`. */
  snapshot(keyGroupStart?: number, keyGroupEnd?: number): Uint8Array {
    return this.state.snapshot(keyGroupStart, keyGroupEnd);
  }

  /** Adds the keys of a snapshot of a reduce with the same maxParallelism and types. @throws CorruptRecordError */
  restore(bytes: Uint8Array): void {
    this.state.restore(bytes);
  }

  /** Keys held, estimated JS heap bytes of the state (not managed memory), records reduced. */
  stats(): { keys: number; memoryBytes: number; recordsIn: number } {
    return { keys: this.state.size, memoryBytes: this.state.memoryBytes, recordsIn: this.#recordsIn };
  }

  #nullValue(what: string): TypeError {
    return new TypeError(
      `Operator '${this.operatorName}': ${what} is null or undefined; a reduce needs a value per record (return the new accumulated value).`,
    );
  }
}
