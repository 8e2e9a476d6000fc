/**
 * The Output at the end of a chain towards one network edge (Flink's RecordWriterOutput): main
 * output records go to the edge's RecordWriter, which serializes and partitions them, with
 * their timestamps (RECORD_WITH_TIMESTAMP frames; plain RECORD frames for NO_TIMESTAMP).
 * Watermarks and watermark statuses are broadcast to every channel of the writer, in order with
 * the records. Side outputs never cross the network until the plan routes them.
 */
import type { RecordWriter } from '../../io/record-writer.js';
import type { Output } from './output.js';
import type { WatermarkStatus } from './watermark-status.js';
import type { OutputTag } from '../../functions/output-tag.js';

export class RecordWriterOutput implements Output {
  constructor(private readonly writer: RecordWriter<unknown>) {}

  collect(value: unknown, timestamp: number): void {
    this.writer.emit(value, timestamp);
  }

  collectSide(_tag: OutputTag<unknown>, _value: unknown, _timestamp: number): void {}

  emitWatermark(watermark: number): void {
    this.writer.broadcastWatermark(watermark);
  }

  emitWatermarkStatus(status: WatermarkStatus): void {
    this.writer.broadcastWatermarkStatus(status);
  }
}
