/**
 * How a test harness places its operator: which parallel instance it plays (the key groups it
 * owns, for rescale tests), the manual clock's start, and the keyed state backend.
 */
import { errors } from '../errors.js';
import { computeKeyGroupRangeForOperatorIndex, DEFAULT_LOWER_BOUND_MAX_PARALLELISM, UPPER_BOUND_MAX_PARALLELISM, type KeyGroupRange } from '../io/key-group-assignment.js';
import type { StateBackendType } from '../state/keyed-state-backend.js';

export interface HarnessOptions {
  /** Number of key groups (Flink's max parallelism); default 128. */
  readonly maxParallelism?: number;
  /** How many parallel instances the operator has; default 1. */
  readonly parallelism?: number;
  /** Which of them this harness is (0-based); default 0. It owns that instance's key groups. */
  readonly subtaskIndex?: number;
  /** The manual processing-time clock's start, epoch ms; default 0. */
  readonly processingTime?: number;
  /** `state.backend.type` of a keyed harness: `auto` (default, as a job), `hashmap` or `native`. */
  readonly stateBackend?: StateBackendType;
  /** Managed memory for the native state backend, bytes; default 64 MiB. */
  readonly managedMemorySize?: number;
  /** The operator's name in errors and `getTaskInfo()`; default the operator kind's name. */
  readonly operatorName?: string;
}

/** The options with their defaults, checked. */
export interface ResolvedHarnessOptions {
  readonly maxParallelism: number;
  readonly parallelism: number;
  readonly subtaskIndex: number;
  readonly keyGroupRange: KeyGroupRange;
  readonly processingTime: number;
  readonly stateBackend: StateBackendType;
  readonly managedMemorySize: number;
}

export function resolveHarnessOptions(options: HarnessOptions): ResolvedHarnessOptions {
  const maxParallelism = options.maxParallelism ?? DEFAULT_LOWER_BOUND_MAX_PARALLELISM;
  const parallelism = options.parallelism ?? 1;
  const subtaskIndex = options.subtaskIndex ?? 0;
  if (!Number.isInteger(maxParallelism) || maxParallelism < 1 || maxParallelism > UPPER_BOUND_MAX_PARALLELISM) {
    throw errors.argumentOutOfRange('harness maxParallelism', maxParallelism, `expected an integer from 1 to ${UPPER_BOUND_MAX_PARALLELISM}`);
  }
  if (!Number.isInteger(parallelism) || parallelism < 1 || parallelism > maxParallelism) {
    throw errors.argumentOutOfRange('harness parallelism', parallelism, `expected an integer from 1 to maxParallelism (${maxParallelism})`);
  }
  if (!Number.isInteger(subtaskIndex) || subtaskIndex < 0 || subtaskIndex >= parallelism) {
    throw errors.argumentOutOfRange('harness subtaskIndex', subtaskIndex, `expected an integer from 0 to parallelism - 1 (${parallelism - 1})`);
  }
  const processingTime = options.processingTime ?? 0;
  if (typeof processingTime !== 'number' || !Number.isFinite(processingTime)) {
    throw errors.invalidArgumentType('harness processingTime', processingTime, 'expected epoch milliseconds (a finite number)');
  }
  return {
    maxParallelism,
    parallelism,
    subtaskIndex,
    keyGroupRange: computeKeyGroupRangeForOperatorIndex(maxParallelism, parallelism, subtaskIndex),
    processingTime,
    stateBackend: options.stateBackend ?? 'auto',
    managedMemorySize: options.managedMemorySize ?? 64 << 20,
  };
}
