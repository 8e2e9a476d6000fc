/**
 * The Output a test harness gives its operator: it keeps the main output (records and
 * watermarks, in order) and the side outputs by tag id, as Flink's MockOutput does.
 */
import type { OutputTag } from '../functions/output-tag.js';
import type { Output } from '../runtime/operators/output.js';
import { NO_TIMESTAMP } from '../runtime/operators/stream-operator.js';
import type { WatermarkStatus } from '../runtime/operators/watermark-status.js';
import { StreamRecord, Watermark, type OutputElement } from './stream-records.js';

export class HarnessOutput implements Output {
  readonly elements: OutputElement<unknown>[] = [];
  readonly sideOutputs = new Map<string, StreamRecord<unknown>[]>();
  readonly statuses: WatermarkStatus[] = [];

  collect(value: unknown, timestamp: number): void {
    this.elements.push(recordOf(value, timestamp));
  }

  collectSide(tag: OutputTag<unknown>, value: unknown, timestamp: number): void {
    let records = this.sideOutputs.get(tag.id);
    if (records === undefined) this.sideOutputs.set(tag.id, (records = []));
    records.push(recordOf(value, timestamp));
  }

  emitWatermark(watermark: number): void {
    this.elements.push(new Watermark(watermark));
  }

  emitWatermarkStatus(status: WatermarkStatus): void {
    this.statuses.push(status);
  }
}

function recordOf(value: unknown, timestamp: number): StreamRecord<unknown> {
  return new StreamRecord(value, timestamp === NO_TIMESTAMP ? null : timestamp);
}
