/**
 * What a test harness's output holds (Flink's StreamRecord and Watermark as the harness queue
 * holds them): records with their timestamps, and watermarks, in the order the operator emitted
 * them. Tests compare them with `assert.deepEqual(harness.getOutput(), [new StreamRecord('a', 5),
 * new Watermark(10)])`.
 */
import { errors } from '../errors.js';

/** A record and its event timestamp (null: it has none, as `ctx.timestamp()` says). */
export class StreamRecord<T> {
  constructor(
    readonly value: T,
    readonly timestamp: number | null = null,
  ) {
    if (timestamp !== null && (typeof timestamp !== 'number' || Number.isNaN(timestamp))) {
      throw errors.invalidArgumentType('StreamRecord timestamp', timestamp, 'expected epoch milliseconds (a number) or null for none');
    }
  }
}

/**
 * A watermark in a harness's output. Unlike the source marker `Watermark` of strom's main
 * export (finite epoch ms only), it also holds MAX_WATERMARK (Infinity), which ends the input.
 */
export class Watermark {
  constructor(readonly timestamp: number) {
    if (typeof timestamp !== 'number' || Number.isNaN(timestamp)) {
      throw errors.invalidArgumentType('Watermark timestamp', timestamp, 'expected epoch milliseconds (a number)');
    }
  }
}

/** One element of a harness's main output. */
export type OutputElement<T> = StreamRecord<T> | Watermark;
