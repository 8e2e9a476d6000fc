/**
 * Flink's keyed state, as user functions see it: the descriptors that name a state and declare
 * its types (`ValueStateDescriptor`, `ListStateDescriptor`, `MapStateDescriptor`,
 * `ReducingStateDescriptor`, `AggregatingStateDescriptor`) and the state objects
 * `getRuntimeContext().getState(descriptor)` (and getListState, ...) returns.
 *
 * A state object is scoped to the key of the element (or timer) being processed, and to the
 * current namespace (windows; VoidNamespace otherwise): the same object reads and writes another
 * key's value once the operator moves on to another key. Like Flink, reading an absent value
 * gives `null` (ValueState without a default, ReducingState, AggregatingState), an empty
 * iterable (ListState) or an empty map (MapState).
 *
 * Declared types choose where the state lives (keyed-state-backend.ts): a descriptor whose types
 * are all declared (not `Types.GENERIC`) may be kept serialized in the addon's managed memory;
 * undeclared types live on the JS heap.
 *
 * Depends on: ../types, ../errors.
 */
import { errors } from '../errors.js';
import { Types, type TypeInformation } from '../types/type-information.js';
import type { StateTtlConfig } from './state-ttl-config.js';

/** The kinds of keyed state (Flink's StateDescriptor.Type). */
export type StateKind = 'VALUE' | 'LIST' | 'MAP' | 'REDUCING' | 'AGGREGATING';

/** Flink's AggregateFunction: the accumulator of an AggregatingState (and of window aggregations). */
export interface AggregateFunction<IN, ACC, OUT> {
  createAccumulator(): ACC;
  add(value: IN, accumulator: ACC): ACC;
  getResult(accumulator: ACC): OUT;
  merge(a: ACC, b: ACC): ACC;
}

/** What every descriptor has: a name unique within its operator, the kind, the stored type. */
export abstract class StateDescriptor<S extends State = State> {
  abstract readonly kind: StateKind;
  /** The type of what is stored per key (the value, list element, map value or accumulator). */
  readonly type: TypeInformation<unknown>;
  /** Time to live of the entries (`enableTimeToLive`); undefined: they live until cleared. */
  ttlConfig: StateTtlConfig | undefined;
  declare private readonly statePhantom?: S;

  constructor(
    /** Unique within the operator: two descriptors with one name are one state. */
    readonly name: string,
    type: TypeInformation<unknown> | undefined,
  ) {
    if (typeof name !== 'string' || name.length === 0) throw errors.invalidArgumentType('state name', name, 'expected a non-empty string');
    if (type !== undefined && typeof (type as TypeInformation<unknown>).createSerializer !== 'function') {
      throw errors.invalidArgumentType(`type of state '${name}'`, type, 'expected a TypeInformation such as Types.DOUBLE');
    }
    this.type = type ?? Types.GENERIC;
  }

  /** Entries expire after `ttlConfig`'s time to live (Flink's StateDescriptor.enableTimeToLive). */
  enableTimeToLive(ttlConfig: StateTtlConfig): void {
    this.ttlConfig = ttlConfig;
  }
}

export class ValueStateDescriptor<T> extends StateDescriptor<ValueState<T>> {
  readonly kind = 'VALUE';
  /** @param defaultValue what `value()` returns when the key has none (deprecated in Flink; kept for ports). */
  constructor(name: string, type?: TypeInformation<T>, readonly defaultValue: T | null = null) {
    super(name, type);
  }
}

export class ListStateDescriptor<T> extends StateDescriptor<ListState<T>> {
  readonly kind = 'LIST';
  /** @param elementType the type of one list element. */
  constructor(name: string, elementType?: TypeInformation<T>) {
    super(name, elementType);
  }
}

export class MapStateDescriptor<UK, UV> extends StateDescriptor<MapState<UK, UV>> {
  readonly kind = 'MAP';
  readonly keyType: TypeInformation<unknown>;
  constructor(name: string, keyType?: TypeInformation<UK>, valueType?: TypeInformation<UV>) {
    super(name, valueType);
    this.keyType = keyType ?? Types.GENERIC;
  }
}

export class ReducingStateDescriptor<T> extends StateDescriptor<ReducingState<T>> {
  readonly kind = 'REDUCING';
  constructor(name: string, readonly reduceFunction: (a: T, b: T) => T, type?: TypeInformation<T>) {
    super(name, type);
    if (typeof reduceFunction !== 'function') throw errors.invalidArgumentType(`reduce function of state '${name}'`, reduceFunction, 'expected a function');
  }
}

export class AggregatingStateDescriptor<IN, ACC, OUT> extends StateDescriptor<AggregatingState<IN, OUT>> {
  readonly kind = 'AGGREGATING';
  /** @param accumulatorType the type of the accumulator (what is stored). */
  constructor(name: string, readonly aggregateFunction: AggregateFunction<IN, ACC, OUT>, accumulatorType?: TypeInformation<ACC>) {
    super(name, accumulatorType);
    if (typeof aggregateFunction?.createAccumulator !== 'function' || typeof aggregateFunction.add !== 'function' || typeof aggregateFunction.getResult !== 'function') {
      throw errors.invalidArgumentType(`aggregate function of state '${name}'`, aggregateFunction, 'expected an object with createAccumulator, add, getResult and merge');
    }
  }
}

/** Every state object: `clear()` removes the current key's entry (in the current namespace). */
export interface State {
  clear(): void;
}

export interface ValueState<T> extends State {
  /** The current key's value, or the descriptor's default (null) when it has none. */
  value(): T | null;
  /** Sets the current key's value; `null`/`undefined` clears it, as in Flink. */
  update(value: T | null | undefined): void;
}

/** Flink's AppendingState: `get()` reads, `add()` folds one element in. */
export interface AppendingState<IN, OUT> extends State {
  get(): OUT;
  add(value: IN): void;
}

export interface ListState<T> extends AppendingState<T, Iterable<T>> {
  /** Appends every element of `values`. */
  addAll(values: Iterable<T>): void;
  /** Replaces the list (an empty `values` clears it). */
  update(values: Iterable<T>): void;
}

export interface ReducingState<T> extends AppendingState<T, T | null> {}

export interface AggregatingState<IN, OUT> extends AppendingState<IN, OUT | null> {}

export interface MapState<UK, UV> extends State {
  /** The value of `key`, or null. */
  get(key: UK): UV | null;
  put(key: UK, value: UV): void;
  putAll(entries: Iterable<readonly [UK, UV]>): void;
  remove(key: UK): void;
  contains(key: UK): boolean;
  entries(): Iterable<[UK, UV]>;
  keys(): Iterable<UK>;
  values(): Iterable<UV>;
  isEmpty(): boolean;
}
