/**
 * Where an operator puts what it produces (Flink's Output): records with their timestamps,
 * watermarks, and records for side outputs. An operator knows only its Output, never what is
 * behind it: the next chained operator (chaining-output.ts), several outputs
 * (broadcasting-output.ts), a RecordWriter to the network (record-writer-output.ts) or nothing.
 *
 * Side outputs have their own method rather than an overload of `collect` (Flink's
 * `collect(OutputTag, StreamRecord)`), so the main path makes no per-record check of its
 * arguments. An Output with no consumer for a tag drops that tag's records, as Flink does.
 */
import type { OutputTag } from '../../functions/output-tag.js';
import type { WatermarkStatus } from './watermark-status.js';

export interface Output {
  /** Emits `value` with `timestamp` (epoch ms, or NO_TIMESTAMP) on the main output. */
  collect(value: unknown, timestamp: number): void;
  /** Emits `value` with `timestamp` to the side output `tag`; dropped when nothing consumes that tag. */
  collectSide(tag: OutputTag<unknown>, value: unknown, timestamp: number): void;
  /** Emits a watermark: no later record on this output has a timestamp at or below it. */
  emitWatermark(watermark: number): void;
  /** Emits a change of this output's watermark status (IDLE: its watermarks stop counting downstream). */
  emitWatermarkStatus(status: WatermarkStatus): void;
}
