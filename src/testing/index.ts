/**
 * `strom/testing`: Flink's flink-test-utils operator harnesses for strom. A harness runs one
 * operator or function in the caller's thread (no workers), with a manual processing-time
 * clock, and shows what it emitted: for unit tests of process functions, timers and keyed state.
 */
export { OneInputStreamOperatorTestHarness } from './one-input-stream-operator-test-harness.js';
export type { OperatorFactory, OperatorSetup } from './one-input-stream-operator-test-harness.js';
export { KeyedOneInputStreamOperatorTestHarness } from './keyed-one-input-stream-operator-test-harness.js';
export { ProcessFunctionTestHarnesses } from './process-function-test-harnesses.js';
export type { ProcessFunctionHarnessOptions } from './process-function-test-harnesses.js';
export { harnessForStream } from './harness-for-stream.js';
export type { StreamHarnessOptions } from './harness-for-stream.js';
export type { HarnessOptions } from './harness-options.js';
export { repackageState } from './operator-subtask-state.js';
export type { OperatorSubtaskState } from './operator-subtask-state.js';
export { StreamRecord, Watermark } from './stream-records.js';
export type { OutputElement } from './stream-records.js';
export { MAX_WATERMARK, MIN_WATERMARK } from '../runtime/operators/stream-operator.js';
