/**
 * The WatermarkOutput of a generator on an operator's Output (Flink's
 * TimestampsAndWatermarksOperator.WatermarkEmitter): forwards only watermarks that move forward,
 * marks the output active before a watermark, and emits IDLE / ACTIVE only on a change.
 */
import type { WatermarkOutput } from '../../eventtime/watermark-output.js';
import { errors } from '../../errors.js';
import type { Output } from './output.js';
import { MAX_WATERMARK, MIN_WATERMARK } from './stream-operator.js';
import { WatermarkStatus } from './watermark-status.js';

export class WatermarkEmitter implements WatermarkOutput {
  /** The last watermark emitted. */
  currentWatermark = MIN_WATERMARK;
  private idle = false;

  constructor(
    private readonly output: Output,
    /** Named in the error for a watermark that is not a number of milliseconds. */
    private readonly operatorName: string,
  ) {}

  emitWatermark(watermark: number): void {
    if (watermark <= this.currentWatermark) return;
    if (!Number.isSafeInteger(watermark) && watermark !== MAX_WATERMARK) {
      throw errors.invalidArgumentType(
        `watermark emitted in '${this.operatorName}'`,
        watermark,
        'expected epoch milliseconds as a safe integer (a WatermarkGenerator emits e.g. maxTimestamp - delay - 1)',
      );
    }
    this.currentWatermark = watermark;
    this.markActive();
    this.output.emitWatermark(watermark);
  }

  markIdle(): void {
    if (!this.idle) {
      this.idle = true;
      this.output.emitWatermarkStatus(WatermarkStatus.IDLE);
    }
  }

  markActive(): void {
    if (this.idle) {
      this.idle = false;
      this.output.emitWatermarkStatus(WatermarkStatus.ACTIVE);
    }
  }

  get isIdle(): boolean {
    return this.idle;
  }
}
