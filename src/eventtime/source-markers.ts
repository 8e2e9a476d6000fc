/**
 * What a custom source (`env.fromSource(factory, ...)`) may yield besides plain records, to carry
 * event time itself, as Flink's SourceFunction.SourceContext does with `collectWithTimestamp`,
 * `emitWatermark` and `markAsTemporarilyIdle`:
 *
 * ```ts
 * env.fromSource(async function* () {
 *   yield new TimestampedValue(reading, reading.time);  // a record with its event timestamp
 *   yield new Watermark(reading.time - 1);              // no later record is at or below this
 *   yield TEMPORARILY_IDLE;                             // nothing for a while: do not hold event time back
 * }, 'Sensors');
 * ```
 *
 * A marker is not a record: it is not counted and never reaches the next operator. Watermarks
 * only move forward (a lower one is dropped), and a watermark or record after TEMPORARILY_IDLE
 * marks the source active again. With a WatermarkStrategy as well, a TimestampedValue's
 * timestamp is the record timestamp its assigner sees, and the strategy's watermarks and the
 * yielded ones go through the same output (the larger wins).
 */
import { errors } from '../errors.js';

/** A record with its event timestamp (Flink's TimestampedValue / `collectWithTimestamp`). */
export class TimestampedValue<T> {
  constructor(
    readonly value: T,
    readonly timestamp: number,
  ) {
    checkEpochMillis('TimestampedValue timestamp', timestamp);
  }
}

/** A watermark yielded by the source itself (Flink's Watermark / `emitWatermark`). */
export class Watermark {
  constructor(readonly timestamp: number) {
    checkEpochMillis('Watermark timestamp', timestamp);
  }
}

/** Yield it when the source will produce nothing for a while (Flink's `markAsTemporarilyIdle`). */
export const TEMPORARILY_IDLE: unique symbol = Symbol.for('strom.TEMPORARILY_IDLE');

function checkEpochMillis(what: string, timestamp: number): void {
  if (!Number.isSafeInteger(timestamp)) {
    throw errors.invalidArgumentType(what, timestamp, 'expected epoch milliseconds as a safe integer, e.g. Date.parse(text) or date.getTime()');
  }
}
