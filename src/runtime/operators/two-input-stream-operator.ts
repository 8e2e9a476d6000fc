/**
 * An operator with two inputs of possibly different types (Flink's TwoInputStreamOperator), e.g.
 * `connect(other).map(fn1, fn2)`. Each input has its own methods, so the task routes a record by
 * the input its channel belongs to (the plan's input index), not by inspecting the record.
 *
 * Watermarks: the operator's event time is the minimum of its inputs' watermarks; it advances
 * (and is forwarded) only when that minimum rises (AbstractStreamOperator implements the rule).
 */
import type { StreamOperator } from './stream-operator.js';
import type { WatermarkStatus } from './watermark-status.js';

export interface TwoInputStreamOperator<IN1 = unknown, IN2 = unknown> extends StreamOperator {
  /** A record of input 1 (input index 0). */
  processElement1(value: IN1, timestamp: number): void;
  /** A record of input 2 (input index 1). */
  processElement2(value: IN2, timestamp: number): void;
  /** A watermark of input 1. */
  processWatermark1(watermark: number): void;
  /** A watermark of input 2. */
  processWatermark2(watermark: number): void;
  /** A watermark status change of input 1. */
  processWatermarkStatus1(status: WatermarkStatus): void;
  /** A watermark status change of input 2. */
  processWatermarkStatus2(status: WatermarkStatus): void;
}
