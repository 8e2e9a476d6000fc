/**
 * The head of a source task (Flink's SourceOperator): polls the subtask's SourceReader for a
 * bounded number of records per step and emits them. The emit function is made once. `close()`
 * releases the reader's files or sockets.
 *
 * Event time (`SourceEventTime`):
 * - With a WatermarkStrategy (`fromSource(factory, strategy, name)`), the strategy runs here, in
 *   the source task, not as an operator after it (timestamps-and-watermarks.ts). Flink keeps one
 *   generator per source split and emits their minimum; in strom every source subtask reads
 *   exactly one split (its byte range of the file, its range of the sequence, its iterable), so
 *   the subtask's generator is that split's generator and no combination is needed.
 * - A custom source may yield TimestampedValue, Watermark and TEMPORARILY_IDLE
 *   (eventtime/source-markers.ts) to carry event time itself (Flink's SourceContext). In BATCH
 *   mode its watermarks and idleness are dropped, like a strategy's: only the final one is emitted.
 * - At the end of input the source emits MAX_WATERMARK (after a last periodic emit).
 */
import { TEMPORARILY_IDLE, TimestampedValue, Watermark } from '../../eventtime/source-markers.js';
import type { WatermarkStrategy } from '../../eventtime/watermark-strategy.js';
import type { SourceOutput, SourceReader } from '../sources/source-reader.js';
import { AbstractStreamOperator } from './abstract-stream-operator.js';
import type { Output } from './output.js';
import { MAX_WATERMARK, NO_TIMESTAMP, type StreamOperator } from './stream-operator.js';
import { TimestampsAndWatermarks, type WatermarkTiming } from './timestamps-and-watermarks.js';
import { WatermarkEmitter } from './watermark-emitter.js';

/** How a source gets event time. */
export interface SourceEventTime {
  /** The strategy given to `fromSource`, run inside the source task; undefined: none. */
  readonly strategy: WatermarkStrategy<unknown> | undefined;
  /** The source may yield event-time markers (custom sources). */
  readonly readsMarkers: boolean;
  readonly timing: WatermarkTiming;
}

export class SourceOperator extends AbstractStreamOperator implements StreamOperator {
  /** Records emitted (the task's numRecordsIn); markers do not count. */
  recordsOut = 0;
  private readonly emit: (record: unknown) => void;
  private readonly timestamps: TimestampsAndWatermarks | undefined;
  /** Where the source's watermarks go when it has event time. */
  private readonly watermarks: WatermarkEmitter | undefined;
  /** False in BATCH mode: the source's own watermarks and idleness are dropped, as the strategy's are. */
  private readonly progressive: boolean;

  constructor(
    name: string,
    readonly reader: SourceReader<unknown>,
    output: Output,
    eventTime?: SourceEventTime,
  ) {
    super(name, output);
    const strategy = eventTime?.strategy;
    this.timestamps = strategy ? new TimestampsAndWatermarks(name, strategy, output, eventTime.timing) : undefined;
    this.watermarks = this.timestamps?.watermarks ?? (eventTime?.readsMarkers ? new WatermarkEmitter(output, name) : undefined);
    this.progressive = eventTime?.timing.emitProgressiveWatermarks ?? false;
    if (eventTime?.readsMarkers) {
      this.emit = (record) => this.emitMarked(record);
    } else if (this.timestamps) {
      const timestamps = this.timestamps;
      this.emit = (record) => {
        this.recordsOut++;
        timestamps.collect(record, NO_TIMESTAMP);
      };
    } else {
      this.emit = (record) => {
        this.recordsOut++;
        this.output.collect(record, NO_TIMESTAMP);
      };
    }
  }

  override open(): void {
    this.timestamps?.open();
  }

  /**
   * Emits up to `budget` records; returns the reader's SourceStatus (MORE, WAITING: await
   * `reader.ready`, END). Stops after the record that set `output.blocked` (back-pressure).
   */
  poll(budget: number, output: SourceOutput): number {
    return this.reader.poll(budget, this.emit, output);
  }

  /** The end of input (the task calls it with MAX_WATERMARK): a last periodic emit, then MAX_WATERMARK. */
  override processWatermark(watermark: number): void {
    this.currentWatermark = watermark;
    if (watermark === MAX_WATERMARK && this.timestamps) this.timestamps.endOfInput();
    else if (this.watermarks) this.watermarks.emitWatermark(watermark);
    else this.output.emitWatermark(watermark);
  }

  override close(): void {
    this.timestamps?.close();
    void Promise.resolve(this.reader.close()).catch(() => {});
  }

  private emitMarked(record: unknown): void {
    const watermarks = this.watermarks!;
    if (record instanceof TimestampedValue) {
      this.emitRecord(record.value, record.timestamp, watermarks);
    } else if (record instanceof Watermark) {
      if (this.progressive) watermarks.emitWatermark(record.timestamp);
    } else if (record === TEMPORARILY_IDLE) {
      if (this.progressive) watermarks.markIdle();
    } else {
      this.emitRecord(record, NO_TIMESTAMP, watermarks);
    }
  }

  private emitRecord(value: unknown, timestamp: number, watermarks: WatermarkEmitter): void {
    this.recordsOut++;
    if (this.timestamps) {
      this.timestamps.collect(value, timestamp); // marks the output active itself
    } else {
      watermarks.markActive();
      this.output.collect(value, timestamp);
    }
  }
}
