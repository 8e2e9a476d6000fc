/**
 * strom's native keyed state and the managed-memory account it is charged to (paths relative
 * to dist/bench). Needs the addon (`npm run build:native`).
 */
export { NativeKeyedAggregation } from '../../src/state/native-keyed-aggregation.js';
export { ManagedMemory } from '../../src/memory/managed-memory.js';
