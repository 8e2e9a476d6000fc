/**
 * `flatMap`: any number of records out per record in, each with the input's timestamp (Flink's
 * StreamFlatMap with its TimestampedCollector). The collector function is made once and reads
 * the current timestamp from a field, so no closure is allocated per record.
 *
 * Records emitted before the user function throws have already gone downstream, as with
 * Flink's Collector. An error thrown further down the chain passes through unwrapped (the
 * `downstream` flag tells it from one thrown by the function itself).
 */
import { errors } from '../../errors.js';
import { AbstractStreamOperator } from './abstract-stream-operator.js';
import { servesAsChainingOutput } from './chaining-output.js';
import type { OneInputStreamOperator } from './one-input-stream-operator.js';
import type { Output } from './output.js';
import { closeRichFunction, openRichFunction, type RichFunctionBinding } from './rich-function-lifecycle.js';
import { NO_TIMESTAMP } from './stream-operator.js';

/** Also the Output of the operator before it in a chain (chaining-output.ts). */
export interface StreamFlatMap extends Output {}
export class StreamFlatMap extends AbstractStreamOperator implements OneInputStreamOperator {
  private timestamp = NO_TIMESTAMP;
  private downstream = false;
  private readonly collector: (result: unknown) => void;

  constructor(
    name: string,
    private readonly fn: (value: unknown, out: (result: unknown) => void) => void,
    output: Output,
    /** The rich function `fn` belongs to, opened and closed with the operator. */
    private readonly rich: RichFunctionBinding | undefined = undefined,
  ) {
    super(name, output);
    this.collector = (result) => {
      this.downstream = true;
      this.output.collect(result, this.timestamp);
      this.downstream = false;
    };
    // `out.collect(v)` works too (Flink's Collector, for RichFlatMapFunction).
    (this.collector as { collect?: unknown }).collect = this.collector;
  }

  override open(): void {
    openRichFunction(this.rich, this.name);
  }

  override close(): void {
    closeRichFunction(this.rich?.fn, this.name);
  }

  processElement(value: unknown, timestamp: number): void {
    this.timestamp = timestamp;
    try {
      this.fn(value, this.collector);
    } catch (cause) {
      if (this.downstream) {
        this.downstream = false;
        throw cause;
      }
      throw errors.userFunction(this.name, this.fn.name || 'flatMap', cause);
    }
  }
}

servesAsChainingOutput(StreamFlatMap);
