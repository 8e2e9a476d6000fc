/**
 * A periodic generator for events that arrive at most `maxOutOfOrderness` ms late (Flink's
 * BoundedOutOfOrdernessWatermarks): it emits the largest timestamp seen minus the delay minus 1,
 * so a record exactly `maxOutOfOrderness` behind the newest one is still on time. Before any
 * event it emits MIN_WATERMARK (-Infinity), which the output drops.
 */
import { errors } from '../errors.js';
import type { WatermarkGenerator } from './watermark-generator.js';
import type { WatermarkOutput } from './watermark-output.js';

export class BoundedOutOfOrdernessWatermarks<T> implements WatermarkGenerator<T> {
  private maxTimestamp = Number.NEGATIVE_INFINITY;
  private readonly outOfOrdernessMillis: number;

  /** @param maxOutOfOrderness The most a record may be late, in ms: a safe integer >= 0. */
  constructor(maxOutOfOrderness: number) {
    this.outOfOrdernessMillis = checkOutOfOrderness(maxOutOfOrderness);
  }

  onEvent(_event: T, eventTimestamp: number, _output: WatermarkOutput): void {
    if (eventTimestamp > this.maxTimestamp) this.maxTimestamp = eventTimestamp;
  }

  onPeriodicEmit(output: WatermarkOutput): void {
    output.emitWatermark(this.maxTimestamp - this.outOfOrdernessMillis - 1);
  }
}

/** `ms` when it is a valid out-of-orderness bound; a RangeError saying what is accepted otherwise. */
export function checkOutOfOrderness(ms: number): number {
  if (typeof ms !== 'number' || !Number.isSafeInteger(ms) || ms < 0) {
    throw errors.argumentOutOfRange('maxOutOfOrderness', ms, 'expected milliseconds as an integer >= 0 (0 for timestamps that only ascend)');
  }
  return ms;
}
