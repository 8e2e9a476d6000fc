/**
 * The Output at the end of a chain towards one network edge (Flink's RecordWriterOutput): main
 * output records go to the edge's RecordWriter, which serializes and partitions them.
 *
 * Not yet on the wire: the frame format (io/stream-element.ts) reserves tags for records with
 * timestamps and for watermarks, but the RecordWriter writes plain records only, so timestamps
 * and watermarks stop here for now (the consumer's task sends MAX_WATERMARK into its head at the
 * end of its input instead). A side-output edge (`getSideOutput(tag)`) gets a RecordWriterOutput with its tag: only that tag's records go to its writer.
 */
import type { RecordWriter } from '../../io/record-writer.js';
import type { Output } from './output.js';
import type { WatermarkStatus } from './watermark-status.js';
import type { OutputTag } from '../../functions/output-tag.js';

export class RecordWriterOutput implements Output {
  constructor(
    private readonly writer: RecordWriter<unknown>,
    /** The side output this edge carries (main records are then dropped), or undefined for the main output. */
    private readonly outputTag: OutputTag<unknown> | undefined = undefined,
  ) {}

  collect(value: unknown, _timestamp: number): void {
    if (this.outputTag === undefined) this.writer.emit(value);
  }

  collectSide(tag: OutputTag<unknown>, value: unknown, _timestamp: number): void {
    if (this.outputTag !== undefined && this.outputTag.equals(tag)) this.writer.emit(value);
  }

  emitWatermark(_watermark: number): void {}

  emitWatermarkStatus(_status: WatermarkStatus): void {}
}
