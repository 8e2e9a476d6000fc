/**
 * What `harness.snapshot()` returns and `initializeState(...)` restores (Flink's
 * OperatorSubtaskState, reduced to what strom's operators hold): the keyed state and the timers
 * of one operator instance, each in its own byte format, written by key group. A snapshot
 * restores into a harness of any parallelism with the same max parallelism: each keeps the key
 * groups of its range, so several snapshots (`repackageState`) merge into one subtask.
 */
import { errors } from '../errors.js';

export interface OperatorSubtaskState {
  /** The number of key groups the state was written with. */
  readonly maxParallelism: number;
  /** Keyed state snapshots (KeyedStateBackend.snapshot()), one per subtask packed in. */
  readonly keyedState: readonly Uint8Array[];
  /** Timer snapshots (InternalTimerService.snapshot()), one per subtask packed in. */
  readonly timers: readonly Uint8Array[];
}

/** Several subtasks' snapshots as one, to restore into fewer subtasks (Flink's repackageState). */
export function repackageState(...states: OperatorSubtaskState[]): OperatorSubtaskState {
  if (states.length === 0) throw errors.invalidArgumentType('repackageState', states, 'expected at least one snapshot from harness.snapshot()');
  const maxParallelism = states[0]!.maxParallelism;
  for (const state of states) {
    if (state.maxParallelism !== maxParallelism) {
      throw errors.argumentOutOfRange(
        'repackageState',
        state.maxParallelism,
        `every snapshot must have the same max parallelism (the first has ${maxParallelism}): key groups of different counts cannot be merged`,
      );
    }
  }
  return {
    maxParallelism,
    keyedState: states.flatMap((s) => s.keyedState),
    timers: states.flatMap((s) => s.timers),
  };
}
