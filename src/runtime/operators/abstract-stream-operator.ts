/**
 * The base of strom's operators (Flink's AbstractStreamOperator): holds the Output, gives the
 * checkpoint hooks their stateless defaults, forwards watermarks, and keeps the two-input
 * watermark rule in one place.
 *
 * Two inputs: each input's latest watermark is kept; the operator's watermark is their minimum,
 * processed (and so forwarded) only when it rises. An input that has not sent a watermark holds
 * the minimum at MIN_WATERMARK, so nothing advances until both inputs have spoken.
 */
import type { Output } from './output.js';
import { MAX_WATERMARK, MIN_WATERMARK, type FinishBudget, type StateInitializationContext } from './stream-operator.js';
import { WatermarkStatus } from './watermark-status.js';

export abstract class AbstractStreamOperator {
  /** The watermark last processed (the minimum over the inputs for two-input operators). */
  protected currentWatermark = MIN_WATERMARK;
  private input1Watermark = MIN_WATERMARK;
  private input2Watermark = MIN_WATERMARK;
  private input1Idle = false;
  private input2Idle = false;
  /** The status this (two-input) operator last emitted. */
  private idle = false;

  constructor(
    readonly name: string,
    protected readonly output: Output,
  ) {}

  initializeState(_context: StateInitializationContext): void {}
  open(): void {}
  /** Nothing held at the end of input: done at once. */
  finish(_budget?: FinishBudget): boolean {
    return true;
  }
  close(): void {}
  snapshotState(_checkpointId: number): void {}
  notifyCheckpointComplete(_checkpointId: number): void {}

  /** Advances event time to `watermark` and forwards it. Operators with timers will fire them first. */
  processWatermark(watermark: number): void {
    this.currentWatermark = watermark;
    this.output.emitWatermark(watermark);
  }

  /** Input 1's watermark; processes the minimum of both inputs when it rose. */
  processWatermark1(watermark: number): void {
    this.input1Watermark = watermark;
    this.advanceCombined();
  }

  /** Input 2's watermark; processes the minimum of both inputs when it rose. */
  processWatermark2(watermark: number): void {
    this.input2Watermark = watermark;
    this.advanceCombined();
  }

  /** Forwards a watermark status change (a one-input operator's status is its input's). */
  processWatermarkStatus(status: WatermarkStatus): void {
    this.output.emitWatermarkStatus(status);
  }

  /**
   * Input 1's status. An idle input no longer holds the combined watermark back (Flink's
   * AbstractStreamOperator: an idle input counts as MAX for the minimum); the operator is idle
   * only when both inputs are.
   */
  processWatermarkStatus1(status: WatermarkStatus): void {
    this.input1Idle = status === WatermarkStatus.IDLE;
    this.statusChanged();
  }

  /** Input 2's status; see processWatermarkStatus1. */
  processWatermarkStatus2(status: WatermarkStatus): void {
    this.input2Idle = status === WatermarkStatus.IDLE;
    this.statusChanged();
  }

  private statusChanged(): void {
    const idle = this.input1Idle && this.input2Idle;
    if (idle !== this.idle) {
      this.idle = idle;
      this.output.emitWatermarkStatus(idle ? WatermarkStatus.IDLE : WatermarkStatus.ACTIVE);
    }
    if (!idle) this.advanceCombined();
  }

  private advanceCombined(): void {
    const combined = Math.min(this.input1Idle ? MAX_WATERMARK : this.input1Watermark, this.input2Idle ? MAX_WATERMARK : this.input2Watermark);
    if (combined > this.currentWatermark) this.processWatermark(combined);
  }
}
