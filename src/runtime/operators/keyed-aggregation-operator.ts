/**
 * A keyed rolling aggregation or `reduce` on JS values (Flink's StreamGroupedReduceOperator),
 * for what the plan did not give the native state: key selector functions, undeclared (GENERIC)
 * records, `reduce`. STREAMING emits each update with the timestamp of the record that caused
 * it; BATCH emits every key's final value at `finish()`, without a timestamp, in bounded steps
 * (stream-operator.ts, "End of input").
 */
import type { JsKeyedAggregation } from '../../state/js-keyed-aggregation.js';
import type { JsKeyedReduce } from '../../state/js-keyed-reduce.js';
import type { JsKey } from '../../state/js-keyed-state.js';
import { AbstractStreamOperator } from './abstract-stream-operator.js';
import type { OneInputStreamOperator } from './one-input-stream-operator.js';
import type { Output } from './output.js';
import { closeRichFunction, openRichFunction, type RichFunctionBinding } from './rich-function-lifecycle.js';
import { FINISH_AT_ONCE, NO_TIMESTAMP, type FinishBudget, type StateInitializationContext } from './stream-operator.js';

/** The JS keyed state an operator drives: an aggregation or a reduce. */
export type JsKeyedFunction = Pick<JsKeyedAggregation | JsKeyedReduce<unknown, JsKey>, 'stats'> & {
  process(record: unknown): unknown;
  /** Emits finals in steps (js-keyed-reduce.ts); true once all are out. */
  finish(maxRecords?: number, output?: { readonly blocked: number }): boolean;
};

export class KeyedAggregationOperator extends AbstractStreamOperator implements OneInputStreamOperator {
  /** The timestamp of the record being processed: what its updates carry. */
  private timestamp = NO_TIMESTAMP;
  private state: JsKeyedFunction | undefined;

  /** Records emitted by the keyed state (its `emit` option): hand them to the output. */
  readonly emit = (record: unknown): void => this.output.collect(record, this.timestamp);

  /**
   * @param create Builds the keyed state around `emit` (called by `initializeState`, so a
   *   failed task that never started holds no state).
   */
  constructor(
    name: string,
    private readonly create: (emit: (record: unknown) => void) => JsKeyedFunction,
    output: Output,
    /** The RichReduceFunction `reduce` belongs to, opened and closed with the operator. */
    private readonly rich: RichFunctionBinding | undefined = undefined,
  ) {
    super(name, output);
  }

  override open(): void {
    openRichFunction(this.rich, this.name);
  }

  override close(): void {
    closeRichFunction(this.rich?.fn, this.name);
  }

  override initializeState(_context: StateInitializationContext): void {
    this.state = this.create(this.emit);
  }

  processElement(value: unknown, timestamp: number): void {
    this.timestamp = timestamp;
    this.state!.process(value);
  }

  /** BATCH: emits the keys' finals within `budget`, resuming where the last call stopped; true once all are out. */
  override finish(budget: FinishBudget = FINISH_AT_ONCE): boolean {
    this.timestamp = NO_TIMESTAMP;
    return this.state?.finish(budget.maxRecords, budget.output) ?? true;
  }

  /** Keys, JS heap bytes and records of the state (for metrics); undefined before it exists. */
  stats(): { keys: number; memoryBytes: number; recordsIn: number } | undefined {
    return this.state?.stats();
  }
}
