/**
 * An Output that records everything it is given, in order, for operator tests: records with
 * their timestamps, side-output records with their tag's id, watermarks and watermark statuses.
 */
import type { Output } from '../../src/runtime/operators/output.js';
import type { OutputTag } from '../../src/functions/output-tag.js';
import type { WatermarkStatus } from '../../src/runtime/operators/watermark-status.js';

export type Emitted =
  | { kind: 'record'; value: unknown; timestamp: number }
  | { kind: 'side'; tag: string; value: unknown; timestamp: number }
  | { kind: 'watermark'; watermark: number }
  | { kind: 'status'; status: WatermarkStatus };

export class CollectingOutput implements Output {
  readonly emitted: Emitted[] = [];

  collect(value: unknown, timestamp: number): void {
    this.emitted.push({ kind: 'record', value, timestamp });
  }

  collectSide(tag: OutputTag<unknown>, value: unknown, timestamp: number): void {
    this.emitted.push({ kind: 'side', tag: tag.id, value, timestamp });
  }

  emitWatermark(watermark: number): void {
    this.emitted.push({ kind: 'watermark', watermark });
  }

  emitWatermarkStatus(status: WatermarkStatus): void {
    this.emitted.push({ kind: 'status', status });
  }

  /** The main-output values, in order. */
  get values(): unknown[] {
    return this.emitted.flatMap((e) => (e.kind === 'record' ? [e.value] : []));
  }
}
