/**
 * An Output that hands everything to several outputs in turn (Flink's BroadcastingOutputCollector):
 * a chain tail with several outgoing edges, or an operator whose side outputs have consumers.
 * Each output keeps its own filtering (main or one tag).
 */
import type { Output } from './output.js';
import type { WatermarkStatus } from './watermark-status.js';
import type { OutputTag } from '../../functions/output-tag.js';

export class BroadcastingOutput implements Output {
  constructor(private readonly outputs: readonly Output[]) {}

  collect(value: unknown, timestamp: number): void {
    const outputs = this.outputs;
    for (let i = 0; i < outputs.length; i++) outputs[i]!.collect(value, timestamp);
  }

  collectSide(tag: OutputTag<unknown>, value: unknown, timestamp: number): void {
    const outputs = this.outputs;
    for (let i = 0; i < outputs.length; i++) outputs[i]!.collectSide(tag, value, timestamp);
  }

  emitWatermark(watermark: number): void {
    const outputs = this.outputs;
    for (let i = 0; i < outputs.length; i++) outputs[i]!.emitWatermark(watermark);
  }

  emitWatermarkStatus(status: WatermarkStatus): void {
    const outputs = this.outputs;
    for (let i = 0; i < outputs.length; i++) outputs[i]!.emitWatermarkStatus(status);
  }
}

/** Hands nothing on: the output of operators at the end of a chain that emit nothing (sinks). */
export const DISCARDING_OUTPUT: Output = Object.freeze({
  collect(): void {},
  collectSide(): void {},
  emitWatermark(): void {},
  emitWatermarkStatus(): void {},
});
