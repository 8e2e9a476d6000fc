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
 * 3. `finish(budget)` at end of input, from the head to the tail: an operator emits what it still
 *    holds (BATCH finals, buffered partials) into operators that are not finished yet. This is
 *    a resumable step, not one call: see "End of input" below.
 * 4. `close()`, from the tail to the head, always: after `finish()`, and also after a failure or a
 *    cancel, when `open()` or `finish()` may never have run or may have thrown. It releases
 *    resources (native tables, files) and must not emit.
 *
 * ## End of input (bounded, resumable emission)
 * What an operator holds at its end can be as large as its state (one final per key), far more
 * than the task's output can take at once. As Flink's task emits end-of-input results from its
 * mailbox loop and yields on output availability between records, strom's `finish(budget)` is
 * a step the task repeats until it returns true:
 * - it emits at most about `budget.maxRecords` records (an operator emitting in native chunks
 *   may round up to one chunk), and stops before the next record as soon as
 *   `budget.output.blocked` is non-zero (the task's output cannot take more); what it already
 *   emitted waits in the writers' backlogs, so each call adds a bounded amount to them;
 * - it returns true once it emitted everything (then it is not called again), false when it
 *   stopped with more to emit; called with an available output and more to emit, it emits at
 *   least one record, so repeated calls always progress;
 * - between calls the task hands the backlogs over and runs mail; nothing else reaches the
 *   operator (its input ended), and its state stays valid until `close()`, which may come
 *   between two calls after a failure or cancel.
 * An operator with nothing to emit at its end returns true at once. Operators that fire at
 * the end of input later (event-time windows and timers on MAX_WATERMARK) use the same step.
 * {@link FINISH_AT_ONCE} asks for everything in one call (tests, and callers without a network
 * output).
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
export { NO_TIMESTAMP } from '../../io/stream-element.js';

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

/**
 * What one `finish` call may emit (see "End of input" in the module comment). The task owns one,
 * refills `maxRecords` for every step and shares `output` with its RecordWriters.
 */
export interface FinishBudget {
  /** Records the call may emit, about (an operator may round up to one native chunk). At least 1. */
  maxRecords: number;
  /** `blocked` is non-zero while the task's output cannot take records (io's OutputAvailability): stop emitting. */
  readonly output: { readonly blocked: number };
}

/** A budget that never stops: `finish` emits everything in one call and returns true. */
export const FINISH_AT_ONCE: FinishBudget = Object.freeze({ maxRecords: Number.POSITIVE_INFINITY, output: Object.freeze({ blocked: 0 }) });

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
  /**
   * End of input: emits what the operator still holds, downstream still open, within `budget`
   * (default {@link FINISH_AT_ONCE}). Returns true when everything is out, false when the task
   * must call it again (after the output became available). First called after the last element.
   */
  finish(budget?: FinishBudget): boolean;
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
