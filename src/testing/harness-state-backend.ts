/**
 * The keyed state backend of a keyed harness: the facade a job's keyed operators get, routing
 * each state by `state.backend.type` to the heap or the native backend (managed memory of its
 * own, made on the first native state).
 */
import { ManagedMemory } from '../memory/managed-memory.js';
import type { KeyedStateBackend } from '../state/keyed-state-backend.js';
import { KeyedStateBackends } from '../state/keyed-state-backends.js';
import { NativeKeyedStateBackend } from '../state/native-keyed-state-backend.js';
import type { TypeInformation } from '../types/type-information.js';
import type { ResolvedHarnessOptions } from './harness-options.js';

export function createHarnessStateBackend(
  options: ResolvedHarnessOptions,
  operatorName: string,
  keyType: TypeInformation<unknown> | undefined,
  currentProcessingTime: () => number,
): KeyedStateBackend {
  let managedMemory: ManagedMemory | undefined;
  return new KeyedStateBackends({
    type: options.stateBackend,
    operatorName,
    maxParallelism: options.maxParallelism,
    keyGroupRange: options.keyGroupRange,
    keyType,
    currentProcessingTime,
    createNative: (native) => new NativeKeyedStateBackend({ ...native, managedMemory: (managedMemory ??= ManagedMemory.create(options.managedMemorySize)) }),
  });
}
