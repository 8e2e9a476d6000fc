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
import { MIN_WATERMARK, type FinishBudget, type StateInitializationContext } from './stream-operator.js';

export abstract class AbstractStreamOperator {
  /** The watermark last processed (the minimum over the inputs for two-input operators). */
  protected currentWatermark = MIN_WATERMARK;
  private input1Watermark = MIN_WATERMARK;
  private input2Watermark = MIN_WATERMARK;

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

  private advanceCombined(): void {
    const combined = Math.min(this.input1Watermark, this.input2Watermark);
    if (combined > this.currentWatermark) this.processWatermark(combined);
  }
}
