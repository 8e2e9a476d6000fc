/**
 * The Output between two operators of one chain (Flink's ChainingOutput): records, timestamps
 * and watermarks go straight into the next operator's methods, in the same thread, without
 * serialization.
 *
 * A ChainingOutput either feeds the next operator's main input (no tag: side outputs are
 * dropped) or consumes one side output (a tag: only that tag's records pass, main records are
 * dropped), as Flink's does.
 */
import type { OneInputStreamOperator } from './one-input-stream-operator.js';
import type { Output } from './output.js';
import type { OutputTag } from './output-tag.js';

export class ChainingOutput implements Output {
  constructor(
    private readonly operator: OneInputStreamOperator,
    /** The side output this output consumes, or undefined for the main output. */
    private readonly outputTag: OutputTag<unknown> | undefined = undefined,
  ) {}

  collect(value: unknown, timestamp: number): void {
    if (this.outputTag === undefined) this.operator.processElement(value, timestamp);
  }

  collectSide(tag: OutputTag<unknown>, value: unknown, timestamp: number): void {
    if (this.outputTag !== undefined && this.outputTag.equals(tag)) this.operator.processElement(value, timestamp);
  }

  emitWatermark(watermark: number): void {
    this.operator.processWatermark(watermark);
  }
}
