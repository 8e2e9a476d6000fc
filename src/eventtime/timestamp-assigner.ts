/**
 * Extracts a record's event timestamp (Flink's TimestampAssigner): epoch milliseconds, a safe
 * integer. `recordTimestamp` is the timestamp the record already carries (from its source or an
 * earlier assigner), or NO_TIMESTAMP (-Infinity; Flink's Long.MIN_VALUE) when it has none.
 *
 * A plain function `(element, recordTimestamp) => number` works wherever an assigner is expected
 * (Flink's SerializableTimestampAssigner lambda).
 */
import { errors } from '../errors.js';

export interface TimestampAssigner<T> {
  extractTimestamp(element: T, recordTimestamp: number): number;
}

/** A function or an object with `extractTimestamp`: what `withTimestampAssigner` takes. */
export type TimestampAssignerLike<T> = TimestampAssigner<T> | ((element: T, recordTimestamp: number) => number);

/** Keeps the timestamp the record carries (Flink's RecordTimestampAssigner, the default). */
export class RecordTimestampAssigner<T> implements TimestampAssigner<T> {
  extractTimestamp(_element: T, recordTimestamp: number): number {
    return recordTimestamp;
  }
}

/** `assigner` as a TimestampAssigner; a clear TypeError for anything else. */
export function toTimestampAssigner<T>(assigner: TimestampAssignerLike<T>): TimestampAssigner<T> {
  if (typeof assigner === 'function') return { extractTimestamp: assigner };
  if (assigner !== null && typeof assigner === 'object' && typeof assigner.extractTimestamp === 'function') return assigner;
  throw errors.invalidArgumentType(
    'timestamp assigner',
    assigner,
    'expected a function (element, recordTimestamp) => epoch milliseconds, or an object with extractTimestamp(element, recordTimestamp)',
  );
}
