/**
 * strom's native keyed state and the managed-memory account it is charged to (paths relative
 * to dist/bench). Needs the addon (`npm run build:native`).
 */
export { NativeKeyedAggregation } from '../../src/state/native-keyed-aggregation.js';
export { ManagedMemory } from '../../src/memory/managed-memory.js';
export { KeyedStateBackends } from '../../src/state/keyed-state-backends.js';
export { NativeKeyedStateBackend } from '../../src/state/native-keyed-state-backend.js';
export { ValueStateDescriptor, type ValueState } from '../../src/state/state-descriptor.js';
export { KeyedProcessOperator } from '../../src/runtime/operators/keyed-process-operator.js';
export { DISCARDING_OUTPUT } from '../../src/runtime/operators/broadcasting-output.js';
export { ManualProcessingTimeService } from '../../src/runtime/time/processing-time-service.js';
export { KeyedProcessFunction } from '../../src/functions/keyed-process-function.js';
