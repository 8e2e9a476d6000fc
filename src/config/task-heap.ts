/**
 * The heap of each task-slot worker thread (`taskmanager.memory.task.heap.size`), as the
 * megabytes V8 takes (`resourceLimits.maxOldGenerationSizeMb`).
 *
 * Set: that size, rounded down to whole MiB. Not set: half of the machine's memory
 * (`os.totalmem()`) divided among the job's task slots, at least 256mb (a slot on a small
 * machine still gets a usable heap) and at most 2gb, so the slots together cannot take the whole
 * machine and one runaway task fails alone. Why not V8's own ceiling (about 4gb on 64-bit): a
 * worker given 4gb that ran out of heap aborted the whole process here ("Reached heap limit",
 * exit 134) instead of being stopped; at 2gb and 3gb it is stopped and the job fails cleanly.
 *
 * Depends on: configuration, config-options, memory-size.
 */
import { totalmem } from 'node:os';
import type { Configuration } from './configuration.js';
import { TASK_HEAP_SIZE } from './config-options.js';

const MiB = 1024 * 1024;
/** Smallest derived heap per slot. */
const MIN_DERIVED_TASK_HEAP = 256 * MiB;
/** Largest derived heap per slot. */
const MAX_DERIVED_TASK_HEAP = 2048 * MiB;

/** The heap of each task slot's worker. */
export interface TaskHeapSize {
  /** Whole megabytes, for `resourceLimits.maxOldGenerationSizeMb`. */
  readonly megabytes: number;
  /** True when `taskmanager.memory.task.heap.size` was set; false when derived from the machine. */
  readonly configured: boolean;
}

/** Each slot's heap for a TaskManager with `slots` task slots (see the module comment). */
export function resolveTaskHeapSize(config: Configuration, slots: number, machineMemory = totalmem()): TaskHeapSize {
  const set = config.get(TASK_HEAP_SIZE);
  if (set !== undefined) return { megabytes: Math.floor(set / MiB), configured: true };
  const share = Math.floor(machineMemory / 2 / Math.max(1, slots));
  const bytes = Math.min(MAX_DERIVED_TASK_HEAP, Math.max(MIN_DERIVED_TASK_HEAP, share));
  return { megabytes: Math.floor(bytes / MiB), configured: false };
}
