/**
 * An operator with one input (Flink's OneInputStreamOperator): map, filter, flatMap, keyed
 * aggregations, sinks. A union feeds several edges into this one input.
 */
import type { StreamOperator } from './stream-operator.js';
import type { WatermarkStatus } from './watermark-status.js';

export interface OneInputStreamOperator<IN = unknown> extends StreamOperator {
  /** Processes one record; `timestamp` is epoch ms or NO_TIMESTAMP. Must not keep `value` unless it owns it. */
  processElement(value: IN, timestamp: number): void;
  /** Handles a watermark of the input, then forwards it (or a derived one) to the output. */
  processWatermark(watermark: number): void;
  /** Handles a change of the input's watermark status, then forwards it. */
  processWatermarkStatus(status: WatermarkStatus): void;
}
