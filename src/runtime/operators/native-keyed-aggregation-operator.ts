/**
 * A keyed aggregation run by the addon on the serialized records (state/native-keyed-aggregation.ts),
 * chosen by the plan for field keys on declared types. Its input is not JS values but slices
 * of framed records, straight from the channels (`processSlice`); its output records are
 * decoded into JS values for the operators chained after it. Serialized input carries no
 * timestamps yet, so the outputs have none.
 *
 * The native table (managed memory) exists from `initializeState` to `close`; its figures stay
 * readable after `close` for the task's final metrics.
 */
import { NativeKeyedAggregation, type NativeKeyedAggregationOptions } from '../../state/native-keyed-aggregation.js';
import type { TypeInformation } from '../../types/type-information.js';
import { AbstractStreamOperator } from './abstract-stream-operator.js';
import { FrameDecoder } from './frame-decoder.js';
import type { Output } from './output.js';
import { FINISH_AT_ONCE, type FinishBudget, type StateInitializationContext, type StreamOperator } from './stream-operator.js';

type Stats = { keys: number; memoryBytes: number; recordsIn: number };

export class NativeKeyedAggregationOperator extends AbstractStreamOperator implements StreamOperator {
  private aggregation: NativeKeyedAggregation | undefined;
  private closedStats: Stats | undefined;
  private readonly decoder: FrameDecoder;

  constructor(
    name: string,
    private readonly options: Omit<NativeKeyedAggregationOptions, 'output'>,
    outputType: TypeInformation<unknown>,
    output: Output,
  ) {
    super(name, output);
    this.decoder = new FrameDecoder(outputType, (record, timestamp) => output.collect(record, timestamp));
  }

  override initializeState(_context: StateInitializationContext): void {
    this.aggregation = new NativeKeyedAggregation({ ...this.options, output: (bytes, start, end) => this.decoder.decode(bytes, start, end) });
  }

  /**
   * Aggregates the whole framed records `bytes[start, end)`; returns where it stopped: `end`, or
   * the start of a record cut by `end` (its reader hands that record over whole later).
   */
  processSlice(bytes: Uint8Array, start: number, end: number): number {
    return this.aggregation!.feed(bytes, start, end);
  }

  /**
   * BATCH: emits the keys' final aggregates within `budget`, resuming where the last call
   * stopped (a native cursor over the table); true once all are out. Throws if a channel ended
   * inside a record.
   */
  override finish(budget: FinishBudget = FINISH_AT_ONCE): boolean {
    return this.aggregation?.finish(budget.maxRecords, budget.output) ?? true;
  }

  /** Frees the native table (idempotent), keeping its last figures. */
  override close(): void {
    const aggregation = this.aggregation;
    if (!aggregation) return;
    this.closedStats = aggregation.stats();
    this.aggregation = undefined;
    aggregation.close();
  }

  /** Keys, managed memory bytes and records of the table (a native call; sample it). */
  stats(): Stats | undefined {
    return this.aggregation ? this.aggregation.stats() : this.closedStats;
  }
}
