/**
 * How a stream gets event time (Flink's WatermarkStrategy): a TimestampAssigner that gives each
 * record its timestamp and a WatermarkGenerator that says how far event time has progressed.
 * Given to `DataStream.assignTimestampsAndWatermarks(strategy)` or to
 * `env.fromSource(factory, strategy, name)`; every subtask creates its own assigner and
 * generator from it.
 *
 * Strategies are immutable: `withTimestampAssigner` and `withIdleness` return a new one.
 * Durations are milliseconds (Flink takes a `Duration`).
 */
import { errors } from '../errors.js';
import { AscendingTimestampsWatermarks } from './ascending-timestamps-watermarks.js';
import { BoundedOutOfOrdernessWatermarks, checkOutOfOrderness } from './bounded-out-of-orderness-watermarks.js';
import { NoWatermarksGenerator } from './no-watermarks-generator.js';
import { RecordTimestampAssigner, toTimestampAssigner, type TimestampAssigner, type TimestampAssignerLike } from './timestamp-assigner.js';
import type { WatermarkGenerator, WatermarkGeneratorSupplier, WatermarkGeneratorSupplierContext } from './watermark-generator.js';
import { checkIdleTimeout, WatermarksWithIdleness } from './watermarks-with-idleness.js';

/** Marks strategies of any copy of strom loaded in the process (see `isWatermarkStrategy`). */
const BRAND = Symbol.for('strom.WatermarkStrategy');

export class WatermarkStrategy<T> {
  /** The brand `isWatermarkStrategy` reads. */
  get [BRAND](): true {
    return true;
  }

  /**
   * True for a WatermarkStrategy, also one of another copy of strom in the same process (strom's
   * own TypeScript examples import its sources while the `strom` command runs its build), where
   * `instanceof` says no.
   */
  static isWatermarkStrategy(value: unknown): value is WatermarkStrategy<unknown> {
    return value instanceof WatermarkStrategy || (typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true);
  }

  private constructor(
    private readonly generatorSupplier: WatermarkGeneratorSupplier<T>,
    private readonly assigner: TimestampAssigner<T> | undefined,
    /** How explain and errors show the strategy, e.g. `forBoundedOutOfOrderness(5000 ms).withIdleness(60000 ms)`. */
    private readonly description: string,
  ) {}

  /** For timestamps that never go down: watermark = largest timestamp seen - 1. */
  static forMonotonousTimestamps<T>(): WatermarkStrategy<T> {
    return new WatermarkStrategy<T>(() => new AscendingTimestampsWatermarks<T>(), undefined, 'forMonotonousTimestamps()');
  }

  /** For records at most `maxOutOfOrdernessMs` late: watermark = largest timestamp seen - maxOutOfOrdernessMs - 1. */
  static forBoundedOutOfOrderness<T>(maxOutOfOrdernessMs: number): WatermarkStrategy<T> {
    const delay = checkOutOfOrderness(maxOutOfOrdernessMs);
    return new WatermarkStrategy<T>(() => new BoundedOutOfOrdernessWatermarks<T>(delay), undefined, `forBoundedOutOfOrderness(${delay} ms)`);
  }

  /** A custom generator, periodic or punctuated: `supplier(context)` creates one per subtask. */
  static forGenerator<T>(supplier: WatermarkGeneratorSupplier<T>): WatermarkStrategy<T> {
    if (typeof supplier !== 'function') {
      throw errors.invalidArgumentType(
        'watermark generator supplier',
        supplier,
        'expected a function (context) => ({ onEvent(event, timestamp, output), onPeriodicEmit(output) })',
      );
    }
    return new WatermarkStrategy<T>(supplier, undefined, 'forGenerator()');
  }

  /** No watermarks at all (processing-time jobs); records still get timestamps from an assigner. */
  static noWatermarks<T>(): WatermarkStrategy<T> {
    return new WatermarkStrategy<T>(() => new NoWatermarksGenerator<T>(), undefined, 'noWatermarks()');
  }

  /** The same strategy with timestamps from `assigner` instead of the ones the records carry. */
  withTimestampAssigner(assigner: TimestampAssignerLike<T>): WatermarkStrategy<T> {
    return new WatermarkStrategy<T>(this.generatorSupplier, toTimestampAssigner(assigner), `${this.description}.withTimestampAssigner()`);
  }

  /**
   * The same strategy, marking the stream idle after `idleTimeoutMs` of processing time without
   * records (see WatermarksWithIdleness); needs `pipeline.auto-watermark-interval` > 0.
   */
  withIdleness(idleTimeoutMs: number): WatermarkStrategy<T> {
    const timeout = checkIdleTimeout(idleTimeoutMs);
    const inner = this.generatorSupplier;
    return new WatermarkStrategy<T>(
      (context) => new WatermarksWithIdleness<T>(inner(context), timeout, context.getInputActivityClock()),
      this.assigner,
      `${this.description}.withIdleness(${timeout} ms)`,
    );
  }

  /** A new generator for one subtask; a clear error when a custom supplier returns something else. */
  createWatermarkGenerator(context: WatermarkGeneratorSupplierContext): WatermarkGenerator<T> {
    const generator = this.generatorSupplier(context);
    if (generator === null || typeof generator !== 'object' || typeof generator.onEvent !== 'function' || typeof generator.onPeriodicEmit !== 'function') {
      throw errors.invalidArgumentType(
        `watermark generator of ${this.description}`,
        generator,
        'the supplier must return an object with onEvent(event, timestamp, output) and onPeriodicEmit(output)',
      );
    }
    return generator;
  }

  /** The assigner for one subtask: the one given, else the record's own timestamp. */
  createTimestampAssigner(): TimestampAssigner<T> {
    return this.assigner ?? new RecordTimestampAssigner<T>();
  }

  /** True when no assigner was given: records keep the timestamps they carry. */
  get keepsRecordTimestamps(): boolean {
    return this.assigner === undefined;
  }

  toString(): string {
    return this.description;
  }
}
