/**
 * A pre-aggregation (Flink's combiner) in front of a keyed exchange into a `sum`, `min` or
 * `max`, in BATCH mode only, run by the addon: the producer serializes each record into a
 * private buffer and folds it into a native table per key; at the end of its input (or when the
 * table holds too many keys) it sends one partial record per key downstream, in bounded steps
 * either way: at the end through `finish(budget)` (stream-operator.ts, "End of input"); a full
 * table mid-input is retired and drained a chunk per record taken in, while the task's output
 * can take them, as a fresh table fills. The exchange, the
 * key routing and the downstream aggregation then see one record per key and producer instead
 * of one per input record, and the downstream aggregation combines the partials to the same
 * result, these aggregations being associative. STREAMING must emit every update and never
 * combines.
 *
 * The plan decides where a combiner goes (graph/physical-plan.ts); the task puts this operator
 * between its chain's tail and that edge's RecordWriterOutput. Partials go out without a
 * timestamp; watermarks pass through at once (BATCH has no event time to hold back).
 */
import { errors } from '../../errors.js';
import type { ManagedMemory } from '../../memory/managed-memory.js';
import { NativeKeyedAggregation } from '../../state/native-keyed-aggregation.js';
import { DataOutputView } from '../../types/data-output-view.js';
import type { TypeInformation } from '../../types/type-information.js';
import type { TypeSerializer } from '../../types/type-serializer.js';
import { AbstractStreamOperator } from './abstract-stream-operator.js';
import { servesAsChainingOutput } from './chaining-output.js';
import { FrameDecoder } from './frame-decoder.js';
import type { OneInputStreamOperator } from './one-input-stream-operator.js';
import type { Output } from './output.js';
import { FINISH_AT_ONCE, NO_TIMESTAMP, type FinishBudget, type StateInitializationContext } from './stream-operator.js';

/** Bytes of serialized records collected before they are folded in (one addon call). */
const CHUNK_BYTES = 32 * 1024;
/** Keys held before the partials are sent and the table starts over (bounds its memory). */
const MAX_KEYS = 1 << 18;

export interface NativeCombinerOptions {
  type: TypeInformation<unknown>;
  keyFields: readonly number[];
  aggregation: 'sum' | 'min' | 'max';
  field: number | string;
  maxParallelism: number;
  managedMemory: ManagedMemory;
  operatorName: string;
  /** Keys held before the partials are sent early. Default 2^18. */
  maxKeys?: number;
  /** The task's output availability (non-zero `blocked`: it takes no more now). Default: never blocked. */
  outputAvailability?: { readonly blocked: number };
}

/** Partials of a retired table sent per record taken in, while the output is available. */
const RETIRED_STEP_RECORDS = 256;
const NEVER_BLOCKED = { blocked: 0 } as const;

/** Also the Output of the operator before it in a chain (chaining-output.ts). */
export interface NativeCombinerOperator extends Output {}
export class NativeCombinerOperator extends AbstractStreamOperator implements OneInputStreamOperator {
  private readonly serializer: TypeSerializer<unknown>;
  private readonly out = new DataOutputView(CHUNK_BYTES + 1024);
  private readonly decoder: FrameDecoder;
  private aggregation: NativeKeyedAggregation | undefined;
  /** A table that filled up mid-input, its partials still being sent (at most one). */
  private retired: NativeKeyedAggregation | undefined;
  private readonly availability: { readonly blocked: number };

  /** @param output Receives each partial record (a JS value of `options.type`). */
  constructor(
    private readonly options: NativeCombinerOptions,
    output: Output,
  ) {
    super(`${options.operatorName} (combiner)`, output);
    this.serializer = options.type.createSerializer();
    this.availability = options.outputAvailability ?? NEVER_BLOCKED;
    this.decoder = new FrameDecoder(options.type, (record) => output.collect(record, NO_TIMESTAMP));
  }

  /** Creates the native table (managed memory). */
  override initializeState(_context: StateInitializationContext): void {
    this.aggregation = this.create();
  }

  private create(): NativeKeyedAggregation {
    const o = this.options;
    return new NativeKeyedAggregation({
      type: o.type,
      keyFields: o.keyFields,
      aggregation: o.aggregation,
      field: o.field,
      mode: 'BATCH',
      maxParallelism: o.maxParallelism,
      managedMemory: o.managedMemory,
      operatorName: this.name,
      output: (bytes, start, end) => this.decoder.decode(bytes, start, end),
    });
  }

  /** Serializes `record` into the pending chunk (framed as in a channel); folds the chunk in when full. */
  processElement(record: unknown, _timestamp: number): void {
    if (this.retired !== undefined) this.drainRetired(RETIRED_STEP_RECORDS);
    const out = this.out;
    const start = out.pos;
    out.writeInt32(0);
    out.writeUint8(0);
    this.serializer.write(record, out);
    out.view.setInt32(start, out.pos - start - 4, true);
    if (out.pos >= CHUNK_BYTES) this.fold();
  }

  private fold(): void {
    if (this.out.pos === 0) return;
    const aggregation = this.aggregation!;
    this.feedPending(aggregation);
    if (aggregation.stats().keys >= (this.options.maxKeys ?? MAX_KEYS)) this.flush();
  }

  /** Folds the records serialized so far (whole records: feed stops at none). */
  private feedPending(aggregation: NativeKeyedAggregation): void {
    const fed = aggregation.feed(this.out.buf, 0, this.out.pos);
    if (fed !== this.out.pos) throw errors.internal(`the combiner's own records were cut at byte ${fed} of ${this.out.pos}`);
    this.out.pos = 0;
  }

  /**
   * Retires the full table (its partials go out in steps, `drainRetired`) and starts a fresh
   * one. A table retired before is drained at once first: the fresh one filled before the
   * output took the old one's partials (only then may the backlog take a whole table).
   */
  private flush(): void {
    if (this.retired !== undefined) this.drainRetired(Number.POSITIVE_INFINITY, NEVER_BLOCKED);
    this.retired = this.aggregation!;
    this.aggregation = this.create();
    this.drainRetired(RETIRED_STEP_RECORDS);
  }

  /** Sends up to about `maxRecords` partials of the retired table while `output` is available; closes it when all are out. */
  private drainRetired(maxRecords: number, output: { readonly blocked: number } = this.availability): boolean {
    const retired = this.retired!;
    if (!retired.finish(maxRecords, output)) return false;
    retired.close();
    this.retired = undefined;
    return true;
  }

  /**
   * End of input: folds what is pending, then sends the partials within `budget`, resuming
   * where the last call stopped; true once all are out.
   */
  override finish(budget: FinishBudget = FINISH_AT_ONCE): boolean {
    if (this.retired !== undefined && !this.drainRetired(budget.maxRecords, budget.output)) return false;
    const aggregation = this.aggregation!;
    if (this.out.pos > 0) this.feedPending(aggregation);
    return aggregation.finish(budget.maxRecords, budget.output);
  }

  /** Frees the tables (idempotent; also after a failure, or when they were never created). */
  override close(): void {
    this.retired?.close();
    this.retired = undefined;
    this.aggregation?.close();
    this.aggregation = undefined;
  }
}

servesAsChainingOutput(NativeCombinerOperator);
