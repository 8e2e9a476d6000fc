/**
 * The Output at the end of a chain towards one network edge (Flink's RecordWriterOutput): main
 * output records go to the edge's RecordWriter, which serializes and partitions them.
 *
 * Not yet on the wire: the frame format (io/stream-element.ts) reserves tags for records with
 * timestamps and for watermarks, but the RecordWriter writes plain records only, so timestamps
 * and watermarks stop here for now (the consumer's task sends MAX_WATERMARK into its head at the
 * end of its input instead). Side outputs never cross the network until the plan routes them.
 */
import type { RecordWriter } from '../../io/record-writer.js';
import type { Output } from './output.js';
import type { WatermarkStatus } from './watermark-status.js';
import type { OutputTag } from '../../functions/output-tag.js';

export class RecordWriterOutput implements Output {
  constructor(private readonly writer: RecordWriter<unknown>) {}

  collect(value: unknown, _timestamp: number): void {
    this.writer.emit(value);
  }

  collectSide(_tag: OutputTag<unknown>, _value: unknown, _timestamp: number): void {}

  emitWatermark(_watermark: number): void {}

  emitWatermarkStatus(_status: WatermarkStatus): void {}
}
