/**
 * Flink's StatusWatermarkValve: turns the watermarks and watermark statuses of one task input's
 * channels into the input's watermark and status.
 *
 * - The input watermark is the minimum over the channels that are ACTIVE and aligned; an IDLE
 *   channel does not hold it back.
 * - A channel's watermark only counts when it rises: a lower or equal one is ignored.
 * - A channel that turns ACTIVE again is aligned (counts for the minimum) only once its
 *   watermark reached the last output watermark, so it never moves the output backwards.
 * - The input is IDLE when all its channels are: then the maximum watermark over all channels
 *   is flushed out first (if the last channel to go idle held the minimum), and IDLE is emitted;
 *   the first channel to turn ACTIVE again emits ACTIVE. While the input is IDLE, watermarks
 *   are ignored, as in Flink.
 * - Emitted watermarks strictly increase.
 *
 * Channels are few (the upstream parallelism), so the minimum is a scan over them instead of
 * Flink's heap.
 */
import { MIN_WATERMARK } from '../operators/stream-operator.js';
import { WatermarkStatus } from '../operators/watermark-status.js';

/** Where the valve sends the input's watermark and status (the head's input, in a task). */
export interface ValveOutput {
  emitWatermark(watermark: number): void;
  emitWatermarkStatus(status: WatermarkStatus): void;
}

export class StatusWatermarkValve {
  /** The last watermark emitted (MIN_WATERMARK before any). */
  lastOutputWatermark = MIN_WATERMARK;
  /** The last status emitted (ACTIVE at the start). */
  lastOutputStatus: WatermarkStatus = WatermarkStatus.ACTIVE;
  /** Channels of the input. */
  readonly numChannels: number;
  /** Per channel: its highest watermark so far. */
  private readonly watermarks: Float64Array;
  /** Per channel: 1 while it is IDLE. */
  private readonly idle: Uint8Array;
  /** Per channel: 1 while it counts for the minimum (active and caught up). */
  private readonly aligned: Uint8Array;

  constructor(
    numChannels: number,
    private readonly output: ValveOutput,
  ) {
    if (!Number.isInteger(numChannels) || numChannels < 1) throw new RangeError(`a StatusWatermarkValve needs at least one channel, got ${numChannels}`);
    this.numChannels = numChannels;
    this.watermarks = new Float64Array(numChannels).fill(MIN_WATERMARK);
    this.idle = new Uint8Array(numChannels);
    this.aligned = new Uint8Array(numChannels).fill(1);
  }

  /** Feeds a watermark of `channel`; may emit a new input watermark. */
  inputWatermark(watermark: number, channel: number): void {
    if (this.lastOutputStatus !== WatermarkStatus.ACTIVE || this.idle[channel] !== 0) return;
    if (!(watermark > this.watermarks[channel]!)) return;
    this.watermarks[channel] = watermark;
    if (this.aligned[channel] === 0 && watermark >= this.lastOutputWatermark) this.aligned[channel] = 1;
    this.emitNewMinimum();
  }

  /** Feeds a watermark status of `channel`; may emit a new input status, or a new watermark. */
  inputWatermarkStatus(status: WatermarkStatus, channel: number): void {
    if (status === WatermarkStatus.IDLE && this.idle[channel] === 0) {
      this.idle[channel] = 1;
      this.aligned[channel] = 0;
      if (!this.anyActive()) {
        // No channel will advance any more: flush what the channels reached, then go idle.
        if (this.watermarks[channel] === this.lastOutputWatermark) this.emitMaximum();
        this.lastOutputStatus = WatermarkStatus.IDLE;
        this.output.emitWatermarkStatus(WatermarkStatus.IDLE);
      } else if (this.watermarks[channel] === this.lastOutputWatermark) {
        // The channel that held the minimum went idle: the others may allow a higher one.
        this.emitNewMinimum();
      }
    } else if (status === WatermarkStatus.ACTIVE && this.idle[channel] !== 0) {
      this.idle[channel] = 0;
      if (this.watermarks[channel]! >= this.lastOutputWatermark) this.aligned[channel] = 1;
      if (this.lastOutputStatus === WatermarkStatus.IDLE) {
        this.lastOutputStatus = WatermarkStatus.ACTIVE;
        this.output.emitWatermarkStatus(WatermarkStatus.ACTIVE);
      }
    }
  }

  private anyActive(): boolean {
    for (let c = 0; c < this.idle.length; c++) if (this.idle[c] === 0) return true;
    return false;
  }

  /** Emits the minimum over the aligned channels when it is above the last output watermark. */
  private emitNewMinimum(): void {
    let min = Number.POSITIVE_INFINITY;
    let any = false;
    for (let c = 0; c < this.watermarks.length; c++) {
      if (this.aligned[c] === 0) continue;
      any = true;
      if (this.watermarks[c]! < min) min = this.watermarks[c]!;
    }
    if (any && min > this.lastOutputWatermark) {
      this.lastOutputWatermark = min;
      this.output.emitWatermark(min);
    }
  }

  /** Emits the maximum over all channels when it is above the last output watermark. */
  private emitMaximum(): void {
    let max = MIN_WATERMARK;
    for (let c = 0; c < this.watermarks.length; c++) if (this.watermarks[c]! > max) max = this.watermarks[c]!;
    if (max > this.lastOutputWatermark) {
      this.lastOutputWatermark = max;
      this.output.emitWatermark(max);
    }
  }
}
