/**
 * `assignTimestampsAndWatermarks(strategy)` (Flink's TimestampsAndWatermarksOperator): gives
 * every record the timestamp of the strategy's assigner and emits the generator's watermarks
 * (timestamps-and-watermarks.ts). The stream's event time is now this operator's: watermarks and
 * statuses from upstream are swallowed, except MAX_WATERMARK at the end of input, which is
 * forwarded after a last periodic emit so everything downstream fires.
 */
import type { WatermarkStrategy } from '../../eventtime/watermark-strategy.js';
import { AbstractStreamOperator } from './abstract-stream-operator.js';
import { servesAsChainingOutput } from './chaining-output.js';
import type { OneInputStreamOperator } from './one-input-stream-operator.js';
import type { Output } from './output.js';
import { MAX_WATERMARK } from './stream-operator.js';
import { TimestampsAndWatermarks, type WatermarkTiming } from './timestamps-and-watermarks.js';
import type { WatermarkStatus } from './watermark-status.js';

/** Also the Output of the operator before it in a chain (chaining-output.ts). */
export interface TimestampsAndWatermarksOperator extends Output {}
export class TimestampsAndWatermarksOperator extends AbstractStreamOperator implements OneInputStreamOperator {
  private readonly eventTime: TimestampsAndWatermarks;

  constructor(name: string, strategy: WatermarkStrategy<unknown>, timing: WatermarkTiming, output: Output) {
    super(name, output);
    this.eventTime = new TimestampsAndWatermarks(name, strategy, output, timing);
  }

  override open(): void {
    this.eventTime.open();
  }

  processElement(value: unknown, timestamp: number): void {
    this.eventTime.collect(value, timestamp);
  }

  override processWatermark(watermark: number): void {
    if (watermark !== MAX_WATERMARK) return;
    this.currentWatermark = watermark;
    this.eventTime.endOfInput();
  }

  override processWatermarkStatus(_status: WatermarkStatus): void {}

  override close(): void {
    this.eventTime.close();
  }
}

servesAsChainingOutput(TimestampsAndWatermarksOperator);
