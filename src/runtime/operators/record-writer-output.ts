/**
 * The Output at the end of a chain towards one network edge (Flink's RecordWriterOutput): main
 * output records go to the edge's RecordWriter, which serializes and partitions them, with
 * their timestamps (RECORD_WITH_TIMESTAMP frames; plain RECORD frames for NO_TIMESTAMP).
 * Watermarks and watermark statuses are broadcast to every channel of the writer, in order with
 * the records. A side-output edge (`getSideOutput(tag)`) gets a RecordWriterOutput with its tag:
 * only that tag's records go to its writer, with their timestamps.
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

  collect(value: unknown, timestamp: number): void {
    if (this.outputTag === undefined) this.writer.emit(value, timestamp);
  }

  collectSide(tag: OutputTag<unknown>, value: unknown, timestamp: number): void {
    if (this.outputTag !== undefined && this.outputTag.equals(tag)) this.writer.emit(value, timestamp);
  }

  emitWatermark(watermark: number): void {
    this.writer.broadcastWatermark(watermark);
  }

  emitWatermarkStatus(status: WatermarkStatus): void {
    this.writer.broadcastWatermarkStatus(status);
  }
}
