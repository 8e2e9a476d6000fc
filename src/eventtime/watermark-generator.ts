/**
 * Generates watermarks from the events it sees and from the passing of processing time (Flink's
 * WatermarkGenerator): `onEvent` for every record with its (assigned) timestamp, `onPeriodicEmit`
 * every `pipeline.auto-watermark-interval`. A punctuated generator emits in `onEvent`; a periodic
 * one in `onPeriodicEmit`.
 */
import type { RelativeClock } from './relative-clock.js';
import type { WatermarkOutput } from './watermark-output.js';

export interface WatermarkGenerator<T> {
  /** Called for every record, after its timestamp was assigned; may emit a watermark. */
  onEvent(event: T, eventTimestamp: number, output: WatermarkOutput): void;
  /** Called every `pipeline.auto-watermark-interval` ms (not when it is 0, nor in BATCH mode); may emit a watermark. */
  onPeriodicEmit(output: WatermarkOutput): void;
}

/** What a generator is created with (Flink's WatermarkGeneratorSupplier.Context). */
export interface WatermarkGeneratorSupplierContext {
  /** The task's processing-time clock, for generators that measure inactivity (idleness). */
  getInputActivityClock(): RelativeClock;
}

/** Creates the generator of one subtask (Flink's WatermarkGeneratorSupplier). */
export type WatermarkGeneratorSupplier<T> = (context: WatermarkGeneratorSupplierContext) => WatermarkGenerator<T>;
