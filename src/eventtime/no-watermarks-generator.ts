/** A generator that never emits (Flink's NoWatermarksGenerator): for processing-time jobs. */
import type { WatermarkGenerator } from './watermark-generator.js';
import type { WatermarkOutput } from './watermark-output.js';

export class NoWatermarksGenerator<T> implements WatermarkGenerator<T> {
  onEvent(_event: T, _eventTimestamp: number, _output: WatermarkOutput): void {}
  onPeriodicEmit(_output: WatermarkOutput): void {}
}
