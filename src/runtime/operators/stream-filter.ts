/**
 * `filter`: passes the records its predicate keeps, timestamps unchanged (Flink's StreamFilter).
 * Errors as in stream-map.ts.
 */
import { errors } from '../../errors.js';
import { AbstractStreamOperator } from './abstract-stream-operator.js';
import { servesAsChainingOutput } from './chaining-output.js';
import type { OneInputStreamOperator } from './one-input-stream-operator.js';
import type { Output } from './output.js';
import { closeRichFunction, openRichFunction, type RichFunctionBinding } from './rich-function-lifecycle.js';

/** Also the Output of the operator before it in a chain (chaining-output.ts). */
export interface StreamFilter extends Output {}
export class StreamFilter extends AbstractStreamOperator implements OneInputStreamOperator {
  constructor(
    name: string,
    private readonly fn: (value: unknown) => boolean,
    output: Output,
    /** The rich function `fn` belongs to, opened and closed with the operator. */
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

  processElement(value: unknown, timestamp: number): void {
    let keep: boolean;
    try {
      keep = this.fn(value);
    } catch (cause) {
      throw errors.userFunction(this.name, this.fn.name || 'filter', cause);
    }
    if (keep) this.output.collect(value, timestamp);
  }
}

servesAsChainingOutput(StreamFilter);
