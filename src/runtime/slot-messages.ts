/**
 * The messages on a slot's control channel: one MessagePort pair per slot and execution attempt,
 * the control plane keeping one end and the slot's worker thread getting the other with its
 * SlotRequest (transferred, piscina's `transferList`). Declared once, here; everything is
 * structured-cloneable.
 *
 * - Control plane -> slot: a {@link SlotCommand}. Today only `cancel`; checkpoint triggers and
 *   their acknowledgements are meant to be further kinds of the same unions.
 * - Slot -> control plane: a {@link SlotEvent} as soon as it happens, while the job runs: each
 *   subtask's state changes (Flink's TaskExecutionState) and the failure that stopped the slot.
 *   The slot's SlotResult (deployment.ts) still arrives at its end with the final figures.
 *
 * The shared control word (deployment.ts, ControlWord.CANCELLED) stays the fast path for a
 * cancel: tasks poll it in their loops and while they wait, also where no message can be read
 * (a thread blocked in a write). The `cancel` command works on its own as well.
 *
 * Layer: runtime. Imports only types.
 */
import type { TaskFailure } from './deployment.js';
import type { TaskStatus } from './metrics/job-metrics.js';

/**
 * The lifecycle of one subtask in an execution attempt, with Flink's ExecutionState names (a
 * subset: no CREATED/SCHEDULED/CANCELING/RECONCILING, which belong to the control plane's side).
 * DEPLOYING: the slot received the subtask and loads the job; INITIALIZING: the subtask's
 * operators are being created; RUNNING: it is scheduled in its slot; then one of the terminal
 * states: FINISHED (its input ended), FAILED (its own error stopped it), CANCELED (a cancel or
 * another task's failure stopped it). The metrics memory's TaskStatus (what a task publishes in its
 * metrics block) names the same states, plus CREATED before its slot reported it.
 */
export type ExecutionState = Exclude<TaskStatus, 'CREATED'> | 'DEPLOYING' | 'INITIALIZING';

/** True for FINISHED, CANCELED and FAILED: no further change follows. */
export function isTerminalState(state: ExecutionState): boolean {
  return state === 'FINISHED' || state === 'CANCELED' || state === 'FAILED';
}

/** What the control plane tells a slot. */
export type SlotCommand = { kind: 'cancel' };

/**
 * A subtask changed state (Flink's TaskExecutionState). A FAILED subtask's error travels in the
 * slot's `failure` event, sent before its state changes.
 */
export interface TaskExecutionState {
  kind: 'task-state';
  slot: number;
  vertexId: number;
  subtaskIndex: number;
  /** The subtask's display name, e.g. `Map (2/4)`. */
  name: string;
  state: ExecutionState;
}

/**
 * The error that stopped the slot, reported at once (before its tasks are torn down and before
 * its SlotResult): the control plane then stops the other slots without waiting. Not sent for a
 * slot stopped by a cancel.
 */
export interface SlotFailure {
  kind: 'failure';
  slot: number;
  failure: TaskFailure;
}

/** What a slot reports while it runs. */
export type SlotEvent = TaskExecutionState | SlotFailure;
