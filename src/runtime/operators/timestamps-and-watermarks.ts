/**
 * Event time for one subtask, as a WatermarkStrategy defines it: assigns each record its
 * timestamp, feeds the generator, and calls the generator's periodic emit on the task's
 * processing-time service every `pipeline.auto-watermark-interval` ms (the timer is registered
 * again after each call, as Flink does). Used by TimestampsAndWatermarksOperator and by sources
 * given a strategy (Flink's ProgressiveTimestampsAndWatermarks), so both behave the same.
 *
 * Without progressive watermarks (BATCH mode, as in Flink, or an interval of 0) the generator's
 * periodic emit runs only at the end of input; punctuated watermarks from `onEvent` still flow
 * in STREAMING mode. In BATCH mode the generator is not created at all (Flink's
 * NoWatermarksGenerator): only the end of input's MAX_WATERMARK is emitted.
 *
 * A record marks the output active again (before it is emitted) if the generator had marked it idle.
 *
 * A user function (assigner, generator) that throws fails with UserFunctionError naming the operator.
 */
import { NoWatermarksGenerator } from '../../eventtime/no-watermarks-generator.js';
import type { TimestampAssigner } from '../../eventtime/timestamp-assigner.js';
import type { WatermarkGenerator } from '../../eventtime/watermark-generator.js';
import type { WatermarkStrategy } from '../../eventtime/watermark-strategy.js';
import { errors } from '../../errors.js';
import type { ProcessingTimeService, ScheduledTimer } from '../time/processing-time-service.js';
import type { Output } from './output.js';
import { MAX_WATERMARK, NO_TIMESTAMP } from './stream-operator.js';
import { WatermarkEmitter } from './watermark-emitter.js';

/** When and whether a subtask emits watermarks on its own. */
export interface WatermarkTiming {
  /** The task's processing time and timers. */
  readonly processingTime: ProcessingTimeService;
  /** `pipeline.auto-watermark-interval` in ms; 0 turns periodic emission off. */
  readonly autoWatermarkInterval: number;
  /** False in BATCH mode: no watermark but the final MAX_WATERMARK (Flink's emitProgressiveWatermarks). */
  readonly emitProgressiveWatermarks: boolean;
}

export class TimestampsAndWatermarks {
  /** Where the generator's (and a source's own) watermarks and statuses go. */
  readonly watermarks: WatermarkEmitter;
  private assigner: TimestampAssigner<unknown> | undefined;
  private generator: WatermarkGenerator<unknown> = new NoWatermarksGenerator();
  private timer: ScheduledTimer | undefined;
  private readonly onPeriodicTimer = () => this.periodicEmit();

  constructor(
    private readonly operatorName: string,
    private readonly strategy: WatermarkStrategy<unknown>,
    private readonly output: Output,
    private readonly timing: WatermarkTiming,
  ) {
    this.watermarks = new WatermarkEmitter(output, operatorName);
  }

  /** Creates the assigner and generator and starts the periodic emission. */
  open(): void {
    const { processingTime, autoWatermarkInterval, emitProgressiveWatermarks } = this.timing;
    try {
      this.assigner = this.strategy.createTimestampAssigner();
      if (emitProgressiveWatermarks) {
        const clock = { relativeTimeMillis: () => processingTime.getCurrentProcessingTime() };
        this.generator = this.strategy.createWatermarkGenerator({ getInputActivityClock: () => clock });
      }
    } catch (cause) {
      throw errors.userFunction(this.operatorName, `WatermarkStrategy ${this.strategy.toString()}`, cause);
    }
    if (emitProgressiveWatermarks && autoWatermarkInterval > 0) this.scheduleNext();
  }

  /** Emits `value` with its assigned timestamp, then lets the generator see it. */
  collect(value: unknown, recordTimestamp: number): void {
    let timestamp: number;
    try {
      timestamp = this.assigner!.extractTimestamp(value, recordTimestamp);
    } catch (cause) {
      throw errors.userFunction(this.operatorName, 'extractTimestamp', cause);
    }
    if (!Number.isSafeInteger(timestamp) && timestamp !== NO_TIMESTAMP) throw this.badTimestamp(timestamp);
    // A record ends idleness before it travels, so downstream never takes it for an idle input's.
    if (this.watermarks.isIdle) this.watermarks.markActive();
    this.output.collect(value, timestamp);
    try {
      this.generator.onEvent(value, timestamp, this.watermarks);
    } catch (cause) {
      throw errors.userFunction(this.operatorName, 'onEvent', cause);
    }
  }

  /** End of input: a last periodic emit, then MAX_WATERMARK; periodic emission stops. */
  endOfInput(): void {
    this.cancelTimer();
    this.callPeriodicEmit();
    this.watermarks.emitWatermark(MAX_WATERMARK);
  }

  /** Stops the periodic emission (the operator closes). */
  close(): void {
    this.cancelTimer();
  }

  private periodicEmit(): void {
    this.timer = undefined;
    this.callPeriodicEmit();
    this.scheduleNext();
  }

  private callPeriodicEmit(): void {
    try {
      this.generator.onPeriodicEmit(this.watermarks);
    } catch (cause) {
      throw errors.userFunction(this.operatorName, 'onPeriodicEmit', cause);
    }
  }

  private scheduleNext(): void {
    const { processingTime, autoWatermarkInterval } = this.timing;
    this.timer = processingTime.registerTimer(processingTime.getCurrentProcessingTime() + autoWatermarkInterval, this.onPeriodicTimer);
  }

  private cancelTimer(): void {
    this.timer?.cancel();
    this.timer = undefined;
  }

  private badTimestamp(timestamp: unknown): Error {
    return errors.userFunction(
      this.operatorName,
      'extractTimestamp',
      errors.invalidArgumentType('timestamp', timestamp, 'a timestamp assigner must return epoch milliseconds as a safe integer, e.g. Date.parse(text) or date.getTime()'),
    );
  }
}
