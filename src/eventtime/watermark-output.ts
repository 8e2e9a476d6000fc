/**
 * Where a WatermarkGenerator puts what it decides (Flink's WatermarkOutput). Watermarks are plain
 * numbers in strom (epoch ms; Flink wraps them in a `Watermark` object).
 *
 * The output behind it keeps watermarks moving forward only: a watermark at or below the last
 * one emitted is dropped, so a generator may emit the same value on every periodic call.
 */
export interface WatermarkOutput {
  /** Emits a watermark: no later record of this stream has a timestamp at or below it. Also marks the output active. */
  emitWatermark(watermark: number): void;
  /** Marks the output idle: its watermarks stop holding back downstream event time until it emits again. */
  markIdle(): void;
  /** Marks the output active again (emitting a watermark does so too). */
  markActive(): void;
}
