/**
 * The operators of one task, linked through their Outputs (Flink's OperatorChain), and their
 * lifecycle in the order Flink runs it:
 * - `initializeStateAndOpen()`: initializeState then open, tail first, so nothing emits into an
 *   operator that is not open;
 * - `finish(budget)`: head first, so what an operator emits when it finishes reaches operators
 *   that are still running; a step the task repeats until it returns true, each operator's own
 *   finish stepping until it is done before the next one starts (stream-operator.ts, "End of input");
 * - `close()`: tail first, every operator even when one throws (the first error is rethrown
 *   after all were closed), once; also after a failure, when open or finish may not have run.
 *
 * `operators` runs head first and holds every operator the task drives: the chained operators of
 * the plan, then those the plan put after the tail (combiners). Which Output links which is
 * fixed when the operators are built (task/build-operator-chain.ts); the chain only orders
 * their lifecycle.
 */
import { FINISH_AT_ONCE, FRESH_STATE, type FinishBudget, type StreamOperator } from './stream-operator.js';

export class OperatorChain<HEAD extends StreamOperator = StreamOperator> {
  private closed = false;
  /** The operator whose `finish` runs now (head first); `operators.length` once all are finished. */
  private finishing = 0;

  constructor(
    /** The head (the task feeds it) and every other operator, head first. */
    readonly operators: readonly StreamOperator[],
  ) {
    if (operators.length === 0) throw new RangeError('an operator chain needs at least one operator');
  }

  /** The operator the task's input feeds. */
  get head(): HEAD {
    return this.operators[0] as HEAD;
  }

  /** initializeState then open, from the tail to the head. */
  initializeStateAndOpen(): void {
    const ops = this.operators;
    for (let i = ops.length - 1; i >= 0; i--) {
      ops[i]!.initializeState(FRESH_STATE);
      ops[i]!.open();
    }
  }

  /**
   * End of input, one step: finishes the operators from the head to the tail, each until its
   * `finish` returns true, within `budget` (each operator called in the step may use all of it). True once every operator is finished; false when one
   * stopped (budget used, output blocked): call again when the output is available.
   */
  finish(budget: FinishBudget = FINISH_AT_ONCE): boolean {
    const ops = this.operators;
    while (this.finishing < ops.length) {
      if (!ops[this.finishing]!.finish(budget)) return false;
      this.finishing++;
    }
    return true;
  }

  /** Snapshots every operator (head to tail) for checkpoint `checkpointId`. */
  snapshotState(checkpointId: number): void {
    for (const op of this.operators) op.snapshotState(checkpointId);
  }

  /** Tells every operator that checkpoint `checkpointId` completed. */
  notifyCheckpointComplete(checkpointId: number): void {
    for (const op of this.operators) op.notifyCheckpointComplete(checkpointId);
  }

  /** Closes every operator once, from the tail to the head; rethrows the first error after closing all. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    let failure: { error: unknown } | undefined;
    const ops = this.operators;
    for (let i = ops.length - 1; i >= 0; i--) {
      try {
        ops[i]!.close();
      } catch (error) {
        failure ??= { error };
      }
    }
    if (failure) throw failure.error;
  }
}
