/**
 * The operator contract (Flink's StreamOperator): an operator is an object with a lifecycle,
 * driven by its task through its OperatorChain, and it hands what it produces to an Output
 * (output.ts), never to the next operator directly.
 *
 * ## Lifecycle (the order the OperatorChain calls it in)
 * 1. `initializeState()` then `open()`, from the chain's tail to its head, so every operator's
 *    downstream is ready before it can emit anything.
 * 2. `processElement` / `processWatermark` (one-input-stream-operator.ts, two-input-stream-operator.ts),
 *    any number of times, interleaved with `snapshotState` / `notifyCheckpointComplete`.
 * 3. `finish()` at end of input, from the head to the tail: an operator emits what it still holds
 *    (BATCH finals, buffered partials) into operators that are not finished yet.
 * 4. `close()`, from the tail to the head, always: after `finish()`, and also after a failure or a
 *    cancel, when `open()` or `finish()` may never have run or may have thrown. It releases
 *    resources (native tables, files) and must not emit.
 *
 * ## Time
 * A record travels with its timestamp as a plain number beside the value (no per-record
 * wrapper object): epoch milliseconds, or {@link NO_TIMESTAMP} when it has none. Watermarks are
 * numbers too; an operator forwards a watermark after it has handled it (event-time timers will fire
 * in between).
 *
 * The hot path neither throws on its own behalf nor allocates per record.
 */

/** The timestamp of a record that has none (Flink's StreamRecord without a timestamp). */
export const NO_TIMESTAMP = Number.NEGATIVE_INFINITY;

/** The watermark before any was seen (Flink's Long.MIN_VALUE initial watermark). */
export const MIN_WATERMARK = Number.NEGATIVE_INFINITY;

/** The watermark that says an input has ended: no record with any timestamp follows (Flink's MAX_WATERMARK). */
export const MAX_WATERMARK = Number.POSITIVE_INFINITY;

/**
 * What an operator gets to restore its state from. Nothing yet: checkpoints (fault tolerance, to come) will fill it
 * with the operator's snapshot; until then every operator starts empty.
 */
export interface StateInitializationContext {
  /** True when the operator is restored from a snapshot; always false for now. */
  readonly isRestored: boolean;
}

/** The context of a fresh start: nothing to restore. */
export const FRESH_STATE: StateInitializationContext = Object.freeze({ isRestored: false });

/** The lifecycle every operator has, whatever its inputs (see the module comment for the order). */
export interface StreamOperator {
  /** The operator's display name (for errors and metrics), e.g. `Flat Map`. */
  readonly name: string;
  /**
   * Restores or creates the operator's state, before `open()`. Contract for the checkpoint work:
   * called once; with `context.isRestored` false the operator starts empty.
   */
  initializeState(context: StateInitializationContext): void;
  /** Acquires what processing needs (native tables, writers); called once, after `initializeState`. */
  open(): void;
  /** End of input: emits what the operator still holds, downstream still open. Called once, after the last element. */
  finish(): void;
  /**
   * Releases everything; called exactly once, after `finish()` or instead of it after a failure
   * or cancel. Never emits. Must not throw for resources that were never acquired.
   */
  close(): void;
  /**
   * Takes a snapshot of the operator's state for checkpoint `checkpointId`, between two elements.
   * Contract for the checkpoint work: synchronous part only, no effect on the records emitted.
   * Operators without state do nothing.
   */
  snapshotState(checkpointId: number): void;
  /**
   * Checkpoint `checkpointId` is complete on every task: side effects held for it (transactions,
   * files) may be committed. May be called for a checkpoint the operator never saw; then does nothing.
   */
  notifyCheckpointComplete(checkpointId: number): void;
}
