/**
 * Flink's rolling aggregations in JS, for keyed streams the native state cannot take: keys from a
 * selector function, or records without a declared type. Built, as in Flink (SumAggregator,
 * ComparableAggregator), as reduce functions over the JS keyed state; count and avg reduce over
 * small accumulator tuples. Same semantics as native/core/keyed_aggregation.h.
 */
import { errors } from '../errors.js';
import type { AggregationKind } from './aggregation-kind.js';
import { javaCompare } from './java-compare.js';
import { JsKeyedReduce } from './js-keyed-reduce.js';
import type { JsKey } from './js-keyed-state.js';

export interface JsKeyedAggregationOptions {
  operatorName: string;
  aggregation: AggregationKind;
  /** The aggregated field: a tuple position or a row field name (not used by count). */
  field: number | string | undefined;
  keySelector: (record: unknown) => JsKey;
  mode: 'STREAMING' | 'BATCH';
  maxParallelism: number;
  emit: (record: unknown) => void;
}

type Record_ = Record<string | number, unknown>;

/** A keyed rolling aggregation over JS values. */
export class JsKeyedAggregation {
  readonly #reduce: JsKeyedReduce<unknown, JsKey>;
  readonly #prepare: (record: unknown) => unknown;

  constructor(options: JsKeyedAggregationOptions) {
    const { aggregation, field, keySelector, emit } = options;
    const f = field as string | number;
    const value = (record: unknown): number | bigint => {
      const v = (record as Record_)[f];
      if (typeof v !== 'number' && typeof v !== 'bigint') {
        throw errors.invalidArgumentType(`${aggregation} field ${String(field)} of operator '${options.operatorName}'`, v, 'expected a number or a bigint');
      }
      return v;
    };
    const withField = (record: unknown, v: unknown): unknown => {
      const copy = Array.isArray(record) ? record.slice() : { ...(record as object) };
      (copy as Record_)[f] = v;
      return copy;
    };
    let reduce: (acc: unknown, v: unknown) => unknown;
    let key = keySelector;
    let output = emit;
    this.#prepare = (record) => record;
    switch (aggregation) {
      case 'sum':
        reduce = (acc, r) => {
          const a = value(acc);
          const b = value(r);
          return withField(acc, typeof a === 'bigint' ? BigInt.asIntN(64, a + (b as bigint)) : (a as number) + (b as number));
        };
        break;
      case 'min':
        reduce = (acc, r) => (javaCompare(value(r), value(acc)) < 0 ? withField(acc, value(r)) : acc);
        break;
      case 'max':
        reduce = (acc, r) => (javaCompare(value(r), value(acc)) > 0 ? withField(acc, value(r)) : acc);
        break;
      case 'minBy':
        reduce = (acc, r) => (javaCompare(value(r), value(acc)) < 0 ? r : acc);
        break;
      case 'maxBy':
        reduce = (acc, r) => (javaCompare(value(r), value(acc)) > 0 ? r : acc);
        break;
      case 'count':
        // Accumulator [key, count]; the key selector then reads the prepared tuple's key.
        this.#prepare = (record) => [keySelector(record), 1];
        key = (acc) => (acc as [JsKey, number])[0];
        reduce = (acc, r) => [(acc as [JsKey, number])[0], (acc as [JsKey, number])[1] + (r as [JsKey, number])[1]];
        break;
      case 'avg':
        this.#prepare = (record) => [keySelector(record), Number(value(record)), 1];
        key = (acc) => (acc as [JsKey, number, number])[0];
        reduce = (acc, r) => {
          const a = acc as [JsKey, number, number];
          const b = r as [JsKey, number, number];
          return [a[0], a[1] + b[1], a[2] + b[2]];
        };
        output = (acc) => {
          const a = acc as [JsKey, number, number];
          emit([a[0], a[1] / a[2]]);
        };
        break;
      default:
        throw errors.argumentOutOfRange('aggregation', aggregation, 'expected sum, min, max, minBy, maxBy, count or avg');
    }
    this.#reduce = new JsKeyedReduce<unknown, JsKey>({
      operatorName: options.operatorName,
      keySelector: key,
      reduce,
      mode: options.mode,
      maxParallelism: options.maxParallelism,
      emit: output,
    });
  }

  /** Aggregates one record (emitting the update in STREAMING mode). */
  process(record: unknown): void {
    this.#reduce.process(this.#prepare(record));
  }

  /**
   * BATCH: emits each key's final aggregate, in first-seen order, in steps as
   * {@link JsKeyedReduce.finish} does; true once all are out.
   */
  finish(maxRecords?: number, output?: { readonly blocked: number }): boolean {
    return this.#reduce.finish(maxRecords, output);
  }

  snapshot(keyGroupStart?: number, keyGroupEnd?: number): Uint8Array {
    return this.#reduce.snapshot(keyGroupStart, keyGroupEnd);
  }

  restore(bytes: Uint8Array): void {
    this.#reduce.restore(bytes);
  }

  stats(): { keys: number; memoryBytes: number; recordsIn: number } {
    return this.#reduce.stats();
  }
}
